"""Merging two cards of one customer (客户合并): everything moves to the card kept, audited.

Management picks the card to keep and, field by field, whose value wins. In one transaction
every record of the absorbed card moves to the kept one — found by walking the schema's
foreign keys to ``customers`` (:func:`references`), so a table added later is moved too —
with the few that need care handled on the way (:data:`HANDLED`), the chosen values are
written to the kept card, the absorbed card is deleted and its number becomes an alias of
the kept card (``customer_aliases``): typed into the customer search it still finds it.

What points at a customer without a foreign key is listed in :data:`UNLINKED` with what the
merge does with it. The tests walk the schema and fail when a reference to a customer, a
contact or a device is in none of these lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, cast

from sqlalchemy import (
    Column,
    CursorResult,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import aliased

from app import labels
from app.i18n import tr
from app.models import Base, Customer, CustomFieldValue, SalesPlan, User, utcnow
from app.models.customers import CustomerAlias
from app.models.enums import (
    AuditAction,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    CustomFieldEntity,
    DataScope,
    Module,
    Operation,
    PlanPeriod,
)
from app.services import audit, custom_fields, feed, search_keys
from app.services.custom_fields import FieldDefinition
from app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services.locking import check_version
from app.services.permissions import Actor, may_change_field, require, scope_params, sees_field
from app.services.uow import UnitOfWork
from app.textkeys import (
    core_initials,
    normalise_name,
    person_sort_key,
    phone_digits,
    pinyin_full,
    pinyin_initials,
    sort_key,
)

KEEP: Final = "keep"
ABSORBED: Final = "absorbed"
_NOTHING: Final[Mapping[str, str]] = MappingProxyType({})

# The fields of the card a merge chooses between, with their labels (translation keys).
FIELD_LABELS: Final[Mapping[str, str]] = {
    "name": "Name",
    "short_name": "Short name",
    "kind": "Type",
    "customer_class": "Class",
    "source": "Source",
    "status": "Status",
    "owner_id": "Owner",
    "phone": "Phone",
    "email": "E-mail",
    "industry": "Industry",
    "tax_number": "Tax number",
    "website": "Website",
    "notes": "Notes",
}
FIELDS: Final = tuple(FIELD_LABELS)
_ENUMS: Final[Mapping[str, type[StrEnum]]] = {
    "kind": CustomerKind, "customer_class": CustomerClass, "source": CustomerSource,
    "status": CustomerStatus}

# --- what points at a customer, and what the merge does with it ------------------------------

# Moved as they are: the customer column set to the kept card. A row with a version
# (``Tracked``) gets a new version, so a station still holding it meets a conflict instead
# of saving the absorbed card back into it.
MOVED: Final = frozenset({
    "devices.customer_id", "visits.customer_id", "opportunities.customer_id",
    "quotations.customer_id", "orders.customer_id", "payments.customer_id",
    "service_contracts.customer_id", "service_tickets.customer_id", "tasks.customer_id",
    "care_items.customer_id",
})
# Moved with care (the text says how).
HANDLED: Final[Mapping[str, str]] = MappingProxyType({
    "contacts.customer_id": "moved; the absorbed card's primary contact stops being primary "
                            "when the kept card has one",
    "addresses.customer_id": "moved; the absorbed card's default address stops being the "
                             "default when the kept card has one",
    "phone_suffixes.customer_id": "the contacts' number suffixes move with the contacts; the "
                                  "absorbed card's own number's are dropped "
                                  "(search_keys.drop_keys), the kept card's rewritten when "
                                  "its number changes",
    "sales_plans.customer_id": "moved, unless both cards have a plan of the same salesperson "
                               "for the same period (uq_sales_plans_owner_customer): then the "
                               "merge is refused, naming the plans, until one is changed",
    "customer_aliases.customer_id": "the absorbed card's former numbers point to the kept "
                                    "card, and its own number is added to them",
})
# Rows pointing at a contact or a device: contacts and devices keep their ids when they
# move, so whatever points at them still does, now under the kept card.
FOLLOW_THEIR_ROW: Final = frozenset({
    "care_items.contact_id", "orders.contact_id", "phone_suffixes.contact_id",
    "quotations.contact_id", "service_tickets.contact_id", "visits.contact_id",
    "contract_devices.device_id", "meter_readings.device_id", "service_tickets.device_id",
})
# Columns that name a customer without a foreign key, and what the merge does with them.
UNLINKED: Final[Mapping[str, str]] = MappingProxyType({
    "custom_field_values.record_id": "entity 'customer': the chosen values are written to the "
                                     "kept card (custom_fields.store_values), then the "
                                     "absorbed card's rows deleted; a removed field's value "
                                     "moves where the kept card has none. Contacts' and "
                                     "devices' values follow their row",
    "search_keys.owner_id": "owner kind 'c': dropped, and the kept card's written anew from "
                            "its name (search_keys.keep_customer)",
    "name_suffixes.owner_id": "as search_keys",
    "audit_log.entity_id": "entity 'customer': history, left as it is (append-only); the "
                           "merge's DELETE entry names the kept card",
    "change_feed.record_id": "notices already sent: history, never changed",
    "read_trail.customer_id": "who read the absorbed card: history, left as it is "
                              "(append-only, no foreign key so it outlives the card)",
    "import_items.record_id": "entity 'customer': left; undoing the import finds the card "
                              "gone and has nothing to undo (pointed at the kept card, undo "
                              "would delete it). Moved contacts and addresses have a new "
                              "version, so undo keeps them",
    "request_keys.record_id": "entity 'customer': left; a retry of the absorbed card's "
                              "creation, days later, finds it gone",
    "care_items.source_id": "the record a care rule made the item from: a ticket, contract, "
                            "product or contact, never a customer",
    "tasks.related_id": "the record a task is about: never a customer (tasks.RELATED_KINDS; "
                        "its customer is tasks.customer_id)",
})

# The kinds of record a merge moves, as the preview and the audit entry count them.
KIND_LABELS: Final[Mapping[str, str]] = {
    "contacts": "Contacts",
    "addresses": "Addresses",
    "devices": "Devices",
    "visits": "Visits",
    "sales_plans": "Sales plans",
    "opportunities": "Opportunities",
    "quotations": "Quotations",
    "orders": "Orders",
    "payments": "Payments received",
    "service_contracts": "Service contracts",
    "service_tickets": "Service tickets",
    "tasks": "Tasks",
    "care_items": "Customer care items",
    "customer_aliases": "Former customer numbers",
}
# Not a record people count: the suffixes go with the contacts.
_UNCOUNTED: Final = frozenset({"phone_suffixes"})
_CUSTOMER = CustomFieldEntity.CUSTOMER
_ALIASES: Final = CustomerAlias.__tablename__


def references(target: str = "customers") -> list[Column[Any]]:
    """Every column of the schema with a foreign key to ``target``'s id, in table order."""
    return [fk.parent for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table.name == target and fk.column.name == "id"]


