"""Service contracts (list, expiring filter, dialog, renewal) and the knowledge approval page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from pytestqt.qtbot import QtBot

from app.models.enums import ContractKind, ContractStatus, Module
from app.services.contracts import (
    ContractDraft,
    activate_contract,
    create_contract,
    get_contract,
    list_contracts,
)
from app.services.customers import CustomerDraft, DeviceDraft, create_customer
from app.services.knowledge import KnowledgeDraft, create_knowledge, list_pending_knowledge
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import ContractDialog
from app.ui.contracts.page import ContractListPage
from app.ui.knowledge.page import KnowledgePage
from app.ui.shell.pages import page_factories
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair")


@pytest.fixture
def customer(uow: UnitOfWork, lead: Actor) -> tuple[int, int]:
    """A customer with one printer; returns (customer id, device id)."""
    detail = create_customer(uow=uow, actor=lead, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", devices=(DeviceDraft(
            brand="理光", model="MP 2014", serial_number="RC2014-0001", location="三楼前台"),)))
    return detail.id, detail.devices[0].id


def _contract(uow: UnitOfWork, actor: Actor, customer: tuple[int, int], ends_in: int,
              *, active: bool = True) -> int:
    today = dt.date.today()
    view = create_contract(uow=uow, actor=actor, draft=ContractDraft(
        customer_id=customer[0], kind=ContractKind.FULL_SERVICE,
        starts_on=today - dt.timedelta(days=300), ends_on=today + dt.timedelta(days=ends_in),
        fee=D("6000.00"), device_ids=(customer[1],), included_visits=12))
    if active:
        activate_contract(uow=uow, actor=actor, contract_id=view.id,
                          expected_version=view.version)
    return view.id


@pytest.fixture
def pending_entry(uow: UnitOfWork, technician: Actor) -> int:
    return create_knowledge(uow=uow, actor=technician, draft=KnowledgeDraft(
        device_model="理光 MP 2014", symptom="复印件有黑线", cause="硒鼓划伤",
        solution="更换硒鼓，清洁充电辊", parts="硒鼓", keywords="黑线 硒鼓")).id


def _show(qtbot: QtBot, widget: object) -> None:
    qtbot.addWidget(widget)  # type: ignore[arg-type]
    widget.show()  # type: ignore[attr-defined]


def _idle(qtbot: QtBot, dialog: ContractDialog) -> None:
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)


def test_pages_are_registered() -> None:
    factories = page_factories()
    assert factories[Module.CONTRACTS] is ContractListPage
    assert factories[Module.KNOWLEDGE] is KnowledgePage


def test_lead_creates_activates_and_renews_a_contract(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor,
    customer: tuple[int, int],
) -> None:
    customer_id, device_id = customer
    ctx = make_context(lead, "repair")
    dialog = ContractDialog(ctx)
    _show(qtbot, dialog)
    dialog.customer_search.setText("鑫锐")
    dialog.search_customers()
    qtbot.waitUntil(lambda: dialog.customer_combo.currentData() == customer_id)
    qtbot.waitUntil(lambda: dialog.set_device_checked(device_id))

    # Field errors in place.
    dialog.fee_edit.setText("abc")
    dialog.ends_on_edit.setDate(dialog.starts_on_edit.date().addDays(-1))
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.view is None
    assert dialog.field_error("fee")
    assert dialog.field_error("ends_on")

    dialog.fee_edit.setText("6,000")
    dialog.ends_on_edit.setDate(dialog.starts_on_edit.date().addDays(364))
    dialog.visits_spin.setValue(12)
    dialog.sla_spin.setValue(8)
    dialog.save()
    _idle(qtbot, dialog)
    view = dialog.view
    assert view is not None
    saved = get_contract(uow=uow, actor=lead, contract_id=view.id)
    assert saved.customer_id == customer_id and saved.device_ids == (device_id,)
    assert saved.fee == D("6000.00") and saved.included_visits == 12
    assert saved.sla_response_hours == 8 and saved.status is ContractStatus.DRAFT
    assert not dialog.renew_button.isVisible()

    dialog.activate_button.click()
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.status is ContractStatus.ACTIVE and not dialog.is_busy)
    assert dialog.renew_button.isVisible() and dialog.terminate_button.isVisible()

    dialog.renew()
    qtbot.waitUntil(lambda: dialog.renewed_dialog is not None
                    and dialog.renewed_dialog.view is not None)
    renewed = dialog.renewed_dialog
    assert renewed is not None and renewed.view is not None
    qtbot.addWidget(renewed)
    assert renewed.view.renewed_from_id == view.id
    assert renewed.view.status is ContractStatus.ACTIVE
    assert renewed.view.device_ids == (device_id,)
    assert renewed.view.starts_on == saved.ends_on + dt.timedelta(days=1)
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.status is ContractStatus.RENEWED and not dialog.is_busy)
    assert get_contract(uow=uow, actor=lead, contract_id=view.id
                        ).status is ContractStatus.RENEWED
    assert len(list_contracts(uow=uow, actor=lead, customer_id=customer_id)) == 2


def test_expiring_filter_shows_a_contract_ending_in_20_days(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor,
    customer: tuple[int, int],
) -> None:
    soon = _contract(uow, lead, customer, 20)
    _contract(uow, lead, customer, 200)
    page = ContractListPage(make_context(lead, "repair"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.expiring_check.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_id(0) == soon
    assert page.model.data(page.model.index(0, 0),
                           0x0008) is not None  # BackgroundRole: highlighted

    page.table.setCurrentIndex(page.model.index(0, 0))
    dialog = page.open_row(0)
    assert isinstance(dialog, ContractDialog)
    _idle(qtbot, dialog)
    assert dialog.view is not None and dialog.view.id == soon
    assert dialog.expiry_label.isVisible()
    dialog.close()


def test_lead_approves_a_pending_entry(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor,
    pending_entry: int,
) -> None:
    page = KnowledgePage(make_context(lead, "repair"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: len(page.entries) == 1)
    assert page.approve_button.isVisible()
    assert page.select_entry(pending_entry)
    assert "更换硒鼓" in page.detail.toPlainText()
    page.approve_button.click()
    qtbot.waitUntil(lambda: page.entries == () and not page._busy
                    and not page.model.is_loading)
    assert list_pending_knowledge(uow=uow, actor=lead) == ()
    assert page.model.rowCount() == 0


def test_technician_sees_no_approve_button(
    qtbot: QtBot, make_context: MakeContext, technician: Actor, pending_entry: int,
) -> None:
    page = KnowledgePage(make_context(technician, "repair"))
    _show(qtbot, page)
    qtbot.wait(50)
    assert not page.approve_button.isVisible()
    assert not page.reject_button.isVisible()
    assert page.note_label.isVisible()
    assert page.entries == ()


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: object, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS_DIR / name))  # type: ignore[attr-defined]


def test_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, lead: Actor,
    customer: tuple[int, int], pending_entry: int,
) -> None:
    soon = _contract(uow, lead, customer, 20)
    _contract(uow, lead, customer, 200)
    _contract(uow, lead, customer, 90, active=False)
    ctx = make_context(lead, "repair", language=language)
    page = ContractListPage(ctx)
    _show(qtbot, page)
    page.resize(1100, 420)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    _save(page, f"contracts_list_{language}.png")

    dialog = ContractDialog(ctx, soon)
    _show(qtbot, dialog)
    _idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.devices_list.count() == 1
                    and dialog.checked_device_ids() == [customer[1]])
    qtbot.wait(20)
    assert clipped_texts(dialog) == []
    _save(dialog, f"contract_dialog_{language}.png")

    knowledge = KnowledgePage(ctx)
    _show(qtbot, knowledge)
    knowledge.resize(900, 480)
    qtbot.waitUntil(lambda: len(knowledge.entries) == 1)
    qtbot.wait(20)
    assert clipped_texts(knowledge) == []
    _save(knowledge, f"knowledge_pending_{language}.png")
