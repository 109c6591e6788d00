"""Custom fields (自定义字段): fields an administrator adds to records without a developer.

Definitions live in ``custom_field_definitions``; values in ``custom_field_values``, one row
per (field, record) in the typed column that fits the field's kind, so they stay searchable
and indexable on SQLite, PostgreSQL and SQL Server alike:

- text, multi-line text and single choice: ``value_text`` (the choice's code);
- multiple choice: ``value_text`` as ``|code1|code2|`` so "has code X" is ``LIKE '%|X|%'``;
- number and money: ``value_number``; date: ``value_date``; yes/no: ``value_bool``.

Python values handed in and out: ``str`` for text and single choice, ``tuple[str, ...]`` of
codes for multiple choice, ``Decimal`` for number and money, ``datetime.date``, ``bool``.

A record's service validates and saves its custom values inside its own transaction
(:func:`save_values`); the form uses :func:`check_values` with the same definitions, so the
same rules apply whether a value comes from the form or from a caller bypassing it.
Removing a field only hides it (``active`` False); its stored values stay and come back
when the field is activated again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.i18n import current_language, tr
from app.models import Contact, Customer, Device
from app.models.customers import customer_directory
from app.models.enums import AuditAction, CustomFieldEntity, CustomFieldKind, Module, Operation
from app.models.system import CustomFieldDefinition, CustomFieldValue
from app.services import audit
from app.services.errors import NotFound, ValidationError
from app.services.locking import check_version
from app.services.permissions import Actor, grants_for, require, require_in_scope
from app.services.uow import UnitOfWork
from app.services.validation import Checker, search_text
from app.textkeys import pinyin_full, pinyin_initials

# The module whose permissions guard the records a custom field belongs to.
ENTITY_MODULES: Mapping[CustomFieldEntity, Module] = {
    CustomFieldEntity.CUSTOMER: Module.CUSTOMERS,
    CustomFieldEntity.CONTACT: Module.CUSTOMERS,
    CustomFieldEntity.DEVICE: Module.CUSTOMERS,
    CustomFieldEntity.VISIT: Module.VISITS,
    CustomFieldEntity.ORDER: Module.ORDERS,
    CustomFieldEntity.SERVICE_TICKET: Module.SERVICE_TICKETS,
    CustomFieldEntity.CARE_ITEM: Module.CARE,
}

CHOICE_KINDS = frozenset({CustomFieldKind.CHOICE, CustomFieldKind.MULTI_CHOICE})
TEXT_KINDS = frozenset({CustomFieldKind.TEXT, CustomFieldKind.MULTILINE})
NUMBER_KINDS = frozenset({CustomFieldKind.NUMBER, CustomFieldKind.MONEY})
TEXT_LIMIT = 400  # the width of value_text
NUMBER_LIMIT = Decimal("99999999999999")  # fits Numeric(18, 4)
NUMBER_PLACES = 4
MAX_OPTIONS = 200
_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
_OPTION_CODE = re.compile(r"^[A-Za-z0-9_\-.]{1,40}$")
FIELD_PREFIX = "custom."
CODE_LENGTH = 40


def code_from_label(label: str) -> str:
    """A code for a field or choice made from its label: ``Toner model used`` →
    ``toner_model_used``, ``使用硒鼓型号`` → ``shiyongxiguxinghao`` (pinyin; its initials when
    the whole reading is too long). ASCII, a valid identifier, never empty ("field")."""
    text = (label or "").strip()
    if re.search(r"[^\x00-\x7f]", text):
        code = re.sub(r"[^a-z0-9]", "", pinyin_full(text).lower())
        if len(code) > CODE_LENGTH:
            code = re.sub(r"[^a-z0-9]", "", pinyin_initials(text).lower())
    else:
        code = "_".join(re.findall(r"[a-z0-9]+", text.lower()))
    code = code[:CODE_LENGTH].strip("_")
    if not code:
        return "field"
    return code if not code[0].isdigit() else f"f_{code}"[:CODE_LENGTH]


def unique_code(code: str, taken: Iterable[str]) -> str:
    """``code``, or ``code_2``, ``code_3`` … the first one not ``taken``."""
    used = set(taken)
    if code not in used:
        return code
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = code[:CODE_LENGTH - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        number += 1
T = TypeVar("T")


@dataclass(frozen=True)
class Choice:
    """One entry of a choice list: a stable code and its label in both languages."""

    code: str
    zh: str
    en: str

    def label(self, language: str | None = None) -> str:
        return self.zh if (language or current_language()) == "zh" else self.en


@dataclass(frozen=True)
class FieldDefinition:
    """A custom field as forms, lists, exports and printouts use it."""

    id: int
    entity: CustomFieldEntity
    code: str
    label_zh: str
    label_en: str
    kind: CustomFieldKind
    required: bool
    default_value: str | None
    options: tuple[Choice, ...]
    group_name: str | None
    position: int
    active: bool
    version: int

    def label(self, language: str | None = None) -> str:
        return self.label_zh if (language or current_language()) == "zh" else self.label_en

    @property
    def key(self) -> str:
        """The name of this field in a ValidationError (``custom.<code>``)."""
        return FIELD_PREFIX + self.code

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.options if c.code == code), None)

    def default(self) -> Any:
        """The default as a Python value of the field's kind (None when there is none)."""
        if self.default_value in (None, ""):
            return None
        try:
            return _parse_default(self.kind, self.default_value, self.options)
        except ValueError:
            return None