def column_key(column: Column[Any]) -> str:
    """``table.column``, as :data:`MOVED` and :data:`HANDLED` name them."""
    assert isinstance(column.table, Table)
    return f"{column.table.name}.{column.name}"


# --- data out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeCard:
    """One of the two cards: who it is and the version the person saw."""

    id: int
    code: str
    name: str
    version: int
    owner_name: str | None


@dataclass(frozen=True)
class MergeField:
    """One field of the card side by side: its values (as stored and as people read them)
    and what the merge takes when the person says nothing (``KEEP`` or ``ABSORBED``)."""

    name: str
    label: str
    keep_value: Any
    absorbed_value: Any
    keep_text: str
    absorbed_text: str
    default: str

    @property
    def differs(self) -> bool:
        return bool(self.keep_value != self.absorbed_value)


@dataclass(frozen=True)
class MergeCount:
    """How many records of a kind (a table name, :data:`KIND_LABELS`) will move or moved."""

    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class MergePreview:
    """What :func:`merge_customers` would do: both cards, field by field, and what moves.

    ``conflicts``: why the merge would be refused as things are (two sales plans of one
    salesperson for one period), empty when it may go ahead."""

    keep: MergeCard
    absorbed: MergeCard
    fields: tuple[MergeField, ...]
    moves: tuple[MergeCount, ...]
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """The kept card after the merge, what moved to it and which of its fields changed."""

    keep_id: int
    keep_code: str
    keep_version: int
    absorbed_id: int
    absorbed_code: str
    moved: tuple[MergeCount, ...]
    changes: Mapping[str, list[Any]] = field(default_factory=dict)


