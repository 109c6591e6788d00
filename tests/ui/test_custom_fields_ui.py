"""The custom field designer and custom fields on the customer card and list (pytest-qt)."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.models.enums import CustomFieldEntity, CustomFieldKind
from app.services import custom_fields as cf
from app.services.custom_fields import Choice, FieldDraft
from app.services.customers import CustomerDetail, get_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.admin.custom_fields import CustomFieldsDesigner
from app.ui.context import AppContext
from app.ui.customers.card import CustomerCardDialog
from app.ui.customers.list_page import CustomerListPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
AddCustomer = Callable[..., CustomerDetail]


def _designer(qtbot: QtBot, ctx: AppContext) -> CustomFieldsDesigner:
    designer = CustomFieldsDesigner(ctx)
    qtbot.addWidget(designer)
    designer.resize(1000, 560)
    designer.show()
    qtbot.waitUntil(lambda: designer.status_label.text() == "")
    return designer


def _card(qtbot: QtBot, ctx: AppContext, customer_id: int | None) -> CustomerCardDialog:
    card = CustomerCardDialog(ctx, customer_id)
    qtbot.addWidget(card)
    with qtbot.waitActive(card):
        card.show()
        card.activateWindow()
    if customer_id is not None:
        qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    return card


def _define_toner_in_designer(qtbot: QtBot, designer: CustomFieldsDesigner) -> None:
    qtbot.mouseClick(designer.add_button, Qt.MouseButton.LeftButton)
    dialog = designer.field_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(CustomFieldKind.CHOICE.value))
    assert dialog.choices_box.isVisible()
    qtbot.keyClicks(dialog.code_edit, "toner_model")
    qtbot.keyClicks(dialog.label_en_edit, "Toner model used")
    dialog.required_check.setChecked(True)
    dialog.choices_table.item(0, 0).setText("ce285a")
    dialog.choices_table.item(0, 1).setText("CE285A 硒鼓")
    dialog.choices_table.item(0, 2).setText("CE285A toner")
    dialog.add_choice("cf226a", "CF226A 硒鼓", "CF226A toner")
    # The Chinese label is missing: the dialog says so at the field and stays open.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text("label_zh") != "")
    assert dialog.error_text("label_zh") == "is required"
    assert dialog.isVisible()
    dialog.label_zh_edit.setText("使用硒鼓型号")  # Chinese is set directly (see the rules)
    assert dialog.error_text("label_zh") == ""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    qtbot.waitUntil(lambda: [f.code for f in designer.fields] == ["toner_model"])


def test_admin_adds_required_field_and_clerk_must_fill_it(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    add_customer: AddCustomer,
) -> None:
    existing = add_customer(clerk, "北京鑫锐科技有限公司")
    designer = _designer(qtbot, make_context(admin))
    assert designer.entity is CustomFieldEntity.CUSTOMER
    _define_toner_in_designer(qtbot, designer)
    # The table and the live preview show the new field.
    assert designer.table.item(0, 0).text() == "Toner model used"
    assert designer.table.item(0, 3).text() == "Yes"
    preview = designer.preview.field_widget("toner_model")
    assert isinstance(preview, QComboBox)
    assert [preview.itemText(i) for i in range(preview.count())] == [
        "(choose)", "CE285A toner", "CF226A toner"]
    with uow:
        stored = cf.load_definitions(uow, CustomFieldEntity.CUSTOMER)
    assert [(f.code, f.required, f.label_zh) for f in stored] == [
        ("toner_model", True, "使用硒鼓型号")]

    # The counter clerk opens the customer card: the field is there, on the first tab.
    card = _card(qtbot, make_context(clerk), existing.id)
    assert card.tabs.isTabVisible(0)
    assert card.tabs.currentIndex() == 0
    assert "Toner model used" in card.custom_form.field_label("toner_model").text()
    assert "*" in card.custom_form.field_label("toner_model").text()
    version = card.detail.version
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.custom_form.field_error("toner_model") != "")
    assert card.custom_form.field_error("toner_model") == "is required"
    assert card.custom_form.error_label("toner_model").isVisible()
    assert get_customer(uow=uow, actor=clerk, customer_id=existing.id).version == version
    combo = card.custom_form.field_widget("toner_model")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("cf226a"))
    assert card.custom_form.field_error("toner_model") == ""
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not card.is_busy and card.detail.version > version)
    assert get_customer(uow=uow, actor=clerk, customer_id=existing.id).custom == {
        "toner_model": "cf226a"}
    assert not card.is_modified()

    # The list shows the field as a column when chosen, and filters on it.
    page = CustomerListPage(make_context(clerk))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.custom_fields != () and page.model.rowCount() == 1)
    column = page.model.custom_column("toner_model")
    assert column is not None and page.table.isColumnHidden(column)
    page.set_custom_column_visible("toner_model", True)
    assert not page.table.isColumnHidden(column)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.data(
        page.model.index(0, column)) == "CF226A toner")
    assert page.model.headerData(column, Qt.Orientation.Horizontal) == "Toner model used"
    page.custom_filter_field.setCurrentIndex(page.custom_filter_field.findData("toner_model"))
    page.custom_filter_choice.setCurrentIndex(page.custom_filter_choice.findData("ce285a"))
    qtbot.waitUntil(lambda: not page.model.is_loading and page.model.rowCount() == 0)
    page.custom_filter_choice.setCurrentIndex(page.custom_filter_choice.findData("cf226a"))
    qtbot.waitUntil(lambda: not page.model.is_loading and page.model.rowCount() == 1)


def test_new_customer_card_gets_defaults_and_enter_walks_the_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="pages", label_zh="月印量", label_en="Pages a month",
        kind="number", default_value="500"))
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="vip", label_zh="重点客户", label_en="VIP", kind="boolean"))
    card = _card(qtbot, make_context(clerk), None)
    qtbot.waitUntil(lambda: card.tabs.isTabVisible(0))
    pages = card.custom_form.field_widget("pages")
    assert pages.text() == "500"
    assert not card.is_modified()
    pages.setFocus()
    qtbot.keyClick(pages, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is card.custom_form.field_widget("vip")
    card.name_edit.setText("王先生")
    pages.clear()
    qtbot.keyClicks(pages, "1,2a3.5")  # the validator keeps letters out
    assert pages.text() == "1,23.5"
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    saved = get_customer(uow=uow, actor=clerk, customer_id=card.detail.id)
    assert saved.custom == {"pages": Decimal("123.5"), "vip": False}
    assert pages.text() == "123.5"


def test_the_code_follows_the_english_label_until_typed(
    qtbot: QtBot, make_context: MakeContext, admin: Actor,
) -> None:
    designer = _designer(qtbot, make_context(admin, "management"))
    qtbot.mouseClick(designer.add_button, Qt.MouseButton.LeftButton)
    dialog = designer.field_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.label_en_edit, "Toner model used")
    assert dialog.code_edit.text() == "toner_model_used"
    dialog.code_edit.clear()
    qtbot.keyClicks(dialog.code_edit, "toner")
    qtbot.keyClicks(dialog.label_en_edit, " (main)")
    assert dialog.code_edit.text() == "toner"
    dialog.close()


def test_removing_a_field_asks_and_says_values_are_kept(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor,
) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="note", label_zh="备注二", label_en="Second note", kind="text"))
    designer = _designer(qtbot, make_context(admin))
    qtbot.waitUntil(lambda: len(designer.fields) == 1)
    designer.table.selectRow(0)
    qtbot.mouseClick(designer.remove_button, Qt.MouseButton.LeftButton)
    box = designer.confirm_box
    assert box is not None and box.isVisible()
    assert "values already entered are kept" in box.informativeText()
    box.button(box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: designer.fields == ())
    with uow:
        assert cf.load_definitions(uow, CustomFieldEntity.CUSTOMER,
                                   include_removed=True)[0].active is False
    designer.show_removed.setChecked(True)
    qtbot.waitUntil(lambda: len(designer.fields) == 1)
    assert "(removed)" in designer.table.item(0, 0).text()
    designer.table.selectRow(0)
    assert designer.restore_button.isEnabled()


# --- screenshots -------------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "customfields"
    folder.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert image.width() > 300 and image.height() > 200
    assert image.save(str(folder / name))


def test_render_designer_dialog_and_card(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    add_customer: AddCustomer, language: str,
) -> None:
    customer = add_customer(clerk, "北京鑫锐科技有限公司", phone="010-6253 8888")
    toners = (Choice("ce285a", "CE285A 硒鼓", "CE285A toner"),
              Choice("cf226a", "CF226A 硒鼓", "CF226A toner"))
    specs = [
        ("toner_model", "使用硒鼓型号", "Toner model used", "choice", True, toners, "耗材"),
        ("paper", "常用纸张", "Paper used", "multi_choice", False,
         (Choice("a4", "A4 纸", "A4 paper"), Choice("a3", "A3 纸", "A3 paper")), "耗材"),
        ("pages", "月印量", "Pages a month", "number", False, (), "耗材"),
        ("budget", "年度预算", "Yearly budget", "money", False, (), None),
        ("renewal", "合同续签日", "Contract renewal", "date", False, (), None),
        ("vip", "重点客户", "VIP", "boolean", False, (), None),
        ("directions", "到店路线", "Directions", "multiline", False, (), None),
    ]
    for code, zh, en, kind, required, options, group in specs:
        cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
            entity="customer", code=code, label_zh=zh, label_en=en, kind=kind,
            required=required, options=options, group_name=group))

    designer = _designer(qtbot, make_context(admin, language=language))
    qtbot.waitUntil(lambda: len(designer.fields) == len(specs))
    designer.resize(1100, 620)
    qtbot.wait(50)
    _shot(designer, f"designer_{language}.png")
    assert clipped_texts(designer) == []

    designer.table.selectRow(0)
    designer.edit_selected()
    dialog = designer.field_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(50)
    _shot(dialog, f"field_dialog_{language}.png")
    assert clipped_texts(dialog) == []
    dialog.reject()
    designer.add_field()
    add_dialog = designer.field_dialog
    assert add_dialog is not None
    qtbot.waitUntil(add_dialog.isVisible)
    add_dialog.kind_combo.setCurrentIndex(add_dialog.kind_combo.findData("choice"))
    qtbot.mouseClick(add_dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add_dialog.error_text("label_zh") != "")
    _shot(add_dialog, f"add_field_errors_{language}.png")
    add_dialog.reject()

    card = _card(qtbot, make_context(clerk, language=language), customer.id)
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.custom_form.field_error("toner_model") != "")
    qtbot.wait(50)
    _shot(card, f"customer_card_custom_{language}.png")
    assert [t for t in clipped_texts(card) if "custom" in t] == []
    labels = [w.text() for w in card.custom_form.findChildren(QLabel) if w.isVisible()]
    wanted = "使用硒鼓型号" if language == "zh" else "Toner model used"
    assert any(wanted in text for text in labels)

    # The list with the field as a column, and the walk-in page for a new customer.
    from app.services.customers import update_customer
    from app.ui.visits.walk_in_page import WalkInPage

    current = get_customer(uow=uow, actor=clerk, customer_id=customer.id)
    update_customer(uow=uow, actor=clerk, customer_id=customer.id,
                    expected_version=current.version, draft=current.to_draft(),
                    custom={"toner_model": "cf226a", "paper": ("a4", "a3")})
    page = CustomerListPage(make_context(clerk, language=language))
    qtbot.addWidget(page)
    page.resize(1100, 400)
    page.show()
    qtbot.waitUntil(lambda: page.model.custom_fields != () and page.model.rowCount() == 1)
    page.set_custom_column_visible("toner_model", True)
    page.set_custom_column_visible("paper", True)
    qtbot.wait(100)
    _shot(page, f"customer_list_custom_{language}.png")
    walk_in = WalkInPage(make_context(clerk, "storefront", language), debounce_ms=50)
    qtbot.addWidget(walk_in)
    walk_in.resize(1100, 760)
    walk_in.show()
    qtbot.waitUntil(lambda: walk_in.customer_custom_form.definitions != ())
    walk_in.start_new_customer("王先生")
    qtbot.wait(50)
    _shot(walk_in, f"walk_in_custom_{language}.png")


def test_order_dialog_shows_and_saves_the_order_custom_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    add_customer: AddCustomer,
) -> None:
    from app.services.sales import OrderDraft, OrderLineDraft, create_order, get_order
    from app.ui.sales.order_dialog import OrderDialog

    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="order", code="delivery_window", label_zh="送货时段", label_en="Delivery time",
        kind="choice", required=True, options=(Choice("am", "上午", "Morning"),
                                               Choice("pm", "下午", "Afternoon"))))
    customer = add_customer(clerk, "海淀区实验中学")
    order = create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=customer.id, custom={"delivery_window": "am"},
        lines=(OrderLineDraft(description="打印机维修", unit_price=Decimal("80")),)))
    dialog = OrderDialog(make_context(clerk, "storefront"), order.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy
                    and dialog.custom_form.isVisible())
    combo = dialog.custom_form.field_widget("delivery_window")
    assert isinstance(combo, QComboBox)
    assert combo.currentData() == "am"
    combo.setCurrentIndex(0)  # "(choose)": the required field emptied
    dialog.save()
    qtbot.waitUntil(lambda: dialog.custom_form.field_error("delivery_window") != "")
    assert get_order(uow=uow, actor=clerk, order_id=order.id).custom == {
        "delivery_window": "am"}
    combo.setCurrentIndex(combo.findData("pm"))
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.is_busy and dialog.view.version > order.version)
    assert get_order(uow=uow, actor=clerk, order_id=order.id).custom == {
        "delivery_window": "pm"}


def test_intake_dialog_takes_the_ticket_custom_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    add_customer: AddCustomer,
) -> None:
    from app.ui.service.desk import IntakeDialog

    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="service_ticket", code="machine_location", label_zh="机器位置",
        label_en="Machine location", kind="text", required=True))
    customer = add_customer(clerk, "朝阳区税务所")
    dialog = IntakeDialog(make_context(clerk, "storefront"), customer_id=customer.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.customer is not None and dialog.custom_group.isVisible())
    dialog.symptoms_edit.setPlainText("卡纸")
    qtbot.keyClicks(dialog.brand_edit, "HP")
    qtbot.keyClicks(dialog.model_edit, "M404dn")
    qtbot.keyClicks(dialog.serial_edit, "CNB1234")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.custom_form.field_error("machine_location") != "")
    assert dialog.ticket is None
    dialog.custom_form.field_widget("machine_location").setText("三楼财务室")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    with uow:
        assert cf.values_for(uow=uow, entity="service_ticket",
                             record_ids=[dialog.ticket.id]) == {
            dialog.ticket.id: {"machine_location": "三楼财务室"}}


def test_visit_dialogs_take_and_show_the_visit_custom_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor,
    sales_user: Actor, add_customer: AddCustomer,
) -> None:
    from app.ui.visits.record_visit_dialog import RecordVisitDialog
    from app.ui.visits.visit_dialog import VisitDialog

    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="visit", code="visit_goal", label_zh="拜访目的", label_en="Visit goal",
        kind="choice", required=True, options=(Choice("renew", "续签", "Renewal"),
                                               Choice("new", "新机", "New machine"))))
    customer = add_customer(sales_user, "丰台区第二医院设备科")
    ctx = make_context(sales_user, "key_accounts")
    dialog = RecordVisitDialog(ctx, customer.id, customer.name)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.custom_form.isVisible)
    dialog.purpose_edit.setText("续签服务合同")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.custom_form.field_error("visit_goal") != "")
    combo = dialog.custom_form.field_widget("visit_goal")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("renew"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.visit is not None)
    assert dialog.visit.custom == {"visit_goal": "renew"}
    shown = VisitDialog(ctx, dialog.visit.id)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.visit is not None and shown.custom_form.isVisible())
    shown_combo = shown.custom_form.field_widget("visit_goal")
    assert isinstance(shown_combo, QComboBox) and shown_combo.currentData() == "renew"


def test_walk_in_of_a_new_customer_asks_for_the_required_customer_field(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    from app.services.customers import search_customers
    from app.ui.visits.walk_in_page import WalkInPage

    _define_toner(uow, admin)
    page = WalkInPage(make_context(clerk, "storefront"), debounce_ms=50)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: page.customer_custom_form.definitions != ())
    assert not page.customer_custom_form.isVisible()
    page.start_new_customer("王先生")
    assert page.customer_custom_form.isVisible()
    page.phone_edit.setText("13601234567")
    page.purpose_edit.setText("买硒鼓")
    page.record()
    qtbot.waitUntil(lambda: page.customer_custom_form.field_error("toner_model") != "")
    assert search_customers(uow=uow, actor=clerk).rows == ()
    combo = page.customer_custom_form.field_widget("toner_model")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("ce285a"))
    page.record()
    qtbot.waitUntil(lambda: len(search_customers(uow=uow, actor=clerk).rows) == 1)
    made = search_customers(uow=uow, actor=clerk).rows[0]
    assert get_customer(uow=uow, actor=clerk, customer_id=made.id).custom == {
        "toner_model": "ce285a"}


def _define_toner(uow: UnitOfWork, admin: Actor) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="toner_model", label_zh="使用硒鼓型号",
        label_en="Toner model used", kind="choice", required=True,
        options=(Choice("ce285a", "CE285A 硒鼓", "CE285A toner"),
                 Choice("cf226a", "CF226A 硒鼓", "CF226A toner"))))
