"""Customer care (客户关怀): the rules that generate care items, and recording their outcome.

Rules (the ``care_rules`` setting, JSON; the defaults below apply to anything missing)
-------------------------------------------------------------------------------------------
- ``follow_up``: a follow-up call ``days`` (3) after a ticket was picked up (取机回访).
- ``contract_expiry``: a reminder ``days`` (30) before an active service contract ends.
- ``reorder``: consumables (耗材) reorder, predicted per customer and product from that
  customer's own purchases of the product over the last two years: with at least two
  purchase days, ``interval = (last − first) / (purchase days − 1)``; the next purchase is
  expected at ``last + interval`` and the reminder falls ``lead_days`` (5) before it
  (toner bought every ~45 days → a reminder 40 days after the last purchase).
- ``birthday``: a greeting ``days`` (3) before a contact's birthday (29 February: the 28th
  in other years).
- ``holiday``: a greeting ``days`` (3) before each holiday in the list, for every active
  customer of the listed ``classes`` (A and key accounts). A holiday's date is either
  ``YYYY-MM-DD`` (that year only, e.g. 春节 and 中秋节, whose dates move) or ``MM-DD``
  (every year, e.g. 元旦).
- ``horizon_days`` (7): a run creates the items that fall due up to that many days ahead.

Each rule has ``enabled``. Lost customers (流失) get nothing.

Generation
----------
:func:`generate_care_items` is company-wide: it creates items for every owner (the
customer's owner; a customer without owner gives an item without owner, which management
looks after). Each item remembers the rule and the record it came from
(``rule_code``/``source_entity``/``source_id``), so running twice creates nothing new:

- follow-up: one item per ticket; contract expiry: one per contract (a renewal is a new
  contract);
- reorder: one per customer, product and purchase cycle (no item of that customer and
  product falls due after the last purchase yet);
- birthday: one per contact and year (no item of that contact due in the last half year);
- holiday: one per customer and holiday date (``source_id`` is the date as ``YYYYMMDD``).

A run first updates the ``care_generation`` setting row (last run date and counts): that
row lock makes two runs at the same time take turns instead of both inserting. Pickups
and reorders due up to a week ago are still created (a missed run catches up); reminders
of future events whose lead time has already begun fall due on the day of the run.

Permissions (``Module.CARE``)
-----------------------------
- ``VIEW``: list care items in the data scope (the item's owner); the to-do list shows the
  actor's own open items, and to those who may generate also the items without owner.
- ``EDIT``: record an outcome, postpone or dismiss an item in scope.
- ``CREATE``: run the generation (it creates items for everybody). By default management
  and the general manager; management's care page runs it when opened, and
  ``stationcrm care generate --on DATE`` runs it from a scheduler.
- ``CONFIRM``: change the care rules (a management decision).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import exists, extract, func, insert, or_, select
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import (
    AppSetting,
    CareItem,
    Contact,
    Customer,
    Device,
    Order,
    OrderLine,
    Product,
    ServiceContract,
    ServiceTicket,
    User,
    utcnow,
)
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    CareKind,
    CareStatus,
    ContractStatus,
    CustomerClass,
    CustomerStatus,
    CustomFieldEntity,
    Module,
    Operation,
    OrderStatus,
    ProductCategory,
    TicketStatus,
)
from app.services import audit, custom_fields, feed
from app.services.errors import ConflictError, NotFound
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import (
    Actor,
    require,
    require_in_scope,
    scope_filter,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

# Customer names come from the directory: a record may be in the actor's scope while
# its customer is not (row security hides that customer's own row on a secured server).
_DIR = customer_directory.c

SETTINGS_KEY = "care_rules"
RUN_KEY = "care_generation"

RULE_FOLLOW_UP = "follow_up"
RULE_CONTRACT = "contract_expiry"
RULE_REORDER = "reorder"
RULE_BIRTHDAY = "birthday"
RULE_HOLIDAY = "holiday"
RULE_CODES = (RULE_FOLLOW_UP, RULE_CONTRACT, RULE_REORDER, RULE_BIRTHDAY, RULE_HOLIDAY)

# How people were reached; stored as these codes, shown translated by the UI.
CHANNELS = ("phone", "visit", "wechat", "sms", "email")

# Items whose natural due day passed at most this long ago are still created.
CATCH_UP_DAYS = 7
# Reorder prediction looks at this much purchase history, and drops habits that stopped.
REORDER_HISTORY_DAYS = 730
REORDER_STALE_DAYS = 400
# A birthday item of the same contact due within this many days counts as this year's.
BIRTHDAY_SAME_YEAR_DAYS = 180
LIST_LIMIT = 500

CS = CareStatus
CARE_LIFECYCLE: TransitionTable[CareStatus] = TransitionTable(
    entity="care_item",
    states=CareStatus,
    initial=CS.OPEN,
    edges=frozenset({
        (CS.OPEN, CS.DONE),
        (CS.OPEN, CS.SKIPPED),
        (CS.SKIPPED, CS.OPEN),  # dismissed by mistake: postponing reopens it
    }),
)


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    """A greeting day: ``date`` is ``YYYY-MM-DD`` (that year) or ``MM-DD`` (every year)."""

    name: str
    date: str

    def occurrences(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The days of this holiday between ``first`` and ``last`` (inclusive)."""
        parsed = _parse_holiday_date(self.date)
        if parsed is None:
            return []
        year, month, day = parsed
        years = [year] if year is not None else list(range(first.year, last.year + 1))
        found = []
        for y in years:
            try:
                when = dt.date(y, month, day)
            except ValueError:
                continue
            if first <= when <= last:
                found.append(when)
        return found


