"""Customer master use cases: create, read, update and search customers (客户档案)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType, SimpleNamespace
from typing import Any, NoReturn

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    Numeric,
    String,
    UnicodeText,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    inspect,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.db import PLAN_PER_RUN, insert_many, insert_with_ids, sends_ahead, table_of
from app.i18n import tr
from app.models import Address, Contact, Customer, Device, MeterReading, User, utcnow
from app.models.base import UTCDateTime
from app.models.customers import (
    CustomerAlias,
    PhoneSuffix,
    contact_phones,
    customer_directory,
    customer_phones,
)
from app.models.enums import (
    AddressKind,
    AuditAction,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    CustomFieldEntity,
    DataScope,
    DeviceStatus,
    Module,
    Operation,
    ReadAction,
)
from app.models.system import CustomFieldValue
from app.security import principals
from app.services import audit, custom_fields, read_trail, requests, search_keys
from app.services.custom_fields import FieldDefinition
from app.services.directory import customer_entry
from app.services.errors import NotFound, ValidationError
from app.services.locking import check_version
from app.services.numbering import next_number, next_numbers, next_numbers_apart
from app.services.paging import (
    Cursor,
    Sort,
    SortExpr,
    SplitPage,
    check_cursor,
    count_rows,
    first_rows,
    next_after,
    past,
    ranked,
    split_page,
)
from app.services.permissions import (
    SCOPE_USER,
    Actor,
    grants_for,
    hidden_fields,
    hidden_in,
    last_grants,
    may_change_field,
    require,
    require_in_scope,
    scope_clause,
    scope_filter,
    scope_of,
    scope_params,
    sees_field,
)
from app.services.uow import UnitOfWork, translate_db_error, unique_field
from app.services.validation import Checker, search_fields, search_text
from app.textkeys import (
    SUFFIX_LENGTH,
    core_initials,
    fold_text,
    normalise_name,
    person_sort_key,
    phone_digits,
    pinyin_full,
    pinyin_initials,
    sort_key,
    without_place,
)

# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactDraft:
    name: str
    title: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    birthday: dt.date | None = None
    is_primary: bool = False
    notes: str | None = None
    id: int | None = None
    # Custom field values of the contact by code; fields left out keep their stored value.
    custom: Mapping[str, object] = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True)
class AddressDraft:
    street: str
    kind: AddressKind | str = AddressKind.OFFICE
    city: str | None = None
    district: str | None = None
    postal_code: str | None = None
    is_default: bool = False
    id: int | None = None


@dataclass(frozen=True)
class DeviceDraft:
    """A customer's device as typed on the card; ``new_reading`` adds a meter reading."""

    brand: str
    model: str
    serial_number: str
    install_date: dt.date | None = None
    location: str | None = None
    status: DeviceStatus | str = DeviceStatus.IN_USE
    notes: str | None = None
    new_reading: int | None = None
    id: int | None = None
    # Custom field values of the device by code; fields left out keep their stored value.
    custom: Mapping[str, object] = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True)
class CustomerDraft:
    """What a person types on the customer card."""

    name: str
    kind: CustomerKind | str = CustomerKind.COMPANY
    short_name: str | None = None
    source: CustomerSource | str = CustomerSource.WALK_IN
    customer_class: CustomerClass | str = CustomerClass.C
    status: CustomerStatus | str = CustomerStatus.PROSPECT
    owner_id: int | None = None
    phone: str | None = None
    email: str | None = None
    industry: str | None = None
    tax_number: str | None = None
    website: str | None = None
    notes: str | None = None
    contacts: tuple[ContactDraft, ...] = ()
    addresses: tuple[AddressDraft, ...] = ()
    # Devices left out of the draft stay as they are: a device with a repair history is
    # retired (status), never deleted from the card.
    devices: tuple[DeviceDraft, ...] = ()
    # Custom field values by code (see app/services/custom_fields.py); fields left out
    # keep their stored value.
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceView:
    id: int
    brand: str
    model: str
    serial_number: str
    install_date: dt.date | None
    location: str | None
    status: DeviceStatus
    notes: str | None
    last_reading: int | None
    last_reading_at: dt.datetime | None
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    title: str | None
    phone: str | None
    mobile: str | None
    email: str | None
    birthday: dt.date | None
    is_primary: bool
    notes: str | None
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AddressView:
    id: int
    kind: AddressKind
    city: str | None
    district: str | None
    street: str
    postal_code: str | None
    is_default: bool


@dataclass(frozen=True)
class CustomerDetail:
    """A customer card as the user may see it."""

    id: int
    code: str
    version: int
    kind: CustomerKind
    name: str
    short_name: str | None
    source: CustomerSource
    customer_class: CustomerClass
    status: CustomerStatus
    owner_id: int | None
    owner_name: str | None
    phone: str | None
    email: str | None
    industry: str | None
    tax_number: str | None
    website: str | None
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by_name: str | None
    contacts: tuple[ContactView, ...] = ()
    addresses: tuple[AddressView, ...] = ()
    devices: tuple[DeviceView, ...] = ()
    # Values of the active custom fields by code, and those fields in form order.
    custom: Mapping[str, object] = field(default_factory=dict)
    custom_fields: tuple[FieldDefinition, ...] = ()
    # The custom fields of contacts and of devices (values on each ContactView/DeviceView).
    contact_fields: tuple[FieldDefinition, ...] = ()
    device_fields: tuple[FieldDefinition, ...] = ()
    # The phone numbers of the customer and its contacts as the role allows them
    # (``customers.phone``): blanked (not ``phones_visible``) or shown but not
    # ``phones_editable``; a save keeps them as stored either way.
    phones_visible: bool = True
    phones_editable: bool = True

    def to_draft(self) -> CustomerDraft:
        return CustomerDraft(
            name=self.name, kind=self.kind, short_name=self.short_name, source=self.source,
            customer_class=self.customer_class, status=self.status, owner_id=self.owner_id,
            phone=self.phone, email=self.email, industry=self.industry,
            tax_number=self.tax_number, website=self.website, notes=self.notes,
            contacts=tuple(ContactDraft(**{k: getattr(c, k) for k in
                                           ContactDraft.__dataclass_fields__
                                           if k != "custom"}, custom=dict(c.custom))
                           for c in self.contacts),
            addresses=tuple(AddressDraft(**{k: getattr(a, k) for k in
                                            AddressDraft.__dataclass_fields__}) for a in
                            self.addresses),
            devices=tuple(DeviceDraft(**{k: getattr(d, k) for k in
                                         DeviceDraft.__dataclass_fields__
                                         if k not in ("new_reading", "custom")},
                                      custom=dict(d.custom)) for d in self.devices),
            custom=dict(self.custom),
        )


@dataclass(slots=True)
class CustomerRow:
    """One line of the customer list. ``restricted`` rows show only name and owner.

    Read-only by convention, not frozen: the list builds a hundred per keystroke pause,
    and a frozen dataclass takes ten times as long to construct.
    """

    id: int
    code: str
    name: str
    short_name: str | None
    # The stored codes (CustomerClass etc. are StrEnums: a code equals its member).
    customer_class: str | None
    source: str | None
    status: str | None
    owner_id: int | None
    owner_name: str | None
    phone: str | None
    restricted: bool
    sort_key: str


@dataclass(frozen=True)
class CustomFilter:
    """A list filter on a custom field: ``op`` as in custom_fields.MatchOp."""

    code: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class CustomerFilters:
    customer_class: CustomerClass | None = None
    source: CustomerSource | None = None
    status: CustomerStatus | None = None
    owner_id: int | None = None
    custom: tuple[CustomFilter, ...] = ()


@dataclass(frozen=True)
class CustomerPage:
    rows: tuple[CustomerRow, ...]
    # Pass back as ``after`` to get the next page; None at the end of the list.
    next_after: Cursor | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Custom field values of the page's visible rows: {customer id: {code: value}}.
    custom: Mapping[int, Mapping[str, object]] = field(
        default_factory=lambda: MappingProxyType({}))
    # Every customer the search and filters match, restricted ones included (with
    # ``with_total``): the list's "共 N".
    total: int | None = None


# The customer list's columns, as sort keys for :func:`search_customers`. "name" is the
# pinyin order of the names, the list's own order.
CUSTOMER_SORT_KEYS: tuple[str, ...] = ("code", "name", "short_name", "customer_class",
                                       "source", "status", "owner", "phone")


# --- validation ----------------------------------------------------------------------------


Cleaned = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]],
                list[dict[str, Any]]]


@dataclass(frozen=True)
class _Owner:
    """The customer's owner as the save checks and the card shows it."""

    id: int
    active: bool
    name: str | None
    department_id: int | None


def _owner(uow: UnitOfWork, owner_id: int, actor: Actor | None = None) -> _Owner | None:
    """The owner of a new or reassigned customer: the actor as it logged in, another user
    read (None: no such user)."""
    if actor is not None and owner_id == actor.user_id:
        grants = grants_for(uow, actor)  # read with the permissions: no query
        return _Owner(actor.user_id, grants.active, grants.display_name, grants.department_id)
    row = uow.session.execute(
        select(User.active, User.display_name, User.department_id).where(User.id == owner_id)
    ).one_or_none()
    return None if row is None else _Owner(owner_id, bool(row[0]), row[1], row[2])