# --- use cases -----------------------------------------------------------------------------


def merge_preview(*, uow: UnitOfWork, actor: Actor, keep_id: int,
                  absorb_id: int) -> MergePreview:
    """Both cards' fields side by side, the records that would move and the versions, for
    the merge dialog (the same permission as the merge itself)."""
    _check_pair(keep_id, absorb_id)
    with uow.reading():
        _require_merge(uow, actor)
        keep, absorbed = _load(uow, keep_id, absorb_id)
        fields = custom_fields.load_definitions(uow, _CUSTOMER)
        values = _custom_values(uow, fields, keep_id, absorb_id)
        owners = _owner_names(uow, keep.owner_id, absorbed.owner_id)
        counts = _counts(uow, absorb_id)
        # Its own number joins its former ones.
        counts[_ALIASES] = counts.get(_ALIASES, 0) + 1
        return MergePreview(
            keep=_card(keep, owners), absorbed=_card(absorbed, owners),
            fields=tuple(_fields(keep, absorbed, fields, values, owners)),
            moves=tuple(MergeCount(kind, tr(label), counts.get(kind, 0))
                        for kind, label in KIND_LABELS.items()),
            conflicts=tuple(_plan_conflicts(uow, keep_id, absorb_id)))


def merge_customers(*, uow: UnitOfWork, actor: Actor, keep_id: int, absorb_id: int,
                    keep_version: int, absorb_version: int,
                    take: Mapping[str, str] = _NOTHING) -> MergeResult:
    """Merge the card ``absorb_id`` into the card ``keep_id``, in one audited transaction.

    ``take`` maps a field of the card (:data:`FIELDS`, or ``custom.<code>``) to ``"keep"``
    or ``"absorbed"``: whose value the kept card has afterwards. A field not named keeps the
    kept card's value, unless that is empty and the absorbed card's is not.

    Every record of the absorbed card moves to the kept one (:data:`MOVED`,
    :data:`HANDLED`), the absorbed card is deleted and its number finds the kept card from
    now on. Either version not the one given raises :class:`ConflictError` naming who
    saved the card, and nothing is written; so does a refusal of any kind.
    """
    _check_pair(keep_id, absorb_id)
    with uow:
        _require_merge(uow, actor)
        fields = custom_fields.load_definitions(uow, _CUSTOMER)
        choices = _check_take(take, fields)
        keep, absorbed = _load(uow, keep_id, absorb_id, lock=True)
        check_version(uow, keep, keep_version, entity="customer", label=keep.name)
        check_version(uow, absorbed, absorb_version, entity="customer", label=absorbed.name)
        conflicts = _plan_conflicts(uow, keep_id, absorb_id)
        if conflicts:
            raise ValidationError({"sales_plans": conflicts[0]}, "\n".join(conflicts))
        values = _custom_values(uow, fields, keep_id, absorb_id)
        chosen = _chosen(keep, absorbed, fields, values, choices)
        own = {k: v for k, v in chosen.items() if k in FIELD_LABELS}
        if "owner_id" in own and own["owner_id"] is not None:
            _check_owner(uow, own["owner_id"])
        session = uow.session
        now = utcnow()
        before = audit.snapshot(keep)
        shown_absorbed = audit.snapshot(absorbed)
        absorbed_code, absorbed_name = absorbed.code, absorbed.name
        owners = {absorbed.owner_id, keep.owner_id}
        dates = (absorbed.first_contact_on, absorbed.lost_on)
        # Nothing of the absorbed card is written through the session from here on: its
        # rows move and go by statements, and its object must not be flushed.
        session.expunge(absorbed)
        moved = _move_records(uow, actor, keep_id, absorb_id, now)
        custom_changes = _merge_custom_values(uow, actor, keep_id, absorb_id, {
            k.removeprefix(custom_fields.FIELD_PREFIX): v for k, v in chosen.items()
            if k.startswith(custom_fields.FIELD_PREFIX)})
        named = (keep.name, keep.short_name, keep.kind)
        _apply(keep, own, *dates)
        keep.updated_by_id = actor.user_id
        # The version moves even when no field changed: the card's contacts, devices and
        # history did.
        keep.updated_at = now
        uow.flush()
        if named != (keep.name, keep.short_name, keep.kind):
            search_keys.keep_customer(session, keep)
        session.execute(insert(CustomerAlias).values(
            code=absorbed_code, customer_id=keep_id, merged_at=now,
            merged_by_id=actor.user_id))
        moved[_ALIASES] = moved.get(_ALIASES, 0) + 1
        gone = cast(CursorResult[Any], session.execute(
            delete(Customer).where(Customer.id == absorb_id, Customer.version == absorb_version)
            .execution_options(synchronize_session=False)))
        if gone.rowcount != 1:
            raise ConflictError(tr("Someone else saved this record at the same time. "
                                   "Reload it and try again."), entity="customer",
                                entity_id=absorb_id)
        counts = tuple(MergeCount(kind, tr(KIND_LABELS.get(kind, kind)), n)
                       for kind, n in moved.items() if n)
        changes: dict[str, Any] = audit.diff(before, audit.snapshot(keep))
        changes.update(custom_changes)
        audit.record(uow, actor, AuditAction.UPDATE, "customer", keep_id, audit.say(
            "{code} {name}: merged {absorbed_code} {absorbed_name} into it",
            code=keep.code, name=keep.name, absorbed_code=absorbed_code,
            absorbed_name=absorbed_name), {
            **changes,
            "merged": {"id": absorb_id, "code": absorbed_code, "name": absorbed_name},
            "moved": {c.kind: c.count for c in counts}})
        # The owners of both cards learn where the absorbed card's records went (not the
        # person who merged).
        owners.add(keep.owner_id)
        feed.notify_many(uow, [{"to_user": owner, "kind": "customer", "record_id": keep_id,
                                "event": "merged", "number": keep.code,
                                "absorbed": absorbed_code}
                               for owner in sorted(o for o in owners if o is not None)],
                         by=actor)
        audit.record(uow, actor, AuditAction.DELETE, "customer", absorb_id, audit.say(
            "{code} {name}: merged into {kept_code} {kept_name}", code=absorbed_code,
            name=absorbed_name, kept_code=keep.code, kept_name=keep.name), {
            "before": shown_absorbed,
            "merged_into": {"id": keep_id, "code": keep.code, "name": keep.name}})
        result = MergeResult(keep_id=keep_id, keep_code=keep.code, keep_version=keep.version,
                             absorbed_id=absorb_id, absorbed_code=absorbed_code,
                             moved=counts, changes=changes)
        uow.commit()
        return result


