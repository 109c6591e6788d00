"""Service contracts (服务合同): covered devices, period, included visits, fee and SLA.

Lifecycle: draft → active → expired / terminated; an active or expired contract may be
renewed (续签), which creates a new active contract linked by ``renewed_from_id`` with the
same devices and marks the old one ``renewed``. A renewed contract still covers its own
period. :func:`contracts_expiring` lists active contracts ending soon, for the reminders
to their owner and to management.

Kinds (what a contract makes free, applied by :mod:`app.services.tickets` at intake and in
the repair record): *full service* — labour and parts free; *labour only* — labour free,
parts charged at their price; *per visit* — each ticket the contract covers uses one of its
``included_visits`` (required for this kind); while visits remain the job is free like full
service, once they are used up the job is charged normally. A cancelled ticket gives its
visit back.

Data scope: a contract is visible when its owner, or its customer's owner, is in the
actor's *contracts* data scope.

The contract list pages through :func:`page_contracts`, sorted by any of its columns
(:data:`CONTRACT_SORT_KEYS`); :func:`list_contracts` and :func:`contracts_expiring` are its
first page in their own order, for callers that want a bounded tuple.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import aliased

from app.i18n import tr
from app.models import Customer, Device, User, utcnow
from app.models.customers import customer_directory
from app.models.enums import (
    AuditAction,
    ContractKind,
    ContractStatus,
    Module,
    Operation,
    TicketStatus,
)
from app.models.service import ContractDevice, ServiceContract, ServiceTicket
from app.services import audit
from app.services.directory import customer_entry
from app.services.errors import InvalidTransition, NotFound
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import (
    Actor,
    owns_in_scope,
    require,
    require_in_scope,
    scope_filter,
)
from app.services.uow import UnitOfWork
from app.services.validation import Checker

CS = ContractStatus
CONTRACT_LIFECYCLE: TransitionTable[ContractStatus] = TransitionTable(
    entity="contract",
    states=ContractStatus,
    initial=CS.DRAFT,
    edges=frozenset({
        (CS.DRAFT, CS.ACTIVE),
        (CS.DRAFT, CS.TERMINATED),
        (CS.ACTIVE, CS.EXPIRED),
        (CS.ACTIVE, CS.TERMINATED),
        (CS.ACTIVE, CS.RENEWED),
        (CS.EXPIRED, CS.RENEWED),
    }),
)
# Statuses whose period still counts as coverage for the devices.
COVERING = (CS.ACTIVE, CS.RENEWED)
EDITABLE = (CS.DRAFT, CS.ACTIVE)
MAX_SLA_HOURS = 24 * 30
MAX_VISITS = 10000
MAX_DEVICES = 500


@dataclass(frozen=True)
class ContractDraft:
    """What a person types on the contract form. ``owner_id`` None means the actor."""

    customer_id: int
    kind: ContractKind | str
    starts_on: dt.date
    ends_on: dt.date
    fee: Decimal | str
    device_ids: tuple[int, ...] = ()
    included_visits: int | None = None
    sla_response_hours: int = 24
    owner_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ContractView:
    id: int
    version: int
    number: str
    customer_id: int
    customer_name: str
    owner_id: int | None
    owner_name: str | None
    kind: ContractKind
    status: ContractStatus
    starts_on: dt.date
    ends_on: dt.date
    included_visits: int | None
    fee: Decimal
    sla_response_hours: int
    renewed_from_id: int | None
    notes: str | None
    device_ids: tuple[int, ...]
    device_serials: tuple[str, ...]
    # Tickets this contract covered (cancelled ones excepted): a per-visit contract's
    # used visits.
    visits_used: int = 0

    def covers(self, day: dt.date) -> bool:
        return self.status in COVERING and self.starts_on <= day <= self.ends_on


# --- use cases -----------------------------------------------------------------------------


def create_contract(*, uow: UnitOfWork, actor: Actor, draft: ContractDraft) -> ContractView:
    """Create a draft contract with its covered devices."""
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.CREATE)
        values, device_ids = _clean(uow, actor, draft)
        day = dt.date.today()
        contract = ServiceContract(
            number=next_number(uow, "contract", day), status=CS.DRAFT,
            created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
        contract.devices = [ContractDevice(device_id=d) for d in device_ids]
        uow.session.add(contract)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "contract", contract.id,
                     _summary(contract),
                     {"after": audit.snapshot(contract), "devices": list(device_ids)})
        uow.commit()
        return _view(uow, contract.id)


def update_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int, expected_version: int,
                    draft: ContractDraft) -> ContractView:
    """Save an edited draft or active contract (devices replaced by ``draft.device_ids``)."""
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.EDIT)
        contract = _load_in_scope(uow, actor, contract_id, Operation.EDIT)
        if contract.status not in EDITABLE:
            raise InvalidTransition(tr("An ended contract can no longer be changed."))
        check_version(uow, contract, expected_version, entity="contract",
                      label=tr("Service contract"))
        values, device_ids = _clean(uow, actor, draft)
        before = audit.snapshot(contract)
        old_devices = sorted(d.device_id for d in contract.devices)
        for key, value in values.items():
            setattr(contract, key, value)
        changes: dict[str, Any] = audit.diff(before, audit.snapshot(contract))
        if sorted(device_ids) != old_devices:
            uow.session.execute(delete(ContractDevice)
                                .where(ContractDevice.contract_id == contract.id)
                                .execution_options(synchronize_session=False))
            uow.session.expire(contract, ["devices"])
            for d in device_ids:
                uow.session.add(ContractDevice(contract_id=contract.id, device_id=d))
            changes["devices"] = [old_devices, sorted(device_ids)]
        if changes:
            contract.updated_by_id = actor.user_id
            contract.updated_at = utcnow()  # a device-only change still bumps the version
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "contract", contract.id,
                         _summary(contract), changes)
        uow.commit()
        return _view(uow, contract.id)


def get_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int) -> ContractView:
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.VIEW)
        contract = _load_in_scope(uow, actor, contract_id, Operation.VIEW)
        return _view(uow, contract.id)


def list_contracts(*, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
                   status: ContractStatus | None = None, device_id: int | None = None,
                   limit: int = 200) -> tuple[ContractView, ...]:
    """Contracts in the actor's scope, newest period first (at most ``limit``, ≤ 500)."""
    return page_contracts(uow=uow, actor=actor, customer_id=customer_id, status=status,
                          device_id=device_id, limit=limit).rows


