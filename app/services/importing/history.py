"""Past imports (导入记录): the list of imports, what their last undo kept and why, and
closing an import whose station stopped before it could say how it ended.

An import writes its batch as "running" first and its outcome last (``close_batch``): a
station that loses the database mid-import (or the answer to its last COMMIT) leaves the
batch "running" for good, and undo refuses a running import. Once nothing has been written
for :data:`STALE`, :func:`close_interrupted_import` marks it "interrupted", with what its
items say it wrote, and it can be undone like any other.

A person sees the imports they made; a role that may view administration sees all — the
row rule of ``import_batches`` in :mod:`app.security.catalog`, applied here as a filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import User, utcnow
from app.models.enums import AuditAction, Module, Operation
from app.models.imports import ImportBatch, ImportItem
from app.services import audit
from app.services.errors import NotFound, ValidationError
from app.services.importing.customers import _ENTITIES, _check_importer, record_label
from app.services.locking import check_version
from app.services.permissions import Actor, grants_for
from app.services.uow import UnitOfWork

# An import that has written nothing for this long is taken to have stopped: its chunks
# take seconds each, a station waiting on the network gives up well before.
STALE: Final = dt.timedelta(minutes=10)
RUNNING, INTERRUPTED = "running", "interrupted"
# What undo accepts (app.services.importing.customers.undo_import refuses the others).
UNDOABLE: Final = frozenset({"done", "cancelled", INTERRUPTED, "partly_undone"})
# The record each kind of import counts as created or updated (its other items, the
# contacts and addresses of a customer or a machine's contract link, come with them).
COUNTED: Final = {"customers": "customer", "devices": "device", "products": "product",
                  "receivables": "order"}


def status_label(status: str) -> str:
    """An import's status in words (运行中, 已完成 …)."""
    return {"running": tr("Running"), "done": tr("Done"), "cancelled": tr("Cancelled"),
            "undone": tr("Undone"), "partly_undone": tr("Partly undone"),
            "interrupted": tr("Interrupted")}.get(status, status)


def kind_label(kind: str) -> str:
    """What an import brought in, in words (客户, 设备 …)."""
    return {"customers": tr("Customers"), "devices": tr("Devices"),
            "products": tr("Products"), "receivables": tr("Opening receivables")
            }.get(kind, kind)


def entity_label(entity: str) -> str:
    """The kind of record an import item names, in words."""
    return {"customer": tr("Customer"), "contact": tr("Contact"), "address": tr("Address"),
            "device": tr("Device"), "product": tr("Product"), "order": tr("Opening balance"),
            "contract_device": tr("Machine under contract")}.get(entity, entity)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """One import as the list shows it. ``started_at`` is when its batch was opened;
    ``kept`` counts the records its last undo left in place; ``version`` is the batch's,
    for :func:`close_interrupted_import`."""

    id: int
    kind: str
    file_name: str
    status: str
    started_at: dt.datetime
    by: str
    rows_read: int
    created: int
    updated: int
    skipped: int
    refused: int
    kept: int
    can_undo: bool
    can_close: bool
    version: int


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """A record the last undo of an import kept: its kind (``entity`` and in words), id,
    how it reads now (empty when it is gone since), why it was kept and its sheet row."""

    entity: str
    what: str
    record_id: int
    label: str
    kept_reason: str
    row_number: int


def _visible(uow: UnitOfWork, actor: Actor) -> ColumnElement[bool]:
    """The row rule of ``import_batches``: Mine(created_by_id), or Allowed(administration,
    view) for every batch."""
    if grants_for(uow, actor).allows(Module.ADMINISTRATION, Operation.VIEW):
        return true()
    return ImportBatch.created_by_id == actor.user_id


def list_imports(*, uow: UnitOfWork, actor: Actor, limit: int = 200
                 ) -> tuple[ImportSummary, ...]:
    """The imports the actor may see, newest first (at most ``limit``), in one query.

    Whether a running import may be closed is decided by its last write
    (:func:`_last_written`): a few look-ups for each batch still marked running, which
    is none at all but for an import going on or one that was cut off.
    """
    with uow:
        _check_importer(uow, actor)
        kept = (select(ImportItem.batch_id, func.count().label("kept"))
                .where(ImportItem.kept_reason.is_not(None), ImportItem.undone_at.is_(None))
                .group_by(ImportItem.batch_id).subquery("kept_items"))
        person = aliased(User)
        rows = uow.session.execute(
            select(ImportBatch, person.display_name, func.coalesce(kept.c.kept, 0))
            .outerjoin(person, person.id == ImportBatch.created_by_id)
            .outerjoin(kept, kept.c.batch_id == ImportBatch.id)
            .where(_visible(uow, actor))
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
            .limit(max(1, limit))).all()
        now = utcnow()
        return tuple(_summary(batch, name, int(count),
                              batch.status == RUNNING
                              and now - _last_written(uow, batch) > STALE)
                     for batch, name, count in rows)


def _summary(batch: ImportBatch, by: str | None, kept: int, stale: bool) -> ImportSummary:
    return ImportSummary(
        id=batch.id, kind=batch.kind, file_name=batch.file_name, status=batch.status,
        started_at=batch.created_at, by=by or "?", rows_read=batch.rows_read,
        created=batch.created, updated=batch.updated, skipped=batch.skipped,
        refused=batch.refused, kept=kept,
        can_undo=batch.status in UNDOABLE and bool(batch.created or batch.updated or kept),
        can_close=stale, version=batch.version)


