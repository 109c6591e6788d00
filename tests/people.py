"""The suite on a secured server, each use case with the acting person's database rights.

With ``STATIONCRM_TEST_AS_PEOPLE=1`` (CI's PostgreSQL run) the test database is set up by
``stationcrm db security``, every user a test makes gets a database login, and every use
case runs as the login of the person acting in it: when ``permissions.grants_for`` names
the actor, the unit of work's connection does ``SET ROLE`` to that login, so PostgreSQL
checks that login's privileges and row policies for everything the use case does next; the
role is reset when the unit of work ends. (One connection, not one per person: two
connections in one use case would wait on each other's locks.) Set-up and assertions made
outside a use case stay on the owner's rights. ``tests/security`` connects as the logins
themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import sessionmaker

from app.services.permissions import Actor
from app.services.uow import UnitOfWork

ENV = "STATIONCRM_TEST_AS_PEOPLE"


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def reset_roles_on_checkin(engine: Engine) -> None:
    """A pooled connection never keeps a person's role for the next user of the pool."""

    @event.listens_for(engine, "checkin")
    def _reset(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is None:
            return
        try:
            dbapi_connection.rollback()
            dbapi_connection.cursor().execute("RESET ROLE")
            dbapi_connection.commit()
        except Exception:  # a broken connection is discarded by the pool anyway
            return


class PersonUnitOfWork(UnitOfWork):
    def __init__(self, engine: Engine, login_of: Callable[[str], str]) -> None:
        super().__init__(sessionmaker(bind=engine, expire_on_commit=False))
        self.login_of = login_of
        self.current_actor: Actor | None = None

    def __enter__(self) -> PersonUnitOfWork:
        if self._depth == 0:
            self.current_actor = None
        super().__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        if self._depth == 0:
            self.current_actor = None

    def acting(self, actor: Actor) -> None:
        if self._depth == 0 or (self.current_actor is not None
                                and self.current_actor.user_id == actor.user_id):
            return
        connection = self.session.connection()
        if self.current_actor is not None:
            connection.execute(text("RESET ROLE"))
        self.current_actor = actor
        login_name = self.login_of(actor.username)
        in_step = connection.execute(text(
            "SELECT EXISTS (SELECT 1 FROM pg_roles r JOIN pg_roles g"
            " ON g.rolname = crmsec.group_name(:code)"
            " WHERE r.rolname = :login AND pg_has_role(r.oid, g.oid, 'MEMBER'))"),
            {"login": login_name, "code": actor.role_code}).scalar()
        if not in_step:
            # A user a test made without make_user (a service, demo data), or whose role
            # a test changed: bring the login in step as `db security` would, still with
            # the owner's rights.
            connection.execute(text("SELECT crmsec.save_principal(:name, NULL)"),
                               {"name": actor.username})
        login = self.login_of(actor.username).replace('"', '""')
        connection.execute(text(f'SET ROLE "{login}"'))
