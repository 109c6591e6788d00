"""Database URLs as text (app.dburl): passwords masked for display, taken out for station.toml.

The texts are read without SQLAlchemy (the login shows its server before SQLAlchemy is
loaded), so where SQLAlchemy can read a URL its reading is the check: the masked or
stripped URL must name the same server, user and database, and hold no password.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
from sqlalchemy import make_url

from app import db, db_errors, dburl
from app.dburl import redact_url, without_password

SECRET = "s3cr€t-Pw"  # what no output may contain, in any spelling


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://crm:s3cret@10.0.0.5/crm", "postgresql://crm:***@10.0.0.5/crm"),
    ("postgresql+psycopg://crm:p%40ss@db:5432/crm", "postgresql+psycopg://crm:***@db:5432/crm"),
    # Typed unencoded: SQLAlchemy would end the password at the first '@' and show "ss@db"
    # as the host; all of it is hidden here.
    ("postgresql://crm:p@ss@db/crm", "postgresql://crm:***@db/crm"),
    ("postgresql://crm:pa/ss?w@db/crm?sslmode=require",
     "postgresql://crm:***@db/crm?sslmode=require"),
    ("postgresql://crm:pw@db/crm?application_name=till@front",
     "postgresql://crm:***@db/crm?application_name=till@front"),
    ("postgresql://crm:@db/crm", "postgresql://crm:***@db/crm"),
    ("postgresql://crm:pw@[fe80::1]:5432/crm", "postgresql://crm:***@[fe80::1]:5432/crm"),
    ("postgresql://db/crm?user=crm&password=s3cret", "postgresql://db/crm?user=crm&password=***"),
    ("mssql+pyodbc://sa@h/crm?PWD=s3cret&driver=FreeTDS",
     "mssql+pyodbc://sa@h/crm?PWD=***&driver=FreeTDS"),
    ("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BSERVER%3Dh%3BPWD%3Ds3cret%3BUID%3Dsa",
     "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BSERVER%3Dh%3BPWD%3D***%3BUID%3Dsa"),
    # A braced value may hold ';' (and '}}' for '}').
    ("mssql+pyodbc:///?odbc_connect=SERVER%3Dh%3BPassword%3D%7Bs3%3Bc%7D%7Dret%7D%3BUID%3Dsa",
     "mssql+pyodbc:///?odbc_connect=SERVER%3Dh%3BPassword%3D***%3BUID%3Dsa"),
    # Not percent-encoded, as people paste it: masked, and written encoded like SQLAlchemy.
    ("mssql+pyodbc:///?odbc_connect=DRIVER={X};SERVER=h;Pwd=s3cret",
     "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BSERVER%3Dh%3BPwd%3D***"),
    ("mssql+pyodbc://sa:s3cret@h:notaport/crm", "mssql+pyodbc://sa:***@h:notaport/crm"),
    # A connection string typed where the address goes.
    ("mssql+pyodbc://DRIVER={X};SERVER=h;PWD=s3cret", "mssql+pyodbc://DRIVER={X};SERVER=h;PWD=***"),
    # No URL at all: a bare ODBC connection string.
    ("DRIVER={X};SERVER=h;PWD=s3cret;UID=sa", "DRIVER={X};SERVER=h;PWD=***;UID=sa"),
])
def test_every_password_is_masked_and_the_rest_shown_as_written(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize("url", [
    # A port is no password, nor is an '@' or ':' in a file's path.
    "mssql+pyodbc://h:1433/crm?driver=ODBC+Driver+18+for+SQL+Server",
    "postgresql://db/crm",
    "postgresql://crm@db/crm?sslmode=require",
    "mssql+pyodbc://sa@mydsn",
    "mssql+pyodbc://10.0.0.5:1433/crm?Trusted_Connection=yes",
    "sqlite:////home/me:x@y/station.sqlite3",
    "sqlite:///C:\\Users\\李雷\\AppData\\Local\\StationCRM\\stationcrm.sqlite3",
    "sqlite:///:memory:",
    "sqlite://",
    "",
])
def test_an_address_without_a_password_is_shown_unchanged(url: str) -> None:
    assert redact_url(url) == url
    assert without_password(url) == url


def test_a_sqlalchemy_url_is_masked_too() -> None:
    url = make_url(f"mssql+pyodbc://sa:{SECRET}@h/crm").update_query_dict(
        {"odbc_connect": f"SERVER=h;PWD={SECRET}", "driver": "FreeTDS"})
    shown = redact_url(url)
    assert SECRET not in shown and "s3cr" not in shown
    assert shown.startswith("mssql+pyodbc://sa:***@h/crm?")
    assert make_url(shown).query["odbc_connect"] == "SERVER=h;PWD=***"
    assert make_url(shown).query["driver"] == "FreeTDS"


def _read(url: str) -> tuple[object, ...]:
    """What SQLAlchemy reads from ``url``, less every password."""
    parsed = make_url(url)
    query: dict[str, object] = {}
    for key, value in parsed.query.items():
        if key.lower() in ("pwd", "password"):
            continue
        query[key] = value if key != "odbc_connect" else ";".join(
            field for field in str(value).split(";")
            if field and not field.lower().startswith("pwd="))
    return (parsed.drivername, parsed.username, parsed.host, parsed.port, parsed.database,
            query)


@pytest.mark.parametrize("url", [
    f"postgresql://crm:{SECRET}@10.0.0.5:5433/crm?sslmode=require",
    f"postgresql://crm:{quote(SECRET + '@/:?', safe='')}@db/crm",
    f"postgresql://db/crm?user=crm&password={SECRET}&application_name=till",
    f"mssql+pyodbc://sa:{SECRET}@h\\SQLEXPRESS/crm?driver=ODBC+Driver+18+for+SQL+Server",
    f"mssql+pyodbc://sa@h/crm?PWD={SECRET}&TrustServerCertificate=yes",
    "mssql+pyodbc:///?odbc_connect="
    + quote_plus(f"DRIVER={{X}};SERVER=h,1433;PWD={SECRET};UID=sa"),
])
def test_sqlalchemy_reads_the_same_address_from_it_without_the_password(url: str) -> None:
    for changed in (redact_url(url), without_password(url)):
        assert _read(changed) == _read(url)
        assert make_url(changed).password in (None, "***")
        assert SECRET not in unquote_plus(changed) and quote(SECRET) not in changed


@pytest.mark.parametrize(("url", "kept"), [
    # The cases station.toml has always been written with (tests/test_settings.py) ...
    ("mssql+pyodbc://sa:p%40ss@10.0.0.5:1433/crm", "mssql+pyodbc://sa@10.0.0.5:1433/crm"),
    ("mssql+pyodbc://server/crm?UID=sa&PWD=secret&driver=FreeTDS",
     "mssql+pyodbc://server/crm?UID=sa&driver=FreeTDS"),
    ("mssql+pyodbc:///?odbc_connect=DRIVER%3DFreeTDS%3BSERVER%3Dsrv%3BUID%3Dsa%3BPWD%3Dsecret%3B",
     "mssql+pyodbc:///?odbc_connect=DRIVER%3DFreeTDS%3BSERVER%3Dsrv%3BUID%3Dsa%3B"),
    # ... and what SQLAlchemy could not read (the port) or would have cut short (the '@').
    ("mssql+pyodbc://sa:secret@h:notaport/crm", "mssql+pyodbc://sa@h:notaport/crm"),
    ("postgresql://crm:p@ss@db/crm?sslmode=require", "postgresql://crm@db/crm?sslmode=require"),
    ("postgresql://crm:@db/crm", "postgresql://crm@db/crm"),
    ("postgresql://db/crm?password=secret", "postgresql://db/crm"),
    ("mssql+pyodbc:///?odbc_connect=SERVER%3Dh%3BPWD%3D%7Bse%3Bcret%7D%3BUID%3Dsa",
     "mssql+pyodbc:///?odbc_connect=SERVER%3Dh%3BUID%3Dsa"),
])
def test_the_station_file_gets_the_address_without_any_password(url: str, kept: str) -> None:
    assert without_password(url) == kept


def test_app_db_names_the_same_functions_and_error() -> None:
    assert db.redact_url is dburl.redact_url
    assert db.without_password is dburl.without_password
    assert db.DatabaseUnavailable is db_errors.DatabaseUnavailable
    assert db.DEFAULT_MSSQL_DRIVER == "ODBC Driver 18 for SQL Server"
    error = db_errors.DatabaseUnavailable(topic="file_locked", server="/x/stationcrm.sqlite3")
    assert error.reason == "locked" and "/x/stationcrm.sqlite3" in error.message_for("zh")


def test_the_light_modules_import_without_sqlalchemy() -> None:
    probe = ("import sys, app.dburl, app.db_errors, app.enums, app.labels, app.settings;"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'"
             " or m.startswith(('app.db.', 'app.models')) or m == 'app.db'))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
