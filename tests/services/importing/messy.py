"""A messy customer sheet as Chinese offices keep them, written as .xlsx or CSV for import tests.

The sheet (11 columns, A–K) holds a merged title, a group row, a header with an Alt+Enter
line break, blank rows between companies, one row per contact, phones written every way,
dates as real dates and as text, and a few rows that must be refused. :data:`MESSY_ROWS`
lists every row from row 4 on, with its row number in the workbook in the comment; tests
name rows by the ``ROW_*`` constants rather than by counting.

CSV has no merged cells and no formulas: there the title is a row with the title in its
first cell, the group row has its texts among empty cells, and each cell holds what Excel
would write for it (:func:`csv_text`): the real date as "2023/5/8", the formula's result,
the numeric phone as digits.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Final

from app.services.importing.source import Formula

SHEET: Final = "客户资料"
TITLE: Final = "2024年客户资料（导入用）"
TITLE_ROW: Final = 1
GROUP_ROW: Final = 2
HEADER_ROW: Final = 3
FIRST_ROW: Final = 4  # the row of MESSY_ROWS[0]
WIDTH: Final = 11

# Row 2 as written: "联系人" merged over F2:H2 and "补充信息" over I2:K2. A group row needs
# two values to be told from a title row (find_header), and the second one also ends the
# carrying of "联系人" at column H.
GROUP_CELLS: Final[tuple[str | None, ...]] = (
    None, None, None, None, None, "联系人", None, None, "补充信息", None, None)
# Row 3 as written; J3 holds an Alt+Enter line break, as Excel headers often do.
HEADER_CELLS: Final[tuple[str, ...]] = (
    "客户名称", "简称", "客户类别", "来源", "联系电话", "姓名", "职务", "手机", "地址",
    "首次联系\n日期", "备注")
# What find_header makes of rows 2 and 3.
HEADER: Final[tuple[str, ...]] = (
    "客户名称", "简称", "客户类别", "来源", "联系电话", "姓名", "职务", "手机", "地址",
    "首次联系日期", "备注")
GROUPS: Final[tuple[str, ...]] = ("",) * 5 + ("联系人",) * 3 + ("补充信息",) * 3
COLUMN: Final[dict[str, int]] = {name: index for index, name in enumerate(HEADER)}

FORMULA_PHONE: Final = Formula('="010-82345678"')  # typed so to keep the leading 0
FORMULA_RESULT: Final = "010-82345678"
NUMERIC_PHONE: Final = 13812345678
REAL_DATE: Final = dt.datetime(2023, 5, 8)

_ = None
BLANK: Final[tuple[None, ...]] = (None,) * WIDTH

# 客户名称, 简称, 客户类别, 来源, 联系电话, 姓名, 职务, 手机, 地址, 首次联系日期, 备注
MESSY_ROWS: Final[list[tuple[object, ...]]] = [
    # 4: company 1, contact 1 of 3; office phone with a space and a dash; a real date.
    ("北京鑫锐科技有限公司", "鑫锐", "A", "拜访", "010 6588-1234", "王建国", "总经理",
     "13912345678", "北京市朝阳区建国路88号", REAL_DATE, "老客户"),
    # 5: company 1 repeated, contact 2; the same office phone written 010-65881234;
    #    a mobile in full-width digits.
    ("北京鑫锐科技有限公司", "鑫锐", "A", "拜访", "010-65881234", "李娜", "行政主管",
     "１３９１２３４５６７８", _, _, _),
    # 6: company 1, contact 3, the company's columns left empty; the mobile is a number
    #    cell (int) in the workbook.
    (_, _, _, _, _, "张伟", "网管", NUMERIC_PHONE, _, _, _),
    # 7: blank.
    BLANK,
    # 8: company 2; 联系电话 is a formula in the workbook; a date typed as text 年月日.
    ("北京华信打印耗材有限公司", "华信耗材", "B类", "转介绍", FORMULA_PHONE, "赵敏", "采购",
     "13698765432", "北京市海淀区中关村大街1号", "2023年7月1日", _),
    # 9: blank.
    BLANK,
    # 10: company 3, no 北京, no 有限公司; spaces and a full-width space around the name;
    #     a date that cannot be read (下周三).
    ("  朝阳区第三中学\u3000", _, "C", "来电", "010-6501 2345", "刘老师", "信息中心主任",
     "13701234567", "北京市朝阳区朝阳路3号", "下周三", "学校"),
    # 11: blank.
    BLANK,
    # 12: company 1 again under another spelling (鑫锐科技), same phone and contact as row 4.
    ("鑫锐科技", _, "A", "转介绍", "010-65881234", "王建国", "总经理", "13912345678",
     _, _, "与第4行是同一家公司"),
    # 13: blank.
    BLANK,
    # 14: invalid: no 客户名称 (and no contact), only a phone; it follows a blank row, so it
    #     is not a further contact of the row above.
    (_, _, _, _, "010-88889999", _, _, _, _, _, "只有电话"),
    # 15: invalid: 手机 "12345" is not a mobile number.
    ("北京星辰文具店", "星辰文具", "C", "到店", _, "孙丽", "店长", "12345",
     "北京市西城区西单北大街100号", _, _),
    # 16: invalid: 客户类别 "Z" is no customer class.
    ("天津远航物流有限公司", "远航物流", "Z", "网络", "022-23456789", "周强", "经理",
     "15022223333", "天津市河西区友谊路20号", _, _),
    # 17: blank.
    BLANK,
    # 18: company 5, contact 1 of 2; a mobile with spaces.
    ("北京博文培训学校", "博文", "C类", "网络", "010-62223333", "陈静", "校长",
     "186 1234 5678", "北京市海淀区学院路15号", _, _),
    # 19: company 5 repeated, contact 2; a mobile with +86 and dashes.
    ("北京博文培训学校", "博文", "C类", "网络", "010-62223333", "黄磊", "教务主任",
     "+86 135-0000-1111", "北京市海淀区学院路15号", _, _),
    # 20: company 6; a comma in 地址 and a line break in 备注 (CSV must quote both; the
    #     record still counts as one row).
    ("北京市东城区第一医院", _, "大客户", "转介绍", "010-6512 3456", "钱进", "设备科科长",
     "13511112222", "北京市东城区东单北大街5号,门诊楼二层", _, "周一至周五\n上午联系"),
]

ROW_REAL_DATE: Final = 4
ROW_FULL_WIDTH_MOBILE: Final = 5
ROW_NUMERIC_PHONE: Final = 6
ROW_FORMULA: Final = 8
ROW_TEXT_DATE: Final = 8
ROW_SPACED_NAME: Final = 10
ROW_BAD_DATE: Final = 10
ROW_OTHER_SPELLING: Final = 12
ROW_NO_NAME: Final = 14
ROW_BAD_MOBILE: Final = 15
ROW_BAD_CLASS: Final = 16
ROW_LINE_BREAK: Final = 20
# Rows of the same company: 4–6 (北京鑫锐科技有限公司; 12 is it again as 鑫锐科技), 18–19.
CONTACT_ROWS: Final[tuple[tuple[int, ...], ...]] = ((4, 5, 6), (18, 19))
BLANK_ROWS: Final[tuple[int, ...]] = tuple(
    FIRST_ROW + i for i, row in enumerate(MESSY_ROWS) if row == BLANK)
DATA_ROWS: Final[tuple[int, ...]] = tuple(
    FIRST_ROW + i for i, row in enumerate(MESSY_ROWS) if row != BLANK)


def row(number: int) -> tuple[object, ...]:
    """The values of workbook row ``number`` (4 and later) as written in the .xlsx."""
    return MESSY_ROWS[number - FIRST_ROW]


def csv_text(value: object) -> str:
    """What Excel writes into a CSV file for a cell of the workbook."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        assert value == FORMULA_PHONE, value
        return FORMULA_RESULT
    if isinstance(value, dt.datetime):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)


