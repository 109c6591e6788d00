"""Service tickets (服务接单 → 派遣 → 维修记录 → 取机): the repair department's job flow.

Who sees and changes which ticket
---------------------------------
A ticket has two people attached: whoever took it in (``intake_by_id``) and the assigned
technician (``technician_id``). The ``SERVICE_TICKETS`` data scope is checked against
*either* of them: a technician (scope OWN) sees the tickets assigned to them and those they
took in; a counter clerk (scope DEPARTMENT) sees the tickets the storefront took in; the
repair lead and management (scope ALL) see everything.

- Intake needs ``SERVICE_TICKETS/CREATE`` (counter clerk, repair lead, management; not
  technicians, not key-account salespeople) and the customer in the actor's customers scope
  or unowned.
- Dispatch needs ``SERVICE_TICKETS/CONFIRM`` (the repair lead and management): it is the
  lead's decision who does the job. The technician must be an active user with the
  technician role (or the lead role).
- Moving a ticket along needs ``SERVICE_TICKETS/EDIT`` and the ticket in scope.
- The repair record is written by the assigned technician, or by someone holding CONFIRM.

Contract coverage
-----------------
At intake the device's active contract decides (see :class:`Coverage`): full service —
the job is free (``chargeable`` false); labour only — the ticket links the contract but
stays chargeable, and the repair record charges the parts only; per visit — while the
contract's included visits last the job is free and links the contract (one visit used),
once they are used up it is charged normally and links no contract. Visits used = tickets
linked to the contract that are not cancelled, so a cancelled ticket gives its visit back.

Service score (服务分值)
------------------------
``score = base[job_type] × difficulty + (rating − 3) × rating_step
+ (on_time_bonus if on time else −late_penalty)``, never below ``minimum``; a job without a
rating gets no rating adjustment. Defaults (overridable in the ``service_rules`` setting,
JSON ``{"sla_hours": {...}, "score": {"base": {...}, "rating_step": ..., ...}}``):
base bench_repair 2, on_site_repair 3, maintenance 1.5, installation 2; rating_step 0.5;
on_time_bonus 1; late_penalty 1; minimum 0.5. "On time" means completed at or before the
ticket's SLA due time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app import labels
from app.i18n import tr
from app.models import (
    AppSetting,
    Contact,
    Device,
    Payment,
    PaymentAllocation,
    Product,
    Role,
    User,
    utcnow,
)
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ConfirmStatus,
    ContractKind,
    ContractStatus,
    CustomFieldEntity,
    DeviceStatus,
    Module,
    Operation,
    PaymentMethod,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.models.service import (
    ContractDevice,
    KnowledgeEntry,
    RepairPart,
    RepairRecord,
    ServiceContract,
    ServiceTicket,
    TicketEvent,
)
from app.services import audit, custom_fields, feed, requests
from app.services.customers import serial_conflict
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import (
    Actor,
    grants_for,
    owns_in_scope,
    require,
    scope_filter,
)
from app.services.uow import UnitOfWork, translate_db_error
from app.services.validation import Checker, business_dates, search_text

TS = TicketStatus
TICKET_LIFECYCLE: TransitionTable[TicketStatus] = TransitionTable(
    entity="service_ticket",
    states=TicketStatus,
    initial=TS.RECEIVED,
    edges=frozenset({
        (TS.RECEIVED, TS.DISPATCHED),
        (TS.DISPATCHED, TS.IN_REPAIR),
        (TS.IN_REPAIR, TS.WAITING_PARTS),
        (TS.WAITING_PARTS, TS.IN_REPAIR),
        (TS.IN_REPAIR, TS.DONE),
        (TS.DONE, TS.PICKED_UP),
        (TS.PICKED_UP, TS.CLOSED),
        (TS.RECEIVED, TS.CANCELLED),
        (TS.DISPATCHED, TS.CANCELLED),
    }),
)

# The timestamp column each status stamps when a ticket enters it.
_STAMPS: Mapping[TicketStatus, str] = {
    TS.DISPATCHED: "dispatched_at", TS.IN_REPAIR: "started_at", TS.DONE: "completed_at",
    TS.PICKED_UP: "picked_up_at", TS.CLOSED: "closed_at", TS.CANCELLED: "closed_at",
}
OPEN_STATUSES = (TS.RECEIVED, TS.DISPATCHED, TS.IN_REPAIR, TS.WAITING_PARTS)
# Statuses in which the SLA clock still runs (the job is not finished).
_CLOCK_RUNNING = OPEN_STATUSES

SETTINGS_KEY = "service_rules"
DEFAULT_SLA_HOURS: Mapping[str, int] = {"urgent": 4, "high": 8, "normal": 24, "low": 72}
JOB_TYPES = ("bench_repair", "on_site_repair", "maintenance", "installation")
DEFAULT_SCORE_RULES: Mapping[str, Any] = {
    "base": {"bench_repair": 2, "on_site_repair": 3, "maintenance": 1.5, "installation": 2},
    "rating_step": 0.5,
    "on_time_bonus": 1,
    "late_penalty": 1,
    "minimum": 0.5,
}
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
_CENT = Decimal("0.01")


# --- data in and out -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewDevice:
    brand: str
    model: str
    serial_number: str


@dataclass(frozen=True)
class IntakeDraft:
    """The intake form. Give ``device_id`` or ``new_device`` (or neither for no device)."""

    customer_id: int
    symptoms: str
    channel: TicketChannel | str = TicketChannel.WALK_IN
    mode: ServiceMode | str = ServiceMode.BRING_IN
    priority: Priority | str = Priority.NORMAL
    device_id: int | None = None
    new_device: NewDevice | None = None
    contact_id: int | None = None
    accessories: str | None = None
    condition: str | None = None
    site_address: str | None = None
    expected_on: dt.date | None = None
    received_at: dt.datetime | None = None  # aware; None means now
    # Custom field values by code (app/services/custom_fields.py).
    custom: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PartLine:
    product_id: int
    quantity: Decimal | str | int


@dataclass(frozen=True)
class RepairDraft:
    work_done: str
    job_type: str
    difficulty: int = 1
    cause: str | None = None
    result: str | None = None
    labour_minutes: int = 0
    labour_amount: Decimal | str = Decimal("0.00")
    parts: tuple[PartLine, ...] = ()
    customer_rating: int | None = None
    knowledge_entry_id: int | None = None
    completed_at: dt.datetime | None = None  # aware; None means now


@dataclass(frozen=True)
class Coverage:
    """The contract covering a device on a day, and what it makes free for the next job.

    ``visits_used`` counts the tickets (not cancelled) this contract already covered; for a
    per-visit contract ``visits_left`` is what remains of ``included_visits`` (None means
    no limit is set). A per-visit contract whose visits are used up still shows here, but
    the next job is charged normally (``used_up``).
    """

    contract_id: int
    contract_number: str
    ends_on: dt.date
    kind: ContractKind = ContractKind.FULL_SERVICE
    included_visits: int | None = None
    visits_used: int = 0

    @property
    def visits_left(self) -> int | None:
        if self.kind is not ContractKind.PER_VISIT or self.included_visits is None:
            return None
        return max(0, self.included_visits - self.visits_used)

    @property
    def used_up(self) -> bool:
        return self.visits_left == 0

    @property
    def labour_free(self) -> bool:
        return not self.used_up

    @property
    def parts_free(self) -> bool:
        return self.kind is not ContractKind.LABOUR_ONLY and not self.used_up

    @property
    def covers_job(self) -> bool:
        """Whether the next job counts against this contract (the ticket links it)."""
        return not self.used_up

    @property
    def summary(self) -> str:
        """The kind and what is free, in the user's language ("在保：仅人工免费，配件收费")."""
        if self.kind is ContractKind.LABOUR_ONLY:
            return tr("Under contract: labour free, parts charged")
        if self.kind is ContractKind.PER_VISIT:
            if self.included_visits is None:
                return tr("Per visit: this job free")
            if self.used_up:
                return tr("Included visits used up: {used}/{total}; this job is charged",
                          used=self.visits_used, total=self.included_visits)
            return tr("Per visit: {left} of {total} visits left; this job free",
                      left=self.visits_left, total=self.included_visits)
        return tr("Under contract: labour and parts free")


