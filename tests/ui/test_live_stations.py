"""Live between stations (issue 15): two stations on one PostgreSQL database hear each other.

Management assigns an opportunity at its station; the salesperson's station, whose to-do
page is already open, shows it within the polling interval without a key pressed, counts
it in the status bar and on the to-do entry, and says so in a notice that opens the record.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.db import make_engine
from app.models.enums import CustomerSource
from app.services.customers import CustomerDraft, create_customer
from app.services.feed import FeedItem
from app.services.opportunities import OpportunityDraft, create_opportunity
from app.services.permissions import Actor
from app.services.routing import assign_opportunity
from app.services.uow import UnitOfWork
from app.settings import Settings
from app.ui.context import AppContext, Database, load_ui_permissions
from app.ui.shell.live import LiveFeed
from app.ui.shell.main_window import MainWindow
from app.ui.tasks import TaskManager
from app.ui.todo.page import TodoPage
from tests.ui.conftest import SHOTS_DIR

POLL_MS = 1_000


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def station(uow: UnitOfWork, station_settings: Settings, db_url: str, engine: Engine,
            qtbot: QtBot) -> Iterator[Callable[[Actor, str], AppContext]]:
    """``station(actor, code)``: a station of its own — its own engine (connection pool)
    and database worker on the shared database, as on another PC."""
    made: list[tuple[TaskManager, Engine]] = []

    def make(actor: Actor, code: str) -> AppContext:
        own_engine = make_engine(db_url) if engine.dialect.name == "postgresql" else engine
        tasks = TaskManager()
        made.append((tasks, own_engine))
        actor = dataclasses.replace(actor, station=code)
        return AppContext(settings=station_settings,
                          database=Database(db_url, own_engine, owns_engine=False),
                          actor=actor, permissions=load_ui_permissions(uow, actor),
                          tasks=tasks, language="zh")

    yield make
    for tasks, own_engine in made:
        tasks.shutdown()
        if own_engine is not engine:
            own_engine.dispose()


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_salespersons_open_todo_shows_an_opportunity_management_just_assigned(
        qtbot: QtBot, engine: Engine, station: Callable[[Actor, str], AppContext],
        clerk: Actor, office: Actor, sales_user: Actor, uow: UnitOfWork,
        language: str) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("two stations on one server: runs in the PostgreSQL suites "
                    "(STATIONCRM_TEST_DB_URL); the embedded SQLite file has one station")
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234", source=CustomerSource.WALK_IN)).id
    lead = create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=customer, title="想买一台激光打印机", expected_amount="3500"))

    # The salesperson's station: logged in, to-do page open, polling.
    sales_ctx = station(sales_user, "key_accounts")
    sales_window = _window(qtbot, sales_ctx)
    page = sales_window.open_todo()
    assert isinstance(page, TodoPage)
    qtbot.waitUntil(lambda: page.loaded and not page.model.is_loading)
    assert not any(lead.title in item.title for item in page.items)
    opened: list[FeedItem] = []
    live = LiveFeed(sales_ctx, sales_window, interval_ms=POLL_MS, opener=opened.append)
    live.start()
    qtbot.waitUntil(lambda: live._after is not None)  # where the feed stood at login

    # Management's station, on its own connection, gives the lead to the salesperson.
    office_ctx = station(office, "management")
    office_window = _window(qtbot, office_ctx)
    assigned: list[object] = []
    office_ctx.run(lambda own_uow: assign_opportunity(
        uow=own_uow, actor=office_ctx.actor, opportunity_id=lead.id,
        expected_version=lead.version, user_id=sales_user.user_id),
        on_done=assigned.append, owner=office_window)
    qtbot.waitUntil(lambda: bool(assigned))
    saved_at = time.monotonic()

    # No key pressed: within the polling interval (and the list's own read) it is there.
    qtbot.waitUntil(lambda: any(lead.title in item.title for item in page.items),
                    timeout=POLL_MS + 2_000)
    assert time.monotonic() - saved_at < POLL_MS / 1000 + 2
    assert live.unread == 1
    assert live.count_button.isVisible()
    counted = "提醒：1" if language == "zh" else "Notices: 1"
    assert live.count_button.text() == counted
    notice = live.notice.text()
    expected = (f"商机 {lead.number} 已分派给您" if language == "zh"
                else f"Opportunity {lead.number} was assigned to you")
    assert live.notice.isVisible() and notice == expected
    assert sales_window.todo_action.text().endswith("(1)")
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (1440, 900)):
        sales_window.resize(width, height)
        qtbot.wait(50)
        sales_window.grab().save(str(Path(SHOTS_DIR) / f"live_notice_{language}_{width}.png"))
    # A click on the notice opens the opportunity.
    live.notice.button.click()
    assert [(i.kind, i.record_id) for i in opened] == [("opportunity", lead.id)]
    # Looking at the to-do list reads the notices.
    sales_window.open_todo()
    live.mark_seen()
    assert live.unread == 0 and not live.count_button.isVisible()
    live.stop()


def test_a_lost_connection_pauses_the_poll_quietly_and_it_resumes(
        qtbot: QtBot, make_context: Callable[..., AppContext], sales_user: Actor) -> None:
    from app.db import DatabaseUnavailable

    ctx = make_context(sales_user, "key_accounts")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    live = LiveFeed(ctx, window, interval_ms=200)
    live.start()
    qtbot.waitUntil(lambda: live._after is not None)
    polls: list[int] = []
    original = live.poll

    def counting() -> None:
        polls.append(1)
        original()

    live._timer.timeout.disconnect()
    live._timer.timeout.connect(counting)
    window.monitor.connection_lost.emit(DatabaseUnavailable(topic="unreachable", server="test"))
    qtbot.wait(700)
    assert polls == [] and not live._timer.isActive()
    window.monitor.connection_restored.emit()
    qtbot.waitUntil(live._timer.isActive)
    qtbot.waitUntil(lambda: len(polls) >= 1, timeout=2_000)
    # A read that fails for another reason waits longer and shows nothing.
    live._on_error(RuntimeError("odd answer"))
    assert live._timer.remainingTime() > 10_000
    live.stop()
