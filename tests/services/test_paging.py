"""The sort-and-page helper on its own: a small table of its own, paged through by every
key in both directions and compared with the same rows sorted in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Table,
    Unicode,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.orm import Session

from app.services.errors import ValidationError
from app.services.paging import (
    Sort,
    count_rows,
    next_after,
    ordered_page,
    ranked,
    split_page,
)
from tests.mssql_guard import compile_for_mssql

_META = MetaData()
probe = Table(
    "paging_probe", _META,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", Unicode(20), nullable=True),
    Column("score", Integer, nullable=True),
    Column("day", Date, nullable=False),
    Column("state", Unicode(10), nullable=True),
)

# Ties on every key, NULLs in name, score and state, ids not in the order of any value.
ROWS = [
    (7, "delta", 3, dt.date(2024, 5, 1), "done"),
    (2, None, 1, dt.date(2024, 5, 3), "new"),
    (9, "alpha", None, dt.date(2024, 5, 1), None),
    (4, "delta", None, dt.date(2024, 5, 2), "open"),
    (1, "charlie", 3, dt.date(2024, 5, 3), "done"),
    (12, None, None, dt.date(2024, 5, 1), "open"),
    (5, "bravo", 2, dt.date(2024, 5, 4), "new"),
    (11, None, 2, dt.date(2024, 5, 2), None),
    (3, "alpha", 5, dt.date(2024, 5, 4), "new"),
    (8, "echo", 1, dt.date(2024, 5, 2), "open"),
]
STATES = ("new", "open", "done")  # a lifecycle's order, not the alphabet's

COLUMNS: dict[str, Any] = {
    "name": probe.c.name,
    "score": probe.c.score,
    "day": probe.c.day,
    "state": ranked(probe.c.state, STATES),
    "id": probe.c.id,
}
NOT_NULL = ("day", "id")


def python_order(key: str, descending: bool) -> list[int]:
    """The ids in the order the helper promises: NULLs last either way, ties by id in the
    same direction."""
    place = {"name": 1, "score": 2, "day": 3, "state": 4, "id": 0}[key]

    def value(row: tuple[Any, ...]) -> Any:
        v = row[place]
        return STATES.index(v) if key == "state" and v is not None else v

    present = sorted((r for r in ROWS if value(r) is not None),
                     key=lambda r: (value(r), r[0]), reverse=descending)
    missing = sorted((r for r in ROWS if value(r) is None), key=lambda r: r[0],
                     reverse=descending)
    return [r[0] for r in present + missing]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    # No existence checks: PostgreSQL's catalog query is not for the SQL Server gate.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS paging_probe"))
    _META.create_all(engine, checkfirst=False)
    try:
        with engine.begin() as conn:
            conn.execute(insert(probe), [dict(zip(("id", "name", "score", "day", "state"),
                                                  r, strict=True)) for r in ROWS])
        with Session(engine) as s:
            yield s
    finally:
        _META.drop_all(engine, checkfirst=False)


def read_page(session: Session, sort: Sort, after: Any, limit: int, *, split: bool,
              seen: list[str] | None = None) -> list[Any]:
    """One page, as ordered_page's statement or (``split``) split_page's; ``seen`` gets
    the text of each statement run."""
    if not split:
        return list(session.execute(ordered_page(
            select(probe.c.id), columns=COLUMNS, sort=sort, id_column=probe.c.id,
            after=after, limit=limit, not_null=NOT_NULL)).all())
    params: dict[str, Any] = {}
    page = split_page(select(probe.c.id), columns=COLUMNS, sort=sort, id_column=probe.c.id,
                      after=after, limit=limit, params=params, not_null=NOT_NULL)

    def execute(stmt: Any, values: Any) -> Any:
        if seen is not None:
            seen.append(str(stmt.compile(dialect=session.get_bind().dialect)))
        return session.execute(stmt, values).all()

    return page.read(execute, params, limit)


def read_all(session: Session, sort: Sort, limit: int, *, split: bool = False
             ) -> tuple[list[int], list[Any]]:
    """Every id, page by page, and the cursors handed out on the way (``split``: each
    page of a key that may be NULL read as two ranges)."""
    ids: list[int] = []
    cursors: list[Any] = []
    after = None
    for _ in range(len(ROWS) + 2):
        rows = read_page(session, sort, after, limit, split=split)
        ids += [r.id for r in rows[:limit]]
        after = next_after(rows, limit)
        if after is None:
            return ids, cursors
        cursors.append(after)
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("split", [False, True], ids=["flag", "split"])
@pytest.mark.parametrize("descending", [False, True], ids=["up", "down"])
@pytest.mark.parametrize("key", list(COLUMNS))
def test_pages_follow_the_python_order(session: Session, key: str, descending: bool,
                                       split: bool) -> None:
    expected = python_order(key, descending)
    for limit in (1, 2, 3, len(ROWS)):
        ids, _ = read_all(session, Sort(key, descending), limit, split=split)
        assert ids == expected, (key, descending, limit)


@pytest.mark.parametrize("split", [False, True], ids=["flag", "split"])
@pytest.mark.parametrize("descending", [False, True], ids=["up", "down"])
def test_a_cursor_on_a_null_value_goes_on_among_the_nulls(session: Session,
                                                          descending: bool,
                                                          split: bool) -> None:
    ids, cursors = read_all(session, Sort("name", descending), 1, split=split)
    on_null = [c for c in cursors if c[0] is None]
    assert len(on_null) == 2  # three NULL names: the cursors after the first two
    assert ids == python_order("name", descending)
    # Straight from a NULL cursor: only the NULL rows beyond that id.
    rest = [r.id for r in read_page(session, Sort("name", descending), (None, 11), 10,
                                    split=split)]
    assert rest == ([2] if descending else [12])


def test_cursor_of_a_ranked_state_is_its_place(session: Session) -> None:
    stmt = ordered_page(select(probe.c.id), columns=COLUMNS, sort=Sort("state"),
                        id_column=probe.c.id, after=None, limit=2)
    rows = session.execute(stmt).all()
    assert next_after(rows, 2) == (0, 3)  # "new" is place 0; ids 2, 3, 5 are new
    assert next_after(rows, 3) is None


def test_an_unknown_key_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError) as refused:
        ordered_page(select(probe.c.id), columns=COLUMNS, sort=Sort("colour"),
                     id_column=probe.c.id, after=None, limit=5)
    assert "sort" in refused.value.errors
    assert "colour" in str(refused.value)


def test_a_cursor_of_another_shape_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError):
        ordered_page(select(probe.c.id), columns=COLUMNS, sort=Sort("name"),
                     id_column=probe.c.id, after="delta", limit=5)  # type: ignore[arg-type]


def test_total_counts_the_filtered_rows_whatever_the_page(session: Session) -> None:
    base = select(probe.c.id, probe.c.name).where(probe.c.day >= dt.date(2024, 5, 2))
    expected = sum(1 for r in ROWS if r[3] >= dt.date(2024, 5, 2))
    assert count_rows(session, base) == expected
    paged = ordered_page(base, columns=COLUMNS, sort=Sort("score", True),
                         id_column=probe.c.id, after=(2, 5), limit=2)
    assert len(session.execute(paged).all()) <= 3
    assert count_rows(session, base.order_by(probe.c.name).limit(1)) == expected


@pytest.mark.parametrize("after", [None, ("delta", 4), (None, 11)])
@pytest.mark.parametrize("descending", [False, True])
def test_statement_compiles_for_sql_server(after: Any, descending: bool) -> None:
    sort = Sort("name", descending)
    page = split_page(select(probe.c.id, probe.c.name), columns=COLUMNS, sort=sort,
                      id_column=probe.c.id, after=after, limit=3, params={})
    statements = [ordered_page(select(probe.c.id, probe.c.name), columns=COLUMNS, sort=sort,
                               id_column=probe.c.id, after=after, limit=3),
                  page.statement, *([page.nulls] if page.nulls is not None else [])]
    for stmt in statements:
        sql = compile_for_mssql(stmt)  # the suite's gate: no row values, LIMIT, NULLS LAST
        assert "NULLS" not in sql.upper()
        assert "TOP" in sql or "FETCH" in sql
    compile_for_mssql(select(probe.c.id).where(probe.c.day > dt.date(2024, 1, 1)))


def test_sorting_by_the_id_names_it_once() -> None:
    stmt = ordered_page(select(probe.c.name), columns=COLUMNS, sort=Sort("id", True),
                        id_column=probe.c.id, after=(5, 5), limit=3, not_null=NOT_NULL)
    order = str(stmt.compile(dialect=mssql.dialect())).split("ORDER BY")[1]
    assert order.count("paging_probe.id") == 1


def test_a_split_page_reads_the_values_and_the_nulls_as_index_ranges(session: Session) -> None:
    """Each statement of a split page is ordered by its column and the id alone (no NULL
    flag), so an index on (value, id) holds its order; the NULL rows are read only on the
    page where the values end."""
    seen: list[str] = []
    rows = read_page(session, Sort("name", True), ("charlie", 1), 2, split=True, seen=seen)
    assert [r.id for r in rows] == [5, 9, 3]
    assert len(seen) == 1
    assert "CASE" not in seen[0].split("ORDER BY")[1]
    # After the last value but one: the last value, then the first NULL rows by id.
    seen.clear()
    rows = read_page(session, Sort("name", True), ("alpha", 9), 2, split=True, seen=seen)
    assert [r.id for r in rows] == [3, 12, 11]
    assert len(seen) == 2
    assert all("CASE" not in sql.split("ORDER BY")[1] for sql in seen)
    assert "IS NULL" in seen[1]


def _scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a PostgreSQL plan (EXPLAIN … FORMAT JSON) that reads a table."""
    if "Relation Name" in plan:
        yield plan
    for child in plan.get("Plans", ()):
        yield from _scans(child)