@dataclass(frozen=True)
class ChargeSplit:
    """What a job is worth and what the customer pays for it, labour and parts apart."""

    labour: Decimal
    parts: Decimal
    labour_charged: Decimal
    parts_charged: Decimal

    @property
    def total(self) -> Decimal:
        return self.labour_charged + self.parts_charged

    @property
    def labour_free(self) -> bool:
        return self.labour_charged == 0 and self.labour > 0

    @property
    def parts_free(self) -> bool:
        return self.parts_charged == 0 and self.parts > 0


def charge_split(labour: Decimal, parts: Decimal, *, labour_free: bool,
                 parts_free: bool) -> ChargeSplit:
    """The charge of a job: full service frees both, labour only frees the labour."""
    zero = Decimal("0.00")
    return ChargeSplit(labour=labour, parts=parts,
                       labour_charged=zero if labour_free else labour,
                       parts_charged=zero if parts_free else parts)


@dataclass(frozen=True)
class TicketEventView:
    """One status change of a ticket (``from_status`` is None for the intake)."""

    at: dt.datetime
    from_status: TicketStatus | None
    to_status: TicketStatus
    by_name: str
    note: str | None


@dataclass(frozen=True)
class RepairSummary:
    """The latest repair record of a ticket: what was done and what it cost."""

    id: int
    work_done: str
    cause: str | None
    result: str | None
    labour_amount: Decimal
    parts_amount: Decimal
    service_score: Decimal
    technician_name: str
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class TicketView:
    """A ticket as the desk shows it.

    ``events`` (oldest first) and ``repair`` are filled for a single ticket (get_ticket,
    get_ticket_by_number and the calls that change a ticket) — one query each, whatever the
    history length; list calls leave them empty to keep a page cheap.
    """

    id: int
    version: int
    number: str
    customer_id: int
    customer_name: str
    device_id: int | None
    device_label: str | None
    serial_number: str | None
    contract_id: int | None
    channel: TicketChannel
    mode: ServiceMode
    priority: Priority
    status: TicketStatus
    symptoms: str
    accessories: str | None
    condition: str | None
    chargeable: bool
    received_at: dt.datetime
    due_at: dt.datetime | None
    expected_on: dt.date | None
    intake_by_id: int
    technician_id: int | None
    technician_name: str | None
    scheduled_at: dt.datetime | None
    site_address: str | None
    completed_at: dt.datetime | None
    picked_up_at: dt.datetime | None
    total_charge: Decimal
    paid_amount: Decimal
    overdue: bool
    events: tuple[TicketEventView, ...] = ()
    repair: RepairSummary | None = None
    # The kind of the contract that covers this job (None: not covered) and what it frees.
    coverage_kind: ContractKind | None = None
    labour_free: bool = False
    parts_free: bool = False

    @property
    def open_charge(self) -> Decimal:
        return self.total_charge - self.paid_amount


@dataclass(frozen=True)
class TicketFilters:
    status: TicketStatus | None = None
    customer_id: int | None = None
    technician_id: int | None = None
    device_id: int | None = None
    overdue_only: bool = False
    open_only: bool = False


@dataclass(frozen=True)
class TicketPage:
    rows: tuple[TicketView, ...]
    # Newest received first; pass back as ``after``.
    next_after: Cursor | None = None
    # Custom field values of the page's rows asked for as columns: {ticket id: {code: value}}.
    custom: Mapping[int, Mapping[str, object]] = field(default_factory=dict)
    # Every ticket matching the filters in the actor's scope (with ``with_total``).
    total: int | None = None


# The ticket list's columns, as sort keys for :func:`list_tickets`.
TICKET_SORT_KEYS: tuple[str, ...] = ("number", "customer", "device", "priority", "status",
                                     "technician", "received", "due")
_NEWEST = Sort("received", descending=True)


@dataclass(frozen=True)
class TicketCustom:
    """A ticket's custom fields (form order), their values by code and the ticket's
    version to hand back on saving."""

    ticket_id: int
    version: int
    fields: tuple[custom_fields.FieldDefinition, ...]
    values: Mapping[str, object]


@dataclass(frozen=True)
class Workload:
    technician_id: int
    technician_name: str
    open_tickets: int


@dataclass(frozen=True)
class ServiceRules:
    """SLA hours per priority and the score rules; ``version`` is the setting row's
    (0 while only the defaults apply) for :func:`save_service_rules`."""

    sla_hours: Mapping[str, int]
    score: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_SCORE_RULES))
    version: int = 0


# --- rules -----------------------------------------------------------------------------------


