"""The shared page template of printed documents: fonts, page sizes, header, footer, codes.

Every printed slip is an A4 or A5 portrait page with the company header and the document's
Code128 barcode on each page, a footer with "page x of y" and the print time, and the
embedded CJK font for all text (also the barcode's digits), so it prints the same on any
PC. No database here: a render step hands in everything it shows.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.barcode.widgets import BarcodeCode128
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table
from reportlab.platypus.tables import TableStyle

from app.paths import cjk_font_path
from app.reports.data import CompanyInfo

# --- fonts ---------------------------------------------------------------------------------

CJK_FONT = "WenQuanYiMicroHei"
_font_lock = threading.Lock()


def register_fonts() -> str:
    """Register the shipped CJK font with reportlab once; returns its name.

    WenQuanYi Micro Hei has one weight, so the family maps bold and italic to it too:
    ``<b>`` in a paragraph then stays legible instead of failing for a missing face.
    """
    with _font_lock:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(cjk_font_path()), subfontIndex=0))
            pdfmetrics.registerFontFamily(CJK_FONT, normal=CJK_FONT, bold=CJK_FONT,
                                          italic=CJK_FONT, boldItalic=CJK_FONT)
    return CJK_FONT


# --- page sizes and the measurements that go with them -------------------------------------

GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#e8e8e8")
RULE = colors.HexColor("#888888")

PageSizeName = Literal["A4", "A5", "C241x93", "C241x140"]
# Continuous dot-matrix forms (连续纸): 9.5 in (241 mm) wide with the tractor strips, a
# third or a half of an 11 in fanfold sheet long (93.1 / 139.7 mm), so every form starts
# on its perforation however many are printed in a row (684 × 264 / 684 × 396 points).
C241X93 = (9.5 * inch, 11 / 3 * inch)
C241X140 = (9.5 * inch, 5.5 * inch)
# The paper of every document by code; app.labels.PAPER_SIZES names each for people.
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "A5": A5, "C241x93": C241X93,
                                              "C241x140": C241X140}


@dataclass(frozen=True)
class PageLayout:
    """Sizes for one paper size; A5 is the same page drawn smaller, not a different design.

    A ``continuous`` layout is for a dot-matrix printer on multi-part paper (二联/三联): no
    colour fills or grey text (the copies underneath show only what the pins strike), thin
    lines, type no smaller than the pins print legibly, no bar or QR code (too fine for
    pins), and a short header so the form's room goes to the document.
    """

    name: PageSizeName
    size: tuple[float, float]
    margin: float
    header_height: float
    footer_height: float
    font_size: float
    small_size: float
    company_size: float
    title_size: float
    bar_width: float
    bar_height: float
    qr_size: float
    continuous: bool = False
    # Top and bottom margin; None keeps the sheet's 0.7 × ``margin``.
    edge: float | None = None

    @property
    def width(self) -> float:
        return self.size[0]

    @property
    def height(self) -> float:
        return self.size[1]

    @property
    def frame_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def leading(self) -> float:
        return self.font_size * 1.3

    @property
    def margin_y(self) -> float:
        """The top and bottom margin, where header and footer start."""
        return self.edge if self.edge is not None else self.margin * 0.7

    @property
    def fill(self) -> Any:
        """The background of label cells and headings: none on multi-part paper."""
        return None if self.continuous else LIGHT

    @property
    def grey(self) -> Any:
        """Secondary text: black on multi-part paper, where grey prints as nothing."""
        return colors.black if self.continuous else GREY

    @property
    def box_width(self) -> float:
        return 0.4 if self.continuous else 0.6


LAYOUTS: dict[str, PageLayout] = {
    "A4": PageLayout(name="A4", size=A4, margin=15 * mm, header_height=22 * mm,
                     footer_height=10 * mm, font_size=9, small_size=6.5, company_size=14,
                     title_size=18, bar_width=0.72, bar_height=9 * mm, qr_size=24 * mm),
    "A5": PageLayout(name="A5", size=A5, margin=10 * mm, header_height=18 * mm,
                     footer_height=8 * mm, font_size=7.5, small_size=5.5, company_size=11,
                     title_size=14, bar_width=0.55, bar_height=7 * mm, qr_size=18 * mm),
    # The side margins keep clear of the tractor strips (12.7 mm each); 9 pt is about the
    # 10 characters per inch a dot-matrix printer prints, 8 pt its smallest clear type.
    "C241x93": PageLayout(name="C241x93", size=C241X93, margin=16 * mm,
                          header_height=10 * mm, footer_height=5 * mm, font_size=9,
                          small_size=8, company_size=11, title_size=12, bar_width=0.9,
                          bar_height=6 * mm, qr_size=0, continuous=True, edge=4 * mm),
    "C241x140": PageLayout(name="C241x140", size=C241X140, margin=16 * mm,
                           header_height=12 * mm, footer_height=5.5 * mm, font_size=9.5,
                           small_size=8, company_size=12, title_size=14, bar_width=0.9,
                           bar_height=6 * mm, qr_size=0, continuous=True, edge=5 * mm),
}
_BY_CODE = {code.upper(): layout for code, layout in LAYOUTS.items()}


def page_layout(name: str) -> PageLayout:
    """The layout for a paper code of :data:`PAGE_SIZES` (any case); else a ValueError."""
    try:
        return _BY_CODE[name.upper()]
    except KeyError:
        raise ValueError(f"unknown page size {name!r}; use one of "
                         f"{', '.join(PAGE_SIZES)}") from None


# --- formatting ----------------------------------------------------------------------------

_CENT = Decimal("0.01")


def format_money(amount: Decimal) -> str:
    """``Decimal("1234.5")`` → ``¥1,234.50``; negative amounts as ``-¥12.00``."""
    value = Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def format_quantity(quantity: Decimal) -> str:
    """A quantity without trailing zeros: ``2.000`` → ``2``, ``1.500`` → ``1.5``."""
    value = Decimal(quantity)
    if value == value.to_integral_value():
        return f"{value.to_integral_value():,}"
    return f"{value.normalize():,f}"


def format_percent(percent: Decimal) -> str:
    """A discount percentage, empty for none: ``10.00`` → ``10%``, ``7.50`` → ``7.5%``."""
    value = Decimal(percent)
    if value == 0:
        return ""
    return f"{format_quantity(value)}%"


def format_discount(percent: Decimal) -> str:
    """A discount the Chinese way, as what is paid in tenths: ``10`` → ``9折``, ``13`` →
    ``8.7折``, ``7.5`` → ``9.25折``; empty for none ("13%" alone reads either way)."""
    value = Decimal(percent)
    if value <= 0:
        return ""
    return f"{format_quantity((Decimal(100) - value) / 10)}折"


def format_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def format_timestamp(moment: dt.datetime) -> str:
    """An aware timestamp in this PC's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def text(value: str | None) -> str:
    """Plain text made safe for a Paragraph: markup escaped, line breaks kept."""
    return escape(value or "").replace("\r\n", "\n").replace("\n", "<br/>")