def _clean(uow: UnitOfWork, draft: CustomerDraft, customer_id: int | None = None, *,
           owner: _Owner | None = None,
           stored_serials: Mapping[int, tuple[str, str]] | None = None,
           derive: bool = True) -> Cleaned:
    """The draft checked. ``owner``: the draft's owner as the caller read it;
    ``stored_serials``: the customer's devices' (model, serial number) as stored."""
    check = Checker()
    values: dict[str, Any] = {
        "kind": check.choice("kind", draft.kind, CustomerKind),
        "name": check.text("name", draft.name, max_len=200, required=True),
        "short_name": check.text("short_name", draft.short_name, max_len=100),
        "source": check.choice("source", draft.source, CustomerSource),
        "customer_class": check.choice("customer_class", draft.customer_class, CustomerClass),
        "status": check.choice("status", draft.status, CustomerStatus),
        "phone": check.phone("phone", draft.phone),
        "email": check.email("email", draft.email),
        "industry": check.text("industry", draft.industry, max_len=100),
        "tax_number": check.text("tax_number", draft.tax_number, max_len=40),
        "website": check.text("website", draft.website, max_len=200),
        "notes": check.text("notes", draft.notes, max_len=20000, multiline=True),
        "owner_id": draft.owner_id,
    }
    if draft.owner_id is not None:
        if owner is None or owner.id != draft.owner_id:
            owner = _owner(uow, draft.owner_id)
        if owner is None or not owner.active:
            check.fail("owner_id", tr("must be an active user"))
    contacts = []
    for i, c in enumerate(draft.contacts):
        contacts.append({
            "id": c.id,
            "name": check.text(f"contacts[{i}].name", c.name, max_len=100, required=True),
            "title": check.text(f"contacts[{i}].title", c.title, max_len=100),
            "phone": check.phone(f"contacts[{i}].phone", c.phone),
            "mobile": check.phone(f"contacts[{i}].mobile", c.mobile),
            "email": check.email(f"contacts[{i}].email", c.email),
            "birthday": check.date(f"contacts[{i}].birthday", c.birthday,
                                   latest=dt.date.today()),
            "is_primary": bool(c.is_primary),
            "notes": check.text(f"contacts[{i}].notes", c.notes, max_len=500, multiline=True),
        })
    addresses = []
    for i, a in enumerate(draft.addresses):
        addresses.append({
            "id": a.id,
            "kind": check.choice(f"addresses[{i}].kind", a.kind, AddressKind),
            "street": check.text(f"addresses[{i}].street", a.street, max_len=200, required=True),
            "city": check.text(f"addresses[{i}].city", a.city, max_len=100),
            "district": check.text(f"addresses[{i}].district", a.district, max_len=100),
            "postal_code": check.text(f"addresses[{i}].postal_code", a.postal_code, max_len=20),
            "is_default": bool(a.is_default),
        })
    devices = []
    for i, d in enumerate(draft.devices):
        serial = check.text(f"devices[{i}].serial_number", d.serial_number, max_len=60,
                            required=True)
        devices.append({
            "id": d.id,
            "brand": check.text(f"devices[{i}].brand", d.brand, max_len=100, required=True),
            "model": check.text(f"devices[{i}].model", d.model, max_len=100, required=True),
            "serial_number": serial.upper() if serial else serial,
            "install_date": check.date(f"devices[{i}].install_date", d.install_date,
                                       latest=dt.date.today()),
            "location": check.text(f"devices[{i}].location", d.location, max_len=200),
            "status": check.choice(f"devices[{i}].status", d.status, DeviceStatus),
            "notes": check.text(f"devices[{i}].notes", d.notes, max_len=500, multiline=True),
            "new_reading": check.integer(f"devices[{i}].new_reading", d.new_reading, low=0,
                                         high=2_000_000_000, required=False),
        })
    _check_serials_unique(uow, check, devices, stored_serials or {})
    check.done()
    if not derive:  # only checking (an import's dry run): the search columns are not needed
        return values, contacts, addresses, devices
    name = values["name"]
    values.update(
        name_key=normalise_name(name),
        pinyin_full=pinyin_full(name)[:400],
        pinyin_initials=pinyin_initials(name)[:200],
        core_initials=core_initials(name)[:200],
        short_initials=(pinyin_initials(values["short_name"])[:200]
                        if values["short_name"] else None),
        # A person's surname has its own reading (曾 is zeng): the list sorts it so.
        sort_key=(person_sort_key(name) if values["kind"] == CustomerKind.PERSON
                  else sort_key(name)),
        phone_digits=phone_digits(values["phone"]),
    )
    return values, contacts, addresses, devices


# Custom values by (record kind, record id), then by field code.
Values = Mapping[tuple[CustomFieldEntity, int], Mapping[str, Any]]


def _clean_all(uow: UnitOfWork, draft: CustomerDraft, customer_id: int | None = None, *,
               stored: Values | None = None, owner: _Owner | None = None,
               stored_serials: Mapping[int, tuple[str, str]] | None = None,
               derive: bool = True) -> Cleaned:
    """The card's fields and its custom fields checked together, so the form can mark
    every wrong field at once (save_values checks the custom values again on saving).

    ``stored``: the custom values of the customer, its contacts and devices as read with
    the card (an existing customer's); a new customer's fields start at their defaults."""
    errors: dict[str, str] = {}
    cleaned: Cleaned | None = None
    try:
        cleaned = _clean(uow, draft, customer_id, owner=owner, stored_serials=stored_serials,
                         derive=derive)
    except ValidationError as error:
        errors.update(error.errors)
    fields = custom_fields.load_definitions(uow, CustomFieldEntity.CUSTOMER)
    own: Mapping[str, object]
    if customer_id is not None:
        own = (stored or {}).get((CustomFieldEntity.CUSTOMER, customer_id), {})
    else:
        own = {f.code: f.default() for f in fields}
    try:
        custom_fields.check_values(fields, {**own, **draft.custom})
    except ValidationError as error:
        errors.update(error.errors)
    child_errors, child_names = _child_custom_errors(uow, draft, stored or {})
    errors.update(child_errors)
    if errors:
        names = {f.key: f.label() for f in fields}
        names.update(child_names)
        raise ValidationError(errors, "; ".join(f"{names.get(k, k)}: {m}"
                                                for k, m in errors.items()))
    assert cleaned is not None
    return cleaned


def check_draft(uow: UnitOfWork, draft: CustomerDraft, *,
                owner_is_active: bool = False) -> dict[str, str]:
    """The errors the card would show for ``draft`` as a new customer (field → message;
    empty when it would save), without writing anything: an import's dry run.
    ``owner_is_active``: the caller knows the draft's owner is an active user (read once
    for a whole sheet), so it is not read again."""
    owner = None
    if owner_is_active and draft.owner_id is not None:
        owner = _Owner(draft.owner_id, True, None, None)
    try:
        _clean_all(uow, draft, owner=owner, derive=False)
    except ValidationError as error:
        return dict(error.errors)
    return {}


# The card's children that carry custom fields, by their draft attribute.
_CHILD_ENTITIES = (("contacts", CustomFieldEntity.CONTACT), ("devices", CustomFieldEntity.DEVICE))


def _child_custom_errors(uow: UnitOfWork, draft: CustomerDraft,
                         stored: Values) -> tuple[dict[str, str], dict[str, str]]:
    """The custom values of the drafted contacts and devices checked as save_values will
    (stored values of existing rows, defaults of new ones): errors keyed
    ``contacts[i].custom.<code>``, and a readable name for each such key."""
    errors: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, entity in _CHILD_ENTITIES:
        children = getattr(draft, name)
        if not children:
            continue
        fields = custom_fields.load_definitions(uow, entity)
        defaults = {f.code: f.default() for f in fields}
        for i, child in enumerate(children):
            if not fields and not child.custom:
                continue
            base = stored.get((entity, child.id), {}) if child.id is not None else defaults
            try:
                custom_fields.check_values(fields, {**base, **child.custom})
            except ValidationError as error:
                for key, message in error.errors.items():
                    errors[f"{name}[{i}].{key}"] = message
                    label = next((f.label() for f in fields if f.key == key), key)
                    names[f"{name}[{i}].{key}"] = f"{tr('Row {row}', row=i + 1)} {label}"
    return errors, names


def _save_child_values(uow: UnitOfWork, actor: Actor, draft: CustomerDraft,
                       contacts: Sequence[Contact | _Child], devices: Sequence[Device],
                       rows: Mapping[tuple[CustomFieldEntity, int], list[CustomFieldValue]],
                       now: dict[tuple[CustomFieldEntity, int], Mapping[str, Any]],
                       ) -> dict[str, list[Any]]:
    """Store the drafted contacts' and devices' custom values (after the flush that gave
    new ones their ids) over the value ``rows`` read with the card; returns the audit
    changes keyed ``contacts[<id>].custom.<code>``, and puts each child's values as they
    now are in ``now``."""
    changes: dict[str, list[Any]] = {}
    for (name, entity), children in zip(_CHILD_ENTITIES, (contacts, devices), strict=True):
        for child, row in zip(getattr(draft, name), children, strict=True):
            if not child.custom and child.id is not None:
                continue  # nothing given: an existing row keeps its values
            saved, values = custom_fields.store_values(
                uow=uow, actor=actor, entity=entity, record_id=row.id, values=child.custom,
                creating=child.id is None, stored=rows.get((entity, row.id), ()))
            changes.update({f"{name}[{row.id}].{k}": v for k, v in saved.items()})
            now[(entity, row.id)] = values
    return changes


def _drop_child_values(uow: UnitOfWork, entity: CustomFieldEntity,
                       record_ids: set[int]) -> None:
    """The custom values of contacts removed from the card go with them."""
    if record_ids:
        uow.session.execute(delete(CustomFieldValue).where(
            CustomFieldValue.entity == entity, CustomFieldValue.record_id.in_(record_ids)))


def _check_serials_unique(uow: UnitOfWork, check: Checker, devices: list[dict[str, Any]],
                          stored: Mapping[int, tuple[str, str]]) -> None:
    """A serial number identifies one machine of a model: refuse it twice, naming who has
    it where the actor may see that (the unique index refuses it anyway). Only new and
    changed (model, serial) pairs are looked up: a device kept as ``stored`` holds its own."""
    seen: dict[tuple[str, str], int] = {}
    for i, d in enumerate(devices):
        serial = d["serial_number"]
        if not serial:
            continue
        key = (d["model"], serial)
        if key in seen:
            check.fail(f"devices[{i}].serial_number", tr("already exists"))
        seen[key] = i
    new = {key for key, i in seen.items()
           if devices[i]["id"] is None or stored.get(devices[i]["id"]) != key}
    if not new:
        return
    taken = uow.session.execute(
        select(Device.id, Device.model, Device.serial_number, customer_directory.c.name)
        .join(customer_directory, customer_directory.c.id == Device.customer_id)
        .where(Device.serial_number.in_(sorted({serial for _, serial in new})))
    ).all()
    own_ids = {d["id"] for d in devices if d["id"] is not None}
    for device_id, model, serial, owner_name in taken:
        if device_id in own_ids or (model, serial) not in new:
            continue
        check.fail(f"devices[{seen[(model, serial)]}].serial_number",
                   tr("is already registered to {customer}", customer=owner_name))


def serial_conflict(exc: IntegrityError) -> str | None:
    """The database's message if ``exc`` is the one-machine-per-serial-number index
    refusing a device (the unique key whose field is the serial number)."""
    message = str(exc.orig)
    return message if unique_field(message) == "serial_number" else None


def refused_serials(message: str, serials: Sequence[str]) -> list[int]:
    """Which of ``serials`` (positions) the refusal may be about: PostgreSQL and SQL Server
    quote the key (not to a login under row security), otherwise each one is suspect."""
    quoted = "=(" in message or "value is (" in message
    return [i for i, serial in enumerate(serials)
            if serial and (not quoted or f"{serial})" in message)]


def _flush_serials(uow: UnitOfWork, devices: list[dict[str, Any]],
                   stored: Mapping[int, tuple[str, str]]) -> None:
    """Flush the customer's rows; a serial number the database already holds for a device
    the actor cannot see (the unique index, on a secured server or from a station saving
    at the same moment) is refused on the devices whose number is new."""
    try:
        uow.session.flush()
    except IntegrityError as exc:
        message = serial_conflict(exc)
        if message is None:
            raise translate_db_error(exc) from exc
        new = [d["serial_number"] if stored.get(d.get("id") or 0)
               != (d["model"], d["serial_number"]) else "" for d in devices]
        fields = {f"devices[{i}].serial_number": tr("is already registered to another customer")
                  for i in refused_serials(message, new)}
        raise ValidationError(fields or {"devices": tr("already exists")}) from exc