@dataclass(frozen=True)
class ContractPage:
    rows: tuple[ContractView, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every contract the filters let through in the actor's scope (with ``with_total``).
    total: int | None = None


# The contract list's columns, as sort keys for :func:`page_contracts`.
CONTRACT_SORT_KEYS: tuple[str, ...] = ("number", "customer", "kind", "status", "period",
                                       "fee", "devices")
# The most contracts one page holds, and so :func:`list_contracts` and
# :func:`contracts_expiring` (their first page).
MAX_PAGE = 500


def page_contracts(*, uow: UnitOfWork, actor: Actor, customer_id: int | None = None,
                   status: ContractStatus | None = None, device_id: int | None = None,
                   expiring_within: int | None = None, on: dt.date | None = None,
                   after: Cursor | None = None, limit: int = 100, sort: Sort | None = None,
                   with_total: bool = False) -> ContractPage:
    """The contracts in the actor's scope one page at a time, latest end first.

    With ``expiring_within`` (days) only the active ones ending within that many days of
    ``on`` (today), soonest first: the expiry reminders. ``sort`` names one of
    :data:`CONTRACT_SORT_KEYS`; ``with_total`` also counts every match.
    """
    limit = max(1, min(int(limit), MAX_PAGE))
    with uow:
        base = _query().where(*_list_conditions(
            uow, actor, customer_id=customer_id, status=status, device_id=device_id,
            expiring_within=expiring_within, on=on))
        if sort is None:
            sort = Sort("period", descending=expiring_within is None)
        rows = uow.session.execute(ordered_page(
            base, columns=_sort_columns(), sort=sort, id_column=ServiceContract.id,
            after=after, limit=limit, not_null=_NOT_NULL)).all()
        return ContractPage(rows=_complete(uow, rows[:limit]),
                            next_after=next_after(rows, limit),
                            total=count_rows(uow.session, base) if with_total else None)


def covering_contract(*, uow: UnitOfWork, actor: Actor, device_id: int,
                      on: dt.date | None = None) -> ContractView | None:
    """The contract covering ``device_id`` on ``on`` (today), or None (chargeable)."""
    day = on or dt.date.today()
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.VIEW)
        found = uow.session.execute(
            select(ServiceContract.id)
            .join(ContractDevice, ContractDevice.contract_id == ServiceContract.id)
            .where(ContractDevice.device_id == device_id,
                   ServiceContract.status.in_(COVERING),
                   ServiceContract.starts_on <= day, ServiceContract.ends_on >= day)
            .order_by(ServiceContract.ends_on.desc()).limit(1)
        ).scalar_one_or_none()
        return _view(uow, found) if found is not None else None


