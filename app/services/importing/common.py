"""What the imports of one record per row share (devices, products, opening balances): the
dry run's plan, a row's cells read into field values, amounts as sheets write them.

The customer import (several rows to a customer, matching by name and phone) has its own
plan in :mod:`app.services.importing.customers`, which also holds the batch, the undo and
the helpers every import uses.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from app.i18n import tr
from app.services.importing.customers import (
    ChunkWriter,
    ImportField,
    ImportResult,
    RowIssue,
    _checked_mapping,
    _date,
    _text,
    guess_mapping,
    known_header,
    write_batch,
)
from app.services.importing.source import Formula, Header, find_header, open_source
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

# An amount as typed: a sign, the currency's sign or word before it or after it, the
# thousands set off by commas (width-folded first: ￥ is ¥, full-width digits are digits).
_AMOUNT_TEXT: Final = re.compile(r"([+-]?)(?:¥|RMB|CNY|人民币)?([\d,.]+)(?:元|RMB|CNY)?",
                                 re.IGNORECASE)
_NUMBER: Final = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?")


@dataclass(frozen=True)
class RecordPlan:
    """The dry run of a sheet of one record per row: what was read, and each row's record
    (:meth:`records`, with ``row``, ``outcome`` — create, update, skip, error — and
    ``errors``)."""

    path: str
    sheet: str | None
    header: Header
    mapping: Mapping[int, str]
    rows_read: int

    def records(self) -> Sequence[Any]:
        raise NotImplementedError

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "skip": 0, "error": 0}
        for record in self.records():
            counts[record.outcome] += 1
        return counts

    def issues(self) -> list[RowIssue]:
        """Every problem, in row order."""
        return [i for record in self.records() for i in record.errors]


def write_in_chunks(uow: UnitOfWork, actor: Actor, *, kind: str, plan: RecordPlan,
                    check: Callable[[UnitOfWork], None], write: ChunkWriter, chunk: int,
                    progress: Callable[[int, int], None] | None,
                    cancelled: Callable[[], bool]) -> ImportResult:
    """Write ``plan``'s records (customers.write_batch): ``chunk`` to a transaction, in an
    import batch of ``kind``."""
    return write_batch(uow, actor, kind=kind, plan=plan, records=plan.records(), check=check,
                       write=write, chunk=chunk, progress=progress, cancelled=cancelled)


def errors_said(errors: Iterable[RowIssue], label: Callable[[str], str]) -> str:
    """A row's errors as the dry run reports them: "error: Field: why; …"."""
    return tr("error: {reason}", reason="; ".join(
        f"{label(i.field)}: {i.message}" if i.field else i.message for i in errors))


# A sheet's rows as field values: (row number, values, the row's problems).
ReadRows = list[tuple[int, dict[str, Any], list[RowIssue]]]


def read_sheet(path: str | Path, sheet: str | None, mapping: Mapping[int, str] | None, *,
               fields: Sequence[ImportField], required: Sequence[str],
               label: Callable[[str], str], convert: Callable[[str, object], Any],
               mapped: Callable[[Mapping[int, str]], None] | None = None,
               ) -> tuple[Header, dict[int, str], ReadRows]:
    """The sheet's header, the mapping (the one given, or guessed from the header; checked:
    every ``required`` field mapped, each field once) and every row read with
    :func:`read_row`. ``mapped`` is told the mapping before any row is read (a permission
    that depends on the columns mapped)."""
    with open_source(path) as source:
        rows = source.rows(sheet)
        header, consumed = find_header(rows, known_header(fields))
        chosen = dict(mapping) if mapping is not None else guess_mapping(header, fields)
        chosen = _checked_mapping(chosen, header, fields, required={
            code: tr("no column is mapped to the {field}", field=label(code))
            for code in required})
        if mapped is not None:
            mapped(chosen)
        read = [(row.number, *read_row(row.number, row.cells, chosen, convert))
                for row in [*consumed, *rows]]
    return header, chosen, read


def read_row(number: int, cells: Sequence[object], mapping: Mapping[int, str],
             convert: Callable[[str, object], Any]) -> tuple[dict[str, Any], list[RowIssue]]:
    """Sheet row ``number`` as field values: each mapped cell through ``convert(code,
    cell)``, which raises :class:`ValueError` with the reason for a cell it refuses (or
    returns None: no value). Empty cells are left out; a formula is refused."""
    values: dict[str, Any] = {}
    issues: list[RowIssue] = []
    for column, code in mapping.items():
        raw = cells[column] if column < len(cells) else None
        if raw is None:
            continue
        if isinstance(raw, Formula):
            issues.append(RowIssue(number, code, tr(
                "holds a formula ({formula}): save the sheet with values (copy, paste "
                "values) and import it again", formula=str(raw)[:40])))
            continue
        try:
            value = convert(code, raw)
        except ValueError as error:
            issues.append(RowIssue(number, code, str(error)))
            continue
        if value is not None:
            values[code] = value
    return values, issues


def date_of(raw: object) -> Any:
    """A date cell, or :class:`ValueError` saying how to write one."""
    try:
        return _date(raw)
    except ValueError:
        raise ValueError(tr("is not a date: {text} (write it as 2024-03-05)",
                            text=_text(raw) or "")) from None


def amount_of(raw: object) -> Decimal | None:
    """An amount from a cell, exactly (never through a float's binary digits), or None
    when it is no number: a number cell, or text such as ``¥1,234.50``, ``1234.5元`` or
    ``１２３`` (full-width). Its sign and decimals are the caller's to check."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        # Excel keeps 15 significant digits: a sum pasted as a value (1234.5000000000002)
        # is the 1234.5 Excel shows, and 12.345 stays 12.345 (three decimals: refused).
        return Decimal(format(raw, ".15g")) if math.isfinite(raw) else None
    if not isinstance(raw, str):
        return None
    found = _AMOUNT_TEXT.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)))
    if found is None:
        return None
    sign, number = found.groups()
    if not _NUMBER.fullmatch(number) or not any(c.isdigit() for c in number):
        return None
    try:
        return Decimal(sign + number.replace(",", ""))
    except InvalidOperation:
        return None


__all__ = ["ImportResult", "RecordPlan", "amount_of", "date_of", "errors_said", "read_row",
           "read_sheet", "write_in_chunks"]