@dataclass(frozen=True)
class FieldDraft:
    """What the administrator types in the add/edit field dialog.

    Only the Chinese label is needed: an empty English label reads as the Chinese one,
    an empty code is made from the label (its pinyin), unique on the record kind; the
    same for each choice's code and English name.
    """

    entity: CustomFieldEntity | str
    code: str
    label_zh: str
    label_en: str
    kind: CustomFieldKind | str
    required: bool = False
    default_value: str | None = None
    options: tuple[Choice, ...] = ()
    group_name: str | None = None


# --- reading definitions ---------------------------------------------------------------------


def definitions(
    *, uow: UnitOfWork, actor: Actor, entity: CustomFieldEntity | str,
    include_removed: bool = False,
) -> tuple[FieldDefinition, ...]:
    """The custom fields of ``entity`` in form order (position), active ones only unless
    ``include_removed``. Anyone who may view the records, or administer, may read them."""
    kind = CustomFieldEntity(entity)
    with uow:
        grants = grants_for(uow, actor)
        if not grants.allows(Module.ADMINISTRATION, Operation.VIEW):
            require(uow, actor, ENTITY_MODULES[kind], Operation.VIEW)
        return load_definitions(uow, kind, include_removed=include_removed)


def load_definitions(uow: UnitOfWork, entity: CustomFieldEntity, *,
                     include_removed: bool = False) -> tuple[FieldDefinition, ...]:
    """The definitions without a permission check, for services that already checked.

    Read at most once per action, and not at all while they have not changed: the
    definitions of every record kind are kept on the unit of work under the stamp the
    action's permission query brought along (``permissions.grants_for``).
    """
    return tuple(f for f in _all_definitions(uow)
                 if f.entity == entity and (include_removed or f.active))


_KEPT = "custom_field_definitions"


def _all_definitions(uow: UnitOfWork) -> tuple[FieldDefinition, ...]:
    """Every definition in form order, from the unit of work's copy while its stamp is
    this transaction's; else read (one query) and kept under the stamp of what was read."""
    kept = uow.settings_cache.get(_KEPT)
    if kept is not None and uow.field_stamp is not None and kept[0] == uow.field_stamp:
        return kept[1]  # type: ignore[no-any-return]
    rows = uow.session.execute(
        select(CustomFieldDefinition)
        .order_by(CustomFieldDefinition.position, CustomFieldDefinition.id)).scalars().all()
    found = tuple(_definition(row) for row in rows)
    # The stamp of these rows is the one the permission query computes (count, sum of
    # versions, last id): the next action that brings the same stamp reads nothing.
    stamp = (len(found), sum(f.version for f in found), max((f.id for f in found), default=0))
    if uow.field_stamp is None:
        uow.field_stamp = stamp
    uow.settings_cache[_KEPT] = (stamp, found)
    return found


def _forget_definitions(uow: UnitOfWork) -> None:
    """After this transaction changed a definition: read them again when next asked."""
    uow.settings_cache.pop(_KEPT, None)
    uow.field_stamp = None


def _definition(row: CustomFieldDefinition) -> FieldDefinition:
    return FieldDefinition(
        id=row.id, entity=CustomFieldEntity(row.entity), code=row.code,
        label_zh=row.label_zh, label_en=row.label_en, kind=CustomFieldKind(row.kind),
        required=bool(row.required), default_value=row.default_value,
        options=_options_from_json(row.options), group_name=row.group_name,
        position=row.position, active=bool(row.active), version=row.version,
    )


def _options_from_json(text: str | None) -> tuple[Choice, ...]:
    if not text:
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        return ()
    return tuple(Choice(code=str(i.get("code", "")), zh=str(i.get("zh", "")),
                        en=str(i.get("en", ""))) for i in items if isinstance(i, dict))


# --- defining fields (administration) --------------------------------------------------------


