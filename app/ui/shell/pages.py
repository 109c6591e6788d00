"""Module pages of the main window: which widget each module shows, and placeholders.

To add a screen, write a page widget taking ``(ctx, parent)`` and register it in
:func:`page_factories` (and its module in :data:`PAGE_MODULES`). A page may offer these
optional methods, which the main window calls when they exist: ``focus_search()``
(Ctrl+F), ``refresh()`` (F5), ``on_connection_restored()`` (the server answers again after
a drop) and ``new_record()`` (File → New, Ctrl+N: a record of the page's kind, offered
while the page's ``new_button`` is not hidden; elsewhere Ctrl+N makes a new customer). A
page keeps no Ctrl+N of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.enums import Module, StationCode
from app.ui import labels

if TYPE_CHECKING:
    # Only a type here: app.ui.shell.startup reads PAGE_MODULES before the database layer
    # that app.ui.context brings is loaded.
    from app.ui.context import AppContext

PageFactory = Callable[["AppContext", QWidget | None], QWidget]

# The issue (see `issues list`) that brings each module's screens.
PLANNED_IN_ISSUE: Mapping[Module, int] = {
    Module.VISITS: 4,
    Module.SALES_PLANS: 4,
    Module.OPPORTUNITIES: 4,
    Module.PRODUCTS: 4,
    Module.QUOTATIONS: 4,
    Module.ORDERS: 4,
    Module.PAYMENTS: 4,
    Module.CONTRACTS: 5,
    Module.SERVICE_TICKETS: 5,
    Module.KNOWLEDGE: 5,
    Module.TASKS: 6,
    Module.CARE: 6,
    Module.STATISTICS: 6,
    Module.ADMINISTRATION: 7,
}

# The module a station opens on (when the role may see it).
STATION_HOME: Mapping[StationCode, Module] = {
    StationCode.STOREFRONT: Module.CUSTOMERS,
    StationCode.KEY_ACCOUNTS: Module.CUSTOMERS,
    StationCode.REPAIR: Module.SERVICE_TICKETS,
    StationCode.MANAGEMENT: Module.TASKS,
    StationCode.MANAGER_OFFICE: Module.STATISTICS,
}


# A module that is a tab of another module's page (客户资源安全 in the statistics window):
# listed in the navigator as a page of its own only for a role that does not see the other.
TAB_OF: Mapping[Module, Module] = {Module.CUSTOMER_GUARD: Module.STATISTICS}


def navigator_modules(visible: tuple[Module, ...]) -> tuple[Module, ...]:
    """The modules the navigator lists: ``visible`` but those shown as another's tab."""
    return tuple(m for m in visible if TAB_OF.get(m) not in visible)


# The modules page_factories() imports. At program start app.ui.shell.startup imports them
# one by one while the login is on screen, so the main window opens without waiting for
# them; a test keeps this list and page_factories() in step.
PAGE_MODULES: tuple[str, ...] = (
    "app.ui.admin.page", "app.ui.care.page", "app.ui.catalog.products_page",
    "app.ui.contracts.page", "app.ui.customers.list_page", "app.ui.knowledge.page",
    "app.ui.management.page", "app.ui.opportunities.page", "app.ui.plans.page",
    "app.ui.sales.list_pages", "app.ui.sales.payments_page", "app.ui.service.tickets_page",
    "app.ui.statistics.guard_page", "app.ui.statistics.page", "app.ui.visits.walk_in_page",
)


def page_factories() -> dict[Module, PageFactory]:
    """The screens built so far; every other module shows a :class:`PlaceholderPage`."""
    from app.ui.admin.page import AdminPage
    from app.ui.care.page import CarePage
    from app.ui.catalog.products_page import ProductListPage
    from app.ui.contracts.page import ContractListPage
    from app.ui.customers.list_page import CustomerListPage
    from app.ui.knowledge.page import KnowledgePage
    from app.ui.management.page import ManagementPage
    from app.ui.opportunities.page import OpportunityListPage
    from app.ui.plans.page import SalesPlanPage
    from app.ui.sales.list_pages import OrderListPage, QuotationListPage
    from app.ui.sales.payments_page import PaymentsPage
    from app.ui.service.tickets_page import TicketListPage
    from app.ui.statistics.guard_page import CustomerGuardPanel
    from app.ui.statistics.page import StatisticsPage
    from app.ui.visits.walk_in_page import WalkInPage

    return {Module.CUSTOMERS: CustomerListPage, Module.VISITS: WalkInPage,
            Module.QUOTATIONS: QuotationListPage,
            Module.ORDERS: OrderListPage,
            Module.PRODUCTS: ProductListPage,
            Module.PAYMENTS: PaymentsPage,
            Module.OPPORTUNITIES: OpportunityListPage,
            Module.SALES_PLANS: SalesPlanPage,
            Module.SERVICE_TICKETS: TicketListPage,
            Module.CONTRACTS: ContractListPage,
            Module.ADMINISTRATION: AdminPage,
            Module.KNOWLEDGE: KnowledgePage,
            Module.TASKS: ManagementPage,
            Module.STATISTICS: StatisticsPage,
            Module.CUSTOMER_GUARD: CustomerGuardPanel,
            Module.CARE: CarePage}


def home_module(station: StationCode | None, visible: tuple[Module, ...]) -> Module | None:
    """The module to open first: the station's own if visible, else the first visible one."""
    preferred = STATION_HOME.get(station) if station else None
    if preferred in visible:
        return preferred
    return visible[0] if visible else None


class PlaceholderPage(QWidget):
    """Stands in for a module whose screens arrive with a later issue."""

    def __init__(self, module: Module, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.module = module
        self.setObjectName(f"placeholder_{module.value}")
        title = QLabel(labels.module_label(module), self)
        title.setObjectName("placeholder_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        issue = PLANNED_IN_ISSUE.get(module)
        text = (self.tr("This part of StationCRM is coming with issue {number}.").format(
                    number=issue) if issue is not None
                else self.tr("This part of StationCRM is coming in a later version."))
        body = QLabel(text, self)
        body.setObjectName("placeholder_text")
        body.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (title, body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
