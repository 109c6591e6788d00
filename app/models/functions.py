"""SQL expressions that each database spells differently, compiled per dialect.

Services use these like any SQLAlchemy function and stay free of dialect branches; the
spelling for each supported database lives here, next to the column types.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement[Any]):  # noqa: N801 - reads like the SQL function it is
    """Hours (with fraction) from the first timestamp to the second: ``end - start``."""

    type = Numeric(18, 4)
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between)
def _hours_default(element: hours_between, compiler: Any, **kw: Any) -> str:
    # PostgreSQL (and the standard): the interval's length in seconds.
    start, end = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
            f"{compiler.process(start, **kw)})) / 3600.0)")


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (f"((julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)})) * 24.0)")


@compiles(hours_between, "mssql")
def _hours_mssql(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (f"(DATEDIFF_BIG(second, {compiler.process(start, **kw)}, "
            f"{compiler.process(end, **kw)}) / 3600.0)")


__all__ = ["hours_between"]
