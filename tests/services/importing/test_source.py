"""Reading sheet files: formats, encodings, header finding, and the refusals people see."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import struct
import zipfile
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path

import pytest

from app import i18n
from app.services.errors import ValidationError
from app.services.importing.source import (
    MAX_FILE_BYTES,
    Formula,
    Header,
    Source,
    SourceError,
    SourceRow,
    find_header,
    open_source,
)
from tests.services.importing import messy

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _known(name: str) -> bool:
    return name in messy.HEADER


def _read_back(values: Sequence[object]) -> tuple[object, ...]:
    """What the reader gives for cells written as ``values``."""
    cells = [value.strip() or None if isinstance(value, str) and not isinstance(value, Formula)
             else value for value in values]
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells)


def _header_and_rows(source: Source) -> tuple[Header, list[SourceRow]]:
    rows = source.rows()
    header, consumed = find_header(rows, _known)
    return header, list(chain(consumed, rows))


def _message(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        open_source(path)
    return str(caught.value)


@pytest.fixture
def messy_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "客户资料.xlsx"
    messy.write_messy_xlsx(path)
    return path


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


# --- the messy sheet ---------------------------------------------------------------------


def test_the_messy_workbook_reads_as_excel_shows_it(messy_xlsx: Path) -> None:
    with open_source(messy_xlsx) as source:
        assert (source.kind, source.encoding, source.sheets) == ("xlsx", None, (messy.SHEET,))
        header, rows = _header_and_rows(source)

    assert header == Header(messy.HEADER_ROW, messy.HEADER, messy.GROUPS)
    # Blank rows are left out; the others keep Excel's numbers.
    assert [row.number for row in rows] == list(messy.DATA_ROWS)
    assert not set(messy.BLANK_ROWS) & {row.number for row in rows}
    for row in rows:
        assert row.cells == _read_back(messy.row(row.number)), row.number

    by_number = {row.number: row.cells for row in rows}
    phone = by_number[messy.ROW_FORMULA][messy.COLUMN["联系电话"]]
    assert isinstance(phone, Formula)
    assert phone == '="010-82345678"'
    mobile = by_number[messy.ROW_NUMERIC_PHONE][messy.COLUMN["手机"]]
    assert type(mobile) is int
    assert mobile == 13812345678
    date = by_number[messy.ROW_REAL_DATE][messy.COLUMN["首次联系日期"]]
    assert isinstance(date, dt.datetime)
    assert date == dt.datetime(2023, 5, 8)
    assert by_number[messy.ROW_SPACED_NAME][0] == "朝阳区第三中学"
    assert by_number[messy.ROW_LINE_BREAK][-1] == "周一至周五\n上午联系"


@pytest.mark.parametrize(("written", "detected"), [
    ("gbk", "gb18030"),
    ("utf-8-sig", "utf-8"),
    ("utf-8", "utf-8"),
    ("utf-16", "utf-16"),
])
def test_the_messy_csv_reads_the_same_in_every_encoding(
        tmp_path: Path, messy_xlsx: Path, written: str, detected: str) -> None:
    path = tmp_path / "客户资料.csv"
    messy.write_messy_csv(path, written)
    with open_source(path) as source:
        assert (source.kind, source.encoding, source.sheets) == ("csv", detected, ("",))
        header, rows = _header_and_rows(source)
    with open_source(messy_xlsx) as workbook:
        _header, workbook_rows = _header_and_rows(workbook)

    assert header == Header(messy.HEADER_ROW, messy.HEADER, messy.GROUPS)
    # Record numbers, not line numbers: rows 3 and 20 hold a line break.
    assert [row.number for row in rows] == list(messy.DATA_ROWS)
    for row, in_workbook in zip(rows, workbook_rows, strict=True):
        assert row.cells == _read_back(messy.MESSY_CSV_ROWS[row.number - messy.FIRST_ROW])
        assert all(type(cell) is str or cell is None for cell in row.cells)
        for cell, workbook_cell in zip(row.cells, in_workbook.cells, strict=False):
            if type(workbook_cell) is str:
                assert cell == workbook_cell


def test_a_tab_delimited_text_file(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 with tabs; 地址 of row 20 holds a comma.
    path = tmp_path / "客户资料.txt"
    messy.write_messy_csv(path, "utf-16", delimiter="\t")
    with open_source(path) as source:
        assert source.encoding == "utf-16"
        header, rows = _header_and_rows(source)
    assert header.names == messy.HEADER
    assert rows[-1].cells[messy.COLUMN["地址"]] == "北京市东城区东单北大街5号,门诊楼二层"
    assert len(rows[0].cells) == messy.WIDTH


def test_semicolons_and_a_single_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("名称;电话\n甲;1\n乙;2\n", encoding="utf-8")
    with open_source(path) as source:
        assert [row.cells for row in source.rows()] == [("名称", "电话"), ("甲", "1"), ("乙", "2")]
    path.write_text("名称\n甲\n乙\n", encoding="utf-8")
    with open_source(path) as source:
        assert [row.cells for row in source.rows()] == [("名称",), ("甲",), ("乙",)]


# --- xlsx details ------------------------------------------------------------------------


def test_a_workbook_with_empty_top_rows_and_several_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "一月"
    first.cell(5, 2, "名称")  # rows 1–4 are not in the file at all
    first.cell(5, 3, True)
    first.cell(6, 2, "   ")  # only spaces: a blank row
    first.cell(7, 2, 1.5)
    first.cell(7, 4, dt.date(2024, 2, 29))
    second = book.create_sheet("二月")
    second.append(["甲", None, "乙"])
    path = tmp_path / "two.xlsm"
    book.save(path)

    with open_source(path) as source:
        assert source.sheets == ("一月", "二月")
        assert [(row.number, row.cells) for row in source.rows()] == [
            (5, (None, "名称", True)),
            (7, (None, 1.5, None, dt.datetime(2024, 2, 29))),
        ]
        assert [row.cells for row in source.rows("二月")] == [("甲", None, "乙")]
        with pytest.raises(SourceError, match="no sheet named '三月'"):
            source.rows("三月")


def test_rows_stream_a_large_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("大表")
    for number in range(20_000):
        sheet.append([f"客户{number}", number, None, "北京"])
    path = tmp_path / "big.xlsx"
    book.save(path)

    with open_source(path) as source:
        rows = source.rows()
        assert inspect.isgenerator(rows)
        count = sum(1 for _row in rows)
    assert count == 20_000


def test_a_closed_source_is_not_read(messy_xlsx: Path) -> None:
    with open_source(messy_xlsx) as source:
        pass
    with pytest.raises(RuntimeError):
        source.rows()


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path, messy_xlsx: Path) -> None:
    path = tmp_path / "客户资料.csv"
    path.write_bytes(messy_xlsx.read_bytes())
    with open_source(path) as source:
        assert source.kind == "xlsx"
        assert _header_and_rows(source)[0].names == messy.HEADER


# --- xls ---------------------------------------------------------------------------------


def _record(code: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", code, len(data)) + data


def _text(text: str, length: str) -> bytes:
    """A BIFF8 string: its length (struct code ``length``), the "uncompressed" flag, then
    UTF-16."""
    return struct.pack(f"<{length}B", len(text), 1) + text.encode("utf-16-le")


def _biff_cell(row: int, column: int, value: object) -> bytes:
    if isinstance(value, str):
        return _record(0x0204, struct.pack("<HHH", row, column, 0) + _text(value, "H"))
    if isinstance(value, bool):
        return _record(0x0205, struct.pack("<HHHBB", row, column, 0, int(value), 0))
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return _record(0x0203, struct.pack("<HHHd", row, column, 1, serial))
    assert isinstance(value, int | float)
    return _record(0x0203, struct.pack("<HHHd", row, column, 0, float(value)))


def _biff_stream(sheets: dict[str, list[list[object]]], *, encrypted: bool) -> bytes:
    """A BIFF8 workbook stream: globals (2 XF records: General and the date format 14)
    then one substream per sheet, each made only of LABEL, NUMBER and BOOLERR cells."""
    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    def xf(format_key: int) -> bytes:
        return _record(0x00E0, struct.pack("<HHHBBBBIiH", 0, format_key, 0, 0, 0, 0, 0, 0, 0, 0))

    head = bof(0x0005)
    if encrypted:
        head += _record(0x002F, struct.pack("<HHH", 1, 1, 0) + bytes(48))
    head += _record(0x0042, struct.pack("<H", 1200)) + _record(0x0022, struct.pack("<H", 0))
    head += xf(0) + xf(14)
    bodies = []
    for rows in sheets.values():
        body = bof(0x0010) + _record(0x0200, struct.pack(
            "<IIHHH", 0, len(rows), 0, max((len(r) for r in rows), default=0), 0))
        for row_index, values in enumerate(rows):
            for column, value in enumerate(values):
                if value is not None:
                    body += _biff_cell(row_index, column, value)
        bodies.append(body + _record(0x000A))
    boundsheet_sizes = [4 + 6 + 2 + 2 * len(name) for name in sheets]
    position = len(head) + sum(boundsheet_sizes) + 4
    boundsheets = b""
    for name, body in zip(sheets, bodies, strict=True):
        boundsheets += _record(0x0085, struct.pack("<IBB", position, 0, 0) + _text(name, "B"))
        position += len(body)
    return head + boundsheets + _record(0x000A) + b"".join(bodies)


def _write_xls(path: Path, sheets: dict[str, list[list[object]]], *,
               encrypted: bool = False) -> None:
    """Write a real .xls: the BIFF8 stream in a minimal OLE2 compound file (512-byte
    sectors: the FAT, the directory, then the stream, kept over the 4096-byte mini-stream
    limit so it lives in ordinary sectors)."""
    stream = _biff_stream(sheets, encrypted=encrypted)
    stream += bytes(max(0, 4096 - len(stream)))
    stream += bytes(-len(stream) % 512)
    count = len(stream) // 512
    end, free, fat_sector, nothing = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end, *range(3, 2 + count), end]
    fat += [free] * (128 - len(fat))
    header = (OLE2_MAGIC + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", nothing, nothing, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, end, 0)
                 + entry("Workbook", 2, nothing, 2, len(stream))
                 + entry("", 0, nothing, 0, 0) * 2)
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + stream)


def test_an_xls_workbook(tmp_path: Path) -> None:
    path = tmp_path / "旧表.xls"
    _write_xls(path, {
        "客户": [
            ["客户名称", "手机", "首次联系日期", "金额", "老客户"],
            [" 北京鑫锐科技有限公司 ", 13912345678, dt.datetime(2023, 5, 8), 1.5, True],
            [],
            ["朝阳区第三中学", "13701234567", None, 12.0, False],
        ],
        "空白": [],
    })
    with open_source(path) as source:
        assert (source.kind, source.encoding, source.sheets) == ("xls", None, ("客户", "空白"))
        rows = [(row.number, row.cells) for row in source.rows()]
        with pytest.raises(SourceError, match="'空白' is empty"):
            list(source.rows("空白"))
    assert rows == [
        (1, ("客户名称", "手机", "首次联系日期", "金额", "老客户")),
        (2, ("北京鑫锐科技有限公司", 13912345678, dt.datetime(2023, 5, 8), 1.5, True)),
        (4, ("朝阳区第三中学", "13701234567", None, 12, False)),
    ]
    assert type(rows[1][1][1]) is int


def test_an_xls_saved_under_the_name_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsx"
    _write_xls(path, {"Sheet1": [["名称", "电话"], ["甲", "010-1"]]})
    with open_source(path) as source:
        assert source.kind == "xls"
        assert [row.cells for row in source.rows()][-1] == ("甲", "010-1")


def test_an_encrypted_xls(tmp_path: Path) -> None:
    path = tmp_path / "locked.xls"
    _write_xls(path, {"Sheet1": [["名称"]]}, encrypted=True)
    message = _message(path)
    assert "locked.xls is protected by a password" in message
    assert "remove the password" in message


def test_a_corrupt_xls(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(os.urandom(3000))
    assert "broken.xls cannot be read as an Excel workbook" in _message(path)
    path.write_bytes(OLE2_MAGIC + bytes(3000))
    assert "broken.xls cannot be read as an Excel workbook" in _message(path)


# --- refusals ----------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    message = _message(tmp_path / "不存在.xlsx")
    assert message == "The file 不存在.xlsx cannot be found."


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "cannot be opened: it is a folder" in _message(folder)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.touch()
    assert _message(path) == "empty.csv is empty (0 bytes): there is nothing to import."


def test_a_file_of_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\r\n,,,\r\n  ,\t, \r\n\r\n", encoding="utf-8")
    with open_source(path) as source:
        with pytest.raises(SourceError, match="The sheet is empty: there is no row to read"):
            list(source.rows())
        with pytest.raises(SourceError, match="The sheet is empty"):
            find_header(source.rows(), _known)


def test_a_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(41 * 1024 * 1024)  # sparse: no 41 MB written
    message = _message(path)
    assert "huge.xlsx is 41.0 MB" in message
    assert f"{MAX_FILE_BYTES // (1024 * 1024)} MB" in message
    assert "Split the sheet into several files" in message
    smaller = tmp_path / "smaller.csv"
    with smaller.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    with pytest.raises(SourceError, match=r"is 2\.0 MB, more than the 1\.5 MB"):
        open_source(smaller, max_bytes=3 * 512 * 1024)


@pytest.mark.parametrize("name", ["客户.pdf", "客户.docx", "客户", "客户.ods"])
def test_a_kind_that_is_not_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 ...")
    message = _message(path)
    assert message.startswith(f"{name} cannot be imported")
    assert all(kind in message for kind in (".xlsx", ".xls", ".csv"))


def test_a_password_protected_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(OLE2_MAGIC + bytes(4096))
    message = _message(path)
    assert "客户.xlsx is protected by a password" in message
    assert "remove the password" in message
    assert "save it again" in message


def test_the_password_message_in_chinese(tmp_path: Path, chinese: None) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(OLE2_MAGIC + bytes(4096))
    message = _message(path)
    assert "密码" in message
    assert "文件 → 信息 → 保护工作簿" in message
    assert "客户.xlsx" in message


def test_a_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(os.urandom(5000))
    assert "broken.xlsx cannot be read as an Excel workbook" in _message(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert "broken.xlsx cannot be read as an Excel workbook" in _message(path)


def test_a_text_that_is_neither_utf8_nor_gbk(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"name,phone\r\n\xff\xfe\xff,1\r\n")
    assert "neither UTF-8 nor GBK" in _message(path)


def test_the_error_is_a_validation_error_on_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        open_source(tmp_path / "none.csv")
    assert caught.value.errors == {"file": "The file none.csv cannot be found."}


# --- find_header -------------------------------------------------------------------------


def _rows(*cells: tuple[object, ...]) -> list[SourceRow]:
    return [SourceRow(number, values) for number, values in enumerate(cells, start=1)]


def test_known_names_pick_the_header_below_a_title() -> None:
    rows = _rows(
        ("客户名单",),
        ("制表：张三", "2024-01-01"),          # two texts, but none known
        ("客户名称", "手机", "备注栏"),
        ("甲公司", "13912345678", None),
    )
    header, consumed = find_header(iter(rows), lambda name: name in {"客户名称", "手机"})
    # Any two values make the row above a group row; the title row is no header.
    assert header == Header(3, ("客户名称", "手机", "备注栏"),
                            ("制表：张三", "2024-01-01", "2024-01-01"))
    assert consumed == rows[3:]


def test_the_most_known_names_win_and_ties_go_to_the_first() -> None:
    known = {"名称", "电话", "地址"}.__contains__
    rows = _rows(("名称", "x"), ("名称", "电话"), ("电话", "地址"), ("a", "b"))
    assert find_header(rows, known)[0].row == 2
    rows = _rows(("名称", "x"), ("名称", "电话", "地址"), ("a", "b"))
    assert find_header(rows, known)[0].row == 2


def test_without_known_names_the_first_row_of_two_texts() -> None:
    rows = _rows(("2024年客户资料",), (2024, "年"), ("甲", None, "乙"), ("1", "2"))
    header, consumed = find_header(rows, lambda _name: False)
    assert header.row == 3
    assert header.names == ("甲", "", "乙")
    # Any two values make the row above a group row, numbers too.
    assert header.groups == ("2024", "年", "年")
    assert [row.number for row in consumed] == [4]


def test_formulas_and_numbers_are_no_header_names() -> None:
    rows = _rows((Formula("=A1"), Formula("=B1")), (1, 2), ("名称", "电话"))
    assert find_header(rows, lambda _name: False)[0].row == 3


def test_names_lose_their_line_breaks_and_spaces() -> None:
    rows = _rows(("客户\n名称", " 联系 电话 ", "首次联系\r\n日期"))
    header, _rest = find_header(rows, lambda _name: False)
    assert header.names == ("客户名称", "联系电话", "首次联系日期")


def test_groups_are_carried_right_up_to_the_last_named_column() -> None:
    rows = _rows(
        ("基本信息", None, "联系人", None, None, None),
        ("名称", "地址", "姓名", "手机", None, None),
    )
    header, _rest = find_header(rows, lambda name: name in {"名称", "姓名"})
    assert header.names == ("名称", "地址", "姓名", "手机", "", "")
    assert header.groups == ("基本信息", "基本信息", "联系人", "联系人", "", "")


def test_a_title_row_is_no_group_row() -> None:
    rows = _rows(("2024年客户资料",), ("名称", "电话"))
    assert find_header(rows, lambda name: name == "名称")[0].groups == ("", "")


def test_blank_rows_given_in_are_skipped() -> None:
    rows = [SourceRow(1, ("组一", None, "组二")), SourceRow(2, (None, None)),
            SourceRow(3, ("名称", "电话", "手机"))]
    header, _rest = find_header(rows, lambda name: name == "名称")
    assert header.groups == ("组一", "组一", "组二")


def test_the_header_is_looked_for_among_the_first_rows_only() -> None:
    rows = _rows(*[("说明", "文字")] * 5, ("名称", "电话"))
    assert find_header(rows, lambda name: name == "名称", look=5)[0].row == 1
    assert find_header(rows, lambda name: name == "名称", look=6)[0].row == 6


def test_no_row_at_all() -> None:
    with pytest.raises(SourceError, match="The sheet is empty: there is no row to read."):
        find_header(iter([]), _known)


def test_no_row_that_can_be_a_header() -> None:
    with pytest.raises(SourceError, match="header row cannot be found"):
        find_header(_rows(("只有一格",), (1, 2, 3)), _known)