def load_rules(uow: UnitOfWork) -> ServiceRules:
    """SLA hours and score rules from the ``service_rules`` setting, defaults filled in.

    Score numbers come back as Decimal; a value that is not a number falls back to its
    default.
    """
    with uow:  # its own transaction when called on its own: never leave one open
        row = uow.session.execute(
            select(AppSetting.value, AppSetting.version)
            .where(AppSetting.key == SETTINGS_KEY)).first()
    raw, version = (row[0], row[1]) if row is not None else (None, 0)
    data: dict[str, Any] = {}
    if raw:
        try:
            loaded = json.loads(raw)
            if isinstance(loaded, dict):
                data = loaded
        except ValueError:
            data = {}
    sla_in = _mapping(data.get("sla_hours"))
    sla = {key: _int_or(sla_in.get(key), default) for key, default in DEFAULT_SLA_HOURS.items()}
    score_in = _mapping(data.get("score"))
    base_in = _mapping(score_in.get("base"))
    score: dict[str, Any] = {
        key: _decimal_or(score_in.get(key), default)
        for key, default in DEFAULT_SCORE_RULES.items() if key != "base"}
    score["base"] = {key: _decimal_or(base_in.get(key), default)
                     for key, default in DEFAULT_SCORE_RULES["base"].items()}
    return ServiceRules(sla_hours=sla, score=score, version=version)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int_or(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _decimal_or(value: Any, default: Any) -> Decimal:
    if value is not None and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
            if number.is_finite():
                return number
        except ArithmeticError:
            pass
    return Decimal(str(default))


# Limits of the rules a person may save (see save_service_rules).
MAX_RULE_SLA_HOURS = 720
MAX_BASE_POINTS = Decimal("100")
MAX_RATING_STEP = Decimal("10")
MAX_BONUS_POINTS = Decimal("100")


def save_service_rules(*, uow: UnitOfWork, actor: Actor, rules: ServiceRules,
                       expected_version: int) -> ServiceRules:
    """Save the SLA hours and score rules (the ``service_rules`` setting).

    Needs ``SERVICE_TICKETS/CONFIRM``: the repair lead (and management) own how the
    department's jobs are timed and scored, as they own dispatch. ``expected_version`` is
    the ``version`` of the rules the user loaded (0 for the defaults, when nothing was
    saved yet); a save by someone else in between raises ConflictError. Rules: SLA hours
    1..720 per priority; base points per job type 0..100; rating step per star 0..10;
    on-time bonus, late penalty and minimum 0..100; points with at most two decimals.
    The change is audited; tickets taken in and repairs recorded afterwards use it.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.CONFIRM)
        row = uow.session.execute(
            select(AppSetting).where(AppSetting.key == SETTINGS_KEY)).scalar_one_or_none()
        if row is not None:
            check_version(uow, row, expected_version, entity="app_setting",
                          label=tr("Service rules"))
        elif expected_version != 0:
            raise ConflictError(tr("Someone else saved this record at the same time. "
                                   "Reload it and try again."),
                                entity="app_setting", current_version=0)
        check = Checker()
        sla_in = _mapping(rules.sla_hours)
        unknown = set(sla_in) - set(DEFAULT_SLA_HOURS)
        if unknown:
            check.fail("sla_hours", tr("is not a valid choice"))
        sla: dict[str, int] = {}
        for key in DEFAULT_SLA_HOURS:
            hours = check.integer(f"sla_hours.{key}", sla_in.get(key), low=1,
                                  high=MAX_RULE_SLA_HOURS)
            if hours is not None:
                sla[key] = hours
        score_in = _mapping(rules.score)
        base_in = _mapping(score_in.get("base"))
        if set(base_in) - set(JOB_TYPES):
            check.fail("score.base", tr("is not a valid choice"))
        base: dict[str, str] = {}
        for job in JOB_TYPES:
            points = _points(check, f"score.base.{job}", base_in.get(job), MAX_BASE_POINTS)
            if points is not None:
                base[job] = str(points)
        score: dict[str, Any] = {"base": base}
        for key, high in (("rating_step", MAX_RATING_STEP), ("on_time_bonus", MAX_BONUS_POINTS),
                          ("late_penalty", MAX_BONUS_POINTS), ("minimum", MAX_BONUS_POINTS)):
            points = _points(check, f"score.{key}", score_in.get(key), high)
            if points is not None:
                score[key] = str(points)
        check.done()
        value = json.dumps({"sla_hours": sla, "score": score}, ensure_ascii=False,
                           sort_keys=True)
        if row is None:
            row = AppSetting(key=SETTINGS_KEY, value=value,
                             description="SLA hours and service score rules",
                             created_by_id=actor.user_id, updated_by_id=actor.user_id)
            uow.session.add(row)
            uow.flush()
            audit.record(uow, actor, AuditAction.CREATE, "app_setting", row.id, SETTINGS_KEY,
                         {"after": json.loads(value)})
        else:
            before = json.loads(row.value) if row.value else None
            row.value = value
            row.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "app_setting", row.id, SETTINGS_KEY,
                         {"before": before, "after": json.loads(value)})
        uow.commit()
        return load_rules(uow)


def _points(check: Checker, field_name: str, value: Any, high: Decimal) -> Decimal | None:
    if isinstance(value, float):
        value = str(value)  # a rule number typed in code; points are not money
    points = check.decimal(field_name, value, places=2)
    if points is not None and points > high:
        check.fail(field_name, tr("must be between {low} and {high}", low=0, high=high))
        return None
    return points


def due_time(received_at: dt.datetime, priority: Priority, rules: ServiceRules) -> dt.datetime:
    return received_at + dt.timedelta(hours=int(rules.sla_hours[priority.value]))


def service_score(job_type: str, difficulty: int, rating: int | None, on_time: bool,
                  rules: Mapping[str, Any] = DEFAULT_SCORE_RULES) -> Decimal:
    """The service score of one job; see the module docstring for the formula."""
    def d(value: Any) -> Decimal:
        return Decimal(str(value))

    score = d(rules["base"][job_type]) * difficulty
    if rating is not None:
        score += (rating - 3) * d(rules["rating_step"])
    score += d(rules["on_time_bonus"]) if on_time else -d(rules["late_penalty"])
    return max(score, d(rules["minimum"])).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- use cases -------------------------------------------------------------------------------


def intake_ticket(*, uow: UnitOfWork, actor: Actor, draft: IntakeDraft,
                  request_key: str | None = None) -> TicketView:
    """Take in a device (or an on-site request): number, SLA due time, contract coverage.

    Any customer of the company may hand in a device at the counter or the repair
    department, whoever owns them as a sales customer: the desk needs CUSTOMERS view
    and SERVICE_TICKETS create, not the customer in its sales data scope. A retry with
    the ``request_key`` of a ticket already taken in returns that ticket.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.CREATE)
        require(uow, actor, Module.CUSTOMERS, Operation.VIEW)
        if (saved := requests.replayed(uow, actor, request_key, "service_ticket")) is not None:
            return _view(uow, saved, detail=True)
        check = Checker()
        business_dates(check, expected_on=draft.expected_on, received_at=draft.received_at)
        # Through the directory: on a secured server the desk may not read the card of a
        # customer outside its sales scope, only who the customer is.
        customer = (uow.session.execute(
            select(customer_directory.c.id, customer_directory.c.name)
            .where(customer_directory.c.id == draft.customer_id)).one_or_none()
            if isinstance(draft.customer_id, int) else None)
        if customer is None:
            check.fail("customer_id", tr("does not exist"))
        symptoms = check.text("symptoms", draft.symptoms, max_len=4000, required=True,
                              multiline=True)
        channel = check.choice("channel", draft.channel, TicketChannel)
        mode = check.choice("mode", draft.mode, ServiceMode)
        priority = check.choice("priority", draft.priority, Priority)
        accessories = check.text("accessories", draft.accessories, max_len=500)
        condition = check.text("condition", draft.condition, max_len=500)
        address = check.text("site_address", draft.site_address, max_len=200)
        if mode is ServiceMode.ON_SITE and address is None:
            check.fail("site_address", tr("is required for an on-site job"))
        expected_on = check.date("expected_on", draft.expected_on)
        if draft.contact_id is not None and (customer is None or uow.session.execute(
                select(Contact.customer_id).where(Contact.id == draft.contact_id)
        ).scalar_one_or_none() != customer.id):
            check.fail("contact_id", tr("must belong to the same customer"))
        now = utcnow()
        received_at = draft.received_at or now
        if received_at.tzinfo is None:
            check.fail("received_at", tr("must include a time zone"))
        elif received_at > now + FUTURE_TOLERANCE:
            check.fail("received_at", tr("must not be in the future"))
        device: Device | None = None
        new_device: dict[str, str | None] | None = None
        if draft.device_id is not None and draft.new_device is not None:
            check.fail("device_id", tr("give either an existing device or a new one"))
        elif draft.device_id is not None:
            device = uow.session.get(Device, draft.device_id)
            if device is None or customer is None or device.customer_id != customer.id:
                check.fail("device_id", tr("must belong to the same customer"))
                device = None
        elif draft.new_device is not None:
            nd = draft.new_device
            serial = check.text("new_device.serial_number", nd.serial_number, max_len=60,
                                required=True)
            new_device = {
                "brand": check.text("new_device.brand", nd.brand, max_len=100, required=True),
                "model": check.text("new_device.model", nd.model, max_len=100, required=True),
                "serial_number": serial.upper() if serial else None,
            }
            if new_device["serial_number"]:
                owner = uow.session.execute(
                    select(customer_directory.c.name)
                    .join(Device, Device.customer_id == customer_directory.c.id)
                    .where(Device.serial_number == new_device["serial_number"],
                           Device.model == new_device["model"])
                ).scalars().first()
                if owner is not None:
                    check.fail("new_device.serial_number",
                               tr("is already registered to {customer}", customer=owner))
        custom_fields.done_with(check, uow=uow, entity=CustomFieldEntity.SERVICE_TICKET,
                                record_id=None, values=draft.custom)
        assert customer is not None and channel and mode and priority and symptoms
        if new_device is not None:
            device = Device(customer_id=customer.id, brand=new_device["brand"],
                            model=new_device["model"],
                            serial_number=new_device["serial_number"],
                            created_by_id=actor.user_id, updated_by_id=actor.user_id)
            uow.session.add(device)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                # Another desk took in the same machine at the same moment, or it belongs
                # to a customer this login may not see: the unique index decides.
                if serial_conflict(exc) is None:
                    raise translate_db_error(exc) from exc
                raise ValidationError({"new_device.serial_number": tr(
                    "is already registered to another customer")}) from exc
            audit.record(uow, actor, AuditAction.CREATE, "device", device.id,
                         f"{device.brand} {device.model} {device.serial_number}",
                         {"after": audit.snapshot(device)})
        coverage = (_coverage(uow, device.id, received_at.astimezone().date(), lock=True)
                    if device is not None else None)
        covering = coverage if coverage is not None and coverage.covers_job else None
        rules = load_rules(uow)
        ticket = ServiceTicket(
            number=next_number(uow, "service_ticket", received_at.astimezone().date()),
            customer_id=customer.id, contact_id=draft.contact_id,
            device_id=device.id if device else None,
            contract_id=covering.contract_id if covering else None,
            channel=channel, mode=mode, priority=priority, status=TS.RECEIVED,
            symptoms=symptoms, accessories=accessories, condition=condition,
            chargeable=not (covering is not None and covering.labour_free
                            and covering.parts_free),
            received_at=received_at,
            due_at=due_time(received_at, priority, rules), expected_on=expected_on,
            intake_by_id=actor.user_id, site_address=address,
            created_by_id=actor.user_id, updated_by_id=actor.user_id,
        )
        uow.session.add(ticket)
        uow.flush()
        uow.session.add(TicketEvent(ticket_id=ticket.id, at=now, by_id=actor.user_id,
                                    from_status=None, to_status=TS.RECEIVED))
        custom = custom_fields.save_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.SERVICE_TICKET,
            record_id=ticket.id, values=draft.custom, creating=True)
        audit.record(uow, actor, AuditAction.CREATE, "service_ticket", ticket.id,
                     _summary(ticket, customer.name),
                     {"after": {**audit.snapshot(ticket),
                                **{k: v[1] for k, v in custom.items()}}})
        requests.remember(uow, actor, request_key, "service_ticket", ticket.id)
        feed.notify(uow, to_department=feed.department_id(uow, "repair"),
                    kind="service_ticket", record_id=ticket.id, number=ticket.number,
                    event="to_dispatch", by=actor)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