DEFAULT_HOLIDAYS: tuple[Holiday, ...] = (
    Holiday("元旦", "01-01"),
    Holiday("春节", "2026-02-17"),
    Holiday("春节", "2027-02-06"),
    Holiday("春节", "2028-01-26"),
    Holiday("中秋节", "2026-09-25"),
    Holiday("中秋节", "2027-09-15"),
    Holiday("中秋节", "2028-10-03"),
    Holiday("国庆节", "10-01"),
)
DEFAULT_HOLIDAY_CLASSES = (CustomerClass.A, CustomerClass.KEY_ACCOUNT)


@dataclass(frozen=True)
class CareRules:
    """The care rules as configured; ``version`` is the setting row's (0: never saved)."""

    follow_up_enabled: bool = True
    follow_up_days: int = 3
    contract_enabled: bool = True
    contract_days: int = 30
    reorder_enabled: bool = True
    reorder_lead_days: int = 5
    birthday_enabled: bool = True
    birthday_days: int = 3
    holiday_enabled: bool = True
    holiday_days: int = 3
    holiday_classes: tuple[CustomerClass, ...] = DEFAULT_HOLIDAY_CLASSES
    holidays: tuple[Holiday, ...] = DEFAULT_HOLIDAYS
    horizon_days: int = 7
    version: int = 0

    def enabled(self, rule: str) -> bool:
        return bool({RULE_FOLLOW_UP: self.follow_up_enabled,
                     RULE_CONTRACT: self.contract_enabled,
                     RULE_REORDER: self.reorder_enabled,
                     RULE_BIRTHDAY: self.birthday_enabled,
                     RULE_HOLIDAY: self.holiday_enabled}[rule])

    def to_json(self) -> dict[str, Any]:
        return {
            RULE_FOLLOW_UP: {"enabled": self.follow_up_enabled, "days": self.follow_up_days},
            RULE_CONTRACT: {"enabled": self.contract_enabled, "days": self.contract_days},
            RULE_REORDER: {"enabled": self.reorder_enabled,
                           "lead_days": self.reorder_lead_days},
            RULE_BIRTHDAY: {"enabled": self.birthday_enabled, "days": self.birthday_days},
            RULE_HOLIDAY: {"enabled": self.holiday_enabled, "days": self.holiday_days,
                           "classes": [c.value for c in self.holiday_classes],
                           "holidays": [{"name": h.name, "date": h.date}
                                        for h in self.holidays]},
            "horizon_days": self.horizon_days,
        }


# (field, low, high): the limits save_care_rules enforces.
_DAY_LIMITS: Mapping[str, tuple[int, int]] = {
    "follow_up_days": (0, 90),
    "contract_days": (1, 365),
    "reorder_lead_days": (0, 60),
    "birthday_days": (0, 30),
    "holiday_days": (0, 30),
    "horizon_days": (1, 60),
}