def _apply_children(uow: UnitOfWork, customer: Customer, contacts: list[dict[str, Any]],
                    addresses: list[dict[str, Any]], devices: list[dict[str, Any]],
                    actor: Actor) -> tuple[list[Contact], list[Device], dict[int, MeterReading]]:
    """Replace the customer's contacts and addresses by the drafted ones, keeping ids.

    Returns the contact and device rows in the order of the draft, and the meter readings
    taken with this save by device (position in the draft)."""
    def sync(existing: list[Any], drafts: list[dict[str, Any]], cls: type[Any]) -> list[Any]:
        by_id = {obj.id: obj for obj in existing}
        result = []
        for values in drafts:
            obj = by_id.get(values.pop("id")) or cls(created_by_id=actor.user_id)
            for key, value in values.items():
                setattr(obj, key, value)
            obj.updated_by_id = actor.user_id
            result.append(obj)
        return result

    for c in contacts:
        c["phone_digits"] = phone_digits(c["phone"])
        c["mobile_digits"] = phone_digits(c["mobile"])
    customer.contacts = sync(customer.contacts, contacts, Contact)
    customer.addresses = sync(customer.addresses, addresses, Address)
    readings = [d.pop("new_reading") for d in devices]
    drafted_ids = {d["id"] for d in devices}
    kept = [dev for dev in customer.devices if dev.id not in drafted_ids]
    synced = sync(customer.devices, devices, Device)
    taken: dict[int, MeterReading] = {}
    for i, (device, reading) in enumerate(zip(synced, readings, strict=True)):
        if reading is None:
            continue
        taken[i] = MeterReading(read_at=utcnow(), value=reading, recorded_by_id=actor.user_id)
        if device.id is None:
            device.readings.append(taken[i])
        else:
            # Beside the device, not in its readings: that collection is not read with
            # the card (its count and latest are).
            taken[i].device_id = device.id
            uow.session.add(taken[i])
    customer.devices = kept + synced
    return customer.contacts, synced, taken


# --- use cases -----------------------------------------------------------------------------


def add_customer(
    uow: UnitOfWork, actor: Actor, draft: CustomerDraft, *, owner: _Owner | None,
    first_contact_on: dt.date | None = None,
) -> tuple[Customer, list[Contact], list[Device], dict[int, MeterReading],
           dict[tuple[CustomFieldEntity, int], Mapping[str, Any]]]:
    """Check ``draft`` and add it as a new customer in the current transaction, with its
    number, children, search keys, custom values and audit entry (the caller has checked
    the permissions and commits). Raises :class:`ValidationError` with every wrong field.

    Returns the customer, its contact and device rows, the meter readings taken and the
    custom values stored, by record."""
    values, contacts, addresses, devices = _clean_all(uow, draft, owner=owner)
    customer = Customer(
        code=next_number(uow, "customer", dt.date.today()),  # the local business day
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        first_contact_on=first_contact_on or dt.date.today(),
        **values,
    )
    uow.session.add(customer)
    contact_rows, device_rows, taken = _apply_children(uow, customer, contacts, addresses,
                                                       devices, actor)
    _flush_serials(uow, devices, {})
    search_keys.keep_customer(uow.session, customer, new=True)
    custom_changes, own_values = custom_fields.store_values(
        uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER, record_id=customer.id,
        values=draft.custom, creating=True)
    now: dict[tuple[CustomFieldEntity, int], Mapping[str, Any]] = {
        (CustomFieldEntity.CUSTOMER, customer.id): own_values}
    custom_changes.update(_save_child_values(uow, actor, draft, contact_rows, device_rows,
                                             {}, now))
    after = audit.snapshot(customer)
    after.update({k: v[1] for k, v in custom_changes.items()})
    audit.record(uow, actor, AuditAction.CREATE, "customer", customer.id,
                 f"{customer.code} {customer.name}", {"after": after})
    return customer, contact_rows, device_rows, taken, now


@dataclass(frozen=True)
class AddedCustomer:
    """A customer :func:`add_customers` wrote: what the import notes of it."""

    id: int
    code: str
    version: int


@dataclass(frozen=True)
class _Child:
    """A contact :func:`add_customers` wrote, as custom values are stored for it."""

    id: int


