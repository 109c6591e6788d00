"""The administration page: role editor, users, audit viewer; and PNGs of it in zh and en."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from app import i18n
from app.models import Role, RoleFieldRule, User
from app.models.enums import DataScope, FieldAccess, Module, Operation
from app.services import administration as adm
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import hidden_fields
from app.ui.admin.page import AdminPage
from app.ui.i18n import install_translator
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "admin"


def _page(qtbot, make_context, admin, language="en"):
    page = AdminPage(make_context(admin, "management", language=language))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page


def _role_id(uow, code):
    with uow:
        return uow.session.execute(select(Role.id).where(Role.code == code)).scalar_one()


def test_role_editor_hides_cost_from_a_role_and_saves(qtbot, uow, make_context, admin,
                                                      make_user):
    # Start from a role where cost is visible: a copy of the management clerk's role.
    source = adm.get_role_matrix(uow=uow, actor=admin,
                                 role_id=_role_id(uow, "management_clerk"))
    copy = adm.create_role(uow=uow, actor=admin, code="counter_plus", name_zh="门市组长",
                           name_en="Counter lead", copy_from_id=source.role.id)
    lead = make_user("lead1", "counter_plus", "storefront")
    assert "cost_price" not in hidden_fields(uow, lead, Module.PRODUCTS)

    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.roles)
    roles = page.roles
    qtbot.waitUntil(lambda: roles.role_list.count() >= 8)
    assert roles.select_role("counter_plus")
    qtbot.waitUntil(lambda: roles.matrix_data is not None
                    and roles.matrix_data.role.code == "counter_plus")
    matrix = roles.matrix
    assert matrix.is_checked(Module.PRODUCTS, Operation.VIEW)
    assert matrix.fields_text(Module.PRODUCTS).startswith("Visible")
    assert not roles.save_button.isEnabled()

    matrix.set_field_access(Module.PRODUCTS, "cost_price", FieldAccess.HIDDEN)
    matrix.set_operation(Module.CUSTOMERS, Operation.EXPORT, False)
    matrix.set_scope(Module.CUSTOMERS, DataScope.DEPARTMENT)
    assert roles.dirty and roles.save_button.isEnabled()
    assert "Cost price: Hidden" in matrix.fields_text(Module.PRODUCTS)
    qtbot.keyClick(roles, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not roles.dirty and "Saved" in roles.status.text())

    with uow:
        rules = uow.session.execute(select(RoleFieldRule.field, RoleFieldRule.access).where(
            RoleFieldRule.role_id == copy.role.id)).all()
    assert rules == [("cost_price", FieldAccess.HIDDEN)]
    # The logged-in user of that role: no cost at the next action.
    assert "cost_price" in hidden_fields(uow, lead, Module.PRODUCTS)
    saved = adm.get_role_matrix(uow=uow, actor=admin, role_id=copy.role.id)
    assert (Module.CUSTOMERS, Operation.EXPORT) not in saved.operations
    assert saved.scopes[Module.CUSTOMERS] is DataScope.DEPARTMENT
    assert saved.role.version == roles.matrix_data.role.version


def test_role_editor_refuses_a_stale_save_and_reloads(qtbot, uow, make_context, admin,
                                                      monkeypatch):
    shown = []
    monkeypatch.setattr("app.ui.admin.roles_tab.show_error", lambda parent, e: shown.append(e))
    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.roles)
    roles = page.roles
    qtbot.waitUntil(lambda: roles.role_list.count() >= 7)
    assert roles.select_role("sales")
    qtbot.waitUntil(lambda: roles.matrix_data is not None
                    and roles.matrix_data.role.code == "sales")
    # Someone else saves the role meanwhile.
    m = roles.matrix_data
    adm.save_role_matrix(uow=uow, actor=admin, role_id=m.role.id,
                         expected_version=m.role.version,
                         operations=m.operations | {(Module.STATISTICS, Operation.VIEW)},
                         scopes=m.scopes, field_rules=m.field_rules)
    roles.matrix.set_operation(Module.CUSTOMERS, Operation.VIEW, False)
    roles.save()
    qtbot.waitUntil(lambda: len(shown) > 0)
    qtbot.waitUntil(lambda: roles.matrix.is_checked(Module.STATISTICS, Operation.VIEW))
    assert roles.matrix.is_checked(Module.CUSTOMERS, Operation.VIEW)
    after = adm.get_role_matrix(uow=uow, actor=admin, role_id=m.role.id)
    assert (Module.CUSTOMERS, Operation.VIEW) in after.operations


def test_view_as_user_shows_the_clerks_role(qtbot, uow, make_context, admin, clerk):
    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.roles)
    roles = page.roles
    qtbot.waitUntil(roles.view_as_button.isEnabled)
    dialog = roles.view_as()
    qtbot.addWidget(dialog)
    dialog.choose(clerk.user_id)
    qtbot.waitUntil(lambda: dialog.preview is not None
                    and dialog.preview.user.id == clerk.user_id)
    assert dialog.matrix.is_checked(Module.CUSTOMERS, Operation.VIEW)
    assert not dialog.matrix.is_checked(Module.CUSTOMERS, Operation.EXPORT)
    assert "Cost price: Hidden" in dialog.fields.toPlainText()
    assert "Customers" in dialog.summary.text()
    dialog.close()


def test_users_tab_creates_a_user_and_refuses_deactivating_an_owner(
        qtbot, uow, make_context, admin, clerk, monkeypatch):
    create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户"))
    errors = []
    monkeypatch.setattr("app.ui.admin.users_tab.show_error", lambda parent, e: errors.append(e))
    page = _page(qtbot, make_context, admin)
    users = page.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 2)
    users.new_user()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "user_dialog" and w.isVisible())
    dialog.username.setText("wang.fang")
    dialog.display_name.setText("王芳")
    dialog.role.setCurrentIndex(dialog.role.findText("Key-account salesperson"))
    dialog.password.setText("short")
    dialog.save()
    qtbot.waitUntil(lambda: "password" in dialog.errors.text())
    dialog.password.setText("long-enough-1")
    dialog.save()
    qtbot.waitUntil(lambda: users.table.rowCount() == 3)
    with uow:
        made = uow.session.execute(select(User).where(User.username == "wang.fang")).scalar_one()
        assert made.display_name == "王芳"
    # Deactivating the clerk, who owns a customer, is refused with the reason.
    row = next(i for i in range(users.table.rowCount())
               if users.table.item(i, 0).text() == "clerk1")
    users.table.selectRow(row)
    users.toggle_selected()
    box = users._confirm
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(errors) > 0)
    assert "Hand them over" in str(errors[0])
    with uow:
        assert uow.session.get(User, clerk.user_id).active


def test_audit_viewer_filters_by_user(qtbot, uow, make_context, admin, clerk, manager):
    create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户"))
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="天津海河电子"))
    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.audit)
    audit = page.audit
    qtbot.waitUntil(lambda: audit.user.count() > 1 and len(audit.rows) >= 2)
    assert {r.user_id for r in audit.rows} >= {clerk.user_id, manager.user_id}
    audit.user.setCurrentIndex(audit.user.findData(clerk.user_id))
    audit.search()
    qtbot.waitUntil(lambda: bool(audit.rows) and all(r.user_id == clerk.user_id
                                                     for r in audit.rows))
    assert audit.model.rowCount() == 1 and audit.model.total == 1
    assert "海淀零售客户" in audit.model.index(0, 6).data()
    audit.table.selectRow(0)
    fields = {audit.detail.item(i, 0).text(): audit.detail.item(i, 2).text()
              for i in range(audit.detail.rowCount())}
    assert fields["name"] == "海淀零售客户"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_render_admin_page(qtbot, uow, make_context, admin, clerk, manager, qapp, language):
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, language, directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户",
                                                                  phone="13811112222"))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page = _page(qtbot, make_context, admin, language=resolved)
        page.resize(1366, 820)
        qtbot.waitUntil(lambda: page.users.table.rowCount() == 3)
        qtbot.wait(50)
        assert clipped_texts(page) == []
        assert page.grab().save(str(SHOTS / f"users_{language}.png"))
        page.tabs.setCurrentWidget(page.departments)
        qtbot.waitUntil(lambda: page.departments.table.rowCount() == 5)
        assert page.grab().save(str(SHOTS / f"departments_{language}.png"))
        page.tabs.setCurrentWidget(page.roles)
        qtbot.waitUntil(lambda: page.roles.matrix_data is not None)
        page.roles.select_role("counter_clerk")
        qtbot.waitUntil(lambda: page.roles.matrix_data.role.code == "counter_clerk")
        qtbot.wait(50)
        assert clipped_texts(page.roles) == []
        assert page.grab().save(str(SHOTS / f"roles_{language}.png"))
        page.tabs.setCurrentWidget(page.audit)
        qtbot.waitUntil(lambda: len(page.audit.rows) >= 1)
        page.audit.table.selectRow(0)
        qtbot.wait(50)
        assert page.grab().save(str(SHOTS / f"audit_{language}.png"))
        page.tabs.setCurrentWidget(page.roles)
        dialog = page.roles.view_as()
        qtbot.addWidget(dialog)
        dialog.choose(clerk.user_id)
        qtbot.waitUntil(lambda: dialog.preview is not None
                        and dialog.preview.user.id == clerk.user_id)
        qtbot.wait(50)
        assert dialog.grab().save(str(SHOTS / f"view_as_{language}.png"))
        dialog.close()
        from app.ui.admin.departments_tab import DepartmentDialog
        from app.ui.admin.roles_tab import RoleNameDialog
        from app.ui.admin.users_tab import PasswordDialog, UserDialog

        users = page.users
        user_row = users._rows[0]
        for name, made in (
                ("user_new", UserDialog(page.users._ctx, users._choices, None, page)),
                ("user_edit", UserDialog(page.users._ctx, users._choices, user_row, page)),
                ("password", PasswordDialog(page.users._ctx, user_row, page)),
                ("department", DepartmentDialog(page.users._ctx, None, page)),
                ("role_new", RoleNameDialog(page.users._ctx, page.roles._roles, None,
                                            page.roles._roles[0].id, page))):
            qtbot.addWidget(made)
            made.show()
            qtbot.wait(30)
            assert clipped_texts(made) == [], name
            assert made.grab().save(str(SHOTS / f"dialog_{name}_{language}.png"))
            made.close()
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")


def test_customer_list_export_only_with_the_permission(qtbot, uow, make_context, manager,
                                                       clerk, tmp_path):
    from app.ui.customers.list_page import CustomerListPage

    create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户"))
    clerk_page = CustomerListPage(make_context(clerk, "storefront"))
    qtbot.addWidget(clerk_page)
    clerk_page.show()
    assert not clerk_page.export_button.isVisible()
    page = CustomerListPage(make_context(manager, "manager_office"))
    qtbot.addWidget(page)
    page.show()
    assert page.export_button.isVisible()
    out = tmp_path / "customers.csv"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.status_label.text())
    assert "海淀零售客户" in out.read_text(encoding="utf-8-sig")


def test_done_when_cost_hidden_in_the_editor_disappears_from_the_clerks_product_list(
        qtbot, uow, make_context, admin, clerk, manager):
    """The administrator unhides and then hides cost for the counter clerk in the role
    editor; the clerk's open product list shows the cost column, then (F5) no longer."""
    from decimal import Decimal as D

    from app.services.catalog import ProductDraft, create_product
    from app.ui.catalog.products_page import ProductListPage

    create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00")))
    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.roles)
    roles = page.roles
    qtbot.waitUntil(lambda: roles.role_list.count() >= 7)
    roles.select_role("counter_clerk")
    qtbot.waitUntil(lambda: roles.matrix_data is not None
                    and roles.matrix_data.role.code == "counter_clerk")

    def set_costs(access):
        for module in (Module.PRODUCTS, Module.ORDERS, Module.SERVICE_TICKETS):
            for f in adm.PROTECTABLE_FIELDS[module]:
                roles.matrix.set_field_access(module, f.name, access)
        roles.save()
        qtbot.waitUntil(lambda: not roles.dirty and "Saved" in roles.status.text())

    set_costs(None)
    products = ProductListPage(make_context(clerk, "storefront"))
    qtbot.addWidget(products)
    products.show()
    products.refresh()
    qtbot.waitUntil(lambda: products.model.rowCount() == 1)
    assert products.cost_column_shown

    set_costs(FieldAccess.HIDDEN)
    products.refresh()
    qtbot.waitUntil(lambda: not products.cost_column_shown)
    assert "cost_price" in hidden_fields(uow, clerk, Module.PRODUCTS)


def test_new_role_copied_then_deleted_after_confirmation(qtbot, uow, make_context, admin):
    page = _page(qtbot, make_context, admin)
    page.tabs.setCurrentWidget(page.roles)
    roles = page.roles
    qtbot.waitUntil(lambda: roles.role_list.count() == 7)
    roles.select_role("sales")
    qtbot.waitUntil(lambda: roles.matrix_data is not None
                    and roles.matrix_data.role.code == "sales")
    roles.new_role()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "role_name_dialog" and w.isVisible())
    assert dialog.copy_from.currentText() == "Key-account salesperson"
    dialog.code.setText("sales_trainee")
    dialog.name_zh.setText("见习业务员")
    dialog.name_en.setText("Sales trainee")
    dialog.save()
    qtbot.waitUntil(lambda: roles.matrix_data is not None
                    and roles.matrix_data.role.code == "sales_trainee")
    assert roles.matrix.is_checked(Module.SALES_PLANS, Operation.VIEW)
    assert roles.delete_button.isEnabled()
    roles.delete_role()
    roles._question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: roles.role_list.count() == 7)
    with uow:
        assert uow.session.execute(select(Role.id).where(Role.code == "sales_trainee")
                                   ).first() is None