def _parse_holiday_date(text: str) -> tuple[int | None, int, int] | None:
    """``"2027-02-06"`` → (2027, 2, 6); ``"01-01"`` → (None, 1, 1); anything else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return day.year, day.month, day.day
        if len(text) == 5 and text[2] == "-":
            month, mday = int(text[:2]), int(text[3:])
            dt.date(2001, month, mday)  # a day every year has (no 29 February)
            return None, month, mday
    except ValueError:
        return None
    return None


def _rules_from(data: Mapping[str, Any], version: int) -> CareRules:
    """Rules from stored JSON; a missing or unreadable value takes its default."""
    base = CareRules()

    def part(name: str) -> Mapping[str, Any]:
        value = data.get(name)
        return value if isinstance(value, dict) else {}

    def flag(name: str, default: bool) -> bool:
        value = part(name).get("enabled", default)
        return value if isinstance(value, bool) else default

    def number(name: str, key: str, default: int, limits: str) -> int:
        value = part(name).get(key, default) if name else data.get(key, default)
        low, high = _DAY_LIMITS[limits]
        return value if isinstance(value, int) and not isinstance(value, bool) \
            and low <= value <= high else default

    holiday = part(RULE_HOLIDAY)
    classes: tuple[CustomerClass, ...] = base.holiday_classes
    if isinstance(holiday.get("classes"), list):
        classes = tuple(CustomerClass(c) for c in holiday["classes"]
                        if c in {m.value for m in CustomerClass})
    holidays = base.holidays
    if isinstance(holiday.get("holidays"), list):
        holidays = tuple(Holiday(str(h.get("name", "")), str(h.get("date", "")))
                         for h in holiday["holidays"]
                         if isinstance(h, dict) and h.get("name") and h.get("date"))
    return CareRules(
        follow_up_enabled=flag(RULE_FOLLOW_UP, base.follow_up_enabled),
        follow_up_days=number(RULE_FOLLOW_UP, "days", base.follow_up_days, "follow_up_days"),
        contract_enabled=flag(RULE_CONTRACT, base.contract_enabled),
        contract_days=number(RULE_CONTRACT, "days", base.contract_days, "contract_days"),
        reorder_enabled=flag(RULE_REORDER, base.reorder_enabled),
        reorder_lead_days=number(RULE_REORDER, "lead_days", base.reorder_lead_days,
                                 "reorder_lead_days"),
        birthday_enabled=flag(RULE_BIRTHDAY, base.birthday_enabled),
        birthday_days=number(RULE_BIRTHDAY, "days", base.birthday_days, "birthday_days"),
        holiday_enabled=flag(RULE_HOLIDAY, base.holiday_enabled),
        holiday_days=number(RULE_HOLIDAY, "days", base.holiday_days, "holiday_days"),
        holiday_classes=classes,
        holidays=holidays,
        horizon_days=number("", "horizon_days", base.horizon_days, "horizon_days"),
        version=version,
    )


def _setting(uow: UnitOfWork, key: str) -> AppSetting | None:
    return uow.session.execute(select(AppSetting).where(AppSetting.key == key)
                               ).scalar_one_or_none()


def _load_rules(uow: UnitOfWork) -> CareRules:
    row = _setting(uow, SETTINGS_KEY)
    if row is None:
        return CareRules()
    try:
        data = json.loads(row.value)
    except ValueError:
        data = {}
    return _rules_from(data if isinstance(data, dict) else {}, row.version)


def get_care_rules(*, uow: UnitOfWork, actor: Actor) -> CareRules:
    """The care rules with their defaults filled in (anyone who may view care items)."""
    with uow:
        require(uow, actor, Module.CARE, Operation.VIEW)
        return _load_rules(uow)


def save_care_rules(*, uow: UnitOfWork, actor: Actor, rules: CareRules,
                    expected_version: int) -> CareRules:
    """Check and store the care rules (``CARE/CONFIRM``); audited.

    ``expected_version`` is the ``version`` of the rules the user loaded (0: the defaults,
    never saved). Raises ValidationError naming each bad field (``holidays[2].date``…).
    """
    with uow:
        require(uow, actor, Module.CARE, Operation.CONFIRM)
        clean = _validate_rules(rules)
        row = _setting(uow, SETTINGS_KEY)
        label = tr("Care rules")
        if row is None:
            if expected_version != 0:
                raise ConflictError(tr("{entity} was changed by someone else after you opened"
                                       " it.", entity=label), entity="care_rules")
            before: dict[str, Any] = {}
            row = AppSetting(key=SETTINGS_KEY, value="{}",
                             description="Customer care rules (客户关怀规则)",
                             created_by_id=actor.user_id)
            uow.session.add(row)
        else:
            check_version(uow, row, expected_version, entity="care_rules", label=label)
            try:
                before = json.loads(row.value)
            except ValueError:
                before = {}
        after = clean.to_json()
        row.value = json.dumps(after, ensure_ascii=False)
        row.updated_by_id = actor.user_id
        uow.flush()
        changes = {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after[k]}
        audit.record(uow, actor, AuditAction.UPDATE, "app_setting", row.id,
                     audit.say("Care rules"), changes)
        uow.commit()
        return _rules_from(after, row.version)


def _validate_rules(rules: CareRules) -> CareRules:
    check = Checker()
    days: dict[str, int] = {}
    for name, (low, high) in _DAY_LIMITS.items():
        value = check.integer(name, getattr(rules, name), low=low, high=high)
        days[name] = value if value is not None else 0
    flags: dict[str, bool] = {}
    for name in ("follow_up_enabled", "contract_enabled", "reorder_enabled",
                 "birthday_enabled", "holiday_enabled"):
        flag = getattr(rules, name)
        if not isinstance(flag, bool):
            check.fail(name, tr("is not a valid choice"))
        flags[name] = bool(flag)
    classes: list[CustomerClass] = []
    for class_value in rules.holiday_classes or ():
        chosen = check.choice("holiday_classes", class_value, CustomerClass)
        if chosen is not None and chosen not in classes:
            classes.append(chosen)
    if flags["holiday_enabled"] and not classes:
        check.fail("holiday_classes", tr("choose at least one customer class"))
    holidays: list[Holiday] = []
    seen: set[tuple[str, str]] = set()
    if len(rules.holidays) > 200:
        check.fail("holidays", tr("is too long (at most {max} characters)", max=200))
    for i, holiday in enumerate(rules.holidays[:200]):
        holiday_name = check.text(f"holidays[{i}].name", holiday.name, max_len=40,
                                  required=True)
        date_text = holiday.date.strip() if isinstance(holiday.date, str) else ""
        if not date_text:
            check.fail(f"holidays[{i}].date", tr("is required"))
        elif _parse_holiday_date(date_text) is None:
            check.fail(f"holidays[{i}].date",
                       tr("must be a date like 2027-02-06, or 01-01 for every year"))
        elif holiday_name is not None:
            if (holiday_name, date_text) in seen:
                check.fail(f"holidays[{i}].date", tr("already exists"))
            seen.add((holiday_name, date_text))
            holidays.append(Holiday(holiday_name, date_text))
    check.done()
    return CareRules(
        follow_up_enabled=flags["follow_up_enabled"], follow_up_days=days["follow_up_days"],
        contract_enabled=flags["contract_enabled"], contract_days=days["contract_days"],
        reorder_enabled=flags["reorder_enabled"], reorder_lead_days=days["reorder_lead_days"],
        birthday_enabled=flags["birthday_enabled"], birthday_days=days["birthday_days"],
        holiday_enabled=flags["holiday_enabled"], holiday_days=days["holiday_days"],
        holiday_classes=tuple(classes), holidays=tuple(holidays),
        horizon_days=days["horizon_days"],
    )


# --- generation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationResult:
    """How many care items one run created, per rule code."""

    on: dt.date
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class LastGeneration:
    on: dt.date | None
    at: dt.datetime | None
    counts: Mapping[str, int]


def last_generation(*, uow: UnitOfWork, actor: Actor) -> LastGeneration:
    """When the care items were last generated, and how many each rule made."""
    with uow:
        require(uow, actor, Module.CARE, Operation.VIEW)
        row = _setting(uow, RUN_KEY)
        data: dict[str, Any] = {}
        if row is not None:
            try:
                loaded = json.loads(row.value)
                data = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                data = {}
    try:
        on = dt.date.fromisoformat(data["on"]) if data.get("on") else None
        at = dt.datetime.fromisoformat(data["at"]) if data.get("at") else None
    except (TypeError, ValueError):
        on = at = None
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
    return LastGeneration(on=on, at=at, counts=dict(counts or {}))


def generate_care_items(*, uow: UnitOfWork, actor: Actor | None,
                        on: dt.date) -> GenerationResult:
    """Create the care items the enabled rules call for, due up to the horizon after ``on``.

    ``actor`` None is the scheduled command-line run (which holds the database itself);
    otherwise ``CARE/CREATE`` is required. Idempotent: see the module docstring.
    """
    with uow:
        if actor is not None:
            require(uow, actor, Module.CARE, Operation.CREATE)
        rules = _load_rules(uow)
        marker = _lock_run(uow, actor)
        until = on + dt.timedelta(days=rules.horizon_days)
        by = actor.user_id if actor is not None else None
        makers = {
            RULE_FOLLOW_UP: _follow_ups,
            RULE_CONTRACT: _contract_expiries,
            RULE_REORDER: _reorders,
            RULE_BIRTHDAY: _birthdays,
            RULE_HOLIDAY: _holidays,
        }
        counts: dict[str, int] = {}
        first_new = uow.session.execute(select(func.coalesce(func.max(CareItem.id), 0))
                                        ).scalar_one()
        for code, make in makers.items():
            rows = list(make(uow, rules, on, until)) if rules.enabled(code) else []
            for row in rows:
                row.update(status=CareStatus.OPEN, rule_code=code, created_by_id=by,
                           updated_by_id=by)
                row["title"] = row["title"][:200]
            for start in range(0, len(rows), 500):
                uow.session.execute(insert(CareItem), rows[start:start + 500])
            counts[code] = len(rows)
        total = sum(counts.values())
        _notify_owners(uow, actor, first_new)
        marker.value = json.dumps({"on": on.isoformat(), "at": utcnow().isoformat(),
                                   "counts": counts})
        marker.updated_by_id = by
        audit.record(uow, actor, AuditAction.CREATE, "care_item", None,
                     audit.say("Care items generated for {date}: {count}",
                               date=on.isoformat(), count=total), counts)
        uow.commit()
        return GenerationResult(on=on, counts=counts)


def _notify_owners(uow: UnitOfWork, actor: Actor | None, after_id: int) -> None:
    """Tell each owner at their station of the care items just made for them (a contract's
    end as the contract's, so the notice opens the contract)."""
    made = uow.session.execute(
        select(CareItem.id, CareItem.owner_id, CareItem.kind, CareItem.title,
               CareItem.due_on, CareItem.source_entity, CareItem.source_id)
        .where(CareItem.id > after_id, CareItem.owner_id.is_not(None))).all()
    notices = []
    for item in made:
        if item.kind == CareKind.CONTRACT_EXPIRY and item.source_entity == "service_contract":
            number = uow.session.get(ServiceContract, item.source_id)
            notices.append(dict(to_user=item.owner_id, kind="contract",
                                record_id=item.source_id, event="expiring",
                                number=number.number if number is not None else None,
                                day=(number.ends_on if number is not None
                                     else item.due_on).isoformat()))
        else:
            notices.append(dict(to_user=item.owner_id, kind="care_item", record_id=item.id,
                                event="care_due", number=item.title[:40],
                                day=item.due_on.isoformat()))
    feed.notify_many(uow, notices, by=actor)


def _lock_run(uow: UnitOfWork, actor: Actor | None) -> AppSetting:
    """Touch the run marker row now, so a second run at the same time waits for this one."""
    row = _setting(uow, RUN_KEY)
    if row is None:
        row = AppSetting(key=RUN_KEY, value="{}", description="Last care item generation",
                         created_by_id=actor.user_id if actor else None)
        uow.session.add(row)
    else:
        row.value = json.dumps({"running": utcnow().isoformat()})
    uow.flush()
    return row


def _not_lost() -> Any:
    return Customer.status != CustomerStatus.LOST


def _follow_ups(uow: UnitOfWork, rules: CareRules, on: dt.date,
                until: dt.date) -> Iterable[dict[str, Any]]:
    """Tickets picked up ``follow_up_days`` before a day in [on − catch-up, until]."""
    days = dt.timedelta(days=rules.follow_up_days)
    first, last = on - dt.timedelta(days=CATCH_UP_DAYS), until
    # Pickup times are UTC; the day that counts is the local one, so read a day either
    # side and decide on the local date below.
    lo = dt.datetime.combine(first - days - dt.timedelta(days=1), dt.time(), dt.UTC)
    hi = dt.datetime.combine(last - days + dt.timedelta(days=2), dt.time(), dt.UTC)
    already = exists().where(CareItem.rule_code == RULE_FOLLOW_UP,
                             CareItem.source_entity == "service_ticket",
                             CareItem.source_id == ServiceTicket.id)
    stmt = (
        select(ServiceTicket.id, ServiceTicket.number, ServiceTicket.customer_id,
               ServiceTicket.contact_id, ServiceTicket.picked_up_at, Customer.owner_id,
               Device.model)
        .join(Customer, Customer.id == ServiceTicket.customer_id)
        .outerjoin(Device, Device.id == ServiceTicket.device_id)
        .where(ServiceTicket.picked_up_at >= lo, ServiceTicket.picked_up_at < hi,
               ServiceTicket.status.in_((TicketStatus.PICKED_UP, TicketStatus.CLOSED)),
               _not_lost(), ~already)
        .order_by(ServiceTicket.id)
    )
    for tid, number, cid, contact_id, picked_up_at, owner_id, model in uow.session.execute(stmt):
        assert picked_up_at is not None  # the WHERE clause guarantees it
        due = picked_up_at.astimezone().date() + days
        if not first <= due <= last:
            continue
        title = (tr("Follow-up call after pickup: {ticket} ({model})", ticket=number,
                    model=model) if model
                 else tr("Follow-up call after pickup: {ticket}", ticket=number))
        yield {"customer_id": cid, "contact_id": contact_id, "product_id": None,
               "owner_id": owner_id, "kind": CareKind.FOLLOW_UP, "title": title,
               "due_on": due, "source_entity": "service_ticket", "source_id": tid}


def _contract_expiries(uow: UnitOfWork, rules: CareRules, on: dt.date,
                       until: dt.date) -> Iterable[dict[str, Any]]:
    """Active contracts ending in [on, until + contract_days]: due ``contract_days`` before."""
    days = dt.timedelta(days=rules.contract_days)
    already = exists().where(CareItem.rule_code == RULE_CONTRACT,
                             CareItem.source_entity == "service_contract",
                             CareItem.source_id == ServiceContract.id)
    stmt = (
        select(ServiceContract.id, ServiceContract.number, ServiceContract.customer_id,
               ServiceContract.ends_on, Customer.owner_id)
        .join(Customer, Customer.id == ServiceContract.customer_id)
        .where(ServiceContract.status == ContractStatus.ACTIVE,
               ServiceContract.ends_on >= on, ServiceContract.ends_on <= until + days,
               _not_lost(), ~already)
        .order_by(ServiceContract.id)
    )
    for contract_id, number, cid, ends_on, owner_id in uow.session.execute(stmt):
        yield {"customer_id": cid, "contact_id": None, "product_id": None,
               "owner_id": owner_id, "kind": CareKind.CONTRACT_EXPIRY,
               "title": tr("Service contract {number} ends on {date}", number=number,
                           date=ends_on.isoformat()),
               "due_on": max(ends_on - days, on), "source_entity": "service_contract",
               "source_id": contract_id}


def _reorders(uow: UnitOfWork, rules: CareRules, on: dt.date,
              until: dt.date) -> Iterable[dict[str, Any]]:
    """Each customer's consumables, from their own purchase interval (GROUP BY in SQL)."""
    purchase_day = Order.ordered_on
    purchases = (
        select(Order.customer_id.label("customer_id"),
               OrderLine.product_id.label("product_id"),
               purchase_day.label("day"))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Product.category == ProductCategory.CONSUMABLE,
               Order.status.in_((OrderStatus.CONFIRMED, OrderStatus.DELIVERED,
                                 OrderStatus.COMPLETED)),
               purchase_day <= on,
               purchase_day >= on - dt.timedelta(days=REORDER_HISTORY_DAYS))
        .distinct()  # two lines or two orders on one day are one purchase
        .subquery("purchases")
    )
    habits = (
        select(purchases.c.customer_id, purchases.c.product_id,
               func.min(purchases.c.day).label("first_on"),
               func.max(purchases.c.day).label("last_on"),
               func.count().label("purchases"))
        .group_by(purchases.c.customer_id, purchases.c.product_id)
        .having(func.count() >= 2,
                func.max(purchases.c.day) >= on - dt.timedelta(days=REORDER_STALE_DAYS))
        .subquery("habits")
    )
    already = exists().where(CareItem.rule_code == RULE_REORDER,
                             CareItem.customer_id == habits.c.customer_id,
                             CareItem.product_id == habits.c.product_id,
                             CareItem.due_on > habits.c.last_on)
    stmt = (
        select(habits.c.customer_id, habits.c.product_id, habits.c.first_on,
               habits.c.last_on, habits.c.purchases, Customer.owner_id, Product.name)
        .join(Customer, Customer.id == habits.c.customer_id)
        .join(Product, Product.id == habits.c.product_id)
        .where(_not_lost(), ~already)
        .order_by(habits.c.customer_id, habits.c.product_id)
    )
    first_due = on - dt.timedelta(days=CATCH_UP_DAYS)
    for cid, product_id, first_raw, last_raw, count, owner_id, product in (
            uow.session.execute(stmt)):
        first_on, last_on = _as_date(first_raw), _as_date(last_raw)
        interval = round((last_on - first_on).days / (int(count) - 1))
        expected = last_on + dt.timedelta(days=interval)
        due = max(expected - dt.timedelta(days=rules.reorder_lead_days),
                  last_on + dt.timedelta(days=1))
        if not first_due <= due <= until:
            continue
        yield {"customer_id": cid, "contact_id": None, "product_id": product_id,
               "owner_id": owner_id, "kind": CareKind.REORDER,
               "title": tr("Reorder {product}? Bought about every {days} days, last on {date}",
                           product=product, days=interval, date=last_on.isoformat()),
               "due_on": due, "source_entity": "product", "source_id": product_id}


