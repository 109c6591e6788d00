"""Importing customers, their contacts and addresses from a sheet: map, check, match, commit,
undo.

A sheet is read in two passes over the file. :func:`plan_customer_import` (the dry run)
maps the columns, turns the rows into customer drafts — several rows under one company name
are one customer with several contacts — checks each with the customer card's own rules and
matches it against the customers already stored (same phone, same name, same name without
its city and company-type words, same pinyin) and against the rows above it. Nothing is
written. :func:`run_customer_import` then writes what the plan says, a chunk of customers per
transaction, each record noted in ``import_items`` with its batch, and
:func:`undo_import` removes and restores exactly that — except what was used since.

Matching reads the stored names and numbers once into dictionaries, so a sheet of 100 000
rows is not compared row by row with 100 000 customers.
"""

from __future__ import annotations

import datetime as dt
import enum
import gc
import hashlib
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Protocol

from sqlalchemy import delete, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, undefer

from app.db import insert_many, table_of, waits_on_server
from app.i18n import tr
from app.labels import label
from app.models import (
    Address,
    Contact,
    ContractDevice,
    Customer,
    CustomFieldValue,
    Device,
    Order,
    Product,
    User,
    utcnow,
)
from app.models.customers import CustomerAlias, customer_directory
from app.models.enums import (
    AddressKind,
    AuditAction,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    CustomFieldEntity,
    CustomFieldKind,
    DataScope,
    Module,
    Operation,
)
from app.models.imports import ImportBatch, ImportItem
from app.security import principals
from app.services import audit, custom_fields, search_keys
from app.services.customers import (
    AddressDraft,
    ContactDraft,
    CustomerDraft,
    add_customer,
    add_customers,
    check_draft,
)
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.importing.source import Formula, Header, SourceRow, find_header, open_source
from app.services.merging import references
from app.services.permissions import Actor, hidden_fields, require, scope_params
from app.services.uow import UnitOfWork
from app.textkeys import normalise_name, phone_digits, pinyin_full, without_place

CUSTOMERS: Final = "customers"
# What to do with a row that matches a stored customer (or a row above it).
FILL, SKIP, OVERWRITE, CREATE = "fill", "skip", "overwrite", "create"
ON_MATCH: Final = (FILL, SKIP, OVERWRITE, CREATE)
# How two customers were found alike, strongest first (as the duplicate check on the card).
MATCH_REASONS: Final = ("same_phone", "same_name", "similar_name", "same_pinyin")
# Customers per transaction. Fewer, larger commits are much cheaper on SQLite (10 000 into
# a file of 50 000: 43 s in chunks of 200, 34 s of 1 000, 31 s of 2 000), but a chunk holds
# the customer number counter until it commits: at about 3.5 s for 1 000 on PostgreSQL a
# station adding a customer meanwhile waits well within its 10 s lock timeout.
CHUNK: Final = 1000

ProgressCallback = Callable[[int, int], None]