# --- checks --------------------------------------------------------------------------------


def _check_pair(keep_id: int, absorb_id: int) -> None:
    if keep_id == absorb_id:
        raise ValidationError({"absorb_id": tr("is the card to keep: choose another customer "
                                               "to merge into it")})


def _require_merge(uow: UnitOfWork, actor: Actor) -> None:
    """Management's: editing and deleting customers, every customer (data scope all), with
    their phone numbers (a merge moves and chooses between them)."""
    grants = require(uow, actor, Module.CUSTOMERS, Operation.EDIT)
    if not grants.allows(Module.CUSTOMERS, Operation.DELETE) or \
            scope_params(uow, actor, Module.CUSTOMERS)[0] is not DataScope.ALL:
        raise PermissionDenied(
            tr("Merging customers needs the right to edit and delete customers, for every "
               "customer (data scope: all)."),
            module=Module.CUSTOMERS, operation=Operation.DELETE)
    if not (sees_field(uow, actor, Module.CUSTOMERS, "phone")
            and may_change_field(uow, actor, Module.CUSTOMERS, "phone")):
        raise PermissionDenied(
            tr("Merging customers moves their phone numbers, which your role may not see or "
               "change."), module=Module.CUSTOMERS, operation=Operation.EDIT)


def _check_take(take: Mapping[str, str], fields: Iterable[FieldDefinition]
                ) -> dict[str, str]:
    known = set(FIELDS) | {f.key for f in fields}
    errors: dict[str, str] = {}
    for name, side in take.items():
        if name not in known:
            errors[name] = tr("is not a field of the customer card")
        elif side not in (KEEP, ABSORBED):
            errors[name] = tr("must be 'keep' or 'absorbed'")
    if errors:
        raise ValidationError(errors)
    return dict(take)


