"""A knowledge entry started on its own (the knowledge page's "New entry"), not from a repair."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app import i18n
from app.models import AuditEntry
from app.models.enums import KnowledgeStatus
from app.models.service import KnowledgeEntry
from app.services.errors import PermissionDenied, ValidationError
from app.services.knowledge import KnowledgeDraft, create_knowledge, list_my_knowledge

TONER_SMEAR = KnowledgeDraft(
    device_model="Brother HL-2260D", symptom="打印件底灰、碳粉蹭脏",
    cause="定影膜老化，加热不均", solution="更换定影膜并清洁压力辊", parts="定影膜",
    keywords="底灰 定影")


@pytest.fixture
def lead(make_user):
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _entries(uow) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(KnowledgeEntry)
                                   ).scalar_one()


def test_a_technician_writes_a_new_entry_with_no_repair_behind_it(uow, technician, lead):
    for actor in (technician, lead):  # whoever writes entries may start one
        entry = create_knowledge(uow=uow, actor=actor, draft=TONER_SMEAR)
        assert entry.status is KnowledgeStatus.PENDING and entry.author_id == actor.user_id
        assert (entry.device_model, entry.symptom, entry.parts) == (
            "Brother HL-2260D", "打印件底灰、碳粉蹭脏", "定影膜")
        assert [e.id for e in list_my_knowledge(uow=uow, actor=actor)] == [entry.id]
        with uow:
            row = uow.session.get(KnowledgeEntry, entry.id)
            assert row.created_by_id == actor.user_id and row.times_used == 0
            action, user_id, changes = uow.session.execute(
                select(AuditEntry.action, AuditEntry.user_id, AuditEntry.changes)
                .where(AuditEntry.entity == "knowledge", AuditEntry.entity_id == entry.id)
            ).one()
        assert (action, user_id) == ("create", actor.user_id)
        assert json.loads(changes)["after"]["solution"] == "更换定影膜并清洁压力辊"


def test_a_new_entry_is_refused_to_who_may_not_write_and_for_bad_input(
        uow, technician, clerk, sales_user):
    for actor in (clerk, sales_user):
        with pytest.raises(PermissionDenied):
            create_knowledge(uow=uow, actor=actor, draft=TONER_SMEAR)
    i18n.set_language("zh")
    try:
        with pytest.raises(ValidationError) as error:
            create_knowledge(uow=uow, actor=technician, draft=KnowledgeDraft(
                device_model="", symptom="  ", cause="定影膜老化", solution=""))
    finally:
        i18n.set_language("en")
    assert set(error.value.errors) == {"device_model", "symptom", "solution"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message)
               for message in error.value.errors.values())
    with pytest.raises(ValidationError) as error:
        create_knowledge(uow=uow, actor=technician, draft=KnowledgeDraft(
            device_model="M" * 101, symptom="卡纸\x07", cause="x", solution="y"))
    assert set(error.value.errors) == {"device_model", "symptom"}
    assert _entries(uow) == 0
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "knowledge")).scalar_one() == 0
