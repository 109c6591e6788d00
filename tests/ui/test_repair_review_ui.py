"""Knowledge review loop, the score and SLA rules dialog, the repair charge split; shots."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import AppSetting, Product
from app.models.enums import (
    ContractKind,
    ContractStatus,
    KnowledgeStatus,
    ProductCategory,
    TicketStatus,
)
from app.models.service import ContractDevice, KnowledgeEntry, ServiceContract
from app.services.customers import CustomerDraft, create_customer
from app.services.knowledge import (
    KnowledgeDraft,
    approve_knowledge,
    create_knowledge,
    get_knowledge,
    reject_knowledge,
)
from app.services.permissions import Actor
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    dispatch_ticket,
    intake_ticket,
    load_rules,
    move_ticket,
    save_service_rules,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.knowledge.page import KnowledgePage, ReturnDialog
from app.ui.service.desk import IntakeDialog
from app.ui.service.repair_dialog import KnowledgeFormDialog, RepairDialog
from app.ui.service.rules_dialog import RulesDialog
from app.ui.service.tickets_page import TicketListPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
SHOTS = SHOTS_DIR / "repair5"

PAPER_JAM = KnowledgeDraft(
    device_model="HP LaserJet Pro M404dn", symptom="打印时频繁卡纸", cause="搓纸轮磨损打滑",
    solution="更换搓纸轮组件并清洁进纸通道", parts="搓纸轮 RM2-5452", keywords="卡纸 搓纸轮")
BLACK_LINES = KnowledgeDraft(
    device_model="理光 MP 2014", symptom="复印件有黑线", cause="硒鼓划伤",
    solution="更换硒鼓，清洁充电辊", parts="硒鼓", keywords="黑线 硒鼓")


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管老赵")


def _show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()


def _message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


# --- knowledge review loop -------------------------------------------------------------------


def test_lead_returns_with_reason_author_edits_and_resubmits(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor, technician: Actor,
) -> None:
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    page = KnowledgePage(make_context(lead, "repair"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: len(page.entries) == 1)
    assert page.tabs.currentWidget() is page.review_panel
    assert page.select_entry(entry.id)
    dialog = page.ask_reject()
    assert isinstance(dialog, ReturnDialog)
    assert not dialog.return_button.isEnabled()  # no reason, no return
    dialog.reason_edit.setPlainText("请写明搓纸轮型号和清洁方法")
    assert dialog.return_button.isEnabled()
    dialog.return_button.click()
    qtbot.waitUntil(lambda: page.entries == () and not page._busy
                    and not page.model.is_loading)
    stored = get_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    assert stored.status is KnowledgeStatus.REJECTED
    assert stored.return_reason == "请写明搓纸轮型号和清洁方法"

    # The author sees the reason under "My entries", edits and resubmits.
    mine = KnowledgePage(make_context(technician, "repair"))
    _show(qtbot, mine)
    assert not mine.approve_button.isVisible()
    qtbot.waitUntil(lambda: mine.mine_loaded)
    assert mine.select_mine(entry.id)
    assert mine.mine_model.index(0, 4).data() == "请写明搓纸轮型号和清洁方法"
    assert mine.mine_model.index(0, 3).data() == "Returned"
    assert "请写明搓纸轮型号和清洁方法" in mine.mine_detail.toPlainText()
    assert "1 returned to you" in mine.mine_message.text()
    assert mine.edit_button.isEnabled()
    form = mine.edit_selected()
    assert isinstance(form, KnowledgeFormDialog)
    assert form.reason_label.isVisible()
    assert "请写明搓纸轮型号和清洁方法" in form.reason_label.text()
    assert form.text("cause") == "搓纸轮磨损打滑"
    form.edits["solution"].setPlainText("更换搓纸轮 RM2-5452，用酒精清洁进纸通道")  # type: ignore[union-attr]
    with qtbot.waitSignal(form.created, timeout=10000):
        form.save_button.click()
    resubmitted = get_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    assert resubmitted.status is KnowledgeStatus.PENDING and "酒精" in resubmitted.solution
    qtbot.waitUntil(lambda: mine.my_entries != () and
                    mine.my_entries[0].status is KnowledgeStatus.PENDING)
    assert mine.mine_model.index(0, 3).data() == "Pending approval"

    # Back in the lead's queue.
    page.refresh()
    qtbot.waitUntil(lambda: len(page.entries) == 1)
    assert "Returned before: 请写明搓纸轮型号" in page.detail.toPlainText()


def test_edit_conflict_is_reported(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor, technician: Actor,
) -> None:
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    reject_knowledge(uow=uow, actor=lead, entry_id=entry.id, reason="补充配件编号")
    mine = KnowledgePage(make_context(technician, "repair"))
    _show(qtbot, mine)
    qtbot.waitUntil(lambda: mine.mine_loaded)
    form = mine.edit_selected()
    assert isinstance(form, KnowledgeFormDialog)
    # Meanwhile the lead changes the entry.
    from app.services.knowledge import update_knowledge
    update_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                     expected_version=get_knowledge(uow=uow, actor=lead,
                                                    entry_id=entry.id).version,
                     draft=BLACK_LINES, submit=False)
    form.save_button.click()
    qtbot.waitUntil(lambda: not form.is_busy and bool(form.status_label.text())
                    and form.status_label.text() != "Saving…")
    assert "维修主管老赵" in form.status_label.text()
    assert get_knowledge(uow=uow, actor=lead, entry_id=entry.id).status \
        is KnowledgeStatus.REJECTED


def test_counter_clerk_browses_and_searches_approved_entries(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor, technician: Actor,
    clerk: Actor,
) -> None:
    jam = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    approve_knowledge(uow=uow, actor=lead, entry_id=jam.id)
    lines = create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES)
    approve_knowledge(uow=uow, actor=lead, entry_id=lines.id)
    create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)  # pending: not listed
    page = KnowledgePage(make_context(clerk, "storefront"), search_debounce_ms=10)
    _show(qtbot, page)
    assert page.tabs.count() == 1 and page.tabs.currentWidget() is page.browse_panel
    assert not page.approve_button.isVisible() and not page.mine_panel.isVisible()
    qtbot.waitUntil(lambda: len(page.browse_entries) == 2)
    page.search_edit.setText("m404")
    qtbot.waitUntil(lambda: [e.id for e in page.browse_entries] == [jam.id])
    assert page.browse_model.index(0, 1).data() == "HP LaserJet Pro M404dn"
    assert "更换搓纸轮组件" in page.browse_detail.toPlainText()
    page.search_edit.setText("黑线")
    qtbot.waitUntil(lambda: [e.id for e in page.browse_entries] == [lines.id])
    page.search_edit.setText("没有这个")
    qtbot.waitUntil(lambda: page.browse_entries == () and not page.browse_model.is_loading)
    assert page.browse_message.text() == "Nothing found."


# --- service rules dialog --------------------------------------------------------------------


def test_lead_edits_rules_from_the_tickets_page(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor, technician: Actor,
    clerk: Actor,
) -> None:
    tech_page = TicketListPage(make_context(technician, "repair"))
    _show(qtbot, tech_page)
    assert not tech_page.rules_button.isVisible()
    page = TicketListPage(make_context(lead, "repair"))
    _show(qtbot, page)
    assert page.rules_button.isVisible()
    dialog = page.open_rules()
    assert isinstance(dialog, RulesDialog)
    qtbot.waitUntil(lambda: dialog.rules is not None and not dialog.is_busy)
    assert dialog.cell("sla_hours.urgent").text() == "4"
    assert dialog.cell("score.base.maintenance").text() == "1.5"

    dialog.cell("sla_hours.urgent").setText("0")
    dialog.cell("score.rating_step").setText("abc")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert sorted(dialog.marked_fields()) == ["score.rating_step", "sla_hours.urgent"]
    assert "must be between 1 and 720" in dialog.status_label.text()
    with uow:
        assert uow.session.execute(select(AppSetting)).first() is None

    dialog.cell("sla_hours.urgent").setText("2")
    dialog.cell("score.rating_step").setText("1")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.rules is not None
                    and dialog.rules.version == 1)
    assert dialog.marked_fields() == []
    with uow:
        stored = json.loads(uow.session.execute(select(AppSetting.value)).scalar_one())
    assert stored["sla_hours"]["urgent"] == 2 and stored["score"]["rating_step"] == "1.00"
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", priority="urgent"))
    assert t.due_at - t.received_at == dt.timedelta(hours=2)

    # Someone else saves meanwhile: the save is refused, said, and the rules reload.
    other = load_rules(uow)
    save_service_rules(uow=uow, actor=lead, expected_version=other.version,
                       rules=type(other)(sla_hours={**other.sla_hours, "urgent": 3},
                                         score=other.score, version=other.version))
    dialog.cell("sla_hours.low").setText("96")
    dialog.save()
    qtbot.waitUntil(lambda: bool(_message_boxes()))
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.rules is not None
                    and dialog.rules.version == 2)
    assert dialog.cell("sla_hours.urgent").text() == "3"
    assert dialog.cell("sla_hours.low").text() == "72"
    for box in _message_boxes():
        box.close()


# --- repair dialog charge split ---------------------------------------------------------------


@pytest.fixture
def toner(uow: UnitOfWork, manager: Actor) -> int:
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=D("300.00"), list_price=D("450.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        return p.id


def _covered_ticket(uow: UnitOfWork, clerk: Actor, lead: Actor, technician: Actor,
                    kind: ContractKind) -> int:
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳快印店"))
    first = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="登记",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB4040")))
    move_ticket(uow=uow, actor=lead, ticket_id=first.id, expected_version=first.version,
                to=TicketStatus.CANCELLED)
    today = dt.date.today()
    with uow:
        uow.session.add(ServiceContract(
            number="HT-LABOUR-01", customer_id=customer.id, kind=kind,
            status=ContractStatus.ACTIVE, included_visits=4,
            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300),
            fee=D("600.00"), created_by_id=lead.user_id, updated_by_id=lead.user_id,
            devices=[ContractDevice(device_id=first.device_id)]))
        uow.commit()
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", device_id=first.device_id))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    return t.id


def test_repair_dialog_shows_the_labour_only_split(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, toner: int,
) -> None:
    from app.services.tickets import get_ticket
    tid = _covered_ticket(uow, clerk, lead, technician, ContractKind.LABOUR_ONLY)
    ticket = get_ticket(uow=uow, actor=technician, ticket_id=tid)
    dialog = RepairDialog(make_context(technician, "repair"), ticket)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.suggestions_loaded)
    dialog.labour_edit.setText("80")
    assert "labour free, parts charged" in dialog.charge_label.text()
    assert "pays ¥0.00" in dialog.charge_label.text()
    dialog.product_search.setText("HP-CF")
    dialog.search_products()
    qtbot.waitUntil(lambda: dialog.product_results.currentData() is not None)
    dialog.qty_spin.setValue(2)
    dialog.add_selected_product()
    assert "pays ¥900.00" in dialog.charge_label.text()
    assert "Labour ¥80.00 (charged ¥0.00)" in dialog.charge_label.text()
    _save(dialog, "repair_labour_only_en.png")
    dialog.work_edit.setPlainText("更换硒鼓")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.outcome is not None or not dialog.is_busy, timeout=15000)
    assert dialog.outcome is not None, dialog.status_label.text()
    assert dialog.outcome.view.total_charge == D("900.00")
    assert "pays ¥900.00 (labour ¥0.00 + parts ¥900.00)" in dialog.charge_label.text()


def test_contract_dialog_shows_visits_used(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor,
) -> None:
    from app.ui.contracts.contract_dialog import ContractDialog
    _covered_ticket(uow, clerk, lead, technician, ContractKind.PER_VISIT)
    with uow:
        contract_id = uow.session.execute(select(ServiceContract.id)).scalar_one()
    dialog = ContractDialog(make_context(lead, "repair"), contract_id)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    assert dialog.visits_label.isVisible()
    assert dialog.visits_label.text() == "Visits used: 1 of 4"


# --- screenshots -----------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


def test_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, lead: Actor,
    technician: Actor, clerk: Actor, toner: int,
) -> None:
    # Intake of a device on a per-visit contract with 3 of 4 visits left.
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234"))
    first = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB4040")))
    today = dt.date.today()
    with uow:
        uow.session.add(ServiceContract(
            number="HT-2026-0007", customer_id=customer.id, kind=ContractKind.PER_VISIT,
            status=ContractStatus.ACTIVE, included_visits=4,
            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300),
            fee=D("600.00"), created_by_id=lead.user_id, updated_by_id=lead.user_id,
            devices=[ContractDevice(device_id=first.device_id)]))
        uow.commit()
    intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸", device_id=first.device_id))
    ctx_clerk = make_context(clerk, "storefront", language=language)
    intake = IntakeDialog(ctx_clerk, customer_id=customer.id)
    _show(qtbot, intake)
    qtbot.waitUntil(lambda: intake.coverage is not None and len(intake.history) == 2)
    intake.symptoms_edit.setPlainText("卡纸，进纸时有异响")
    qtbot.wait(30)
    assert ("3" in intake.coverage_label.text())
    if language == "zh":
        assert "按次：剩余 3 次" in intake.coverage_label.text()
    _save(intake, f"intake_per_visit_{language}.png")

    # The technician's entries with a return reason.
    entry = create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM)
    reject_knowledge(uow=uow, actor=lead, entry_id=entry.id,
                     reason="请写明搓纸轮型号和清洁方法")
    approved = create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES)
    approve_knowledge(uow=uow, actor=lead, entry_id=approved.id)
    create_knowledge(uow=uow, actor=technician, draft=PAPER_JAM, submit=False)
    ctx_tech = make_context(technician, "repair", language=language)
    page = KnowledgePage(ctx_tech)
    _show(qtbot, page)
    page.resize(1000, 520)
    qtbot.waitUntil(lambda: page.mine_loaded and page.browse_loaded)
    assert page.select_mine(entry.id)
    qtbot.wait(30)
    assert clipped_texts(page) == []
    _save(page, f"knowledge_my_entries_{language}.png")
    page.tabs.setCurrentWidget(page.browse_panel)
    qtbot.wait(30)
    _save(page, f"knowledge_browse_{language}.png")
    form = page.edit_selected() if page.tabs.setCurrentWidget(page.mine_panel) is None else None
    assert isinstance(form, KnowledgeFormDialog)
    qtbot.wait(30)
    assert clipped_texts(form) == []
    _save(form, f"knowledge_edit_returned_{language}.png")
    form.close()

    lead_page = KnowledgePage(make_context(lead, "repair", language=language))
    _show(qtbot, lead_page)
    lead_page.resize(1000, 520)
    create_knowledge(uow=uow, actor=technician, draft=BLACK_LINES)
    lead_page.refresh()
    qtbot.waitUntil(lambda: len(lead_page.entries) == 1)
    dialog = lead_page.ask_reject()
    assert dialog is not None
    dialog.reason_edit.setPlainText("请补充硒鼓型号")
    qtbot.wait(30)
    _save(dialog, f"knowledge_return_reason_{language}.png")
    dialog.close()

    rules = RulesDialog(make_context(lead, "repair", language=language))
    _show(qtbot, rules)
    qtbot.waitUntil(lambda: rules.rules is not None and not rules.is_busy)
    qtbot.wait(30)
    assert clipped_texts(rules) == []
    _save(rules, f"service_rules_{language}.png")
    rules.cell("sla_hours.urgent").setText("0")
    rules.save()
    qtbot.waitUntil(lambda: not rules.is_busy and bool(rules.marked_fields()))
    _save(rules, f"service_rules_error_{language}.png")
    with uow:
        assert uow.session.execute(select(KnowledgeEntry.id)).first() is not None
