"""Getting a database ready to use: connect, migrate, reference data, demo data on first launch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from app import schema
from app.db import check_connection, make_engine
from app.models import Customer
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork
from app.settings import Settings, is_default_embedded

# The embedded default database is filled with this much demo data on first launch:
# enough to try every screen, small enough to be ready in seconds.
FIRST_LAUNCH_CUSTOMERS = 300
FIRST_LAUNCH_SEED = 2026

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PreparedDatabase:
    engine: Engine
    migrated: bool
    demo_created: bool


def prepare_database(settings: Settings, *, progress: Progress | None = None
                     ) -> PreparedDatabase:
    """Connect and make the schema current.

    Raises ``DatabaseUnavailable`` with a message for people when the server cannot be
    used. Only the embedded default database is migrated and filled with demo data
    automatically; a shared server is upgraded by its administrator with
    ``stationcrm db upgrade`` (one station must not change the schema under the others).
    """
    report = progress or (lambda stage, done, total: None)
    engine = make_engine(settings.db_url)
    report("connect", 0, 1)
    check_connection(engine)
    embedded = is_default_embedded(settings)
    migrated = False
    if embedded:
        report("migrate", 0, 1)
        migrated = schema.ensure_schema(engine)
    else:
        _require_current_schema(engine)
    demo_created = False
    if embedded:
        ensure_reference_data(UnitOfWork.for_engine(engine))
        if _customer_count(engine) == 0:
            from app.demo import generate_demo_data

            generate_demo_data(engine, customers=FIRST_LAUNCH_CUSTOMERS,
                               seed=FIRST_LAUNCH_SEED, progress=report)
            demo_created = True
    return PreparedDatabase(engine=engine, migrated=migrated, demo_created=demo_created)


class SchemaNotCurrent(schema.SchemaError):
    """The server's schema is older than this program: the administrator must upgrade it."""


def _require_current_schema(engine: Engine) -> None:
    current = schema.current_revision(engine)
    if current != schema.head_revision():
        raise SchemaNotCurrent(
            f"the database schema is at revision {current or '(empty)'} but this program "
            f"needs {schema.head_revision()}; ask the administrator to run "
            "'stationcrm db upgrade'"
        )


def _customer_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())