def _as_date(value: Any) -> dt.date:
    # MIN/MAX of a date column come back as text on SQLite when read through a subquery.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _birthdays(uow: UnitOfWork, rules: CareRules, on: dt.date,
               until: dt.date) -> Iterable[dict[str, Any]]:
    """Contacts whose birthday falls in [on, until + birthday_days]."""
    lead = dt.timedelta(days=rules.birthday_days)
    window = _days(on, until + lead)
    # month × 100 + day of each day in the window → the day it is celebrated on.
    wanted: dict[int, dt.date] = {d.month * 100 + d.day: d for d in window}
    for d in window:
        if d.month == 2 and d.day == 28 and not _leap(d.year):
            wanted[229] = d  # born on 29 February: the 28th in other years
    month_day = extract("month", Contact.birthday) * 100 + extract("day", Contact.birthday)
    already = exists().where(
        CareItem.rule_code == RULE_BIRTHDAY, CareItem.source_entity == "contact",
        CareItem.source_id == Contact.id,
        CareItem.due_on >= on - dt.timedelta(days=BIRTHDAY_SAME_YEAR_DAYS))
    stmt = (
        select(Contact.id, Contact.name, Contact.birthday, Contact.customer_id,
               Customer.owner_id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.birthday.is_not(None), month_day.in_(sorted(wanted)), _not_lost(),
               ~already)
        .order_by(Contact.id)
    )
    for contact_id, name, birthday, cid, owner_id in uow.session.execute(stmt):
        assert birthday is not None  # the WHERE clause guarantees it
        day = wanted.get(birthday.month * 100 + birthday.day)
        if day is None:
            continue
        yield {"customer_id": cid, "contact_id": contact_id, "product_id": None,
               "owner_id": owner_id, "kind": CareKind.BIRTHDAY,
               "title": tr("Birthday greeting for {contact} ({date})", contact=name,
                           date=day.isoformat()),
               "due_on": max(day - lead, on), "source_entity": "contact",
               "source_id": contact_id}


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _holidays(uow: UnitOfWork, rules: CareRules, on: dt.date,
              until: dt.date) -> Iterable[dict[str, Any]]:
    """Every active customer of the chosen classes, for each holiday in the window."""
    if not rules.holiday_classes:
        return
    lead = dt.timedelta(days=rules.holiday_days)
    occurrences = sorted({(day, h.name) for h in rules.holidays
                          for day in h.occurrences(on, until + lead)})
    for day, name in occurrences:
        key = day.year * 10000 + day.month * 100 + day.day
        already = exists().where(CareItem.rule_code == RULE_HOLIDAY,
                                 CareItem.source_entity == "holiday",
                                 CareItem.source_id == key,
                                 CareItem.customer_id == Customer.id)
        stmt = (
            select(Customer.id, Customer.name, Customer.owner_id)
            .where(Customer.customer_class.in_(rules.holiday_classes),
                   Customer.status == CustomerStatus.ACTIVE, ~already)
            .order_by(Customer.id)
        )
        for cid, customer_name, owner_id in uow.session.execute(stmt):
            yield {"customer_id": cid, "contact_id": None, "product_id": None,
                   "owner_id": owner_id, "kind": CareKind.HOLIDAY,
                   "title": tr("{holiday} greeting for {customer}", holiday=name,
                               customer=customer_name),
                   "due_on": max(day - lead, on), "source_entity": "holiday",
                   "source_id": key}


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CareItemView:
    id: int
    version: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    contact_name: str | None
    product_id: int | None
    product_name: str | None
    owner_id: int | None
    owner_name: str | None
    kind: CareKind
    title: str
    due_on: dt.date
    status: CareStatus
    rule_code: str | None
    outcome: str | None
    channel: str | None
    done_at: dt.datetime | None
    overdue: bool
    # The care item's custom fields (form order) and their values by code: filled for a
    # single item (get_care_item and the calls that change one), empty in lists.
    custom_fields: tuple[custom_fields.FieldDefinition, ...] = ()
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CareTodoItem:
    """One care line of a to-do list."""

    id: int
    version: int
    customer_id: int
    customer_name: str
    kind: CareKind
    title: str
    due_on: dt.date
    overdue: bool


