"""Knowledge base: technicians submit, the repair lead approves, approved entries are suggested."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models.enums import KnowledgeStatus
from app.models.service import KnowledgeEntry
from app.services.errors import InvalidTransition, PermissionDenied, ValidationError
from app.services.knowledge import (
    KnowledgeDraft,
    approve_knowledge,
    create_knowledge,
    get_knowledge,
    list_pending_knowledge,
    mark_used,
    reject_knowledge,
    suggest_solutions,
)


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管老赵")


PAPER_JAM = KnowledgeDraft(
    device_model="HP LaserJet Pro M404dn", symptom="打印时频繁卡纸，纸张卡在进纸口",
    cause="搓纸轮磨损打滑", solution="更换搓纸轮组件并清洁进纸通道",
    parts="搓纸轮 RM2-5452", keywords="卡纸 进纸 搓纸轮")
BLACK_LINES = KnowledgeDraft(
    device_model="HP LaserJet Pro M404dn", symptom="打印件有黑色竖线",
    cause="硒鼓感光鼓划伤", solution="更换硒鼓 CF276A", keywords="黑线 硒鼓")
OTHER_MODEL_JAM = KnowledgeDraft(
    device_model="Canon iR 2525", symptom="复印卡纸", cause="定影器出纸传感器脏",
    solution="清洁出纸传感器", keywords="卡纸")


def _approved(uow, tech, lead, draft):
    entry = create_knowledge(uow=uow, actor=tech, draft=draft)
    return approve_knowledge(uow=uow, actor=lead, entry_id=entry.id)


def test_technician_submits_and_lead_approves(uow, technician, lead):
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    assert entry.number.startswith("ZS-")
    assert entry.status is KnowledgeStatus.PENDING and entry.author_id == technician.user_id
    assert [e.id for e in list_pending_knowledge(uow=uow, actor=lead)] == [entry.id]
    with pytest.raises(PermissionDenied):
        approve_knowledge(uow=uow, actor=technician, entry_id=entry.id)
    with pytest.raises(PermissionDenied):
        list_pending_knowledge(uow=uow, actor=technician)
    approved = approve_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    assert approved.status is KnowledgeStatus.APPROVED
    assert approved.approved_by_id == lead.user_id and approved.approved_at is not None
    with pytest.raises(InvalidTransition):
        reject_knowledge(uow=uow, actor=lead, entry_id=entry.id)


def test_only_approved_entries_are_suggested(uow, technician, lead):
    pending = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    rejected = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    reject_knowledge(uow=uow, actor=lead, entry_id=rejected.id)
    draft = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM, submit=False)
    assert draft.status is KnowledgeStatus.DRAFT
    assert suggest_solutions(uow=uow, actor=technician, device_model="HP LaserJet Pro M404dn",
                             symptoms="卡纸") == ()
    approve_knowledge(uow=uow, actor=lead, entry_id=pending.id)
    found = suggest_solutions(uow=uow, actor=technician,
                              device_model="HP LaserJet Pro M404dn", symptoms="卡纸")
    assert [s.entry.id for s in found] == [pending.id]


def test_ranking_same_model_and_symptom_words(uow, technician, lead, clerk):
    other = _approved(uow, technician, lead, OTHER_MODEL_JAM)
    lines = _approved(uow, technician, lead, BLACK_LINES)
    jam = _approved(uow, technician, lead, PAPER_JAM)
    found = suggest_solutions(uow=uow, actor=clerk, device_model="hp laserjet pro m404",
                              symptoms="客户说经常卡纸")
    assert [s.entry.id for s in found] == [jam.id, lines.id, other.id]
    assert found[0].same_model and found[0].score > 0
    assert not found[2].same_model and found[2].score > 0
    # Another model: the paper-jam entries by symptom, the black-lines one not at all.
    found = suggest_solutions(uow=uow, actor=clerk, device_model="Ricoh MP 2014",
                              symptoms="卡纸")
    assert {s.entry.id for s in found} == {jam.id, other.id}
    # The model alone finds that model's entries; limit bounds the list.
    found = suggest_solutions(uow=uow, actor=clerk, device_model="HP LaserJet Pro M404dn",
                              symptoms="", limit=1)
    assert len(found) == 1 and found[0].same_model
    assert suggest_solutions(uow=uow, actor=clerk, device_model="", symptoms="") == ()
    # Wildcards in what is typed are text, not patterns.
    assert suggest_solutions(uow=uow, actor=clerk, device_model="%_", symptoms="%%_") == ()


def test_mark_used_counts_and_ranks(uow, technician, lead):
    a = _approved(uow, technician, lead, PAPER_JAM)
    b = _approved(uow, technician, lead, PAPER_JAM)
    assert mark_used(uow=uow, actor=technician, entry_id=b.id).times_used == 1
    assert mark_used(uow=uow, actor=technician, entry_id=b.id).times_used == 2
    found = suggest_solutions(uow=uow, actor=technician, device_model="HP LaserJet Pro M404dn",
                              symptoms="卡纸")
    assert [s.entry.id for s in found] == [b.id, a.id]
    pending = create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES)
    with pytest.raises(InvalidTransition):
        mark_used(uow=uow, actor=technician, entry_id=pending.id)
    assert get_knowledge(uow=uow, actor=lead, entry_id=pending.id).times_used == 0


def test_bad_input_and_permissions(uow, technician, clerk, sales_user):
    with pytest.raises(ValidationError) as err:
        create_knowledge(uow=uow, actor=technician, draft=KnowledgeDraft(
            device_model=" ", symptom="卡纸", cause="", solution="x" * 20001))
    assert set(err.value.errors) == {"device_model", "cause", "solution"}
    for actor in (clerk, sales_user):
        with pytest.raises(PermissionDenied):
            create_knowledge(uow=uow, actor=actor, draft=PAPER_JAM)
    with uow:
        assert uow.session.execute(
            select(func.count()).select_from(KnowledgeEntry)).scalar_one() == 0