def get_ticket(*, uow: UnitOfWork, actor: Actor, ticket_id: int) -> TicketView:
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.VIEW)
        return _view(uow, ticket.id, detail=True)


def get_ticket_by_number(*, uow: UnitOfWork, actor: Actor, number: str) -> TicketView:
    """The ticket with this number (as on the intake slip, typed or scanned; a lower-case
    entry matches the upper-case number), any status; same checks as :func:`get_ticket`."""
    search_text("number", number)
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        wanted = number.strip() if isinstance(number, str) else ""
        ticket_id = uow.session.execute(
            select(ServiceTicket.id)
            .where(ServiceTicket.number.in_(sorted({wanted, wanted.upper()})))
            .order_by(ServiceTicket.id).limit(1)
        ).scalar_one_or_none() if wanted else None
        if ticket_id is None:
            raise NotFound(tr("No service ticket with number {number}, or you may not see it.",
                              number=wanted or "—"))
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.VIEW)
        return _view(uow, ticket.id, detail=True)


def ticket_id_for_repair(*, uow: UnitOfWork, actor: Actor, repair_id: int) -> int:
    """The ticket a repair record belongs to (for opening a "repair" timeline entry)."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        ticket_id = (uow.session.execute(
            select(RepairRecord.ticket_id).where(RepairRecord.id == repair_id)
        ).scalar_one_or_none() if isinstance(repair_id, int) else None)
        if ticket_id is None:
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Repair record"), id=repair_id))
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.VIEW)
        return ticket.id


def coverage_for(*, uow: UnitOfWork, actor: Actor, device_id: int,
                 on: dt.date) -> Coverage | None:
    """The active contract covering ``device_id`` on ``on``, if any, with its kind, what
    it frees and (per visit) the visits left; see :class:`Coverage`."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        return _coverage(uow, device_id, on)


@dataclass(frozen=True)
class IntakeDevice:
    """A device as the intake desk picks it: what identifies the machine, nothing more."""

    id: int
    brand: str
    model: str
    serial_number: str


def intake_devices(*, uow: UnitOfWork, actor: Actor, customer_id: int
                   ) -> tuple[IntakeDevice, ...]:
    """The customer's devices in use, for the intake desk.

    The desk takes in any customer's device (see :func:`intake_ticket`), including a key
    account's it may not open as a sales card; it needs the machines, not the card.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.CREATE)
        rows = uow.session.execute(
            select(Device.id, Device.brand, Device.model, Device.serial_number)
            .where(Device.customer_id == customer_id, Device.status != DeviceStatus.RETIRED)
            .order_by(Device.id)
        ).all()
        return tuple(IntakeDevice(id=r[0], brand=r[1], model=r[2], serial_number=r[3])
                     for r in rows)


def device_history(*, uow: UnitOfWork, actor: Actor, device_id: int) -> tuple[TicketView, ...]:
    """The device's tickets the actor may see, newest first: the history belongs to the
    device, each ticket still within the reader's data scope (as the ticket list, and as
    row security on a secured server)."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        return tuple(_views(uow, [ServiceTicket.device_id == device_id, _scope(uow, actor)],
                            order_by=(ServiceTicket.received_at.desc(),
                                      ServiceTicket.id.desc())))


