"""The merge dialog (客户合并) driven as the general manager would: find the other card,
keep the older one, take a value from the card absorbed, confirm — and the customer list's
row menu that opens it, for management only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Contact, Customer, Visit
from app.models.enums import VisitKind
from app.services.customers import (
    ContactDraft,
    CustomerDetail,
    CustomerDraft,
    create_customer,
    update_customer,
)
from app.services.merging import ABSORBED, KEEP, MergeResult
from app.services.permissions import Actor
from app.services.plans import SalesPlanDraft, set_sales_plan
from app.services.uow import UnitOfWork
from app.services.visits import VisitDraft, record_visit
from app.ui.context import AppContext
from app.ui.customers.merge_dialog import MergeDialog, number_key

MakeContext = Callable[..., AppContext]


def _two_cards(uow: UnitOfWork, sales_user: Actor) -> tuple[CustomerDetail, CustomerDetail]:
    """The company's first card and a second one typed later, with its own contact and
    a visit."""
    older = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-6588 1234",
        contacts=(ContactDraft(name="王芳", mobile="139 1234 5678", is_primary=True),)))
    newer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="鑫锐科技", phone="010-6588 9999", email="info@xinrui.cn",
        contacts=(ContactDraft(name="李强", mobile="137 0000 0001", is_primary=True),)))
    record_visit(uow=uow, actor=sales_user, draft=VisitDraft(
        purpose="询问打印机报价", customer_id=newer.id, kind=VisitKind.VISIT,
        contact_id=newer.contacts[0].id,
        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    return older, newer


def _dialog(qtbot: QtBot, ctx: AppContext, customer_id: int, other_id: int,
            search: str) -> MergeDialog:
    """The dialog opened for ``customer_id``, the other card found by typing ``search``."""
    dialog = MergeDialog(ctx, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.this_label.text() != "Loading…")
    dialog.chooser.search_edit.setText(search)
    dialog.chooser.search()
    qtbot.waitUntil(lambda: dialog.chooser.current_id() == other_id)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    return dialog


def test_merge_the_newer_card_into_the_older_taking_its_phone(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    older, newer = _two_cards(uow, sales_user)
    # Opened from the newer card: the older one (lower number) is kept all the same.
    ctx = make_context(manager, "management")
    dialog = _dialog(qtbot, ctx, newer.id, older.id, "鑫锐")
    preview = dialog.preview
    assert preview is not None
    assert (preview.keep.id, preview.absorbed.id) == (older.id, newer.id)
    assert dialog.keep_other.isChecked() and not dialog.keep_this.isChecked()
    assert dialog.this_label.text() == f"{newer.code}  鑫锐科技"
    header = dialog.table.horizontalHeaderItem
    assert (header(1).text(), header(2).text()) == (f"Kept: {older.code}",
                                                   f"Absorbed: {newer.code}")
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    # Both cards' values side by side; the same value on both offers no choice, a field
    # empty on both is not shown.
    assert {"Name", "Phone", "E-mail", "Status", "Class"} <= set(rows)
    assert "Website" not in rows
    assert dialog.take_radio("status", KEEP) is None
    assert dialog.table.item(rows["Status"], 1).text() == "Prospect"
    # Defaults: the kept card's value, unless it has none.
    assert dialog.take() == {"name": KEEP, "phone": KEEP, "email": ABSORBED}
    phone = dialog.take_radio("phone", ABSORBED)
    assert phone is not None and phone.text() == "010-6588 9999"
    phone.click()
    assert dialog.take() == {"name": KEEP, "phone": ABSORBED, "email": ABSORBED}
    # Enter in the search box searches again; it does not press Merge, and finding the
    # same card keeps what was chosen.
    qtbot.keyClick(dialog.chooser.search_edit, Qt.Key.Key_Return)
    qtbot.wait(300)
    assert dialog.merge_button.text() == "Merge" and dialog.preview is preview
    assert dialog.take()["phone"] == ABSORBED
    assert dialog.moves_label.text() == "Contacts 1 · Visits 1 · Former customer numbers 1"
    assert not dialog.conflicts_label.isVisible()

    # Merge asks again in the dialog before anything is written.
    button = dialog.merge_button
    assert button.isEnabled() and button.isDefault()
    button.click()
    assert button.text() == "Confirm merge" and dialog.warning_label.isVisible()
    assert dialog.warning_label.text() == (
        f"{newer.code} 鑫锐科技 will be deleted; its number will find {older.code} "
        "北京鑫锐科技有限公司. This cannot be undone.")
    with uow:
        assert uow.session.get(Customer, newer.id) is not None
    with qtbot.waitSignal(dialog.merged, timeout=10_000) as merged:
        button.click()
    result = merged.args[0]
    assert isinstance(result, MergeResult) and result.keep_id == older.id
    assert dialog.result_label.isVisible() and not dialog.table.isVisible()
    assert dialog.result_label.text() == (
        f"{newer.code} is merged into {older.code} 北京鑫锐科技有限公司; its number now finds "
        "that card.\n\nMoved to the kept card: Contacts 1 · Visits 1 · Former customer "
        "numbers 1")
    assert ctx.changes.published[-2:] == [("customer", older.id), ("customer", newer.id)]
    with uow:
        session = uow.session
        assert session.get(Customer, newer.id) is None
        kept = session.get(Customer, older.id)
        assert kept is not None
        assert (kept.phone, kept.email, kept.name) == ("010-6588 9999", "info@xinrui.cn",
                                                       "北京鑫锐科技有限公司")
        contacts = session.execute(select(Contact.name).where(
            Contact.customer_id == older.id).order_by(Contact.id)).scalars().all()
        assert contacts == ["王芳", "李强"]
        visits = session.execute(select(Visit.customer_id)).scalars().all()
        assert visits == [older.id]


def test_a_card_saved_meanwhile_is_shown_again_before_merging(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    older, newer = _two_cards(uow, sales_user)
    dialog = _dialog(qtbot, make_context(manager, "management"), older.id, newer.id, "鑫锐")
    assert dialog.keep_this.isChecked()
    # Keep the newer card instead: the sides swap.
    dialog.choose_keep_other(True)
    qtbot.waitUntil(lambda: dialog.preview is not None
                    and dialog.preview.keep.id == newer.id, timeout=10_000)
    update_customer(uow=uow, actor=sales_user, customer_id=older.id,
                    expected_version=older.version,
                    draft=CustomerDraft(name=older.name, phone="010-6588 7777",
                                        owner_id=older.owner_id,
                                        contacts=(ContactDraft(
                                            id=older.contacts[0].id, name="王芳",
                                            mobile="139 1234 5678", is_primary=True),)))
    dialog.merge_button.click()
    dialog.merge_button.click()
    qtbot.waitUntil(lambda: "changed by 张伟" in dialog.status.text(), timeout=10_000)
    # Read again with the new version: the next try goes through.
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    assert dialog.preview is not None and dialog.preview.keep.id == newer.id
    assert dialog.merge_button.text() == "Merge"
    absorbed = dialog.take_radio("phone", ABSORBED)
    assert absorbed is not None and absorbed.text() == "010-6588 7777"
    with qtbot.waitSignal(dialog.merged, timeout=10_000):
        dialog.merge_button.click()
        dialog.merge_button.click()
    with uow:
        assert uow.session.get(Customer, older.id) is None


def test_a_sales_plan_clash_disables_merge_with_the_reason(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    older, newer = _two_cards(uow, sales_user)
    for customer in (older, newer):
        set_sales_plan(uow=uow, actor=manager, draft=SalesPlanDraft(
            year=2026, period=12, planned_amount="5000", owner_id=sales_user.user_id,
            customer_id=customer.id))
    dialog = _dialog(qtbot, make_context(manager, "management"), older.id, newer.id, "鑫锐")
    assert not dialog.merge_button.isEnabled()
    assert dialog.conflicts_label.isVisible()
    assert dialog.conflicts_label.text() == (
        "Cannot merge yet:\nBoth customers have a sales plan of 张伟 for 2026-12: change or "
        "delete one of them, then merge.")
    assert "Sales plans 1" in dialog.moves_label.text()


def test_the_list_offers_merge_in_the_row_menu_only_to_management(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    from app.ui.customers.list_page import CustomerListPage

    _two_cards(uow, sales_user)
    assert number_key("KH-20260101-9999") < number_key("KH-20260101-10000")
    for actor, shown in ((sales_user, False), (manager, True)):
        page = CustomerListPage(make_context(actor, "management"))
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda p=page: p.model.rowCount() == 2
                        and p.model.customer_row(0) is not None)
        menu = page.row_menu(0)
        actions = [a.objectName() for a in menu.actions()] if menu is not None else []
        assert ("merge_customer_action" in actions) is shown
    assert menu is not None
    action = menu.actions()[0]
    assert action.text() == "Merge with another customer…"
    row = page.model.customer_row(0)
    assert row is not None
    action.trigger()
    dialog = page.merge_dialog
    assert isinstance(dialog, MergeDialog) and dialog.isVisible()
    assert dialog.customer_id == row.id
    qtbot.waitUntil(lambda: dialog.this_label.text() == f"{row.code}  {row.name}")
    dialog.close()
