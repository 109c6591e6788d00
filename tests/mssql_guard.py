"""Compile every statement the suite runs with SQLAlchemy's SQL Server dialect.

No SQL Server runs here, so a query SQL Server would reject (OFFSET without ORDER BY,
a row-value comparison, ...) must fail the test run instead of failing at the customer's.

Unicode rule. On SQL Server a string parameter typed ``String`` goes to the server as
VARCHAR (pyodbc's ``setinputsizes``), ``Unicode`` as NVARCHAR. A VARCHAR value is text in
the database's code page: Chinese typed at a station reaches a server whose collation is
not Chinese as ``?``, and a search compares that with the NVARCHAR column and silently
finds nothing. So the run fails on

- a non-Unicode string parameter (``String``/``VARCHAR``, enums included) compared with,
  matched by LIKE against, or written into a Unicode column (``Unicode``/``UnicodeText``,
  NVARCHAR on SQL Server), also through ``type_coerce``: bind such a value as the column's
  own type (leave ``type_`` out, or pass the column's type);
- a non-Unicode string parameter carrying anything but ASCII (in the statement or in the
  values it is executed with) that is written into a column, selected, or handed to a
  function: the VARCHAR columns hold codes (kinds, states, pinyin keys, digits), which
  are ASCII by design (app/models/base.py), and a VARCHAR value outside ASCII depends on
  the code page (written, it is lost as ``?``).

What stays allowed: a ``String`` parameter compared with a VARCHAR column (a kind, a state,
a pinyin range, phone digits, a number typed into a lookup) — an NVARCHAR parameter there
would make SQL Server convert the indexed column instead of seeking its index — also with
whatever text a person typed: ASCII codes cannot equal non-ASCII text on any engine (SQL
Server may map look-alikes such as fullwidth letters to ASCII first, which at worst finds
the code that was meant). ASCII codes as ``String`` literals in a select list
(``literal('visit', String(20))``) are fine too. Statements written as ``text()`` are not
checked (they carry no column types).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Enum, String, TypeDecorator, Unicode, UnicodeText, event
from sqlalchemy.dialects import mssql
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.dml import ValuesBase
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    ClauseList,
    ExpressionClauseList,
    Grouping,
    Label,
    TypeCoerce,
)
from sqlalchemy.types import TypeEngine

MSSQL = mssql.dialect()
# As on a connection to the oldest server StationCRM takes (app.sqlserver: 2016 SP1): a
# page's size given as a parameter is OFFSET … FETCH there, not a ROW_NUMBER() wrapper.
MSSQL.server_version_info = (13, 0, 4001)
MSSQL._setup_version_attributes()

# Constructs SQLAlchemy's mssql compiler renders without complaint but SQL Server rejects.
_REJECTED = [
    (re.compile(r"\([^()]*,[^()]*\)\s*(?:<|>|<=|>=)\s*\("), "row-value comparison"),
    (re.compile(r"\bLIMIT\s+\d|\bLIMIT\s+[:?@]", re.I), "LIMIT clause"),
    (re.compile(r"\bNULLS (FIRST|LAST)\b", re.I), "NULLS FIRST/LAST"),
    (re.compile(r"\bILIKE\b", re.I), "ILIKE"),
    (re.compile(r"\bRETURNING\b", re.I), "RETURNING (use OUTPUT)"),
    # SQL Server has no boolean IS: write column == true(), not column.is_(True).
    (re.compile(r"\bIS\s+(?:NOT\s+)?[01]\b", re.I), "IS 0/1 on a BIT column"),
]


def offsets_without_order(sql: str) -> list[int]:
    """Where ``sql`` has an OFFSET in a query (or subquery) without an ORDER BY of its own:
    SQL Server refuses it. SQLAlchemy writes one for a subquery cut to a page size given
    as a parameter but leaves its ORDER BY out unless it has an OFFSET too
    (app.services.paging.first_rows)."""
    depth, depths = 0, []
    for char in sql:
        if char == ")":
            depth -= 1
        depths.append(depth)
        if char == "(":
            depth += 1
    orders = [(m.start(), depths[m.start()]) for m in re.finditer(r"\bORDER BY\b", sql)]
    missing = []
    for found in re.finditer(r"\bOFFSET\b", sql):
        at, level = found.start(), depths[found.start()]
        # The query's own text starts after the last position above its level.
        start = max((i for i in range(at) if depths[i] < level), default=-1)
        if not any(start < pos < at and d == level for pos, d in orders):
            missing.append(at)
    return missing


class MssqlIncompatible(AssertionError):
    """A statement the suite ran would not run on SQL Server."""


class NonUnicodeBind(MssqlIncompatible):
    """A string parameter SQL Server would receive as VARCHAR where it needs NVARCHAR."""


def compile_for_mssql(statement: ClauseElement,
                      params: Sequence[Mapping[str, Any]] = ()) -> str:
    """The statement's SQL Server text; raises if SQL Server would reject or garble it.

    ``params``: the parameter sets it is executed with, for the ASCII rule on VARCHAR
    parameters (values written into the statement itself are checked too).
    """
    compiled = statement.compile(dialect=MSSQL)
    sql = str(compiled)
    for pattern, what in _REJECTED:
        if pattern.search(sql):
            raise MssqlIncompatible(f"SQL Server would reject this statement ({what}):\n{sql}")
    if offsets_without_order(sql):
        raise MssqlIncompatible("SQL Server would reject this statement (OFFSET without"
                                f" ORDER BY):\n{sql}")
    problems = [*non_unicode_comparisons(statement),
                *non_ascii_varchar_values(compiled, params, varchar_lookups(statement))]
    if problems:
        raise NonUnicodeBind(
            "SQL Server would receive text as VARCHAR (bind it as Unicode, or as the"
            " column's own type):\n  " + "\n  ".join(problems) + f"\n{sql}")
    return sql


# --- the Unicode rule ------------------------------------------------------------------


def _plain(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def is_unicode(type_: TypeEngine[Any]) -> bool:
    """NVARCHAR, NCHAR or NVARCHAR(max) on SQL Server."""
    return isinstance(_plain(type_), Unicode | UnicodeText)


def is_varchar(type_: TypeEngine[Any]) -> bool:
    """A string type SQL Server receives as VARCHAR (enums are stored as VARCHAR too)."""
    plain = _plain(type_)
    return isinstance(plain, String | Enum) and not is_unicode(plain)


def _unicode_side(element: Any) -> bool:
    """Whether ``element`` is (or type-coerces, labels or groups) Unicode text."""
    while True:
        type_ = getattr(element, "type", None)
        if isinstance(type_, TypeEngine) and is_unicode(type_):
            return True
        if isinstance(element, TypeCoerce):
            element = element.clause
        elif isinstance(element, Label | Grouping):
            element = element.element
        else:
            return False


def _binds_in(element: Any) -> Iterator[BindParameter[Any]]:
    """The parameters standing directly on one side of a comparison (BETWEEN: both ends)."""
    while isinstance(element, Grouping | TypeCoerce):
        element = element.element if isinstance(element, Grouping) else element.clause
    if isinstance(element, BindParameter):
        yield element
    elif isinstance(element, ClauseList | ExpressionClauseList):
        for clause in element.clauses:
            yield from _binds_in(clause)


def _describe(bind: BindParameter[Any], other: Any) -> str:
    name = getattr(other, "key", None) or getattr(other, "name", None) or type(other).__name__
    table = getattr(getattr(other, "table", None), "name", None)
    where = f"{table}.{name}" if table else str(name)
    return f"parameter {bind.key!r} ({bind.type!r}) meets the Unicode column {where}"


def _is_varchar_side(element: Any) -> bool:
    type_ = getattr(element, "type", None)
    return isinstance(type_, TypeEngine) and is_varchar(type_) and not _unicode_side(element)


def varchar_lookups(statement: ClauseElement) -> set[str]:
    """Keys of the VARCHAR parameters that are only compared with VARCHAR columns."""
    compared: dict[int, str] = {}
    everywhere: list[BindParameter[Any]] = []
    for element in visitors.iterate(statement):
        if isinstance(element, BindParameter):
            everywhere.append(element)
        if not isinstance(element, BinaryExpression):
            continue
        for side, other in ((element.left, element.right), (element.right, element.left)):
            if _is_varchar_side(other):
                compared.update((id(bind), bind.key) for bind in _binds_in(side))
    elsewhere = {bind.key for bind in everywhere if id(bind) not in compared}
    return set(compared.values()) - elsewhere


def non_unicode_comparisons(statement: ClauseElement) -> list[str]:
    """Non-Unicode string parameters compared with, or written into, Unicode columns."""
    found: list[str] = []
    for element in visitors.iterate(statement):
        if isinstance(element, BinaryExpression):
            for side, other in ((element.left, element.right), (element.right, element.left)):
                if not _unicode_side(other):
                    continue
                found += [_describe(b, other) for b in _binds_in(side) if is_varchar(b.type)]
        elif isinstance(element, ValuesBase):
            for column, value in _written(element):
                if _unicode_side(column):
                    found += [_describe(b, column) for b in _binds_in(value)
                              if is_varchar(b.type)]
    return found


def _written(statement: ValuesBase) -> Iterator[tuple[Any, Any]]:
    """(column, value) pairs an INSERT or UPDATE sets through ``values()``."""
    table = statement.table
    rows: list[Iterable[tuple[Any, Any]]] = []
    if statement._values:
        rows.append(statement._values.items())
    for multi in statement._multi_values or ():
        for row in multi:
            if isinstance(row, Mapping):
                rows.append(row.items())
    for row in rows:
        for key, value in row:
            column = table.c.get(key) if isinstance(key, str) else key
            if column is not None:
                yield column, value


def non_ascii_varchar_values(compiled: SQLCompiler, params: Sequence[Mapping[str, Any]],
                             lookups: Collection[str] = ()) -> list[str]:
    """VARCHAR parameters whose value (in the statement or executed with it) is not ASCII,
    but for ``lookups``: keys of parameters only compared with VARCHAR columns."""
    found: list[str] = []
    for bind, name in compiled.bind_names.items():
        if not is_varchar(bind.type) or bind.key in lookups:
            continue
        values: list[Any] = []
        if bind.callable is None and bind.value is not None:
            values.append(bind.value)
        values += [p[name] for p in params if name in p]
        for value in values:
            for item in value if isinstance(value, list | tuple | set | frozenset) else (value,):
                if isinstance(item, str) and not item.isascii():
                    found.append(f"VARCHAR parameter {name!r} ({bind.type!r}) carries"
                                 f" non-ASCII text {item!r}")
    return found


# --- the hook -------------------------------------------------------------------------


def install(engine: Engine, seen: list[str] | None = None) -> None:
    """Check each statement ``engine`` executes; ``seen`` collects the compiled SQL."""

    @event.listens_for(engine, "before_execute")
    def _check(conn: Any, clauseelement: Any, multiparams: Any, params: Any,
               execution_options: Any) -> None:
        if isinstance(clauseelement, ExecutableDDLElement):
            return  # DDL is checked separately through Alembic's offline SQL Server output
        if isinstance(clauseelement, ClauseElement) and not _is_text(clauseelement):
            executed = list(multiparams) if multiparams else [params] if params else []
            sql = compile_for_mssql(clauseelement, [p for p in executed
                                                    if isinstance(p, Mapping)])
            if seen is not None:
                seen.append(sql)


def _is_text(element: ClauseElement) -> bool:
    return element.__visit_name__ in {"textclause"}