_Owner = aliased(User, name="care_owner")


def _view_query() -> Any:
    return (
        select(CareItem.id, CareItem.version, CareItem.customer_id, _DIR.name,
               CareItem.contact_id, Contact.name, CareItem.product_id, Product.name,
               CareItem.owner_id, _Owner.display_name, CareItem.kind, CareItem.title,
               CareItem.due_on, CareItem.status, CareItem.rule_code, CareItem.outcome,
               CareItem.channel, CareItem.done_at)
        .join(customer_directory, _DIR.id == CareItem.customer_id)
        .outerjoin(Contact, Contact.id == CareItem.contact_id)
        .outerjoin(Product, Product.id == CareItem.product_id)
        .outerjoin(_Owner, _Owner.id == CareItem.owner_id)
    )


def _view(row: Sequence[Any], today: dt.date) -> CareItemView:
    # A sorted page carries the sort value and id after these (app.services.paging).
    (iid, version, cid, cname, contact_id, contact, product_id, product, owner_id, owner,
     kind, title, due, status, rule, outcome, channel, done_at, *_) = row
    return CareItemView(
        id=iid, version=version, customer_id=cid, customer_name=cname,
        contact_id=contact_id, contact_name=contact, product_id=product_id,
        product_name=product, owner_id=owner_id, owner_name=owner, kind=CareKind(kind),
        title=title, due_on=due, status=CareStatus(status), rule_code=rule, outcome=outcome,
        channel=channel, done_at=done_at,
        overdue=CareStatus(status) is CareStatus.OPEN and due < today)


