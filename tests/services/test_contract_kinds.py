"""What each contract kind makes free: full service, labour only, per visit (with countdown)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import i18n
from app.models import Product
from app.models.enums import ContractKind, ContractStatus, ProductCategory, TicketStatus
from app.models.service import ContractDevice, ServiceContract, ServiceTicket
from app.services.contracts import ContractDraft, create_contract, get_contract
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ValidationError
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    PartLine,
    RepairDraft,
    charge_split,
    coverage_for,
    dispatch_ticket,
    get_ticket,
    intake_ticket,
    move_ticket,
    pickup_ticket,
    record_repair,
)

TODAY = dt.date.today()


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer(uow, clerk):
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店")).id


@pytest.fixture
def device(uow, clerk, lead, customer):
    """A device registered by a first (chargeable) intake, which is then cancelled."""
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="登记", new_device=NewDevice("HP", "M404dn", "CNB0001")))
    move_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                to=TicketStatus.CANCELLED)
    return t.device_id


@pytest.fixture
def toner(uow, manager):
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=Decimal("300.00"), list_price=Decimal("450.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        return p.id


def _contract(uow, actor, customer_id, device_id, kind, visits=None):
    with uow:
        c = ServiceContract(number=f"HT-{kind.value}", customer_id=customer_id, kind=kind,
                            status=ContractStatus.ACTIVE, included_visits=visits,
                            starts_on=TODAY - dt.timedelta(days=30),
                            ends_on=TODAY + dt.timedelta(days=300), fee=Decimal("1200.00"),
                            created_by_id=actor.user_id, updated_by_id=actor.user_id,
                            devices=[ContractDevice(device_id=device_id)])
        uow.session.add(c)
        uow.commit()
        return c.id


def _intake(uow, clerk, customer_id, device_id):
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer_id, symptoms="卡纸", device_id=device_id))


def _repair(uow, lead, technician, ticket, toner, *, labour="80.00", toners=2):
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                        expected_version=ticket.version, technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    return record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                         draft=RepairDraft(work_done="更换硒鼓", job_type="bench_repair",
                                           labour_amount=labour,
                                           parts=(PartLine(toner, toners),)))


def test_charge_split_table():
    labour, parts = Decimal("80.00"), Decimal("900.00")
    full = charge_split(labour, parts, labour_free=True, parts_free=True)
    assert (full.labour_charged, full.parts_charged, full.total) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    labour_only = charge_split(labour, parts, labour_free=True, parts_free=False)
    assert labour_only.total == Decimal("900.00") and labour_only.labour_free
    none = charge_split(labour, parts, labour_free=False, parts_free=False)
    assert none.total == Decimal("980.00") and not none.labour_free and not none.parts_free


def test_full_service_frees_labour_and_parts(uow, clerk, lead, technician, customer, device,
                                             toner):
    cid = _contract(uow, lead, customer, device, ContractKind.FULL_SERVICE, 12)
    cover = coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY)
    assert cover.kind is ContractKind.FULL_SERVICE and cover.labour_free and cover.parts_free
    assert cover.summary == "Under contract: labour and parts free"
    t = _intake(uow, clerk, customer, device)
    assert not t.chargeable and t.contract_id == cid and t.parts_free and t.labour_free
    done = _repair(uow, lead, technician, t, toner)
    assert done.total_charge == Decimal("0.00")
    assert done.repair.labour_amount == Decimal("80.00")
    assert done.repair.parts_amount == Decimal("900.00")


def test_labour_only_charges_the_parts(uow, clerk, lead, technician, customer, device, toner):
    cid = _contract(uow, lead, customer, device, ContractKind.LABOUR_ONLY, 4)
    cover = coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY)
    assert cover.labour_free and not cover.parts_free and not cover.used_up
    assert cover.summary == "Under contract: labour free, parts charged"
    i18n.set_language("zh")
    try:
        assert cover.summary == "在保：仅人工免费，配件收费"
    finally:
        i18n.set_language("en")
    t = _intake(uow, clerk, customer, device)
    assert t.chargeable and t.contract_id == cid
    assert t.coverage_kind is ContractKind.LABOUR_ONLY and t.labour_free and not t.parts_free
    done = _repair(uow, lead, technician, t, toner, labour="80.00", toners=2)
    assert done.total_charge == Decimal("900.00")  # 2 × 450.00, the 80.00 labour free
    assert done.open_charge == Decimal("900.00")
    handed = pickup_ticket(uow=uow, actor=clerk, ticket_id=done.id,
                           expected_version=done.version, payment_amount="900.00",
                           method="cash")
    assert handed.paid_amount == Decimal("900.00") and handed.open_charge == Decimal("0.00")
    # Labour only does not count visits: a second job is covered the same way.
    again = _intake(uow, clerk, customer, device)
    assert again.contract_id == cid and again.labour_free


def test_per_visit_counts_down_then_charges(uow, clerk, lead, technician, customer, device,
                                            toner):
    cid = _contract(uow, lead, customer, device, ContractKind.PER_VISIT, 2)
    cover = coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY)
    assert (cover.visits_used, cover.visits_left, cover.used_up) == (0, 2, False)
    assert cover.summary == "Per visit: 2 of 2 visits left; this job free"

    first = _intake(uow, clerk, customer, device)
    assert not first.chargeable and first.contract_id == cid
    second = _intake(uow, clerk, customer, device)
    assert not second.chargeable and second.contract_id == cid
    cover = coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY)
    assert (cover.visits_used, cover.visits_left, cover.used_up) == (2, 0, True)
    assert not cover.labour_free and not cover.parts_free
    assert cover.summary == "Included visits used up: 2/2; this job is charged"
    i18n.set_language("zh")
    try:
        assert cover.summary == "包含次数已用完：2/2，本次收费"
    finally:
        i18n.set_language("en")

    # Used up: the third job is charged normally and uses no visit.
    third = _intake(uow, clerk, customer, device)
    assert third.chargeable and third.contract_id is None and third.coverage_kind is None
    assert coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY).visits_used == 2
    done = _repair(uow, lead, technician, third, toner, labour="80.00", toners=1)
    assert done.total_charge == Decimal("530.00")  # 80.00 labour + 450.00 toner

    # A covered job is free, parts included.
    done = _repair(uow, lead, technician, first, toner, labour="80.00", toners=1)
    assert done.total_charge == Decimal("0.00")

    # Cancelling the second ticket gives its visit back: the next job is free again.
    second = get_ticket(uow=uow, actor=lead, ticket_id=second.id)
    move_ticket(uow=uow, actor=lead, ticket_id=second.id, expected_version=second.version,
                to=TicketStatus.CANCELLED)
    cover = coverage_for(uow=uow, actor=clerk, device_id=device, on=TODAY)
    assert (cover.visits_used, cover.visits_left) == (1, 1)
    assert get_contract(uow=uow, actor=lead, contract_id=cid).visits_used == 1
    fourth = _intake(uow, clerk, customer, device)
    assert not fourth.chargeable and fourth.contract_id == cid
    with uow:
        linked = uow.session.execute(
            select(func.count()).select_from(ServiceTicket)
            .where(ServiceTicket.contract_id == cid)).scalar_one()
    assert linked == 3  # first, the cancelled second, fourth


def test_per_visit_contract_needs_included_visits(uow, lead, customer, device):
    with pytest.raises(ValidationError) as err:
        create_contract(uow=uow, actor=lead, draft=ContractDraft(
            customer_id=customer, kind=ContractKind.PER_VISIT, starts_on=TODAY,
            ends_on=TODAY + dt.timedelta(days=364), fee="600.00", device_ids=(device,)))
    assert set(err.value.errors) == {"included_visits"}
    with uow:
        assert uow.session.execute(
            select(func.count()).select_from(ServiceContract)).scalar_one() == 0
    made = create_contract(uow=uow, actor=lead, draft=ContractDraft(
        customer_id=customer, kind=ContractKind.PER_VISIT, starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=364), fee="600.00", device_ids=(device,),
        included_visits=6))
    assert made.kind is ContractKind.PER_VISIT and made.included_visits == 6


def test_slip_says_what_the_contract_frees(uow, clerk, lead, customer, device, tmp_path):
    from app.reports.intake_slip import render_intake_slip
    from app.services.slips import intake_slip_data
    from tests.reports.conftest import pdf_text

    _contract(uow, lead, customer, device, ContractKind.LABOUR_ONLY, 4)
    t = _intake(uow, clerk, customer, device)
    data = intake_slip_data(uow=uow, actor=clerk, ticket_id=t.id)
    assert data.labour_free and not data.under_contract
    render_intake_slip(data, tmp_path / "slip.pdf")
    assert "合同内人工免费，配件收费" in pdf_text(tmp_path / "slip.pdf")[0].replace(" ", "")
