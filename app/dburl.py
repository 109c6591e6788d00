"""Database URLs as text, without SQLAlchemy: every password masked, or taken out.

The login window shows its server before the database layer is loaded, and the settings
write station.toml without it, so these read the URL's text themselves instead of through
SQLAlchemy's ``make_url`` (app.db re-exports them). The text is read as SQLAlchemy reads it
— ``scheme://user:password@host:port/database?key=value&…`` — with one difference that
only ever hides more: a password runs to the *last* ``@`` before the query, so one with an
``@`` typed unencoded (which SQLAlchemy would cut short, showing the rest as the host) is
hidden whole. Everything else of the address is left as it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import quote_plus, unquote_plus

if TYPE_CHECKING:
    from sqlalchemy import URL

DEFAULT_MSSQL_DRIVER: Final = "ODBC Driver 18 for SQL Server"
MASK: Final = "***"

# PWD=… / Password=… in an ODBC connection string: a value in braces may hold ';' ('}}' is
# a '}' inside), one without runs to the next ';'.
ODBC_SECRET: Final = re.compile(r"(?i)\b(pwd|password)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)")
# The whole "PWD=…;" field, to take out of a connection string.
_ODBC_SECRET_FIELD: Final = re.compile(ODBC_SECRET.pattern + r";?")
# Query keys whose value is a password (psycopg's password=, pyodbc's PWD=).
_SECRET_KEYS: Final = frozenset({"pwd", "password"})
_ODBC_CONNECT: Final = "odbc_connect"
# SQLAlchemy's scheme: dialect[+driver].
_SCHEME: Final = re.compile(r"\s*[\w+]+://")


@dataclass(frozen=True)
class _Parts:
    """A URL's text cut where a password can be: ``head`` + ``:password@`` or
    ``middle`` (host, port, database) + ``?query``; nothing is decoded."""

    head: str  # scheme://user (without the ':' before a password)
    password: str | None  # None: the address part holds no password
    middle: str  # @host:port/database, or host:port/database without a user
    query: str | None  # after the '?'; None: no '?'


def _split(url: str) -> _Parts | None:
    """The parts of ``url``; None when it is not ``scheme://…`` at all."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None
    # The user name runs to the first ':' or '/' (as SQLAlchemy reads it); a ':' there
    # starts a password only if an '@' ends it.
    user_end = scheme.end()
    while user_end < len(url) and url[user_end] not in ":/":
        user_end += 1
    head, password, after = url[:user_end], None, user_end
    first_at = url.find("@", user_end) if url.startswith(":", user_end) else -1
    if first_at >= 0:
        query_mark = url.find("?", first_at)
        at = url.rfind("@", first_at, len(url) if query_mark < 0 else query_mark)
        password, after = url[user_end + 1:at], at
    query_mark = url.find("?", after)
    if query_mark < 0:
        return _Parts(head, password, url[after:], None)
    return _Parts(head, password, url[after:query_mark], url[query_mark + 1:])


def _mask_odbc(connect_string: str) -> str:
    return ODBC_SECRET.sub(lambda match: f"{match.group(1)}={MASK}", connect_string)


def _encoded(value: str) -> str:
    # Written the way SQLAlchemy writes a query value (the mask stays readable).
    return quote_plus(value, safe="*")


def _mask_query_item(item: str) -> str:
    key, equals, value = item.partition("=")
    name = unquote_plus(key).strip().lower()
    if equals and name in _SECRET_KEYS:
        return f"{key}={MASK}"
    if equals and name == _ODBC_CONNECT:
        decoded = unquote_plus(value)
        masked = _mask_odbc(decoded)
        return item if masked == decoded else f"{key}={_encoded(masked)}"
    return item


def redact_url(url: str | URL) -> str:
    """The URL as text with every password replaced by ***; safe for messages and logs.

    The password after the user name, a ``password=``/``PWD=`` query value and the
    ``PWD=`` of an ``odbc_connect`` connection string are masked; text that is no URL at
    all (a bare ODBC connection string) has its ``PWD=`` masked.
    """
    text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    parts = _split(text)
    if parts is None:
        return _mask_odbc(text)
    # A connection string typed where the address goes is masked there too.
    shown = _mask_odbc(parts.head)
    if parts.password is not None:
        shown += f":{MASK}"
    shown += _mask_odbc(parts.middle)
    if parts.query is not None:
        shown += "?" + "&".join(_mask_query_item(item) for item in parts.query.split("&"))
    return shown


def without_password(url: str) -> str:
    """The URL with every password taken out (``redact_url`` masks them; this drops them).

    The station file never holds one: a station on a server logs in with the person's own
    database login, and an older set-up with a shared database user gives its password
    through STATIONCRM_DB_URL or --db instead. A URL without a password is returned as it
    is; otherwise only the passwords go (``user:secret@host`` becomes ``user@host``).
    """
    parts = _split(url)
    if parts is None:
        return url
    kept: list[str] = []
    changed = parts.password is not None
    for item in parts.query.split("&") if parts.query is not None else []:
        key, equals, value = item.partition("=")
        name = unquote_plus(key).strip().lower()
        if equals and name in _SECRET_KEYS:
            changed = True
            continue
        if equals and name == _ODBC_CONNECT and ODBC_SECRET.search(unquote_plus(value)):
            changed = True
            kept.append(f"{key}={_encoded(_ODBC_SECRET_FIELD.sub('', unquote_plus(value)))}")
            continue
        kept.append(item)
    if not changed:
        return url
    return parts.head + parts.middle + ("?" + "&".join(kept) if kept else "")


__all__ = ["DEFAULT_MSSQL_DRIVER", "MASK", "ODBC_SECRET", "redact_url", "without_password"]
