"""Audit entries (操作日志), written in the same transaction as the change they describe."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, inspect

from app.models import AuditEntry, Base, utcnow
from app.models.enums import AuditAction
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

# Never copied into the log, whatever the entity.
SECRET_FIELDS = frozenset({"password_hash"})
BOOKKEEPING_FIELDS = frozenset({"version", "created_at", "updated_at", "created_by_id",
                                "updated_by_id"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The column values of ``obj`` as JSON-ready data (for before/after comparison)."""
    mapper = inspect(type(obj))
    names = fields if fields is not None else [c.key for c in mapper.column_attrs]
    return {
        name: _plain(getattr(obj, name))
        for name in names
        if name not in SECRET_FIELDS and name not in BOOKKEEPING_FIELDS
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field whose value changed."""
    keys = dict.fromkeys([*before, *after])
    return {
        k: [before.get(k), after.get(k)]
        for k in keys
        if before.get(k) != after.get(k)
    }


def record(
    uow: UnitOfWork,
    actor: Actor | None,
    action: AuditAction,
    entity: str,
    entity_id: int | None,
    summary: str,
    changes: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Add one audit entry to the current transaction.

    A plain INSERT without RETURNING: on a secured server a station principal may add audit
    rows but not read them back (app.security), and nothing here needs the new row's id.
    """
    uow.session.execute(insert(AuditEntry).values(
        at=at or utcnow(),
        user_id=actor.user_id if actor else None,
        station=(actor.station if actor else None) or uow.station,
        action=action.value,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:200],
        changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
    ))
