"""Compile every statement the suite runs with SQLAlchemy's SQL Server dialect.

No SQL Server runs here, so a query SQL Server would reject (OFFSET without ORDER BY,
a row-value comparison, ...) must fail the test run instead of failing at the customer's.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.dialects import mssql
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.ddl import ExecutableDDLElement

MSSQL = mssql.dialect()

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


class MssqlIncompatible(AssertionError):
    """A statement the suite ran would not run on SQL Server."""


def compile_for_mssql(statement: ClauseElement) -> str:
    sql = str(statement.compile(dialect=MSSQL))
    for pattern, what in _REJECTED:
        if pattern.search(sql):
            raise MssqlIncompatible(f"SQL Server would reject this statement ({what}):\n{sql}")
    return sql


def install(engine: Engine, seen: list[str] | None = None) -> None:
    """Check each statement ``engine`` executes; ``seen`` collects the compiled SQL."""

    @event.listens_for(engine, "before_execute")
    def _check(conn: Any, clauseelement: Any, multiparams: Any, params: Any,
               execution_options: Any) -> None:
        if isinstance(clauseelement, ExecutableDDLElement):
            return  # DDL is checked separately through Alembic's offline SQL Server output
        if isinstance(clauseelement, ClauseElement) and not _is_text(clauseelement):
            sql = compile_for_mssql(clauseelement)
            if seen is not None:
                seen.append(sql)


def _is_text(element: ClauseElement) -> bool:
    return element.__visit_name__ in {"textclause"}