MESSY_CSV_ROWS: Final[list[tuple[str, ...]]] = [
    tuple(csv_text(value) for value in values) for values in MESSY_ROWS]


def write_messy_xlsx(path: Path) -> None:
    """Write the sheet as an .xlsx workbook with merged title and group cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([TITLE])
    sheet.merge_cells("A1:K1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(GROUP_CELLS))
    sheet.merge_cells("F2:H2")
    sheet.merge_cells("I2:K2")
    sheet.append(list(HEADER_CELLS))
    sheet["J3"].alignment = Alignment(wrap_text=True)
    for values in MESSY_ROWS:
        # openpyxl writes a str starting with "=" as a formula, a datetime as a date cell.
        sheet.append([str(value) if isinstance(value, Formula) else value
                      for value in values])
    sheet.cell(ROW_REAL_DATE, COLUMN["首次联系日期"] + 1).number_format = "yyyy/m/d"
    book.save(path)


def write_messy_csv(path: Path, encoding: str = "gbk", *, delimiter: str = ",") -> None:
    """Write the sheet as Excel saves a CSV file, in ``encoding``.

    Args:
        path: Where to write.
        encoding: "gbk" (Chinese Excel's "CSV (comma delimited)"), "utf-8-sig" (its
            "CSV UTF-8"), "utf-8" (no BOM, as other programs write) or "utf-16" (BOM first).
        delimiter: The delimiter; "\\t" is what "Unicode text" uses.
    """
    rows: list[tuple[str, ...]] = [
        (TITLE,) + ("",) * (WIDTH - 1),
        tuple(csv_text(value) for value in GROUP_CELLS),
        HEADER_CELLS,
        *MESSY_CSV_ROWS,
    ]
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