# --- fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    """A field a column can be mapped to: ``code`` (``name``, ``contact.mobile``,
    ``custom.<code>``), its label (an English key, or a custom field's own label) and the
    header texts that mean it."""

    code: str
    label: str
    headers: tuple[str, ...]
    translated: bool = True

    def shown(self) -> str:
        return tr(self.label) if self.translated else self.label


_FIXED: Final = (
    ImportField("name", "Customer name", ("客户名称", "客户名", "名称", "公司名称", "公司",
                                          "单位名称", "单位", "客户", "企业名称", "customer",
                                          "customername", "name", "company", "companyname")),
    ImportField("short_name", "Short name", ("简称", "客户简称", "shortname")),
    ImportField("kind", "Kind", ("类型", "客户类型", "性质", "kind", "type")),
    ImportField("customer_class", "Class", ("客户类别", "类别", "客户分类", "分类", "等级",
                                            "客户等级", "class", "category", "grade")),
    ImportField("source", "Source", ("来源", "客户来源", "source")),
    ImportField("status", "Status", ("状态", "客户状态", "status")),
    ImportField("owner", "Owner", ("业务员", "负责人", "销售", "销售员", "归属", "跟进人",
                                   "owner", "salesperson")),
    ImportField("phone", "Phone", ("联系电话", "电话", "公司电话", "座机", "固话", "phone",
                                   "telephone", "tel")),
    ImportField("email", "E-mail", ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail")),
    ImportField("industry", "Industry", ("行业", "所属行业", "industry")),
    ImportField("tax_number", "Tax number", ("税号", "纳税人识别号", "统一社会信用代码",
                                             "taxnumber", "taxid")),
    ImportField("website", "Website", ("网址", "网站", "主页", "website", "web", "url")),
    ImportField("notes", "Notes", ("备注", "说明", "notes", "note", "remarks", "comment")),
    ImportField("first_contact_on", "First contact", ("首次联系日期", "首次联系", "建档日期",
                                                      "录入日期", "firstcontact")),
    ImportField("contact.name", "Contact name", ("联系人", "联系人姓名", "姓名", "contact",
                                                 "contactname")),
    ImportField("contact.title", "Contact title", ("职务", "职位", "联系人职务", "title",
                                                   "position")),
    ImportField("contact.phone", "Contact phone", ("联系人电话", "联系人座机", "contactphone")),
    ImportField("contact.mobile", "Contact mobile", ("手机", "手机号", "手机号码", "移动电话",
                                                     "联系人手机", "mobile", "cellphone")),
    ImportField("contact.email", "Contact e-mail", ("联系人邮箱", "联系人email",
                                                    "contactemail")),
    ImportField("address.street", "Address", ("地址", "详细地址", "公司地址", "联系地址",
                                               "通讯地址", "address", "street")),
    ImportField("address.city", "City", ("城市", "所在城市", "city")),
    ImportField("address.district", "District", ("区县", "区", "所在区", "district")),
    ImportField("delivery.street", "Delivery address", ("送货地址", "收货地址", "交货地址",
                                                        "deliveryaddress")),
    ImportField("billing.street", "Billing address", ("开票地址", "发票地址", "账单地址",
                                                      "billingaddress")),
)
# The address columns by the kind of address they fill: the office address (地址, with its
# city and district), a delivery address and a billing address.
_ADDRESS_KINDS: Final = {"address": AddressKind.OFFICE, "delivery": AddressKind.DELIVERY,
                         "billing": AddressKind.BILLING}
# Header words under a group header "联系人" mean the contact's fields.
_CONTACT_GROUPS: Final = ("联系人", "联系人信息", "contact", "contacts")
_CONTACT_UNDER_GROUP: Final = {"姓名": "contact.name", "名字": "contact.name",
                               "name": "contact.name", "电话": "contact.phone",
                               "phone": "contact.phone", "邮箱": "contact.email",
                               "email": "contact.email"}
_FOLD = re.compile(r"[\s\W_]+", re.UNICODE)


def fold_header(text: str) -> str:
    """A header as it is compared: width-folded, lower case, no spaces or punctuation
    (``联系电话：``, ``*客户名称``, ``Customer Name`` all compare by their words)."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def import_fields(uow: UnitOfWork) -> tuple[ImportField, ...]:
    """The fixed fields and the active custom fields of customers and of contacts (a
    contact's: ``contact.custom.<code>``, its header the field's label, or 联系人 and it)."""
    customer = custom_fields.load_definitions(uow, CustomFieldEntity.CUSTOMER)
    contact = custom_fields.load_definitions(uow, CustomFieldEntity.CONTACT)
    return _FIXED + tuple(
        ImportField(custom_fields.FIELD_PREFIX + f.code, f.label(), (f.label_zh, f.label_en,
                                                                    f.code), translated=False)
        for f in customer) + tuple(
        ImportField(_CONTACT_CUSTOM + f.code, tr("Contact {field}", field=f.label()),
                    (f"联系人{f.label_zh}", f"contact{f.label_en}", f.label_zh, f.label_en),
                    translated=False)
        for f in contact)


# A contact's custom field, as a field code: contact.custom.<code>.
_CONTACT_CUSTOM: Final = "contact." + custom_fields.FIELD_PREFIX


def _custom_definitions(uow: UnitOfWork) -> dict[str, custom_fields.FieldDefinition]:
    """The active custom fields of customers and contacts, by their field code."""
    found = {custom_fields.FIELD_PREFIX + f.code: f for f in custom_fields.load_definitions(
        uow, CustomFieldEntity.CUSTOMER)}
    found.update({_CONTACT_CUSTOM + f.code: f for f in custom_fields.load_definitions(
        uow, CustomFieldEntity.CONTACT)})
    return found


def guess_mapping(header: Header, fields: Sequence[ImportField]) -> dict[int, str]:
    """Column → field code, from the header texts: each field once, the first column
    that names it; a column under the group header 联系人 maps to the contact's field."""
    by_text: dict[str, str] = {}
    for f in fields:
        for text in f.headers:
            by_text.setdefault(fold_header(text), f.code)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(header.names):
        folded = fold_header(name)
        if not folded:
            continue
        group = fold_header(header.groups[index]) if index < len(header.groups) else ""
        code = None
        if group in _CONTACT_GROUPS:
            code = by_text.get(fold_header(header.groups[index] + name)) \
                or _CONTACT_UNDER_GROUP.get(folded)
            if code is None and by_text.get(folded, "").startswith("contact."):
                code = by_text[folded]
        code = code or by_text.get(folded)
        if code is not None and code not in taken:
            mapping[index] = code
            taken.add(code)
    return mapping


def known_header(fields: Sequence[ImportField]) -> Callable[[str], bool]:
    texts = {fold_header(t) for f in fields for t in f.headers}
    return lambda text: fold_header(text) in texts


def layout_key(header: Header) -> str:
    """The same for every file with the same columns: a mapping is remembered by it."""
    names = "\x1f".join(fold_header(g + "|" + n) for g, n in zip(header.groups, header.names,
                                                                    strict=False))
    return hashlib.sha1(names.encode("utf-8")).hexdigest()


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowIssue:
    """Why a row (or one of its cells) cannot be imported: ``field`` is a field code (or
    ``""`` for the whole row), ``message`` is for people."""

    row: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Match:
    """A stored customer (``customer_id``) or a customer made by rows above
    (``planned``, its index in the plan) that a planned customer looks like."""

    reason: str
    customer_id: int | None = None
    code: str | None = None
    name: str = ""
    version: int | None = None
    planned: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedCustomer:
    """One customer the sheet describes: the rows it comes from, its draft, what was found
    like it and what the import will do (``create``, ``update``, ``skip``, ``merge`` into
    a customer above, or ``error``)."""

    rows: tuple[int, ...]
    draft: CustomerDraft
    first_contact_on: dt.date | None = None
    match: Match | None = None
    outcome: str = "create"
    errors: tuple[RowIssue, ...] = ()
    # fill or overwrite, for an update or a merge
    choice: str = FILL


@dataclass(frozen=True)
class ImportPlan:
    """What a dry run found; :func:`run_customer_import` writes it."""

    path: str
    sheet: str | None
    header: Header
    mapping: Mapping[int, str]
    customers: tuple[PlannedCustomer, ...]
    # Rows that make no customer at all (no name), with why.
    row_errors: tuple[RowIssue, ...]
    rows_read: int
    on_match: Mapping[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "skip": 0, "merge": 0, "error": 0}
        for c in self.customers:
            counts[c.outcome] += 1
        counts["error"] += len({i.row for i in self.row_errors})
        return counts

    def issues(self) -> list[RowIssue]:
        """Every problem, in row order."""
        found = [*self.row_errors, *(i for c in self.customers for i in c.errors)]
        return sorted(found, key=lambda i: (i.row, i.field))

    def outcome_of_row(self) -> dict[int, str]:
        """What happens to each sheet row, for the dry run's report: will create / will
        update KH-… / duplicate of KH-… (skipped) / error."""
        said: dict[int, str] = {}
        for planned in self.customers:
            text = _outcome_text(self, planned)
            for row in planned.rows:
                said[row] = text
        for issue in self.row_errors:
            said[issue.row] = tr("error: {reason}", reason=issue.message)
        return dict(sorted(said.items()))


def _outcome_text(plan: ImportPlan, planned: PlannedCustomer) -> str:
    match = planned.match
    if planned.outcome == "error":
        return tr("error: {reason}", reason="; ".join(
            f"{_field_label(plan, i.field)}: {i.message}" if i.field else i.message
            for i in planned.errors))
    if match is None:
        return tr("will create")
    why = label_reason(match.reason)
    if match.planned is not None:
        first = plan.customers[match.planned].rows[0]
        if planned.outcome == "merge":
            return tr("same customer as row {row} ({why}): added to it", row=first, why=why)
        if planned.outcome == "skip":
            return tr("duplicate of row {row} ({why}): skipped", row=first, why=why)
        return tr("will create (like row {row}: {why})", row=first, why=why)
    if planned.outcome == "update":
        return tr("will update {code} {name} ({why})", code=match.code, name=match.name,
                  why=why)
    if planned.outcome == "skip":
        return tr("duplicate of {code} {name} ({why}): skipped", code=match.code,
                  name=match.name, why=why)
    return tr("will create (like {code} {name}: {why})", code=match.code, name=match.name,
              why=why)


def label_reason(reason: str) -> str:
    return {"same_phone": tr("same phone"), "same_name": tr("same name"),
            "similar_name": tr("same name without city and company type"),
            "same_pinyin": tr("same pinyin")}.get(reason, reason)


def _field_label(plan: ImportPlan, code: str) -> str:
    for f in _FIXED:
        if f.code == code:
            return f.shown()
    return code.removeprefix(custom_fields.FIELD_PREFIX)


def _check_importer(uow: UnitOfWork, actor: Actor) -> None:
    """Importing creates and changes customers of anyone, and its undo deletes them: it
    needs the three operations over every customer (management has them)."""
    grants = require(uow, actor, Module.CUSTOMERS, Operation.CREATE)
    if not (grants.allows(Module.CUSTOMERS, Operation.EDIT)
            and grants.allows(Module.CUSTOMERS, Operation.DELETE)
            and scope_params(uow, actor, Module.CUSTOMERS)[0] is DataScope.ALL):
        raise PermissionDenied(
            tr("Importing customers needs permission to create, change and delete customers"
               " and to see every customer; ask management."),
            module=Module.CUSTOMERS, operation=Operation.CREATE)


def plan_customer_import(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, sheet: str | None = None,
    mapping: Mapping[int, str] | None = None,
    on_match: str | Mapping[str, str] = FILL,
    decisions: Mapping[int, str] | None = None,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """The dry run: read the sheet, map it (``mapping``: column → field code; guessed from
    the headers, or remembered from the last import of the same layout, when not given),
    check every row and match it. Writes nothing.

    ``on_match`` says what to do with a customer that matches: one of ``fill`` (fill the
    stored customer's empty fields, add new contacts), ``skip``, ``overwrite`` (also
    replace filled fields) or ``create`` (a second card) — for every match, or per reason
    (``{"same_phone": "skip", …}``, fill for reasons not named). ``decisions`` overrides it
    for single planned customers (by their index in a previous plan of the same file).

    Raises :class:`ValidationError` for a file that cannot be read or a mapping that names
    a column the sheet does not have or a field twice, and :class:`PermissionDenied`.
    """
    choices = _choices(on_match)
    with uow.reading():
        _check_importer(uow, actor)
        fields = import_fields(uow)
        known = known_header(fields)
        users = _users(uow)
        definitions = _custom_definitions(uow)
    with open_source(path) as source:
        if sheet is not None and sheet not in source.sheets:
            raise ValidationError({"sheet": tr("The file has no sheet named {sheet}.",
                                               sheet=sheet)})
        rows = source.rows(sheet)
        header, consumed = find_header(rows, known)
        if mapping is None:
            mapping = _remembered(uow, actor, header) or guess_mapping(header, fields)
        mapping = _checked_mapping(mapping, header, fields)
        groups, row_errors, read = _group_rows(
            _chain(consumed, rows), mapping, users, definitions, actor, progress)
    pending: list[_Group | None] = list(groups)
    del groups  # _match lets each group go as it plans it
    with uow.reading():
        planned = _match(uow, actor, pending, choices, decisions or {})
    return ImportPlan(path=str(path), sheet=sheet, header=header, mapping=dict(mapping),
                      customers=tuple(planned), row_errors=tuple(row_errors), rows_read=read,
                      on_match=choices)


@dataclass(frozen=True)
class SheetLayout:
    """What the wizard's mapping step shows: the workbook's sheets, the header found, the
    fields a column can go to, the mapping to start from (remembered from the last import
    of the same columns, or guessed) and the first rows as they are in the sheet."""

    path: str
    sheet: str | None
    sheets: tuple[str, ...]
    header: Header
    fields: tuple[ImportField, ...]
    mapping: Mapping[int, str]
    remembered: bool
    samples: tuple[tuple[object, ...], ...]


def read_layout(*, uow: UnitOfWork, actor: Actor, path: str | Path, sheet: str | None = None,
                samples: int = 5, kind: str = CUSTOMERS,
                fields: Sequence[ImportField] | None = None) -> SheetLayout:
    """The sheet's columns and the mapping to start from, for the wizard's mapping step:
    of a customer sheet, or of another ``kind`` of import with its ``fields``. Reads the
    header and ``samples`` rows only. Raises :class:`ValidationError` for a file that
    cannot be read, and :class:`PermissionDenied`."""
    with uow.reading():
        _check_importer(uow, actor)
        fields = tuple(fields) if fields is not None else import_fields(uow)
    with open_source(path) as source:
        if sheet is not None and sheet not in source.sheets:
            raise ValidationError({"sheet": tr("The file has no sheet named {sheet}.",
                                               sheet=sheet)})
        rows = source.rows(sheet)
        header, consumed = find_header(rows, known_header(fields))
        first: list[tuple[object, ...]] = []
        for row in _chain(consumed, rows):
            if len(first) >= samples:
                break
            first.append(tuple(str(c) if isinstance(c, Formula) else c for c in row.cells))
        sheets = tuple(source.sheets)
    remembered = _remembered(uow, actor, header, kind)
    mapping = remembered or guess_mapping(header, fields)
    return SheetLayout(path=str(path), sheet=sheet, sheets=sheets, header=header,
                       fields=fields, mapping=mapping, remembered=remembered is not None,
                       samples=tuple(first))


def _choices(on_match: str | Mapping[str, str]) -> dict[str, str]:
    given = {reason: on_match for reason in MATCH_REASONS} if isinstance(on_match, str) \
        else {reason: on_match.get(reason, FILL) for reason in MATCH_REASONS}
    wrong = sorted({v for v in given.values() if v not in ON_MATCH})
    if wrong:
        raise ValidationError({"on_match": tr(
            "must be one of fill, skip, overwrite, create (not {value})", value=wrong[0])})
    return given


def _chain(first: Iterable[SourceRow], rest: Iterable[SourceRow]) -> Iterator[SourceRow]:
    yield from first
    yield from rest


def _checked_mapping(mapping: Mapping[int, str], header: Header,
                     fields: Sequence[ImportField], *,
                     required: Mapping[str, str] | None = None) -> dict[int, str]:
    """``mapping`` checked against the sheet and the fields; ``required``: the fields a
    column must be mapped to, with the message when none is (the customer name)."""
    codes = {f.code for f in fields}
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    for column, code in mapping.items():
        if not 0 <= column < len(header.names):
            errors[code] = tr("is mapped to column {column}, but the sheet has {count} columns",
                              column=column_name(column), count=len(header.names))
        elif code not in codes:
            errors[code] = tr("is not a field this import knows")
        elif code in seen:
            errors[code] = tr("is mapped to two columns ({first} and {second})",
                              first=column_name(seen[code]), second=column_name(column))
        seen.setdefault(code, column)
    wanted = {"name": tr("no column is mapped to the customer name")} if required is None \
        else required
    for code, message in wanted.items():
        if code not in mapping.values() and code not in errors:
            errors[code] = message
    if errors:
        raise ValidationError(errors, "; ".join(
            f"{_code_label(code, fields)}: {message}" for code, message in errors.items()))
    return dict(mapping)


def _code_label(code: str, fields: Sequence[ImportField]) -> str:
    return next((f.shown() for f in fields if f.code == code), code)


def column_name(index: int) -> str:
    """Excel's name of a column: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _remembered(uow: UnitOfWork, actor: Actor, header: Header, kind: str = CUSTOMERS
                ) -> dict[int, str] | None:
    """The mapping of the last import of this kind of a sheet with these very columns."""
    key = layout_key(header)
    with uow.reading():
        text = uow.session.execute(
            select(ImportBatch.mapping).where(ImportBatch.layout == key,
                                              ImportBatch.kind == kind)
            .order_by(ImportBatch.id.desc()).limit(1)).scalar()
    if not text:
        return None
    try:
        return {int(k): str(v) for k, v in json.loads(text).items()}
    except (ValueError, AttributeError):
        return None


# --- rows into drafts ------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """The rows of one customer while the sheet is read."""

    key: str
    rows: list[int]
    values: dict[str, Any]
    contacts: list[dict[str, Any]]
    # Each address once (its kind and street), as the rows give them: a row per site adds
    # each site's address, a delivery address column one more.
    addresses: list[dict[str, Any]]
    custom: dict[str, Any]
    errors: list[RowIssue]


_KIND_WORDS: Final = {
    "个人": CustomerKind.PERSON, "个体": CustomerKind.PERSON, "自然人": CustomerKind.PERSON,
    "person": CustomerKind.PERSON, "individual": CustomerKind.PERSON,
    "公司": CustomerKind.COMPANY, "企业": CustomerKind.COMPANY, "单位": CustomerKind.COMPANY,
    "机构": CustomerKind.COMPANY, "company": CustomerKind.COMPANY,
}
_CLASS_WORDS: Final = {"a": CustomerClass.A, "b": CustomerClass.B, "c": CustomerClass.C,
                       "a类": CustomerClass.A, "b类": CustomerClass.B, "c类": CustomerClass.C,
                       "重点": CustomerClass.KEY_ACCOUNT, "vip": CustomerClass.KEY_ACCOUNT,
                       "经销商": CustomerClass.DEALER, "零售": CustomerClass.RETAIL}
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YES: Final = {"是", "有", "yes", "y", "true", "1", "√", "对"}
_NO: Final = {"否", "无", "no", "n", "false", "0", "×", "不"}


def _users(uow: UnitOfWork) -> dict[str, int]:
    """Active users by display name and by user name (folded)."""
    found: dict[str, int] = {}
    for user_id, username, display in uow.session.execute(
            select(User.id, User.username, User.display_name).where(User.active)):
        found.setdefault(fold_header(display or ""), user_id)
        found.setdefault(fold_header(username), user_id)
    found.pop("", None)
    return found


def customer_finder(uow: UnitOfWork) -> Callable[[str], tuple[int, str] | str]:
    """For the imports of a customer's records (devices, opening balances): a function from
    what a row names the customer by — its number (an old merged number too) or its name —
    to (id, "number name"), or why it names no one customer. Reads the directory once."""
    d = customer_directory.c
    by_code: dict[str, tuple[int, str]] = {}
    by_name: dict[str, list[tuple[int, str]]] = {}
    for cid, code, name, key in uow.session.execute(select(d.id, d.code, d.name, d.name_key)):
        by_code[code.upper()] = (cid, f"{code} {name}")
        by_name.setdefault(key, []).append((cid, f"{code} {name}"))
    for alias, cid, code, name in uow.session.execute(
            select(CustomerAlias.code, d.id, d.code, d.name)
            .join(customer_directory, d.id == CustomerAlias.customer_id)):
        by_code.setdefault(alias.upper(), (cid, f"{code} {name}"))

    def find(text: str) -> tuple[int, str] | str:
        if text.upper() in by_code:
            return by_code[text.upper()]
        found = by_name.get(normalise_name(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            return tr("{count} customers are named {name}: give the customer number instead",
                      count=len(found), name=text)
        return tr("no customer {name}: import the customers first", name=text)

    return find


def _enum_words(kind: type[Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    words = {fold_header(k): v for k, v in extra.items()}
    for member in kind:
        words.setdefault(fold_header(member.value), member)
        for language in ("zh", "en"):
            words.setdefault(fold_header(label(member, language=language)), member)
    return words


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _phone(value: object) -> str | None:
    """A number as typed, width-folded, its spaces and dashes kept (010 6588-1234);
    a number Excel stored as a number comes back without its ``.0``."""
    text = _text(value)
    return re.sub(r"\s+", " ", text) if text else None


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value) or ""
    found = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if found:
        year, month, day = (int(p) for p in found.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(text)


class _RowReader:
    """Turns one sheet row into field values and the row's issues."""

    def __init__(self, mapping: Mapping[int, str], users: Mapping[str, int],
                 definitions: Mapping[str, custom_fields.FieldDefinition]) -> None:
        self.mapping = mapping
        self.users = users
        self.definitions = definitions
        self.kinds = _enum_words(CustomerKind, _KIND_WORDS)
        self.classes = _enum_words(CustomerClass, _CLASS_WORDS)
        self.sources = _enum_words(CustomerSource, {})
        self.statuses = _enum_words(CustomerStatus, {})

    def read(self, row: SourceRow) -> tuple[dict[str, Any], list[RowIssue]]:
        values: dict[str, Any] = {}
        issues: list[RowIssue] = []
        for column, code in self.mapping.items():
            raw = row.cells[column] if column < len(row.cells) else None
            if raw is None:
                continue
            if isinstance(raw, Formula):
                issues.append(RowIssue(row.number, code, tr(
                    "holds a formula ({formula}): save the sheet with values (copy, paste "
                    "values) and import it again", formula=str(raw)[:40])))
                continue
            try:
                value = self._value(code, raw)
            except ValueError as error:
                issues.append(RowIssue(row.number, code, str(error)))
                continue
            if value is not None:
                values[code] = value
        return values, issues

    def _value(self, code: str, raw: object) -> Any:
        if code in ("phone", "contact.phone", "contact.mobile"):
            number = _phone(raw)
            digits = phone_digits(number) or ""
            if code == "contact.mobile" and digits:
                # A mainland mobile number: 11 digits from 1 (with or without +86).
                if not re.fullmatch(r"(86)?1\d{10}", digits):
                    raise ValueError(tr("{text} is not a mobile number (11 digits starting "
                                        "with 1)", text=number))
            elif digits and len(digits) < 7:
                raise ValueError(tr("{text} is too short for a phone number", text=number))
            return number
        if code == "first_contact_on":
            try:
                return _date(raw)
            except ValueError:
                raise ValueError(tr("is not a date: {text} (write it as 2024-03-05)",
                                    text=_text(raw) or "")) from None
        if code in ("kind", "customer_class", "source", "status"):
            words = {"kind": self.kinds, "customer_class": self.classes,
                     "source": self.sources, "status": self.statuses}[code]
            text = _text(raw) or ""
            member = words.get(fold_header(text))
            if member is None:
                raise ValueError(tr("{text} is not one of: {choices}", text=text, choices="、".join(
                    sorted({label(m) for m in words.values()}))))
            return member
        if code == "owner":
            text = _text(raw) or ""
            user_id = self.users.get(fold_header(text))
            if user_id is None:
                raise ValueError(tr("{text} is not an active user", text=text))
            return user_id
        if code.startswith((custom_fields.FIELD_PREFIX, _CONTACT_CUSTOM)):
            return self._custom(code, raw)
        return _text(raw)

    def _custom(self, code: str, raw: object) -> Any:
        definition = self.definitions.get(code)
        text = _text(raw)
        if definition is None or text is None:
            return text
        kind = definition.kind
        if kind is CustomFieldKind.DATE:
            try:
                return _date(raw)
            except ValueError:
                raise ValueError(tr("is not a date: {text} (write it as 2024-03-05)",
                                    text=text)) from None
        if kind is CustomFieldKind.BOOLEAN:
            if fold_header(text) in _YES:
                return True
            if fold_header(text) in _NO:
                return False
            raise ValueError(tr("must be yes or no"))
        if kind in custom_fields.NUMBER_KINDS:
            try:
                return Decimal(text.replace(",", ""))
            except InvalidOperation:
                raise ValueError(tr("is not a number: {text}", text=text)) from None
        if kind in (CustomFieldKind.CHOICE, CustomFieldKind.MULTI_CHOICE):
            wanted = [fold_header(p) for p in re.split(r"[,，、;；/]", text) if p.strip()]
            codes = []
            for part in wanted:
                choice = next((c for c in definition.options if part in (
                    fold_header(c.code), fold_header(c.zh), fold_header(c.en))), None)
                if choice is None:
                    raise ValueError(tr("{text} is not one of the choices", text=text))
                codes.append(choice.code)
            return codes[0] if kind is CustomFieldKind.CHOICE else tuple(codes)
        return text


_CUSTOMER_FIELDS: Final = ("short_name", "kind", "customer_class", "source", "status", "owner",
                           "phone", "email", "industry", "tax_number", "website", "notes",
                           "first_contact_on")


def _group_rows(rows: Iterable[SourceRow], mapping: Mapping[int, str],
                users: Mapping[str, int],
                definitions: Mapping[str, custom_fields.FieldDefinition], actor: Actor,
                progress: ProgressCallback | None) -> tuple[list[_Group], list[RowIssue], int]:
    """The rows as customers: rows under the same name are one customer (each with its
    contact); a row without a name right below a customer's row (no blank row between)
    that names a contact adds that contact to it."""
    reader = _RowReader(mapping, users, definitions)
    groups: dict[str, _Group] = {}
    row_errors: list[RowIssue] = []
    last: _Group | None = None
    last_row = -1
    read = 0
    for row in rows:
        read += 1
        if progress is not None and read % 1000 == 0:
            progress(read, 0)
        values, issues = reader.read(row)
        name = values.get("name")
        if name is None:
            below = last is not None and row.number == last_row + 1
            if below and last is not None and values.get("contact.name"):
                _add_contact(last, values, row.number)
                last.errors.extend(issues)
                last.rows.append(row.number)
                last_row = row.number
                continue
            if any(v is not None for v in values.values()) or issues:
                row_errors.append(RowIssue(row.number, "name", tr(
                    "the customer name is empty")))
            last, last_row = None, row.number
            continue
        key = normalise_name(name)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(key, [], {"name": name}, [], [], {}, [])
        group.rows.append(row.number)
        group.errors.extend(issues)
        for code in _CUSTOMER_FIELDS:
            if code in values:
                group.values.setdefault(code, values[code])
        _add_addresses(group, values)
        for code, value in values.items():
            if code.startswith(custom_fields.FIELD_PREFIX):
                group.custom.setdefault(code.removeprefix(custom_fields.FIELD_PREFIX), value)
        _add_contact(group, values, row.number)
        last, last_row = group, row.number
    return list(groups.values()), row_errors, read


def _add_addresses(group: _Group, values: Mapping[str, Any]) -> None:
    """The row's addresses into the group, each kind and street once."""
    for prefix, kind in _ADDRESS_KINDS.items():
        street = values.get(f"{prefix}.street")
        if not street or any(a["kind"] == kind and a["street"] == street
                             for a in group.addresses):
            continue
        group.addresses.append({"kind": kind, "street": street,
                                "city": values.get(f"{prefix}.city"),
                                "district": values.get(f"{prefix}.district")})


def _add_contact(group: _Group, values: Mapping[str, Any], row: int) -> None:
    """The row's contact into the group (``_row``: the sheet row it came from, where its
    errors are reported); a contact named twice is one, filled from both rows."""
    name = values.get("contact.name")
    if not name:
        return
    contact = {k.removeprefix("contact."): v for k, v in values.items()
               if k.startswith("contact.")}
    contact["_row"] = row
    known = next((c for c in group.contacts if c["name"] == name), None)
    if known is None:
        group.contacts.append(contact)
    else:
        for k, v in contact.items():
            known.setdefault(k, v)


def _draft(group: _Group, actor: Actor) -> CustomerDraft:
    v = group.values
    contacts = tuple(
        ContactDraft(name=c["name"], title=c.get("title"), phone=c.get("phone"),
                     mobile=c.get("mobile"), email=c.get("email"), is_primary=i == 0,
                     custom={k.removeprefix(custom_fields.FIELD_PREFIX): v
                             for k, v in c.items() if k.startswith(custom_fields.FIELD_PREFIX)})
        for i, c in enumerate(group.contacts))
    addresses = tuple(AddressDraft(street=a["street"], kind=a["kind"], city=a["city"],
                                   district=a["district"], is_default=i == 0)
                      for i, a in enumerate(group.addresses))
    return CustomerDraft(
        name=v["name"], kind=v.get("kind", CustomerKind.COMPANY),
        short_name=v.get("short_name"), source=v.get("source", CustomerSource.WALK_IN),
        customer_class=v.get("customer_class", CustomerClass.C),
        status=v.get("status", CustomerStatus.ACTIVE),
        owner_id=v.get("owner", actor.user_id), phone=v.get("phone"), email=v.get("email"),
        industry=v.get("industry"), tax_number=v.get("tax_number"),
        website=v.get("website"), notes=v.get("notes"), contacts=contacts,
        addresses=addresses, custom=dict(group.custom))


# --- matching --------------------------------------------------------------------------------

# Words that say what kind of company a name is, not which one: 北京鑫锐科技有限公司 and 鑫锐
# are alike once the city and these are gone.
_TYPE_WORDS: Final = (
    "有限责任公司", "股份有限公司", "有限公司", "分公司", "集团", "公司", "科技", "技术",
    "信息", "网络", "电子", "电脑", "计算机", "数码", "贸易", "商贸", "经贸", "实业", "办公设备",
    "办公用品", "设备", "文化", "印务", "耗材", "打印", "发展", "服务", "工作室", "商行",
    "经营部", "门市部", "中心", "咨询", "管理", "工程",
)


def core_name(name: str) -> str:
    """A name without its city and its company-type words (北京鑫锐科技有限公司 → 鑫锐),
    folded; "" when nothing distinctive is left."""
    text = re.sub(r"\(.*?\)", "", unicodedata.normalize("NFKC", name))  # （北京）
    text = normalise_name(without_place(text))
    changed = True
    while changed and text:
        changed = False
        for word in _TYPE_WORDS:
            if text.endswith(word):
                text = text[: -len(word)]
                changed = True
    return text if len(text) >= 2 else ""


@dataclass
class _Index:
    """Names and numbers → customers, for matching without a query per row."""

    by_name: dict[str, int] = field(default_factory=dict)
    by_core: dict[str, int] = field(default_factory=dict)
    by_pinyin: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, int] = field(default_factory=dict)

    def add(self, ref: int, name: str, phones: Iterable[str], pinyin: str | None = None
            ) -> None:
        """``pinyin``: the name's full pinyin when already known (the directory keeps it)."""
        self.by_name.setdefault(normalise_name(name), ref)
        core = core_name(name)
        if core:
            self.by_core.setdefault(core, ref)
        full = pinyin if pinyin is not None else pinyin_full(name)
        if len(full) >= 4:
            self.by_pinyin.setdefault(full, ref)
        for digits in phones:
            self.by_phone.setdefault(digits, ref)

    def find(self, name: str, phones: Sequence[str], pinyin: str) -> tuple[str, int] | None:
        """The strongest likeness, as the card's duplicate check orders them: a shared
        phone, the same name, the same name without its city and company type, the same
        pinyin (homophones: 鑫锐 / 新锐)."""
        for digits in phones:
            if digits in self.by_phone:
                return "same_phone", self.by_phone[digits]
        if (ref := self.by_name.get(normalise_name(name))) is not None:
            return "same_name", ref
        core = core_name(name)
        if core and (ref := self.by_core.get(core)) is not None:
            return "similar_name", ref
        if (ref := self.by_pinyin.get(pinyin)) is not None:
            return "same_pinyin", ref
        return None


def _phones_of(draft: CustomerDraft) -> list[str]:
    numbers = [draft.phone, *(p for c in draft.contacts for p in (c.phone, c.mobile))]
    found = []
    for number in numbers:
        digits = phone_digits(number)
        if digits and len(digits) >= 7 and digits not in found:
            found.append(digits)
    return found


def _match(uow: UnitOfWork, actor: Actor, groups: list[_Group | None],
           choices: Mapping[str, str],
           decisions: Mapping[int, str]) -> list[PlannedCustomer]:
    """Each group checked and matched: against the stored customers (one read of the
    directory, one phone lookup for the whole sheet) and the groups above it.

    Takes ``groups`` over: each is let go (None) once planned, so that the sheet's rows
    as read and the plan made of them are not both held whole (a draft is made twice
    instead, first for its phone numbers)."""
    stored = _Index()
    d = customer_directory.c
    info: dict[int, tuple[str, str]] = {}
    for cid, code, name, full in uow.session.execute(
            select(d.id, d.code, d.name, d.pinyin_full)):
        stored.add(cid, name, (), full or "")
        info[cid] = (code, name)
    phones = sorted({p for g in groups if g is not None
                     for p in _phones_of(_draft(g, actor))})
    stored.by_phone.update(_stored_phones(uow, actor, phones))
    above = _Index()
    updating: dict[int, int] = {}  # stored customer → the planned update of it
    planned: list[PlannedCustomer] = []
    for index, group in enumerate(groups):
        assert group is not None
        groups[index] = None
        draft = _draft(group, actor)
        phones_here = _phones_of(draft)
        issues = list(group.errors)
        issues.extend(_draft_issues(uow, group, draft))
        first = (group.values.get("first_contact_on"))
        match: Match | None = None
        pinyin = pinyin_full(group.values["name"])
        found = stored.find(group.values["name"], phones_here, pinyin)
        if found is not None:
            reason, cid = found
            code, name = info.get(cid, ("", ""))
            match = Match(reason, customer_id=cid, code=code, name=name)
        else:
            found = above.find(group.values["name"], phones_here, pinyin)
            if found is not None:
                match = Match(found[0], planned=found[1])
        choice = decisions.get(index) or (choices[match.reason] if match else CREATE)
        if issues:
            outcome = "error"
        elif match is None or choice == CREATE:
            outcome = "create"
        elif choice == SKIP:
            outcome = "skip"
        elif match.planned is not None:
            outcome = "merge"
        elif match.customer_id in updating:
            # A second group like the same stored customer (one by its phone, one by its
            # name): it goes into the first one's update, one write to the card. (Written
            # apart, the second update found the card changed since the dry run.)
            match = Match(match.reason, planned=updating[match.customer_id])
            outcome = "merge"
        else:
            outcome = "update"
            assert match.customer_id is not None
            updating[match.customer_id] = index
        planned.append(PlannedCustomer(rows=tuple(group.rows), draft=draft,
                                       first_contact_on=first, match=match, outcome=outcome,
                                       errors=tuple(issues), choice=choice))
        if outcome in ("create",):
            above.add(index, group.values["name"], phones_here, pinyin)
    return _merged(_with_versions(uow, planned))


def _with_versions(uow: UnitOfWork, planned: list[PlannedCustomer]) -> list[PlannedCustomer]:
    """The matched stored customers' versions, read for those only (500 ids a query):
    the import refuses one changed after the dry run."""
    ids = sorted({p.match.customer_id for p in planned
                  if p.match is not None and p.match.customer_id is not None})
    versions: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        for cid, version in uow.session.execute(select(Customer.id, Customer.version).where(
                Customer.id.in_(ids[start:start + 500]))):
            versions[cid] = version
    return [replace(p, match=replace(p.match, version=versions.get(p.match.customer_id)))
            if p.match is not None and p.match.customer_id is not None else p
            for p in planned]


def _stored_phones(uow: UnitOfWork, actor: Actor, phones: Sequence[str]) -> dict[str, int]:
    """The stored customers with these whole numbers (their own or a contact's): a few
    queries of 500 numbers each. A role whose phone field is hidden asks the database's
    lookup instead, one audited question per number, as the card's duplicate check does."""
    found: dict[str, int] = {}
    if "phone" in hidden_fields(uow, actor, Module.CUSTOMERS):
        for digits in phones:
            for cid in sorted(principals.customers_with_phone(uow.session, [digits])):
                found.setdefault(digits, cid)
        return found
    for start in range(0, len(phones), 500):
        part = phones[start:start + 500]
        rows = uow.session.execute(union_all(
            select(Customer.phone_digits, Customer.id).where(Customer.phone_digits.in_(part)),
            select(Contact.phone_digits, Contact.customer_id)
            .where(Contact.phone_digits.in_(part)),
            select(Contact.mobile_digits, Contact.customer_id)
            .where(Contact.mobile_digits.in_(part)))).all()
        for number, cid in sorted(rows, key=lambda r: (r[0] or "", r[1])):
            if number:
                found.setdefault(number, cid)
    return found


def _draft_issues(uow: UnitOfWork, group: _Group, draft: CustomerDraft) -> list[RowIssue]:
    """The card's own checks on the draft, each error put on the row it came from."""
    # The owner is the importer or a user found among the active ones (_users).
    errors = check_draft(uow, draft, owner_is_active=True)
    first = group.rows[0]
    issues = []
    for key, message in errors.items():
        row = first
        code = key
        contact = re.match(r"contacts\[(\d+)\]\.([\w.]+)", key)
        if contact:
            code = "contact." + contact.group(2)
            row = group.contacts[int(contact.group(1))].get("_row", first)
        elif (address := re.match(r"addresses\[(\d+)\]\.(\w+)", key)):
            kind = group.addresses[int(address.group(1))]["kind"]
            prefix = next(p for p, k in _ADDRESS_KINDS.items() if k == kind)
            code = f"{prefix}.{address.group(2)}"
        elif key == "owner_id":
            code = "owner"
        issues.append(RowIssue(row, code, message))
    return issues


def _merged(planned: list[PlannedCustomer]) -> list[PlannedCustomer]:
    """A customer that is the same as one above (fill or overwrite) goes into that one's
    draft: its rows, its contacts and the fields still empty there."""
    result = list(planned)
    for p in planned:
        if p.outcome != "merge" or p.match is None or p.match.planned is None:
            continue
        target = result[p.match.planned]
        result[p.match.planned] = replace(
            target, rows=target.rows + p.rows,
            draft=_combined(target.draft, p.draft, overwrite=p.choice == OVERWRITE))
    return result


_DRAFT_FIELDS: Final = ("short_name", "phone", "email", "industry", "tax_number", "website",
                        "notes")


def _combined(base: CustomerDraft, more: CustomerDraft, *, overwrite: bool) -> CustomerDraft:
    changes: dict[str, Any] = {}
    for name in _DRAFT_FIELDS:
        new = getattr(more, name)
        if new is not None and (overwrite or getattr(base, name) is None):
            changes[name] = new
    names = {c.name for c in base.contacts}
    contacts = base.contacts + tuple(replace(c, is_primary=False) for c in more.contacts
                                     if c.name not in names)
    custom = {**more.custom, **base.custom} if not overwrite else {**base.custom, **more.custom}
    have = {(a.kind, a.street) for a in base.addresses}
    addresses = base.addresses + tuple(replace(a, is_default=False) for a in more.addresses
                                       if (a.kind, a.street) not in have)
    return replace(base, contacts=contacts, custom=custom, addresses=addresses, **changes)


# --- the commit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """How an import went, whatever it brought in: its batch, the records created and
    updated (``unchanged``: matched rows that had nothing to fill), the rows skipped and
    refused, and whether it was stopped."""

    batch_id: int
    created: int
    updated: int
    skipped: int
    refused: tuple[RowIssue, ...]
    cancelled: bool = False
    unchanged: int = 0


def run_customer_import(
    *, uow: UnitOfWork, actor: Actor, plan: ImportPlan, chunk: int = CHUNK,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ImportResult:
    """Write ``plan``: a chunk of customers per transaction, each record noted with the
    import's batch. ``cancelled`` is asked between chunks: what the committed chunks wrote
    stays (and can be undone). A stored customer changed since the dry run is not
    updated (refused, with who changed it): no silent overwrite."""
    # Beside a server, two writers side by side: while one waits for the server, the
    # other makes its chunk's rows (SQLite has one writer at a time anyway).
    writers = WRITERS if waits_on_server(uow.engine) else 1
    return write_batch(
        uow, actor, kind=CUSTOMERS, plan=plan, records=plan.customers,
        refused=plan.row_errors, chunk=chunk, progress=progress, cancelled=cancelled,
        check=lambda unit: _check_importer(unit, actor),
        write=lambda unit, batch_id, records, counts: _write_chunk(
            unit, actor, batch_id, records, counts, numbers_apart=writers > 1),
        writers=writers)


# How many chunks of a customer import are written at once on a server database. The
# program's share of a chunk (making its rows, 0.6 s of 1 000 customers) and the server's
# (writing them, 0.65 s as a person's login) are about even, so a second writer keeps both
# busy; a third would only queue.
WRITERS: Final = 2


class SheetInfo(Protocol):
    """What an import batch records of the dry run it writes."""

    @property
    def path(self) -> str: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def header(self) -> Header: ...
    @property
    def mapping(self) -> Mapping[int, str]: ...


# Writes one chunk's records in the transaction it is given: the rows it refused, with
# ``counts`` (created, updated, unchanged) moved for what it wrote.
ChunkWriter = Callable[[UnitOfWork, int, Sequence[Any], dict[str, int]], Iterable[RowIssue]]


def write_batch(uow: UnitOfWork, actor: Actor, *, kind: str, plan: SheetInfo,
                records: Sequence[Any], check: Callable[[UnitOfWork], None],
                write: ChunkWriter, chunk: int, progress: ProgressCallback | None,
                cancelled: Callable[[], bool], refused: Iterable[RowIssue] = (),
                writers: int = 1) -> ImportResult:
    """Every import's writing: ``records`` (each with ``outcome`` — create, update, skip,
    error — and ``errors``) to create or update, ``chunk`` to a transaction, in an import
    batch of ``kind``. Each chunk checks the permissions again (``check``) and that the
    batch was not marked interrupted meanwhile; ``cancelled`` is asked between chunks
    (what the committed chunks wrote stays, and can be undone). ``refused``: rows that
    made no record. ``writers``: chunks written at once, each by a thread of its own on a
    connection of its own (progress is still told in order)."""
    batch_id = open_batch(uow, actor, kind, plan.path, plan.rows_read, plan.header,
                          plan.mapping)
    todo = [r for r in records if r.outcome in ("create", "update")]
    said = [*refused, *(i for r in records if r.outcome == "error" for i in r.errors)]
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def one(unit: UnitOfWork, part: Sequence[Any]) -> _Written:
        own = dict.fromkeys(counts, 0)
        with unit:
            check(unit)
            still_running(unit, batch_id)
            issues = list(write(unit, batch_id, part, own))
            unit.commit()
        return own, issues

    def written(own: dict[str, int], issues: list[RowIssue], done: int) -> None:
        for key, value in own.items():
            counts[key] += value
        said.extend(issues)
        if progress is not None:
            progress(done, len(todo))

    parts = [todo[start:start + chunk] for start in range(0, len(todo), chunk)]
    with _plan_frozen():
        # A sheet of a few chunks gains nothing from a second writer (its own connection).
        if writers > 1 and len(parts) >= 2 * writers:
            stopped = _side_by_side(uow, parts, one, written, cancelled, writers)
        else:
            stopped = False
            done = 0
            for part in parts:
                if cancelled():
                    stopped = True
                    break
                done += len(part)
                written(*one(uow, part), done)
    skipped = sum(1 for r in records if r.outcome == "skip")
    close_batch(uow, actor, batch_id, plan.path, status="cancelled" if stopped else "done",
                created=counts["created"], updated=counts["updated"], skipped=skipped,
                refused=len({i.row for i in said}))
    return ImportResult(batch_id=batch_id, created=counts["created"],
                        updated=counts["updated"], unchanged=counts["unchanged"],
                        skipped=skipped, refused=tuple(said), cancelled=stopped)


@contextmanager
def _plan_frozen() -> Iterator[None]:
    """The objects alive now (the dry run's plan: some 2 KB a customer, hundreds of MB for
    a large sheet) kept out of the cyclic garbage collector's walks while an import
    writes: every full collection walked them all, a tenth of a 100 000-customer import's
    time. Given back afterwards. Not where objects were frozen before (the desktop
    client's start-up): giving these back would give those back too, and keeping them
    frozen would keep the window's reference cycles of that moment from ever being
    collected (on the GUI thread, as app.ui.gcguard has it)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# A chunk written: the counts it moved and the rows it refused.
_Written = tuple[dict[str, int], list[RowIssue]]


def _side_by_side(uow: UnitOfWork, parts: Sequence[Sequence[Any]],
                  one: Callable[[UnitOfWork, Sequence[Any]], _Written],
                  written: Callable[[dict[str, int], list[RowIssue], int], None],
                  cancelled: Callable[[], bool], writers: int) -> bool:
    """Write ``parts`` with ``one``, ``writers`` at a time, each writer a thread with a
    unit of work (a connection) of its own; ``written`` is told of each in order, with the
    rows done so far. Cancelling, or a part that fails, starts no more: those under way
    finish (their commits stand, noted in the batch), then the failure is raised. Whether
    it was cancelled."""
    free = [uow.another() for _ in range(writers)]
    going: deque[tuple[Future[_Written], UnitOfWork, int]] = deque()
    done = 0

    def finish_oldest() -> None:
        nonlocal done
        future, unit, size = going.popleft()
        free.append(unit)
        result = future.result()
        done += size
        written(*result, done)

    stopped = False
    with ThreadPoolExecutor(writers, thread_name_prefix="import-writer") as pool:
        try:
            for part in parts:
                if cancelled():
                    stopped = True
                    break
                if not free:
                    finish_oldest()
                unit = free.pop()
                going.append((pool.submit(one, unit, part), unit, len(part)))
            while going:  # cancelled too: those under way are counted
                finish_oldest()
        finally:
            # After a failure the others are left to finish (the pool waits for them);
            # what they wrote is noted in the batch.
            for future, _unit, _size in going:
                future.cancel()
    return stopped


def open_batch(uow: UnitOfWork, actor: Actor, kind: str, path: str, rows_read: int,
               header: Header, mapping: Mapping[int, str]) -> int:
    """Record an import starting (its own transaction: the chunks refer to it); its id."""
    with uow:
        _check_importer(uow, actor)
        batch = ImportBatch(kind=kind, file_name=Path(path).name[:260], status="running",
                            rows_read=rows_read, layout=layout_key(header),
                            mapping=json.dumps({str(k): v for k, v in mapping.items()}),
                            created_by_id=actor.user_id, updated_by_id=actor.user_id)
        uow.session.add(batch)
        uow.flush()
        batch_id = batch.id
        # Audited like its end: on a secured server a transaction without its audit row
        # is a change made outside StationCRM.
        audit.record(uow, actor, AuditAction.IMPORT, "import_batch", batch_id, audit.say(
            "started importing {file}: {rows} rows", file=Path(path).name, rows=rows_read))
        uow.commit()
    return batch_id


def close_batch(uow: UnitOfWork, actor: Actor, batch_id: int, path: str, *, status: str,
                created: int, updated: int, skipped: int, refused: int) -> None:
    """Record how an import ended, with its audit entry."""
    with uow:
        # Only a batch still running: one marked interrupted (or undone) meanwhile keeps
        # what the person decided.
        uow.session.execute(update(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.status == "running").values(
            status=status, created=created, updated=updated, skipped=skipped,
            refused=refused, version=ImportBatch.version + 1))
        audit.record(uow, actor, AuditAction.IMPORT, "import_batch", batch_id, audit.say(
            "imported {file}: {created} created, {updated} updated",
            file=Path(path).name, created=created, updated=updated))
        uow.commit()


@contextmanager
def row_savepoint(uow: UnitOfWork) -> Iterator[None]:
    """A savepoint around one row (or one chunk) of an import: refused — by the rules
    (:class:`ValidationError`, a unique key another station took meanwhile) or by a
    constraint — its rows and the audit entries it queued are dropped, the transaction
    goes on, and the refusal is raised for the caller to report."""
    mark = uow.pending_at_commit()
    try:
        with uow.session.begin_nested():
            yield
    except (ValidationError, IntegrityError):
        uow.drop_at_commit(mark)
        raise


def still_running(uow: UnitOfWork, batch_id: int) -> None:
    """Refuse to write another chunk into a batch no longer running: marked interrupted
    from another station while this one was cut off, or undone meanwhile."""
    status = uow.session.execute(
        select(ImportBatch.status).where(ImportBatch.id == batch_id)).scalar()
    if status != "running":
        raise ValidationError({"batch": tr(
            "This import was marked {status} meanwhile (from the list of past imports): "
            "nothing more is written.", status=status or "?")})


def _write_chunk(uow: UnitOfWork, actor: Actor, batch_id: int,
                 chunk: Sequence[PlannedCustomer], counts: dict[str, int], *,
                 numbers_apart: bool = False) -> list[RowIssue]:
    """One chunk: the new customers added together (one flush, one INSERT per key table),
    the updates one by one. Should the chunk's new customers hit a constraint together
    (a number a second station took meanwhile), they are written one by one instead, so
    that only the one at fault is refused."""
    refused: list[RowIssue] = []
    session = uow.session
    creating = [p for p in chunk if p.outcome == "create"]
    try:
        with row_savepoint(uow):
            results = add_customers(uow, actor, [(p.draft, p.first_contact_on)
                                                 for p in creating],
                                    numbers_apart=numbers_apart)
            uow.flush()
    except (IntegrityError, ValidationError):
        for planned in creating:
            problem = _write_one(uow, actor, batch_id, planned, counts)
            if problem is not None:
                refused.append(problem)
    else:
        items = []
        for planned, result in zip(creating, results, strict=True):
            if isinstance(result, ValidationError):
                refused.append(RowIssue(planned.rows[0], "", result.message))
                continue
            items.append({"batch_id": batch_id, "entity": "customer",
                          "record_id": result.id, "action": "created",
                          "row_number": planned.rows[0], "after_version": result.version})
        if items:
            insert_many(session.connection(), table_of(ImportItem), items)
        counts["created"] += len(items)
    updating = [p for p in chunk if p.outcome == "update"]
    stored_custom = _read_for_update(uow, [p.match.customer_id for p in updating
                                           if p.match is not None])
    for planned in updating:
        problem = _update_one(uow, actor, batch_id, planned, counts, stored_custom)
        if problem is not None:
            refused.append(problem)
    return refused


def _read_for_update(uow: UnitOfWork, ids: Sequence[int | None]
                     ) -> dict[int, dict[str, Any]]:
    """The stored customers a chunk updates, with their contacts and addresses, read
    together into the session (three queries, not three a row), and their custom values."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    list(uow.session.execute(select(Customer).where(Customer.id.in_(wanted)).options(
        selectinload(Customer.contacts), selectinload(Customer.addresses))).scalars())
    return custom_fields.values_for(uow=uow, entity=CustomFieldEntity.CUSTOMER,
                                    record_ids=wanted)


def _write_one(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedCustomer,
               counts: dict[str, int]) -> RowIssue | None:
    row = planned.rows[0]
    session = uow.session
    if planned.outcome == "create":
        try:
            with row_savepoint(uow):
                customer, contacts, _d, _t, _v = add_customer(
                    uow, actor, planned.draft, owner=None,
                    first_contact_on=planned.first_contact_on)
                uow.flush()
        except ValidationError as error:
            return RowIssue(row, "", error.message)
        except IntegrityError as error:
            return RowIssue(row, "", str(error.orig))
        session.add(ImportItem(batch_id=batch_id, entity="customer", record_id=customer.id,
                               action="created", row_number=row,
                               after_version=customer.version))
        counts["created"] += 1
        return None
    return _update_one(uow, actor, batch_id, planned, counts)


def _update_one(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedCustomer,
                counts: dict[str, int],
                stored_custom: Mapping[int, Mapping[str, Any]] | None = None
                ) -> RowIssue | None:
    """Fill (or, chosen so, overwrite) a stored customer's fields from the sheet, add the
    contacts and addresses it does not have yet. ``stored_custom``: the custom values of
    the chunk's customers, read with them (`_read_for_update`); a row that changes nothing
    writes nothing (not even a savepoint)."""
    match = planned.match
    assert match is not None and match.customer_id is not None
    row = planned.rows[0]
    session = uow.session
    customer = session.get(Customer, match.customer_id)
    if customer is None:
        return RowIssue(row, "", tr("{code} {name} was deleted after the dry run.",
                                    code=match.code, name=match.name))
    if customer.version != match.version:
        changed_by = session.get(User, customer.updated_by_id) if customer.updated_by_id \
            else None
        return RowIssue(row, "", tr(
            "{code} {name} was changed by {user} after the dry run: run the dry run again.",
            code=customer.code, name=customer.name,
            user=changed_by.display_name if changed_by else "?"))
    overwrite = planned.choice == OVERWRITE
    draft = planned.draft
    before: dict[str, Any] = {}
    filled: dict[str, Any] = {}
    for name in _DRAFT_FIELDS:
        new = getattr(draft, name)
        old = getattr(customer, name)
        if new is not None and new != old and (overwrite or old in (None, "")):
            before[name] = old
            filled[name] = new
    if stored_custom is None:
        stored_custom = custom_fields.values_for(
            uow=uow, entity=CustomFieldEntity.CUSTOMER, record_ids=[customer.id])
    stored = stored_custom.get(customer.id, {})
    custom = {code: value for code, value in draft.custom.items()
              if value is not None and (overwrite or stored.get(code) in (None, "", ()))
              and stored.get(code) != value}
    names = {c.name for c in customer.contacts}
    kept = {(a.kind, a.street) for a in customer.addresses}
    if not filled and not custom and all(c.name in names for c in draft.contacts) and all(
            (AddressKind(d.kind), d.street) in kept for d in draft.addresses):
        counts.setdefault("unchanged", 0)
        counts["unchanged"] += 1
        return None
    with session.begin_nested():
        for name, new in filled.items():
            setattr(customer, name, new)
        if "phone" in before:
            customer.phone_digits = phone_digits(customer.phone)
        if custom:
            before.update({custom_fields.FIELD_PREFIX + c: _plain(stored.get(c))
                           for c in custom})
            custom_fields.store_values(uow=uow, actor=actor,
                                       entity=CustomFieldEntity.CUSTOMER,
                                       record_id=customer.id, values=custom, creating=False)
        added: list[Contact] = []
        for c in draft.contacts:
            if c.name in names:
                continue
            contact = Contact(customer_id=customer.id, name=c.name, title=c.title,
                              phone=c.phone, mobile=c.mobile, email=c.email,
                              phone_digits=phone_digits(c.phone),
                              mobile_digits=phone_digits(c.mobile),
                              is_primary=not customer.contacts and not added,
                              created_by_id=actor.user_id, updated_by_id=actor.user_id)
            session.add(contact)
            added.append(contact)
        new_addresses = [Address(customer_id=customer.id, street=a.street, city=a.city,
                                 district=a.district, kind=a.kind,
                                 is_default=not kept and i == 0,
                                 created_by_id=actor.user_id, updated_by_id=actor.user_id)
                         for i, a in enumerate(d for d in draft.addresses
                                               if (AddressKind(d.kind), d.street) not in kept)]
        session.add_all(new_addresses)
        customer.updated_by_id = actor.user_id
        customer.updated_at = utcnow()
        uow.flush()
        session.add(ImportItem(batch_id=batch_id, entity="customer", record_id=customer.id,
                               action="updated", row_number=row,
                               after_version=customer.version,
                               before=json.dumps(before, ensure_ascii=False)))
        for contact in added:
            session.add(ImportItem(batch_id=batch_id, entity="contact", record_id=contact.id,
                                   action="created", row_number=row,
                                   after_version=contact.version))
            given = next((c.custom for c in draft.contacts if c.name == contact.name), {})
            custom_fields.store_values(uow=uow, actor=actor, entity=CustomFieldEntity.CONTACT,
                                       record_id=contact.id, values=given, creating=True)
        for address in new_addresses:
            session.add(ImportItem(batch_id=batch_id, entity="address", record_id=address.id,
                                   action="created", row_number=row,
                                   after_version=address.version))
        changes = {k: [v, _plain(getattr(customer, k, None))] for k, v in before.items()
                   if not k.startswith(custom_fields.FIELD_PREFIX)}
        changes.update({k: [v, _plain(custom[k.removeprefix(custom_fields.FIELD_PREFIX)])]
                        for k, v in before.items() if k.startswith(custom_fields.FIELD_PREFIX)})
        if added:
            changes["contacts"] = [None, [c.name for c in added]]
        audit.record(uow, actor, AuditAction.UPDATE, "customer", customer.id,
                     f"{customer.code} {customer.name}", changes)
    counts["updated"] += 1
    return None


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (dates as ISO text, amounts as text, choices as lists)."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# --- undo ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptRecord:
    """A record undo left as it is, and why."""

    entity: str
    record_id: int
    label: str
    reason: str


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    undone: int
    kept: tuple[KeptRecord, ...]


# A record's own rows, which go with it; any other table pointing at a record the import
# created (a customer, one of its contacts, a product, an opening balance) is a use of it
# since the import.
_OWN_ROWS: Final = {"customers": frozenset({"contacts", "addresses", "phone_suffixes"}),
                    "orders": frozenset({"order_lines"})}

# What an import writes, by ImportItem.entity: the model, and for what it creates (and may
# find used since), the table other records point at.
_ENTITIES: Final[dict[str, Any]] = {
    "customer": Customer, "contact": Contact, "address": Address, "device": Device,
    "product": Product, "order": Order,
}
_CREATED_TABLES: Final = {"customer": "customers", "contact": "contacts",
                          "device": "devices", "product": "products", "order": "orders"}
# The kinds of import undo knows: every kind the wizard and the command line offer.
KINDS: Final = ("customers", "devices", "products", "receivables")


def _used_by(session: Any, target: str, ids: Sequence[int]) -> dict[int, list[str]]:
    """For records of ``target`` (customers, contacts, devices, products, orders): the
    tables that now hold a row pointing at each, found through every foreign key to it
    (:func:`app.services.merging.references`), a query of 500 ids per key."""
    own = _OWN_ROWS.get(target, frozenset({"phone_suffixes"}))
    used: dict[int, list[str]] = {}
    for column in references(target):
        name = column.table.name
        if name in own:
            continue
        for start in range(0, len(ids), 500):
            for (record_id,) in session.execute(
                    select(column).where(column.in_(ids[start:start + 500])).distinct()):
                tables = used.setdefault(record_id, [])
                if name not in tables:
                    tables.append(name)
    return used


def undo_import(*, uow: UnitOfWork, actor: Actor, batch_id: int) -> UndoResult:
    """Remove what import ``batch_id`` created and restore what it updated, in one
    transaction. A record used since (an order placed for a customer the import created, a
    visit with one of its contacts) or changed since is kept, with the reason."""
    with uow:
        _check_importer(uow, actor)
        session = uow.session
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.kind not in KINDS:
            raise NotFound(tr("There is no such import."))
        if batch.status == "undone":
            raise ValidationError({"batch": tr("This import was undone already.")})
        if batch.status == "running":
            raise ValidationError({"batch": tr("This import is still running: undo it once "
                                               "it has ended.")})
        # Undo deletes what the import made: the products or orders too.
        if batch.kind == "products":
            require(uow, actor, Module.PRODUCTS, Operation.DELETE)
        elif batch.kind == "receivables":
            require(uow, actor, Module.ORDERS, Operation.DELETE)
        items = session.execute(
            select(ImportItem).where(ImportItem.batch_id == batch_id,
                                     ImportItem.undone_at.is_(None))
            .order_by(ImportItem.id.desc())).scalars().all()
        now = utcnow()
        kept: list[KeptRecord] = []
        undone = 0
        # The contract links the import made go first: they are no use of its machines.
        links = [i for i in items if i.entity == "contract_device"]
        items = links + [i for i in items if i.entity != "contract_device"]
        for item in links:
            _undo_item(uow, actor, item, {})
        created = {entity: [i.record_id for i in items
                            if i.entity == entity and i.action == "created"]
                   for entity in _CREATED_TABLES}
        used = {entity: _used_by(uow.session, table, created[entity])
                for entity, table in _CREATED_TABLES.items() if created[entity]}
        for item in items:
            reason = None if item.entity == "contract_device" else _undo_item(
                uow, actor, item, used.get(item.entity, {}))
            if reason is None:
                item.undone_at = now
                item.kept_reason = None
                undone += 1
            else:
                item.kept_reason = reason[1][:400]
                kept.append(KeptRecord(item.entity, item.record_id, reason[0], reason[1]))
        batch.status = "partly_undone" if kept else "undone"
        batch.updated_by_id = actor.user_id
        audit.record(uow, actor, AuditAction.IMPORT, "import_batch", batch_id, audit.say(
            "undid the import of {file}: {undone} undone, {kept} kept",
            file=batch.file_name, undone=undone, kept=len(kept)))
        uow.commit()
        return UndoResult(batch_id=batch_id, undone=undone, kept=tuple(kept))


def _undo_item(uow: UnitOfWork, actor: Actor, item: ImportItem,
               used: Mapping[int, list[str]]) -> tuple[str, str] | None:
    """Undo one record; (its label, why not) when it is kept. ``used``: the tables that
    point at records of its kind, by record (:func:`_used_by`)."""
    session = uow.session
    if item.entity == "contract_device":  # a device put under a contract by the import
        link = session.get(ContractDevice, item.record_id)
        if link is not None:
            session.delete(link)
            uow.flush()
        return None
    model = _ENTITIES[item.entity]
    # A product's cost is deferred (most roles never read it, and a secured server refuses
    # them the column): undo writes it back for those who may see it.
    options = (undefer(Product.cost_price),) if model is Product and "cost_price" not in \
        hidden_fields(uow, actor, Module.PRODUCTS) else ()
    record = session.get(model, item.record_id, options=options)
    if record is None:
        return None  # deleted since: nothing left to undo
    shown = record_label(record)
    if item.action == "created" and item.entity in _CREATED_TABLES:
        uses = used.get(record.id)
        if uses:
            return shown, tr("used since the import ({records})", records="、".join(
                tr(_TABLE_WORDS[t]) if t in _TABLE_WORDS else t for t in uses))
    if record.version != item.after_version:
        who = session.get(User, record.updated_by_id) if record.updated_by_id else None
        return shown, tr("changed by {user} since the import",
                         user=who.display_name if who else "?")
    if item.action == "created":
        _delete(uow, actor, record)
        return None
    if isinstance(record, Customer):
        _restore(uow, actor, record, json.loads(item.before or "{}"))
        return None
    before = json.loads(item.before or "{}")
    changes = {}
    for name, value in before.items():
        column = record.__table__.c[name]
        changes[name] = [_plain(getattr(record, name)), value]
        if isinstance(record, Order) and name == "total_amount":
            from app.services.importing.receivables import set_opening_amount
            set_opening_amount(record, _from_json(column, value))
        else:
            setattr(record, name, _from_json(column, value))
    record.updated_by_id = actor.user_id
    uow.flush()
    if isinstance(record, Product) and "name" in before:
        search_keys.keep_product(session, record)
    audit.record(uow, actor, AuditAction.UPDATE, item.entity, record.id, shown, changes)
    return None


def record_label(record: Any) -> str:
    """How undo names a record it keeps: a customer by number and name, a machine by model
    and serial number, a product by its number and name, a balance by its order number."""
    if isinstance(record, Customer):
        return f"{record.code} {record.name}"
    if isinstance(record, Device):
        return f"{record.model} {record.serial_number}"
    if isinstance(record, Product):
        return f"{record.sku} {record.name}"
    if isinstance(record, Order):
        return str(record.number)
    if isinstance(record, Address):
        return str(record.street)
    return str(record.name)


def _from_json(column: Any, value: Any) -> Any:
    """A value an import replaced, back from its JSON form (``before``) to the column's."""
    if value is None:
        return None
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    if kind is Decimal:
        return Decimal(str(value))
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if issubclass(kind, enum.Enum):
        return kind(value)
    return value


_TABLE_WORDS: Final = {
    "orders": "an order", "quotations": "a quotation", "visits": "a visit record",
    "opportunities": "an opportunity", "payments": "a payment received",
    "service_tickets": "a service ticket", "service_contracts": "a service contract",
    "devices": "a device", "tasks": "a task", "care_items": "customer care",
    "sales_plans": "a sales plan", "payment_allocations": "a payment received",
    "order_lines": "an order", "quotation_lines": "a quotation",
}


def _delete(uow: UnitOfWork, actor: Actor, record: Any) -> None:
    session = uow.session
    if isinstance(record, Customer):
        code, name, cid = record.code, record.name, record.id
        contact_ids = [c.id for c in record.contacts]
        _drop_values(session, CustomFieldEntity.CONTACT, contact_ids)
        _drop_values(session, CustomFieldEntity.CUSTOMER, [cid])
        search_keys.drop_keys(session, search_keys.CUSTOMER, [cid])
        session.delete(record)
        uow.flush()
        audit.record(uow, actor, AuditAction.DELETE, "customer", cid, f"{code} {name}",
                     {"undo_import": True})
        return
    if isinstance(record, Contact):
        _drop_values(session, CustomFieldEntity.CONTACT, [record.id])
    if isinstance(record, Device | Order):
        entity = "device" if isinstance(record, Device) else "order"
        _drop_values(session, CustomFieldEntity(entity), [record.id])
        audit.record(uow, actor, AuditAction.DELETE, entity, record.id,
                     record_label(record), {"undo_import": True})
    if isinstance(record, Product):
        search_keys.drop_keys(session, search_keys.PRODUCT, [record.id])
        audit.record(uow, actor, AuditAction.DELETE, "product", record.id,
                     record_label(record), {"undo_import": True})
    session.delete(record)
    uow.flush()


def _drop_values(session: Any, entity: CustomFieldEntity, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(CustomFieldValue).where(CustomFieldValue.entity == entity,
                                                       CustomFieldValue.record_id.in_(ids)))


def _restore(uow: UnitOfWork, actor: Actor, customer: Customer, before: Mapping[str, Any]
             ) -> None:
    custom = {k.removeprefix(custom_fields.FIELD_PREFIX): v for k, v in before.items()
              if k.startswith(custom_fields.FIELD_PREFIX)}
    changes: dict[str, list[Any]] = {}
    for name, value in before.items():
        if name in custom or name.startswith(custom_fields.FIELD_PREFIX):
            continue
        changes[name] = [_plain(getattr(customer, name)), value]
        setattr(customer, name, value)
    if "phone" in before:
        customer.phone_digits = phone_digits(customer.phone)
    if custom:
        definitions = {f.code: f for f in custom_fields.load_definitions(
            uow, CustomFieldEntity.CUSTOMER, include_removed=True)}
        values = {code: _typed(definitions.get(code), value) for code, value in custom.items()}
        custom_fields.store_values(uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER,
                                   record_id=customer.id, values=values, creating=False)
        changes.update({custom_fields.FIELD_PREFIX + c: [None, v] for c, v in custom.items()})
    customer.updated_by_id = actor.user_id
    customer.updated_at = utcnow()
    uow.flush()
    audit.record(uow, actor, AuditAction.UPDATE, "customer", customer.id,
                 f"{customer.code} {customer.name}", changes)


def _typed(definition: custom_fields.FieldDefinition | None, value: Any) -> Any:
    """A custom value back from its JSON form."""
    if value is None or definition is None:
        return value
    if definition.kind is CustomFieldKind.DATE:
        return dt.date.fromisoformat(value)
    if definition.kind in custom_fields.NUMBER_KINDS:
        return Decimal(value)
    if definition.kind is CustomFieldKind.MULTI_CHOICE:
        return tuple(value)
    return value


# --- the error report ------------------------------------------------------------------------


def write_error_report(plan: ImportPlan, out: str | Path) -> int:
    """The customer import's report of the rows not imported (:func:`write_rows_report`).
    A group header (联系人 over 姓名, 手机) goes into the header under it where the two read
    as one field (联系人姓名), so the report maps as the original did."""
    return write_rows_report(plan, out, label=lambda code: _field_label(plan, code),
                             known=known_header(_FIXED))


class SheetPlan(Protocol):
    """What every import's dry run has: the sheet read and the rows' problems."""

    @property
    def path(self) -> str: ...
    @property
    def sheet(self) -> str | None: ...
    @property
    def header(self) -> Header: ...
    def issues(self) -> list[RowIssue]: ...


def write_rows_report(plan: SheetPlan, out: str | Path, *, label: Callable[[str], str],
                      known: Callable[[str], bool] | None = None) -> int:
    """Write the sheet's rows that could not be imported, as they were, with an error
    column, to ``out`` (.xlsx): fixed there, the file imports like the original (its
    header row is the original's). ``label`` names a field code as people read it.
    Returns the number of rows written."""
    from app.reports.tabular import Sheet, write_xlsx

    reasons: dict[int, list[str]] = {}
    for issue in plan.issues():
        text = f"{label(issue.field)}: {issue.message}" if issue.field else issue.message
        reasons.setdefault(issue.row, []).append(text)
    header = plan.header
    names = [f"{g}{n}" if g and n and known is not None and known(g + n) else n
             for g, n in zip(header.groups, header.names, strict=False)]

    def rows() -> Iterator[list[Any]]:
        with open_source(plan.path) as source:
            for row in source.rows(plan.sheet):
                if row.number in reasons:
                    cells: list[Any] = [str(c) if isinstance(c, Formula) else c
                                        for c in row.cells[:len(names)]]
                    cells += [None] * (len(names) - len(cells))
                    yield [*cells, "；".join(reasons[row.number])]

    return write_xlsx(out, [Sheet(title=tr("Rows not imported"),
                                  headers=[*names, tr("Error")], rows=rows())])
