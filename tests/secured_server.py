"""A StationCRM database on a PostgreSQL cluster that really checks passwords.

``STATIONCRM_TEST_SCRAM_URL`` names the cluster's superuser (``.ci/scram-cluster`` starts
one and prints it; CI does). Without it the tests that need one are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url, text

from app import schema
from app.db import make_engine
from app.security.principals import secure_database
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork
from app.services.users import add_user

# user: (role, department)
PEOPLE = {"clerk1": ("counter_clerk", "storefront"), "sales1": ("sales", "key_accounts"),
          "admin": ("administrator", "management")}


@contextmanager
def secured_station(passwords: Mapping[str, str], name: str = "logins") -> Iterator[str]:
    """Yield a station's address (no user, no password) of a fresh secured database whose
    users are ``PEOPLE`` with ``passwords``; drop the database and its logins afterwards."""
    raw = os.environ.get("STATIONCRM_TEST_SCRAM_URL")
    if not raw:
        pytest.skip("needs a cluster that checks passwords: set STATIONCRM_TEST_SCRAM_URL"
                    " (.ci/scram-cluster prints it; CI does)")
    server = make_url(raw)
    database = f"scrm_{name}_{os.getpid()}"
    prefix = f"{database}_"
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    owner = make_engine(server.set(database=database))
    schema.upgrade(owner)
    uow = UnitOfWork.for_engine(owner)
    ensure_reference_data(uow)
    for username, (role, department) in PEOPLE.items():
        add_user(uow=uow, actor=None, username=username, password=passwords[username],
                 role_code=role, department_code=department)
    secure_database(owner, principal_prefix=prefix, passwords=passwords)
    owner.dispose()
    try:
        yield f"postgresql://{server.host}:{server.port}/{database}?login_prefix={prefix}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in conn.execute(text(
                    "SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                    {"p": prefix}).scalars().all():
                conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
