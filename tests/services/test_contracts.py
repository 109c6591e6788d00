"""Service contracts: devices, coverage, renewal, expiry reminders, permissions, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Device
from app.models.enums import ContractKind, ContractStatus, CustomerSource
from app.models.service import ContractDevice, ServiceContract
from app.services.contracts import (
    CONTRACT_LIFECYCLE,
    ContractDraft,
    activate_contract,
    contracts_expiring,
    covering_contract,
    create_contract,
    expire_contract,
    get_contract,
    list_contracts,
    renew_contract,
    terminate_contract,
    update_contract,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from tests import people

TODAY = dt.date.today()


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管老赵")


def _customer(uow, owner, name="北京星辰科技发展有限公司"):
    return create_customer(uow=uow, actor=owner, draft=CustomerDraft(
        name=name, source=CustomerSource.REFERRAL, phone="010-8888 6666")).id


def _device(uow, customer_id, serial, model="LaserJet Pro M404dn"):
    with uow:
        d = Device(customer_id=customer_id, brand="HP", model=model, serial_number=serial)
        uow.session.add(d)
        uow.commit()
        return d.id


def _draft(customer_id, devices, **kw):
    values = dict(customer_id=customer_id, kind=ContractKind.FULL_SERVICE,
                  starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=364),
                  fee=Decimal("3600.00"), device_ids=tuple(devices), included_visits=12,
                  sla_response_hours=8)
    values.update(kw)
    return ContractDraft(**values)


def _count(uow, model):
    with uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def setup(uow, sales_user):
    customer = _customer(uow, sales_user)
    d1 = _device(uow, customer, "VNB3K12345")
    d2 = _device(uow, customer, "VNB3K67890")
    return customer, d1, d2


def test_create_with_devices_and_coverage(uow, lead, setup):
    customer, d1, d2 = setup
    c = create_contract(uow=uow, actor=lead, draft=_draft(customer, [d1, d2]))
    assert c.number.startswith("HT-")
    assert c.status is ContractStatus.DRAFT
    assert c.device_serials == ("VNB3K12345", "VNB3K67890")
    assert c.fee == Decimal("3600.00") and c.sla_response_hours == 8
    # A draft does not cover yet; an active one does, within its period only.
    assert covering_contract(uow=uow, actor=lead, device_id=d1) is None
    c = activate_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    assert covering_contract(uow=uow, actor=lead, device_id=d1).id == c.id
    assert covering_contract(uow=uow, actor=lead, device_id=d2,
                             on=TODAY + dt.timedelta(days=365)) is None
    assert covering_contract(uow=uow, actor=lead, device_id=d1,
                             on=TODAY - dt.timedelta(days=1)) is None
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "contract")).scalar_one() == 2


def test_update_replaces_devices_and_checks_version(uow, lead, manager, setup):
    customer, d1, d2 = setup
    c = create_contract(uow=uow, actor=lead, draft=_draft(customer, [d1]))
    c2 = update_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version,
                         draft=_draft(customer, [d2], fee="4000"))
    assert c2.device_ids == (d2,) and c2.fee == Decimal("4000.00")
    assert c2.version > c.version
    with pytest.raises(ConflictError) as err:
        update_contract(uow=uow, actor=manager, contract_id=c.id, expected_version=c.version,
                        draft=_draft(customer, [d1]))
    assert "维修主管老赵" in str(err.value)


def test_renewal_links_and_copies_devices(uow, lead, setup):
    customer, d1, d2 = setup
    c = create_contract(uow=uow, actor=lead, draft=_draft(customer, [d1, d2]))
    c = activate_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    new = renew_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version,
                         fee=Decimal("3900.00"))
    assert new.renewed_from_id == c.id
    assert new.status is ContractStatus.ACTIVE
    assert new.device_ids == c.device_ids
    assert new.starts_on == c.ends_on + dt.timedelta(days=1)
    assert new.ends_on - new.starts_on == c.ends_on - c.starts_on
    assert new.fee == Decimal("3900.00") and new.kind is c.kind
    old = get_contract(uow=uow, actor=lead, contract_id=c.id)
    assert old.status is ContractStatus.RENEWED
    # The old one still covers its own period, the new one the next.
    assert covering_contract(uow=uow, actor=lead, device_id=d1).id == c.id
    assert covering_contract(uow=uow, actor=lead, device_id=d1,
                             on=new.starts_on).id == new.id
    with pytest.raises(InvalidTransition):
        renew_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=old.version)


def test_expiring_within_30_days_and_scoped(uow, lead, sales_user, other_sales_user, setup):
    customer, d1, _ = setup
    soon = create_contract(uow=uow, actor=lead, draft=_draft(
        customer, [d1], starts_on=TODAY - dt.timedelta(days=300),
        ends_on=TODAY + dt.timedelta(days=20)))
    later = create_contract(uow=uow, actor=lead, draft=_draft(
        customer, [], starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=31)))
    draft_only = create_contract(uow=uow, actor=lead, draft=_draft(
        customer, [], starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=5)))
    for c in (soon, later):
        activate_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    other_customer = _customer(uow, other_sales_user, "另一家公司")
    theirs = create_contract(uow=uow, actor=lead, draft=_draft(
        other_customer, [], starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=10)))
    activate_contract(uow=uow, actor=lead, contract_id=theirs.id,
                      expected_version=theirs.version)
    numbers = [c.number for c in contracts_expiring(uow=uow, actor=lead)]
    assert numbers == [theirs.number, soon.number]
    assert draft_only.number not in numbers
    assert [c.number for c in contracts_expiring(uow=uow, actor=lead, within_days=31)][-1] \
        == later.number
    # The salesperson sees the contracts of their own customers only.
    assert [c.number for c in contracts_expiring(uow=uow, actor=sales_user)] == [soon.number]
    assert {c.customer_id for c in list_contracts(uow=uow, actor=sales_user)} == {customer}
    with pytest.raises(people.REFUSED):
        get_contract(uow=uow, actor=sales_user, contract_id=theirs.id)


def test_permissions(uow, lead, manager, technician, sales_user, clerk, setup):
    customer, d1, _ = setup
    for actor in (technician, sales_user, clerk):
        with pytest.raises(PermissionDenied):
            create_contract(uow=uow, actor=actor, draft=_draft(customer, [d1]))
    c = create_contract(uow=uow, actor=manager, draft=_draft(customer, [d1]))
    assert get_contract(uow=uow, actor=technician, contract_id=c.id).id == c.id
    assert get_contract(uow=uow, actor=sales_user, contract_id=c.id).id == c.id
    with pytest.raises(PermissionDenied):
        get_contract(uow=uow, actor=clerk, contract_id=c.id)
    with pytest.raises(PermissionDenied):
        activate_contract(uow=uow, actor=technician, contract_id=c.id,
                          expected_version=c.version)
    assert activate_contract(uow=uow, actor=lead, contract_id=c.id,
                             expected_version=c.version).status is ContractStatus.ACTIVE


@pytest.mark.parametrize("change, field", [
    ({"ends_on": TODAY - dt.timedelta(days=1)}, "ends_on"),
    ({"fee": "12.345"}, "fee"),
    ({"fee": -1}, "fee"),
    ({"kind": "gold"}, "kind"),
    ({"sla_response_hours": 0}, "sla_response_hours"),
    ({"included_visits": -1}, "included_visits"),
    ({"customer_id": 999999}, "customer_id"),
    ({"device_ids": (999999,)}, "device_ids"),
])
def test_bad_input_leaves_db_unchanged(uow, lead, setup, change, field):
    change = dict(change)
    customer, d1, _ = setup
    before = (_count(uow, ServiceContract), _count(uow, ContractDevice), _count(uow, AuditEntry))
    with pytest.raises(ValidationError) as err:
        create_contract(uow=uow, actor=lead,
                        draft=_draft(change.pop("customer_id", customer), [d1], **change))
    assert field in err.value.errors
    assert (_count(uow, ServiceContract), _count(uow, ContractDevice),
            _count(uow, AuditEntry)) == before


def test_device_of_another_customer_refused(uow, lead, sales_user, setup):
    customer, d1, _ = setup
    other = _customer(uow, sales_user, "别家公司")
    foreign = _device(uow, other, "CNX999")
    with pytest.raises(ValidationError) as err:
        create_contract(uow=uow, actor=lead, draft=_draft(customer, [d1, foreign]))
    assert "device_ids" in err.value.errors
    assert _count(uow, ServiceContract) == 0


def test_lifecycle_edges(uow, lead, setup):
    S = ContractStatus
    assert CONTRACT_LIFECYCLE.targets(S.DRAFT) == (S.ACTIVE, S.TERMINATED)
    assert CONTRACT_LIFECYCLE.targets(S.ACTIVE) == (S.EXPIRED, S.TERMINATED, S.RENEWED)
    assert CONTRACT_LIFECYCLE.targets(S.EXPIRED) == (S.RENEWED,)
    assert CONTRACT_LIFECYCLE.targets(S.TERMINATED) == ()
    assert CONTRACT_LIFECYCLE.targets(S.RENEWED) == ()
    customer, d1, _ = setup
    c = create_contract(uow=uow, actor=lead, draft=_draft(customer, [d1]))
    with pytest.raises(InvalidTransition):
        expire_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    with pytest.raises(InvalidTransition):
        renew_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    c = activate_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    c = expire_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    with pytest.raises(InvalidTransition):
        terminate_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    with pytest.raises(InvalidTransition):
        update_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version,
                        draft=_draft(customer, [d1]))
    new = renew_contract(uow=uow, actor=lead, contract_id=c.id, expected_version=c.version)
    assert new.renewed_from_id == c.id