def list_care_items(
    *, uow: UnitOfWork, actor: Actor, on: dt.date | None = None, mine: bool = False,
    statuses: Iterable[CareStatus] | None = (CareStatus.OPEN,), kind: CareKind | None = None,
    due_from: dt.date | None = None, due_to: dt.date | None = None, limit: int = LIST_LIMIT,
) -> tuple[CareItemView, ...]:
    """Care items in the actor's data scope (``mine``: only their own), soonest due first.

    ``statuses`` None lists every status. ``on`` (default today) decides what is overdue.
    At most ``limit`` items: over the years the done ones grow without bound, which
    :func:`page_care_items` pages through.
    """
    today = on or dt.date.today()
    limit = max(1, min(int(limit), 2000))
    statuses = tuple(statuses) if statuses is not None else None  # read twice
    with uow:
        require(uow, actor, Module.CARE, Operation.VIEW)
        stmt = _filtered(uow, actor, mine, statuses, kind, due_from, due_to)
        if _open_only(statuses):
            stmt = stmt.order_by(CareItem.due_on, CareItem.id)
        else:
            stmt = stmt.order_by(CareItem.due_on.desc(), CareItem.id.desc())
        return tuple(_view(r, today) for r in uow.session.execute(stmt.limit(limit)).all())


@dataclass(frozen=True)
class CareItemPage:
    rows: tuple[CareItemView, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every care item matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


# The care list's columns, as sort keys for :func:`page_care_items`.
CARE_SORT_KEYS: tuple[str, ...] = ("due_on", "customer", "kind", "reason", "owner", "status",
                                   "outcome")
# What each sorts by; all of it is on every row the actor may list. The customer by
# pinyin, kind and status in their declared order, no owner (management's) last.
_SORT_COLUMNS: dict[str, SortExpr] = {
    "due_on": CareItem.due_on,
    "customer": _DIR.sort_key,
    "kind": ranked(CareItem.kind, list(CareKind)),
    "reason": CareItem.title,
    "owner": _Owner.display_name,
    "status": ranked(CareItem.status, list(CareStatus)),
    "outcome": CareItem.outcome,
}
_NOT_NULL = ("due_on", "kind", "reason", "status")


def page_care_items(
    *, uow: UnitOfWork, actor: Actor, on: dt.date | None = None, mine: bool = False,
    statuses: Iterable[CareStatus] | None = (CareStatus.OPEN,), kind: CareKind | None = None,
    due_from: dt.date | None = None, due_to: dt.date | None = None,
    after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
    with_total: bool = False,
) -> CareItemPage:
    """:func:`list_care_items` one page at a time, in the same order unless ``sort`` names
    one of :data:`CARE_SORT_KEYS`; ``with_total`` also counts every match."""
    today = on or dt.date.today()
    limit = max(1, min(int(limit), 500))
    statuses = tuple(statuses) if statuses is not None else None  # read twice
    with uow:
        require(uow, actor, Module.CARE, Operation.VIEW)
        base = _filtered(uow, actor, mine, statuses, kind, due_from, due_to)
        if sort is None:
            sort = Sort("due_on", descending=not _open_only(statuses))
        rows = uow.session.execute(ordered_page(
            base, columns=_SORT_COLUMNS, sort=sort, id_column=CareItem.id, after=after,
            limit=limit, not_null=_NOT_NULL)).all()
        return CareItemPage(rows=tuple(_view(r, today) for r in rows[:limit]),
                            next_after=next_after(rows, limit),
                            total=count_rows(uow.session, base) if with_total else None)


def _open_only(statuses: Iterable[CareStatus] | None) -> bool:
    """Whether the list is of open items only (soonest due first; others newest first)."""
    return statuses is not None and tuple(statuses) == (CareStatus.OPEN,)


def _filtered(uow: UnitOfWork, actor: Actor, mine: bool,
              statuses: Iterable[CareStatus] | None, kind: CareKind | None,
              due_from: dt.date | None, due_to: dt.date | None) -> Any:
    """The care items in the actor's scope that the list's filters let through."""
    stmt = _view_query().where(scope_filter(uow, actor, Module.CARE, CareItem.owner_id))
    if mine:
        stmt = stmt.where(CareItem.owner_id == actor.user_id)
    if statuses is not None:
        stmt = stmt.where(CareItem.status.in_(tuple(statuses)))
    if kind is not None:
        stmt = stmt.where(CareItem.kind == kind)
    if due_from is not None:
        stmt = stmt.where(CareItem.due_on >= due_from)
    if due_to is not None:
        stmt = stmt.where(CareItem.due_on <= due_to)
    return stmt


def get_care_item(*, uow: UnitOfWork, actor: Actor, care_item_id: int,
                  on: dt.date | None = None) -> CareItemView:
    with uow:
        require(uow, actor, Module.CARE, Operation.VIEW)
        row = uow.session.execute(_view_query().where(CareItem.id == care_item_id)
                                  ).one_or_none()
        if row is None:
            raise _not_found(care_item_id)
        require_in_scope(uow, actor, Module.CARE, Operation.VIEW, row[8])
        return _with_custom(uow, _view(row, on or dt.date.today()))


def _with_custom(uow: UnitOfWork, view: CareItemView) -> CareItemView:
    """``view`` with its custom fields and values (two queries)."""
    fields = custom_fields.load_definitions(uow, CustomFieldEntity.CARE_ITEM)
    if not fields:
        return view
    values = custom_fields.values_for(uow=uow, entity=CustomFieldEntity.CARE_ITEM,
                                      record_ids=[view.id]).get(view.id, {})
    return replace(view, custom_fields=fields,
                   custom={f.code: values.get(f.code) for f in fields})


def open_care_items_for_todo(*, uow: UnitOfWork, actor: Actor, on: dt.date,
                             limit: int = 200) -> tuple[CareTodoItem, ...]:
    """The actor's open care items due on ``on`` or earlier, oldest first.

    Items without an owner belong to management: they are listed to those who may run
    the generation (``CARE/CREATE``).
    """
    limit = max(1, min(int(limit), 1000))
    with uow:
        grants = require(uow, actor, Module.CARE, Operation.VIEW)
        mine: Any = CareItem.owner_id == actor.user_id
        if grants.allows(Module.CARE, Operation.CREATE):
            mine = or_(mine, CareItem.owner_id.is_(None))
        stmt = (
            select(CareItem.id, CareItem.version, CareItem.customer_id, _DIR.name,
                   CareItem.kind, CareItem.title, CareItem.due_on)
            .join(customer_directory, _DIR.id == CareItem.customer_id)
            .where(mine, CareItem.status == CareStatus.OPEN, CareItem.due_on <= on)
            .order_by(CareItem.due_on, CareItem.id)
            .limit(limit)
        )
        return tuple(
            CareTodoItem(id=i, version=v, customer_id=c, customer_name=n, kind=CareKind(k),
                         title=t, due_on=d, overdue=d < on)
            for i, v, c, n, k, t, d in uow.session.execute(stmt).all())


# --- changing ------------------------------------------------------------------------------


def _not_found(care_item_id: int) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr("Care item"), id=care_item_id))