# --- styles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle


def make_styles(layout: PageLayout) -> Styles:
    font = register_fonts()
    size, small = layout.font_size, layout.small_size
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=layout.leading,
                          wordWrap="CJK", alignment=TA_LEFT)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=small, leading=small * 1.25,
                             textColor=layout.grey),
        label=ParagraphStyle("label", parent=body, textColor=colors.black),
        cell=ParagraphStyle("cell", parent=body),
        cell_right=ParagraphStyle("cell_right", parent=body, alignment=TA_RIGHT),
        cell_center=ParagraphStyle("cell_center", parent=body, alignment=TA_CENTER),
        title=ParagraphStyle("title", parent=body, fontSize=layout.title_size,
                             leading=layout.title_size * 1.25, alignment=TA_CENTER),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=small,
                                leading=small * 1.3, alignment=TA_CENTER,
                                textColor=layout.grey, spaceAfter=2 * mm),
    )


def bilingual(zh: str, en: str, style: ParagraphStyle, layout: PageLayout) -> Paragraph:
    """Chinese label first, its English in small grey type underneath.

    On continuous paper the label is Chinese only: a second line under every label would
    not leave a short form room for the document.
    """
    if not en or layout.continuous:
        return Paragraph(escape(zh), style)
    return Paragraph(
        f'{escape(zh)}<br/><font size="{layout.small_size}" color="#555555">'
        f"{escape(en)}</font>",
        style,
    )


