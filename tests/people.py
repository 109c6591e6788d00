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

from sqlalchemy import Engine, event
from sqlalchemy.orm import sessionmaker

from app.services.errors import NotFound, PermissionDenied
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

    def another(self) -> PersonUnitOfWork:
        return PersonUnitOfWork(self.engine, self.login_of)

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
        # The harness talks to the driver's connection directly, so that tests counting
        # the statements a use case sends (before_cursor_execute) count only the service's.
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if self.current_actor is not None:
            cursor.execute("RESET ROLE")
        self.current_actor = actor
        login_name = self.login_of(actor.username)
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles r JOIN pg_roles g"
            " ON g.rolname = crmsec.group_name(%(code)s)"
            " WHERE r.rolname = %(login)s AND pg_has_role(r.oid, g.oid, 'MEMBER'))",
            {"login": login_name, "code": actor.role_code})
        row = cursor.fetchone()
        if not (row and row[0]):
            # A user a test made without make_user (a service, demo data), or whose role
            # a test changed: bring the login in step as `db security` would, still with
            # the owner's rights.
            cursor.execute("SELECT crmsec.save_principal(%(name)s, NULL)",
                           {"name": actor.username})
        login = login_name.replace('"', '""')
        cursor.execute(f'SET ROLE "{login}"')


#: What a use case raises when it refuses a record outside the person's data scope. The
#: service says PermissionDenied when it can see the record and the rule refuses it; on a
#: secured server the database hides such a row from the person's login, so the service
#: finds nothing and says NotFound ("does not exist or you may not see it"). Either refuses.
REFUSED: tuple[type[Exception], ...] = (
    (PermissionDenied, NotFound) if enabled() else (PermissionDenied,))
