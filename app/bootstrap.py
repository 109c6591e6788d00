"""Getting a database ready to use: schema current, reference data, demo data on first launch."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, select

from app import schema
from app.i18n import tr
from app.models import Customer
from app.services.errors import ServiceError
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork

# The embedded default database is filled with this much demo data on first launch:
# enough to try every screen, small enough to be ready in seconds.
FIRST_LAUNCH_CUSTOMERS = 300
FIRST_LAUNCH_SEED = 2026

Progress = Callable[[str, int, int], None]


class SchemaNotCurrent(ServiceError):
    """The server's schema is not the one this program needs; its administrator upgrades it."""


def prepare_schema(engine: Engine, *, embedded: bool, progress: Progress | None = None
                   ) -> bool:
    """Make the database usable by this program; returns True if demo data was created.

    The embedded database (one PC) is migrated automatically and, when it has no
    customers yet, filled with demo data. A shared server is never migrated by whichever
    station starts first: if its schema is behind, the message says who must act.
    """
    if not embedded:
        require_current_schema(engine)
        return False
    schema.ensure_schema(engine)
    ensure_reference_data(UnitOfWork.for_engine(engine))
    if _customer_count(engine):
        return False
    from app.demo import generate_demo_data

    generate_demo_data(engine, customers=FIRST_LAUNCH_CUSTOMERS, seed=FIRST_LAUNCH_SEED,
                       progress=progress)
    return True


def require_current_schema(engine: Engine) -> None:
    current = schema.current_revision(engine)
    head = schema.head_revision()
    if current == head:
        return
    if current is None:
        message = tr("The database has no StationCRM tables yet. Ask the administrator to "
                     "run 'stationcrm db upgrade' on it.")
    else:
        message = tr("The database was made for another version of StationCRM (schema "
                     "{current}, this program needs {head}). Ask the administrator to run "
                     "'stationcrm db upgrade', or install the matching program version.",
                     current=current, head=head)
    raise SchemaNotCurrent(message)


def _customer_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())
