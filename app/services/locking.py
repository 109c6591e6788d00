"""Optimistic locking for edited records: compare the version the user loaded, name who saved."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select

from app.i18n import tr
from app.models import User
from app.services.errors import ConflictError
from app.services.uow import UnitOfWork


class Versioned(Protocol):
    """A row with the ``Tracked`` columns."""

    id: int
    version: int
    updated_at: dt.datetime
    updated_by_id: int | None


def check_version(uow: UnitOfWork, row: Versioned, expected_version: int, *, entity: str,
                  label: str) -> None:
    """Raise :class:`ConflictError` naming who saved ``row`` since the user loaded it.

    Args:
        entity: the record kind for code (``"visit"``); ``label`` is the text people read.
    """
    if row.version == expected_version:
        return
    who = None
    if row.updated_by_id is not None:
        who = uow.session.execute(
            select(User.display_name).where(User.id == row.updated_by_id)
        ).scalar_one_or_none()
    when = row.updated_at
    raise ConflictError(
        tr("{entity} was changed by {user} at {when} after you opened it.",
           entity=label, user=who or "?",
           when=when.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        entity=entity, entity_id=row.id, changed_by=who, changed_at=when,
        current_version=row.version,
    )


__all__ = ["Versioned", "check_version"]
