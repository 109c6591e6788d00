"""Customer base protection's drill-down opened from elsewhere: a to-do line, a notice.

A flagged day on the to-do list (app.ui.todo.page) and the change feed's notice of one
(kind ``"guard_alert"``, app.ui.shell.live) both open the statistics module on its
customer base protection tab (客户资源安全, app.ui.statistics.guard_page) with everything
the person read that day listed over it, as Enter on the tab's own alert does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.models.enums import Module
from app.services import guard_watch
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.statistics.guard_page import CustomerGuardPanel, ReadTrailDialog


def guard_panel(window: QWidget | None) -> CustomerGuardPanel | None:
    """Show the main window's statistics module on its customer base protection tab and
    return the tab (None: no main window, or its role has no such tab)."""
    open_module = getattr(window, "open_module", None)
    if window is None or open_module is None:
        return None
    page = open_module(Module.STATISTICS)
    select_guard = getattr(page, "select_guard", None)
    # A role with the guard but not the statistics has the panel as a page of its own.
    panel = select_guard() if select_guard is not None else open_module(
        Module.CUSTOMER_GUARD)
    if not isinstance(panel, CustomerGuardPanel):
        return None
    if window.isMinimized():
        window.showNormal()
    window.activateWindow()
    return panel


def open_guard_reads(ctx: AppContext, window: QWidget | None, user_id: int, day: dt.date, *,
                     name: str, why: str = "") -> ReadTrailDialog:
    """The statistics module's customer base protection tab, and over it what ``name``
    read on ``day`` (``why``: the alert's reasons, shown above the reads)."""
    panel = guard_panel(window)
    if panel is not None:
        return panel.show_reads(user_id, name, day, why)
    # A window without the statistics module (or none at all): the reads on their own.
    open_customer = getattr(window, "open_customer", None)

    def customer(customer_id: int, dialog: QWidget) -> None:
        dialog.close()
        if open_customer is not None:
            open_customer(customer_id)

    dialog = ReadTrailDialog(ctx, user_id, name, day, why=why, parent=window,
                             open_customer=customer if open_customer is not None else None)
    dialog.open()
    return dialog


def _alert(uow: Any, actor: Any, alert_id: int) -> tuple[int, dt.date, str, str]:
    """Whose day an alert is, their name and why (as the to-do list says it)."""
    alert = guard_watch.alert_of(uow=uow, actor=actor, alert_id=alert_id)
    return alert.user_id, alert.day, alert.user_name, alert.text


def open_guard_alert(ctx: AppContext, alert_id: int, parent: QWidget | None) -> None:
    """A notice about the alert ``alert_id`` was clicked: open its drill-down once the
    worker said whose day it is (a record opener: ``opener(ctx, record_id, parent)``)."""
    window = parent.window() if parent is not None else None
    actor = ctx.actor

    def opened(found: tuple[int, dt.date, str, str]) -> None:
        user_id, day, name, why = found
        open_guard_reads(ctx, window, user_id, day, name=name, why=why)

    owner: QObject | None = window
    ctx.run(lambda uow: _alert(uow, actor, alert_id), on_done=opened,
            on_error=lambda error: show_error(window, error), owner=owner)


__all__ = ["guard_panel", "open_guard_alert", "open_guard_reads"]
