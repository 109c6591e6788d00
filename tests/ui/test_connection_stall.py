"""A server that stops answering (a network black hole): the banner shows within 5 s even
while the worker is stuck in a call, the person can stop waiting, and typed text stays."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.saving import Abandoned
from app.services.permissions import Actor
from app.ui.context import AppContext
from app.ui.customers.list_page import CustomerListPage
from app.ui.shell.main_window import MainWindow

MakeContext = Callable[..., AppContext]


class BlackHole:
    """A ping that hangs while the hole is open, as a server cut off by the network."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.closed = threading.Event()
        self.closed.set()
        self.pings = 0

    def swallow(self) -> None:
        self.closed.clear()
        self.open.set()

    def release(self) -> None:
        self.open.clear()
        self.closed.set()

    def __call__(self) -> None:
        self.pings += 1
        self.closed.wait(30)


def _window(qtbot: QtBot, ctx: AppContext, ping: Callable[[], None]) -> MainWindow:
    window = MainWindow(ctx, ping=ping, check_interval_ms=60_000, retry_interval_ms=200)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_stuck_call_shows_the_banner_within_five_seconds_and_can_be_abandoned(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    hole = BlackHole()
    ctx = make_context(clerk, "storefront")
    window = _window(qtbot, ctx, hole)
    page = window.stack.currentWidget()
    assert isinstance(page, CustomerListPage)
    ctx.tasks.wait_until_idle()
    page.search_edit.setText("北京鑫")  # typed while the server is away

    hole.swallow()
    outcome: list[object] = []
    started = time.monotonic()
    ctx.tasks.run_in_background(lambda: hole.closed.wait(30), on_done=outcome.append,
                                on_error=outcome.append)
    qtbot.waitUntil(window.banner.isVisible, timeout=5000)
    shown_after = time.monotonic() - started
    assert shown_after < 5.0
    assert "stopped answering" in window.banner_label.text()
    connection = window.statusBar().findChild(QLabel, "status_connection")
    assert connection.text() == "● Reconnecting…"
    qtbot.waitUntil(window.stop_waiting_button.isVisible, timeout=2000)

    # Stop waiting: the stuck call's caller hears at once; the next call is not queued
    # behind it.
    window.stop_waiting_button.click()
    qtbot.waitUntil(lambda: bool(outcome), timeout=1000)
    assert isinstance(outcome[0], Abandoned)
    assert not window.stop_waiting_button.isVisible()
    later: list[object] = []
    ctx.tasks.run_in_background(lambda: "answered", on_done=later.append)
    qtbot.waitUntil(lambda: later == ["answered"], timeout=2000)

    hole.release()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5000)
    assert connection.text() == "● Connected"
    assert page.search_edit.text() == "北京鑫"
    time.sleep(0.1)
    ctx.tasks.wait_until_idle(2000)
    assert len(outcome) == 1  # the abandoned call's late result went nowhere


def test_a_slow_call_on_a_server_that_answers_shows_no_banner(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor,
) -> None:
    pings: list[float] = []
    ctx = make_context(clerk, "storefront")
    window = _window(qtbot, ctx, lambda: pings.append(time.monotonic()))
    ctx.tasks.wait_until_idle()
    done = threading.Event()
    result: list[object] = []
    ctx.tasks.run_in_background(lambda: done.wait(3), on_done=result.append)
    qtbot.waitUntil(lambda: bool(pings), timeout=3000)  # the slow call made it look
    qtbot.wait(600)
    assert not window.banner.isVisible()
    assert not window.stop_waiting_button.isVisible()
    done.set()
    qtbot.waitUntil(lambda: result == [True], timeout=3000)