def _full_rows(model: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` for one bulk INSERT into ``model``'s table: every row with the same keys
    (the batched INSERT needs them alike), a column not given taking its default as a
    flush would give it (one clock reading for the whole chunk)."""
    columns = inspect(model).column_attrs
    keys = {key for row in rows for key in row}
    filled: dict[str, Any] = {}
    for attr in columns:
        column = attr.columns[0]
        if attr.key in keys or column.primary_key:
            continue
        default = column.default
        if default is None:
            continue
        arg = getattr(default, "arg", None)
        filled[attr.key] = arg(None) if callable(arg) else arg
    empty = dict.fromkeys(keys)
    return [{**empty, **filled, **row} for row in rows]


def add_customers(
    uow: UnitOfWork, actor: Actor, drafts: Sequence[tuple[CustomerDraft, dt.date | None]],
    numbers_apart: bool = False,
) -> list[AddedCustomer | ValidationError]:
    """:func:`add_customer` for many new customers at once (an import's chunk): checked one
    by one, numbered with one UPDATE, the customers, contacts, addresses, search keys and
    phone suffixes each written with one batched INSERT per table, without loading a row
    into the session. Each draft's owner must be an active user (the caller checked it).
    ``numbers_apart``: the customers' numbers are taken in a transaction of their own
    (numbering.next_numbers_apart), for writers working side by side.
    The rows are those :func:`add_customer` writes (tests/services/test_customers_bulk.py).

    Returns, per draft, the customer added or the :class:`ValidationError` that refused
    it (nothing of that one is written)."""
    results: list[AddedCustomer | ValidationError | None] = []
    made: list[tuple[int, CustomerDraft, dict[str, Any], list[dict[str, Any]],
                     list[dict[str, Any]]]] = []
    today = dt.date.today()  # the local business day
    for draft, first_contact_on in drafts:
        owner = _Owner(draft.owner_id, True, None, None) if draft.owner_id is not None \
            else None
        try:
            values, contacts, addresses, _devices = _clean_all(uow, draft, owner=owner)
        except ValidationError as error:
            results.append(error)
            continue
        values.update(created_by_id=actor.user_id, updated_by_id=actor.user_id,
                      first_contact_on=first_contact_on or today)
        made.append((len(results), draft, values, contacts, addresses))
        results.append(None)  # its place: the customer, once written
    take = next_numbers_apart if numbers_apart else next_numbers
    numbers = take(uow, "customer", dt.date.today(), len(made))
    customers = _full_rows(Customer, [{**values, "code": code}
                                      for (_i, _d, values, _c, _a), code
                                      in zip(made, numbers, strict=True)])
    connection = uow.session.connection()
    customer_ids = insert_with_ids(connection, table_of(Customer), customers)
    new_contacts: list[dict[str, Any]] = []
    new_addresses: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    sort_keys: dict[int, str] = {}
    for customer_id, row, (_i, _d, _v, own_contacts, own_addresses) in zip(
            customer_ids, customers, made, strict=True):
        sort_keys[customer_id] = row["sort_key"]
        phones += search_keys.phone_rows(customer_id, None, row.get("phone_digits"),
                                         sort_key=row["sort_key"])
        for c in own_contacts:
            new_contacts.append({**{k: v for k, v in c.items() if k != "id"},
                             "customer_id": customer_id, "phone_digits": phone_digits(
                                 c["phone"]), "mobile_digits": phone_digits(c["mobile"]),
                             "created_by_id": actor.user_id, "updated_by_id": actor.user_id})
        new_addresses += [{**{k: v for k, v in a.items() if k != "id"},
                           "customer_id": customer_id, "created_by_id": actor.user_id,
                           "updated_by_id": actor.user_id} for a in own_addresses]
    contacts = _full_rows(Contact, new_contacts)
    insert_with_ids(connection, table_of(Contact), contacts)
    for c in contacts:
        phones += search_keys.phone_rows(c["customer_id"], c["id"], c["phone_digits"],
                                         c["mobile_digits"], sort_key=sort_keys[c["customer_id"]])
    if new_addresses:
        insert_many(connection, table_of(Address), _full_rows(Address, new_addresses))
    # Custom values as add_customer stores them (the given ones and the fields' defaults),
    # asked for only where there are fields or values: most imports have none.
    customer_fields = bool(custom_fields.load_definitions(uow, CustomFieldEntity.CUSTOMER))
    contact_fields = bool(custom_fields.load_definitions(uow, CustomFieldEntity.CONTACT))
    by_customer: dict[int, list[_Child]] = {}
    for c in contacts:
        by_customer.setdefault(c["customer_id"], []).append(_Child(c["id"]))
    for row, (at, draft, _v, _c, _a) in zip(customers, made, strict=True):
        changes: dict[str, list[Any]] = {}
        if draft.custom or customer_fields:
            changes, _values = custom_fields.store_values(
                uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER,
                record_id=row["id"], values=draft.custom, creating=True)
        if contact_fields or any(c.custom for c in draft.contacts):
            changes.update(_save_child_values(uow, actor, draft,
                                              by_customer.get(row["id"], []), [], {}, {}))
        after = audit.snapshot_values(Customer, row)
        after.update({k: v[1] for k, v in changes.items()})
        audit.record(uow, actor, AuditAction.CREATE, "customer", row["id"],
                     f"{row['code']} {row['name']}", {"after": after})
        results[at] = AddedCustomer(row["id"], row["code"], row["version"])
    # The audit entries before the search rows (some 57 a customer): on PostgreSQL a
    # transaction with its audit row written pays nothing per row for those tables'
    # outside-change check (catalog.WATCHED_BY_STATEMENT).
    uow.write_pending()
    # In the lookup index's order, as the search keys: 6 % less of the server's time.
    phones.sort(key=lambda row: row["suffix"])
    insert_many(connection, table_of(PhoneSuffix), phones)
    search_keys.keep_new_customers(session=uow.session, customers=[
        (row["id"], row["name"], row.get("short_name"), row.get("kind"), row["sort_key"])
        for row in customers])
    return [r for r in results if r is not None]


def create_customer(*, uow: UnitOfWork, actor: Actor, draft: CustomerDraft,
                    custom: Mapping[str, object] | None = None,
                    request_key: str | None = None) -> CustomerDetail:
    """Create a customer; the creator owns it unless another owner is given.

    ``custom`` (or ``draft.custom``) holds the custom field values by code; they are
    checked with the same rules as on the form and saved in the same transaction.
    A retry with the ``request_key`` of a customer already saved returns that customer
    (``app.services.requests``). The card returned is built from what was written, in the
    same transaction.
    """
    if custom is not None:
        draft = replace(draft, custom=dict(custom))
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.CREATE)
        if (saved := requests.replayed(uow, actor, request_key, "customer")) is not None:
            return _card(uow, actor, _read_card(uow, actor, saved))
        if draft.owner_id is None:
            draft = replace(draft, owner_id=actor.user_id)
        assert draft.owner_id is not None
        owner = _owner(uow, draft.owner_id, actor)
        if draft.owner_id != actor.user_id:
            # Giving a customer to someone else is a reassignment: needs the wider scope.
            require_in_scope(uow, actor, Module.CUSTOMERS, Operation.CREATE, draft.owner_id,
                             owner.department_id if owner else None)
        customer, contact_rows, device_rows, taken, now = add_customer(
            uow, actor, draft, owner=owner)
        requests.remember(uow, actor, request_key, "customer", customer.id)
        uow.flush()
        detail = _card(uow, actor, _Card.written(
            uow, customer, owner_name=owner.name if owner else None, actor=actor,
            readings={d.id: (taken[i].value, taken[i].read_at) for i, d in
                      enumerate(device_rows) if i in taken}, values=now))
        uow.commit()
        return detail


def get_customer(*, uow: UnitOfWork, actor: Actor, customer_id: int) -> CustomerDetail:
    """The customer card, if the customer is in the actor's data scope.

    It only reads, in three statements (permissions, the customer, everything on its
    card): no transaction on a server, no write lock on SQLite."""
    with uow.reading():
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        card = _read_card(uow, actor, customer_id)
        require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW,
                         card.customer.owner_id, card.owner_department_id)
        detail = _card(uow, actor, card)
    read_trail.note(uow.engine, actor, ReadAction.CARD, customer_id=customer_id)
    return detail


def update_customer(
    *, uow: UnitOfWork, actor: Actor, customer_id: int, expected_version: int,
    draft: CustomerDraft, custom: Mapping[str, object] | None = None,
) -> CustomerDetail:
    """Save an edited customer card.

    ``custom`` (or ``draft.custom``): custom field values by code; fields not given keep
    their stored values, and a required field left empty is refused.

    ``expected_version`` is the version the user loaded; if someone saved since, a
    :class:`ConflictError` names who and when, and nothing is written.

    The card is read in two statements (the customer, everything on it), only what
    changed is written, and the card returned is built from what was written, in the
    same transaction.
    """
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.EDIT)
        card = _read_card(uow, actor, customer_id)
        customer = card.customer
        require_in_scope(uow, actor, Module.CUSTOMERS, Operation.EDIT, customer.owner_id,
                         card.owner_department_id)
        check_version(uow, customer, expected_version, entity="customer", label=customer.name)
        value_rows = card.attach(uow)
        owner = card.owner
        if draft.owner_id != customer.owner_id:
            owner = _owner(uow, draft.owner_id, actor) if draft.owner_id is not None else None
            require_in_scope(uow, actor, Module.CUSTOMERS, Operation.EDIT, draft.owner_id,
                             owner.department_id if owner else None)
        if custom is not None:
            draft = replace(draft, custom=dict(custom))
        if not may_change_field(uow, actor, Module.CUSTOMERS, "phone", customer.owner_id):
            # Phone numbers this role may not see or change stay as stored (the card
            # showed them blank; a blank is not a request to erase them).
            draft = _keep_phones(draft, customer)
        stored_serials = {d.id: (d.model, d.serial_number) for d in customer.devices}
        stored = card.values(uow)
        values, contacts, addresses, devices = _clean_all(
            uow, draft, customer.id, stored=stored, owner=owner, stored_serials=stored_serials)
        # Before the card's own changes: its queries would flush them and move the version
        # once more than the one save.
        custom_changes, own_values = custom_fields.store_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER, record_id=customer.id,
            values=draft.custom,
            stored=value_rows.get((CustomFieldEntity.CUSTOMER, customer.id), ()))
        now: dict[tuple[CustomFieldEntity, int], Mapping[str, Any]] = {
            **stored, (CustomFieldEntity.CUSTOMER, customer.id): own_values}
        before = audit.snapshot(customer)
        before_children = _children_snapshot(customer, card.reading_counts)
        removed_contacts = ({c.id for c in customer.contacts}
                            - {c.id for c in draft.contacts if c.id is not None})
        # While the contacts still exist: on a secured server a value is seen (and may be
        # deleted) only with the record it belongs to.
        _drop_child_values(uow, CustomFieldEntity.CONTACT, removed_contacts)
        named = (customer.name, customer.short_name, customer.kind)
        for key, value in values.items():
            setattr(customer, key, value)
        contact_rows, device_rows, taken = _apply_children(uow, customer, contacts, addresses,
                                                           devices, actor)
        customer.updated_by_id = actor.user_id
        changes = audit.diff(before, audit.snapshot(customer))
        counts = dict(card.reading_counts)
        for i in taken:
            if device_rows[i].id is not None:
                counts[device_rows[i].id] = counts.get(device_rows[i].id, 0) + 1
        after_children = _children_snapshot(customer, counts)
        if before_children != after_children:
            changes["contacts/addresses"] = [before_children, after_children]
        changes.update(custom_changes)
        if changes:
            # Touch the row so its version moves even when only contacts changed.
            customer.updated_at = utcnow()
        _flush_serials(uow, devices, stored_serials)  # new contacts and devices get ids
        if named != (customer.name, customer.short_name, customer.kind):
            search_keys.keep_customer(uow.session, customer)
        child_changes = _save_child_values(uow, actor, draft, contact_rows, device_rows,
                                           value_rows, now)
        if child_changes and not changes:
            customer.updated_at = utcnow()
            uow.flush()
        changes.update(child_changes)
        if changes:
            audit.record(uow, actor, AuditAction.UPDATE, "customer", customer.id,
                         f"{customer.code} {customer.name}", changes)
        uow.flush()
        readings = dict(card.last_readings)
        readings.update({device_rows[i].id: (r.value, r.read_at) for i, r in taken.items()})
        # The customer's editor is the actor now (updated_by_id was set above).
        detail = _card(uow, actor, _Card.written(
            uow, customer, owner_name=owner.name if owner else None, actor=actor,
            readings=readings, values=now))
        uow.commit()
        return detail


def filter_conditions(filters: CustomerFilters, owner_id: Any = Customer.owner_id
                      ) -> list[Any]:
    """The WHERE conditions of the list's filters (class, source, status, owner, custom
    values), for the list and the export alike; ``owner_id`` is the column the list reads
    the owner from."""
    conditions: list[Any] = []
    if filters.customer_class:
        conditions.append(Customer.customer_class == filters.customer_class)
    if filters.source:
        conditions.append(Customer.source == filters.source)
    if filters.status:
        conditions.append(Customer.status == filters.status)
    if filters.owner_id:
        conditions.append(owner_id == filters.owner_id)
    for wanted in filters.custom:
        conditions.append(custom_fields.matches(CustomFieldEntity.CUSTOMER, Customer.id,
                                                wanted.code, wanted.op, wanted.value))
    return conditions


@dataclass(frozen=True)
class _PageQuery:
    # How its rows are read: ``page.statement``, and for a column sort a second one on
    # the page where the column's values end (paging.split_page).
    page: SplitPage
    params: dict[str, Any]
    conditions: list[Any]
    ranked: bool


def _page_query(shape: str, text_params: dict[str, Any], scope: DataScope,
                scope_values: dict[str, Any], phones_hidden: bool, filters: CustomerFilters,
                after: Cursor | None, limit: int, sort: Sort | None) -> _PageQuery:
    """The statement and values of one page of :func:`search_customers` for an actor of
    data scope ``scope`` (with its ``scope_values``) who may or may not see phones."""
    params: dict[str, Any] = {**scope_values, **text_params}
    src = _list_source(shape, scope)
    conditions = filter_conditions(filters, src.owner_id)
    if filters.custom:
        # Filtering on values reveals them: only rows the actor may open.
        conditions.append(scope_clause(scope, Customer.owner_id))
    ranked = sort is None and shape in _RANKED_SHAPES
    if sort is None:
        # The list's own pinyin order (a text's best matches first): its statement
        # is built once and reused, the next pages' too.
        stmt = _search_statement(shape, scope, phones_hidden, after is not None,
                                 filtered=bool(conditions))
        if after is not None:
            params.update(_after_params(after, ranked))
        if conditions:
            stmt = stmt.where(*conditions)
        params["page_limit"] = limit + 1
    else:
        base = _search_base(shape, scope, phones_hidden)
        split = split_page(base.where(*conditions) if conditions else base,
                           columns=_sort_columns(shape, scope, phones_hidden),
                           sort=sort, id_column=src.id, after=after, limit=limit,
                           params=params, not_null=("code", "name"),
                           # The base statement is the same object page after page
                           # unless filters add to it: so are the page's then.
                           reuse=not conditions)
        return _PageQuery(split, params, conditions, ranked)
    return _PageQuery(SplitPage(stmt), params, conditions, ranked)


def search_customers(
    *, uow: UnitOfWork, actor: Actor, text: str = "",
    filters: CustomerFilters = CustomerFilters(), after: Cursor | None = None,
    limit: int = 100, custom_columns: Sequence[str] = (), sort: Sort | None = None,
    with_total: bool = False,
) -> CustomerPage:
    """One page of customers matching ``text``, sorted by pinyin (or by ``sort``, one of
    :data:`CUSTOMER_SORT_KEYS`; still keyset-paged).

    ``text`` matches the name, short name, full pinyin or pinyin initials (prefix; the
    initials also without the leading city, and those of the short name), any
    part of a phone number, a contact's name or phone, or a device serial number.
    Customers outside the actor's data scope still appear, restricted to name and owner,
    so nobody creates a duplicate of a customer they cannot open. A words or code search
    also matches the customers' active custom text fields (one more OR branch, same query).

    ``custom_columns``: codes of custom fields shown as list columns; their values for the
    page's visible rows come in ``CustomerPage.custom`` (one more query per page).

    This is the list's hot path (a query per keystroke pause): the statement for each
    shape of text and data scope is built once and reused with new values. ``with_total``
    costs one more query, a count of everything matched.
    """
    search_text("text", text)
    check_cursor(after)
    limit = max(1, min(limit, 500))
    shape, text_params = _text_params(text)
    with uow.reading():
        guess = last_grants(uow, actor) if sends_ahead(uow.engine) else None
        if guess is not None and guess.allows(Module.CUSTOMERS, Operation.VIEW):
            # The page as the grants of the last search make it, sent on a server in one
            # round trip with the permission query: used if the grants are the same.
            ahead = _page_query(shape, text_params, *scope_of(guess, actor, Module.CUSTOMERS),
                                "phone" in hidden_in(guess, Module.CUSTOMERS),
                                filters, after, limit, sort)
            uow.read_ahead(ahead.page.statement, ahead.params)
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        scope, scope_values = scope_params(uow, actor, Module.CUSTOMERS)
        phones_hidden = "phone" in hidden_fields(uow, actor, Module.CUSTOMERS)
        query = _page_query(shape, text_params, scope, scope_values, phones_hidden, filters,
                            after, limit, sort)
        params, conditions, ranked = query.params, query.conditions, query.ranked
        # Plain columns, no entities: run it as Core on the session's connection, which
        # skips the ORM's result machinery.
        connection = uow.session.connection()
        rows = query.page.read(lambda s, p: connection.execute(s, p).all(), params, limit)
        more = len(rows) > limit
        # A role with phones hidden reads only its own customers' numbers (the phone view
        # joined in the statement): nothing to blank afterwards.
        page = tuple(map(_row, rows[:limit]))
        cursor: Cursor | None
        if ranked:
            cursor = (((rows[limit - 1].match_rank, page[-1].sort_key), page[-1].id)
                      if more and page else None)
        elif sort is None:
            cursor = (page[-1].sort_key, page[-1].id) if more and page else None
        else:
            cursor = next_after(rows, limit)
        total = None
        if with_total:
            total = count_rows(uow.session, _search_base(shape, scope, phones_hidden,
                                                         counting=True)
                               .where(*conditions), params)
        custom: dict[int, dict[str, Any]] = {}
        visible_ids = [r.id for r in page if not r.restricted]
        if custom_columns and visible_ids:
            wanted_codes = set(custom_columns)
            custom = {
                record_id: {c: v for c, v in values.items() if c in wanted_codes}
                for record_id, values in custom_fields.values_for(
                    uow=uow, entity=CustomFieldEntity.CUSTOMER, record_ids=visible_ids
                ).items()
            }
    # Every page read is one line of the read trail: paging through the whole list is
    # reading it (the restricted rows too: their names and owners are the customer base).
    read_trail.note(uow.engine, actor, ReadAction.SEARCH, customers=len(page),
                    detail=text.strip() or None)
    return CustomerPage(rows=page, next_after=cursor, custom=custom, total=total)


@dataclass(frozen=True)
class DuplicateHit:
    """An existing customer that looks like the one being typed.

    ``restricted`` hits come from outside the user's data scope: only the name and the
    owner are revealed, so the user can ask the owner instead of creating a copy.
    """

    id: int
    name: str
    owner_name: str | None
    reasons: tuple[str, ...]
    restricted: bool
    phone: str | None = None


def find_duplicates(
    *, uow: UnitOfWork, actor: Actor, name: str = "", phone: str | None = None,
    contact_phones: tuple[str, ...] = (), exclude_id: int | None = None, limit: int = 10,
) -> tuple[DuplicateHit, ...]:
    """Customers that may be the one being entered: same phone, same normalised name,
    same pinyin (homophones such as 鑫锐/新锐), or a similar name (one contains the other).
    """
    search_fields(name=name, phone=phone, contact_phones=contact_phones)
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        key = normalise_name(name) if name else ""
        # Leading place names do not tell two customers apart ("北京鑫锐" ~ "鑫锐").
        core = without_place(key)
        full = pinyin_full(name) if name else ""
        phones = {d for d in (phone_digits(p) for p in (phone, *contact_phones)) if d}
        phones = {d for d in phones if len(d) >= 7}
        # Through the directory: on a secured server row security hides other people's
        # customers from the customers table, but never their name and owner.
        d = customer_directory.c
        reasons: list[tuple[str, Any]] = []
        if key:
            reasons.append(("same_name", d.name_key == key))
        if full and len(full) >= 4:
            reasons.append(("same_pinyin", d.pinyin_full == full))
        if core and len(core) >= 2:
            reasons.append(("similar_name", d.name_key.contains(core, autoescape=True)))
        if phones:
            # Whole numbers only, and audited where the database keeps phones to their owners.
            with_phone = principals.customers_with_phone(uow.session, phones)
            if with_phone:
                reasons.append(("same_phone", d.id.in_(sorted(with_phone))))
        if not reasons:
            return ()
        in_scope = scope_filter(uow, actor, Module.CUSTOMERS, d.owner_id)
        flags = [case((cond, True), else_=False).label(code) for code, cond in reasons]
        # A role with the phone field hidden reads only its own customers' numbers, through
        # the phone view (its database login may not read the column).
        cp = customer_phones.c
        hidden = "phone" in hidden_fields(uow, actor, Module.CUSTOMERS)
        stmt = (
            select(d.id, d.name, cp.phone if hidden else Customer.phone, User.display_name,
                   d.owner_id, case((and_(in_scope, Customer.id.is_not(None)), True),
                                    else_=False).label("visible"), *flags)
            .select_from(customer_directory)
            .outerjoin(Customer, Customer.id == d.id)
            .outerjoin(User, User.id == d.owner_id)
            .where(or_(*(cond for _, cond in reasons)))
            .order_by(d.sort_key, d.id)
            .limit(limit)
        )
        if hidden:
            stmt = stmt.outerjoin(customer_phones, and_(cp.id == d.id,
                                                        cp.owner_id == actor.user_id))
        if exclude_id is not None:
            stmt = stmt.where(d.id != exclude_id)
        hits = []
        for r in uow.session.execute(stmt).all():
            found = tuple(code for code, _ in reasons if getattr(r, code))
            visible = bool(r.visible)
            hits.append(DuplicateHit(id=r.id, name=r.name, owner_name=r.display_name,
                                     reasons=found, restricted=not visible,
                                     phone=r.phone if visible and sees_field(
                                         uow, actor, Module.CUSTOMERS, "phone", r.owner_id)
                                     else None))
        # Strongest evidence first: a shared phone or the very same name.
        strength = {"same_phone": 0, "same_name": 1, "same_pinyin": 2, "similar_name": 3}
        hits.sort(key=lambda h: min(strength[c] for c in h.reasons))
        return tuple(hits)


# --- helpers -------------------------------------------------------------------------------


_SEPARATORS = re.compile(r"[\s\-()+]+")
# The escape character of the search's LIKE patterns (the same on all three databases).
LIKE_ESCAPE = "/"


def search_shape(text: str) -> str:
    """What a search text looks like: ``digits`` (a phone), ``letters`` (pinyin or a Latin
    name), ``code`` (letters and digits: a serial number or model) or ``words`` (Chinese)."""
    q = text.strip()
    compact = _SEPARATORS.sub("", q)
    if compact.isdigit():
        return "digits"
    if compact.isascii() and compact.isalpha():
        return "letters"
    if compact.isascii() and compact.isalnum():
        return "code"
    return "words"


@dataclass(frozen=True)
class _Keys:
    """The columns a search text is matched against."""

    id: Any
    code: Any
    name: Any
    short_name: Any
    name_key: Any
    pinyin_full: Any
    pinyin_initials: Any
    core_initials: Any
    short_initials: Any
    # None: match the phone through the customer's own row (IN), which row security
    # hides for customers the searcher may not open.
    phone_digits: Any | None
    sort_key: Any


_CUSTOMER_KEYS = _Keys(Customer.id, Customer.code, Customer.name, Customer.short_name,
                       Customer.name_key, Customer.pinyin_full, Customer.pinyin_initials,
                       Customer.core_initials, Customer.short_initials, Customer.phone_digits,
                       Customer.sort_key)
# The list: names and keys from the directory, so customers outside the scope still appear
# where row security hides their rows; the phone only from the customer's own row, so a
# number is never matched digit by digit on a customer the searcher may not open.
_DIRECTORY = customer_directory.c
_DIRECTORY_KEYS = _Keys(_DIRECTORY.id, _DIRECTORY.code, _DIRECTORY.name, _DIRECTORY.short_name,
                        _DIRECTORY.name_key, _DIRECTORY.pinyin_full, _DIRECTORY.pinyin_initials,
                        _DIRECTORY.core_initials, _DIRECTORY.short_initials, None,
                        _DIRECTORY.sort_key)


def search_condition(text: str, *, phones_of: int | None = None
                     ) -> tuple[Any, dict[str, Any]]:
    """The WHERE clause the customer list uses for ``text``, and its parameter values
    (pass them when executing): for other lists of customers, e.g. the export.

    ``phones_of``: the user whose role has the phone field hidden; digits then match only
    that user's own customers' numbers (through the phone views)."""
    shape, params = _text_params(text)
    if phones_of is None:
        return _text_clause(shape, _CUSTOMER_KEYS), params
    return (_text_clause(shape, _CUSTOMER_KEYS, phones_hidden=True),
            {**params, SCOPE_USER: phones_of})


def _text_params(text: str) -> tuple[str, dict[str, str]]:
    """The statement shape for a search text and the values of its parameters.

    Shapes: ``all`` (no text), ``short`` (one or two digits: the name), ``digits``,
    ``letters``, ``code`` and ``words`` (see :func:`search_shape`), and ``phrase``: words
    longer than a name suffix is kept, looked for in the names themselves.
    """
    q = (text or "").strip()
    if not q:
        return "all", {}
    shape = search_shape(q)
    if shape == "digits":
        digits = phone_digits(q) or ""
        if len(digits) < 3:
            return "short", {"anywhere": _anywhere(q)}
        return "digits", {"anywhere": _anywhere(digits), **search_keys.digits_params(digits)}
    compact = _SEPARATORS.sub("", q)
    if shape == "letters" and len(compact) == 1:
        # One letter: the start of the name only (any syllable would be most customers).
        return "letter", _range(compact.casefold())
    keys = search_keys.prefix_params(q)
    if shape == "letters":
        return "letters", {**_range(compact.casefold()), **keys, "code_exact": q.upper()}
    if shape == "code":
        return "code", {"anywhere": _anywhere(q), **_range(normalise_name(q)), **keys,
                        **_range(q.upper(), "serial_lo", "serial_hi"),
                        **_range(q.upper(), "code_lo", "code_hi"), "code_exact": q.upper()}
    suffix = search_keys.suffix_params(q)
    if suffix and len(fold_text(q)) <= SUFFIX_LENGTH:
        return "words", {"anywhere": _anywhere(q), **_range(q), **suffix}
    # Longer than a suffix is kept (or only punctuation): the names themselves.
    return "phrase", {"anywhere": _anywhere(q), **_range(q),
                      **_range(normalise_name(q) or q, "name_lo", "name_hi")}


def _range(prefix: str, lo: str = "lo", hi: str = "hi") -> dict[str, str]:
    """Bounds of the values starting with ``prefix``, for :func:`_in_range`."""
    return {lo: prefix, hi: prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def _anywhere(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards escaped (see LIKE_ESCAPE)."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def _param(key: str, column: Any) -> Any:
    """The search text's parameter ``key`` where it meets ``column``, typed as the column.

    SQL Server receives a ``Unicode`` parameter as NVARCHAR and a ``String`` one as
    VARCHAR, which is text in the database's code page: Chinese compared with the NVARCHAR
    names must be Unicode, or it arrives as ``?`` where the collation is not Chinese. The
    VARCHAR keys (pinyin, digits, sort key, serial numbers) get VARCHAR (the text shapes
    that reach them are ASCII), so SQL Server seeks their index instead of converting
    the column. The SQL Server compile gate in tests/mssql_guard.py enforces both.
    """
    return bindparam(key, type_=column.type)


def _like_anywhere(column: Any) -> Any:
    return column.like(_param("anywhere", column), escape=LIKE_ESCAPE)


def _in_range(column: Any, lo: str = "lo", hi: str = "hi") -> Any:
    """``column`` starts with the prefix whose bounds are the parameters ``lo``/``hi``: a
    range every database answers from an index (``LIKE 'abc%'`` is not index-assisted on
    SQLite, where LIKE ignores case, nor on PostgreSQL under a non-C collation)."""
    return and_(column >= _param(lo, column), column < _param(hi, column))


def _text_clause(shape: str, keys: _Keys, phones_hidden: bool = False) -> Any:
    """The WHERE clause for a shape of search text, built from only the keys that shape
    can match, so a pinyin search is an index range and not a scan of every column.

    Digits are a range of the phone suffixes (any part of the customer's or a contact's
    number). ``phones_hidden``: the searcher's role has the phone field hidden (its
    database login may not read the numbers nor their suffixes); digits then match only
    the numbers of the searcher's own customers, read through the phone views."""
    if shape == "all":
        return true()
    if shape == "short":
        return _like_anywhere(keys.name)
    if shape == "digits" and phones_hidden:
        cp, kp = customer_phones.c, contact_phones.c
        me = bindparam(SCOPE_USER, type_=Integer)
        return or_(
            keys.id.in_(select(cp.id).where(cp.owner_id == me,
                                            _like_anywhere(cp.phone_digits))),
            keys.id.in_(select(kp.customer_id).where(
                kp.owner_id == me,
                or_(_like_anywhere(kp.phone_digits), _like_anywhere(kp.mobile_digits)))))
    if shape == "digits":
        return keys.id.in_(search_keys.phone_hits())
    if shape == "letter":
        # The start of the name (also without the leading city, 北京博普装饰: "b"), of the
        # short name or of its full pinyin; every branch an index range.
        return or_(_in_range(keys.pinyin_initials), _in_range(keys.core_initials),
                   _in_range(keys.short_initials), _in_range(keys.pinyin_full))
    return keys.id.in_(select(_hits(shape, keys, ordered=False).c.id))


def _hits(shape: str, keys: _Keys, *, ordered: bool = True) -> Any:
    """The customers a text of ``shape`` (letters, code or words) finds, each with how well
    it matches (``rank``, lower is better; a customer may come more than once): an exact
    code (or the number of a card merged into it) 0, a name or code starting with the text
    1, pinyin from the start of the name 2, pinyin inside the name 3, anything else (a
    contact, a serial number, a custom field) 4.

    Each branch is one indexed lookup of ids (the pinyin ones a range of the search keys),
    combined with UNION ALL, so no engine walks the whole list to find a few rows: Chinese
    words are a range of the name suffixes; only a phrase longer than a suffix still looks
    inside the names (LIKE).

    ``ordered``: each row also carries the customer's ``sort_key``, so that a page of
    thousands of matches is chosen without looking each one up (the pinyin keys and the
    suffixes carry it; the few rows of the other branches read it from the directory)."""
    def ranked_ids(rank: int, *where: Any, ids: Any = keys.id) -> Any:
        if not ordered:
            order = []
        elif ids is keys.id:
            order = [keys.sort_key.label("sort_key")]
        else:
            order = [select(_DIRECTORY.sort_key).where(_DIRECTORY.id == ids)
                     .scalar_subquery().label("sort_key")]
        return select(ids.label("id"), literal_column(str(rank), Integer).label("rank"),
                      *order).where(*where)

    branches: list[Any] = []
    if shape in ("letters", "code"):
        branches += [
            ranked_ids(0, keys.code == _param("code_exact", keys.code)),
            # The number of a card merged into this one (app.services.merging), exactly.
            ranked_ids(0, CustomerAlias.code == _param("code_exact", CustomerAlias.code),
                       ids=CustomerAlias.customer_id),
            ranked_ids(1, _in_range(keys.name_key)),
            search_keys.key_hits(search_keys.CUSTOMER, ordered=ordered),
        ]
    if shape == "letters":
        return union_all(*branches).subquery("hits")
    custom = custom_fields.text_search(CustomFieldEntity.CUSTOMER, keys.id,
                                       _param("anywhere", CustomFieldValue.value_text))
    if shape == "code":
        branches += [
            ranked_ids(1, _in_range(keys.code, "code_lo", "code_hi")),
            ranked_ids(4, _in_range(Device.serial_number, "serial_lo", "serial_hi"),
                       ids=Device.customer_id),
            ranked_ids(4, custom),
        ]
        return union_all(*branches).subquery("hits")
    contacts = ranked_ids(4, _in_range(Contact.name), ids=Contact.customer_id)
    if shape == "words":
        # Anywhere in the name or short name: one range of the name suffixes.
        return union_all(search_keys.suffix_hits(search_keys.CUSTOMER, ordered=ordered),
                         contacts,
                         ranked_ids(4, custom)).subquery("hits")
    starts = _in_range(keys.name_key, "name_lo", "name_hi")
    return union_all(
        select(keys.id.label("id"), case((starts, 1), else_=3).label("rank"),
               *([keys.sort_key.label("sort_key")] if ordered else [])).where(
            or_(_like_anywhere(keys.name), _like_anywhere(keys.short_name))),
        contacts,
        ranked_ids(4, custom),
    ).subquery("hits")


# Shapes of text whose matches are listed best first (:func:`_hits`).
_RANKED_SHAPES = frozenset({"letters", "code", "words", "phrase"})


@dataclass(frozen=True)
class _ListSource:
    """Where the list reads a customer's identity, owner and sort key, and its search keys."""

    id: Any
    code: Any
    name: Any
    short_name: Any
    owner_id: Any
    sort_key: Any
    keys: _Keys


# Names and keys from the directory, the customer's own row joined for what only an actor
# who may open it sees: on a secured server row security leaves that row out for others'
# customers, which then appear restricted to name and owner, as everywhere.
_FROM_DIRECTORY = _ListSource(_DIRECTORY.id, _DIRECTORY.code, _DIRECTORY.name,
                              _DIRECTORY.short_name, _DIRECTORY.owner_id, _DIRECTORY.sort_key,
                              _DIRECTORY_KEYS)
# Digits match only customers the actor may open: a fragment of a number never says whose
# customer it is (that was a way to rebuild colleagues' customers' numbers from the search
# box, digit by digit). A whole number of someone else's customer is the duplicate
# check's business, which the database audits.
_FROM_CUSTOMERS = _ListSource(Customer.id, Customer.code, Customer.name, Customer.short_name,
                              Customer.owner_id, Customer.sort_key, _CUSTOMER_KEYS)


def _list_source(shape: str, scope: DataScope) -> _ListSource:
    """Where a list of ``shape`` for someone of data scope ``scope`` reads its rows.

    Someone who may open every customer has no restricted rows: the customers' own rows
    are the whole list, without the directory joined back to them (an index probe per
    row: 2 of a 500-row page's 6 ms on PostgreSQL). Ranked matches join the directory
    themselves (:func:`_search_base`)."""
    if shape == "digits" or (scope is DataScope.ALL and shape not in _RANKED_SHAPES):
        return _FROM_CUSTOMERS
    return _FROM_DIRECTORY


@functools.cache
def _best(shape: str) -> Any:
    """Each customer a text of a ranked shape finds, once, with its best ``match_rank``
    and its ``sort_key``."""
    hits = _hits(shape, _DIRECTORY_KEYS)
    return (select(hits.c.id, func.min(hits.c.rank).label("match_rank"),
                   func.max(hits.c.sort_key).label("sort_key"))
            .group_by(hits.c.id).subquery("best"))


@functools.cache
def _search_statement(shape: str, scope: DataScope, phones_hidden: bool = False,
                      paged: bool = False, *, filtered: bool = False) -> Any:
    """The list query for one shape of search text and one data scope, built once: in
    pinyin order, or for a text of a ranked shape best match first, then in pinyin order.

    ``paged``: the rows after a position, given as the parameters of :func:`_after_params`
    (the next pages of a scroll: 2 000 of them for a million customers, and building the
    condition anew for each cost a tenth of the scroll). ``filtered``: the caller adds
    conditions on the customers' rows (the list's filters), so a ranked search's page is
    chosen after the customers are joined rather than before (:func:`_ranked_page`)."""
    src = _list_source(shape, scope)
    ranked = shape in _RANKED_SHAPES
    if _phones_first(shape, scope, phones_hidden) and not filtered:
        page = _phone_page(paged)
        return (_search_base(shape, scope, phones_hidden, page=paged)
                .order_by(page.c.sort_key, page.c.id))
    if ranked and not filtered:
        page = _ranked_page(shape, paged)
        return (_search_base(shape, scope, phones_hidden, ranked=True, page=paged)
                .order_by(page.c.match_rank, page.c.sort_key, page.c.id))
    order = (_best(shape).c.match_rank,) if ranked else ()
    stmt = _search_base(shape, scope, phones_hidden, ranked=ranked)
    if paged:
        stmt = stmt.where(_ranked_after(shape) if ranked else _sorted_after(src))
    return stmt.order_by(*order, src.sort_key, src.id).limit(
        bindparam("page_limit", type_=Integer))


@functools.cache
def _ranked_page(shape: str, paged: bool) -> Any:
    """One page of a ranked search's matches (id, ``match_rank``, sort key), chosen before
    the rest of their rows is read: the matches carry their sort key from the index
    ranges, so a text that finds thousands of customers (four pinyin initials at a
    million customers) reads the customers' rows and their owners for one page only.
    ``paged``: the matches after a position (:func:`_ranked_after`)."""
    best = _best(shape)
    stmt = select(best.c.id, best.c.match_rank, best.c.sort_key)
    if paged:
        stmt = stmt.where(_ranked_after(shape))
    return first_rows(stmt.order_by(best.c.match_rank, best.c.sort_key, best.c.id),
                      bindparam("page_limit", type_=Integer)).subquery("page")


def _phones_first(shape: str, scope: DataScope, phones_hidden: bool) -> bool:
    """Whether a search's page is chosen from the phone suffixes alone, before any
    customer's row is read (:func:`_phone_page`): digits, by someone who may open every
    customer and read every number (for others the customers' rows say which they may)."""
    return shape == "digits" and scope is DataScope.ALL and not phones_hidden


@functools.cache
def _phone_page(paged: bool) -> Any:
    """One page of the customers whose numbers hold the digits (id, sort key), in pinyin
    order, from the range of the phone suffixes alone: a number found in thousands of
    customers reads their rows for one page only. ``paged``: after a position
    (``after_key``, ``after_id``)."""
    found = search_keys.phone_matches().subquery("found")
    stmt = select(found.c.id, found.c.sort_key)
    if paged:
        stmt = stmt.where(_after_in_order(found.c.sort_key, found.c.id))
    return first_rows(stmt.order_by(found.c.sort_key, found.c.id),
                      bindparam("page_limit", type_=Integer)).subquery("page")


def _sorted_after(src: _ListSource) -> Any:
    """The rows after the position (``after_key``, ``after_id``) in pinyin order.

    An index range of the sort key (see paging.past)."""
    return _after_in_order(src.sort_key, src.id)


def _after_in_order(sort_key: Any, id_column: Any) -> Any:
    """The rows of ``sort_key``, ``id_column`` after the position (``after_key``,
    ``after_id``)."""
    return past(sort_key, id_column, bindparam("after_key", type_=_DIRECTORY.sort_key.type),
                bindparam("after_id", type_=Integer))


def _ranked_after(shape: str) -> Any:
    """The rows after the position (``after_rank``, ``after_key``, ``after_id``) in the
    ranked order."""
    best = _best(shape).c
    rank = bindparam("after_rank", type_=Integer)
    key = bindparam("after_key", type_=_DIRECTORY.sort_key.type)
    last_id = bindparam("after_id", type_=Integer)
    return or_(best.match_rank > rank,
               and_(best.match_rank == rank,
                    or_(best.sort_key > key, and_(best.sort_key == key, best.id > last_id))))


def _after_params(after: Cursor, ranked: bool) -> dict[str, Any]:
    """The parameters of a ``paged`` statement for the rows after ``after``."""
    value, last_id = after
    if not ranked:
        return {"after_key": value, "after_id": last_id}
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)):
        raise ValidationError({"after": tr("is not a position in this list")})
    return {"after_rank": value[0], "after_key": value[1], "after_id": last_id}


@functools.cache
def _search_base(shape: str, scope: DataScope, phones_hidden: bool = False, *,
                 counting: bool = False, ranked: bool = False,
                 page: bool | None = None) -> Any:
    """The list query for one shape of search text and one data scope, unordered.

    With ``phones_hidden`` the phone comes from the phone view, for the actor's own
    customers only (the role's database login may not read the phone column).
    ``counting``: only the ids, without the owner's name — the same rows, for the total
    (the join to the users costs more than the count itself on a long list).
    ``ranked``: the rows come from the matches (:func:`_best`), each with its
    ``match_rank`` as the last column; with ``page`` (True: after a position) only those
    of one page of them (:func:`_ranked_page`), already limited. Digits with ``page``
    (:func:`_phones_first`): the rows of one page of :func:`_phone_page`."""
    src = _list_source(shape, scope)
    cp = customer_phones.c
    phone = cp.phone if phones_hidden else Customer.phone
    stmt = select(src.id) if counting else select(
        src.id, src.code, src.name, src.short_name,
        # The codes as stored: the list shows labels, and converting a hundred rows
        # of three enums each costs as much as the index range itself.
        type_coerce(Customer.customer_class, String), type_coerce(Customer.source, String),
        type_coerce(Customer.status, String), src.owner_id,
        User.display_name, phone, src.sort_key,
        case((_visible(scope, src), True), else_=False).label("visible"),
    )
    phones_first = page is not None and _phones_first(shape, scope, phones_hidden)
    if ranked:
        matches = _best(shape) if page is None else _ranked_page(shape, page)
        stmt = (stmt.add_columns(matches.c.match_rank).select_from(matches)
                .join(customer_directory, src.id == matches.c.id)
                .outerjoin(Customer, Customer.id == src.id))
    elif phones_first:
        assert page is not None
        found = _phone_page(page)
        stmt = stmt.select_from(found).join(Customer, Customer.id == found.c.id)
    elif src is _FROM_DIRECTORY:
        stmt = stmt.select_from(customer_directory).outerjoin(Customer,
                                                              Customer.id == src.id)
    else:
        stmt = stmt.where(scope_clause(scope, src.owner_id))
    if phones_hidden:
        stmt = stmt.outerjoin(customer_phones, and_(
            cp.id == src.id, cp.owner_id == bindparam(SCOPE_USER, type_=Integer)))
    if not counting:
        stmt = stmt.outerjoin(User, User.id == src.owner_id)
    if not ranked and not phones_first:
        stmt = stmt.where(_text_clause(shape, src.keys, phones_hidden))
    if shape == "all":
        # The whole list in its order: the same plan for every page (a range of the sort
        # index), prepared once on the server instead of planned for each page.
        return stmt
    # Its best plan depends on the text (index ranges, LIKE) and the page size.
    return stmt.execution_options(**{PLAN_PER_RUN: True})


def _visible(scope: DataScope, src: _ListSource) -> Any:
    """Whether the actor may open the row's customer (else the row is restricted)."""
    return and_(scope_clause(scope, src.owner_id), Customer.id.is_not(None))


@functools.cache
def _sort_columns(shape: str, scope: DataScope, phones_hidden: bool) -> dict[str, SortExpr]:
    """What each column of the list sorts by.

    A restricted row (a customer the actor may not open) shows only code, name and owner;
    its other columns sort as NULL, i.e. last, so the order reveals nothing of them. The
    phone is already the phone view's when the role has phones hidden."""
    src = _list_source(shape, scope)
    visible = _visible(scope, src)

    def shown(value: Any) -> Any:
        if scope is DataScope.ALL and src is _FROM_CUSTOMERS:
            # No restricted rows: the column itself, which an index can order.
            return value
        return case((visible, value), else_=null())

    cp = customer_phones.c
    return {
        "code": src.code,
        "name": src.sort_key,
        "short_name": shown(src.short_name),
        "customer_class": shown(ranked(Customer.customer_class, list(CustomerClass))),
        "source": shown(ranked(Customer.source, list(CustomerSource))),
        "status": shown(ranked(Customer.status, list(CustomerStatus))),
        "owner": User.display_name,
        "phone": cp.phone if phones_hidden else shown(Customer.phone),
    }


def _row(r: Any) -> CustomerRow:
    # A sorted page carries the sort value and id after these (app.services.paging).
    (id_, code, name, short_name, customer_class, source, status, owner_id, owner_name,
     phone, key, visible, *_) = r
    if visible:
        return CustomerRow(id_, code, name, short_name, customer_class, source, status,
                           owner_id, owner_name, phone, False, key)
    return CustomerRow(id_, code, name, None, None, None, None, owner_id, owner_name, None,
                       True, key)


_CUSTOMER_PHONES = ("phone", "phone_digits")
_CONTACT_PHONES = ("phone", "mobile", "phone_digits", "mobile_digits")


# --- the card as stored, in two statements -------------------------------------------------

# The columns of the one UNION ALL that reads everything on a card but the customer's own
# row: its contacts, addresses and devices (with their meter readings' count and latest)
# and the custom values of all three. Each kind of row fills the slots it needs.
_SLOTS: Mapping[str, Any] = MappingProxyType({
    "id": Integer(), "version": Integer(), "by": Integer(), "ref": Integer(),
    "n1": Integer(), "n2": Integer(),
    **{f"t{i}": UnicodeText() for i in range(1, 9)},
    "day": Date(), "flag": Boolean(), "num": Numeric(18, 4), "at": UTCDateTime(),
})
_CONTACT_SLOTS = {"t1": "name", "t2": "title", "t3": "phone", "t4": "phone_digits",
                  "t5": "mobile", "t6": "mobile_digits", "t7": "email", "t8": "notes",
                  "day": "birthday", "flag": "is_primary"}
_ADDRESS_SLOTS = {"t1": "kind", "t2": "city", "t3": "district", "t4": "street",
                  "t5": "postal_code", "flag": "is_default"}
_DEVICE_SLOTS = {"t1": "brand", "t2": "model", "t3": "serial_number", "t4": "location",
                 "t5": "status", "t6": "notes", "day": "install_date", "ref": "product_id"}
_VALUE_SLOTS = {"ref": "definition_id", "n1": "record_id", "t1": "entity", "t2": "value_text",
                "num": "value_number", "day": "value_date", "flag": "value_bool"}
# The slots of the children's own bookkeeping (an attached row must hold what it holds).
_TRACKED_SLOTS = {"version": "version", "by": "updated_by_id"}
_ACTOR_ID = "card_actor_id"


def _slots(kind: str, columns: Mapping[str, Any]) -> list[Any]:
    cells: list[Any] = [literal(kind, String(10)).label("row_kind")]
    for slot, type_ in _SLOTS.items():
        column = columns.get(slot)
        cells.append((cast(null(), type_) if column is None
                      else type_coerce(column, type_)).label(slot))
    return cells


def _filled(model: Any, slots: Mapping[str, str]) -> dict[str, Any]:
    return {slot: getattr(model, name) for slot, name in slots.items()}


@functools.cache
def _head_statement(phones_hidden: bool) -> Any:
    """The customer with the names of its owner and last editor, and the owner's
    department and active flag (for the data scope and the save's checks). A role with
    the phone field hidden reads its own customers' numbers from the phone view (its
    database login may not read the columns), the others' not at all."""
    owner, updater = aliased(User, name="owner"), aliased(User, name="updater")
    cells: list[Any] = [Customer, owner.display_name.label("owner_name"),
                        owner.department_id.label("owner_department_id"),
                        owner.active.label("owner_active"),
                        updater.display_name.label("updated_by_name")]
    if phones_hidden:
        cp = customer_phones.c
        me = bindparam(_ACTOR_ID, type_=Integer)
        cells += [select(cp[c]).where(cp.id == Customer.id, cp.owner_id == me)
                  .scalar_subquery().label(f"own_{c}") for c in _CUSTOMER_PHONES]
    stmt = (select(*cells)
            .outerjoin(owner, owner.id == Customer.owner_id)
            .outerjoin(updater, updater.id == Customer.updated_by_id)
            .where(Customer.id == bindparam("customer_id", type_=Integer)))
    if phones_hidden:
        stmt = stmt.options(*(defer(getattr(Customer, c)) for c in _CUSTOMER_PHONES))
    return stmt


@functools.cache
def _children_statement(phones_hidden: bool) -> Any:
    """Everything on the card but the customer's row, in one UNION ALL (see _SLOTS)."""
    cid = bindparam("customer_id", type_=Integer)
    contact = {**_filled(Contact, _CONTACT_SLOTS), **_filled(Contact, _TRACKED_SLOTS)}
    if phones_hidden:
        kp = contact_phones.c
        me = bindparam(_ACTOR_ID, type_=Integer)
        for slot in ("t3", "t4", "t5", "t6"):
            contact[slot] = select(kp[_CONTACT_SLOTS[slot]]).where(
                kp.id == Contact.id, kp.owner_id == me).scalar_subquery()
    readings = select(MeterReading.value).where(MeterReading.device_id == Device.id)
    latest = readings.order_by(MeterReading.read_at.desc(), MeterReading.id.desc()).limit(1)
    device = {
        **_filled(Device, _DEVICE_SLOTS), **_filled(Device, _TRACKED_SLOTS),
        "n1": select(func.count()).where(MeterReading.device_id == Device.id)
        .scalar_subquery(),
        "n2": latest.scalar_subquery(),
        "at": latest.with_only_columns(MeterReading.read_at).scalar_subquery(),
    }
    value = _filled(CustomFieldValue, _VALUE_SLOTS)

    def values_of(entity: CustomFieldEntity, record_ids: Any) -> Any:
        return select(*_slots("value", {"id": CustomFieldValue.id, **value})).where(
            CustomFieldValue.entity == entity, record_ids)

    return union_all(
        select(*_slots("contact", {"id": Contact.id, **contact}))
        .where(Contact.customer_id == cid),
        select(*_slots("address", {"id": Address.id, **_filled(Address, _ADDRESS_SLOTS),
                                   **_filled(Address, _TRACKED_SLOTS)}))
        .where(Address.customer_id == cid),
        select(*_slots("device", {"id": Device.id, **device}))
        .where(Device.customer_id == cid),
        values_of(CustomFieldEntity.CUSTOMER, CustomFieldValue.record_id == cid),
        values_of(CustomFieldEntity.CONTACT, CustomFieldValue.record_id.in_(
            select(Contact.id).where(Contact.customer_id == cid))),
        values_of(CustomFieldEntity.DEVICE, CustomFieldValue.record_id.in_(
            select(Device.id).where(Device.customer_id == cid))),
    )


def _named(row: Any, slots: Mapping[str, str], **more: Any) -> SimpleNamespace:
    """A union row as the model's attribute names (what the views and attach() read)."""
    return SimpleNamespace(id=row.id, **{name: getattr(row, slot) for slot, name in
                                         slots.items()}, **more)


@dataclass
class _Card:
    """A customer's card as stored, read in two statements (:func:`_read_card`), or as
    just written (:meth:`written`). Children and value rows in id order."""

    customer: Customer
    owner: _Owner | None
    updated_by_name: str | None
    contacts: list[Any]
    addresses: list[Any]
    devices: list[Any]
    value_rows: list[Any] = field(default_factory=list)
    reading_counts: dict[int, int] = field(default_factory=dict)
    last_readings: dict[int, tuple[int, dt.datetime]] = field(default_factory=dict)
    # The custom values as written (None: as read, from value_rows).
    written_values: Values | None = None

    @property
    def owner_department_id(self) -> int | None:
        return self.owner.department_id if self.owner else None

    @classmethod
    def written(cls, uow: UnitOfWork, customer: Customer, *, owner_name: str | None,
                actor: Actor, readings: Mapping[int, tuple[int, dt.datetime]],
                values: Values) -> _Card:
        """The card from the rows a save has just flushed (ids given), no query: its
        last editor is the actor."""
        def by_id(rows: Sequence[Any]) -> list[Any]:
            return sorted(rows, key=lambda r: r.id)

        owner = (_Owner(customer.owner_id, True, owner_name, None)
                 if customer.owner_id is not None else None)
        return cls(customer, owner, grants_for(uow, actor).display_name,
                   by_id(customer.contacts), by_id(customer.addresses),
                   by_id(customer.devices), last_readings=dict(readings),
                   written_values=values)

    def values(self, uow: UnitOfWork) -> dict[tuple[CustomFieldEntity, int], dict[str, Any]]:
        """The stored values of the active custom fields of the customer, its contacts and
        devices, by record (as ``custom_fields.values_for`` reads them)."""
        active = {f.id: f for entity in (CustomFieldEntity.CUSTOMER, CustomFieldEntity.CONTACT,
                                         CustomFieldEntity.DEVICE)
                  for f in custom_fields.load_definitions(uow, entity)}
        found: dict[tuple[CustomFieldEntity, int], dict[str, Any]] = {}
        for row in self.value_rows:
            f = active.get(row.definition_id)
            if f is not None and f.entity == row.entity:
                found.setdefault((f.entity, row.record_id), {})[f.code] = (
                    custom_fields.read_value(f, row))
        return found

    def attach(self, uow: UnitOfWork
               ) -> dict[tuple[CustomFieldEntity, int], list[CustomFieldValue]]:
        """Make the children and value rows read with the card the session's own, as if
        the ORM had loaded them, so that a save changes them in place (versions checked)
        and writes only what changed. Returns the value rows by record."""
        cid = self.customer.id

        def persistent(obj: Any) -> Any:
            make_transient_to_detached(obj)
            uow.session.add(obj)
            return obj

        def child(cls: type[Any], row: Any, slots: Mapping[str, str]) -> Any:
            return persistent(cls(customer_id=cid, **{name: getattr(row, name) for name in
                                                       ("id", *slots.values(),
                                                        *_TRACKED_SLOTS.values())}))

        set_committed_value(self.customer, "contacts",
                            [child(Contact, r, _CONTACT_SLOTS) for r in self.contacts])
        set_committed_value(self.customer, "addresses",
                            [child(Address, r, _ADDRESS_SLOTS) for r in self.addresses])
        set_committed_value(self.customer, "devices",
                            [child(Device, r, _DEVICE_SLOTS) for r in self.devices])
        rows: dict[tuple[CustomFieldEntity, int], list[CustomFieldValue]] = {}
        for r in self.value_rows:
            value = persistent(CustomFieldValue(
                id=r.id, **{name: getattr(r, name) for name in _VALUE_SLOTS.values()}))
            rows.setdefault((r.entity, r.record_id), []).append(value)
        return rows


def _read_card(uow: UnitOfWork, actor: Actor, customer_id: int) -> _Card:
    """The customer's card as stored: the customer's row with its owner's and editor's
    names, then everything on it in one UNION ALL. Refuses a customer the actor may not
    see (on a secured server its row is hidden) as :func:`refuse_hidden_customer`."""
    hidden = "phone" in hidden_fields(uow, actor, Module.CUSTOMERS)
    params = {"customer_id": customer_id, _ACTOR_ID: actor.user_id}
    children = _children_statement(hidden)
    # In the customer's round trip (PostgreSQL): its parameters are the same.
    uow.read_ahead(children, params)
    head = uow.session.execute(_head_statement(hidden), params).one_or_none()
    if head is None:
        refuse_hidden_customer(uow, actor, customer_id)
    customer: Customer = head[0]
    if hidden:
        for name in _CUSTOMER_PHONES:
            set_committed_value(customer, name, getattr(head, f"own_{name}"))
    owner = (None if customer.owner_id is None else
             _Owner(customer.owner_id, bool(head.owner_active), head.owner_name,
                    head.owner_department_id))
    card = _Card(customer, owner, head.updated_by_name, [], [], [])
    rows = uow.session.execute(children, params).all()
    for row in sorted(rows, key=lambda r: (r.row_kind, r.id)):
        tracked = {name: getattr(row, slot) for slot, name in _TRACKED_SLOTS.items()}
        if row.row_kind == "contact":
            card.contacts.append(_named(row, _CONTACT_SLOTS, **tracked))
        elif row.row_kind == "address":
            named = _named(row, _ADDRESS_SLOTS, **tracked)
            named.kind = AddressKind(named.kind)
            card.addresses.append(named)
        elif row.row_kind == "device":
            named = _named(row, _DEVICE_SLOTS, **tracked)
            named.status = DeviceStatus(named.status)
            card.devices.append(named)
            card.reading_counts[row.id] = int(row.n1 or 0)
            if row.n2 is not None:
                card.last_readings[row.id] = (row.n2, row.at)
        else:
            named = _named(row, _VALUE_SLOTS)
            named.entity = CustomFieldEntity(named.entity)
            card.value_rows.append(named)
    for contact in card.contacts:
        contact.is_primary = bool(contact.is_primary)
    for address in card.addresses:
        address.is_default = bool(address.is_default)
    return card


def refuse_hidden_customer(uow: UnitOfWork, actor: Actor, customer_id: int) -> NoReturn:
    """The customer's row was not found: on a secured server row security hides the
    customers outside the person's scope, so ask the directory whose it is and refuse as
    the program would ("someone else's customer"); only a customer that does not exist at
    all is "not found"."""
    entry = customer_entry(uow, customer_id)
    if entry is not None:
        require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, entry.owner_id)
    raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                      entity=tr("Customer"), id=customer_id))


def _children_snapshot(customer: Customer, readings: Mapping[int, int]
                       ) -> list[dict[str, Any]]:
    """The children for the audit log; a device's meter readings as their count
    (``readings``: stored and taken by device id; a new device's are its own)."""
    return ([audit.snapshot(c) for c in customer.contacts]
            + [audit.snapshot(a) for a in customer.addresses]
            + [{**audit.snapshot(d), "readings": (readings.get(d.id, 0) if d.id is not None
                                                  else len(d.readings))}
               for d in customer.devices])


def _keep_phones(draft: CustomerDraft, customer: Customer) -> CustomerDraft:
    """``draft`` with the stored phone numbers of the customer and its existing contacts."""
    stored = {c.id: c for c in customer.contacts}
    contacts = tuple(
        replace(c, phone=stored[c.id].phone, mobile=stored[c.id].mobile)
        if c.id is not None and c.id in stored else c
        for c in draft.contacts)
    return replace(draft, phone=customer.phone, contacts=contacts)


def _protect_phones(uow: UnitOfWork, actor: Actor, detail: CustomerDetail) -> CustomerDetail:
    """Blank the phone numbers a role with ``customers.phone`` hidden may not see: those of
    customers (and their contacts) its user does not own."""
    if sees_field(uow, actor, Module.CUSTOMERS, "phone", detail.owner_id):
        if may_change_field(uow, actor, Module.CUSTOMERS, "phone", detail.owner_id):
            return detail
        return replace(detail, phones_editable=False)
    return replace(detail, phone=None, phones_visible=False, phones_editable=False,
                   contacts=tuple(replace(c, phone=None, mobile=None)
                                  for c in detail.contacts))


def _card(uow: UnitOfWork, actor: Actor, card: _Card) -> CustomerDetail:
    """The card as the actor may see it (custom field definitions from the station's copy:
    no query)."""
    customer = card.customer
    fields = custom_fields.load_definitions(uow, CustomFieldEntity.CUSTOMER)
    contact_fields = custom_fields.load_definitions(uow, CustomFieldEntity.CONTACT)
    device_fields = custom_fields.load_definitions(uow, CustomFieldEntity.DEVICE)
    values = card.written_values if card.written_values is not None else card.values(uow)

    def custom(entity: CustomFieldEntity, record_id: int,
               of: Sequence[FieldDefinition]) -> dict[str, Any]:
        held = values.get((entity, record_id), {})
        return {f.code: held.get(f.code) for f in of}

    def device(d: Any) -> DeviceView:
        last = card.last_readings.get(d.id)
        return DeviceView(id=d.id, brand=d.brand, model=d.model, serial_number=d.serial_number,
                          install_date=d.install_date, location=d.location,
                          status=DeviceStatus(d.status), notes=d.notes,
                          last_reading=last[0] if last else None,
                          last_reading_at=last[1] if last else None,
                          custom=custom(CustomFieldEntity.DEVICE, d.id, device_fields))

    detail = CustomerDetail(
        id=customer.id, code=customer.code, version=customer.version, kind=customer.kind,
        name=customer.name, short_name=customer.short_name, source=customer.source,
        customer_class=customer.customer_class, status=customer.status,
        owner_id=customer.owner_id, owner_name=card.owner.name if card.owner else None,
        phone=customer.phone, email=customer.email, industry=customer.industry,
        tax_number=customer.tax_number, website=customer.website, notes=customer.notes,
        created_at=customer.created_at, updated_at=customer.updated_at,
        updated_by_name=card.updated_by_name,
        contacts=tuple(
            ContactView(id=c.id, name=c.name, title=c.title, phone=c.phone, mobile=c.mobile,
                        email=c.email, birthday=c.birthday, is_primary=bool(c.is_primary),
                        notes=c.notes,
                        custom=custom(CustomFieldEntity.CONTACT, c.id, contact_fields))
            for c in card.contacts
        ),
        addresses=tuple(
            AddressView(id=a.id, kind=AddressKind(a.kind), city=a.city, district=a.district,
                        street=a.street, postal_code=a.postal_code,
                        is_default=bool(a.is_default))
            for a in card.addresses
        ),
        devices=tuple(device(d) for d in card.devices),
        custom=custom(CustomFieldEntity.CUSTOMER, customer.id, fields),
        custom_fields=fields,
        contact_fields=contact_fields,
        device_fields=device_fields,
    )
    return _protect_phones(uow, actor, detail)


__all__ = [
    "CUSTOMER_SORT_KEYS",
    "AddressDraft",
    "ContactDraft",
    "CustomerDetail",
    "CustomerDraft",
    "CustomerFilters",
    "CustomerPage",
    "CustomFilter",
    "CustomerRow",
    "DeviceDraft",
    "DeviceView",
    "DuplicateHit",
    "create_customer",
    "find_duplicates",
    "get_customer",
    "search_customers",
    "update_customer",
]