def _check_owner(uow: UnitOfWork, owner_id: int) -> None:
    active = uow.session.execute(
        select(User.active).where(User.id == owner_id)).scalar_one_or_none()
    if not active:
        raise ValidationError({"owner_id": tr("must be an active user")})


def _load(uow: UnitOfWork, keep_id: int, absorb_id: int, *, lock: bool = False
          ) -> tuple[Customer, Customer]:
    """Both cards (locked on a server, for a merge: a record added for the absorbed card
    meanwhile waits, then finds it gone)."""
    stmt = select(Customer).where(Customer.id.in_([keep_id, absorb_id]))
    if lock:
        stmt = stmt.with_for_update()
    found = {c.id: c for c in uow.session.execute(stmt).scalars()}
    for wanted in (keep_id, absorb_id):
        if wanted not in found:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Customer"), id=wanted))
    return found[keep_id], found[absorb_id]


def _plan_conflicts(uow: UnitOfWork, keep_id: int, absorb_id: int) -> list[str]:
    """Sales plans that could not both be the kept card's: one salesperson's for one
    period, one on each card (one plan per owner, customer and period)."""
    kept = aliased(SalesPlan)
    rows = uow.session.execute(
        select(User.display_name, SalesPlan.year, SalesPlan.period_kind, SalesPlan.period)
        .join(kept, and_(kept.customer_id == keep_id, kept.owner_id == SalesPlan.owner_id,
                         kept.year == SalesPlan.year,
                         kept.period_kind == SalesPlan.period_kind,
                         kept.period == SalesPlan.period))
        .join(User, User.id == SalesPlan.owner_id)
        .where(SalesPlan.customer_id == absorb_id)
        .order_by(SalesPlan.year, SalesPlan.period_kind, SalesPlan.period, User.display_name)
    ).all()
    return [tr("Both customers have a sales plan of {owner} for {period}: change or delete "
               "one of them, then merge.", owner=name,
               period=(f"{year}-{period:02d}" if kind == PlanPeriod.MONTH
                       else f"{year} Q{period}"))
            for name, year, kind, period in rows]


# --- choosing the values -------------------------------------------------------------------


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple | list):
        return not value
    return value is None


def _default(keep_value: Any, absorbed_value: Any) -> str:
    return ABSORBED if _empty(keep_value) and not _empty(absorbed_value) else KEEP


def _custom_values(uow: UnitOfWork, fields: Iterable[FieldDefinition], keep_id: int,
                   absorb_id: int) -> dict[int, dict[str, Any]]:
    found = custom_fields.values_for(uow=uow, entity=_CUSTOMER, record_ids=[keep_id, absorb_id])
    return {cid: {f.code: found.get(cid, {}).get(f.code) for f in fields}
            for cid in (keep_id, absorb_id)}