def _load(uow: UnitOfWork, actor: Actor, batch_id: int) -> ImportBatch:
    batch = uow.session.execute(select(ImportBatch).where(
        ImportBatch.id == batch_id, _visible(uow, actor))).scalar_one_or_none()
    if batch is None:
        raise NotFound(tr("There is no such import."))
    return batch


def import_details(*, uow: UnitOfWork, actor: Actor, batch_id: int
                   ) -> tuple[ImportedRecord, ...]:
    """The records the last undo of import ``batch_id`` kept, in sheet order, each with
    why (used or changed since the import): what the person may want to look at."""
    with uow:
        _check_importer(uow, actor)
        _load(uow, actor, batch_id)
        items = uow.session.execute(
            select(ImportItem.entity, ImportItem.record_id, ImportItem.kept_reason,
                   ImportItem.row_number)
            .where(ImportItem.batch_id == batch_id, ImportItem.kept_reason.is_not(None),
                   ImportItem.undone_at.is_(None))
            .order_by(ImportItem.row_number, ImportItem.id)).all()
        labels = _labels(uow, [(entity, record_id) for entity, record_id, _r, _n in items])
        return tuple(ImportedRecord(entity=entity, what=entity_label(entity),
                                    record_id=record_id,
                                    label=labels.get((entity, record_id), ""),
                                    kept_reason=reason or "", row_number=row)
                     for entity, record_id, reason, row in items)


def _labels(uow: UnitOfWork, records: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """How each record reads now (as undo names it), a query per kind of record."""
    by_entity: dict[str, list[int]] = {}
    for entity, record_id in records:
        by_entity.setdefault(entity, []).append(record_id)
    found: dict[tuple[str, int], str] = {}
    for entity, ids in by_entity.items():
        model = _ENTITIES.get(entity)
        if model is None:
            continue
        for start in range(0, len(ids), 500):
            for record in uow.session.execute(select(model).where(
                    model.id.in_(ids[start:start + 500]))).scalars():
                found[(entity, record.id)] = record_label(record)
    return found


def _last_written(uow: UnitOfWork, batch: ImportBatch) -> dt.datetime:
    """When the import last wrote: its batch, or the newest record it noted (created:
    when the record was made; updated: when it was last saved, the import or after)."""
    newest = batch.updated_at
    timed = {entity: model for entity, model in _ENTITIES.items()
             if hasattr(model, "created_at")}
    items = uow.session.execute(
        select(ImportItem.entity, ImportItem.record_id, ImportItem.action)
        .where(ImportItem.batch_id == batch.id, ImportItem.entity.in_(list(timed)))
        .order_by(ImportItem.id.desc()).limit(20)).all()
    for entity, record_id, action in items:
        model: Any = timed[entity]
        column = model.created_at if action == "created" else model.updated_at
        stamp: dt.datetime | None = uow.session.execute(
            select(column).where(model.id == record_id)).scalar_one_or_none()
        if stamp is not None:  # else deleted since: the item before it tells
            return max(newest, stamp)
    return newest


def close_interrupted_import(*, uow: UnitOfWork, actor: Actor, batch_id: int,
                             expected_version: int, now: dt.datetime | None = None
                             ) -> ImportSummary:
    """Mark an import that stopped without saying so "interrupted", with the records its
    items say it created and updated, so that it can be undone.

    Refused (:class:`ValidationError`) unless the batch is still "running" and neither it
    nor its newest record was written within :data:`STALE` of ``now``; a batch changed
    since the person saw it (``expected_version``) is a :class:`ConflictError`.
    """
    with uow:
        _check_importer(uow, actor)
        session = uow.session
        batch = _load(uow, actor, batch_id)
        check_version(uow, batch, expected_version, entity="import_batch",
                      label=batch.file_name)
        if batch.status != RUNNING:
            message = tr("Only an import still marked as running can be marked as "
                         "interrupted; this one is {status}.",
                         status=status_label(batch.status))
            raise ValidationError({"batch": message}, message)
        last = _last_written(uow, batch)
        if (now or utcnow()) - last <= STALE:
            message = tr("This import last wrote at {time} and may still be running on its "
                         "station: it can be marked as interrupted once nothing has been "
                         "written for {minutes} minutes.",
                         time=last.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                         minutes=int(STALE.total_seconds() // 60))
            raise ValidationError({"batch": message}, message)
        counted = select(ImportItem.action, func.count()).where(
            ImportItem.batch_id == batch_id).group_by(ImportItem.action)
        entity = COUNTED.get(batch.kind)
        if entity is not None:
            counted = counted.where(ImportItem.entity == entity)
        counts = {action: int(n) for action, n in session.execute(counted).all()}
        batch.status = INTERRUPTED
        batch.created = counts.get("created", 0)
        batch.updated = counts.get("updated", 0)
        batch.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.IMPORT, "import_batch", batch_id, audit.say(
            "marked the import of {file} as interrupted: {created} created, {updated} updated",
            file=batch.file_name, created=batch.created, updated=batch.updated))
        by = session.execute(select(User.display_name).where(
            User.id == batch.created_by_id)).scalar_one_or_none()
        kept = session.execute(select(func.count()).select_from(ImportItem).where(
            ImportItem.batch_id == batch_id, ImportItem.kept_reason.is_not(None),
            ImportItem.undone_at.is_(None))).scalar_one()
        summary = _summary(batch, by, int(kept), False)
        uow.commit()
        return summary


__all__ = ["STALE", "ImportSummary", "ImportedRecord", "close_interrupted_import",
           "entity_label", "import_details", "kind_label", "list_imports", "status_label"]