def _load_for_edit(uow: UnitOfWork, actor: Actor, care_item_id: int,
                   expected_version: int) -> CareItem:
    require(uow, actor, Module.CARE, Operation.EDIT)
    item = uow.session.get(CareItem, care_item_id)
    if item is None:
        raise _not_found(care_item_id)
    require_in_scope(uow, actor, Module.CARE, Operation.EDIT, item.owner_id)
    check_version(uow, item, expected_version, entity="care_item", label=tr("Care item"))
    return item


def _finish(uow: UnitOfWork, actor: Actor, item: CareItem, before: dict[str, Any],
            action: AuditAction, on: dt.date | None,
            custom_changes: Mapping[str, list[Any]] | None = None) -> CareItemView:
    item.updated_by_id = actor.user_id
    changes = audit.diff(before, audit.snapshot(item))
    if custom_changes:
        changes.update(custom_changes)
        item.updated_at = utcnow()  # the version moves when only custom values changed
    uow.flush()
    audit.record(uow, actor, action, "care_item", item.id, item.title, changes)
    uow.commit()
    row = uow.session.execute(_view_query().where(CareItem.id == item.id)).one()
    return _with_custom(uow, _view(row, on or dt.date.today()))


def _channel(check: Checker, value: str | None, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            check.fail("channel", tr("is required"))
        return None
    if value not in CHANNELS:
        check.fail("channel", tr("is not a valid choice"))
        return None
    return value


def record_outcome(*, uow: UnitOfWork, actor: Actor, care_item_id: int,
                   expected_version: int, outcome: str, channel: str, done: bool = True,
                   on: dt.date | None = None,
                   custom: Mapping[str, object] | None = None) -> CareItemView:
    """Write down how the customer was looked after; ``done`` closes the item.

    With ``done`` False the outcome is noted and the item stays open (e.g. "no answer").
    A done item may have its outcome corrected; a dismissed one must be reopened first.
    ``custom``: the item's custom field values by code (fields left out keep theirs),
    checked with the form's rules and saved in the same transaction.
    """
    values = dict(custom or {})
    with uow:
        require(uow, actor, Module.CARE, Operation.EDIT)
        check = Checker()
        text = check.text("outcome", outcome, max_len=500, required=True, multiline=True)
        how = _channel(check, channel, required=True)
        item = _load_for_edit(uow, actor, care_item_id, expected_version)
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.CARE_ITEM,
                                record_id=item.id, values=values)
        # Before the item's own changes: save_values' queries would flush them and move
        # the version twice in one save.
        custom_changes = custom_fields.save_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.CARE_ITEM, record_id=item.id,
            values=values)
        before = audit.snapshot(item)
        current = CareStatus(item.status)
        if current is not CareStatus.DONE and done:
            CARE_LIFECYCLE.check(current, CareStatus.DONE, record=_record(item))
            item.status = CareStatus.DONE
            item.done_at = utcnow()
        elif current is CareStatus.SKIPPED:
            CARE_LIFECYCLE.check(current, CareStatus.DONE, record=_record(item))
        item.outcome = text
        item.channel = how
        action = AuditAction.TRANSITION if item.status != current else AuditAction.UPDATE
        return _finish(uow, actor, item, before, action, on, custom_changes)


