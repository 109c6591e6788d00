"""One generic check over every page of the program, as Tryton runs one test case over
every module: each page opens on demo data, every item model in it passes Qt's model
tester, and every kit list sorts by each of its sortable columns both ways (the tester
stays attached while the rows are read again) and knows its total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select

from app.demo import generate_demo_data
from app.models import Role, User
from app.models.enums import Module, Operation
from app.services.auth import actor_for
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.kit.table import PagedTableModel
from app.ui.shell.pages import page_factories

TODAY = dt.date(2026, 11, 20)
MakeContext = Callable[..., AppContext]

# Who opens each page: the general manager sees all but administration.
READERS = {Module.ADMINISTRATION: ("admin", "management")}
DEFAULT_READER = ("manager", "manager_office")
# Pages whose main list is on the kit and has rows in the demo data as the page opens
# (the ticket list opens on open tickets, of which 40 demo customers may have none).
LISTS = frozenset({Module.CUSTOMERS, Module.QUOTATIONS, Module.ORDERS, Module.PRODUCTS,
                   Module.OPPORTUNITIES, Module.CONTRACTS, Module.PAYMENTS, Module.CARE})


@pytest.fixture
def demo_data(engine: Engine, uow: UnitOfWork) -> Iterator[None]:
    generate_demo_data(engine, customers=40, seed=5, today=TODAY)
    yield


def _actor(uow: UnitOfWork, username: str) -> Actor:
    with uow:
        user, role = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.username == username)).one()
        return actor_for(user, role, None)


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(page_factories(), key=lambda m: m.value))
def test_every_page_model_passes_the_model_tester_and_sorts(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    demo_data: None, module: Module,
) -> None:
    username, station = READERS.get(module, DEFAULT_READER)
    ctx = make_context(_actor(uow, username), station)
    assert ctx.can(module, Operation.VIEW)
    page = page_factories()[module](ctx, None)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    refresh = getattr(page, "refresh", None)
    if refresh is not None and module in (Module.ADMINISTRATION, Module.TASKS):
        refresh()  # tabbed pages read when shown
    qtbot.wait(50)
    lists = page.findChildren(PagedTableModel)
    qtbot.waitUntil(lambda: not any(m.is_loading for m in lists), timeout=15_000)
    if module in LISTS:
        # Some pages do more work as they open (the care page makes the day's items
        # first): wait for the rows rather than for one quiet moment.
        qtbot.waitUntil(lambda: any(m.rowCount() for m in lists)
                        and not any(m.is_loading for m in lists), timeout=15_000)
    models = page.findChildren(QAbstractItemModel)
    assert models, f"{module.value}: no item model found"
    for model in models:
        qtmodeltester.check(model)
    sorted_lists = 0
    for model in lists:
        if model.rowCount() == 0:
            continue
        sorted_lists += 1
        assert model.total is not None, f"{module.value}: a list without its total"
        for column in range(model.columnCount()):
            if not model.sortable(column):
                continue
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                model.sort(column, order)
                qtbot.waitUntil(lambda m=model: not m.is_loading and m.error is None
                                and m.rowCount() > 0, timeout=15_000)
        model.sort(-1)
        qtbot.waitUntil(lambda m=model: not m.is_loading, timeout=15_000)
    if module in LISTS:
        # The demo data fills these pages' lists: the loop above really sorted them.
        assert sorted_lists >= 1, f"{module.value}: no list with rows"