def activate_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int,
                      expected_version: int) -> ContractView:
    return _transition(uow, actor, contract_id, expected_version, CS.ACTIVE)


def expire_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int,
                    expected_version: int) -> ContractView:
    return _transition(uow, actor, contract_id, expected_version, CS.EXPIRED)


def terminate_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int,
                       expected_version: int) -> ContractView:
    return _transition(uow, actor, contract_id, expected_version, CS.TERMINATED)


def renew_contract(*, uow: UnitOfWork, actor: Actor, contract_id: int, expected_version: int,
                   starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                   fee: Decimal | str | None = None) -> ContractView:
    """Create the follow-on contract (active, same customer, terms and devices).

    Defaults: starts the day after the old one ends, lasts as long, same fee.
    """
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.CREATE)
        require(uow, actor, Module.CONTRACTS, Operation.EDIT)
        old = _load_in_scope(uow, actor, contract_id, Operation.EDIT)
        check_version(uow, old, expected_version, entity="contract",
                      label=tr("Service contract"))
        CONTRACT_LIFECYCLE.check(CS(old.status), CS.RENEWED,
                                 record=f"{tr('Service contract')} {old.number}")
        check = Checker()
        new_start = check.date(
            "starts_on",
            starts_on if starts_on is not None else old.ends_on + dt.timedelta(days=1),
            required=True)
        length = old.ends_on - old.starts_on
        new_end = check.date(
            "ends_on",
            ends_on if ends_on is not None else (
                new_start + length if new_start is not None else None),
            required=True)
        new_fee = check.money("fee", old.fee if fee is None else fee)
        if new_start is not None and new_end is not None and new_end < new_start:
            check.fail("ends_on", tr("must not be before the start date"))
        check.done()
        new = ServiceContract(
            number=next_number(uow, "contract", dt.date.today()), customer_id=old.customer_id,
            owner_id=old.owner_id, kind=old.kind, status=CS.ACTIVE, starts_on=new_start,
            ends_on=new_end, included_visits=old.included_visits, fee=new_fee,
            sla_response_hours=old.sla_response_hours, renewed_from_id=old.id,
            notes=old.notes, created_by_id=actor.user_id, updated_by_id=actor.user_id)
        new.devices = [ContractDevice(device_id=d.device_id) for d in old.devices]
        uow.session.add(new)
        before = old.status
        old.status = CS.RENEWED
        old.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "contract", new.id, _summary(new),
                     {"after": audit.snapshot(new), "renewed_from": old.number})
        audit.record(uow, actor, AuditAction.TRANSITION, "contract", old.id, _summary(old),
                     {"status": [before, CS.RENEWED.value], "renewed_by": new.number})
        uow.commit()
        return _view(uow, new.id)


def contracts_expiring(*, uow: UnitOfWork, actor: Actor, within_days: int = 30,
                       on: dt.date | None = None) -> tuple[ContractView, ...]:
    """Active contracts in the actor's scope ending within ``within_days`` of ``on``.

    For the expiry reminders (到期提醒) to each contract's owner and to management;
    soonest first, at most 500.
    """
    return page_contracts(uow=uow, actor=actor, expiring_within=within_days, on=on,
                          limit=MAX_PAGE).rows


# --- helpers -------------------------------------------------------------------------------


def _transition(uow: UnitOfWork, actor: Actor, contract_id: int, expected_version: int,
                target: ContractStatus) -> ContractView:
    with uow:
        require(uow, actor, Module.CONTRACTS, Operation.EDIT)
        contract = _load_in_scope(uow, actor, contract_id, Operation.EDIT)
        check_version(uow, contract, expected_version, entity="contract",
                      label=tr("Service contract"))
        before = CS(contract.status)
        CONTRACT_LIFECYCLE.check(before, target,
                                 record=f"{tr('Service contract')} {contract.number}")
        contract.status = target
        contract.updated_by_id = actor.user_id
        uow.flush()
        audit.record(uow, actor, AuditAction.TRANSITION, "contract", contract.id,
                     _summary(contract), {"status": [before.value, target.value]})
        uow.commit()
        return _view(uow, contract.id)


