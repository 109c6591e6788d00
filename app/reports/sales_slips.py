"""Printed quotations (报价单) and sales slips (销售单), rendered from the data handed in.

``app.services.slips`` checks the print permission and the data scope, reads what the
customer sees (never cost, margin or customer source), audits the print and returns a
frozen dataclass of :mod:`app.reports.data`; ``render_*`` lays that out with reportlab
Platypus and touches no database.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from app.reports.data import CompanyInfo, OrderSlipData, QuotationSlipData, SlipLine
from app.reports.page import (
    PageDecor,
    PageLayout,
    PageSizeName,
    RenderedDocument,
    Styles,
    bilingual,
    build_pdf,
    drawing_of,
    format_date,
    format_discount,
    format_money,
    format_quantity,
    make_qr,
    make_styles,
    page_layout,
    register_fonts,
    signature_lines,
    text,
)

Output = str | os.PathLike[str] | IO[bytes]
QUOTATION_TITLE = ("报价单", "QUOTATION")
ORDER_TITLE = ("销售单", "SALES ORDER")
SIGNATURES = (("客户签字", "Customer"), ("经办人", "Handled by"), ("日期", "Date"))
_LINE_HEADERS = (
    ("序号", "No."), ("品名 / 规格", "Description"), ("数量", "Qty"), ("单位", "Unit"),
    ("单价", "Unit price"), ("折扣", "Discount"), ("金额", "Amount"),
)
# Share of the frame width per column; the description takes what is left. A5 gives the
# narrow columns more of its smaller width so their two-character headings never wrap.
_LINE_SHARES = {
    "A4": (0.055, 0.0, 0.085, 0.06, 0.13, 0.075, 0.155),
    "A5": (0.07, 0.0, 0.085, 0.065, 0.14, 0.085, 0.16),
    "C241x93": (0.045, 0.0, 0.07, 0.05, 0.12, 0.07, 0.14),
    "C241x140": (0.045, 0.0, 0.07, 0.05, 0.12, 0.07, 0.14),
}


def fills(layout: PageLayout, *cells: tuple[tuple[int, int], tuple[int, int]]
          ) -> list[tuple[Any, ...]]:
    """BACKGROUND commands shading ``cells`` (start, stop) — none on multi-part paper."""
    if layout.fill is None:
        return []
    return [("BACKGROUND", start, stop, layout.fill) for start, stop in cells]


def grid(layout: PageLayout, box: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (-1, -1))
         ) -> list[tuple[Any, ...]]:
    """The outer box and inner grid of a table: thin black on multi-part paper (grey
    lines print faint or not at all through the copies)."""
    inner = colors.black if layout.continuous else colors.HexColor("#aaaaaa")
    return [("BOX", *box, layout.box_width, colors.black),
            ("INNERGRID", *box, 0.3, inner)]


def wide(layout: PageLayout) -> bool:
    """Whether the page is wide enough for the A4 measures (A4 and continuous paper)."""
    return layout.name != "A5"


@dataclass(frozen=True)
class _Field:
    zh: str
    en: str
    value: str


def _spaced(title: str) -> str:
    # Two- and three-character titles are printed letter-spaced, as on paper forms.
    return " ".join(title) if len(title) <= 3 else title


def _title(zh: str, en: str, styles: Styles, layout: PageLayout | None = None
           ) -> list[Flowable]:
    if layout is not None and layout.continuous:  # the short form has no line to spare
        return [Paragraph(_spaced(zh), styles.title), Spacer(1, 1 * mm)]
    return [Paragraph(_spaced(zh), styles.title), Paragraph(en, styles.subtitle)]


def _info_table(left: list[_Field], right: list[_Field], qr_value: str,
                layout: PageLayout, styles: Styles) -> tuple[Table, QrCodeWidget | None]:
    """Customer on the left, document facts on the right, the QR code at the far right
    (none on continuous paper)."""
    qr = make_qr(qr_value, layout.qr_size) if layout.qr_size else None
    qr_drawing: Any = drawing_of(qr) if qr is not None else ""
    qr_width = qr_drawing.width + 2 * mm if qr is not None else 0
    label_w = 17 * mm if wide(layout) else 15 * mm
    value_w = (layout.frame_width - qr_width - 2 * label_w) / 2
    rows: list[list[Any]] = []
    for i in range(max(len(left), len(right))):
        row: list[Any] = []
        for side in (left, right):
            if i < len(side):
                f = side[i]
                row += [bilingual(f.zh, f.en, styles.label, layout),
                        Paragraph(text(f.value), styles.body)]
            else:
                row += ["", ""]
        row.append(qr_drawing if i == 0 else "")
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w, qr_width])
    padding = 1 if layout.continuous else 1.5
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (4, 0), (4, -1)),
        ("VALIGN", (4, 0), (4, -1), "MIDDLE"),
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        *grid(layout, ((0, 0), (3, -1))),
        *fills(layout, ((0, 0), (0, -1)), ((2, 0), (2, -1))),
    ]))
    return table, qr


def _compact_table(rows: list[list[_Field]], layout: PageLayout, styles: Styles) -> Table:
    """Up to three label / value pairs a row, for the short forms of continuous paper; a
    row with fewer pairs lets its last value run to the right edge."""
    label_w = 17 * mm
    value_w = (layout.frame_width - 3 * label_w) / 3
    widths = [label_w, value_w * 1.3, label_w, value_w * 0.85, label_w, value_w * 0.85]
    cells: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    for r, fields in enumerate(rows):
        row: list[Any] = []
        for f in fields:
            row += [bilingual(f.zh, "", styles.label, layout), Paragraph(text(f.value),
                                                                         styles.body)]
        if len(fields) < 3:
            spans.append(("SPAN", (len(row) - 1, r), (5, r)))
            row += [""] * (6 - len(row))
        cells.append(row)
    table = Table(cells, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *spans,
        *grid(layout),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def _lines_table(lines: tuple[SlipLine, ...], layout: PageLayout, styles: Styles) -> Table:
    """The product lines; the header row repeats on every page the table runs onto."""
    width = layout.frame_width
    shares = _LINE_SHARES[layout.name]
    fixed = sum(shares) * width
    col_widths = [share * width for share in shares]
    col_widths[1] = width - fixed
    header = [bilingual(zh, en, styles.cell_center, layout) for zh, en in _LINE_HEADERS]
    rows: list[list[Any]] = [header]
    for line in lines:
        rows.append([
            str(line.position),
            Paragraph(text(line.description), styles.cell),
            format_quantity(line.quantity),
            line.unit,
            format_money(line.unit_price),
            format_discount(line.discount_percent),
            format_money(line.line_total),
        ])
    if not lines:
        rows.append(["", Paragraph("（无明细）", styles.cell), "", "", "", "", ""])
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    padding = 1 if layout.continuous else 2
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("LEADING", (0, 0), (-1, -1), layout.leading),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("ALIGN", (3, 1), (3, -1), "CENTER"),
        ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        *fills(layout, ((0, 0), (-1, 0))),
        *grid(layout),
        ("LINEBELOW", (0, 0), (-1, 0), layout.box_width, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


def _totals_table(lines: tuple[SlipLine, ...], total: Decimal, in_words: str,
                  layout: PageLayout, styles: Styles) -> Table:
    """The total in words (大写) and in figures, one row under the lines; what the
    discounts took off is said as 优惠 ¥… beside the words."""
    a4 = wide(layout)
    words_label_w = (30 if a4 else 23) * mm
    figures_label_w = (24 if a4 else 18) * mm
    figures_w = (30 if a4 else 22) * mm
    words_w = layout.frame_width - words_label_w - figures_label_w - figures_w
    saved = sum((line.quantity * line.unit_price - line.line_total for line in lines),
                Decimal(0))
    words = f"人民币 {text(in_words)}"
    if saved > 0:
        words += f"（已优惠 {format_money(saved)}）"
    rows = [[
        bilingual("合计金额（大写）", "Total in words", styles.label, layout),
        Paragraph(words, styles.body),
        bilingual(f"合计（共 {len(lines)} 行）", line_count_en(len(lines)), styles.label,
                  layout),
        Paragraph(format_money(total), styles.cell_right),
    ]]
    table = Table(rows, colWidths=[words_label_w, words_w, figures_label_w, figures_w])
    padding = 1.5 if layout.continuous else 3
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *grid(layout),
        *fills(layout, ((0, 0), (0, -1)), ((2, 0), (2, -1))),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


def line_count_en(count: int) -> str:
    """"Total, 1 line" / "Total, 2 lines": the English under 合计（共 N 行）."""
    return f"Total, {count} line" if count == 1 else f"Total, {count} lines"


def _remarks(items: list[tuple[str, str, str | None]], layout: PageLayout,
             styles: Styles) -> list[Flowable]:
    """Validity, terms and notes as label / text rows, for the non-empty items only."""
    rows = [[bilingual(zh, en, styles.label, layout), Paragraph(text(value.strip()), styles.body)]
            for zh, en, value in items if value and value.strip()]
    if not rows:
        return []
    label_w = (22 if wide(layout) else 17) * mm
    table = Table(rows, colWidths=[label_w, layout.frame_width - label_w])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return [table]


def _render(
    *, out: Output, page_size: str, title: tuple[str, str], number: str,
    company: CompanyInfo, printed_at: dt.datetime, printed_by: str,
    left: list[_Field], right: list[_Field], lines: tuple[SlipLine, ...], total: Decimal,
    in_words: str, remarks: list[tuple[str, str, str | None]],
) -> RenderedDocument:
    layout = page_layout(page_size)
    styles = make_styles(layout)
    info, qr = _info_table(left, right, number, layout, styles)
    gap = 1.5 * mm if layout.continuous else 3 * mm
    story: list[Flowable] = [
        *_title(*title, styles, layout),
        info,
        Spacer(1, gap),
        _lines_table(lines, layout, styles),
        Spacer(1, gap * 2 / 3),
        KeepTogether([
            _totals_table(lines, total, in_words, layout, styles),
            Spacer(1, gap),
            *_remarks(remarks, layout, styles),
            Spacer(1, gap),
            signature_lines(SIGNATURES, layout.frame_width, layout),
        ]),
    ]
    decor = PageDecor(company=company, title_zh=title[0], title_en=title[1], number=number,
                      printed_at=printed_at, printed_by=printed_by)
    return build_pdf(out, story, decor, layout, qr=qr)


def render_quotation_slip(data: QuotationSlipData, out: Output, *,
                          page_size: PageSizeName = "A4") -> RenderedDocument:
    """Write the quotation (报价单) as a PDF to ``out`` (a path or a binary file)."""
    c = data.customer
    return _render(
        out=out, page_size=page_size, title=QUOTATION_TITLE, number=data.number,
        company=data.company, printed_at=data.printed_at, printed_by=data.printed_by,
        left=[_Field("客户名称", "Customer", c.name),
              _Field("联系人", "Contact", c.contact_name or ""),
              _Field("联系电话", "Phone", c.phone or ""),
              _Field("地址", "Address", c.address or "")],
        right=[_Field("报价单号", "Quotation No.", data.number),
               _Field("报价日期", "Date", format_date(data.quoted_on)),
               _Field("有效期至", "Valid until", format_date(data.valid_until)),
               _Field("业务员", "Salesperson", data.owner_name)],
        lines=data.lines, total=data.total_amount, in_words=data.total_in_words,
        remarks=[("报价有效期", "Validity",
                  f"本报价自报价日期起至 {format_date(data.valid_until)} 有效。"),
                 ("条款", "Terms", data.terms),
                 ("备注", "Notes", data.notes)],
    )


def render_order_slip(data: OrderSlipData, out: Output, *,
                      page_size: PageSizeName = "A4") -> RenderedDocument:
    """Write the sales slip (销售单) as a PDF to ``out`` (a path or a binary file)."""
    c = data.customer
    return _render(
        out=out, page_size=page_size, title=ORDER_TITLE, number=data.number,
        company=data.company, printed_at=data.printed_at, printed_by=data.printed_by,
        left=[_Field("客户名称", "Customer", c.name),
              _Field("联系人", "Contact", c.contact_name or ""),
              _Field("联系电话", "Phone", c.phone or ""),
              _Field("送货地址", "Delivery address", data.delivery_address or "")],
        right=[_Field("销售单号", "Order No.", data.number),
               _Field("销售日期", "Date", format_date(data.ordered_on)),
               _Field("付款期限", "Payment due", format_date(data.due_on)),
               _Field("业务员", "Salesperson", data.owner_name)],
        lines=data.lines, total=data.total_amount, in_words=data.total_in_words,
        remarks=[*data.custom, ("备注", "Notes", data.notes)],
    )


__all__ = [
    "ORDER_TITLE",
    "QUOTATION_TITLE",
    "render_order_slip",
    "render_quotation_slip",
]
