"""Knowledge base: technicians submit, the repair lead approves, approved entries are suggested."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry
from app.models.enums import AuditAction, KnowledgeStatus
from app.models.service import KnowledgeEntry
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from app.services.knowledge import (
    KnowledgeDraft,
    approve_knowledge,
    create_knowledge,
    get_knowledge,
    list_knowledge,
    list_my_knowledge,
    list_pending_knowledge,
    mark_used,
    reject_knowledge,
    suggest_solutions,
    update_knowledge,
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
        reject_knowledge(uow=uow, actor=lead, entry_id=entry.id, reason="重写")


def test_only_approved_entries_are_suggested(uow, technician, lead):
    pending = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    rejected = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    reject_knowledge(uow=uow, actor=lead, entry_id=rejected.id, reason="原因写得不清楚")
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


# --- the review loop: return with a reason, edit, resubmit ---------------------------------


def _status(uow, entry_id):
    with uow:
        return uow.session.execute(select(KnowledgeEntry.status, KnowledgeEntry.return_reason)
                                   .where(KnowledgeEntry.id == entry_id)).one()


def test_return_needs_a_reason(uow, technician, lead):
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as err:
            reject_knowledge(uow=uow, actor=lead, entry_id=entry.id, reason=reason)
        assert set(err.value.errors) == {"reason"}
    assert tuple(_status(uow, entry.id)) == (KnowledgeStatus.PENDING, None)
    returned = reject_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                                reason="请写明搓纸轮型号和清洁方法", expected_version=entry.version)
    assert returned.status is KnowledgeStatus.REJECTED
    assert returned.return_reason == "请写明搓纸轮型号和清洁方法"
    assert tuple(_status(uow, entry.id)) == (KnowledgeStatus.REJECTED, "请写明搓纸轮型号和清洁方法")
    with uow:
        audit = uow.session.execute(select(AuditEntry).where(
            AuditEntry.entity == "knowledge", AuditEntry.action == AuditAction.RETURN)
        ).scalar_one()
        assert "请写明搓纸轮型号" in str(audit.changes)


def test_author_sees_reason_edits_and_resubmits(uow, technician, lead):
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    reject_knowledge(uow=uow, actor=lead, entry_id=entry.id, reason="请写明搓纸轮型号")
    [mine] = list_my_knowledge(uow=uow, actor=technician)
    assert mine.id == entry.id and mine.status is KnowledgeStatus.REJECTED
    assert mine.return_reason == "请写明搓纸轮型号"
    assert list_pending_knowledge(uow=uow, actor=lead) == ()

    better = dataclasses.replace(PAPER_JAM, solution="更换搓纸轮 RM2-5452，用酒精清洁进纸通道")
    # Saving without submitting keeps it with the author.
    kept = update_knowledge(uow=uow, actor=technician, entry_id=entry.id,
                            expected_version=mine.version, draft=better, submit=False)
    assert kept.status is KnowledgeStatus.REJECTED and "酒精" in kept.solution
    resubmitted = update_knowledge(uow=uow, actor=technician, entry_id=entry.id,
                                   expected_version=kept.version, draft=better)
    assert resubmitted.status is KnowledgeStatus.PENDING
    assert [e.id for e in list_pending_knowledge(uow=uow, actor=lead)] == [entry.id]
    approved = approve_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                                 expected_version=resubmitted.version)
    assert approved.status is KnowledgeStatus.APPROVED and approved.return_reason is None
    with pytest.raises(InvalidTransition):
        update_knowledge(uow=uow, actor=technician, entry_id=entry.id,
                         expected_version=approved.version, draft=PAPER_JAM)
    # A draft is submitted the same way.
    draft = create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES, submit=False)
    sent = update_knowledge(uow=uow, actor=technician, entry_id=draft.id,
                            expected_version=draft.version, draft=BLACK_LINES)
    assert sent.status is KnowledgeStatus.PENDING
    mine = list_my_knowledge(uow=uow, actor=technician)
    assert {e.id: e.status for e in mine} == {entry.id: KnowledgeStatus.APPROVED,
                                              draft.id: KnowledgeStatus.PENDING}


def test_only_author_or_lead_may_edit(uow, make_user, technician, lead, clerk):
    other = make_user("tech2", "technician", "repair", display_name="李刚")
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    changed = dataclasses.replace(PAPER_JAM, cause="搓纸轮表面硬化")
    with pytest.raises(PermissionDenied):
        update_knowledge(uow=uow, actor=other, entry_id=entry.id,
                         expected_version=entry.version, draft=changed)
    with pytest.raises(PermissionDenied):  # the counter may read, not edit
        update_knowledge(uow=uow, actor=clerk, entry_id=entry.id,
                         expected_version=entry.version, draft=changed)
    assert get_knowledge(uow=uow, actor=lead, entry_id=entry.id).cause == "搓纸轮磨损打滑"
    by_lead = update_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                               expected_version=entry.version, draft=changed)
    assert by_lead.cause == "搓纸轮表面硬化" and by_lead.author_id == technician.user_id
    with pytest.raises(ValidationError) as err:
        update_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                         expected_version=by_lead.version,
                         draft=dataclasses.replace(PAPER_JAM, symptom=" "))
    assert set(err.value.errors) == {"symptom"}
    assert get_knowledge(uow=uow, actor=lead, entry_id=entry.id).symptom == PAPER_JAM.symptom


def test_edit_conflict(uow, technician, lead):
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    update_knowledge(uow=uow, actor=lead, entry_id=entry.id, expected_version=entry.version,
                     draft=dataclasses.replace(PAPER_JAM, keywords="卡纸"))
    with pytest.raises(ConflictError) as err:
        update_knowledge(uow=uow, actor=technician, entry_id=entry.id,
                         expected_version=entry.version,
                         draft=dataclasses.replace(PAPER_JAM, cause="别的原因"))
    assert "维修主管老赵" in str(err.value)
    # The lead approving what they no longer see is refused as well.
    with pytest.raises(ConflictError):
        approve_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                          expected_version=entry.version)
    assert get_knowledge(uow=uow, actor=lead, entry_id=entry.id).cause == "搓纸轮磨损打滑"


def test_sales_may_browse_but_not_review(uow, technician, lead, sales_user):
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    with pytest.raises(PermissionDenied):
        approve_knowledge(uow=uow, actor=sales_user, entry_id=entry.id)
    with pytest.raises(PermissionDenied):
        reject_knowledge(uow=uow, actor=sales_user, entry_id=entry.id, reason="不好")
    assert tuple(_status(uow, entry.id)) == (KnowledgeStatus.PENDING, None)
    assert list_knowledge(uow=uow, actor=sales_user) == ()  # pending is not browsable
    approve_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    assert [e.id for e in list_knowledge(uow=uow, actor=sales_user)] == [entry.id]


def test_browse_and_search_approved(uow, technician, lead, clerk):
    jam = _approved(uow, technician, lead, PAPER_JAM)
    lines = _approved(uow, technician, lead, BLACK_LINES)
    canon = _approved(uow, technician, lead, OTHER_MODEL_JAM)
    create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)  # pending: never listed
    mark_used(uow=uow, actor=clerk, entry_id=lines.id)
    assert [e.id for e in list_knowledge(uow=uow, actor=clerk)] == [lines.id, canon.id, jam.id]
    assert {e.id for e in list_knowledge(uow=uow, actor=clerk, text="卡纸")} == {jam.id,
                                                                              canon.id}
    assert [e.id for e in list_knowledge(uow=uow, actor=clerk, text="m404 卡纸")] == [jam.id]
    assert [e.id for e in list_knowledge(uow=uow, actor=clerk, text="CANON")] == [canon.id]
    assert list_knowledge(uow=uow, actor=clerk, text="%") == ()
    assert len(list_knowledge(uow=uow, actor=clerk, limit=1)) == 1


def test_my_entries_list_returned_first_then_newest(uow, technician, lead):
    returned = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    pending = create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES)
    draft = create_knowledge(uow=uow, actor=technician, draft=OTHER_MODEL_JAM, submit=False)
    create_knowledge(uow=uow, actor=lead, draft=PAPER_JAM)  # someone else's: not mine
    reject_knowledge(uow=uow, actor=lead, entry_id=returned.id, reason="补充型号")
    mine = list_my_knowledge(uow=uow, actor=technician)
    assert [e.id for e in mine] == [returned.id, draft.id, pending.id]
    assert [e.status for e in mine] == [KnowledgeStatus.REJECTED, KnowledgeStatus.DRAFT,
                                        KnowledgeStatus.PENDING]