def postpone_care_item(*, uow: UnitOfWork, actor: Actor, care_item_id: int,
                       expected_version: int, to: dt.date, outcome: str | None = None,
                       channel: str | None = None, on: dt.date | None = None,
                       custom: Mapping[str, object] | None = None) -> CareItemView:
    """Move the item to a later day (from ``on``, default today), noting why if given.

    A dismissed item is reopened; a done one cannot be postponed. ``custom``: custom field
    values by code, as for :func:`record_outcome`.
    """
    today = on or dt.date.today()
    values = dict(custom or {})
    with uow:
        require(uow, actor, Module.CARE, Operation.EDIT)
        check = Checker()
        day = check.date("due_on", to, required=True, earliest=today,
                         latest=today + dt.timedelta(days=3 * 366))
        text = check.text("outcome", outcome, max_len=500, multiline=True)
        how = _channel(check, channel, required=False)
        item = _load_for_edit(uow, actor, care_item_id, expected_version)
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.CARE_ITEM,
                                record_id=item.id, values=values)
        assert day is not None
        custom_changes = custom_fields.save_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.CARE_ITEM, record_id=item.id,
            values=values)
        before = audit.snapshot(item)
        current = CareStatus(item.status)
        if current is not CareStatus.OPEN:
            CARE_LIFECYCLE.check(current, CareStatus.OPEN, record=_record(item))
            item.status = CareStatus.OPEN
            item.done_at = None
        item.due_on = day
        if text is not None:
            item.outcome = text
        if how is not None:
            item.channel = how
        return _finish(uow, actor, item, before, AuditAction.UPDATE, today, custom_changes)


def dismiss_care_item(*, uow: UnitOfWork, actor: Actor, care_item_id: int,
                      expected_version: int, reason: str | None = None,
                      on: dt.date | None = None) -> CareItemView:
    """Skip an item that needs no action (跳过); the reason shows on the timeline."""
    with uow:
        require(uow, actor, Module.CARE, Operation.EDIT)
        check = Checker()
        text = check.text("outcome", reason, max_len=500, multiline=True)
        check.done()
        item = _load_for_edit(uow, actor, care_item_id, expected_version)
        before = audit.snapshot(item)
        CARE_LIFECYCLE.check(CareStatus(item.status), CareStatus.SKIPPED, record=_record(item))
        item.status = CareStatus.SKIPPED
        item.done_at = utcnow()
        if text is not None:
            item.outcome = text
        return _finish(uow, actor, item, before, AuditAction.TRANSITION, on)


def _record(item: CareItem) -> str:
    return f"{tr('Care item')} {item.title}"


__all__ = [
    "CARE_LIFECYCLE", "CARE_SORT_KEYS", "CHANNELS", "RULE_CODES", "CareItemPage",
    "CareItemView", "CareRules", "CareTodoItem",
    "GenerationResult", "Holiday", "LastGeneration", "dismiss_care_item", "generate_care_items",
    "get_care_item", "get_care_rules", "last_generation", "list_care_items",
    "open_care_items_for_todo", "page_care_items", "postpone_care_item", "record_outcome",
    "save_care_rules",
]