# --- barcode and QR code -------------------------------------------------------------------


def make_barcode(value: str, layout: PageLayout) -> BarcodeCode128:
    """A Code128 barcode of ``value`` (bars only: the header prints the value under it).

    The widget's own human-readable line sits too close to short bars in a small font, so
    the template draws the number itself with a gap.
    """
    return BarcodeCode128(value=value, barHeight=layout.bar_height, barWidth=layout.bar_width,
                          humanReadable=False, quiet=0)


def make_qr(value: str, size: float) -> QrCodeWidget:
    """A QR code of ``value``, ``size`` points square (quiet zone included)."""
    return QrCodeWidget(value, barWidth=size, barHeight=size, barBorder=2, barLevel="M")


def drawing_of(widget: Any) -> Drawing:
    """Wrap a barcode widget in a Drawing sized to its bounds (text under bars included)."""
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(x1 - x0, y1 - y0)
    # The renderer starts in this font; the default would reference unembedded Helvetica.
    drawing.initialFontName = register_fonts()
    widget.x, widget.y = -x0, -y0
    drawing.add(widget)
    return drawing


# --- signature lines -----------------------------------------------------------------------


def signature_lines(labels: Sequence[tuple[str, str]], width: float,
                    layout: PageLayout) -> Table:
    """One row of "label ________" pairs (客户签字 / 经办人 / 日期) across ``width``."""
    styles = make_styles(layout)
    cells: list[Any] = []
    col_widths: list[float] = []
    share = width / max(len(labels), 1)
    label_width = min(share * 0.42, 26 * mm)
    for zh, en in labels:
        cells += [bilingual(f"{zh}：", en, styles.label, layout), ""]
        col_widths += [label_width, share - label_width - 3 * mm]
    # A narrow gap column after each line keeps neighbouring lines apart.
    row: list[Any] = []
    widths: list[float] = []
    for i in range(0, len(cells), 2):
        row += [cells[i], cells[i + 1], ""]
        widths += [col_widths[i], col_widths[i + 1], 3 * mm]
    table = Table([row[:-1]], colWidths=widths[:-1], rowHeights=[layout.font_size * 3.2])
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    for i in range(len(labels)):
        commands.append(("LINEBELOW", (3 * i + 1, 0), (3 * i + 1, 0), layout.box_width,
                         colors.black))
    table.setStyle(TableStyle(commands))
    return table


# --- the page template ---------------------------------------------------------------------


@dataclass(frozen=True)
class PageDecor:
    """What the template draws on every page around the story."""

    company: CompanyInfo
    title_zh: str
    title_en: str
    number: str
    printed_at: dt.datetime
    printed_by: str


@dataclass(frozen=True)
class RenderedDocument:
    """What a render step produced: the page count and the code widgets it drew.

    ``barcode`` and ``qr`` are the very reportlab widgets placed on the pages, so their
    ``value`` is what a scanner reads; neither is printed on continuous paper.
    """

    page_count: int
    # None on continuous paper, where pins cannot print bars that fine.
    barcode: BarcodeCode128 | None
    qr: QrCodeWidget | None = None


def _company_parts(company: CompanyInfo) -> list[str]:
    return [part for part in (
        f"地址：{company.address}" if company.address else "",
        f"电话：{company.phone}" if company.phone else "",
        f"传真：{company.fax}" if company.fax else "",
        f"开户行：{company.bank}" if company.bank else "",
        f"账号：{company.bank_account}" if company.bank_account else "",
        f"税号：{company.tax_number}" if company.tax_number else "",
    ) if part]


