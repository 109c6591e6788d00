"""今日待办 of a technician: their open tickets, overdue first, opened with Enter or a double
click; the list reads again on every change it follows (the live feed's too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models.enums import TicketStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.todo import TodoKind
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.service.ticket_dialog import TicketDialog
from app.ui.todo.page import FOLLOWED_KINDS, TodoPage
from tests.services.test_todo_tickets import open_ticket

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _todo(qtbot: QtBot, ctx: AppContext) -> TodoPage:
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 420)
    page.show()
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading)
    return page


def test_a_technician_sees_five_open_tickets_four_overdue_and_opens_them(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    clerk: Actor, lead: Actor, technician: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=clerk,
                               draft=CustomerDraft(name="朝阳快印店")).id
    overdue = [open_ticket(uow, clerk, lead, technician, customer, days_ago=d,
                           serial=f"CNB10{d}", to=to)
               for d, to in ((9, TicketStatus.DISPATCHED), (7, TicketStatus.IN_REPAIR),
                             (6, TicketStatus.WAITING_PARTS), (5, TicketStatus.IN_REPAIR))]
    fresh = open_ticket(uow, clerk, lead, technician, customer, days_ago=0, serial="CNB1100")
    page = _todo(qtbot, make_context(technician, "repair"))
    qtmodeltester.check(page.model)
    assert [(i.kind, i.id) for i in page.items] == [
        (TodoKind.TICKET, t.id) for t in (*overdue, fresh)]
    assert page.status_label.text() == "5 to do, 4 of them overdue."
    assert page.model.index(0, 0).data().endswith("(overdue)")
    assert page.model.index(0, 1).data() == "Service ticket"
    assert page.model.index(0, 2).data() == overdue[0].number
    assert page.model.index(0, 3).data() == "朝阳快印店"
    assert page.model.index(0, 4).data() == "Dispatched · HP LaserJet M404dn · 卡纸，打印有黑线"
    assert page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert page.model.index(4, 0).data(Qt.ItemDataRole.ForegroundRole) is None

    # Enter opens the ticket of the current line.
    page.table.setFocus()
    page.table.selectRow(1)
    assert page.open_button.text() == "Open ticket" and page.open_button.isEnabled()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert isinstance(dialog, TicketDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: overdue[1].number in dialog.windowTitle())
    dialog.close()

    # A double click opens the line clicked.
    rect = page.table.visualRect(page.model.index(4, 2))
    # (A view acts on a double click on the row it was pressed on, as a real one is.)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    second = page.dialog
    assert isinstance(second, TicketDialog) and second is not dialog
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: fresh.number in second.windowTitle())
    second.close()


@pytest.mark.parametrize("kind", FOLLOWED_KINDS)
def test_the_list_reads_again_on_each_followed_kind(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, kind: str,
) -> None:
    customer = create_customer(uow=uow, actor=clerk,
                               draft=CustomerDraft(name="朝阳快印店")).id
    ctx = make_context(technician, "repair")
    page = _todo(qtbot, ctx)
    assert page.items == ()
    assert page.status_label.text() == "Nothing to do today."
    # Dispatched at another station: this station hears it as a change of ``kind``
    # (the live poller publishes "feed" for what other stations did).
    ticket = open_ticket(uow, clerk, lead, technician, customer, days_ago=0, serial="CNB2000")
    requests = page.model.requests_made
    ctx.changes.publish(kind, None)
    qtbot.waitUntil(lambda: page.model.requests_made > requests and not page.model.is_loading
                    and [i.id for i in page.items] == [ticket.id])
    assert {"opportunity", "task", "ticket", "quotation", "order", "care", "contract",
            "visit", "feed"} == set(FOLLOWED_KINDS)
