"""Reading a sheet file (.xlsx, .xls, .csv) row by row as plain values, and finding its header."""

from __future__ import annotations

import codecs
import csv
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol, TypeVar

from app.i18n import tr
from app.services.errors import ValidationError

MAX_FILE_BYTES: Final = 40 * 1024 * 1024

_MB: Final = 1024 * 1024
# An encrypted .xlsx is not a zip: Excel wraps it in the OLE2 compound file that .xls also uses.
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls"})
_TEXT_SUFFIXES: Final = frozenset({".csv", ".txt"})
_CHUNK: Final = 1024 * 1024
_SNIFF_CHARS: Final = 8192
_DELIMITERS: Final = ",;\t|"
_SPACE: Final = re.compile(r"\s+")

_T = TypeVar("_T")


class SourceError(ValidationError):
    """The file cannot be read as a table; errors == {"file": message}."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message}, message)


class Formula(str):
    """A cell that holds a formula (its text, e.g. '=B2*2'), not a value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-blank row of a sheet.

    Attributes:
        number: The row's number as Excel shows it (CSV: the record's number), 1-based.
        cells: Its values: stripped ``str`` (never ""), ``int``, ``float``, ``datetime``,
            ``date``, ``time``, ``bool``, :class:`Formula` or ``None`` for an empty cell.
            Trailing empty cells are left off, so rows of one sheet differ in length.
    """

    number: int
    cells: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Header:
    """The header row found by :func:`find_header`.

    Attributes:
        row: The header row's number.
        names: One name per column, "" for a column with no header.
        groups: Per column, the text of a group header above it, else "".
    """

    row: int
    names: tuple[str, ...]
    groups: tuple[str, ...]


class _Reader(Protocol):
    sheets: tuple[str, ...]

    def raw_rows(self, sheet: str) -> Iterator[tuple[int, Sequence[object]]]: ...

    def close(self) -> None: ...


class Source:
    """An open sheet file: read it with :meth:`rows`, then :meth:`close` it (or use ``with``).

    Attributes:
        path: The file.
        kind: What the file holds, read from its first bytes: "xlsx", "xls" or "csv" (an
            .xls saved under the name .xlsx is read as "xls").
        encoding: For "csv", the text encoding: "utf-8", "utf-16" or "gb18030"; else None.
        sheets: The worksheets' names; ("",) for a CSV file.
    """

    def __init__(self, path: Path, kind: str, reader: _Reader,
                 *, encoding: str | None = None) -> None:
        self.path = path
        self.kind = kind
        self.encoding = encoding
        self.sheets: tuple[str, ...] = reader.sheets
        self._reader: _Reader | None = reader

    def rows(self, sheet: str | None = None) -> Iterator[SourceRow]:
        """Stream the non-blank rows of ``sheet`` (None: the first one).

        Blank rows are skipped; the numbers of the others stay those of the file.

        Raises:
            SourceError: There is no such sheet; or (while iterating) the sheet holds no
                non-blank row, or the file turns out to be damaged.
        """
        if self._reader is None:
            raise RuntimeError("the source is closed")
        if not self.sheets:
            raise SourceError(tr("The sheet is empty: there is no row to read."))
        name = self.sheets[0] if sheet is None else sheet
        if name not in self.sheets:
            raise SourceError(tr("There is no sheet named '{sheet}' in {file}.",
                                 sheet=name, file=self.path.name))
        return self._rows(self._reader, name)

    def _rows(self, reader: _Reader, sheet: str) -> Iterator[SourceRow]:
        found = False
        for number, cells in reader.raw_rows(sheet):
            end = len(cells)
            while end and cells[end - 1] is None:
                end -= 1
            if end:
                found = True
                yield SourceRow(number, tuple(cells[:end]))
        if not found:
            if sheet:
                raise SourceError(tr("The sheet '{sheet}' is empty: there is no row to read.",
                                     sheet=sheet))
            raise SourceError(tr("The sheet is empty: there is no row to read."))

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Source:
    """Open a sheet file for reading; the format comes from its first bytes, not its name.

    Raises:
        SourceError: The file is missing, unreadable, empty, larger than ``max_bytes``,
            not of a kind that is read, protected by a password, or damaged.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise SourceError(tr("The file {file} cannot be found.", file=name)) from None
    except OSError as error:
        raise _cannot_open(name, error) from error
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(tr("The file {file} cannot be opened: {reason}",
                             file=name, reason=tr("it is a folder, not a file")))
    suffix = path.suffix.lower()
    if suffix not in _WORKBOOK_SUFFIXES | _TEXT_SUFFIXES:
        raise SourceError(tr("{file} cannot be imported: only Excel workbooks (.xlsx, .xlsm, "
                             ".xls) and CSV files (.csv, .txt) are read.", file=name))
    if status.st_size == 0:
        raise SourceError(tr("{file} is empty (0 bytes): there is nothing to import.",
                             file=name))
    if status.st_size > max_bytes:
        raise SourceError(tr(
            "{file} is {size} MB, more than the {limit} MB that can be imported at once. "
            "Split the sheet into several files and import them one after another.",
            file=name, size=f"{status.st_size / _MB:.1f}", limit=f"{round(max_bytes / _MB, 1):g}"))
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_OLE2_MAGIC))
    except OSError as error:
        raise _cannot_open(name, error) from error

    # People rename files (an old .xls saved as .xlsx, a workbook named .csv), so the first
    # bytes choose the reader; the name only decides for files that are neither.
    if magic.startswith(_ZIP_MAGIC):
        return Source(path, "xlsx", _XlsxReader(path))
    if magic == _OLE2_MAGIC:
        ooxml = suffix in {".xlsx", ".xlsm"}
        return Source(path, "xls", _XlsReader(path, encrypted_if_unreadable=ooxml))
    if suffix in _TEXT_SUFFIXES:
        reader = _CsvReader(path)
        return Source(path, "csv", reader, encoding=reader.encoding)
    if suffix == ".xls":
        return Source(path, "xls", _XlsReader(path, encrypted_if_unreadable=False))
    return Source(path, "xlsx", _XlsxReader(path))  # not a zip: openpyxl says what is wrong