def define_field(*, uow: UnitOfWork, actor: Actor, draft: FieldDraft) -> FieldDefinition:
    """Add a field at the end of its entity's form."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.CREATE)
        values = _clean_draft(uow, draft, field_id=None)
        last = uow.session.execute(
            select(CustomFieldDefinition.position)
            .where(CustomFieldDefinition.entity == values["entity"])
            .order_by(CustomFieldDefinition.position.desc())
            .limit(1)
        ).scalar_one_or_none()
        row = CustomFieldDefinition(position=(last or 0) + 1, active=True,
                                    created_by_id=actor.user_id, updated_by_id=actor.user_id,
                                    **values)
        uow.session.add(row)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "custom_field", row.id,
                     _summary(row), {"after": audit.snapshot(row)})
        _forget_definitions(uow)
        uow.commit()
        return _definition(row)


def _summary(row: CustomFieldDefinition) -> audit.Summary:
    """The field's record kind in the reader's words ("Customers" / 客户), code and label."""
    return audit.say("{entity} {code} {label}", entity=CustomFieldEntity(row.entity),
                     code=row.code, label=row.label_zh)


def edit_field(*, uow: UnitOfWork, actor: Actor, field_id: int, expected_version: int,
               draft: FieldDraft) -> FieldDefinition:
    """Change a field's labels, kind, rules, choices or group (not its entity)."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        row = _load_row(uow, field_id)
        check_version(uow, row, expected_version, entity="custom_field", label=row.label_zh)
        if CustomFieldEntity(draft.entity) != row.entity:
            raise ValidationError({"entity": tr("cannot be changed; add a new field instead")})
        values = _clean_draft(uow, draft, field_id=row.id)
        if CustomFieldKind(values["kind"]) != row.kind and _has_values(uow, row.id):
            raise ValidationError({"kind": tr(
                "cannot be changed: records already hold values of this field")})
        before = audit.snapshot(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_by_id = actor.user_id
        changes = audit.diff(before, audit.snapshot(row))
        if changes:
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "custom_field", row.id,
                         _summary(row), changes)
        _forget_definitions(uow)
        uow.commit()
        return _definition(row)


def remove_field(*, uow: UnitOfWork, actor: Actor, field_id: int,
                 expected_version: int) -> FieldDefinition:
    """Hide a field from forms, lists and printouts; the values stored in it are kept."""
    return _set_active(uow, actor, field_id, expected_version, active=False)


def restore_field(*, uow: UnitOfWork, actor: Actor, field_id: int,
                  expected_version: int) -> FieldDefinition:
    """Show a removed field again, with the values it held."""
    return _set_active(uow, actor, field_id, expected_version, active=True)


def _set_active(uow: UnitOfWork, actor: Actor, field_id: int, expected_version: int, *,
                active: bool) -> FieldDefinition:
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        row = _load_row(uow, field_id)
        check_version(uow, row, expected_version, entity="custom_field", label=row.label_zh)
        if bool(row.active) != active:
            row.active = active
            row.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "custom_field", row.id,
                         _summary(row),
                         {"active": [not active, active]})
        _forget_definitions(uow)
        uow.commit()
        return _definition(row)


def reorder(*, uow: UnitOfWork, actor: Actor, entity: CustomFieldEntity | str,
            field_ids: Sequence[int]) -> tuple[FieldDefinition, ...]:
    """Put the fields of ``entity`` in the order of ``field_ids`` (others keep theirs, after)."""
    kind = CustomFieldEntity(entity)
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        rows = list(uow.session.execute(
            select(CustomFieldDefinition).where(CustomFieldDefinition.entity == kind)
            .order_by(CustomFieldDefinition.position, CustomFieldDefinition.id)
        ).scalars())
        by_id = {r.id: r for r in rows}
        unknown = [i for i in field_ids if i not in by_id]
        if unknown or len(set(field_ids)) != len(field_ids):
            raise ValidationError({"field_ids": tr("are not the fields of this record kind")})
        ordered = [by_id[i] for i in field_ids] + [r for r in rows if r.id not in
                                                   set(field_ids)]
        moved = {}
        for position, row in enumerate(ordered, start=1):
            if row.position != position:
                moved[row.code] = [row.position, position]
                row.position = position
                row.updated_by_id = actor.user_id
        if moved:
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "custom_field", None,
                         audit.say("{entity}: fields reordered", entity=kind), moved)
        _forget_definitions(uow)
        uow.commit()
        return tuple(_definition(r) for r in ordered if r.active)


def _load_row(uow: UnitOfWork, field_id: int) -> CustomFieldDefinition:
    row = uow.session.get(CustomFieldDefinition, field_id)
    if row is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Custom field"), id=field_id))
    return row


def _has_values(uow: UnitOfWork, field_id: int) -> bool:
    return uow.session.execute(
        select(CustomFieldValue.id).where(CustomFieldValue.definition_id == field_id)
        .order_by(CustomFieldValue.id).limit(1)
    ).first() is not None