def _chosen(keep: Customer, absorbed: Customer, fields: Iterable[FieldDefinition],
            values: Mapping[int, Mapping[str, Any]], take: Mapping[str, str]
            ) -> dict[str, Any]:
    """The absorbed card's values the kept card takes, by field (``custom.<code>``)."""
    pairs: dict[str, tuple[Any, Any]] = {
        name: (getattr(keep, name), getattr(absorbed, name)) for name in FIELDS}
    for f in fields:
        pairs[f.key] = (values[keep.id][f.code], values[absorbed.id][f.code])
    return {name: theirs for name, (ours, theirs) in pairs.items()
            if take.get(name, _default(ours, theirs)) == ABSORBED and ours != theirs}


def _apply(keep: Customer, own: Mapping[str, Any], first_contact_on: dt.date | None,
           lost_on: dt.date | None) -> None:
    """Write the chosen values to the kept card, with the search columns they make
    (``first_contact_on`` and ``lost_on``: the absorbed card's)."""
    for name, value in own.items():
        setattr(keep, name, value)
    if "status" in own:
        # The day it was lost goes with the status it explains.
        keep.lost_on = lost_on
    if first_contact_on is not None and (keep.first_contact_on is None
                                         or first_contact_on < keep.first_contact_on):
        # The relationship began with the earlier of the two cards.
        keep.first_contact_on = first_contact_on
    # The same columns the card's save computes (app.services.customers._clean).
    name = keep.name
    keep.name_key = normalise_name(name)
    keep.pinyin_full = pinyin_full(name)[:400]
    keep.pinyin_initials = pinyin_initials(name)[:200]
    keep.core_initials = core_initials(name)[:200]
    keep.short_initials = pinyin_initials(keep.short_name)[:200] if keep.short_name else None
    keep.sort_key = (person_sort_key(name) if keep.kind == CustomerKind.PERSON
                     else sort_key(name))
    keep.phone_digits = phone_digits(keep.phone)


# --- moving --------------------------------------------------------------------------------


def _counts(uow: UnitOfWork, absorb_id: int) -> dict[str, int]:
    """How many rows of each table point at the absorbed card (one statement)."""
    columns = [c for c in references() if c.table.name not in _UNCOUNTED]
    if not columns:
        return {}
    row = uow.session.execute(select(*(
        select(func.count()).select_from(c.table).where(c == absorb_id)
        .scalar_subquery().label(f"n{i}") for i, c in enumerate(columns)))).one()
    counts: dict[str, int] = {}
    for column, n in zip(columns, row, strict=True):
        counts[column.table.name] = counts.get(column.table.name, 0) + int(n)
    return counts


def _move_records(uow: UnitOfWork, actor: Actor, keep_id: int, absorb_id: int,
                  now: dt.datetime) -> dict[str, int]:
    """Point every row of the absorbed card at the kept card; the rows moved per table."""
    session = uow.session
    moved: dict[str, int] = {}
    for column in references():
        table = column.table
        assert isinstance(table, Table)
        key = column_key(column)
        where = [column == absorb_id]
        values: dict[str, Any] = {column.name: keep_id}
        if key == "contacts.customer_id" and _has(uow, table, "is_primary", keep_id):
            values["is_primary"] = False
        elif key == "addresses.customer_id" and _has(uow, table, "is_default", keep_id):
            values["is_default"] = False
        elif key == "phone_suffixes.customer_id":
            # The contacts' (they move, taking the kept card's place in pinyin order); the
            # absorbed card's own number's are dropped below.
            where.append(table.c.contact_id.is_not(None))
            values["sort_key"] = (select(Customer.sort_key).where(Customer.id == keep_id)
                                  .scalar_subquery())
        if {"version", "updated_at", "updated_by_id"} <= set(table.c.keys()):
            values.update(version=table.c.version + 1, updated_at=now,
                          updated_by_id=actor.user_id)
        done = cast(CursorResult[Any], session.execute(update(table).where(*where)
                                                       .values(values)))
        if table.name not in _UNCOUNTED:
            moved[table.name] = moved.get(table.name, 0) + int(done.rowcount)
    search_keys.drop_keys(session, search_keys.CUSTOMER, [absorb_id])
    return moved