def dispatch_ticket(*, uow: UnitOfWork, actor: Actor, ticket_id: int, expected_version: int,
                    technician_id: int, scheduled_at: dt.datetime | None = None,
                    note: str | None = None) -> TicketView:
    """The repair lead assigns a technician (received → dispatched)."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.CONFIRM)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.CONFIRM)
        check_version(uow, ticket, expected_version, entity="service_ticket",
                      label=tr("Service ticket"))
        check = Checker()
        row = uow.session.execute(
            select(User.active, Role.code).join(Role, Role.id == User.role_id)
            .where(User.id == technician_id)).one_or_none()
        if row is None or not row[0] or row[1] not in ("technician", "repair_lead"):
            check.fail("technician_id", tr("must be an active technician"))
        if scheduled_at is not None and scheduled_at.tzinfo is None:
            check.fail("scheduled_at", tr("must include a time zone"))
        if ServiceMode(ticket.mode) is ServiceMode.ON_SITE and scheduled_at is None:
            check.fail("scheduled_at", tr("is required for an on-site job"))
        text = check.text("note", note, max_len=500)
        check.done()
        TICKET_LIFECYCLE.check(TicketStatus(ticket.status), TS.DISPATCHED,
                               record=_record_label(ticket))
        # The log says who was sent and when, not only that the ticket moved.
        assigned = {"technician_id": [ticket.technician_id, technician_id],
                    "scheduled_at": [_iso(ticket.scheduled_at), _iso(scheduled_at)]}
        ticket.technician_id = technician_id
        ticket.scheduled_at = scheduled_at
        _transition(uow, actor, ticket, TS.DISPATCHED, text, also=assigned)
        feed.notify(uow, to_user=technician_id, kind="service_ticket", record_id=ticket.id,
                    number=ticket.number, event="dispatched", by=actor)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


def move_ticket(*, uow: UnitOfWork, actor: Actor, ticket_id: int, expected_version: int,
                to: TicketStatus | str, note: str | None = None) -> TicketView:
    """Move a ticket one step along :data:`TICKET_LIFECYCLE`.

    Dispatching, finishing (done) and pickup have their own calls, which record what goes
    with them; this one refuses those targets.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.EDIT)
        check_version(uow, ticket, expected_version, entity="service_ticket",
                      label=tr("Service ticket"))
        check = Checker()
        target = check.choice("to", to, TicketStatus)
        text = check.text("note", note, max_len=500)
        check.done()
        assert target is not None
        TICKET_LIFECYCLE.check(TicketStatus(ticket.status), target,
                               record=_record_label(ticket))
        if target in (TS.DISPATCHED, TS.DONE, TS.PICKED_UP):
            raise InvalidTransition(tr("Use dispatch, the repair record or pickup for this step."))
        is_lead = grants_for(uow, actor).allows(Module.SERVICE_TICKETS, Operation.CONFIRM)
        if target is TS.CANCELLED and not is_lead and ticket.intake_by_id != actor.user_id:
            raise PermissionDenied(tr("Only the repair lead or the intake may cancel a ticket."),
                                   module=Module.SERVICE_TICKETS, operation=Operation.EDIT)
        _transition(uow, actor, ticket, target, text)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