def _clean_draft(uow: UnitOfWork, draft: FieldDraft, *, field_id: int | None) -> dict[str, Any]:
    check = Checker()
    entity = check.choice("entity", draft.entity, CustomFieldEntity)
    kind = check.choice("kind", draft.kind, CustomFieldKind)
    code = check.text("code", draft.code, max_len=40)
    if code is not None and not _CODE.match(code):
        check.fail("code", tr("must start with a letter and hold only letters, digits and _"))
        code = None
    label_zh = check.text("label_zh", draft.label_zh, max_len=100, required=True)
    # A Chinese-only administrator leaves the English label empty: it reads as the Chinese.
    label_en = check.text("label_en", draft.label_en, max_len=100) or label_zh
    derived = not (draft.code or "").strip()
    if derived and label_zh is not None and entity is not None:
        if field_id is not None:
            code = uow.session.execute(select(CustomFieldDefinition.code).where(
                CustomFieldDefinition.id == field_id)).scalar_one_or_none()
        else:
            codes = uow.session.scalars(select(CustomFieldDefinition.code).where(
                CustomFieldDefinition.entity == entity))
            code = unique_code(code_from_label(draft.label_en or label_zh), codes)
    group = check.text("group_name", draft.group_name, max_len=100)
    options: list[dict[str, str]] = []
    if kind in CHOICE_KINDS:
        if not draft.options:
            check.fail("options", tr("a choice list needs at least one choice"))
        if len(draft.options) > MAX_OPTIONS:
            check.fail("options", tr("has too many choices (at most {max})", max=MAX_OPTIONS))
        seen: set[str] = set()
        typed = {(o.code or "").strip() for o in draft.options}
        for i, option in enumerate(draft.options):
            ocode = check.text(f"options[{i}].code", option.code, max_len=40)
            if ocode is None and (option.zh or option.en or "").strip():
                # No code typed: one from the choice's name, unique in the list.
                ocode = unique_code(code_from_label(option.en or option.zh),
                                    seen | typed)
            elif ocode is None:
                check.fail(f"options[{i}].code", tr("is required"))
            if ocode is not None and not _OPTION_CODE.match(ocode):
                check.fail(f"options[{i}].code",
                           tr("may hold only letters, digits, _ - and ."))
            elif ocode is not None and ocode in seen:
                check.fail(f"options[{i}].code", tr("already exists"))
            if ocode:
                seen.add(ocode)
            zh = check.text(f"options[{i}].zh", option.zh, max_len=100, required=True)
            en = check.text(f"options[{i}].en", option.en, max_len=100) or zh
            options.append({"code": ocode or "", "zh": zh or "", "en": en or ""})
    default = check.text("default_value", draft.default_value, max_len=200)
    if default is not None and kind is not None:
        choices = tuple(Choice(**o) for o in options)
        try:
            _parse_default(kind, default, choices)
        except ValueError as error:
            check.fail("default_value", str(error))
    if code is not None and entity is not None:
        taken = uow.session.execute(
            select(CustomFieldDefinition.id).where(
                CustomFieldDefinition.entity == entity, CustomFieldDefinition.code == code)
        ).scalar_one_or_none()
        if taken is not None and taken != field_id:
            check.fail("code", tr("already exists"))
    check.done()
    return {
        "entity": entity, "code": code, "label_zh": label_zh, "label_en": label_en,
        "kind": kind, "required": bool(draft.required), "default_value": default,
        "options": json.dumps(options, ensure_ascii=False) if options else None,
        "group_name": group,
    }


def _parse_default(kind: CustomFieldKind, text: str, options: Sequence[Choice]) -> Any:
    """The default typed by the administrator as a value of ``kind``; ValueError if wrong."""
    text = text.strip()
    if kind in TEXT_KINDS:
        if len(text) > TEXT_LIMIT:
            raise ValueError(tr("is too long (at most {max} characters)", max=TEXT_LIMIT))
        return text
    check = Checker()
    if kind in NUMBER_KINDS:
        places = 2 if kind is CustomFieldKind.MONEY else NUMBER_PLACES
        number = check.decimal("v", text, places=places, allow_negative=True,
                               limit=NUMBER_LIMIT)
        if number is None:
            raise ValueError(check.errors["v"])
        return number
    if kind is CustomFieldKind.DATE:
        day = check.date("v", text)
        if day is None:
            raise ValueError(check.errors.get("v", tr("is not a valid date")))
        return day
    if kind is CustomFieldKind.BOOLEAN:
        lowered = text.casefold()
        if lowered in ("1", "true", "yes", "y", "是"):
            return True
        if lowered in ("0", "false", "no", "n", "否"):
            return False
        raise ValueError(tr("must be yes or no"))
    codes = {c.code for c in options}
    if kind is CustomFieldKind.CHOICE:
        if text not in codes:
            raise ValueError(tr("is not one of the choices"))
        return text
    picked = tuple(p.strip() for p in re.split(r"[|,]", text) if p.strip())
    if not picked or any(p not in codes for p in picked):
        raise ValueError(tr("is not one of the choices"))
    return picked


