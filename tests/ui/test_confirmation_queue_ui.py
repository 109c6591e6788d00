"""The confirmation queue tab: every waiting record, counts per kind, confirming a selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select

from app.demo import generate_demo_data
from app.models import AuditEntry, Order, RepairRecord, Role, User, Visit
from app.services.auth import actor_for
from app.services.confirmation import RecordKind, confirm_record
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.kit.rows import held_rows
from app.ui.management.confirmation_tab import BATCH_CHUNK, ConfirmationQueueTab
from tests.services.test_confirmation import make_order, make_repair, make_visit
from tests.services.test_confirmation_queue import DEMO_DAY

MakeContext = Callable[..., AppContext]


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _queue(qtbot: QtBot, ctx: AppContext) -> ConfirmationQueueTab:
    queue = ConfirmationQueueTab(ctx)
    qtbot.addWidget(queue)
    queue.resize(1200, 520)
    queue.show()
    qtbot.waitUntil(lambda: queue.loaded and not queue.model.is_loading
                    and queue.model.total is not None)
    return queue


def _confirmed(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "confirm")).scalar_one()


def _waiting_counts(uow: UnitOfWork) -> dict[RecordKind, int]:
    """How many records of each kind wait, read straight from the tables."""
    with uow:
        return {kind: uow.session.execute(select(func.count()).select_from(model).where(
            model.confirm_status == "submitted",
            *((Order.status != "cancelled",) if model is Order else ()))).scalar_one()
            for kind, model in ((RecordKind.VISIT, Visit), (RecordKind.ORDER, Order),
                                (RecordKind.REPAIR, RepairRecord))}


@pytest.mark.slow
def test_the_queue_shows_every_waiting_demo_record_and_confirms_them_in_one_action(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, engine: Engine,
    make_context: MakeContext,
) -> None:
    generate_demo_data(engine, customers=1500, seed=1, today=DEMO_DAY)
    waiting = _waiting_counts(uow)
    total = sum(waiting.values())
    visits, orders, repairs = (waiting[k] for k in (RecordKind.VISIT, RecordKind.ORDER,
                                                     RecordKind.REPAIR))
    assert total > 200 and all(waiting.values()), waiting  # pages of every kind
    with uow:
        user, role = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.username == "office1")).one()
        office = actor_for(user, role, "management")
    queue = _queue(qtbot, make_context(office, "management"))
    qtmodeltester.check(queue.model)
    assert queue.model.rowCount() == 100  # the first page …
    assert queue.model.total == total     # … of the true total
    assert queue.message_label.text() == (
        f"{total} records wait for confirmation (100 shown).")
    assert queue.counts_label.text() == f"Visit {visits} · Order {orders} · Repair {repairs}"
    assert [queue.kind_combo.itemText(i) for i in range(queue.kind_combo.count())] == [
        f"All kinds ({total})", f"Visit ({visits})", f"Order ({orders})",
        f"Repair ({repairs})"]

    # Select all: the pages not read yet are read first; every waiting record is selected.
    queue.table.setFocus()
    queue.select_all_button.click()
    qtbot.waitUntil(lambda: len(queue.selected_items()) == total, timeout=15_000)
    assert queue.model.rowCount() == total
    assert {i.kind for i in queue.selected_items()} == set(RecordKind)
    assert queue.confirm_button.text() == f"Confirm selected ({total})"

    queue.confirm_button.click()
    assert queue.progress.isVisible() and queue.progress.maximum() == total
    assert queue.stop_button.isVisible()
    assert not queue.confirm_button.isEnabled() and not queue.return_button.isEnabled()
    qtbot.waitUntil(lambda: queue.last_batch is not None, timeout=60_000)
    assert len(queue.last_batch.confirmed) == total and queue.last_batch.refused == ()
    assert not queue.progress.isVisible()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0 and not queue.model.is_loading)
    # What was done stays in front of the count read after it.
    qtbot.waitUntil(lambda: queue.message_label.text()
                    == f"{total} confirmed. Nothing waits for confirmation.")
    assert _confirmed(uow) == total  # one audit row each
    with uow:
        for model in (Visit, Order, RepairRecord):
            assert uow.session.execute(select(func.count()).select_from(model).where(
                model.confirm_status == "submitted",
                *((Order.status != "cancelled",) if model is Order else ()))
            ).scalar_one() == 0


def test_a_selection_is_confirmed_and_what_changed_meanwhile_is_reported(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    manager: Actor, sales_user: Actor, clerk: Actor, technician: Actor, lead: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    visit = make_visit(uow, sales_user, customer, "询问复印机租赁")
    first = make_order(uow, sales_user, customer, price="450.00")
    second = make_order(uow, sales_user, customer, price="600.00")
    repair_id = make_repair(uow, clerk, lead, technician, customer)
    queue = _queue(qtbot, make_context(office, "management"))
    assert queue.message_label.text() == "4 records wait for confirmation."
    assert queue.counts_label.text() == "Visit 1 · Order 2 · Repair 1"

    # The kind filter: orders only; the counts still name every kind.
    queue.kind_combo.setCurrentIndex(queue.kind_combo.findData(RecordKind.ORDER))
    qtbot.waitUntil(lambda: not queue.model.is_loading and {
        i.kind for i in held_rows(queue.model)} == {RecordKind.ORDER})
    assert queue.message_label.text() == "2 records wait for confirmation."
    assert queue.counts_label.text() == "Visit 1 · Order 2 · Repair 1"
    queue.kind_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.model.rowCount() == 4)

    # Three selected (Ctrl+click); meanwhile the manager confirms the first order.
    assert queue.select(RecordKind.ORDER, first.id)
    listed = {i.id: i for i in held_rows(queue.model) if i.kind is RecordKind.ORDER}
    for kind, record_id in ((RecordKind.ORDER, second.id), (RecordKind.REPAIR, repair_id)):
        row = next(r for r in range(queue.model.rowCount())
                   if queue.model.row_id(r) == (kind, record_id))
        queue.table.selectionModel().select(
            queue.model.index(row, 0),
            queue.table.selectionModel().SelectionFlag.Select
            | queue.table.selectionModel().SelectionFlag.Rows)
    assert len(queue.selected_items()) == 3
    assert queue.confirm_button.text() == "Confirm selected (3)"
    confirm_record(uow=uow, actor=manager, kind="order", record_id=first.id,
                   expected_version=listed[first.id].version)

    queue.confirm_button.click()
    assert not queue.progress.isVisible()  # a small selection needs no progress bar
    qtbot.waitUntil(lambda: queue.last_batch is not None)
    assert {(r.kind, r.id) for r in queue.last_batch.confirmed} == {
        (RecordKind.ORDER, second.id), (RecordKind.REPAIR, repair_id)}
    assert [(r.kind, r.id) for r in queue.last_batch.refused] == [
        (RecordKind.ORDER, first.id)]
    box = queue.report_box
    assert box is not None and box.isVisible()
    assert first.number in box.informativeText() and "总经理" in box.informativeText()
    # (the count read after the run may follow it already)
    assert queue.message_label.text().startswith("2 confirmed. 1 left as they were.")
    box.accept()
    qtbot.waitUntil(lambda: not queue.model.is_loading
                    and {(i.kind, i.id) for i in held_rows(queue.model)} == {
                        (RecordKind.VISIT, visit.id)})
    with uow:
        assert uow.session.get(Order, first.id).confirmed_by_id == manager.user_id
        assert uow.session.get(Order, second.id).confirmed_by_id == office.user_id
        assert uow.session.get(RepairRecord, repair_id).confirm_status == "confirmed"
        assert uow.session.get(Visit, visit.id).confirm_status == "submitted"


def test_a_large_selection_shows_progress_and_stops_when_asked(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    count = BATCH_CHUNK * 2 + 5
    for n in range(count):
        make_visit(uow, sales_user, customer, f"拜访 {n}")
    queue = _queue(qtbot, make_context(office, "management"))
    queue.table.setFocus()
    qtbot.keyClick(queue.table, "a", modifier=queue_modifier())  # Ctrl+A
    qtbot.waitUntil(lambda: len(queue.selected_items()) == count)
    queue.confirm_button.click()
    assert queue.progress.isVisible() and queue.progress.maximum() == count
    queue.stop_button.click()  # after the records being confirmed now
    qtbot.waitUntil(lambda: queue.last_batch is not None)
    assert len(queue.last_batch.confirmed) == BATCH_CHUNK
    assert queue.message_label.text().startswith(
        f"{BATCH_CHUNK} confirmed. {count - BATCH_CHUNK} not confirmed (stopped).")
    assert _confirmed(uow) == BATCH_CHUNK
    qtbot.waitUntil(lambda: not queue.model.is_loading
                    and queue.model.total == count - BATCH_CHUNK)
    assert shiboken6.isValid(queue)


def queue_modifier() -> Any:
    from PySide6.QtCore import Qt
    return Qt.KeyboardModifier.ControlModifier


def test_select_all_confirms_every_waiting_record_of_the_filter_also_beyond_the_cache(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, uow: UnitOfWork,
    make_context: MakeContext, office: Actor, sales_user: Actor,
) -> None:
    # A list that holds 20 rows at most, read 10 at a time: the 45 waiting visits do
    # not fit, as 100 000 would not fit the real cache of 2 000.
    from app.ui.kit.table import PagedTableModel
    monkeypatch.setattr(ConfirmationQueueTab, "page_size", 10)
    monkeypatch.setitem(PagedTableModel.__init__.__kwdefaults__, "max_cached_rows", 20)
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    count = BATCH_CHUNK * 2 + 5
    visits = [make_visit(uow, sales_user, customer, f"拜访 {n}").id for n in range(count)]
    orders = [make_order(uow, sales_user, customer, price="450.00").id for _ in range(2)]
    queue = _queue(qtbot, make_context(office, "management"))
    assert queue.model.total == count + 2
    queue.kind_combo.setCurrentIndex(queue.kind_combo.findData(RecordKind.VISIT))
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.model.total == count)

    queue.table.setFocus()
    qtbot.keyClick(queue.table, "a", modifier=queue_modifier())  # Ctrl+A: Select all
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.message_label.text() == (
        f"All {count} waiting records are selected ({queue.model.rowCount()} shown)."))
    assert queue.all_selected
    assert queue.confirm_button.text() == f"Confirm selected ({count})"
    # The rows read are selected, but the list holds a window of them only.
    assert queue.model.cached_row_count <= 20 < count
    assert len(queue.selected_items()) < count

    queue.confirm_button.click()
    assert queue.progress.isVisible() and queue.progress.maximum() == count
    qtbot.waitUntil(lambda: queue.last_batch is not None, timeout=30_000)
    assert {(r.kind, r.id) for r in queue.last_batch.confirmed} == {
        (RecordKind.VISIT, v) for v in visits}
    assert queue.last_batch.refused == ()
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.message_label.text()
                    == f"{count} confirmed. Nothing waits for confirmation.")
    assert _confirmed(uow) == count  # one audit row each
    with uow:
        assert set(uow.session.scalars(select(Visit.id).where(
            Visit.confirm_status == "confirmed"))) == set(visits)
        # The filter was visits: the orders still wait.
        assert {uow.session.get(Order, o).confirm_status for o in orders} == {"submitted"}
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.model.total == 0)
    assert not queue.all_selected


def test_choosing_rows_after_select_all_confirms_those_rows_and_a_late_change_is_left(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, uow: UnitOfWork,
    make_context: MakeContext, office: Actor, sales_user: Actor, manager: Actor,
) -> None:
    from PySide6.QtCore import Qt

    from app.ui.kit.table import PagedTableModel
    monkeypatch.setattr(ConfirmationQueueTab, "page_size", 10)
    monkeypatch.setitem(PagedTableModel.__init__.__kwdefaults__, "max_cached_rows", 20)
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    visits = [make_visit(uow, sales_user, customer, f"拜访 {n}") for n in range(35)]
    queue = _queue(qtbot, make_context(office, "management"))
    queue.select_all_button.click()
    qtbot.waitUntil(lambda: queue.all_selected and queue.message_label.text().startswith(
        "All 35 waiting records are selected"))
    # A click on one row: the selection is that row, Select all is off.
    queue.table.scrollToTop()
    qtbot.waitUntil(lambda: queue.model.row_at(0) is not None)
    qtbot.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=queue.table.visualRect(queue.model.index(0, 1)).center())
    assert not queue.all_selected
    assert queue.confirm_button.text() == "Confirm"
    first = queue.current_item()
    assert first is not None and first.id == visits[0].id
    queue.confirm_button.click()
    qtbot.waitUntil(lambda: queue.last_batch is not None)
    assert [(r.kind, r.id) for r in queue.last_batch.confirmed] == [
        (RecordKind.VISIT, visits[0].id)]
    assert _confirmed(uow) == 1
    qtbot.waitUntil(lambda: not queue.model.is_loading and queue.model.total == 34)

    # Select all again; then, before Confirm, the manager confirms the newest visit
    # (never listed here): it is left and reported, the other 33 are confirmed.
    queue.last_batch = None
    queue.select_all_button.click()
    qtbot.waitUntil(lambda: queue.all_selected and queue.message_label.text().startswith(
        "All 34 waiting records are selected"))
    confirm_record(uow=uow, actor=manager, kind="visit", record_id=visits[-1].id,
                   expected_version=visits[-1].version)
    queue.confirm_button.click()
    qtbot.waitUntil(lambda: queue.last_batch is not None, timeout=30_000)
    assert len(queue.last_batch.confirmed) == 33
    assert [(r.kind, r.id, r.conflict) for r in queue.last_batch.refused] == [
        (RecordKind.VISIT, visits[-1].id, True)]
    box = queue.report_box
    assert box is not None and "总经理" in box.informativeText()
    box.accept()
    assert _confirmed(uow) == 1 + 33 + 1
