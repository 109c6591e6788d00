"""Sorting a list by one of its columns, paging it by keyset, and counting what it holds.

Every paged list service takes a :class:`Sort` (one of the keys it declares) and a cursor
``after`` from the previous page, and hands back the next cursor: the sort value and the
id of the page's last row. The UI never looks inside a cursor.

Written once for SQLite, PostgreSQL and SQL Server alike:

- NULLs sort last in both directions. SQL Server has no ``NULLS LAST``, and the engines
  disagree on where NULLs go by default, so the order starts with a 0/1 flag for NULL;
  or, for a list of plain columns, a page is two index ranges: the next rows with a
  value, then the NULL rows by id (:func:`split_page`).
- The keyset condition is spelled out with AND/NOT (:func:`past`): SQL Server has no
  row-value comparison. A cursor whose value is NULL continues among the NULL rows by id.
- Ties are broken by the id, in the sort's direction, so every row has one place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute, Session

from app.i18n import tr
from app.services.errors import ValidationError

# The labels under which the sort value and the id ride along with each row: the next
# cursor is read from them, so a service needs no knowledge of how its value was computed.
VALUE_LABEL = "paging_value"
ID_LABEL = "paging_id"

# (sort value, id) of the last row of a page.
Cursor = tuple[Any, int]
# What a list sorts by: a mapped attribute (``Order.number``) or any column expression.
SortExpr = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True)
class Sort:
    """Sort a list by the column named ``key`` (one of the list's declared sort keys)."""

    key: str
    descending: bool = False


def check_sort(sort: Sort, keys: Collection[str]) -> None:
    """Refuse a sort key the list does not offer (or not to this actor)."""
    if sort.key not in keys:
        raise ValidationError(
            {"sort": tr("This list cannot be sorted by '{key}'.", key=sort.key)})


def check_cursor(after: object) -> None:
    """Refuse anything but a (value, id) pair as a cursor: it comes back from the caller."""
    if after is not None and not (isinstance(after, tuple) and len(after) == 2
                                  and isinstance(after[1], int)):
        raise ValidationError({"after": tr("is not a position in this list")})


def ranked(column: SortExpr, order: Sequence[Any]) -> ColumnElement[int]:
    """``column``'s place in ``order`` (a lifecycle's states, say), so statuses sort in the
    order people know them rather than by their stored codes. Values not listed are NULL
    and so come last."""
    return case({value: place for place, value in enumerate(order)}, value=column)


def ordered_page(
    stmt: Select[*tuple[Any, ...]], *, columns: Mapping[str, SortExpr], sort: Sort,
    id_column: SortExpr, after: Cursor | None, limit: int,
    not_null: Collection[str] = (),
) -> Select[*tuple[Any, ...]]:
    """``stmt`` sorted by ``columns[sort.key]`` and cut to the page after ``after``.

    The statement keeps its own columns and gets two more, the sort value and the id
    (read back by :func:`next_after`); it asks for ``limit + 1`` rows, the extra one
    telling whether there is a next page.

    Args:
        columns: the list's sort keys and the expression each sorts by (already masked
            where the actor may not see a value).
        not_null: keys whose value is never NULL: their order needs no NULL flag, so the
            database can walk an index for it.
    """
    check_sort(sort, columns)
    check_cursor(after)
    value = _expression(columns[sort.key])
    id_column = _expression(id_column)
    nullable = sort.key not in not_null
    # Sorting by the id itself: a second id term would be redundant, and SQL Server refuses
    # the same column twice in ORDER BY.
    by_id = value.compare(id_column)
    if after is not None:
        stmt = stmt.where(_beyond(value, id_column, after, descending=sort.descending,
                                  nullable=nullable, by_id=by_id))
    order: list[ColumnElement[Any]] = []
    if nullable:
        order.append(_null_flag(value))
    order.append(value.desc() if sort.descending else value.asc())
    if not by_id:
        order.append(id_column.desc() if sort.descending else id_column.asc())
    return (stmt.add_columns(value.label(VALUE_LABEL), id_column.label(ID_LABEL))
            .order_by(None).order_by(*order).limit(limit + 1))


# Runs a statement with parameter values and returns its rows.
Execute = Callable[[Select[*tuple[Any, ...]], Mapping[str, Any]], Sequence[Any]]


@dataclass(frozen=True)
class SplitPage:
    """A page read as up to two index ranges (:func:`split_page`): ``statement`` always,
    ``nulls`` only when ``statement`` runs out before the page is full."""

    statement: Select[*tuple[Any, ...]]
    nulls: Select[*tuple[Any, ...]] | None = None

    def read(self, execute: Execute, params: Mapping[str, Any], limit: int) -> list[Any]:
        """The page's rows (``limit + 1`` at most, as :func:`next_after` expects), read
        with ``execute`` and the ``params`` :func:`split_page` filled in."""
        rows = list(execute(self.statement, params))
        if self.nulls is None or len(rows) > limit:
            return rows
        # The values end on this page: the rest of it from the first NULL rows.
        return rows + list(execute(self.nulls, {**params, _PAGE_ROWS: limit + 1 - len(rows)}))


def split_page(
    stmt: Select[*tuple[Any, ...]], *, columns: Mapping[str, SortExpr], sort: Sort,
    id_column: SortExpr, after: Cursor | None, limit: int, params: dict[str, Any],
    not_null: Collection[str] = (), reuse: bool = False,
) -> SplitPage:
    """:func:`ordered_page` for a statement of plain columns (no ORM entities) where the
    sort key may be NULL: the page as two index ranges, the next rows with a value and
    then, only where those run out, the first NULL rows by id (NULLs last).

    One ORDER BY starting with a NULL flag (``CASE WHEN value IS NULL …``) gives the same
    rows, but no index holds that order: every page sorted the whole list (40 ms a page
    at 100 000 customers sorted by phone on PostgreSQL). Both parts in one statement (a
    WITH of the valued rows, counted to decide on the NULL part, and the two put together
    and sorted again) cost the rest of a page's time: 3.4 against 1.8 ms for 500 rows at
    100 000 customers on SQLite. So the NULL part is a second statement, run once in a
    whole scroll, on the page where the values end. A cursor among the NULL rows reads
    only those.

    The position and the page's size go into ``params`` (execute the statements with
    them); the statements themselves depend only on whether the page starts at the top,
    after a value or after a NULL. ``reuse``: ``stmt`` is the same object page after page
    (a service builds it once), so the page's statements are kept and reused too:
    building them anew took a third of a page's time."""
    check_sort(sort, columns)
    check_cursor(after)
    value = _expression(columns[sort.key])
    id_column = _expression(id_column)
    if sort.key in not_null or value.compare(id_column):
        return SplitPage(ordered_page(stmt, columns=columns, sort=sort, id_column=id_column,
                                      after=after, limit=limit, not_null=not_null))
    position = "first" if after is None else "nulls" if after[0] is None else "values"
    params.update(_split_params(after, limit))
    build = _split_by_null_once if reuse else _split_by_null
    return build(stmt, value, id_column, position, sort.descending)


# The parameters of a page read as two ranges (:func:`_split_by_null`).
_AFTER_VALUE, _AFTER_ID, _PAGE_ROWS = "split_after_value", "split_after_id", "split_page_rows"


def _split_params(after: Cursor | None, limit: int) -> dict[str, Any]:
    values: dict[str, Any] = {_PAGE_ROWS: limit + 1}
    if after is not None:
        values[_AFTER_ID] = after[1]
        if after[0] is not None:
            values[_AFTER_VALUE] = after[0]
    return values


@functools.lru_cache(maxsize=64)
def _split_by_null_once(
    stmt: Select[*tuple[Any, ...]], value: ColumnElement[Any], id_column: ColumnElement[Any],
    position: str, descending: bool,
) -> SplitPage:
    """:func:`_split_by_null` for a statement passed again and again (the cache keeps it,
    so its identity is not reused): the same page statements each time, whose compiled
    form the engine finds without building and keying them anew."""
    return _split_by_null(stmt, value, id_column, position, descending)


def _split_by_null(
    stmt: Select[*tuple[Any, ...]], value: ColumnElement[Any], id_column: ColumnElement[Any],
    position: str, descending: bool,
) -> SplitPage:
    """The statements of a split page (:func:`split_page`), each read off an index on
    (value, id) in the sort's direction, ``limit + 1`` rows a parameter.

    ``position``: ``first`` (the first page), ``values`` (after a row with a value) or
    ``nulls`` (after a NULL row)."""

    def direction(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column.desc() if descending else column.asc()

    rows = bindparam(_PAGE_ROWS, type_=Integer)
    page = stmt.add_columns(value.label(VALUE_LABEL), id_column.label(ID_LABEL))
    nulls = page.where(value.is_(None)).order_by(None).order_by(direction(id_column))
    if position == "nulls":
        # Among the NULLs already, which only the id orders.
        last_id = bindparam(_AFTER_ID, type_=id_column.type)
        id_beyond = id_column < last_id if descending else id_column > last_id
        return SplitPage(nulls.where(id_beyond).limit(rows))
    valued = page.where(value.is_not(None))
    if position == "values":
        valued = valued.where(_beyond(
            value, id_column, (bindparam(_AFTER_VALUE, type_=value.type),
                               bindparam(_AFTER_ID, type_=id_column.type)),
            descending=descending, nullable=False, by_id=False))
    return SplitPage(valued.order_by(None).order_by(direction(value), direction(id_column))
                     .limit(rows), nulls.limit(rows))


def first_rows(stmt: Select[*tuple[Any, ...]], rows: Any) -> Select[*tuple[Any, ...]]:
    """``stmt``'s first ``rows`` in its ORDER BY, as a part of a larger statement (a
    subquery or a WITH); ``rows`` a bound parameter.

    Written with OFFSET 0 for SQL Server: there SQLAlchemy leaves out a subquery's ORDER
    BY unless it has TOP (a row count written into the text) or an OFFSET, yet still
    writes OFFSET … FETCH for the count, which SQL Server refuses without an ORDER BY."""
    return stmt.limit(rows).offset(0)


def in_chunks(session: Session, stmt: Select[*tuple[Any, ...]], *, value: SortExpr,
              id_column: SortExpr, descending: bool = False,
              params: Mapping[str, Any] | None = None, size: int = 1000,
              ) -> Iterator[Sequence[Any]]:
    """Every row of ``stmt`` in the order of ``value`` (never NULL) then id, read ``size``
    rows at a time, each chunk its own keyset query (an index range, see :func:`_beyond`).

    For exports: memory stays flat whatever the rows, and no result stays open on the
    connection between chunks (SQL Server without MARS allows one), so the caller may run
    other queries per chunk."""
    columns = {"value": value}
    sort = Sort("value", descending=descending)
    after: Cursor | None = None
    while True:
        page = ordered_page(stmt, columns=columns, sort=sort, id_column=id_column,
                            after=after, limit=size, not_null=("value",))
        rows = session.execute(page, dict(params or {})).all()
        if rows[:size]:
            yield rows[:size]
        after = next_after(rows, size)
        if after is None:
            return


def next_after(rows: Sequence[Any], limit: int) -> Cursor | None:
    """The cursor after the page's last row, from the rows of :func:`ordered_page`'s
    statement; None when the extra row is missing (the list ends on this page)."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return (getattr(last, VALUE_LABEL), getattr(last, ID_LABEL))


def count_rows(session: Session, stmt: Select[*tuple[Any, ...]],
               params: Mapping[str, Any] | None = None) -> int:
    """How many rows ``stmt`` selects, ignoring its ORDER BY and LIMIT.

    Give the statement with its filters and data scope but without a keyset condition:
    the total is the whole list's, whichever page is shown. ``params`` are the values of
    the statement's named parameters, if it has any.
    """
    inner = stmt.order_by(None).limit(None).offset(None).subquery()
    total = session.execute(select(func.count()).select_from(inner), dict(params or {}))
    return int(total.scalar_one())


def _expression(column: SortExpr) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def _null_flag(value: ColumnElement[Any]) -> ColumnElement[Any]:
    # Literal 0/1 rather than parameters: the same text in every statement.
    return case((value.is_(None), literal_column("1")), else_=literal_column("0"))


def _beyond(value: ColumnElement[Any], id_column: ColumnElement[Any],
            after: Cursor | tuple[ColumnElement[Any], ColumnElement[Any]], *,
            descending: bool, nullable: bool, by_id: bool) -> ColumnElement[bool]:
    """The rows that come after the cursor in the order :func:`ordered_page` sets."""
    at, last_id = after
    id_beyond = id_column < last_id if descending else id_column > last_id
    if at is None:
        # Among the NULLs, which come last whatever the direction: on by id only.
        return and_(value.is_(None), id_beyond)
    if by_id:
        return id_beyond
    beyond = past(value, id_column, at, last_id, descending=descending)
    return or_(beyond, value.is_(None)) if nullable else beyond


def past(value: ColumnElement[Any], id_column: ColumnElement[Any], at: Any, last_id: Any, *,
         descending: bool = False) -> ColumnElement[bool]:
    """The rows after the position (``at``, ``last_id``) in the order of ``value`` (never
    NULL here) then id: a keyset page's condition. ``at`` and ``last_id`` are values or
    bound parameters.

    An index range (value >= at) that every engine reads as one, less the rows at the
    cursor's own value up to its id (SQL Server has no row-value comparison). Spelled as
    ``value > at OR (value = at AND id > last)``, SQLite and PostgreSQL walked the sort
    index from the first row to the cursor on every page (104 ms / 2.4 s at row 900 000
    of 1 000 000). With that OR kept beside the range, PostgreSQL counted the range twice,
    expected a few hundred rows where thousands were left, and read and sorted them all
    instead of reading the index in order (15 ms a page). The NOT of an equality it
    takes, rightly, as nearly every row."""
    bound = value <= at if descending else value >= at
    id_before = id_column >= last_id if descending else id_column <= last_id
    return and_(bound, not_(and_(value == at, id_before)))


__all__ = [
    "ID_LABEL",
    "VALUE_LABEL",
    "Cursor",
    "Sort",
    "SortExpr",
    "SplitPage",
    "check_cursor",
    "check_sort",
    "count_rows",
    "first_rows",
    "next_after",
    "ordered_page",
    "past",
    "ranked",
    "split_page",
]
