"""Opening the database as a person: one way for the desktop client and the command line.

On a server set up for personal logins (the station's address names no user) the person's
own database login connects, so the server checks the password and everything done after
runs with that person's privileges and row security. On the embedded SQLite file (and an
older server address with a shared user) the program checks the password itself.
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.db import DatabaseUnavailable, check_connection, make_engine, person_url, personal_logins
from app.i18n import tr
from app.services.auth import REFUSED, login, login_principal
from app.services.errors import AuthenticationFailed
from app.services.permissions import Actor
from app.services.uow import UnitOfWork


def engine_as(url: str, username: str, password: str) -> Engine:
    """An engine for ``url`` that connects as the person where the server checks logins.

    Raises:
        AuthenticationFailed: the server refused the person's login.
        DatabaseUnavailable: the server cannot be used for another reason.
    """
    if not personal_logins(url):
        engine = make_engine(url, station=True)
    else:
        engine = make_engine(person_url(url, username, password), station=True)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        engine.dispose()
        if exc.reason == "login_refused" and personal_logins(url):
            raise AuthenticationFailed(tr(REFUSED)) from exc
        raise
    return engine


def log_in(uow: UnitOfWork, url: str, username: str, password: str,
           station: str | None = None) -> Actor:
    """The acting user, on an engine made by :func:`engine_as` for the same person."""
    if personal_logins(url):
        return login_principal(uow=uow, username=username, station=station)
    return login(uow=uow, username=username, password=password, station=station)


def open_as(url: str, username: str, password: str,
            station: str | None = None) -> tuple[Engine, UnitOfWork, Actor]:
    """Connect, check the schema and log in; the caller disposes of the engine.

    Raises:
        SchemaNotCurrent: the database's schema is not this program's (as the client
            refuses it): nothing is read or written with the wrong idea of the tables.
    """
    from app.bootstrap import require_current_schema

    engine = engine_as(url, username, password)
    try:
        require_current_schema(engine)
        uow = UnitOfWork.for_engine(engine)
        return engine, uow, log_in(uow, url, username, password, station)
    except BaseException:
        engine.dispose()
        raise
