"""Saving the SLA and service score rules (the ``service_rules`` setting)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AppSetting, AuditEntry
from app.models.enums import Priority, TicketStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.tickets import (
    DEFAULT_SLA_HOURS,
    IntakeDraft,
    RepairDraft,
    ServiceRules,
    dispatch_ticket,
    intake_ticket,
    load_rules,
    move_ticket,
    record_repair,
    save_service_rules,
)


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管老赵")


def _rules(rules: ServiceRules, *, sla=None, base=None, **score) -> ServiceRules:
    new_score = {**rules.score, **score}
    if base:
        new_score["base"] = {**rules.score["base"], **base}
    return dataclasses.replace(rules, sla_hours={**rules.sla_hours, **(sla or {})},
                               score=new_score)


def _settings(uow):
    with uow:
        return uow.session.execute(select(AppSetting.key, AppSetting.value)).all()


def test_defaults_load_with_version_zero(uow):
    rules = load_rules(uow)
    assert rules.version == 0
    assert rules.sla_hours == dict(DEFAULT_SLA_HOURS)
    assert rules.score["base"]["maintenance"] == Decimal("1.5")
    assert rules.score["rating_step"] == Decimal("0.5")


def test_lead_saves_and_the_next_ticket_uses_them(uow, lead, clerk, technician):
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
    saved = save_service_rules(
        uow=uow, actor=lead, expected_version=0,
        rules=_rules(load_rules(uow), sla={"urgent": 2, "normal": 48},
                     base={"bench_repair": "3.5"}, rating_step="1", on_time_bonus=2))
    assert saved.version == 1
    assert saved.sla_hours["urgent"] == 2 and saved.sla_hours["high"] == 8
    assert saved.score["base"]["bench_repair"] == Decimal("3.50")
    stored = json.loads(_settings(uow)[0][1])
    assert stored["sla_hours"] == {"high": 8, "low": 72, "normal": 48, "urgent": 2}
    assert stored["score"]["base"]["bench_repair"] == "3.50"
    with uow:
        audit = uow.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "app_setting")).scalar_one()
        assert audit.user_id == lead.user_id

    # The SLA due time of the next ticket and the score of its repair follow the new rules.
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", priority=Priority.URGENT))
    assert t.due_at - t.received_at == dt.timedelta(hours=2)
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="清洁", job_type="bench_repair",
                                        difficulty=2, customer_rating=5))
    # 3.5 × 2 + (5 − 3) × 1 + 2 on time = 11 (with the defaults it would be 6.00)
    assert t.repair.service_score == Decimal("11.00")

    # A second save with the version loaded after the first.
    again = save_service_rules(uow=uow, actor=lead, expected_version=saved.version,
                               rules=_rules(saved, sla={"urgent": 3}))
    assert again.version == 2 and again.sla_hours["urgent"] == 3
    t2 = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", priority=Priority.URGENT))
    assert t2.due_at - t2.received_at == dt.timedelta(hours=3)
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "app_setting")).scalar_one() == 2


@pytest.mark.parametrize("changes,field", [
    ({"sla": {"urgent": 0}}, "sla_hours.urgent"),
    ({"sla": {"low": 721}}, "sla_hours.low"),
    ({"sla": {"high": "abc"}}, "sla_hours.high"),
    ({"sla": {"soon": 3}}, "sla_hours"),
    ({"base": {"maintenance": "-1"}}, "score.base.maintenance"),
    ({"base": {"installation": "101"}}, "score.base.installation"),
    ({"base": {"bench_repair": "1.234"}}, "score.base.bench_repair"),
    ({"base": {"painting": "2"}}, "score.base"),
    ({"rating_step": "11"}, "score.rating_step"),
    ({"rating_step": "-0.5"}, "score.rating_step"),
    ({"late_penalty": None}, "score.late_penalty"),
    ({"minimum": "x"}, "score.minimum"),
])
def test_bad_rules_are_refused_and_nothing_is_stored(uow, lead, changes, field):
    with pytest.raises(ValidationError) as err:
        save_service_rules(uow=uow, actor=lead, expected_version=0,
                           rules=_rules(load_rules(uow), **changes))
    assert set(err.value.errors) == {field}
    assert _settings(uow) == []
    assert load_rules(uow).version == 0


def test_who_may_save(uow, lead, manager, technician, clerk, sales_user, admin):
    rules = load_rules(uow)
    for actor in (technician, clerk, sales_user, admin):
        with pytest.raises(PermissionDenied):
            save_service_rules(uow=uow, actor=actor, expected_version=0,
                               rules=_rules(rules, sla={"urgent": 2}))
    assert _settings(uow) == []
    saved = save_service_rules(uow=uow, actor=manager, expected_version=0,
                               rules=_rules(rules, sla={"urgent": 6}))
    assert saved.sla_hours["urgent"] == 6


def test_conflicting_saves(uow, lead, manager):
    loaded_by_lead = load_rules(uow)
    loaded_by_gm = load_rules(uow)
    save_service_rules(uow=uow, actor=manager, expected_version=loaded_by_gm.version,
                       rules=_rules(loaded_by_gm, sla={"urgent": 6}))
    with pytest.raises(ConflictError) as err:
        save_service_rules(uow=uow, actor=lead, expected_version=loaded_by_lead.version,
                           rules=_rules(loaded_by_lead, sla={"urgent": 1}))
    assert "总经理" in str(err.value)
    assert load_rules(uow).sla_hours["urgent"] == 6
    # Claiming a saved version when nothing was saved is a conflict too.
    with uow:
        uow.session.execute(AppSetting.__table__.delete())
        uow.commit()
    with pytest.raises(ConflictError):
        save_service_rules(uow=uow, actor=lead, expected_version=3,
                           rules=_rules(loaded_by_lead, sla={"urgent": 1}))


def test_unreadable_stored_values_fall_back_to_defaults(uow, manager):
    with uow:
        uow.session.add(AppSetting(key="service_rules", value=json.dumps(
            {"sla_hours": {"urgent": "x", "low": 96}, "score": {"base": {"maintenance": "?"},
                                                               "minimum": "1"}}),
            created_by_id=manager.user_id, updated_by_id=manager.user_id))
        uow.commit()
    rules = load_rules(uow)
    assert rules.version == 1
    assert rules.sla_hours == {**DEFAULT_SLA_HOURS, "low": 96}
    assert rules.score["base"]["maintenance"] == Decimal("1.5")
    assert rules.score["minimum"] == Decimal("1")
