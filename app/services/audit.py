"""Audit entries (操作日志), written in the same transaction as the change they describe.

An entry stores its action as a code and, where its summary has words in it, the summary as
an English template with its values (:class:`Summary`): the reader's program renders it in
the reader's language (:func:`render_summary`). The ``summary`` column keeps the text as the
writer's language put it, for SQL tools and for rows older than the template.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import inspect

from app import labels
from app.i18n import tr, translate
from app.models import AuditEntry, Base, utcnow
from app.models.enums import AuditAction
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

# Never copied into the log, whatever the entity.
SECRET_FIELDS = frozenset({"password_hash"})
BOOKKEEPING_FIELDS = frozenset({"version", "created_at", "updated_at", "created_by_id",
                                "updated_by_id"})


@dataclass(frozen=True)
class Words:
    """English text inside a summary that is itself translated when read ("Orders")."""

    text: str


@dataclass(frozen=True)
class Code:
    """A code of a plain-string label family inside a summary (a job type, a record kind)."""

    family: str
    code: str


@dataclass(frozen=True)
class Summary:
    """An audit summary as an English template (the catalog key) and its values.

    A value that is an enum member, a :class:`Code` or :class:`Words` is stored as what it
    is and put into words when read, in the reader's language; anything else is stored as
    text or a number, as it is.
    """

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def data(self) -> str:
        """The JSON kept in ``audit_log.summary_data``."""
        return json.dumps({"text": self.text,
                           "values": {k: _stored(v) for k, v in self.values.items()}},
                          ensure_ascii=False)


def say(text: str, /, **values: Any) -> Summary:
    """``say("{user} logged in", user="li")``: a summary rendered in the reader's language."""
    return Summary(text, values)


def named(entity: str, ref: object) -> Summary:
    """A record kind in words and its number or name: "Order XS-0001" / "订单 XS-0001"."""
    return say("{what} {ref}", what=Code(labels.RECORD_KIND, entity), ref=ref)


def _stored(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return {"family": labels.context_of(type(value)), "code": value.value}
    if isinstance(value, Code):
        return {"family": value.family, "code": value.code}
    if isinstance(value, Words):
        return {"words": value.text}
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        if "family" in value:
            return labels.family_label(str(value["family"]), str(value.get("code") or ""))
        if "words" in value:
            return tr(str(value["words"]))
    return "" if value is None else value


def render_summary(summary: str, data: str | None) -> str:
    """An entry's summary in the current language: from its template when it has one.

    Rows without ``summary_data`` (older ones, plain names and numbers) and any template that
    cannot be read (a newer program's, a damaged row) show the stored text.
    """
    if not data:
        return summary
    try:
        stored = json.loads(data)
        values = {str(k): _shown(v) for k, v in dict(stored.get("values") or {}).items()}
        # Formatted even without values, so a placeholder nobody filled counts as unreadable.
        return translate(str(stored["text"])).format(**values)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return summary


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
    names = fields if fields is not None else _columns(type(obj))
    return {name: _plain(getattr(obj, name)) for name in names if _recorded(name)}


def snapshot_values(model: type[Base], values: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`snapshot` gives for a row of ``model`` written from ``values`` (by
    attribute name) without an object: a bulk insert's."""
    return {name: _plain(values.get(name)) for name in _columns(model) if _recorded(name)}


def _columns(model: type[Base]) -> list[str]:
    return [c.key for c in inspect(model).column_attrs]


def _recorded(name: str) -> bool:
    return name not in SECRET_FIELDS and name not in BOOKKEEPING_FIELDS


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
    summary: str | Summary,
    changes: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Add one audit entry to the current transaction.

    ``summary`` is a :class:`Summary` (made by :func:`say`) whenever it has words in it; a
    plain string is stored as it is, so give one only for language-free text such as a
    record's number and name.

    Inserted at the commit (``uow.insert_at_commit``), with the transaction's other
    entries in one INSERT, on PostgreSQL in the same round trip as the COMMIT: nothing in
    the transaction reads an entry back (on a secured server a station principal may add
    audit rows but not read them, app.security), and the database still sees them in the
    transaction, before its COMMIT (the stamp trigger's transaction id, the outside-change
    check at COMMIT). No id is sent: the column's own default gives it on the server.
    """
    if isinstance(summary, Summary):
        data = summary.data()
        # Rendered as a reader will (a template that does not fit its values fails here).
        text = translate(summary.text).format(
            **{k: _shown(_stored(v)) for k, v in summary.values.items()})
    else:
        text, data = summary, None
    uow.insert_at_commit(AuditEntry, {
        "at": at or utcnow(),
        "user_id": actor.user_id if actor else None,
        "station": (actor.station if actor else None) or uow.station,
        "action": action.value,
        "entity": entity,
        "entity_id": entity_id,
        "summary": text[:200],
        "summary_data": data,
        "changes": json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
    })