def find_header(rows: Iterable[SourceRow], known: Callable[[str], bool],
                *, look: int = 20) -> tuple[Header, list[SourceRow]]:
    """Find the header row among the first ``look`` non-blank rows.

    The header is the row with the most text cells whose name ``known`` accepts (ties: the
    first); when no row has one, the first row with at least two text cells. The row just
    above it is a group row when it has at least two values: each is carried right over the
    empty cells after it (that is how a merged cell reads), up to the next value but never
    past the header's last named column. A title row (a single value) is not a group row.
    Names and groups are the cells' text with all whitespace taken out (Excel headers often
    hold Alt+Enter line breaks).

    Args:
        rows: The rows, usually ``source.rows(sheet)``.
        known: Whether a header name is one the caller recognises.
        look: How many non-blank rows to look at.

    Returns:
        The header, and the rows after it that were read while looking: chain them before
        the rest of ``rows``.

    Raises:
        SourceError: There is no row, or no row that can be a header.
    """
    seen: list[SourceRow] = []
    for row in rows:
        if all(cell is None for cell in row.cells):
            continue
        seen.append(row)
        if len(seen) >= look:
            break
    if not seen:
        raise SourceError(tr("The sheet is empty: there is no row to read."))

    scores = [sum(1 for cell in row.cells if _is_text(cell) and _name(cell)
                  and known(_name(cell))) for row in seen]
    best = max(scores)
    if best:
        index = scores.index(best)
    else:
        index = next((i for i, row in enumerate(seen)
                      if sum(1 for cell in row.cells if _is_text(cell) and _name(cell)) >= 2),
                     -1)
        if index < 0:
            raise SourceError(tr("The header row cannot be found: none of the first {look} "
                                 "rows holds at least two column names.", look=len(seen)))
    row = seen[index]
    names = tuple(_name(cell) for cell in row.cells)
    groups = _groups(seen[index - 1] if index else None, names)
    return Header(row.number, names, groups), seen[index + 1:]