def technician_workload(*, uow: UnitOfWork, actor: Actor) -> tuple[Workload, ...]:
    """Open tickets per active technician (zero included), fewest first; one query."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        open_count = func.count(ServiceTicket.id)
        rows = uow.session.execute(
            select(User.id, User.display_name, open_count)
            .join(Role, Role.id == User.role_id)
            .outerjoin(ServiceTicket, and_(ServiceTicket.technician_id == User.id,
                                           ServiceTicket.status.in_(OPEN_STATUSES)))
            .where(Role.code == "technician", User.active == True)  # noqa: E712
            .group_by(User.id, User.display_name)
            .order_by(open_count, User.display_name)
        ).all()
        return tuple(Workload(r[0], r[1], int(r[2])) for r in rows)


def record_repair(*, uow: UnitOfWork, actor: Actor, ticket_id: int, expected_version: int,
                  draft: RepairDraft, request_key: str | None = None) -> TicketView:
    """The technician's repair record; scores the job, prices the ticket, ticket → done.

    A retry with the ``request_key`` of a repair record already saved writes nothing and
    returns the ticket as it is now (done, or further on) instead of a version conflict
    (``app.services.requests``); the key of another ticket's record is refused.
    """
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.EDIT)
        is_lead = grants_for(uow, actor).allows(Module.SERVICE_TICKETS, Operation.CONFIRM)
        if ticket.technician_id != actor.user_id and not is_lead:
            raise PermissionDenied(
                tr("Only the assigned technician may record the repair."),
                module=Module.SERVICE_TICKETS, operation=Operation.EDIT)
        if (saved := requests.replayed(uow, actor, request_key, "repair_record")) is not None:
            _same_ticket(uow.session.execute(select(RepairRecord.ticket_id).where(
                RepairRecord.id == saved)).scalar_one(), ticket.id)
            return _view(uow, ticket.id, detail=True)
        check_version(uow, ticket, expected_version, entity="service_ticket",
                      label=tr("Service ticket"))
        check = Checker()
        work = check.text("work_done", draft.work_done, max_len=4000, required=True,
                          multiline=True)
        cause = check.text("cause", draft.cause, max_len=500)
        result = check.text("result", draft.result, max_len=200)
        if draft.job_type not in JOB_TYPES:
            check.fail("job_type", tr("is not a valid choice"))
        difficulty = check.integer("difficulty", draft.difficulty, low=1, high=3)
        minutes = check.integer("labour_minutes", draft.labour_minutes, low=0, high=100_000)
        labour = check.money("labour_amount", draft.labour_amount)
        rating = check.integer("customer_rating", draft.customer_rating, low=1, high=5,
                               required=False)
        if draft.knowledge_entry_id is not None and uow.session.get(
                KnowledgeEntry, draft.knowledge_entry_id) is None:
            check.fail("knowledge_entry_id", tr("does not exist"))
        now = utcnow()
        completed_at = draft.completed_at or now
        if completed_at.tzinfo is None:
            check.fail("completed_at", tr("must include a time zone"))
        elif completed_at > now + FUTURE_TOLERANCE:
            check.fail("completed_at", tr("must not be in the future"))
        parts: list[RepairPart] = []
        for i, line in enumerate(draft.parts):
            qty = check.decimal(f"parts[{i}].quantity", line.quantity, places=3)
            if qty is not None and qty <= 0:
                check.fail(f"parts[{i}].quantity", tr("must be greater than zero"))
            product = (uow.session.get(Product, line.product_id)
                       if isinstance(line.product_id, int) else None)
            if product is None:
                check.fail(f"parts[{i}].product_id", tr("does not exist"))
            elif qty is not None and qty > 0:
                # The database copies the product's cost into the part and sums the parts'
                # cost into the record (migration 9841e823c8fe): a technician may not
                # read the catalogue's cost.
                parts.append(RepairPart(product_id=product.id, description=product.name[:200],
                                        quantity=qty, unit_cost=None,
                                        unit_price=product.list_price))
        check.done()
        assert work and difficulty is not None and minutes is not None and labour is not None
        TICKET_LIFECYCLE.check(TicketStatus(ticket.status), TS.DONE,
                               record=_record_label(ticket))
        parts_amount = sum((_cents(p.quantity * p.unit_price) for p in parts), Decimal("0.00"))
        on_time = ticket.due_at is None or completed_at <= ticket.due_at
        score = service_score(draft.job_type, difficulty, rating, on_time,
                              load_rules(uow).score)
        record = RepairRecord(
            ticket_id=ticket.id, technician_id=ticket.technician_id or actor.user_id,
            work_done=work, cause=cause, result=result, job_type=draft.job_type,
            difficulty=difficulty, labour_minutes=minutes, labour_amount=labour,
            parts_amount=parts_amount, customer_rating=rating,
            on_time=on_time, service_score=score, knowledge_entry_id=draft.knowledge_entry_id,
            completed_at=completed_at, parts=parts,
            # The record goes to management's confirmation queue as it is written.
            confirm_status=ConfirmStatus.SUBMITTED.value,
            created_by_id=actor.user_id, updated_by_id=actor.user_id,
        )
        uow.session.add(record)
        if draft.knowledge_entry_id is not None:
            uow.session.execute(
                update(KnowledgeEntry).where(KnowledgeEntry.id == draft.knowledge_entry_id)
                .values(times_used=KnowledgeEntry.times_used + 1)
                .execution_options(synchronize_session=False))
        _kind, labour_free, parts_free = _ticket_terms(uow, ticket)
        ticket.total_charge = charge_split(labour, parts_amount, labour_free=labour_free,
                                           parts_free=parts_free).total
        uow.flush()
        # parts_cost is the database's sum, which the technician may not read.
        audit.record(uow, actor, AuditAction.CREATE, "repair_record", record.id,
                     audit.say("{ticket} {job} {score}", ticket=ticket.number,
                               job=audit.Code(labels.JOB_TYPE, draft.job_type), score=score),
                     {"after": audit.snapshot(record, [
                         c.key for c in RepairRecord.__mapper__.column_attrs
                         if c.key != "parts_cost"])})
        _transition(uow, actor, ticket, TS.DONE, None, at=completed_at)
        requests.remember(uow, actor, request_key, "repair_record", record.id)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


def pickup_ticket(*, uow: UnitOfWork, actor: Actor, ticket_id: int, expected_version: int,
                  payment_amount: Decimal | str | None = None,
                  method: PaymentMethod | str | None = None,
                  request_key: str | None = None) -> TicketView:
    """The customer collects the device (done → picked up), paying what is open.

    Needs ``SERVICE_TICKETS/EDIT`` or, at the counter, ``PAYMENTS/CREATE``, with the ticket
    in scope. A payment is recorded against the ticket's charge; more than the open charge is
    refused; less (or none) leaves the rest open on the ticket (``open_charge``) to be paid
    later. The ticket row is locked first so two stations cannot both take the money.

    The ``request_key`` names the pickup (the ticket's id is kept with it). A retry with
    the key of a pickup already saved takes no money again and returns the ticket as it
    is now, instead of a version conflict or "not ready for pickup"
    (``app.services.requests``); the key of another ticket's pickup is refused.
    """
    with uow:
        uow.session.execute(
            update(ServiceTicket).where(ServiceTicket.id == ticket_id)
            .values(paid_amount=ServiceTicket.paid_amount)
            .execution_options(synchronize_session=False))
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        if not (grants_for(uow, actor).allows(Module.SERVICE_TICKETS, Operation.EDIT)
                or grants_for(uow, actor).allows(Module.PAYMENTS, Operation.CREATE)):
            require(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT)
        ticket = _load(uow, ticket_id)
        uow.session.refresh(ticket)
        _require_ticket_scope(uow, actor, ticket, Operation.VIEW)
        if (saved := requests.replayed(uow, actor, request_key, "pickup")) is not None:
            _same_ticket(saved, ticket.id)
            return _view(uow, ticket.id, detail=True)
        check_version(uow, ticket, expected_version, entity="service_ticket",
                      label=tr("Service ticket"))
        check = Checker()
        amount = check.money("payment_amount", payment_amount, required=False)
        how = None
        if amount is not None:
            if amount <= 0:
                check.fail("payment_amount", tr("must be greater than zero"))
            elif amount > ticket.total_charge - ticket.paid_amount:
                check.fail("payment_amount",
                           tr("is more than the open charge of {amount}",
                              amount=f"¥{ticket.total_charge - ticket.paid_amount:,.2f}"))
            how = check.choice("method", method, PaymentMethod)
        check.done()
        TICKET_LIFECYCLE.check(TicketStatus(ticket.status), TS.PICKED_UP,
                               record=_record_label(ticket))
        now = utcnow()
        if amount is not None and amount > 0:
            day = now.astimezone().date()
            payment = Payment(
                number=next_number(uow, "payment", day), customer_id=ticket.customer_id,
                received_on=day, amount=amount, method=how, received_by_id=actor.user_id,
                created_by_id=actor.user_id, updated_by_id=actor.user_id,
                allocations=[PaymentAllocation(service_ticket_id=ticket.id, amount=amount)])
            uow.session.add(payment)
            ticket.paid_amount = ticket.paid_amount + amount
            uow.flush()
            audit.record(uow, actor, AuditAction.CREATE, "payment", payment.id,
                         f"{payment.number} {ticket.number} ¥{amount:,.2f}",
                         {"after": audit.snapshot(payment), "service_ticket": ticket.number})
        _transition(uow, actor, ticket, TS.PICKED_UP, None, at=now)
        requests.remember(uow, actor, request_key, "pickup", ticket.id)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


def overdue_tickets(*, uow: UnitOfWork, actor: Actor,
                    now: dt.datetime | None = None) -> tuple[TicketView, ...]:
    """Open tickets in scope past their SLA due time, most overdue first."""
    moment = now or utcnow()
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        return tuple(_views(
            uow, [_scope(uow, actor), ServiceTicket.status.in_(_CLOCK_RUNNING),
                  ServiceTicket.due_at < moment],
            order_by=(ServiceTicket.due_at, ServiceTicket.id), now=moment))


def list_tickets(*, uow: UnitOfWork, actor: Actor, filters: TicketFilters = TicketFilters(),
                 after: Cursor | None = None, limit: int = 100,
                 now: dt.datetime | None = None,
                 custom_columns: Sequence[str] = (), sort: Sort | None = None,
                 with_total: bool = False) -> TicketPage:
    """One page of tickets in scope, newest received first (keyset) unless ``sort`` names
    one of :data:`TICKET_SORT_KEYS`, with overdue flags.

    ``custom_columns``: codes of custom fields shown as list columns; their values for the
    page's rows come in ``TicketPage.custom`` (one more query per page). ``with_total``
    also counts every ticket matching the filters in the actor's scope."""
    limit = max(1, min(limit, 500))
    moment = now or utcnow()
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        conditions: list[Any] = [_scope(uow, actor)]
        if filters.status is not None:
            conditions.append(ServiceTicket.status == filters.status)
        if filters.customer_id is not None:
            conditions.append(ServiceTicket.customer_id == filters.customer_id)
        if filters.technician_id is not None:
            conditions.append(ServiceTicket.technician_id == filters.technician_id)
        if filters.device_id is not None:
            conditions.append(ServiceTicket.device_id == filters.device_id)
        if filters.open_only or filters.overdue_only:
            conditions.append(ServiceTicket.status.in_(OPEN_STATUSES))
        if filters.overdue_only:
            conditions.append(ServiceTicket.due_at < moment)
        base = _views_statement(conditions)
        stmt = ordered_page(base, columns=_SORT_COLUMNS, sort=sort or _NEWEST,
                            id_column=ServiceTicket.id, after=after, limit=limit,
                            not_null=_NOT_NULL)
        rows = uow.session.execute(stmt).all()
        page = tuple(_made_views(rows[:limit], moment))
        custom: dict[int, dict[str, Any]] = {}
        if custom_columns and page:
            wanted = set(custom_columns)
            custom = {rid: {c: v for c, v in values.items() if c in wanted}
                      for rid, values in custom_fields.values_for(
                          uow=uow, entity=CustomFieldEntity.SERVICE_TICKET,
                          record_ids=[r.id for r in page]).items()}
        return TicketPage(rows=page, next_after=next_after(rows, limit), custom=custom,
                          total=count_rows(uow.session, base) if with_total else None)


def ticket_custom_values(*, uow: UnitOfWork, actor: Actor, ticket_id: int) -> TicketCustom:
    """The ticket's custom fields and values for the ticket dialog (a call of its own, so
    :func:`get_ticket` stays as cheap as it is)."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.VIEW)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.VIEW)
        fields = custom_fields.load_definitions(uow, CustomFieldEntity.SERVICE_TICKET)
        values = (custom_fields.values_for(uow=uow, entity=CustomFieldEntity.SERVICE_TICKET,
                                           record_ids=[ticket.id]).get(ticket.id, {})
                  if fields else {})
        return TicketCustom(ticket_id=ticket.id, version=ticket.version, fields=fields,
                            values={f.code: values.get(f.code) for f in fields})


def save_ticket_custom(*, uow: UnitOfWork, actor: Actor, ticket_id: int,
                       expected_version: int, custom: Mapping[str, object]) -> TicketView:
    """Change a ticket's custom field values after intake (fields left out keep theirs),
    with the intake form's rules; the ticket's version moves when anything changed."""
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.EDIT)
        ticket = _load(uow, ticket_id)
        _require_ticket_scope(uow, actor, ticket, Operation.EDIT)
        check_version(uow, ticket, expected_version, entity="service_ticket",
                      label=tr("Service ticket"))
        changes = custom_fields.save_values(
            uow=uow, actor=actor, entity=CustomFieldEntity.SERVICE_TICKET,
            record_id=ticket.id, values=dict(custom))
        if changes:
            ticket.updated_at = utcnow()
            ticket.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "service_ticket", ticket.id,
                         audit.named("service_ticket", ticket.number), changes)
        uow.commit()
        return _view(uow, ticket.id, detail=True)


# --- helpers ---------------------------------------------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _scope(uow: UnitOfWork, actor: Actor) -> Any:
    return or_(scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
               scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id))


def _require_ticket_scope(uow: UnitOfWork, actor: Actor, ticket: ServiceTicket,
                          operation: Operation) -> None:
    grants_for(uow, actor)
    if owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.technician_id) or \
            owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.intake_by_id):
        return
    raise PermissionDenied(
        tr("This record belongs to someone else; you may not {operation} it.",
           operation=labels.verb(operation)),
        module=Module.SERVICE_TICKETS, operation=operation)


def _coverage(uow: UnitOfWork, device_id: int, on: dt.date, *,
              lock: bool = False) -> Coverage | None:
    """The active contract covering the device on ``on`` and the visits it already covered.

    ``lock`` (at intake) locks the contract row before counting, so two desks taking in
    at once cannot both use a per-visit contract's last visit.
    """
    row = uow.session.execute(
        select(ServiceContract.id, ServiceContract.number, ServiceContract.ends_on,
               ServiceContract.kind, ServiceContract.included_visits)
        .join(ContractDevice, ContractDevice.contract_id == ServiceContract.id)
        .where(ContractDevice.device_id == device_id,
               ServiceContract.status == ContractStatus.ACTIVE,
               ServiceContract.starts_on <= on, ServiceContract.ends_on >= on)
        .order_by(ServiceContract.ends_on.desc(), ServiceContract.id.desc())
    ).first()
    if row is None:
        return None
    kind = ContractKind(row[3])
    if lock and kind is ContractKind.PER_VISIT:
        uow.session.execute(
            update(ServiceContract).where(ServiceContract.id == row[0])
            .values(included_visits=ServiceContract.included_visits)
            .execution_options(synchronize_session=False))
    used = uow.session.execute(
        select(func.count(ServiceTicket.id))
        .where(ServiceTicket.contract_id == row[0],
               ServiceTicket.status != TicketStatus.CANCELLED)).scalar_one()
    return Coverage(contract_id=row[0], contract_number=row[1], ends_on=row[2], kind=kind,
                    included_visits=row[4], visits_used=int(used))


def _ticket_terms(uow: UnitOfWork, ticket: ServiceTicket
                  ) -> tuple[ContractKind | None, bool, bool]:
    """(contract kind, labour free, parts free) for a ticket as it was taken in.

    A ticket taken in free (``chargeable`` false) has both free; one linked to a
    labour-only contract has the labour free and the parts charged.
    """
    kind = None
    if ticket.contract_id is not None:
        kind = ContractKind(uow.session.execute(
            select(ServiceContract.kind).where(ServiceContract.id == ticket.contract_id)
        ).scalar_one())
    if not ticket.chargeable:
        return kind, True, True
    return kind, kind is ContractKind.LABOUR_ONLY, False


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _transition(uow: UnitOfWork, actor: Actor, ticket: ServiceTicket, target: TicketStatus,
                note: str | None, *, at: dt.datetime | None = None,
                also: Mapping[str, Any] | None = None) -> None:
    current = TicketStatus(ticket.status)
    TICKET_LIFECYCLE.check(current, target, record=_record_label(ticket))
    moment = at or utcnow()
    ticket.status = target
    stamp = _STAMPS.get(target)
    if stamp is not None:
        setattr(ticket, stamp, moment)
    ticket.updated_by_id = actor.user_id
    uow.session.add(TicketEvent(ticket_id=ticket.id, at=moment, by_id=actor.user_id,
                                from_status=current, to_status=target, note=note))
    uow.flush()
    audit.record(uow, actor, AuditAction.TRANSITION, "service_ticket", ticket.id,
                 ticket.number, {"status": [current.value, target.value], "note": note,
                                 **(also or {})})


def _same_ticket(saved_ticket_id: int, ticket_id: int) -> None:
    """A request key names one save on one ticket: another ticket's key is refused."""
    if saved_ticket_id != ticket_id:
        raise ValidationError({requests.FIELD: tr("was already used for another record")})


def _load(uow: UnitOfWork, ticket_id: int) -> ServiceTicket:
    ticket = uow.session.get(ServiceTicket, ticket_id) if isinstance(ticket_id, int) else None
    if ticket is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Service ticket"), id=ticket_id))
    return ticket


def _record_label(ticket: ServiceTicket) -> str:
    return f"{tr('Service ticket')} {ticket.number}"


def _summary(ticket: ServiceTicket, customer_name: str) -> str:
    return f"{ticket.number} {customer_name} {ticket.symptoms[:60]}"


def _events(uow: UnitOfWork, ticket_id: int) -> tuple[TicketEventView, ...]:
    rows = uow.session.execute(
        select(TicketEvent.at, TicketEvent.from_status, TicketEvent.to_status,
               User.display_name, TicketEvent.note)
        .join(User, User.id == TicketEvent.by_id)
        .where(TicketEvent.ticket_id == ticket_id)
        .order_by(TicketEvent.at, TicketEvent.id)).all()
    return tuple(
        TicketEventView(at=r[0], from_status=TicketStatus(r[1]) if r[1] is not None else None,
                        to_status=TicketStatus(r[2]), by_name=r[3], note=r[4])
        for r in rows)


def _repair(uow: UnitOfWork, ticket_id: int) -> RepairSummary | None:
    row = uow.session.execute(
        select(RepairRecord.id, RepairRecord.work_done, RepairRecord.cause,
               RepairRecord.result, RepairRecord.labour_amount, RepairRecord.parts_amount,
               RepairRecord.service_score, User.display_name, RepairRecord.completed_at)
        .join(User, User.id == RepairRecord.technician_id)
        .where(RepairRecord.ticket_id == ticket_id)
        .order_by(RepairRecord.id.desc()).limit(1)).first()
    if row is None:
        return None
    return RepairSummary(id=row[0], work_done=row[1], cause=row[2], result=row[3],
                         labour_amount=row[4], parts_amount=row[5], service_score=row[6],
                         technician_name=row[7], completed_at=row[8])


# The assigned technician's name on a ticket row; an alias, so a data-scope subquery on
# users (department scope) is not correlated with this join.
_Technician = aliased(User, name="technician")


def _views(uow: UnitOfWork, conditions: Sequence[Any], *, order_by: Sequence[Any],
           limit: int | None = None, now: dt.datetime | None = None) -> list[TicketView]:
    """The list rows for the tickets matching ``conditions``, in ``order_by`` order: one
    statement, whatever the number of rows (customer, device, technician and the linked
    contract's kind joined in). Events and the repair record are left out (detail only)."""
    stmt = _views_statement(conditions).order_by(*order_by)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _made_views(uow.session.execute(stmt).all(), now or utcnow())


def _views_statement(conditions: Sequence[Any]) -> Any:
    return (
        select(ServiceTicket, customer_directory.c.name, Device.brand, Device.model,
               Device.serial_number, _Technician.display_name, ServiceContract.kind)
        # The directory: a desk sees tickets of customers outside its sales scope.
        .join(customer_directory, customer_directory.c.id == ServiceTicket.customer_id)
        .outerjoin(Device, Device.id == ServiceTicket.device_id)
        .outerjoin(_Technician, _Technician.id == ServiceTicket.technician_id)
        .outerjoin(ServiceContract, ServiceContract.id == ServiceTicket.contract_id)
        .where(*conditions))


def _made_views(rows: Sequence[Any], moment: dt.datetime) -> list[TicketView]:
    return [_make_view(r[0], customer_name=r[1],
                       device=(r[2], r[3], r[4]) if r[0].device_id is not None else None,
                       tech_name=r[5] if r[0].technician_id is not None else None,
                       contract_kind=r[6], now=moment)
            for r in rows]


def _view(uow: UnitOfWork, ticket_id: int, *, now: dt.datetime | None = None,
          detail: bool = False) -> TicketView:
    rows = _views(uow, [ServiceTicket.id == ticket_id], order_by=(ServiceTicket.id,), now=now)
    assert rows
    view = rows[0]
    if not detail:
        return view
    return replace(view, events=_events(uow, view.id), repair=_repair(uow, view.id))


# What each column of the ticket list sorts by; all of it is on every row the actor may
# list. The customer by its pinyin key, the device as the column reads (brand model).
_SORT_COLUMNS: dict[str, SortExpr] = {
    "number": ServiceTicket.number,
    "customer": customer_directory.c.sort_key,
    "device": Device.brand + " " + Device.model,
    "priority": ranked(ServiceTicket.priority, list(Priority)),
    "status": ranked(ServiceTicket.status, list(TicketStatus)),
    "technician": _Technician.display_name,
    "received": ServiceTicket.received_at,
    "due": ServiceTicket.due_at,
}
_NOT_NULL = ("number", "priority", "status", "received")


def _make_view(t: ServiceTicket, *, customer_name: str,
               device: tuple[str, str, str] | None, tech_name: str | None,
               contract_kind: Any, now: dt.datetime) -> TicketView:
    status = TicketStatus(t.status)
    kind = (ContractKind(contract_kind)
            if t.contract_id is not None and contract_kind is not None else None)
    if not t.chargeable:
        labour_free, parts_free = True, True
    else:
        labour_free, parts_free = kind is ContractKind.LABOUR_ONLY, False
    return TicketView(
        id=t.id, version=t.version, number=t.number, customer_id=t.customer_id,
        customer_name=customer_name, device_id=t.device_id,
        device_label=f"{device[0]} {device[1]}" if device else None,
        serial_number=device[2] if device else None, contract_id=t.contract_id,
        channel=TicketChannel(t.channel), mode=ServiceMode(t.mode),
        priority=Priority(t.priority), status=status, symptoms=t.symptoms,
        accessories=t.accessories, condition=t.condition, chargeable=t.chargeable,
        received_at=t.received_at, due_at=t.due_at, expected_on=t.expected_on,
        intake_by_id=t.intake_by_id, technician_id=t.technician_id,
        technician_name=tech_name, scheduled_at=t.scheduled_at, site_address=t.site_address,
        completed_at=t.completed_at, picked_up_at=t.picked_up_at,
        total_charge=t.total_charge, paid_amount=t.paid_amount,
        overdue=status in _CLOCK_RUNNING and t.due_at is not None and t.due_at < now,
        coverage_kind=kind, labour_free=labour_free, parts_free=parts_free,
    )


__all__ = [
    "DEFAULT_SCORE_RULES", "DEFAULT_SLA_HOURS", "JOB_TYPES", "TICKET_LIFECYCLE",
    "TICKET_SORT_KEYS", "ChargeSplit",
    "Coverage", "charge_split",
    "IntakeDraft", "NewDevice", "PartLine", "RepairDraft", "RepairSummary", "ServiceRules",
    "TicketCustom", "TicketEventView", "TicketFilters", "TicketPage", "TicketView", "Workload",
    "coverage_for", "device_history", "dispatch_ticket", "due_time", "get_ticket",
    "get_ticket_by_number", "intake_ticket", "list_tickets", "load_rules", "move_ticket",
    "overdue_tickets", "pickup_ticket", "record_repair", "save_service_rules",
    "save_ticket_custom", "service_score", "ticket_custom_values",
    "technician_workload", "ticket_id_for_repair",
]