def _list_conditions(uow: UnitOfWork, actor: Actor, *, customer_id: int | None,
                     status: ContractStatus | None, device_id: int | None,
                     expiring_within: int | None, on: dt.date | None) -> list[Any]:
    """Permission check, data scope and filters of the contract lists."""
    require(uow, actor, Module.CONTRACTS, Operation.VIEW)
    conditions: list[Any] = [_scope_clause(uow, actor)]
    if customer_id is not None:
        conditions.append(ServiceContract.customer_id == customer_id)
    if status is not None:
        conditions.append(ServiceContract.status == status)
    if device_id is not None:
        conditions.append(ServiceContract.id.in_(
            select(ContractDevice.contract_id).where(ContractDevice.device_id == device_id)))
    if expiring_within is not None:
        day = on or dt.date.today()
        within = max(0, min(int(expiring_within), 3660))
        conditions += [ServiceContract.status == CS.ACTIVE, ServiceContract.ends_on >= day,
                       ServiceContract.ends_on <= day + dt.timedelta(days=within)]
    return conditions


def _scope_clause(uow: UnitOfWork, actor: Actor) -> Any:
    in_scope_customers = select(Customer.id).where(
        scope_filter(uow, actor, Module.CONTRACTS, Customer.owner_id))
    return or_(scope_filter(uow, actor, Module.CONTRACTS, ServiceContract.owner_id),
               ServiceContract.customer_id.in_(in_scope_customers.scalar_subquery()))


def _load_in_scope(uow: UnitOfWork, actor: Actor, contract_id: int,
                   operation: Operation) -> ServiceContract:
    contract = uow.session.get(ServiceContract, contract_id)
    if contract is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Service contract"), id=contract_id))
    if not owns_in_scope(uow, actor, Module.CONTRACTS, contract.owner_id):
        entry = customer_entry(uow, contract.customer_id)
        customer_owner = entry.owner_id if entry is not None else None
        require_in_scope(uow, actor, Module.CONTRACTS, operation, customer_owner)
    return contract


def _clean(uow: UnitOfWork, actor: Actor,
           draft: ContractDraft) -> tuple[dict[str, Any], tuple[int, ...]]:
    check = Checker()
    values: dict[str, Any] = {
        "kind": check.choice("kind", draft.kind, ContractKind),
        "starts_on": check.date("starts_on", draft.starts_on, required=True),
        "ends_on": check.date("ends_on", draft.ends_on, required=True),
        "fee": check.money("fee", draft.fee),
        "included_visits": check.integer("included_visits", draft.included_visits, low=0,
                                         high=MAX_VISITS, required=False),
        "sla_response_hours": check.integer("sla_response_hours", draft.sla_response_hours,
                                            low=1, high=MAX_SLA_HOURS),
        "notes": check.text("notes", draft.notes, max_len=500, multiline=True),
    }
    if (values["starts_on"] is not None and values["ends_on"] is not None
            and values["ends_on"] < values["starts_on"]):
        check.fail("ends_on", tr("must not be before the start date"))
    if (values["kind"] is ContractKind.PER_VISIT and values["included_visits"] is None
            and "included_visits" not in check.errors):
        check.fail("included_visits", tr("is required for a per-visit contract"))
    owner_id = draft.owner_id if draft.owner_id is not None else actor.user_id
    if not isinstance(owner_id, int) or isinstance(owner_id, bool) or not uow.session.execute(
            select(User.active).where(User.id == owner_id)).scalar_one_or_none():
        check.fail("owner_id", tr("must be an active user"))
    values["owner_id"] = owner_id
    customer = customer_entry(uow, draft.customer_id)
    if customer is None:
        check.fail("customer_id", tr("does not exist"))
    values["customer_id"] = draft.customer_id
    device_ids: tuple[int, ...] = ()
    raw = tuple(draft.device_ids or ())
    if len(raw) > MAX_DEVICES or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in raw):
        check.fail("device_ids", tr("is not a valid choice"))
    else:
        device_ids = tuple(dict.fromkeys(raw))
        if device_ids and customer is not None:
            owned = set(uow.session.execute(
                select(Device.id).where(Device.id.in_(device_ids),
                                        Device.customer_id == customer.id)).scalars())
            if owned != set(device_ids):
                check.fail("device_ids", tr("must be devices of this customer"))
    check.done()
    assert customer is not None
    require_in_scope(uow, actor, Module.CUSTOMERS, Operation.VIEW, customer.owner_id)
    return values, device_ids


