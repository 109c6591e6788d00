"""The customer card: keyboard entry, inline validation, duplicate warning, edit conflicts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services.customers import (
    ContactDraft,
    CustomerDetail,
    CustomerDraft,
    DeviceDraft,
    create_customer,
    get_customer,
    search_customers,
    update_customer,
)
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.customers.card import CustomerCardDialog
from app.ui.customers.entry_table import ERROR_BACKGROUND, EntryTable
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import OFFSCREEN_NOISE, SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
AddCustomer = Callable[..., CustomerDetail]

XINRUI = "北京鑫锐科技有限公司"
XINRUI_HOMOPHONE = "北京新锐科技有限公司"  # same pinyin, other characters
XINRUI_PHONE = "010-6253 8888"


def _card(qtbot: QtBot, ctx: AppContext, customer_id: int | None = None,
          **kwargs: object) -> CustomerCardDialog:
    card = CustomerCardDialog(ctx, customer_id, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(card)
    with qtbot.waitActive(card):  # shortcuts such as Ctrl+S reach the active window only
        card.show()
        card.activateWindow()
    if customer_id is not None:
        qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    return card


def _focus(card: CustomerCardDialog) -> QWidget:
    widget = card.focusWidget()
    assert widget is not None
    return widget


def _type(qtbot: QtBot, card: CustomerCardDialog, text: str) -> None:
    qtbot.keyClicks(_focus(card), text)


def _enter(qtbot: QtBot, card: CustomerCardDialog) -> None:
    qtbot.keyClick(_focus(card), Qt.Key.Key_Return)


def _set_cell(table: EntryTable, row: int, key: str, text: str) -> None:
    column = table.column_of(key)
    assert column is not None
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


def _customer_names(uow: UnitOfWork, actor: Actor) -> list[str]:
    return [r.name for r in search_customers(uow=uow, actor=actor).rows]


def _wait_saved(qtbot: QtBot, card: CustomerCardDialog) -> CustomerDetail:
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy
                    and not card.is_modified())
    assert card.detail is not None
    return card.detail


# --- keyboard entry --------------------------------------------------------------------------


def test_a_new_customer_is_entered_with_the_keyboard_only(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
) -> None:
    card = _card(qtbot, make_context(clerk, "storefront"), duplicate_debounce_ms=50)
    assert _focus(card) is card.name_edit  # the first field, ready to type
    assert card.windowTitle() == "New customer"
    assert card.owner_label.text() == "门市小王"

    _type(qtbot, card, "Haidian Print Shop")
    _enter(qtbot, card)
    # Enter moves on, down the left column (it does not submit): the phone under the name.
    assert _focus(card) is card.phone_edit
    _type(qtbot, card, "010-8261 1234")
    for expected in (card.kind_combo, card.class_combo, card.industry_edit, card.tax_edit,
                     card.short_name_edit, card.email_edit, card.source_combo,
                     card.status_combo, card.website_edit):
        _enter(qtbot, card)
        assert _focus(card) is expected
    assert _customer_names(uow, clerk) == []

    # Into the contacts table: Enter walks the cells of the new row.
    _enter(qtbot, card)
    contacts = card.contacts_table
    assert card.tabs.currentWidget().isAncestorOf(contacts)
    assert contacts.currentColumn() == contacts.column_of("name")
    _type(qtbot, card, "Liu Jingli")
    for key, text in (("title", "Manager"), ("phone", "010-8261 1235"),
                      ("mobile", "13910012345"), ("email", "liu@example.cn"),
                      ("birthday", "1980/5/1")):
        _enter(qtbot, card)
        assert contacts.currentColumn() == contacts.column_of(key)
        _type(qtbot, card, text)
    _enter(qtbot, card)
    assert contacts.currentColumn() == contacts.column_of("is_primary")
    qtbot.keyClick(contacts, Qt.Key.Key_Space)  # tick "primary"
    _enter(qtbot, card)
    assert contacts.currentRow() == 1  # the next, empty row
    _enter(qtbot, card)  # Enter on the empty row leaves the table: addresses
    assert card.tabs.currentWidget().isAncestorOf(card.addresses_table)
    _enter(qtbot, card)  # no address: on to the devices
    devices = card.devices_table
    assert card.tabs.currentWidget().isAncestorOf(devices)
    for key, text in (("brand", "Canon"), ("model", "iR 2520"), ("serial_number", "qx-0042"),
                      ("install_date", "2024-03-05"), ("location", "Front desk")):
        assert devices.currentColumn() == devices.column_of(key)
        _type(qtbot, card, text)
        _enter(qtbot, card)
    assert devices.currentColumn() == devices.column_of("status")
    _enter(qtbot, card)  # keep "In use"; the last reading is read-only and skipped
    assert devices.currentColumn() == devices.column_of("new_reading")
    _type(qtbot, card, "15000")
    _enter(qtbot, card)
    _enter(qtbot, card)
    assert _focus(card) is card.notes_edit
    _type(qtbot, card, "Comes on Mondays")

    qtbot.keyClick(_focus(card), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    detail = _wait_saved(qtbot, card)

    stored = get_customer(uow=uow, actor=clerk, customer_id=detail.id)
    assert stored.name == "Haidian Print Shop"
    assert stored.phone == "010-8261 1234"
    assert stored.notes == "Comes on Mondays"
    assert [(c.name, c.title, c.mobile, c.email, c.birthday, c.is_primary)
            for c in stored.contacts] == [
        ("Liu Jingli", "Manager", "13910012345", "liu@example.cn", dt.date(1980, 5, 1), True)]
    assert [(d.brand, d.model, d.serial_number, d.install_date, d.location, d.last_reading)
            for d in stored.devices] == [
        ("Canon", "iR 2520", "QX-0042", dt.date(2024, 3, 5), "Front desk", 15000)]
    assert stored.addresses == ()
    # The card now shows the saved record, with its number.
    assert card.code_label.text() == f"No. {stored.code}"
    assert devices.item(0, devices.column_of("last_reading")).text().startswith("15,000")


def test_a_bad_phone_is_shown_at_the_phone_field_and_nothing_is_saved(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
) -> None:
    card = _card(qtbot, make_context(clerk, "storefront"), duplicate_debounce_ms=50)
    card.name_edit.setText("Haidian Print Shop")
    card.phone_edit.setText("call Mr Liu")
    _set_cell(card.contacts_table, 0, "name", "Liu")
    _set_cell(card.contacts_table, 0, "email", "liu at example")
    _set_cell(card.devices_table, 0, "brand", "Canon")  # model and serial missing
    card.save()
    qtbot.waitUntil(lambda: bool(card.field_error("phone")))

    assert card.field_error("phone") == (
        "must be a phone number (digits, spaces, +, -, parentheses)")
    assert card.error_label("phone").isVisible()
    assert card.error_label("phone").text() == card.field_error("phone")
    assert "border" in card.phone_edit.styleSheet()
    assert not card.error_label("name").isVisible()
    assert _focus(card) is card.phone_edit  # the first bad field
    assert card.status_label.text().startswith("Not saved")
    # The contact's bad e-mail: its cell is marked, the row named under the table.
    email = card.contacts_table.item(0, card.contacts_table.column_of("email"))
    assert email.background().color() == ERROR_BACKGROUND
    assert email.toolTip() == "must be a valid e-mail address"
    assert card.error_label("contacts").text() == "Row 1, E-mail: must be a valid e-mail address"
    assert "Row 1, Model: is required" in card.error_label("devices").text()
    # Nothing typed is lost, nothing is saved.
    assert card.phone_edit.text() == "call Mr Liu"
    assert email.text() == "liu at example"
    assert card.is_modified()
    assert _customer_names(uow, clerk) == []

    # Correcting the phone clears its mark at once.
    card.phone_edit.setText("010-8261 1234")
    assert not card.error_label("phone").isVisible()
    assert card.phone_edit.styleSheet() == ""


def test_tab_follows_the_form_then_the_tables(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    card = _card(qtbot, make_context(clerk, "storefront"))
    seen = [_focus(card)]
    for _ in range(13):
        qtbot.keyClick(_focus(card), Qt.Key.Key_Tab)
        seen.append(_focus(card))
    # Down the left column, then the right one (issue 15: a phone typed after the name
    # landed in 简称).
    assert seen[:11] == [card.name_edit, card.phone_edit, card.kind_combo, card.class_combo,
                         card.industry_edit, card.tax_edit, card.short_name_edit,
                         card.email_edit, card.source_combo, card.status_combo,
                         card.website_edit]
    assert seen[11] is card.tabs.tabBar()
    assert seen[12] is card.contacts_table
    assert seen[13] is card.save_button


# --- duplicates --------------------------------------------------------------------------------


def test_the_same_phone_or_a_homophone_name_lists_the_existing_customer(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    existing = add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(clerk, "storefront"), duplicate_debounce_ms=50)
    panel = card.duplicate_panel
    assert not panel.isVisible()

    card.name_edit.setText(XINRUI_HOMOPHONE)  # QTest cannot type Chinese characters
    qtbot.waitUntil(panel.isVisible)
    assert panel.title_label.text() == "Possibly already a customer:"
    assert [h.id for h in panel.hits] == [existing.id]
    text = panel.findChild(QWidget, f"duplicate_hit_{existing.id}").text()
    assert XINRUI in text and "owner: 门市小王" in text and "sounds the same" in text

    card.name_edit.clear()
    qtbot.waitUntil(lambda: not panel.isVisible())
    qtbot.keyClicks(card.phone_edit, "(010) 62538888")
    qtbot.waitUntil(panel.isVisible)
    text = panel.findChild(QWidget, f"duplicate_hit_{existing.id}").text()
    assert "same phone" in text and XINRUI_PHONE in text

    button = panel.findChild(QPushButton, f"open_existing_{existing.id}")
    assert button is not None and button.text() == "Open the existing one"
    with qtbot.waitSignal(card.open_existing) as opened:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened.args == [existing.id]


def test_a_customer_outside_the_scope_shows_only_name_and_owner(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    add_customer: AddCustomer,
) -> None:
    theirs = add_customer(sales_user, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(other_sales_user, "key_accounts"),
                 duplicate_debounce_ms=50)
    qtbot.keyClicks(card.phone_edit, "01062538888")
    qtbot.waitUntil(card.duplicate_panel.isVisible)

    text = card.duplicate_panel.findChild(QWidget, f"duplicate_hit_{theirs.id}").text()
    assert text == f"<b>{XINRUI}</b> — ask 张伟"
    assert card.duplicate_panel.findChild(QPushButton, f"open_existing_{theirs.id}") is None


def test_the_card_of_a_customer_out_of_scope_closes_with_the_reason(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    add_customer: AddCustomer,
) -> None:
    theirs = add_customer(sales_user, XINRUI, phone=XINRUI_PHONE)
    holder = QWidget()
    qtbot.addWidget(holder)
    card = CustomerCardDialog(make_context(other_sales_user, "key_accounts"), theirs.id, holder)
    card.show()
    # No empty card left behind: it closes, and the refusal is said over its parent.
    qtbot.waitUntil(lambda: not card.isVisible())
    boxes = [b for b in holder.findChildren(QMessageBox) if b.isVisible()]
    assert [(b.windowTitle(), "someone else" in b.text()) for b in boxes] == [
        ("Not permitted", True)]
    assert card.detail is None
    boxes[0].accept()


def test_saving_next_to_possible_duplicates_asks_once(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
    uow: UnitOfWork,
) -> None:
    add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(clerk, "storefront"), duplicate_debounce_ms=50)
    card.name_edit.setText(XINRUI_HOMOPHONE)
    card.phone_edit.setText("not a phone")
    card.save()  # checks for duplicates first, although the debounce has not run yet
    qtbot.waitUntil(lambda: card.confirm_box is not None and card.confirm_box.isVisible())
    box = card.confirm_box
    assert box.windowTitle() == "Create anyway?"
    assert _customer_names(uow, clerk) == [XINRUI]
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: bool(card.field_error("phone")))

    card.phone_edit.setText("010-6253 9999")
    card.confirm_box = None
    card.save()
    _wait_saved(qtbot, card)
    assert card.confirm_box is None  # not asked a second time for the same customers
    assert sorted(_customer_names(uow, clerk)) == sorted([XINRUI, XINRUI_HOMOPHONE])


# --- two stations, one customer ------------------------------------------------------------


@pytest.fixture
def shared_customer(uow: UnitOfWork, clerk: Actor) -> CustomerDetail:
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="Haidian Print Shop", phone="010-8261 1234",
        contacts=(ContactDraft(name="Liu", is_primary=True),),
        devices=(DeviceDraft(brand="Canon", model="iR 2520", serial_number="QX-0042",
                             new_reading=100),)))


def _conflict(qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor,
              uow: UnitOfWork, customer: CustomerDetail,
              language: str = "en") -> CustomerCardDialog:
    """clerk2 opens the card, clerk saves a new phone meanwhile, clerk2 saves a new name."""
    card = _card(qtbot, make_context(clerk2, "storefront", language=language), customer.id)
    update_customer(uow=uow, actor=clerk, customer_id=customer.id,
                    expected_version=customer.version,
                    draft=dataclasses.replace(customer.to_draft(), phone="010-8261 9999"))
    card.name_edit.setText("Haidian Print & Copy")
    _set_cell(card.contacts_table, 1, "name", "Wang")
    _set_cell(card.contacts_table, 1, "mobile", "13601234567")
    card.save()
    qtbot.waitUntil(lambda: card.conflict_dialog is not None
                    and card.conflict_dialog.isVisible())
    return card


def test_a_second_save_shows_who_changed_the_customer_and_reload_shows_it(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor, uow: UnitOfWork,
    shared_customer: CustomerDetail,
) -> None:
    card = _conflict(qtbot, make_context, clerk, clerk2, uow, shared_customer)
    dialog = card.conflict_dialog
    assert dialog is not None
    assert dialog.message_label.text().startswith("门市小王 saved this customer at ")
    assert dialog.message_label.text().endswith(" after you opened it.")
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(),
                                            dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows == {"Name": ("Haidian Print & Copy", "Haidian Print Shop"),
                    "Phone": ("010-8261 1234", "010-8261 9999"),
                    "Contacts": ("Liu, primary\nWang, 13601234567", "Liu, primary")}
    assert dialog.reload_button.isDefault()
    assert dialog.overwrite_button.isVisible()
    assert card.name_edit.text() == "Haidian Print & Copy"  # nothing vanished yet

    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.phone_edit.text() == "010-8261 9999" and not card.is_busy)
    assert card.name_edit.text() == "Haidian Print Shop"
    assert not card.is_modified()
    # The typed values stay listed in the dialog.
    assert dialog.isVisible()
    assert dialog.table.item(0, 1).text() == "Haidian Print & Copy"
    assert dialog.close_button.isVisible() and not dialog.reload_button.isVisible()

    # Saving again now works against the current version.
    dialog.close_button.click()
    card.email_edit.setText("shop@example.cn")
    card.save()
    _wait_saved(qtbot, card)
    stored = get_customer(uow=uow, actor=clerk, customer_id=shared_customer.id)
    assert (stored.name, stored.phone, stored.email) == (
        "Haidian Print Shop", "010-8261 9999", "shop@example.cn")


def test_overwrite_saves_the_typed_values_after_confirming(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor, uow: UnitOfWork,
    shared_customer: CustomerDetail,
) -> None:
    card = _conflict(qtbot, make_context, clerk, clerk2, uow, shared_customer)
    dialog = card.conflict_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.overwrite_button, Qt.MouseButton.LeftButton)
    box = dialog.overwrite_box
    assert box is not None and box.isVisible()
    assert "门市小王" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    _wait_saved(qtbot, card)

    stored = get_customer(uow=uow, actor=clerk, customer_id=shared_customer.id)
    assert (stored.name, stored.phone) == ("Haidian Print & Copy", "010-8261 1234")
    assert [d.last_reading for d in stored.devices] == [100]  # the device is untouched
    assert stored.updated_by_name == "门市小李"


def test_keep_editing_leaves_the_typed_values(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, clerk2: Actor, uow: UnitOfWork,
    shared_customer: CustomerDetail,
) -> None:
    card = _conflict(qtbot, make_context, clerk, clerk2, uow, shared_customer)
    dialog = card.conflict_dialog
    assert dialog is not None
    dialog.keep_button.click()
    assert card.name_edit.text() == "Haidian Print & Copy"
    assert card.is_modified()


# --- owner ------------------------------------------------------------------------------------


def test_a_clerk_sees_the_owner_but_cannot_change_it(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    customer = add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(clerk, "storefront"), customer.id)
    assert card.owner_label.isVisible() and card.owner_label.text() == "门市小王"
    assert not card.owner_combo.isVisible()
    assert card.owner_combo not in card._chain  # Enter and Tab skip it
    assert card.current_draft().owner_id == clerk.user_id


def _owners(card: CustomerCardDialog) -> dict[str, int]:
    combo = card.owner_combo
    return {combo.itemText(i): combo.itemData(i) for i in range(combo.count())}


def test_a_manager_hands_the_customer_to_another_owner(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, manager: Actor, sales_user: Actor,
    technician: Actor, add_customer: AddCustomer, uow: UnitOfWork,
) -> None:
    customer = add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(manager, "manager_office"), customer.id)
    combo = card.owner_combo
    assert combo.isVisible() and combo.isEnabled() and not card.owner_label.isVisible()
    qtbot.waitUntil(lambda: "张伟" in _owners(card))
    assert combo.currentText() == "门市小王"
    assert "王强" not in _owners(card)  # a technician owns no customers
    assert not card.is_modified()

    combo.setCurrentIndex(combo.findText("张伟"))
    assert card.is_modified()
    card.save()
    _wait_saved(qtbot, card)
    stored = get_customer(uow=uow, actor=manager, customer_id=customer.id)
    assert (stored.owner_id, stored.owner_name) == (sales_user.user_id, "张伟")
    assert combo.currentText() == "张伟"


def test_a_new_customer_of_a_manager_belongs_to_the_manager_unless_chosen(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, clerk: Actor, uow: UnitOfWork,
) -> None:
    card = _card(qtbot, make_context(manager, "manager_office"))
    qtbot.waitUntil(lambda: "门市小王" in _owners(card))
    assert card.owner_combo.currentData() == manager.user_id
    assert card.owner_combo.currentText() == "总经理"
    card.name_edit.setText("Haidian Print Shop")
    card.owner_combo.setCurrentIndex(card.owner_combo.findText("门市小王"))
    card.save()
    detail = _wait_saved(qtbot, card)
    assert get_customer(uow=uow, actor=manager, customer_id=detail.id).owner_id == clerk.user_id


def test_an_owner_the_service_refuses_is_shown_at_the_owner_field(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, other_sales_user: Actor,
    add_customer: AddCustomer, uow: UnitOfWork,
) -> None:
    customer = add_customer(sales_user, XINRUI, phone=XINRUI_PHONE)
    # The interface offers the picker by the role named in the Actor; the database still
    # says salesperson (own customers only), and the service is the guard.
    posing = dataclasses.replace(sales_user, role_code="management_clerk")
    card = _card(qtbot, make_context(posing, "key_accounts"), customer.id)
    qtbot.waitUntil(lambda: "李娜" in _owners(card))
    card.owner_combo.setCurrentIndex(card.owner_combo.findText("李娜"))
    card.save()
    qtbot.waitUntil(lambda: bool(card.field_error("owner_id")))
    assert card.error_label("owner_id").isVisible()
    assert card.field_error("owner_id") == "You may not give this customer to 李娜."
    assert card.status_label.text() == "Not saved: please correct the marked fields."
    assert card.focusWidget() is card.owner_combo
    assert card.owner_combo.currentText() == "李娜"  # the choice stays, to be changed
    stored = get_customer(uow=uow, actor=sales_user, customer_id=customer.id)
    assert stored.owner_id == sales_user.user_id

    card.owner_combo.setCurrentIndex(card.owner_combo.findText("张伟"))
    assert not card.error_label("owner_id").isVisible()


# --- closing ---------------------------------------------------------------------------------


def test_esc_closes_at_once_when_nothing_changed(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    card = _card(qtbot, make_context(clerk, "storefront"))
    qtbot.keyClick(card.name_edit, Qt.Key.Key_Escape)
    assert not card.isVisible()
    assert card.discard_box is None


def test_esc_with_changes_asks_before_discarding(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
) -> None:
    card = _card(qtbot, make_context(clerk, "storefront"))
    qtbot.keyClicks(card.name_edit, "Haidian Print Shop")
    qtbot.keyClick(card.name_edit, Qt.Key.Key_Escape)
    box = card.discard_box
    assert box is not None and box.isVisible()
    assert card.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()  # "Keep editing"
    assert card.isVisible() and card.name_edit.text() == "Haidian Print Shop"

    qtbot.keyClick(card.name_edit, Qt.Key.Key_Escape)
    box = card.discard_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not card.isVisible()
    assert _customer_names(uow, clerk) == []


# --- in the main window ------------------------------------------------------------------------


# WORKAROUND: the offscreen platform cannot raise a window; raising an open card is
# what a second edit_customer() does, so that one warning is expected here.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, r"^This plugin does not support raise\(\)$")
def test_main_window_opens_new_and_existing_cards_and_refreshes_the_list(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    existing = add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    window = MainWindow(make_context(clerk, "storefront"))
    qtbot.addWidget(window)
    window.show()
    page = window.stack.currentWidget()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)

    window.new_customer()
    cards = [c for c in window.findChildren(CustomerCardDialog) if c.isVisible()]
    assert len(cards) == 1 and cards[0].is_creating
    card = cards[0]
    card.name_edit.setText("Haidian Print Shop")
    card.save()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)  # the list shows the new customer
    card.close()

    window.edit_customer(existing.id)
    window.edit_customer(existing.id)  # the same card again, not a second one
    cards = [c for c in window.findChildren(CustomerCardDialog) if c.isVisible()]
    assert len(cards) == 1
    qtbot.waitUntil(lambda: cards[0].name_edit.text() == XINRUI)

    # "Open the existing one" opens that customer in the main window.
    cards[0].open_existing.emit(existing.id)
    overview = getattr(window, "overview_page", None)
    if overview is not None:  # the 360 view, once it is there
        assert overview.customer_id == existing.id


# --- screenshots -----------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> Path:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / name
    assert widget.grab().save(str(path))
    return path


def test_card_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, clerk: Actor, clerk2: Actor,
    sales_user: Actor, add_customer: AddCustomer, uow: UnitOfWork,
    shared_customer: CustomerDetail,
) -> None:
    add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    add_customer(sales_user, "北京鑫锐科技有限公司海淀分部", phone="010-6253 8889")
    ctx = make_context(clerk, "storefront", language=language)
    card = _card(qtbot, ctx, duplicate_debounce_ms=20)
    assert clipped_texts(card) == []
    _shot(card, f"card_new_{language}.png")

    card.name_edit.setText("北京鑫锐科技")
    card.phone_edit.setText(XINRUI_PHONE)
    qtbot.waitUntil(lambda: len(card.duplicate_panel.hits) == 2)
    qtbot.wait(20)
    assert clipped_texts(card) == []
    _shot(card, f"card_duplicates_{language}.png")

    card.phone_edit.setText("call Mr Liu")
    card.email_edit.setText("shop at example")
    _set_cell(card.devices_table, 0, "brand", "Canon")
    _set_cell(card.devices_table, 0, "serial_number", "QX-0042")
    card.check_duplicates()
    qtbot.waitUntil(lambda: not card.is_busy)
    card._confirmed_hits = frozenset(h.id for h in card.duplicate_panel.hits)
    card.save()
    qtbot.waitUntil(lambda: bool(card.field_error("phone")))
    card.tabs.setCurrentWidget(card.tabs.widget(2))
    qtbot.wait(20)
    assert clipped_texts(card) == []
    _shot(card, f"card_errors_{language}.png")
    card.close()
    if card.discard_box is not None:
        card.discard_box.button(QMessageBox.StandardButton.Discard).click()

    edited = _conflict(qtbot, make_context, clerk, clerk2, uow, shared_customer,
                       language)
    dialog = edited.conflict_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert clipped_texts(dialog) == []
    _shot(dialog, f"card_conflict_{language}.png")
    dialog.reload_button.click()
    qtbot.waitUntil(lambda: not edited.is_busy)
    qtbot.wait(20)
    assert clipped_texts(dialog) == []
    _shot(dialog, f"card_conflict_reloaded_{language}.png")
    _shot(edited, f"card_edit_{language}.png")
    edited.tabs.setCurrentIndex(2)
    qtbot.wait(20)
    assert clipped_texts(edited) == []
    _shot(edited, f"card_devices_{language}.png")


# WORKAROUND: offscreen cannot raise a window (the card raises itself before it asks) nor
# grab the keyboard (an open combo box popup asks for it).
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, r"^This plugin does not support raise\(\)$",
                           r"^This plugin does not support grabbing the keyboard$")
def test_owner_picker_and_close_question_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, clerk: Actor, manager: Actor,
    sales_user: Actor, other_sales_user: Actor, add_customer: AddCustomer,
) -> None:
    customer = add_customer(clerk, XINRUI, phone=XINRUI_PHONE)
    card = _card(qtbot, make_context(manager, "manager_office", language=language),
                 customer.id)
    qtbot.waitUntil(lambda: card.owner_combo.count() >= 4)
    card.owner_combo.setCurrentIndex(card.owner_combo.findText("张伟"))
    qtbot.wait(20)
    assert clipped_texts(card) == []
    _shot(card, f"card_owner_{language}.png")
    card.owner_combo.showPopup()
    qtbot.waitUntil(card.owner_combo.view().isVisible)
    _shot(card.owner_combo.view().window(), f"card_owner_popup_{language}.png")
    card.owner_combo.hidePopup()

    # The owner refused by the service, shown at the field.
    refused = _card(qtbot, make_context(
        dataclasses.replace(sales_user, role_code="management_clerk"), "key_accounts",
        language=language), add_customer(sales_user, "海淀区打印服务部").id)
    qtbot.waitUntil(lambda: refused.owner_combo.findText("李娜") >= 0)
    refused.owner_combo.setCurrentIndex(refused.owner_combo.findText("李娜"))
    refused.save()
    qtbot.waitUntil(lambda: bool(refused.field_error("owner_id")))
    qtbot.wait(20)
    assert clipped_texts(refused) == []
    _shot(refused, f"card_owner_refused_{language}.png")

    # Quitting with the changed card: the question.
    answers: list[bool] = []
    card.confirm_close(answers.append)
    box = card.close_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    qtbot.wait(20)
    assert clipped_texts(box) == []
    _shot(box, f"card_close_question_{language}.png")
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert answers == [False]
