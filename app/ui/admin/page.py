"""The administration module page (系统管理): users, departments, roles, audit log, company.

Other administration screens join as tabs with :meth:`AdminPage.add_tab` (the custom field
designer is added here when app/ui/admin/custom_fields.py provides it).
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.ui.admin.audit_tab import AuditTab
from app.ui.admin.company_tab import CompanyTab
from app.ui.admin.departments_tab import DepartmentsTab
from app.ui.admin.roles_tab import RolesTab
from app.ui.admin.users_tab import UsersTab
from app.ui.context import AppContext


class AdminPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("admin_page")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("admin_tabs")
        self.users = UsersTab(ctx, self)
        self.departments = DepartmentsTab(ctx, self)
        self.roles = RolesTab(ctx, self)
        self.audit = AuditTab(ctx, self)
        self.tabs.addTab(self.users, self.tr("Users"))
        self.tabs.addTab(self.departments, self.tr("Departments"))
        self.tabs.addTab(self.roles, self.tr("Roles and permissions"))
        self.tabs.addTab(self.audit, self.tr("Audit log"))
        self._add_custom_fields_designer()
        # The company details every slip prints (公司信息).
        self.company = CompanyTab(ctx, self)
        self.add_tab(self.company, self.tr("Company"))
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self._loaded: set[int] = set()
        self._tab_shown(self.tabs.currentIndex())

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add another administration screen as a tab; returns its index."""
        widget.setParent(self.tabs)
        return self.tabs.addTab(widget, title)

    def _add_custom_fields_designer(self) -> None:
        try:
            from app.ui.admin.custom_fields import CustomFieldsDesigner
        except ImportError:  # pragma: no cover - the designer ships with the program
            return
        self.custom_fields = CustomFieldsDesigner(self._ctx, self)
        self.add_tab(self.custom_fields, self.tr("Custom fields"))

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if index not in self._loaded and hasattr(widget, "refresh"):
            self._loaded.add(index)
            widget.refresh()

    def refresh(self) -> None:
        """F5: reload the tab in view."""
        widget = self.tabs.currentWidget()
        if hasattr(widget, "refresh"):
            widget.refresh()

    def on_connection_restored(self) -> None:
        self.refresh()