def _is_text(cell: object) -> bool:
    return isinstance(cell, str) and not isinstance(cell, Formula)


def _name(cell: object) -> str:
    return "" if cell is None else _SPACE.sub("", str(cell))


def _groups(above: SourceRow | None, names: tuple[str, ...]) -> tuple[str, ...]:
    if above is None or sum(1 for cell in above.cells if cell is not None) < 2:
        return ("",) * len(names)
    last = max((i for i, name in enumerate(names) if name), default=-1)
    groups: list[str] = []
    current = ""
    for column in range(len(names)):
        value = above.cells[column] if column < len(above.cells) else None
        if value is not None:
            current = _name(value)
        groups.append(current if column <= last else "")
    return tuple(groups)


def _cannot_open(name: str, error: OSError) -> SourceError:
    return SourceError(tr("The file {file} cannot be opened: {reason}",
                          file=name, reason=error.strerror or str(error)))


def _unreadable(path: Path, error: BaseException) -> SourceError:
    reason = str(error) or type(error).__name__
    return SourceError(tr("{file} cannot be read as an Excel workbook: {reason}",
                          file=path.name, reason=reason))


def _protected(path: Path) -> SourceError:
    return SourceError(tr("{file} is protected by a password. Open it in Excel, remove the "
                          "password (File → Info → Protect Workbook) and save it again.",
                          file=path.name))


def _guarded(rows: Iterator[_T], path: Path) -> Iterator[_T]:
    """``rows``, with a library's error on a damaged sheet turned into a SourceError."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        # Each part of a damaged file breaks the library differently (zip, XML, a missing
        # part, a bad number); all of them mean the same to the person importing.
        except Exception as error:
            raise _unreadable(path, error) from error
        yield row


class _XlsxReader:
    """.xlsx and .xlsm through openpyxl's read-only mode: rows are parsed as they are read."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self._path = path
        # A file object, not the name: openpyxl refuses names that do not end in .xlsx/.xlsm.
        try:
            self._handle: IO[bytes] = path.open("rb")
        except OSError as error:
            raise _cannot_open(path.name, error) from error
        try:
            # data_only=False: a formula cell reads as its text, so the import can refuse it
            # rather than take a cached result that may be stale or missing.
            self._book: Any = load_workbook(self._handle, read_only=True, data_only=False)
        except Exception as error:
            self._handle.close()
            raise _unreadable(path, error) from error
        # Chart sheets have no cells.
        self.sheets = tuple(str(sheet.title) for sheet in self._book.worksheets)

    def raw_rows(self, sheet: str) -> Iterator[tuple[int, Sequence[object]]]:
        worksheet = self._book[sheet]
        # Some programs write a wrong <dimension>, and openpyxl would stop reading at it.
        worksheet.reset_dimensions()
        number = 0
        for cells in _guarded(iter(worksheet.iter_rows(min_row=1)), self._path):
            # openpyxl fills missing rows with empty ones, so counting gives the row number;
            # a real cell knows its own, and is trusted over the count.
            number += 1
            for cell in cells:
                row = getattr(cell, "row", None)
                if row is not None:
                    number = row
                    break
            yield number, [_xlsx_value(cell) for cell in cells]

    def close(self) -> None:
        self._book.close()
        self._handle.close()


def _xlsx_value(cell: Any) -> object:
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f":
        # Array and data-table formulas come as objects holding the text.
        text = value if isinstance(value, str) else getattr(value, "text", None) or "="
        return Formula(text)
    if isinstance(value, str):
        return value.strip() or None
    return value


