"""Opportunities (dialog, stage moves, board, forecast) and the sales plans page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.models.enums import CustomerSource, Module, OpportunityStage, PlanPeriod
from app.services.customers import CustomerDraft, create_customer
from app.services.opportunities import (
    OpportunityDraft,
    create_opportunity,
    get_opportunity,
    opportunity_board,
    sales_forecast,
)
from app.services.permissions import Actor
from app.services.plans import plan_vs_actual
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.formatting import format_yuan
from app.ui.opportunities.opportunity_dialog import OpportunityDialog
from app.ui.opportunities.page import OpportunityListPage
from app.ui.plans.page import PLANNED_COL, SalesPlanPage
from app.ui.shell.pages import page_factories
from app.ui.shell.record_openers import record_openers
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def customer(uow: UnitOfWork, sales_user: Actor) -> int:
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", source=CustomerSource.REFERRAL)).id


def _month(offset: int) -> dt.date:
    first = dt.date.today().replace(day=1)
    year, month = divmod(first.month - 1 + offset, 12)
    return dt.date(first.year + year, month + 1, 15)


@pytest.fixture
def opportunities(uow: UnitOfWork, sales_user: Actor, customer: int) -> list[int]:
    made = []
    for i, (title, amount, close) in enumerate([
        ("20台激光打印机更新", "24000.00", _month(0)),
        ("机房UPS更换", "58000.00", _month(1)),
        ("复印机租赁", "12000.00", _month(2)),
        ("网络布线改造", "36000.00", _month(1)),
    ]):
        made.append(create_opportunity(uow=uow, actor=sales_user, draft=OpportunityDraft(
            customer_id=customer, title=title, expected_amount=D(amount),
            probability=10 + i * 20, expected_close_on=close)).id)
    return made


def _show(qtbot: QtBot, widget: object) -> None:
    qtbot.addWidget(widget)  # type: ignore[arg-type]
    widget.show()  # type: ignore[attr-defined]


def _idle(qtbot: QtBot, dialog: OpportunityDialog) -> None:
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)


def test_pages_and_opener_are_registered() -> None:
    factories = page_factories()
    assert factories[Module.OPPORTUNITIES] is OpportunityListPage
    assert factories[Module.SALES_PLANS] is SalesPlanPage
    assert "opportunity" in record_openers()


def test_create_and_move_an_opportunity_through_the_dialog(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, sales_user: Actor,
    customer: int,
) -> None:
    ctx = make_context(sales_user, "key_accounts")
    dialog = OpportunityDialog(ctx)
    _show(qtbot, dialog)
    assert dialog.probability_spin.value() == 10  # the default of stage "new"

    # Field errors in place.
    dialog.customer_search.setText("鑫锐")
    dialog.search_customers()
    qtbot.waitUntil(lambda: dialog.customer_combo.currentData() == customer)
    dialog.amount_edit.setText("abc")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.view is None
    assert dialog.field_error("title")
    assert dialog.field_error("expected_amount")

    dialog.title_edit.setText("20台激光打印机更新")
    dialog.amount_edit.setText("24,000")
    dialog.save()
    _idle(qtbot, dialog)
    view = dialog.view
    assert view is not None
    saved = get_opportunity(uow=uow, actor=sales_user, opportunity_id=view.id)
    assert saved.title == "20台激光打印机更新"
    assert saved.expected_amount == D("24000.00")
    assert saved.stage is OpportunityStage.NEW and saved.owner_id == sales_user.user_id

    # Along the lifecycle with the buttons; only the allowed moves are offered.
    buttons = dialog.stage_buttons
    assert buttons[OpportunityStage.QUALIFIED].isVisible()
    assert not buttons[OpportunityStage.WON].isVisible()
    for stage in (OpportunityStage.QUALIFIED, OpportunityStage.PROPOSAL):
        buttons[stage].click()
        qtbot.waitUntil(lambda s=stage: dialog.view is not None and dialog.view.stage is s
                        and not dialog.is_busy)
    assert get_opportunity(uow=uow, actor=sales_user, opportunity_id=view.id
                           ).stage is OpportunityStage.PROPOSAL

    # Lost asks for a reason first; without one the service refuses at the field.
    buttons[OpportunityStage.LOST].click()
    assert dialog.lost_panel.isVisible()
    assert get_opportunity(uow=uow, actor=sales_user, opportunity_id=view.id
                           ).stage is OpportunityStage.PROPOSAL
    dialog.confirm_lost()
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.field_error("lost_reason") != "")
    dialog.lost_reason_edit.setText("客户选了别家")
    dialog.confirm_lost()
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.stage is OpportunityStage.LOST and not dialog.is_busy)
    lost = get_opportunity(uow=uow, actor=sales_user, opportunity_id=view.id)
    assert lost.stage is OpportunityStage.LOST and lost.lost_reason == "客户选了别家"
    assert not any(b.isVisible() for b in buttons.values())
    assert not dialog.save_button.isVisible()


def test_edit_conflict_reloads(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, sales_user: Actor,
    opportunities: list[int],
) -> None:
    from app.services.opportunities import update_opportunity
    dialog = OpportunityDialog(make_context(sales_user), opportunities[0])
    _show(qtbot, dialog)
    _idle(qtbot, dialog)
    current = get_opportunity(uow=uow, actor=sales_user, opportunity_id=opportunities[0])
    update_opportunity(uow=uow, actor=sales_user, opportunity_id=current.id,
                       expected_version=current.version,
                       draft=current.to_draft().__class__(**{
                           **current.to_draft().__dict__, "title": "别人改的标题"}))
    dialog.title_edit.setText("我改的标题")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.view is not None and dialog.view.title == "别人改的标题"
                    and not dialog.is_busy)
    assert dialog.title_edit.text() == "别人改的标题"


def test_enter_in_the_list_opens_the_opportunity_once(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, opportunities: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = OpportunityListPage(make_context(sales_user, "key_accounts"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    opened: list[int] = []
    monkeypatch.setattr(page, "open_record", opened.append)
    page.tabs.setCurrentWidget(page.table)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert opened == [page.model.row_id(1)]


def test_board_and_forecast_show_the_service_figures(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, sales_user: Actor,
    opportunities: list[int],
) -> None:
    page = OpportunityListPage(make_context(sales_user, "key_accounts"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4 and page.board is not None
                    and len(page.forecast) == 6)
    board = opportunity_board(uow=uow, actor=sales_user)
    assert page.board == board
    new = next(s for s in board.stages if s.stage is OpportunityStage.NEW)
    column = page.columns_by_stage[OpportunityStage.NEW]
    assert str(new.count) in column.totals_label.text()
    assert format_yuan(new.amount) in column.totals_label.text()
    assert format_yuan(new.weighted_amount) in column.totals_label.text()
    assert column.cards.count() == 4

    forecast = sales_forecast(uow=uow, actor=sales_user,
                              from_month=dt.date.today().replace(day=1), months=6)
    table = page.forecast_table
    assert table.rowCount() == 7  # six months and the total
    for row, month in enumerate(forecast):
        assert table.item(row, 0).text() == month.month.strftime("%Y-%m")
        assert table.item(row, 1).text() == str(month.count)
        assert table.item(row, 2).text() == format_yuan(month.amount)
        assert table.item(row, 3).text() == format_yuan(month.weighted_amount)
    assert table.item(6, 1).text() == "4"

    # The stage filter.
    page.stage_combo.setCurrentIndex(page.stage_combo.count() - 2)  # won
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)


def test_salesperson_edits_their_monthly_plan(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, sales_user: Actor,
    other_sales_user: Actor,
) -> None:
    page = SalesPlanPage(make_context(sales_user, "key_accounts"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.figures is not None)
    # Only themselves.
    assert page.owner_combo.count() == 1 and not page.owner_combo.isEnabled()
    assert page.owner_id == sales_user.user_id
    assert page.table.rowCount() == 13

    page.set_planned(2, "50,000")  # March
    year = page.year_spin.value()
    qtbot.waitUntil(lambda: page.figures is not None
                    and page.figures.periods[2].planned_amount == D("50000.00"))
    figures = plan_vs_actual(uow=uow, actor=sales_user, owner_id=sales_user.user_id,
                             year=year, period_kind=PlanPeriod.MONTH)
    assert figures.periods[2].planned_amount == D("50000.00")
    assert page.table.item(2, PLANNED_COL).text() == "¥50,000.00"
    assert page.table.item(12, PLANNED_COL).text() == "¥50,000.00"  # totals row

    # A refused amount: the cell shows the service's error.
    page.set_planned(3, "-5")
    qtbot.waitUntil(lambda: page.cell_error(3) != "")
    assert "-5" == page.table.item(3, PLANNED_COL).text()


def test_management_picks_a_salesperson(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
    other_sales_user: Actor,
) -> None:
    page = SalesPlanPage(make_context(manager, "manager_office"))
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.owner_combo.count() == 3)  # everyone, 张伟, 李娜
    assert page.owner_combo.isEnabled()
    assert page.owner_id is None and not page.editable
    page.owner_combo.setCurrentIndex(page.owner_combo.findData(other_sales_user.user_id))
    qtbot.waitUntil(lambda: page.figures is not None
                    and page.figures.owner_id == other_sales_user.user_id)
    assert page.editable


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: object, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS_DIR / name))  # type: ignore[attr-defined]


def test_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext,
    sales_user: Actor, opportunities: list[int],
) -> None:
    from app.services.opportunities import move_opportunity
    view = get_opportunity(uow=uow, actor=sales_user, opportunity_id=opportunities[1])
    move_opportunity(uow=uow, actor=sales_user, opportunity_id=view.id,
                     expected_version=view.version, stage=OpportunityStage.QUALIFIED)
    ctx = make_context(sales_user, "key_accounts", language=language)
    page = OpportunityListPage(ctx)
    _show(qtbot, page)
    page.resize(1180, 520)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4 and page.board is not None
                    and len(page.forecast) == 6)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    _save(page, f"opportunities_list_{language}.png")
    page.tabs.setCurrentWidget(page.board_widget)
    qtbot.wait(20)
    _save(page, f"opportunities_board_{language}.png")
    page.tabs.setCurrentWidget(page.forecast_table)
    qtbot.wait(20)
    _save(page, f"opportunities_forecast_{language}.png")

    dialog = OpportunityDialog(ctx, opportunities[1])
    _show(qtbot, dialog)
    _idle(qtbot, dialog)
    dialog.move_to(OpportunityStage.LOST)
    qtbot.wait(20)
    assert clipped_texts(dialog) == []
    _save(dialog, f"opportunity_dialog_{language}.png")

    plans = SalesPlanPage(ctx)
    _show(qtbot, plans)
    plans.resize(900, 520)
    qtbot.waitUntil(lambda: plans.figures is not None)
    plans.set_planned(0, "30000")
    qtbot.waitUntil(lambda: plans.figures is not None
                    and plans.figures.periods[0].planned_amount == D("30000.00"))
    qtbot.wait(20)
    assert clipped_texts(plans) == []
    _save(plans, f"sales_plans_{language}.png")