# --- values ----------------------------------------------------------------------------------


def check_values(
    fields: Sequence[FieldDefinition], values: Mapping[str, object], *,
    language: str | None = None,
) -> dict[str, Any]:
    """Check ``values`` (code -> value) against ``fields``; return the cleaned values.

    The same rules for the form and the service: required, the kind's type, a choice code
    that exists, numbers within range. Raises :class:`ValidationError` keyed
    ``custom.<code>`` whose message names each field's label. Codes of fields not in
    ``fields`` (removed or unknown) are refused as well.
    """
    check = Checker()
    by_code = {f.code: f for f in fields}
    for code in values:
        if code not in by_code:
            check.fail(FIELD_PREFIX + str(code), tr("is not a field of this record"))
    cleaned: dict[str, Any] = {}
    for f in fields:
        cleaned[f.code] = _clean_value(check, f, values.get(f.code))
    if check.errors:
        labels = {f.key: f.label(language) for f in fields}
        text = "; ".join(f"{labels.get(k, k)}: {m}" for k, m in check.errors.items())
        raise ValidationError(check.errors, text)
    return cleaned


def _clean_value(check: Checker, f: FieldDefinition, value: object) -> Any:
    key = f.key
    if f.kind in TEXT_KINDS:
        if value is not None and not isinstance(value, str):
            value = str(value)
        return check.text(key, value, max_len=TEXT_LIMIT, required=f.required,
                          multiline=f.kind is CustomFieldKind.MULTILINE)
    if f.kind in NUMBER_KINDS:
        places = 2 if f.kind is CustomFieldKind.MONEY else NUMBER_PLACES
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        return check.decimal(key, value, places=places, required=f.required,
                             allow_negative=True, limit=NUMBER_LIMIT)
    if f.kind is CustomFieldKind.DATE:
        return check.date(key, value, required=f.required)
    if f.kind is CustomFieldKind.BOOLEAN:
        if value is None or value == "":
            if f.required:
                check.fail(key, tr("is required"))
            return None
        if not isinstance(value, bool):
            check.fail(key, tr("must be yes or no"))
            return None
        return value
    codes = {c.code for c in f.options}
    if f.kind is CustomFieldKind.CHOICE:
        if value is None or value == "":
            if f.required:
                check.fail(key, tr("is required"))
            return None
        if not isinstance(value, str) or value not in codes:
            check.fail(key, tr("is not one of the choices"))
            return None
        return value
    # multiple choice
    if value is None or value == "":
        picked: tuple[Any, ...] = ()
    elif isinstance(value, str):
        picked = (value,)
    elif isinstance(value, Iterable):
        picked = tuple(value)
    else:
        check.fail(key, tr("is not one of the choices"))
        return None
    if any(not isinstance(p, str) or p not in codes for p in picked):
        check.fail(key, tr("is not one of the choices"))
        return None
    if not picked:
        if f.required:
            check.fail(key, tr("is required"))
        return None
    # Kept in the order of the choice list, each once.
    return tuple(c.code for c in f.options if c.code in picked)


def _store(row: CustomFieldValue, kind: CustomFieldKind, value: Any) -> None:
    row.value_text = row.value_number = row.value_date = row.value_bool = None
    if kind in TEXT_KINDS or kind is CustomFieldKind.CHOICE:
        row.value_text = value
    elif kind is CustomFieldKind.MULTI_CHOICE:
        row.value_text = "|" + "|".join(value) + "|"
    elif kind in NUMBER_KINDS:
        row.value_number = value
    elif kind is CustomFieldKind.DATE:
        row.value_date = value
    else:
        row.value_bool = value


def _read(kind: CustomFieldKind, text: str | None, number: Decimal | None,
          day: dt.date | None, flag: bool | None) -> Any:
    if kind in TEXT_KINDS or kind is CustomFieldKind.CHOICE:
        return text
    if kind is CustomFieldKind.MULTI_CHOICE:
        return tuple(p for p in (text or "").split("|") if p) or None
    if kind in NUMBER_KINDS:
        if number is None:
            return None
        places = 2 if kind is CustomFieldKind.MONEY else NUMBER_PLACES
        return Decimal(number).quantize(Decimal(1).scaleb(-places))
    if kind is CustomFieldKind.DATE:
        return day
    return None if flag is None else bool(flag)