def _summary(contract: ServiceContract) -> audit.Summary:
    return audit.say("{number} {status} {starts}..{ends}", number=contract.number,
                     status=ContractStatus(contract.status),
                     starts=f"{contract.starts_on:%Y-%m-%d}", ends=f"{contract.ends_on:%Y-%m-%d}")


# The customer's name from the directory (the contract may be in scope while its customer
# is not, which row security hides on a secured server) and the owner as an alias: the
# data-scope clause has subqueries on users that must not be correlated with this join.
_RowCustomer = customer_directory.c
_RowOwner = aliased(User, name="row_owner")


def _query() -> Select[*tuple[Any, ...]]:
    """Each contract with its customer's and its owner's names."""
    return (select(ServiceContract, _RowCustomer.name, _RowOwner.display_name)
            .join(customer_directory, _RowCustomer.id == ServiceContract.customer_id)
            .outerjoin(_RowOwner, _RowOwner.id == ServiceContract.owner_id))


def _sort_columns() -> dict[str, SortExpr]:
    """What each column of the list sorts by. The customer by pinyin, kind and status in
    their declared order, the period by its end (when it runs out, the list's own order),
    the devices by how many are covered."""
    return {
        "number": ServiceContract.number,
        "customer": _RowCustomer.sort_key,
        "kind": ranked(ServiceContract.kind, list(ContractKind)),
        "status": ranked(ServiceContract.status, list(ContractStatus)),
        "period": ServiceContract.ends_on,
        "fee": ServiceContract.fee,
        "devices": select(func.count(ContractDevice.device_id))
        .where(ContractDevice.contract_id == ServiceContract.id)
        .correlate(ServiceContract).scalar_subquery(),
    }


_NOT_NULL = ("number", "kind", "status", "period", "fee", "devices")


def _complete(uow: UnitOfWork, rows: Sequence[Any]) -> tuple[ContractView, ...]:
    """The views of ``rows`` of :func:`_query`, in their order (a sorted page's rows
    carry two more columns): two statements more whatever their number, for the devices
    and the used visits (tickets not cancelled)."""
    if not rows:
        return ()
    ids = [r[0].id for r in rows]
    devices: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    for contract_id, device_id, serial in uow.session.execute(
            select(ContractDevice.contract_id, Device.id, Device.serial_number)
            .join(Device, Device.id == ContractDevice.device_id)
            .where(ContractDevice.contract_id.in_(ids))
            .order_by(ContractDevice.contract_id, Device.id)).all():
        devices[contract_id].append((device_id, serial))
    used: dict[int | None, int] = {
        contract_id: int(count) for contract_id, count in uow.session.execute(
            select(ServiceTicket.contract_id, func.count(ServiceTicket.id))
            .where(ServiceTicket.contract_id.in_(ids),
                   ServiceTicket.status != TicketStatus.CANCELLED)
            .group_by(ServiceTicket.contract_id)).all()}
    views = []
    for c, customer_name, owner_name, *_ in rows:
        covered = devices[c.id]
        views.append(ContractView(
            id=c.id, version=c.version, number=c.number, customer_id=c.customer_id,
            customer_name=customer_name, owner_id=c.owner_id,
            owner_name=owner_name if c.owner_id is not None else None,
            kind=ContractKind(c.kind), status=ContractStatus(c.status),
            starts_on=c.starts_on, ends_on=c.ends_on, included_visits=c.included_visits,
            fee=c.fee, sla_response_hours=c.sla_response_hours,
            renewed_from_id=c.renewed_from_id, notes=c.notes,
            device_ids=tuple(d[0] for d in covered),
            device_serials=tuple(d[1] for d in covered), visits_used=used.get(c.id, 0)))
    return tuple(views)


def _view(uow: UnitOfWork, contract_id: int) -> ContractView:
    views = _complete(uow, uow.session.execute(
        _query().where(ServiceContract.id == contract_id)).all())
    assert views
    return views[0]


__all__ = [
    "CONTRACT_LIFECYCLE",
    "CONTRACT_SORT_KEYS",
    "ContractDraft",
    "ContractPage",
    "ContractView",
    "activate_contract",
    "contracts_expiring",
    "covering_contract",
    "create_contract",
    "expire_contract",
    "get_contract",
    "list_contracts",
    "page_contracts",
    "renew_contract",
    "terminate_contract",
    "update_contract",
]