def _has(uow: UnitOfWork, table: Table, flag: str, customer_id: int) -> bool:
    """Whether the customer has a row of ``table`` with ``flag`` set (a primary contact,
    a default address)."""
    return uow.session.execute(
        select(table.c.id).where(table.c.customer_id == customer_id,
                                 table.c[flag] == True).limit(1)).first() is not None  # noqa: E712


def _merge_custom_values(uow: UnitOfWork, actor: Actor, keep_id: int, absorb_id: int,
                         chosen: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Write the absorbed card's chosen custom values to the kept card and remove its rows;
    a removed field's value (hidden, but kept) moves where the kept card has none."""
    session = uow.session
    changes: dict[str, list[Any]] = {}
    if chosen:
        changes, _now = custom_fields.store_values(
            uow=uow, actor=actor, entity=_CUSTOMER, record_id=keep_id, values=chosen)
    removed = [f.id for f in custom_fields.load_definitions(uow, _CUSTOMER,
                                                            include_removed=True)
               if not f.active]
    v = CustomFieldValue
    if removed:
        kept_fields = select(v.definition_id).where(v.entity == _CUSTOMER,
                                                    v.record_id == keep_id)
        session.execute(update(v).where(
            v.entity == _CUSTOMER, v.record_id == absorb_id, v.definition_id.in_(removed),
            v.definition_id.not_in(kept_fields.scalar_subquery())).values(record_id=keep_id)
            .execution_options(synchronize_session=False))
    session.execute(delete(v).where(v.entity == _CUSTOMER, v.record_id == absorb_id)
                    .execution_options(synchronize_session=False))
    return changes


# --- the preview's rows --------------------------------------------------------------------


def _owner_names(uow: UnitOfWork, *owner_ids: int | None) -> dict[int, str]:
    ids = [i for i in owner_ids if i is not None]
    if not ids:
        return {}
    return {i: name for i, name in uow.session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)))}


def _card(customer: Customer, owners: Mapping[int, str]) -> MergeCard:
    return MergeCard(id=customer.id, code=customer.code, name=customer.name,
                     version=customer.version,
                     owner_name=owners.get(customer.owner_id) if customer.owner_id else None)


def _shown(name: str, value: Any, owners: Mapping[int, str]) -> str:
    if value is None:
        return ""
    if name in _ENUMS:
        return labels.label(_ENUMS[name](value))
    if name == "owner_id":
        return owners.get(value, str(value))
    return str(value)


def _fields(keep: Customer, absorbed: Customer, fields: Iterable[FieldDefinition],
            values: Mapping[int, Mapping[str, Any]], owners: Mapping[int, str]
            ) -> Iterable[MergeField]:
    for name, label in FIELD_LABELS.items():
        ours, theirs = getattr(keep, name), getattr(absorbed, name)
        yield MergeField(name=name, label=tr(label), keep_value=ours, absorbed_value=theirs,
                         keep_text=_shown(name, ours, owners),
                         absorbed_text=_shown(name, theirs, owners),
                         default=_default(ours, theirs))
    for f in fields:
        ours, theirs = values[keep.id][f.code], values[absorbed.id][f.code]
        yield MergeField(name=f.key, label=f.label(), keep_value=ours, absorbed_value=theirs,
                         keep_text=custom_fields.display_value(f, ours),
                         absorbed_text=custom_fields.display_value(f, theirs),
                         default=_default(ours, theirs))


__all__ = [
    "ABSORBED",
    "FIELDS",
    "FIELD_LABELS",
    "FOLLOW_THEIR_ROW",
    "HANDLED",
    "KEEP",
    "KIND_LABELS",
    "MOVED",
    "UNLINKED",
    "MergeCard",
    "MergeCount",
    "MergeField",
    "MergePreview",
    "MergeResult",
    "column_key",
    "merge_customers",
    "merge_preview",
    "references",
]
