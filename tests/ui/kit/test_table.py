"""The kit's paged table model against a loader that pages and sorts like a service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.errors import ValidationError
from app.services.paging import Sort
from app.ui.kit.table import ID_ROLE, Col, PagedTableModel, PageRequest


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    amount: int | None


@dataclass(frozen=True)
class Page:
    rows: tuple[Row, ...]
    next_after: tuple[Any, int] | None
    total: int | None


ROWS = [Row(i, f"name-{(i * 37) % 101:03d}", None if i % 7 == 0 else (i * 13) % 50)
        for i in range(1, 261)]


def _ordered(rows: list[Row], sort: Sort | None) -> list[Row]:
    if sort is None:
        return sorted(rows, key=lambda r: r.id)
    def value(r: Row) -> Any:
        return getattr(r, sort.key)
    present = sorted((r for r in rows if value(r) is not None),
                     key=lambda r: (value(r), r.id), reverse=sort.descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r.id,
                     reverse=sort.descending)
    return present + missing  # NULLs last, as the services do


class FakeService:
    """Keyset pages over ROWS: the cursor is the position's (value, id), like the services."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = list(rows)
        self.requests: list[PageRequest] = []
        self.fail_next = False

    def load(self, query: Any, request: PageRequest, on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        self.requests.append(request)
        if self.fail_next:
            self.fail_next = False
            on_error(RuntimeError("the server went away"))
            return
        ordered = [r for r in _ordered(self.rows, request.sort)
                   if query is None or query in r.name]
        start = 0
        if request.after is not None:
            start = next(i for i, r in enumerate(ordered) if r.id == request.after[1]) + 1
        chunk = ordered[start:start + request.limit]
        more = start + request.limit < len(ordered)
        key = request.sort.key if request.sort else "id"
        on_done(Page(tuple(chunk), (getattr(chunk[-1], key), chunk[-1].id) if more else None,
                     len(ordered) if request.with_total else None))


COLUMNS = [Col("id", "Id", lambda r: r.id, sort="id"),
           Col("name", "Name", lambda r: r.name, sort="name"),
           Col("amount", "Amount", lambda r: r.amount, sort="amount").money(),
           Col("note", "Note", lambda r: "")]


def _all_rows(model: PagedTableModel) -> list[int]:
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    return [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())]


def test_reads_page_by_page_with_the_total_and_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any,
) -> None:
    service = FakeService(ROWS)
    model = PagedTableModel(COLUMNS, service.load, page_size=50)
    model.set_query(None)
    assert model.rowCount() == 50 and model.total == 260
    # The first page comes alone (as fast as without a total), then the count, apart.
    first, count = service.requests
    assert not first.with_total and (count.limit, count.with_total) == (1, True)
    assert _all_rows(model) == [r.id for r in ROWS]
    # Later pages ask no total again, and each read doubles in size.
    assert [r.limit for r in service.requests] == [50, 1, 100, 200]
    assert not any(r.with_total for r in service.requests[2:])
    assert model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) is not None
    assert model.data(model.index(6, 2)) is None  # an empty amount shows nothing
    qtmodeltester.check(model)
    model.set_query("name-01")  # the tester stays attached and checks the reset and inserts
    assert _all_rows(model) == [r.id for r in ROWS if "name-01" in r.name]


@pytest.mark.parametrize(("column", "key"), [(1, "name"), (2, "amount")])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_clicking_a_column_reads_again_in_that_order_and_pages_on(
    qtbot: QtBot, qtmodeltester: Any, column: int, key: str, order: Qt.SortOrder,
) -> None:
    service = FakeService(ROWS)
    model = PagedTableModel(COLUMNS, service.load, page_size=40)
    qtmodeltester.check(model)
    model.set_query(None)
    asked = len(service.requests)
    model.sort(column, order)
    descending = order == Qt.SortOrder.DescendingOrder
    assert service.requests[asked].sort == Sort(key, descending)
    assert service.requests[asked].after is None and service.requests[asked + 1].with_total
    assert model.current_sort == Sort(key, descending)
    expected = [r.id for r in _ordered(ROWS, Sort(key, descending))]
    assert _all_rows(model) == expected
    assert model.total == 260
    # Back to the list's own order.
    asked = len(service.requests)
    model.sort(-1)
    assert service.requests[asked].sort is None
    assert _all_rows(model) == [r.id for r in ROWS]