@pytest.mark.parametrize("descending", [False, True], ids=["up", "down"])
def test_a_page_near_the_end_reads_about_a_page_of_the_index(engine: Engine,
                                                              descending: bool) -> None:
    """PostgreSQL plans each page with the cursor's values. A keyset spelled as the range
    plus ``value > at OR (value = at AND id > last)`` had it count the range twice: it
    expected a few dozen rows where a thousand were left, read them all through a bitmap
    and sorted them for every page (15 ms a page near the end of 100 000 customers). A
    page must read about a page of the index, whatever is left after it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan of PostgreSQL's planner")
    size, limit = 20_000, 50
    table = Table("paging_plan_probe", MetaData(),
                  Column("id", Integer, primary_key=True, autoincrement=False),
                  Column("phone", Unicode(20), nullable=True))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS paging_plan_probe"))
        table.create(conn)
        conn.execute(text("CREATE INDEX ix_paging_plan_probe ON paging_plan_probe "
                          "(phone, id)"))
        # Ids in no order of the phones (a multiplier prime to the size), some NULL.
        conn.execute(insert(table), [
            {"id": i, "phone": None if i % 10 == 0 else f"010-{(i * 7919) % size:08d}"}
            for i in range(1, size + 1)])
        conn.execute(text("ANALYZE paging_plan_probe"))
    try:
        ordered = sorted((f"010-{(i * 7919) % size:08d}", i) for i in range(1, size + 1)
                         if i % 10)
        # A thousand rows with a value left after the cursor.
        after = ordered[-1000] if not descending else ordered[999]
        params: dict[str, Any] = {}
        page = split_page(select(table.c.id), columns={"phone": table.c.phone},
                          sort=Sort("phone", descending), id_column=table.c.id,
                          after=after, limit=limit, params=params)
        sql = str(page.statement.params(params).compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)).scalar_one()
            rows = conn.execute(text(sql)).all()
        read = sum(node["Actual Rows"] * node["Actual Loops"]
                   for node in _scans(plan[0]["Plan"]))
        # The page (limit + 1 rows), and nothing of the rest.
        assert read <= limit + 2, plan
        following = ordered[-999:][:limit] if not descending else ordered[:999][::-1][:limit]
        assert [r.id for r in rows[:limit]] == [i for _, i in following]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS paging_plan_probe"))
