"""The management page (管理部, module ``TASKS``): tabs for the department's work queue.

Tabs built here: "确认队列" (:class:`ConfirmationQueueTab`, shown when the role may confirm
visits, orders or repair records) and "工作任务" (:class:`TaskListTab`).

Adding a tab from another module — opportunity routing (商机分派), customer reassignment
(客户移交) — takes one call after the page is made::

    page = ManagementPage(ctx, parent)
    page.add_tab(RoutingTab(ctx, page), page.tr("Opportunity routing"))

A tab widget may offer ``refresh()`` (F5 and the page's refresh call it on the current tab),
``on_connection_restored()`` and a ``customer_activated(int)`` signal (forwarded to the main
window, which opens the customer); the page uses them when they exist.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.models.enums import Module, Operation
from app.ui.context import AppContext
from app.ui.management.confirmation_tab import ConfirmationQueueTab
from app.ui.management.reassign_wizard import ReassignPage
from app.ui.management.routing_page import RoutingPage
from app.ui.management.tasks_tab import TaskListTab

CONFIRMED_MODULES = (Module.VISITS, Module.ORDERS, Module.SERVICE_TICKETS)


class ManagementPage(QWidget):
    """The module page of ``TASKS``: a tab per part of management's work.

    Signals:
        customer_activated(int): a tab asked to open a customer (tabs added with
            :meth:`add_tab` that have this signal are forwarded too).
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("management_page")
        self._ctx = ctx
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("management_tabs")
        self.queue_tab: ConfirmationQueueTab | None = None
        if any(ctx.can(m, Operation.CONFIRM) for m in CONFIRMED_MODULES):
            self.queue_tab = ConfirmationQueueTab(ctx, self.tabs)
            self.add_tab(self.queue_tab, self.tr("Confirmation queue"))
        self.task_tab = TaskListTab(ctx, self.tabs, today=today)
        self.add_tab(self.task_tab, self.tr("Tasks"))
        # Management only: routing needs opportunities + confirm, reassignment customers +
        # confirm (the rights the services check).
        self.routing_tab: RoutingPage | None = None
        if ctx.can(Module.OPPORTUNITIES, Operation.CONFIRM):
            self.routing_tab = RoutingPage(ctx, self.tabs)
            self.add_tab(self.routing_tab, self.tr("Opportunity routing"))
        self.reassign_tab: ReassignPage | None = None
        if ctx.can(Module.CUSTOMERS, Operation.CONFIRM):
            self.reassign_tab = ReassignPage(ctx, self.tabs)
            self.add_tab(self.reassign_tab, self.tr("Customer reassignment"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.setFocusProxy(self.tabs)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab at the end; returns its index. See the module docstring."""
        opened = getattr(widget, "customer_activated", None)
        if opened is not None:
            opened.connect(self.customer_activated)
        return self.tabs.addTab(widget, title)

    def show_tab(self, widget: QWidget) -> None:
        self.tabs.setCurrentWidget(widget)

    def refresh(self) -> None:
        current = self.tabs.currentWidget()
        refresh = getattr(current, "refresh", None)
        if callable(refresh):
            refresh()

    def on_connection_restored(self) -> None:
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            hook = getattr(widget, "on_connection_restored", None) or getattr(
                widget, "refresh", None)
            if callable(hook):
                hook()


__all__ = ["ManagementPage"]