def test_a_column_without_a_sort_key_does_not_sort(qtbot: QtBot) -> None:
    service = FakeService(ROWS)
    model = PagedTableModel(COLUMNS, service.load)
    model.set_query(None)
    asked = len(service.requests)
    model.sort(3, Qt.SortOrder.AscendingOrder)
    assert len(service.requests) == asked and model.current_sort is None
    assert not model.sortable(3) and model.sortable(1)


def test_pushed_out_chunks_are_read_again_from_their_cursor(qtbot: QtBot) -> None:
    rows = [Row(i, f"n{i:05d}", i) for i in range(1, 3001)]
    service = FakeService(rows)
    model = PagedTableModel(COLUMNS, service.load, page_size=100, max_cached_rows=1000,
                            main_column=1)
    model.set_query(None)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    ids = _all_rows(model)
    assert ids == [r.id for r in reversed(rows)]
    assert model.cached_row_count <= 1000  # bounded, however far one scrolls
    assert model.row_at(0) is None  # the top was pushed out…
    asked = len(service.requests)
    assert model.data(model.index(0, 1)) == "Loading…"
    request = service.requests[asked]  # …and is read again, in the same order, from the top
    assert request.sort == Sort("name", True) and request.after is None
    assert model.data(model.index(0, 1)) == "n03000"
    assert model.data(model.index(0, 0), ID_ROLE) == 3000


def test_a_screen_across_two_reads_keeps_both_once_read_again(qtbot: QtBot) -> None:
    service = FakeService(ROWS)
    model = PagedTableModel(COLUMNS, service.load, page_size=10, max_cached_rows=20,
                            main_column=1)
    model.set_query(None)
    ids = _all_rows(model)
    assert len(ids) == len(ROWS) and model.row_at(0) is None  # the top was pushed out
    # A screen of rows 0–14 is painted twice: the first paint reads back what it lacks, the
    # second finds every row held — no read pushes out another the same screen shows.
    for _paint in range(2):
        shown = [model.data(model.index(row, 1)) for row in range(15)]
    assert shown == [r.name for r in ROWS[:15]]
    asked = len(service.requests)
    assert [model.data(model.index(row, 1)) for row in range(15)] == shown
    assert len(service.requests) == asked  # nothing read again


def test_a_failed_read_is_retried_and_a_new_query_starts_over(qtbot: QtBot) -> None:
    service = FakeService(ROWS)
    model = PagedTableModel(COLUMNS, service.load, page_size=50)
    failures: list[BaseException] = []
    model.load_failed.connect(failures.append)
    model.set_query(None)
    service.fail_next = True
    model.fetchMore(model.index(-1, -1))
    assert failures and model.error is not None and not model.canFetchMore(model.index(-1, -1))
    model.retry()
    assert model.error is None and model.rowCount() == 150
    model.set_query("name-00")
    assert model.total == len([r for r in ROWS if "name-00" in r.name])
    assert {model.row_at(i).name[:7] for i in range(model.rowCount())} == {"name-00"}


