"""The customer import wizard driven as a person would: file, mapping, dry run, import,
undo — and the customer list's Import button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Customer
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.customers.import_wizard import (
    PAGE_CHECK,
    PAGE_MAP,
    PAGE_RUN,
    ImportWizard,
)
from tests.services.importing import messy

MakeContext = Callable[..., AppContext]


def _names(uow: UnitOfWork) -> list[str]:
    with uow:
        return list(uow.session.execute(select(Customer.name).order_by(Customer.id)).scalars())


def _wizard(qtbot: QtBot, ctx: AppContext, path: Path) -> ImportWizard:
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path_edit.setText(str(path))
    qtbot.waitUntil(lambda: wizard.file_page.isComplete()
                    or (bool(wizard.file_page.status.text())
                        and not wizard.file_page.status.text().startswith("Reading")))
    return wizard


def test_import_the_messy_workbook_then_undo_it(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京博文培训学校", phone="010-62223333"))
    sheet = tmp_path / "客户资料.xlsx"
    messy.write_messy_xlsx(sheet)
    wizard = _wizard(qtbot, make_context(manager, "management"), sheet)
    assert wizard.file_page.isComplete(), wizard.file_page.status.text()
    assert wizard.file_page.status.text() == "Header found in row 3: 11 columns."
    wizard.next()
    assert wizard.currentId() == PAGE_MAP
    page = wizard.map_page
    # Guessed from the headers, 联系人 over 姓名/职务/手机 making them the contact's.
    assert page.mapping() == {0: "name", 1: "short_name", 2: "customer_class", 3: "source",
                              4: "phone", 5: "contact.name", 6: "contact.title",
                              7: "contact.mobile", 8: "address.street",
                              9: "first_contact_on", 10: "notes"}
    assert page.table.item(0, 2).text().startswith("北京鑫锐科技有限公司")
    # A field chosen twice stops the wizard until it is put right.
    page.choose(1, "name")
    assert not page.isComplete() and "one column" in page.status.text()
    page.choose(1, "short_name")
    assert page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_CHECK
    check = wizard.check_page
    qtbot.waitUntil(lambda: check.checked, timeout=10_000)
    assert check.summary.text() == ("12 rows read: 2 customers to create, 1 to update, 1 "
                                    "added to a customer above, 0 skipped, 5 with errors.")
    rows = {check.table.item(r, 0).text(): check.table.item(r, 4).text()
            for r in range(check.table.rowCount())}
    assert rows["18, 19"] == f"will update {stored.code} 北京博文培训学校 (same phone)"
    assert rows["15"].startswith("error: Contact mobile: 12345")
    # Only the kinds of match this sheet has are offered.
    assert check.match_combos["same_phone"].isVisibleTo(check)
    assert not check.match_combos["same_pinyin"].isVisibleTo(check)
    # Skip look-alikes by phone: the dry run runs again, and both the stored school and
    # the other spelling of 鑫锐 further down (same phone as row 4) are skipped.
    combo = check.match_combos["same_phone"]
    combo.setCurrentIndex(combo.findData("skip"))
    qtbot.waitUntil(lambda: check.checked and "2 skipped" in check.summary.text(),
                    timeout=10_000)
    errors = tmp_path / "errors.xlsx"
    check.save_errors(str(errors))
    qtbot.waitUntil(lambda: errors.exists() and "saved to errors.xlsx" in check.summary.text())
    combo.setCurrentIndex(combo.findData("fill"))
    qtbot.waitUntil(lambda: check.checked and "1 to update" in check.summary.text(),
                    timeout=10_000)
    assert check.isCommitPage()  # past it the import is written: no way back
    wizard.next()
    assert wizard.currentId() == PAGE_RUN
    run = wizard.run_page
    qtbot.waitUntil(lambda: run.done, timeout=20_000)
    assert not wizard.button(wizard.WizardButton.BackButton).isEnabled()
    assert run.status.text() == ("2 created, 1 updated, 0 skipped, 5 rows not "
                                 "imported.")
    assert _names(uow) == ["北京博文培训学校", "北京鑫锐科技有限公司", "北京市东城区第一医院"]
    assert run.undo_button.isVisible()
    wizard.grab().save(str(tmp_path / "import_done.png"))
    run.undo_button.click()
    qtbot.waitUntil(lambda: run.status.text().startswith("Import undone"), timeout=10_000)
    assert _names(uow) == ["北京博文培训学校"]


def test_a_password_protected_workbook_says_so_and_goes_no_further(
    qtbot: QtBot, tmp_path: Path, make_context: MakeContext, manager: Actor,
) -> None:
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    wizard = _wizard(qtbot, make_context(manager, "management"), locked)
    assert not wizard.file_page.isComplete()
    assert "password" in wizard.file_page.status.text()


def test_the_list_offers_import_only_to_those_who_may(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
) -> None:
    from app.ui.customers.list_page import CustomerListPage

    for actor, shown in ((manager, True), (sales_user, False)):
        page = CustomerListPage(make_context(actor, "management"))
        qtbot.addWidget(page)
        assert page.import_button.isVisibleTo(page) is shown


def test_one_look_alike_row_decided_on_its_own(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京博文培训学校", phone="010-62223333"))
    sheet = tmp_path / "customers.csv"
    messy.write_messy_csv(sheet, "gbk")
    wizard = _wizard(qtbot, make_context(manager, "management"), sheet)
    wizard.next()
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(lambda: check.checked, timeout=10_000)
    row = next(r for r in range(check.table.rowCount())
               if check.table.item(r, 0).text() == "18, 19")
    index = check.planned_index(row)
    assert check.table.item(row, 4).text().startswith(f"will update {stored.code}")
    check.decide(index, "create")  # what the row's right-click menu does
    qtbot.waitUntil(lambda: check.checked, timeout=10_000)
    assert check.table.item(row, 4).text() == (
        f"will create (like {stored.code} 北京博文培训学校: same phone)")
    # The other look-alike by phone (鑫锐科技, like row 4) still follows its kind's choice.
    other = next(r for r in range(check.table.rowCount())
                 if check.table.item(r, 0).text() == "12")
    assert check.table.item(other, 4).text().endswith("added to it")
    assert "4 customers to create, 0 to update" in check.summary.text()


def test_opening_receivables_through_the_wizard(
    qtbot: QtBot, tmp_path: Path, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    from decimal import Decimal

    from app.models import Order

    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    sheet = tmp_path / "期初应收.csv"
    sheet.write_bytes(("往来单位,单号,日期,欠款\n"
                       f"{stored.code},XS-1,2026-09-01,1500\n"
                       "北京星辰文具店,XS-2,2026-09-02,300\n").encode("gbk"))
    wizard = ImportWizard(make_context(manager, "management"))
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.file_page
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("receivables"))
    assert "not as sales" in page.kind_note.text()
    page.path_edit.setText(str(sheet))
    qtbot.waitUntil(page.isComplete)
    wizard.next()
    assert wizard.map_page.mapping() == {0: "customer", 1: "old_number", 2: "ordered_on",
                                         3: "amount"}
    # The amount is required for this kind: unmapped, the wizard stops and says so.
    wizard.map_page.choose(3, "")
    assert not wizard.map_page.isComplete()
    assert "Amount owed" in wizard.map_page.status.text()
    wizard.map_page.choose(3, "amount")
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(lambda: check.checked, timeout=10_000)
    assert check.summary.text() == ("2 rows read: 1 opening balances to add, 0 to update, 0 "
                                    "skipped, 1 with errors. Owed in all: ¥1,500.00.")
    assert check.table.horizontalHeaderItem(2).text() == "Old number"
    assert [check.table.item(r, 4).text() for r in range(2)] == [
        f"will add ¥1,500.00 owed by {stored.code} 北京鑫锐科技有限公司",
        "error: Customer: no customer 北京星辰文具店: import the customers first"]
    assert not check.match_box.isVisibleTo(check)  # nothing stored yet: nothing to choose
    wizard.next()
    run = wizard.run_page
    qtbot.waitUntil(lambda: run.done, timeout=20_000)
    assert run.status.text() == "1 created, 0 updated, 0 skipped, 1 rows not imported."
    with uow:
        assert [tuple(r) for r in uow.session.execute(
            select(Order.customer_id, Order.total_amount, Order.opening))] == [
            (stored.id, Decimal("1500.00"), True)]


def _opened_from(qtbot: QtBot, page: Any) -> ImportWizard:
    """The wizard the page's Import… button opens (the button is shown to management)."""
    qtbot.addWidget(page)
    assert page.import_button.isVisibleTo(page)
    page.import_button.click()
    wizard = page.import_wizard
    assert isinstance(wizard, ImportWizard)
    qtbot.addWidget(wizard)
    return wizard


def test_the_product_list_opens_the_wizard_on_products(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, clerk: Actor,
) -> None:
    from app.ui.catalog.products_page import ProductListPage

    wizard = _opened_from(qtbot, ProductListPage(make_context(manager, "management")))
    assert wizard.kind.key == "products"
    assert wizard.file_page.kind_combo.currentData() == "products"
    assert "SKU" in wizard.file_page.kind_note.text()
    counter = ProductListPage(make_context(clerk))
    qtbot.addWidget(counter)
    assert not counter.import_button.isVisibleTo(counter)


def test_the_aging_report_opens_the_wizard_on_opening_balances(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
) -> None:
    from app.ui.sales.aging_page import ReceivablesAgingPage

    wizard = _opened_from(qtbot, ReceivablesAgingPage(make_context(manager, "management")))
    assert wizard.file_page.kind_combo.currentData() == "receivables"
    assert "not as sales" in wizard.file_page.kind_note.text()
    salesperson = ReceivablesAgingPage(make_context(sales_user))
    qtbot.addWidget(salesperson)
    assert not salesperson.import_button.isVisibleTo(salesperson)