def _fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` shortened with an ellipsis so it fits ``width`` (one-line texts only)."""
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value + "…"


def _is_word_char(ch: str) -> bool:
    """Part of a Latin word or number, which a line must not split (CJK breaks anywhere)."""
    return ch.isascii() and (ch.isalnum() or ch in "-.,/@&'()")


def _take(value: str, font: str, size: float, width: float) -> tuple[str, str]:
    """The longest head of ``value`` that fits ``width`` and the rest, broken between CJK
    characters or at a space, never inside a Latin word unless the word alone is wider."""
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value, ""
    n = 1
    while n < len(value) and pdfmetrics.stringWidth(value[:n + 1], font, size) <= width:
        n += 1
    if _is_word_char(value[n - 1]) and n < len(value) and _is_word_char(value[n]):
        back = n - 1
        while back > 0 and _is_word_char(value[back - 1]):
            back -= 1
        if back > 0:
            n = back
    return value[:n].rstrip(), value[n:].lstrip()


# Between the parts sharing a line of the header: a full-width space.
_PART_GAP = "\u3000"


def _wrap_parts(parts: Sequence[str], font: str, size: float,
                width_of: Callable[[int], float]) -> list[str]:
    """Lines holding whole parts where they fit, a part too long for a line broken over
    several; ``width_of(i)`` is the width line ``i`` may take."""
    lines: list[str] = []
    for part in parts:
        if lines:
            joined = f"{lines[-1]}{_PART_GAP}{part}"
            if pdfmetrics.stringWidth(joined, font, size) <= width_of(len(lines) - 1):
                lines[-1] = joined
                continue
        rest = part
        while rest:
            head, rest = _take(rest, font, size, width_of(len(lines)))
            lines.append(head)
    return lines


@dataclass(frozen=True)
class HeaderPlan:
    """Where the company block of the header goes, worked out once per document.

    ``text_x`` is where the text starts right of the left margin (after the logo), and
    ``text_width`` the room every line of it has before the title and barcode.

    Everything the company settings hold is printed: a long name or address first gets a
    smaller type, then more lines, and at the smallest type the header grows taller
    (``height``) instead of cutting anything off.
    """

    height: float
    logo: ImageReader | None
    logo_width: float
    logo_height: float
    text_x: float
    text_width: float
    name_lines: tuple[str, ...]
    name_size: float
    info_lines: tuple[str, ...]
    info_size: float

    @property
    def name_step(self) -> float:
        return self.name_size * 1.2

    @property
    def info_step(self) -> float:
        return self.info_size * 1.45


def _logo_reader(image: bytes | None) -> ImageReader | None:
    """The logo ready to draw, or None when there is none or it cannot be decoded: a
    damaged setting prints no logo rather than no slip."""
    if not image:
        return None
    try:
        with PILImage.open(io.BytesIO(image)) as opened:
            opened.load()
        reader = ImageReader(io.BytesIO(image))
        width, height = reader.getSize()
    except Exception:  # noqa: BLE001 - any decoding failure means "no logo"
        return None
    return reader if width > 0 and height > 0 else None


def plan_header(company: CompanyInfo, layout: PageLayout, *, code_width: float,
                title_width: float) -> HeaderPlan:
    """Fit the company block between the left margin and the title and barcode on the right.

    Args:
        code_width: width of the barcode drawing at the right edge.
        title_width: width of the document title printed above it.
    """
    font = register_fonts()
    band = layout.header_height - 1.5 * mm  # above the rule, with a little air
    logo = _logo_reader(company.logo)
    logo_w = logo_h = 0.0
    if logo is not None:
        iw, ih = logo.getSize()
        logo_h = band
        logo_w = logo_h * iw / ih
        widest = layout.frame_width * 0.22
        if logo_w > widest:
            logo_w, logo_h = widest, widest * ih / iw
    text_x = logo_w + 3 * mm if logo is not None else 0.0
    # The title takes the first line's height at the right, the barcode the rest.
    title_bottom = layout.font_size * 1.5
    beside_code = float(layout.frame_width - code_width - 4 * mm - text_x)
    beside_title = float(layout.frame_width - max(code_width, title_width) - 4 * mm - text_x)

    def width_at(top: float) -> float:
        """The width a line may take whose top is ``top`` below the header's top."""
        return beside_title if top < title_bottom else beside_code

    name = company.name
    name_size = layout.company_size
    smallest_name = layout.company_size * 0.75
    while (name_size > smallest_name
           and pdfmetrics.stringWidth(name, font, name_size) > width_at(0)):
        name_size = max(smallest_name, name_size - 0.5)
    name_lines = _wrap_parts([name], font, name_size,
                             lambda i: width_at(i * name_size * 1.2))
    name_bottom = name_size + (len(name_lines) - 1) * name_size * 1.2

    parts = _company_parts(company)
    size = layout.small_size + 1
    smallest = layout.small_size
    while True:
        step = size * 1.45
        first = name_bottom + step - size  # top of the first info line

        def width_of(i: int, first: float = first, step: float = step) -> float:
            return width_at(first + i * step)

        info_lines = _wrap_parts(parts, font, size, width_of)
        bottom = name_bottom + len(info_lines) * step + size * 0.3
        if bottom <= band or size <= smallest:
            break
        size = max(smallest, size - 0.5)
    height = max(layout.header_height, bottom + 1.5 * mm, logo_h + 1.5 * mm)
    return HeaderPlan(height=height, logo=logo, logo_width=logo_w, logo_height=logo_h,
                      text_x=text_x, text_width=min(beside_code, beside_title),
                      name_lines=tuple(name_lines), name_size=name_size,
                      info_lines=tuple(info_lines), info_size=size)


def _title_text(decor: PageDecor, layout: PageLayout) -> str:
    return decor.title_zh if layout.continuous else f"{decor.title_zh}  {decor.title_en}"


def _header_painter(decor: PageDecor, layout: PageLayout, barcode: BarcodeCode128 | None,
                    plan: HeaderPlan) -> Callable[[Any, Any], None]:
    font = register_fonts()
    code_drawing = drawing_of(barcode) if barcode is not None else None

    def paint(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        left, right = layout.margin, layout.width - layout.margin
        top = layout.height - layout.margin_y
        if plan.logo is not None:
            canvas.drawImage(plan.logo, left, top - plan.logo_height, plan.logo_width,
                             plan.logo_height, mask="auto")
        x = left + plan.text_x
        canvas.setFillColor(colors.black)
        canvas.setFont(font, plan.name_size)
        y = top - plan.name_size
        for i, line in enumerate(plan.name_lines):
            if i:
                y -= plan.name_step
            canvas.drawString(x, y, line)
        canvas.setFont(font, plan.info_size)
        canvas.setFillColor(layout.grey)
        for line in plan.info_lines:
            y -= plan.info_step
            canvas.drawString(x, y, line)
        # The document's title over its barcode, so every page says what it belongs to.
        canvas.setFillColor(colors.black)
        canvas.setFont(font, layout.font_size)
        canvas.drawRightString(right, top - layout.font_size, _title_text(decor, layout))
        if code_drawing is not None:
            code_x = right - code_drawing.width
            code_y = top - layout.font_size * 1.5 - code_drawing.height
            renderPDF.draw(code_drawing, canvas, code_x, code_y)
            number_size = layout.small_size + 1.5
            canvas.setFont(font, number_size)
            canvas.drawCentredString(code_x + code_drawing.width / 2,
                                     code_y - number_size * 1.15, decor.number)
        else:  # continuous paper: the number in plain type under the title
            canvas.drawRightString(right, top - layout.font_size * 2.3, f"No. {decor.number}")
        rule_y = top - plan.height
        canvas.setStrokeColor(colors.black if layout.continuous else RULE)
        canvas.setLineWidth(layout.box_width if layout.continuous else 0.8)
        canvas.line(left, rule_y, right, rule_y)
        canvas.restoreState()

    return paint


def _footer_painter(decor: PageDecor, layout: PageLayout) -> Callable[[Any, int, int], None]:
    font = register_fonts()

    def paint(canvas: Any, page: int, total: int) -> None:
        canvas.saveState()
        left, right = layout.margin, layout.width - layout.margin
        y = layout.margin_y
        canvas.setStrokeColor(colors.black if layout.continuous else RULE)
        canvas.setLineWidth(0.3 if layout.continuous else 0.5)
        canvas.line(left, y + layout.small_size * 1.6, right, y + layout.small_size * 1.6)
        canvas.setFont(font, layout.small_size if layout.continuous else layout.small_size + 0.5)
        canvas.setFillColor(layout.grey)
        canvas.drawString(left, y, f"打印时间 {format_timestamp(decor.printed_at)}"
                                   f"　打印人 {decor.printed_by}")
        canvas.drawCentredString(layout.width / 2, y, decor.number)
        canvas.drawRightString(right, y, f"第 {page} 页 / 共 {total} 页")
        canvas.restoreState()

    return paint


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds pages back until the end so each footer can say "page x of y"."""

    def __init__(self, *args: Any, footer: Callable[[Any, int, int], None],
                 pages: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages = pages
        self._saved_page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_page_states)
        for number, state in enumerate(self._saved_page_states, start=1):
            self.__dict__.update(state)
            self._footer(self, number, total)
            super().showPage()
        self._pages.append(total)
        super().save()


def build_pdf(
    out: str | os.PathLike[str] | IO[bytes],
    story: list[Flowable],
    decor: PageDecor,
    layout: PageLayout,
    *,
    qr: QrCodeWidget | None = None,
) -> RenderedDocument:
    """Lay ``story`` out on the page template and write the PDF to ``out``.

    Args:
        out: a file name or a binary file object.
        story: the flowables of the document body.
        decor: header and footer content.
        layout: paper size and measurements.
        qr: the QR widget placed in the story, reported back in the result.
    """
    font = register_fonts()
    target = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    barcode = None if layout.continuous else make_barcode(decor.number, layout)
    code_width = (drawing_of(barcode).width if barcode is not None
                  else pdfmetrics.stringWidth(f"No. {decor.number}", font, layout.font_size))
    plan = plan_header(decor.company, layout, code_width=code_width,
                       title_width=pdfmetrics.stringWidth(_title_text(decor, layout), font,
                                                          layout.font_size))
    gap = 1.5 * mm if layout.continuous else 3 * mm
    top = layout.margin_y + plan.height + gap
    bottom = layout.margin_y + layout.footer_height
    doc = BaseDocTemplate(
        target,
        pagesize=layout.size,
        leftMargin=layout.margin,
        rightMargin=layout.margin,
        topMargin=top,
        bottomMargin=bottom,
        title=f"{decor.title_zh} {decor.number}",
        author=decor.company.name,
        subject=decor.title_en,
        creator="StationCRM",
        # The canvas starts every page in this font instead of Helvetica, so no
        # unembedded standard font is referenced anywhere in the file.
        initialFontName=font,
        initialFontSize=layout.font_size,
    )
    frame = Frame(layout.margin, bottom, layout.frame_width, layout.height - top - bottom,
                  id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="slip", frames=[frame],
                                       onPage=_header_painter(decor, layout, barcode, plan))])
    pages: list[int] = []
    footer = _footer_painter(decor, layout)

    def canvasmaker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, footer=footer, pages=pages, **kwargs)

    doc.build(story, canvasmaker=canvasmaker)
    return RenderedDocument(page_count=pages[0] if pages else 0, barcode=barcode, qr=qr)


__all__ = [
    "CJK_FONT",
    "LAYOUTS",
    "C241X93",
    "C241X140",
    "PAGE_SIZES",
    "HeaderPlan",
    "PageDecor",
    "PageLayout",
    "PageSizeName",
    "RenderedDocument",
    "Styles",
    "bilingual",
    "build_pdf",
    "drawing_of",
    "format_date",
    "format_discount",
    "format_money",
    "format_percent",
    "format_quantity",
    "format_timestamp",
    "make_barcode",
    "make_qr",
    "make_styles",
    "page_layout",
    "plan_header",
    "register_fonts",
    "signature_lines",
    "text",
]
