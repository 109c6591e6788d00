"""Reading the audit log (操作日志): filtered, paged, with each change as before/after rows.

Read-only by design: this module (and the program as a whole) offers no way to change or
delete an audit entry; entries are only ever added, by :func:`app.services.audit.record`, in
the transaction of the change they describe.

Who may read it: the ``administration`` module's ``view`` permission (by default the
administrator). Management reads business history on each record's own timeline instead;
the full log shows every user's logins and every role change, which is an administrator's
business.

Protected fields stay protected here too: a field the reader's role hides in a module
(e.g. ``products.cost_price``) is shown as "***" in the before/after rows of that module's
entities.

Summaries are shown in the reader's language, rendered from the entry's template and values
(:func:`app.services.audit.render_summary`); older entries show the text they were written
with. Sorting by summary still orders by that stored text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.i18n import tr
from app.models import AuditEntry, User
from app.models.enums import AuditAction, Module, Operation
from app.services.audit import render_summary
from app.services.errors import ValidationError
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import Actor, hidden_fields, require
from app.services.uow import UnitOfWork

MASK = "***"

# The entity names written to the log, and the module whose protected fields they carry.
ENTITY_MODULES: Mapping[str, Module] = {
    "customer": Module.CUSTOMERS,
    "product": Module.PRODUCTS,
    "order": Module.ORDERS,
    "quotation": Module.QUOTATIONS,
    "service_ticket": Module.SERVICE_TICKETS,
    "repair_record": Module.SERVICE_TICKETS,
}


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    entity: str | None = None
    entity_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    action: AuditAction | None = None


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    user_id: int | None
    user_name: str | None
    station: str | None
    action: AuditAction
    entity: str
    entity_id: int | None
    summary: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    # Pass back as ``before`` for the next (older) page; None at the end. Only in the
    # newest-first order; ``next_after`` serves every order.
    next_before: tuple[dt.datetime, int] | None
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every entry matching the filters (with ``with_total``).
    total: int | None = None


# The audit list's columns, as sort keys for :func:`list_audit`.
AUDIT_SORT_KEYS: tuple[str, ...] = ("time", "user", "station", "action", "kind", "record",
                                    "summary")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def decode_changes(raw: str | None, masked: frozenset[str] = frozenset()
                   ) -> tuple[FieldChange, ...]:
    """The stored JSON as (field, before, after) rows.

    ``{field: [before, after]}`` gives one row per field; ``{"after": {...}}`` (a created
    record) and ``{"before": {...}}`` (a deleted one) one row per field of the snapshot;
    anything else one row per key with the value as "after".
    """
    if not raw:
        return ()
    try:
        data = json.loads(raw)
    except ValueError:
        return (FieldChange("", None, raw),)
    if not isinstance(data, dict):
        return (FieldChange("", None, _text(data)),)
    rows: list[FieldChange] = []

    def add(name: str, before: Any, after: Any) -> None:
        if name in masked:
            rows.append(FieldChange(name, None if before is None else MASK,
                                    None if after is None else MASK))
        else:
            rows.append(FieldChange(name, _text(before), _text(after)))

    for key, value in data.items():
        if key in ("after", "before") and isinstance(value, dict) and len(data) <= 2:
            for name, v in value.items():
                if key == "after":
                    add(name, None, v)
                else:
                    add(name, v, None)
        elif isinstance(value, list) and len(value) == 2:
            add(key, value[0], value[1])
        else:
            add(key, None, value)
    return tuple(rows)


def list_audit(*, uow: UnitOfWork, actor: Actor, filters: AuditFilters = AuditFilters(),
               before: tuple[dt.datetime, int] | None = None, limit: int = 100,
               after: Cursor | None = None, sort: Sort | None = None,
               with_total: bool = False) -> AuditPage:
    """One page of audit entries, newest first (keyset paging on (at, id)) unless ``sort``
    names one of :data:`AUDIT_SORT_KEYS`; ``with_total`` also counts every match.

    ``before`` is the newest-first order's cursor of old, the same as ``after`` there.
    """
    limit = max(1, min(limit, 500))
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        if (filters.date_from is not None and filters.date_to is not None
                and filters.date_to < filters.date_from):
            raise ValidationError({"date_to": tr("must not be before the start date")})
        conditions: list[Any] = []
        if filters.user_id is not None:
            conditions.append(AuditEntry.user_id == filters.user_id)
        if filters.entity:
            conditions.append(AuditEntry.entity == filters.entity)
        if filters.entity_id is not None:
            conditions.append(AuditEntry.entity_id == filters.entity_id)
        if filters.action is not None:
            conditions.append(AuditEntry.action == filters.action)
        if filters.date_from is not None:
            conditions.append(AuditEntry.at >= _local_midnight(filters.date_from))
        if filters.date_to is not None:
            conditions.append(AuditEntry.at < _local_midnight(
                filters.date_to + dt.timedelta(days=1)))
        base = (
            select(AuditEntry.id, AuditEntry.at, AuditEntry.user_id, User.display_name,
                   AuditEntry.station, AuditEntry.action, AuditEntry.entity,
                   AuditEntry.entity_id, AuditEntry.summary, AuditEntry.summary_data,
                   AuditEntry.changes)
            .outerjoin(User, User.id == AuditEntry.user_id)
            .where(*conditions)
        )
        newest_first = sort is None
        if after is None and newest_first:
            after = before
        stmt = ordered_page(base, columns=_SORT_COLUMNS,
                            sort=sort or Sort("time", descending=True), id_column=AuditEntry.id,
                            after=after, limit=limit,
                            not_null=("time", "action", "kind", "summary"))
        found = uow.session.execute(stmt).all()
        masks: dict[str, frozenset[str]] = {}
        rows: list[AuditRow] = []
        for r in found[:limit]:
            module = ENTITY_MODULES.get(r.entity)
            if module is not None and r.entity not in masks:
                masks[r.entity] = _masked(uow, actor, module)
            rows.append(AuditRow(
                id=r.id, at=r.at, user_id=r.user_id, user_name=r.display_name,
                station=r.station, action=r.action, entity=r.entity, entity_id=r.entity_id,
                summary=render_summary(r.summary, r.summary_data),
                changes=decode_changes(r.changes, masks.get(r.entity, frozenset()))))
        cursor = next_after(found, limit)
        return AuditPage(rows=tuple(rows), next_before=cursor if newest_first else None,
                         next_after=cursor,
                         total=count_rows(uow.session, base) if with_total else None)


# What each column sorts by: the log shows every field to whoever may read it. The
# action by its place in AuditAction, the kind by its stored code.
_SORT_COLUMNS: dict[str, SortExpr] = {
    "time": AuditEntry.at,
    "user": User.display_name,
    "station": AuditEntry.station,
    "action": ranked(AuditEntry.action, list(AuditAction)),
    "kind": AuditEntry.entity,
    "record": AuditEntry.entity_id,
    "summary": AuditEntry.summary,
}


def _masked(uow: UnitOfWork, actor: Actor, module: Module) -> frozenset[str]:
    names = set(hidden_fields(uow, actor, module))
    # The order line's cost follows the order's rules (line_cost goes with unit_cost).
    if "unit_cost" in names:
        names |= {"line_cost", "total_cost"}
    return frozenset(names)


def audited_entities(*, uow: UnitOfWork, actor: Actor) -> tuple[str, ...]:
    """The entity names present in the log, for the viewer's filter."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.VIEW)
        return tuple(uow.session.scalars(
            select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in this PC's time zone, as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC)


__all__ = [
    "AUDIT_SORT_KEYS",
    "AuditFilters",
    "AuditPage",
    "AuditRow",
    "FieldChange",
    "audited_entities",
    "decode_changes",
    "list_audit",
]
