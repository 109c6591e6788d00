"""Issue 15's rough edges, each as a person meets it: what the screen shows, where Tab and
the cursor go, which words a message uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.models import AppSetting
from app.services.care import RUN_KEY, generate_care_items
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.care.page import CarePage
from app.ui.context import AppContext
from tests.services.test_care import ON, _contract, _customer

MakeContext = Callable[..., AppContext]


# --- the care page: "not generated yet" only above an empty list ----------------------------

def test_care_page_says_not_generated_only_when_no_item_is_listed(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    for n in range(3):
        customer = _customer(uow, sales_user, f"测试客户{n}有限公司")
        _contract(uow, customer, f"HT-20260410-000{n}", ON + dt.timedelta(days=20))
    generate_care_items(uow=uow, actor=manager, on=ON)
    with uow:  # items there (the demo writes them itself), but no generation recorded
        uow.session.execute(update(AppSetting).where(AppSetting.key == RUN_KEY)
                            .values(value="{}"))
        uow.commit()
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: len(page.items) == 3)
    qtbot.wait(50)
    assert "not been generated" not in page.generation_label.text()


def test_care_page_says_not_generated_above_an_empty_list(
    qtbot: QtBot, make_context: MakeContext, manager: Actor,
) -> None:
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.generation_label.text()
                    == "Care items have not been generated yet.")
    assert page.model.rowCount() == 0


# --- a new quotation: the cursor in the customer box ---------------------------------------

def test_new_quotation_puts_the_cursor_in_the_customer_search(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
) -> None:
    from app.ui.sales.quotation_dialog import new_quotation

    dialog = new_quotation(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.customer.search_edit)
    qtbot.keyClicks(dialog.focusWidget(), "xinrui")
    assert dialog.customer.search_edit.text() == "xinrui"


# --- the drill-down heads its columns for the kind of record it lists ----------------------

def _headings(dialog: Any) -> list[str]:
    model, table = dialog.model, dialog.table
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
            if not table.isColumnHidden(c)]


def test_customer_drill_down_heads_the_name_as_customer_not_number(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
    add_customer: Callable[..., Any],
) -> None:
    from app.services.statistics import DrillKey, StatFilters
    from app.ui.statistics.drill_dialog import DrillDownDialog

    add_customer(sales_user, "北京鑫锐科技有限公司")
    key = DrillKey("customer-classes", (("measure", "customers"), ("value", "*"),
                                        ("view", "class")))
    filters = StatFilters(ON - dt.timedelta(days=90), ON + dt.timedelta(days=1))
    dialog = DrillDownDialog(make_context(manager, "manager_office"), key, filters,
                             caption="", open_record=lambda _r, _d: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.drill_result is not None and dialog.model.rowCount() == 1)
    assert _headings(dialog) == ["Customer", "First contact", "Owner", "Customer code"]
    assert dialog.model.index(0, 0).data() == "北京鑫锐科技有限公司"


# --- an empty pie says "no data" once -------------------------------------------------------

def test_empty_pie_shows_no_data_once_instead_of_stacked_labels(
    qtbot: QtBot, language: str,
) -> None:
    import dataclasses
    from decimal import Decimal

    from app.services.statistics import ChartKind, StatFilters
    from app.ui.statistics.chart import StatChartView
    from tests.ui.test_statistics_ui import fake_table

    table = fake_table("customer-classes", StatFilters(ON, ON), chart=ChartKind.PIE)
    zero = tuple(dataclasses.replace(r, cells=(r.cells[0], 0, Decimal(0), Decimal(0), None))
                 for r in table.rows)
    view = StatChartView()
    qtbot.addWidget(view)
    view.resize(420, 320)
    view.show()
    view.set_table(dataclasses.replace(table, rows=zero))
    assert view.plotted_series() == []   # no slices, so no labels piled on one point
    assert view.is_empty() and view.empty_label.isVisible()
    assert view.empty_label.text() == ("无数据" if language == "zh" else "No data")
    assert view.empty_label.geometry().center() == view.rect().center()

    view.set_table(table)                 # figures again: the pie, no note
    assert view.point_count() == 4 and not view.is_empty()


# --- the aging page: codes whole, no empty strip on the right -------------------------------

def test_aging_columns_fit_their_contents_and_the_last_one_fills_the_width(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor, add_customer: Callable[..., Any],
) -> None:
    from decimal import Decimal

    from app.models.enums import OrderStatus, ProductCategory
    from app.services.catalog import ProductDraft, create_product
    from app.services.sales import OrderDraft, OrderLineDraft, create_order, transition_order
    from app.ui.sales.aging_page import ReceivablesAgingPage

    product = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-M404DN", name="惠普激光打印机 M404dn", category=ProductCategory.PRINTER,
        brand="惠普", model="M404dn", unit="台", cost_price=Decimal("1000.00"),
        list_price=Decimal("1899.00"), sales_points=Decimal("1")))
    customer = add_customer(sales_user, "北京鑫锐科技有限公司")
    order = create_order(uow=uow, actor=sales_user, draft=OrderDraft(
        customer_id=customer.id, ordered_on=dt.date.today() - dt.timedelta(days=45),
        lines=(OrderLineDraft(product_id=product.id, quantity=1),)))
    transition_order(uow=uow, actor=sales_user, order_id=order.id,
                     expected_version=order.version, to=OrderStatus.CONFIRMED)

    page = ReceivablesAgingPage(make_context(manager))
    qtbot.addWidget(page)
    page.resize(1280, 500)
    page.show()
    table, model = page.table, page.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    qtbot.wait(20)
    code = str(model.index(0, 0).data())
    assert code == customer.code
    metrics = table.fontMetrics()
    assert table.columnWidth(0) >= metrics.horizontalAdvance(code) + 8      # not cut
    assert table.columnWidth(1) >= metrics.horizontalAdvance("北京鑫锐科技有限公司")
    used = sum(table.columnWidth(c) for c in range(model.columnCount()))
    assert used >= table.viewport().width() - 2                          # no empty strip


# --- the customer card: name, Tab, phone ------------------------------------------------------

def test_customer_card_tab_after_the_name_goes_to_the_phone(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    from app.ui.customers.card import CustomerCardDialog

    card = CustomerCardDialog(make_context(clerk, "storefront"), None)
    qtbot.addWidget(card)
    with qtbot.waitActive(card):
        card.show()
        card.activateWindow()
    assert card.focusWidget() is card.name_edit
    qtbot.keyClicks(card.name_edit, "Haidian Print Shop")
    qtbot.keyClick(card.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(card.focusWidget(), "01082611234")
    assert card.phone_edit.text() == "01082611234"
    assert card.short_name_edit.text() == ""
    qtbot.keyClick(card.focusWidget(), Qt.Key.Key_Tab)
    assert card.focusWidget() is card.kind_combo      # on down the left column


# --- the calendar pop-up speaks the program's language ----------------------------------------

def test_date_field_calendar_follows_the_program_language(
    qtbot: QtBot, language: str,
) -> None:
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDateEdit

    edit = QDateEdit()
    qtbot.addWidget(edit)
    edit.setCalendarPopup(True)
    calendar = edit.calendarWidget()
    if language == "zh":
        assert calendar.locale().language() == QLocale.Language.Chinese
        assert calendar.firstDayOfWeek() == Qt.DayOfWeek.Monday
        assert calendar.locale().monthName(1) == "一月"
        assert calendar.locale().dayName(1, QLocale.FormatType.ShortFormat) == "周一"
    else:
        assert calendar.locale().language() == QLocale.Language.English
        assert calendar.locale().monthName(1) == "January"


# --- custom fields: a Chinese-only administrator adds one -----------------------------------

def test_chinese_only_administrator_adds_a_field_and_its_choices(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor,
) -> None:
    from app.models.enums import CustomFieldEntity, CustomFieldKind
    from app.services.custom_fields import definitions
    from app.ui.admin.custom_fields import CustomFieldsDesigner

    designer = CustomFieldsDesigner(make_context(admin, "management"))
    qtbot.addWidget(designer)
    designer.resize(1000, 560)
    designer.show()
    qtbot.waitUntil(lambda: designer.status_label.text() == "")
    qtbot.mouseClick(designer.add_button, Qt.MouseButton.LeftButton)
    dialog = designer.field_dialog
    assert dialog is not None
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(CustomFieldKind.CHOICE.value))
    dialog.label_zh_edit.setText("客户等级")       # typed through an input method
    assert dialog.code_edit.text() == "kehudengji"   # shown, and editable
    assert not dialog.code_edit.isReadOnly()
    dialog.choices_table.item(0, 1).setText("重要")
    assert dialog.choices_table.item(0, 0).text() == "zhongyao"
    dialog.add_choice("", "一般", "")
    dialog.choices_table.item(1, 1).setText("一般")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    saved = definitions(uow=uow, actor=admin, entity=CustomFieldEntity.CUSTOMER)
    assert [(f.code, f.label_zh, f.label_en) for f in saved] == [
        ("kehudengji", "客户等级", "客户等级")]
    assert [(c.code, c.zh, c.en) for c in saved[0].options] == [
        ("zhongyao", "重要", "重要"), ("yiban", "一般", "一般")]


# --- the main window: title once, About's version, toolbar, Print and Export in 文件 -------

def test_window_title_names_the_program_once_and_follows_the_page(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    from app.models.enums import Module
    from app.ui.shell.main_window import MainWindow

    window = MainWindow(make_context(clerk, "storefront"))
    qtbot.addWidget(window)
    window.show()
    title = window.windowTitle()
    # Ends with the name, so Windows and Linux do not add it a second time.
    assert title.count("StationCRM") == 1 and title.endswith(" — StationCRM")
    assert title.startswith("Customers — Storefront / dealers — 门市小王")
    window.open_module(Module.SERVICE_TICKETS)
    assert window.windowTitle().startswith("Service tickets — ")


def test_about_shows_the_version(qtbot: QtBot, make_context: MakeContext, clerk: Actor) -> None:
    from app import __version__
    from app.ui.shell.main_window import MainWindow

    window = MainWindow(make_context(clerk, "storefront"), factories={})
    qtbot.addWidget(window)
    box = window.show_about()
    assert f"StationCRM {__version__}" in box.text()
    assert f"Version {__version__}" in box.text()
    box.close()


def test_toolbar_and_file_menu_act_on_the_page_as_the_role_allows(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, technician: Actor,
) -> None:
    from PySide6.QtWidgets import QToolBar

    from app.models.enums import Module
    from app.ui.shell.main_window import MainWindow

    window = MainWindow(make_context(clerk, "storefront"))
    qtbot.addWidget(window)
    window.show()
    bar = window.findChild(QToolBar, "main_toolbar")
    assert bar is not None and bar.isVisible()
    shown = [a.iconText() for a in bar.actions() if a.isVisible() and not a.isSeparator()]
    assert shown == ["New customer", "New quotation", "New order", "New ticket", "Find",
                     "Print", "Export", "Refresh"]
    assert window.print_action.shortcut().toString() == "Ctrl+P"
    assert window.new_customer_action.shortcut().toString() == "Ctrl+N"   # kept
    assert "(Ctrl+P)" in window.print_action.toolTip()
    file_menu = window.menuBar().actions()[0].menu()
    assert {window.print_action, window.export_action} <= set(file_menu.actions())

    # On the quotations list: Print prints the chosen quotations, Export asks for a file.
    page = window.open_module(Module.QUOTATIONS)
    assert window.print_action.isEnabled()
    assert window.print_action.isEnabled() == (not page.print_button.isHidden())
    window.print_current()                          # nothing chosen: the list says so
    assert page.message_label.text() == "Select the documents to print first."
    window.new_quotation_action.trigger()
    dialogs = [w for w in window.findChildren(QWidget) if w.objectName() == "quotation_dialog"]
    assert dialogs and dialogs[0].isVisible()
    dialogs[0].close()

    # A technician: no quotation or customer to create, the ticket intake is there.
    tech = MainWindow(make_context(technician, "repair"))
    qtbot.addWidget(tech)
    tech.show()
    visible = [a.iconText() for a in tech.findChild(QToolBar, "main_toolbar").actions()
               if a.isVisible() and not a.isSeparator()]
    assert "New quotation" not in visible and "New order" not in visible
    assert tech.new_quotation() is None
