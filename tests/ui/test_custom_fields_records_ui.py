"""Custom fields of contacts and devices on the customer card, of care items in the outcome
dialog, of tickets in the ticket dialog, and as columns of the order and ticket lists."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.models import CareItem
from app.models.enums import CareKind, CareStatus
from app.services import custom_fields as cf
from app.services.custom_fields import Choice, FieldDraft
from app.services.customers import (
    ContactDraft,
    CustomerDetail,
    CustomerDraft,
    DeviceDraft,
    create_customer,
    get_customer,
)
from app.services.permissions import Actor
from app.services.tickets import IntakeDraft, NewDevice, TicketView, get_ticket, intake_ticket
from app.services.uow import UnitOfWork
from app.ui.care.outcome_dialog import CareOutcomeDialog
from app.ui.context import AppContext
from app.ui.customers.card import CustomerCardDialog
from app.ui.sales.list_pages import OrderListPage
from app.ui.service.ticket_dialog import TicketDialog
from app.ui.service.tickets_page import TicketListPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
ROLES = (Choice("buyer", "采购", "Buyer"), Choice("boss", "老板", "Owner"))


def _define(uow: UnitOfWork, admin: Actor, entity: str, code: str, zh: str, en: str,
            kind: str = "text", *, required: bool = False,
            options: tuple[Choice, ...] = ()) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=entity, code=code, label_zh=zh, label_en=en, kind=kind, required=required,
        options=options))


def _card(qtbot: QtBot, ctx: AppContext, customer_id: int) -> CustomerCardDialog:
    card = CustomerCardDialog(ctx, customer_id)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    return card


def _customer_with_contact(uow: UnitOfWork, clerk: Actor) -> CustomerDetail:
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="北京鑫锐科技有限公司",
        contacts=(ContactDraft(name="王芳", is_primary=True),),
        devices=(DeviceDraft(brand="HP", model="M404dn", serial_number="CNB1234"),)))


def test_contact_custom_fields_are_edited_per_row_and_saved_with_the_card(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    customer = _customer_with_contact(uow, clerk)  # before the required field existed
    _define(uow, admin, "contact", "role", "角色", "Role", "choice", required=True,
            options=ROLES)
    _define(uow, admin, "contact", "wechat", "微信号", "WeChat")
    _define(uow, admin, "device", "room", "安放位置", "Room")
    card = _card(qtbot, make_context(clerk), customer.id)
    button = card._custom_buttons["contacts"]
    card.tabs.setCurrentIndex(1)
    assert button.isVisible() and not button.isEnabled()  # no row chosen yet
    card.contacts_table.setCurrentCell(0, 0)
    assert button.isEnabled()
    card.contacts_table.setCurrentCell(1, 0)  # the blank new row has no fields yet
    assert not button.isEnabled()
    assert card.open_child_custom("contacts") is None

    # The stored contact misses the required role: saving names the row and the field.
    version = card.detail.version
    card.save()
    qtbot.waitUntil(lambda: card.field_error("contacts[0].custom.role") != "")
    assert "Role" in card._table_errors["contacts"].text()
    assert get_customer(uow=uow, actor=clerk, customer_id=customer.id).version == version

    card.contacts_table.setCurrentCell(0, 0)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = card.child_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert "王芳" in dialog.windowTitle()
    assert dialog.form.field_error("role") == "is required"  # the save's error, shown here
    wechat = dialog.form.field_widget("wechat")
    assert isinstance(wechat, QLineEdit)
    qtbot.keyClicks(wechat, "wf_1985")
    dialog.accept()  # the role is still empty: the dialog stays
    assert dialog.isVisible()
    role = dialog.form.field_widget("role")
    assert isinstance(role, QComboBox)
    role.setCurrentIndex(role.findData("buyer"))
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    assert card.is_modified()
    assert card.field_error("contacts[0].custom.role") == ""

    card.save()
    qtbot.waitUntil(lambda: not card.is_busy and card.detail.version > version)
    saved = get_customer(uow=uow, actor=clerk, customer_id=customer.id)
    assert saved.contacts[0].custom == {"role": "buyer", "wechat": "wf_1985"}
    assert saved.devices[0].custom == {"room": None}
    assert not card.is_modified()

    # A device row: F4 opens its fields too.
    card.tabs.setCurrentIndex(3)
    card.devices_table.setFocus()
    card.devices_table.setCurrentCell(0, 0)
    qtbot.keyClick(card.devices_table, Qt.Key.Key_F4)
    device_dialog = card.child_dialog
    assert device_dialog is not None and device_dialog is not dialog
    qtbot.waitUntil(device_dialog.isVisible)
    assert "CNB1234" in device_dialog.windowTitle()
    room = device_dialog.form.field_widget("room")
    assert isinstance(room, QLineEdit)
    room.setText("三楼财务室")
    device_dialog.accept()
    card.save()
    qtbot.waitUntil(lambda: not card.is_busy and card.detail.version > saved.version)
    assert get_customer(uow=uow, actor=clerk, customer_id=customer.id).devices[0].custom == {
        "room": "三楼财务室"}


def test_new_contact_row_gets_the_defaults_in_its_editor(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="contact", code="role", label_zh="角色", label_en="Role", kind="choice",
        default_value="boss", options=ROLES))
    card = CustomerCardDialog(make_context(clerk), None)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card._child_fields["contacts"] != ())
    card.name_edit.setText("朝阳快印店")
    card.tabs.setCurrentIndex(1)
    card.contacts_table.item(0, 0).setText("李强")
    card.contacts_table.setCurrentCell(0, 0)
    dialog = card.open_child_custom("contacts")
    assert dialog is not None
    combo = dialog.form.field_widget("role")
    assert isinstance(combo, QComboBox)
    assert combo.currentData() == "boss"
    dialog.reject()
    card.save()
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    assert card.detail.contacts[0].custom == {"role": "boss"}


def _care_item(uow: UnitOfWork, owner: Actor) -> int:
    customer = create_customer(uow=uow, actor=owner, draft=CustomerDraft(name="海淀区实验中学"))
    with uow:
        item = CareItem(customer_id=customer.id, owner_id=owner.user_id,
                        kind=CareKind.FOLLOW_UP, title="回访：维修后满意度",
                        due_on=dt.date.today(), status=CareStatus.OPEN,
                        created_by_id=owner.user_id, updated_by_id=owner.user_id)
        uow.session.add(item)
        uow.commit()
        return item.id


def test_care_outcome_dialog_shows_and_saves_the_care_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, sales_user: Actor,
) -> None:
    _define(uow, admin, "care_item", "satisfied", "是否满意", "Satisfied", "boolean")
    _define(uow, admin, "care_item", "next_need", "下一步需求", "Next need", required=True)
    item_id = _care_item(uow, sales_user)
    dialog = CareOutcomeDialog(make_context(sales_user, "key_accounts"), item_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    assert dialog.custom_form.isVisible()
    assert "Next need" in dialog.custom_form.field_label("next_need").text()
    dialog.outcome_edit.setPlainText("客户满意")
    dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("phone"))
    dialog.save()
    assert dialog.custom_form.field_error("next_need") == "is required"
    assert dialog.isVisible()
    box = dialog.custom_form.field_widget("satisfied")
    assert isinstance(box, QCheckBox)
    box.setChecked(True)
    dialog.custom_form.field_widget("next_need").setText("A3 彩机")  # type: ignore[attr-defined]
    version = dialog.view.version
    dialog.save()
    qtbot.waitUntil(lambda: dialog.view.version > version)
    with uow:
        assert cf.values_for(uow=uow, entity="care_item", record_ids=[item_id]) == {
            item_id: {"satisfied": True, "next_need": "A3 彩机"}}
        assert uow.session.get(CareItem, item_id).status is CareStatus.DONE


def _ticket(uow: UnitOfWork, admin: Actor, clerk: Actor) -> TicketView:
    _define(uow, admin, "service_ticket", "machine_location", "机器位置", "Machine location",
            required=True)
    _define(uow, admin, "service_ticket", "toner_level", "剩余墨粉", "Toner left", "number")
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="朝阳区税务所"))
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="卡纸",
        new_device=NewDevice("HP", "LaserJet M404dn", "cnb7654321"),
        custom={"machine_location": "前台"}))


def test_ticket_dialog_shows_and_saves_the_ticket_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    make_user: Callable[..., Actor],
) -> None:
    ticket = _ticket(uow, admin, clerk)
    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    # The counter sees the values and may not change them.
    seen = TicketDialog(make_context(clerk, "storefront"), ticket.id)
    qtbot.addWidget(seen)
    seen.show()
    qtbot.waitUntil(lambda: seen.view is not None and not seen.is_busy)
    location = seen.custom_form.field_widget("machine_location")
    assert isinstance(location, QLineEdit)
    assert location.text() == "前台"
    assert seen.custom_box.isVisible() and not seen.custom_form.isEnabled()
    assert not seen.custom_save_button.isVisible()

    dialog = TicketDialog(make_context(lead, "repair"), ticket.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    assert dialog.custom_form.isEnabled() and dialog.custom_save_button.isVisible()
    field = dialog.custom_form.field_widget("machine_location")
    assert isinstance(field, QLineEdit)
    field.clear()
    dialog.save_custom()
    assert dialog.custom_form.field_error("machine_location") == "is required"
    field.setText("三楼财务室")
    dialog.custom_form.field_widget("toner_level").setText("20")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.custom_save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.view.version > ticket.version and not dialog.is_busy)
    assert get_ticket(uow=uow, actor=lead, ticket_id=ticket.id).version == dialog.view.version
    with uow:
        assert cf.values_for(uow=uow, entity="service_ticket", record_ids=[ticket.id]) == {
            ticket.id: {"machine_location": "三楼财务室", "toner_level": Decimal("20.0000")}}


def test_order_list_shows_a_chosen_custom_column(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    from app.services.sales import OrderDraft, OrderLineDraft, create_order

    _define(uow, admin, "order", "delivery_window", "送货时段", "Delivery time", "choice",
            options=(Choice("am", "上午", "Morning"), Choice("pm", "下午", "Afternoon")))
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀区实验中学"))
    order = create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=customer.id, custom={"delivery_window": "pm"},
        lines=(OrderLineDraft(description="打印机维修", unit_price=Decimal("80")),)))
    page = OrderListPage(make_context(clerk, "storefront"))
    qtbot.addWidget(page)
    page.resize(1200, 400)
    page.show()
    qtbot.waitUntil(lambda: page.custom_columns.fields != () and page.model.rowCount() == 1)
    base = page.model.columnCount()
    menu = page.custom_columns.build_menu()
    action = next(a for a in menu.actions() if a.objectName() == "custom_column_delivery_window")
    assert action.isCheckable() and not action.isChecked()
    action.setChecked(True)
    menu.close()
    qtbot.waitUntil(lambda: page.model.columnCount() == base + 1
                    and page.model.index(0, base).data() == "Afternoon")
    assert page.model.headerData(base, Qt.Orientation.Horizontal) == "Delivery time"
    assert page.model.index(0, 0).data() == order.number
    # The choice is remembered: a new page shows the column straight away.
    again = OrderListPage(make_context(clerk, "storefront"))
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.model.columnCount() == base + 1
                    and again.model.index(0, base).data() == "Afternoon")
    again.custom_columns.set_visible("delivery_window", False)
    assert again.model.columnCount() == base


def test_ticket_list_shows_a_chosen_custom_column(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
) -> None:
    ticket = _ticket(uow, admin, clerk)
    page = TicketListPage(make_context(clerk, "storefront"))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.custom_columns.fields != () and page.model.rowCount() == 1)
    base = page.model.columnCount()
    page.custom_columns.set_visible("machine_location", True)
    qtbot.waitUntil(lambda: page.model.index(0, base).data() == "前台")
    assert page.model.row_id(0) == ticket.id


# --- screenshots ---------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "customfields2"
    folder.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert image.width() > 200 and image.height() > 100
    assert image.save(str(folder / name))


def test_render_record_custom_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, admin: Actor, clerk: Actor,
    sales_user: Actor, make_user: Callable[..., Actor], language: str,
) -> None:
    from app.services.sales import OrderDraft, OrderLineDraft, create_order

    customer = _customer_with_contact(uow, clerk)
    _define(uow, admin, "contact", "role", "角色", "Role", "choice", required=True,
            options=ROLES)
    _define(uow, admin, "contact", "wechat", "微信号", "WeChat")
    _define(uow, admin, "contact", "birthday_gift", "生日礼品", "Birthday gift", "boolean")
    card = _card(qtbot, make_context(clerk, language=language), customer.id)
    card.resize(1000, 640)
    card.tabs.setCurrentIndex(1)
    card.contacts_table.setCurrentCell(0, 0)
    card.save()
    qtbot.waitUntil(lambda: card.field_error("contacts[0].custom.role") != "")
    qtbot.wait(50)
    _shot(card, f"card_contacts_{language}.png")
    assert [t for t in clipped_texts(card) if "custom" in t] == []
    dialog = card.open_child_custom("contacts")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(50)
    _shot(dialog, f"contact_fields_{language}.png")
    assert clipped_texts(dialog) == []
    dialog.reject()

    _define(uow, admin, "care_item", "satisfied", "是否满意", "Satisfied", "boolean")
    _define(uow, admin, "care_item", "next_need", "下一步需求", "Next need", required=True)
    item_id = _care_item(uow, sales_user)
    care = CareOutcomeDialog(make_context(sales_user, "key_accounts", language), item_id)
    qtbot.addWidget(care)
    care.show()
    qtbot.waitUntil(lambda: care.view is not None and not care.is_busy)
    care.outcome_edit.setPlainText("客户满意，下月需要 A3 彩机报价")
    care.save()
    qtbot.wait(50)
    _shot(care, f"care_outcome_{language}.png")
    assert clipped_texts(care) == []

    ticket = _ticket(uow, admin, clerk)
    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    ticket_dialog = TicketDialog(make_context(lead, "repair", language), ticket.id)
    qtbot.addWidget(ticket_dialog)
    ticket_dialog.resize(760, 640)
    ticket_dialog.show()
    qtbot.waitUntil(lambda: ticket_dialog.view is not None and not ticket_dialog.is_busy)
    qtbot.wait(50)
    _shot(ticket_dialog, f"ticket_dialog_{language}.png")
    assert clipped_texts(ticket_dialog) == []
    tickets = TicketListPage(make_context(lead, "repair", language))
    qtbot.addWidget(tickets)
    tickets.resize(1200, 300)
    tickets.show()
    qtbot.waitUntil(lambda: tickets.custom_columns.fields != () and tickets.model.rowCount())
    tickets.custom_columns.set_visible("machine_location", True)
    qtbot.waitUntil(lambda: tickets.model.index(0, tickets.model.columnCount() - 1).data()
                    == "前台")
    qtbot.wait(50)
    _shot(tickets, f"ticket_list_{language}.png")

    _define(uow, admin, "order", "delivery_window", "送货时段", "Delivery time", "choice",
            options=(Choice("am", "上午", "Morning"), Choice("pm", "下午", "Afternoon")))
    create_order(uow=uow, actor=clerk, draft=OrderDraft(
        customer_id=customer.id, custom={"delivery_window": "pm"},
        lines=(OrderLineDraft(description="打印机维修", unit_price=Decimal("80")),)))
    orders = OrderListPage(make_context(clerk, "storefront", language))
    qtbot.addWidget(orders)
    orders.resize(1200, 300)
    orders.show()
    qtbot.waitUntil(lambda: orders.custom_columns.fields != () and orders.model.rowCount())
    orders.custom_columns.set_visible("delivery_window", True)
    wanted = "下午" if language == "zh" else "Afternoon"
    qtbot.waitUntil(lambda: orders.model.index(0, orders.model.columnCount() - 1).data()
                    == wanted)
    qtbot.wait(50)
    _shot(orders, f"order_list_{language}.png")
    menu = orders.custom_columns.build_menu()
    menu.adjustSize()
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "customfields2"
    assert menu.grab().toImage().save(str(folder / f"order_columns_menu_{language}.png"))
    menu.deleteLater()