class _Quiet:
    """A log file for xlrd, which otherwise prints its warnings on standard output."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class _XlsReader:
    """.xls (Excel 97–2003) through xlrd, sheets loaded one at a time."""

    def __init__(self, path: Path, *, encrypted_if_unreadable: bool) -> None:
        import xlrd

        self._path = path
        self._xlrd: Any = xlrd
        try:
            self._book: Any = xlrd.open_workbook(str(path), on_demand=True, logfile=_Quiet())
        except Exception as error:
            # An OLE2 file named .xlsx that xlrd cannot read is an encrypted workbook.
            if encrypted_if_unreadable or "encrypted" in str(error).lower():
                raise _protected(path) from error
            raise _unreadable(path, error) from error
        self.sheets = tuple(str(name) for name in self._book.sheet_names())

    def raw_rows(self, sheet: str) -> Iterator[tuple[int, Sequence[object]]]:
        try:
            data = self._book.sheet_by_name(sheet)
        except Exception as error:
            raise _unreadable(self._path, error) from error
        for index in range(data.nrows):
            yield index + 1, [self._value(cell) for cell in data.row(index)]

    def _value(self, cell: Any) -> object:
        xlrd = self._xlrd
        kind, value = cell.ctype, cell.value
        if kind in {xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK}:
            return None
        if kind == xlrd.XL_CELL_TEXT:
            return str(value).strip() or None
        if kind == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(value, self._book.datemode)
            except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                return _whole(value)
        if kind == xlrd.XL_CELL_NUMBER:
            return _whole(value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return bool(value)
        if kind == xlrd.XL_CELL_ERROR:
            return str(xlrd.error_text_from_code.get(value, "#ERROR"))
        return value

    def close(self) -> None:
        self._book.release_resources()


def _whole(value: float) -> int | float:
    """xlrd gives every number as a float; 13812345678.0 is meant as 13812345678."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


class _CsvReader:
    """Delimited text: the encoding and the delimiter are found when the file is opened."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.sheets: tuple[str, ...] = ("",)
        self.encoding, self._codec = _text_encoding(path)
        try:
            with path.open(encoding=self._codec, newline="") as handle:
                sample = handle.read(_SNIFF_CHARS)
        except (OSError, UnicodeDecodeError) as error:
            raise self._unreadable(error) from error
        self._delimiter = _delimiter(sample)

    def raw_rows(self, sheet: str) -> Iterator[tuple[int, Sequence[object]]]:
        try:
            handle = self._path.open(encoding=self._codec, newline="")
        except OSError as error:
            raise self._unreadable(error) from error
        with handle:
            records = csv.reader(handle, delimiter=self._delimiter)
            number = 0
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    return
                except (csv.Error, UnicodeDecodeError, OSError) as error:
                    raise self._unreadable(error) from error
                number += 1
                yield number, [text.strip() or None for text in record]

    def _unreadable(self, error: Exception) -> SourceError:
        return SourceError(tr("{file} cannot be read as a CSV file: {reason}",
                              file=self._path.name, reason=str(error)))

    def close(self) -> None:
        pass  # each pass over the rows opens and closes the file itself


def _text_encoding(path: Path) -> tuple[str, str]:
    """The encoding to report and the codec to read with."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            if head.startswith(codecs.BOM_UTF8):
                return "utf-8", "utf-8-sig"
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16", "utf-16"  # the codec reads the byte order from the BOM
            # Chinese Excel saves "CSV (comma delimited)" in GBK, of which GB18030 is a
            # superset; whatever is valid UTF-8 is taken as UTF-8 first.
            for codec in ("utf-8", "gb18030"):
                handle.seek(0)
                if _decodes(handle, codec):
                    return codec, "utf-8-sig" if codec == "utf-8" else codec
    except OSError as error:
        raise _cannot_open(path.name, error) from error
    raise SourceError(tr("{file} cannot be read as text: it is neither UTF-8 nor GBK. "
                         "Save it from Excel again as \"CSV UTF-8\".", file=path.name))


def _decodes(handle: IO[bytes], codec: str) -> bool:
    """Whether the whole file decodes strictly, read a chunk at a time."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(sample: str) -> str:
    # A cut-off last line would count its delimiters short and confuse the sniffer.
    if "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","