def save_values(
    *, uow: UnitOfWork, actor: Actor, entity: CustomFieldEntity | str, record_id: int,
    values: Mapping[str, object], creating: bool = False,
) -> dict[str, list[Any]]:
    """Validate and store the custom values of one record, inside the caller's transaction.

    For the record's own service, which has checked its permissions already. Values not
    given keep what is stored (on ``creating``: the field's default). The required rule
    applies to the result, so a required field left empty is refused whatever the caller.
    Returns ``{"custom.<code>": [before, after]}`` for the record's audit entry. Nothing is
    committed here.
    """
    return store_values(uow=uow, actor=actor, entity=entity, record_id=record_id,
                        values=values, creating=creating)[0]


def store_values(
    *, uow: UnitOfWork, actor: Actor, entity: CustomFieldEntity | str, record_id: int,
    values: Mapping[str, object], creating: bool = False,
    stored: Iterable[CustomFieldValue] | None = None,
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """:func:`save_values`, also returning the record's values as they now are (code ->
    value, as :func:`values_for` would read them back), so the caller need not read them.

    ``stored``: the record's value rows, when the caller has them in the session already
    (read with the record); a record being created has none, so nothing is read then.
    """
    kind = CustomFieldEntity(entity)
    fields = load_definitions(uow, kind)
    if stored is None and not creating:
        stored = uow.session.execute(
            select(CustomFieldValue).where(CustomFieldValue.entity == kind,
                                           CustomFieldValue.record_id == record_id)
        ).scalars()
    rows = {r.definition_id: r for r in stored or ()}
    current: dict[str, Any] = {}
    for f in fields:
        row = rows.get(f.id)
        current[f.code] = (read_value(f, row) if row is not None
                           else (f.default() if creating else None))
    merged = {**current, **values}
    cleaned = check_values(fields, merged)
    changes: dict[str, list[Any]] = {}
    now: dict[str, Any] = {}
    for f in fields:
        new = cleaned[f.code]
        row = rows.get(f.id)
        old = read_value(f, row) if row is not None else None
        if new == old:
            now[f.code] = old
            continue
        changes[f.key] = [_plain(old), _plain(new)]
        if new is None:
            assert row is not None
            uow.session.delete(row)
            now[f.code] = None
            continue
        if row is None:
            row = CustomFieldValue(definition_id=f.id, entity=kind, record_id=record_id)
            if creating:
                # A new record's values: nothing in its transaction reads them back (the
                # caller has ``now``), so they are inserted at the commit, in its round trip.
                _store(row, f.kind, new)
                uow.insert_at_commit(CustomFieldValue, {
                    "definition_id": f.id, "entity": kind, "record_id": record_id,
                    "value_text": row.value_text, "value_number": row.value_number,
                    "value_date": row.value_date, "value_bool": row.value_bool})
                now[f.code] = read_value(f, row)
                continue
            uow.session.add(row)
        _store(row, f.kind, new)
        now[f.code] = read_value(f, row)
    return changes, now


def read_value(definition: FieldDefinition, row: Any) -> Any:
    """The Python value a value row (or a row with its columns: ``value_text``,
    ``value_number``, ``value_date``, ``value_bool``) holds for ``definition``."""
    return _read(definition.kind, row.value_text, row.value_number, row.value_date,
                 row.value_bool)


def done_with(check: Checker, *, uow: UnitOfWork, entity: CustomFieldEntity | str,
              record_id: int | None, values: Mapping[str, object]) -> None:
    """``check.done()`` for a record's service, with its custom values checked as well.

    Raises one ValidationError holding the record's own field errors and the custom
    field errors (``custom.<code>``, the message naming each field's label), so the form
    marks them all at once. ``record_id`` None: a new record (defaults apply).
    """
    kind = CustomFieldEntity(entity)
    fields = load_definitions(uow, kind)
    stored: Mapping[str, object]
    if record_id is None:
        stored = {f.code: f.default() for f in fields}
    else:
        stored = values_for(uow=uow, entity=kind, record_ids=[record_id]).get(record_id, {})
    errors = dict(check.errors)
    try:
        check_values(fields, {**stored, **values})
    except ValidationError as error:
        errors.update(error.errors)
    if errors:
        names = {f.key: f.label() for f in fields}
        raise ValidationError(errors, "; ".join(f"{names.get(k, k)}: {m}"
                                                for k, m in errors.items()))


def check_together(run: Callable[[], T], *, uow: UnitOfWork, entity: CustomFieldEntity | str,
                   record_id: int | None, values: Mapping[str, object]) -> T:
    """Run a record's own cleaning ``run()`` (which may raise ValidationError) and check
    the custom values too: one ValidationError holds both, as :func:`done_with`."""
    check = Checker()
    result: T | None = None
    try:
        result = run()
    except ValidationError as error:
        check.errors.update(error.errors)
    done_with(check, uow=uow, entity=entity, record_id=record_id, values=values)
    assert result is not None
    return result


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it (JSON-ready text, numbers and flags)."""
    if isinstance(value, tuple):
        return "|".join(value)
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def plain_number(value: Decimal) -> str:
    """``12.5000`` -> ``12.5``, ``100.0000`` -> ``100`` (never ``1E+2``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def values_for(
    *, uow: UnitOfWork, entity: CustomFieldEntity | str, record_ids: Iterable[int],
    include_removed: bool = False,
) -> dict[int, dict[str, Any]]:
    """``{record_id: {code: value}}`` of the active fields, in one query.

    No permission check: for callers (lists, exports, printouts, detail loaders) that
    have already decided the actor may see these records. Records without any value are
    left out of the result.
    """
    kind = CustomFieldEntity(entity)
    ids = sorted(set(record_ids))
    result: dict[int, dict[str, Any]] = {}
    if not ids:
        return result
    stmt = (
        select(CustomFieldValue.record_id, CustomFieldDefinition.code,
               CustomFieldDefinition.kind, CustomFieldValue.value_text,
               CustomFieldValue.value_number, CustomFieldValue.value_date,
               CustomFieldValue.value_bool)
        .join(CustomFieldDefinition, CustomFieldDefinition.id == CustomFieldValue.definition_id)
        .where(CustomFieldValue.entity == kind, CustomFieldValue.record_id.in_(ids))
    )
    if not include_removed:
        stmt = stmt.where(CustomFieldDefinition.active == True)  # noqa: E712
    for record_id, code, fkind, text, number, day, flag in uow.session.execute(stmt).all():
        result.setdefault(record_id, {})[code] = _read(CustomFieldKind(fkind), text, number,
                                                       day, flag)
    return result


def get_values(*, uow: UnitOfWork, actor: Actor, entity: CustomFieldEntity | str,
               record_id: int) -> dict[str, Any]:
    """The custom values of one record, with the permission of the record's module
    (and, for customers, their contacts and devices, the customer's data scope)."""
    kind = CustomFieldEntity(entity)
    with uow:
        require(uow, actor, ENTITY_MODULES[kind], Operation.VIEW)
        owner = _customer_owner(uow, kind, record_id)
        if owner is not None:
            require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, owner[0])
        return values_for(uow=uow, entity=kind, record_ids=[record_id]).get(record_id, {})


def _customer_owner(uow: UnitOfWork, kind: CustomFieldEntity,
                    record_id: int) -> tuple[int | None] | None:
    stmt: Any
    if kind is CustomFieldEntity.CUSTOMER:
        # The directory: someone else's customer is refused as theirs, not as missing.
        stmt = (select(customer_directory.c.owner_id)
                .where(customer_directory.c.id == record_id))
    elif kind is CustomFieldEntity.CONTACT:
        stmt = (select(Customer.owner_id).join(Contact, Contact.customer_id == Customer.id)
                .where(Contact.id == record_id))
    elif kind is CustomFieldEntity.DEVICE:
        stmt = (select(Customer.owner_id).join(Device, Device.customer_id == Customer.id)
                .where(Device.id == record_id))
    else:
        return None
    row = uow.session.execute(stmt).first()
    if row is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Record"), id=record_id))
    return (row[0],)


def display_value(definition: FieldDefinition, value: Any, language: str | None = None) -> str:
    """The value as people read it: choice labels, 是/否, amounts with two decimals."""
    lang = language or current_language()
    if value is None or value in ("", ()):
        return ""
    kind = definition.kind
    if kind is CustomFieldKind.CHOICE:
        choice = definition.choice(str(value))
        return choice.label(lang) if choice else str(value)
    if kind is CustomFieldKind.MULTI_CHOICE:
        codes = value if isinstance(value, tuple | list) else (str(value),)
        names = []
        for code in codes:
            choice = definition.choice(code)
            names.append(choice.label(lang) if choice else code)
        return ("、" if lang == "zh" else ", ").join(names)
    if kind is CustomFieldKind.BOOLEAN:
        if lang == "zh":
            return "是" if value else "否"
        return "Yes" if value else "No"
    if kind is CustomFieldKind.MONEY and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind is CustomFieldKind.NUMBER and isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def print_lines(uow: UnitOfWork, entity: CustomFieldEntity | str,
                record_id: int) -> tuple[tuple[str, str, str], ...]:
    """``(label_zh, label_en, value)`` of the record's active fields that hold a value, in
    form order, for printouts (values as a Chinese reader reads them). Two queries, no
    permission check: the printout's builder has checked the record."""
    kind = CustomFieldEntity(entity)
    fields = load_definitions(uow, kind)
    if not fields:
        return ()
    values = values_for(uow=uow, entity=kind, record_ids=[record_id]).get(record_id, {})
    lines = []
    for f in fields:
        text = display_value(f, values.get(f.code), "zh")
        if text:
            lines.append((f.label_zh, f.label_en, text))
    return tuple(lines)


# --- search and filters ----------------------------------------------------------------------


class MatchOp:
    """Operators of :func:`matches`."""

    EQUALS = "equals"          # text / choice / yes-no / number / date: the same value
    CONTAINS = "contains"      # text: contains the words; multiple choice: has the code
    BETWEEN = "between"        # number / date: (low, high), either end may be None
    IS_EMPTY = "empty"         # no value stored


def matches(
    entity: CustomFieldEntity | str,
    record_id_column: InstrumentedAttribute[int] | ColumnElement[int],
    code: str,
    op: str,
    value: Any = None,
) -> ColumnElement[bool]:
    """A WHERE clause for list services: the record's custom field ``code`` matches.

    ``record_id_column`` is the id column of the listed records (``Customer.id``). The
    clause is ``id IN (SELECT record_id ...)`` over the value indexes, so it adds no query.
    """
    if isinstance(value, str):  # typed into the list's filter box
        search_text(FIELD_PREFIX + code, value)
    kind = CustomFieldEntity(entity)
    definition = (select(CustomFieldDefinition.id)
                  .where(CustomFieldDefinition.entity == kind, CustomFieldDefinition.code == code)
                  .scalar_subquery())
    base = select(CustomFieldValue.record_id).where(
        CustomFieldValue.entity == kind, CustomFieldValue.definition_id == definition)
    if op == MatchOp.IS_EMPTY:
        return record_id_column.not_in(base)
    cond: ColumnElement[bool]
    if op == MatchOp.EQUALS:
        if isinstance(value, bool):
            cond = CustomFieldValue.value_bool == value
        elif isinstance(value, Decimal | int):
            cond = CustomFieldValue.value_number == Decimal(value)
        elif isinstance(value, dt.date):
            cond = CustomFieldValue.value_date == value
        else:
            cond = CustomFieldValue.value_text == str(value)
    elif op == MatchOp.CONTAINS:
        text = str(value or "").strip()
        if not text:
            raise ValidationError({FIELD_PREFIX + code: tr("is required")})
        # A multiple choice code is stored as |code|; text values never hold "|...|"
        # around a code typed by the user unless it is a code, so one form serves both.
        cond = CustomFieldValue.value_text.contains(text, autoescape=True)
    elif op == MatchOp.BETWEEN:
        low, high = value if value is not None else (None, None)
        sample = low if low is not None else high
        column: Any = (CustomFieldValue.value_date if isinstance(sample, dt.date)
                       else CustomFieldValue.value_number)
        parts = []
        if low is not None:
            parts.append(column >= low)
        if high is not None:
            parts.append(column <= high)
        cond = and_(column.is_not(None), *parts)
    else:
        raise ValueError(f"unknown match operator {op!r}")
    return record_id_column.in_(base.where(cond))


def has_choice(entity: CustomFieldEntity | str,
               record_id_column: InstrumentedAttribute[int] | ColumnElement[int],
               code: str, choice_code: str) -> ColumnElement[bool]:
    """A multiple choice field ``code`` holds ``choice_code`` (exactly, not as a part)."""
    return matches(entity, record_id_column, code, MatchOp.CONTAINS, f"|{choice_code}|")


def text_search(entity: CustomFieldEntity | str,
                record_id_column: InstrumentedAttribute[int] | ColumnElement[int],
                text: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Records whose active text fields contain ``text`` (for quick search OR branches).

    ``text`` is the searched text, or a bound LIKE pattern (``%…%``, escaped with ``/``)
    for a statement that is built once and run with new values.
    """
    kind = CustomFieldEntity(entity)
    return record_id_column.in_(
        select(CustomFieldValue.record_id)
        .join(CustomFieldDefinition, CustomFieldDefinition.id == CustomFieldValue.definition_id)
        .where(CustomFieldValue.entity == kind,
               CustomFieldDefinition.entity == kind,
               CustomFieldDefinition.active == True,  # noqa: E712
               CustomFieldDefinition.kind.in_([CustomFieldKind.TEXT, CustomFieldKind.MULTILINE]),
               CustomFieldValue.value_text.contains(text, autoescape=True)
               if isinstance(text, str) else
               CustomFieldValue.value_text.like(text, escape="/"))
    )


__all__ = [
    "CHOICE_KINDS",
    "ENTITY_MODULES",
    "Choice",
    "FieldDefinition",
    "FieldDraft",
    "MatchOp",
    "check_together",
    "check_values",
    "define_field",
    "definitions",
    "display_value",
    "done_with",
    "edit_field",
    "get_values",
    "has_choice",
    "load_definitions",
    "matches",
    "print_lines",
    "remove_field",
    "reorder",
    "read_value",
    "restore_field",
    "save_values",
    "store_values",
    "text_search",
    "values_for",
]