def test_a_local_list_sorts_in_memory_with_empty_values_last(qtbot: QtBot) -> None:
    rows = ROWS[:30]
    asked: list[PageRequest] = []

    def load(query: Any, request: PageRequest, on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        asked.append(request)
        on_done(tuple(rows))

    model = PagedTableModel(COLUMNS, load, local=True)
    model.set_query(None)
    assert model.total == 30 and model.at_end
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert len(asked) == 1  # sorted here, not read again
    amounts = [model.row_at(i).amount for i in range(model.rowCount())]
    present = [a for a in amounts if a is not None]
    assert present == sorted(present, reverse=True)
    assert amounts[len(present):] == [None] * (30 - len(present))
    assert model.sortable(3)  # any column sorts in memory
    model.sort(-1)  # back to the order the service gave
    assert [model.row_at(i).id for i in range(30)] == [r.id for r in rows]


def test_a_sort_the_service_refuses_falls_back_to_the_lists_own_order(qtbot: QtBot) -> None:
    service = FakeService(ROWS)
    refused = {"amount"}  # e.g. a cost column hidden from this role meanwhile
    load = service.load

    def guarded(query: Any, request: PageRequest, on_done: Callable[[Any], None],
                on_error: Callable[[BaseException], None]) -> None:
        if request.sort is not None and request.sort.key in refused:
            on_error(ValidationError({"sort": "This list cannot be sorted by 'amount'."}))
            return
        load(query, request, on_done, on_error)

    model = PagedTableModel(COLUMNS, guarded, page_size=50)
    changes: list[None] = []
    model.sort_changed.connect(lambda: changes.append(None))
    model.set_query(None)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.current_sort is None and model.sort_column == -1 and model.error is None
    assert model.rowCount() == 50 and model.row_at(0).id == 1  # read again, own order
    assert len(changes) == 2  # the click, then the fallback


def test_a_refresh_keeps_the_rows_shown_until_the_new_ones_are_in(
    qtbot: QtBot, qtmodeltester: Any,
) -> None:
    service = FakeService(ROWS)
    waiting: list[tuple[Any, PageRequest, Callable[[Any], None],
                        Callable[[BaseException], None]]] = []

    def later(query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        waiting.append((query, request, on_done, on_error))

    def answer() -> None:
        service.load(*waiting.pop())

    model = PagedTableModel(COLUMNS, later, page_size=50)
    qtmodeltester.check(model)
    model.set_query(None)
    answer()  # the first page
    answer()  # its count
    assert model.rowCount() == 50 and model.total == 260
    service.rows = [Row(0, "name-new", 1), *ROWS]  # a row saved meanwhile
    model.refresh()
    assert model.is_loading and model.rowCount() == 50  # the old rows are still shown
    assert model.row_at(0).id == 1
    answer()
    assert model.row_at(0).id == 0 and model.total == 260  # the old total, until…
    answer()
    assert model.total == 261 and not model.is_loading  # …the list is counted again
    # A refresh that fails keeps the old rows; retrying reads from the top.
    model.refresh()
    waiting.pop()[3](RuntimeError("the server went away"))
    assert model.error is not None and model.rowCount() == 50
    model.retry()
    answer()
    answer()
    assert model.error is None and model.rowCount() == 50 and model.row_at(0).id == 0
    assert model.total == 261 and not waiting


def test_a_list_that_fits_its_first_page_is_not_counted(qtbot: QtBot) -> None:
    service = FakeService(ROWS[:30])
    model = PagedTableModel(COLUMNS, service.load, page_size=50)
    model.set_query(None)
    assert model.total == 30 and len(service.requests) == 1
    assert not service.requests[0].with_total


def test_a_refill_asked_for_while_a_refresh_is_on_its_way_is_dropped(qtbot: QtBot) -> None:
    service = FakeService(ROWS)
    waiting: list[tuple[Any, PageRequest, Callable[[Any], None],
                        Callable[[BaseException], None]]] = []

    def later(query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        waiting.append((query, request, on_done, on_error))

    model = PagedTableModel(COLUMNS, later, page_size=50, max_cached_rows=100)
    model.set_query(None)
    service.load(*waiting.pop())  # the first page
    service.load(*waiting.pop())  # its count
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
        service.load(*waiting.pop())
    assert model.rowCount() == 260 and model.row_at(60) is None  # pushed out
    model.refresh()
    # The view paints row 60 before the refresh's first page is in: a refill is asked.
    assert model.data(model.index(60, 0)) == "Loading…"
    replace, refill = waiting
    waiting.clear()
    service.load(*replace)  # the new first page replaces every chunk …
    service.load(*refill)   # … so the refill's answer belongs to none of them
    assert model.rowCount() == 50 and model.row_at(0).id == 1
    assert model.error is None
    service.load(*waiting.pop())  # the new list's count
    # A refill of the old rows that fails after the refresh's rows are in is no error of
    # the new list.
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
        service.load(*waiting.pop())
    model.refresh()
    assert model.data(model.index(60, 0)) == "Loading…"
    replace, refill = waiting
    waiting.clear()
    service.load(*replace)
    refill[3](RuntimeError("the server went away"))
    service.load(*waiting.pop())
    assert model.error is None and model.rowCount() == 50 and not model.is_loading
