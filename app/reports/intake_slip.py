"""The intake slip (客户服务接待单, A5) handed to the customer, and the dispatch order
(客户服务请求派遣单, A4 or continuous paper) the technician takes on site, with boxes to
fill in by hand there: work done, parts used, fees, the customer's rating and signature.

``app.services.slips`` checks ``SERVICE_TICKETS/PRINT`` and the data scope, audits the
print and returns a :class:`~app.reports.data.TicketSlipData`; ``render_*`` lays it out
with reportlab and touches no database. The ticket number is printed as a Code128 barcode
(page header) and a QR code, so the pickup counter can scan it.
"""

from __future__ import annotations

import os
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from app.reports.data import TicketSlipData
from app.reports.page import (
    PageDecor,
    PageLayout,
    PageSizeName,
    RenderedDocument,
    Styles,
    bilingual,
    build_pdf,
    format_date,
    format_timestamp,
    make_styles,
    page_layout,
    register_fonts,
    signature_lines,
)
from app.reports.sales_slips import (
    _compact_table,
    _Field,
    _info_table,
    _remarks,
    _title,
    fills,
    grid,
    wide,
)

Output = str | os.PathLike[str] | IO[bytes]

INTAKE_TITLE = ("客户服务接待单", "SERVICE INTAKE SLIP")
DISPATCH_TITLE = ("客户服务请求派遣单", "SERVICE DISPATCH ORDER")
INTAKE_SIGNATURES = (("客户签字", "Customer"), ("接机人", "Received by"), ("日期", "Date"))
DISPATCH_SIGNATURES = (("客户签字", "Customer"), ("工程师", "Technician"), ("完成时间", "Done at"))


def _coverage_text(data: TicketSlipData) -> str:
    if data.under_contract:
        return "合同/保修内（免费）"
    if data.labour_free:  # a labour-only contract: the parts are charged
        return "合同内人工免费，配件收费"
    return "收费维修"


def render_intake_slip(data: TicketSlipData, out: Output, *,
                       page_size: PageSizeName = "A5") -> RenderedDocument:
    """Write the intake slip as a PDF to ``out`` (a path or a binary file)."""
    layout = page_layout(page_size)
    styles = make_styles(layout)
    c = data.customer
    info, qr = _info_table(
        [_Field("客户名称", "Customer", c.name),
         _Field("联系人", "Contact", c.contact_name or ""),
         _Field("联系电话", "Phone", c.phone or ""),
         _Field("设备", "Device", _device_text(data)),
         _Field("序列号", "Serial No.", data.serial_number or "")],
        [_Field("服务单号", "Ticket No.", data.number),
         _Field("接机时间", "Received", format_timestamp(data.received_at)),
         _Field("方式", "Channel", f"{data.channel_label} / {data.mode_label}"),
         _Field("优先级", "Priority", data.priority_label),
         _Field("预计完成", "Expected", format_date(data.expected_on))],
        data.number, layout, styles)
    story: list[Flowable] = [
        *_title(*INTAKE_TITLE, styles),
        info,
        Spacer(1, 3 * mm),
        *_remarks([("故障描述", "Symptoms", data.symptoms),
                   ("随机附件", "Accessories", data.accessories or "无"),
                   ("外观状况", "Condition", data.condition or "未见明显损伤"),
                   ("服务性质", "Coverage", _coverage_text(data)),
                   *data.custom,
                   ("服务条款", "Terms", data.terms)], layout, styles),
        Spacer(1, 4 * mm),
        KeepTogether([signature_lines(INTAKE_SIGNATURES, layout.frame_width, layout)]),
    ]
    return build_pdf(out, story, _decor(data, INTAKE_TITLE), layout, qr=qr)


def render_dispatch_order(data: TicketSlipData, out: Output, *,
                          page_size: PageSizeName = "A4") -> RenderedDocument:
    """Write the dispatch order as a PDF to ``out``."""
    layout = page_layout(page_size)
    styles = make_styles(layout)
    if layout.continuous:
        return _render_dispatch_continuous(data, out, layout, styles)
    c = data.customer
    info, qr = _info_table(
        [_Field("客户名称", "Customer", c.name),
         _Field("联系人", "Contact", c.contact_name or ""),
         _Field("联系电话", "Phone", c.phone or ""),
         _Field("上门地址", "Address", data.site_address or c.address or "")],
        [_Field("服务单号", "Ticket No.", data.number),
         _Field("预约时间", "Scheduled",
                format_timestamp(data.scheduled_at) if data.scheduled_at else ""),
         _Field("工程师", "Technician", data.technician or ""),
         _Field("优先级", "Priority", data.priority_label)],
        data.number, layout, styles)
    gap = 1.5 * mm if layout.continuous else 3 * mm
    story: list[Flowable] = [
        *_title(*DISPATCH_TITLE, styles, layout),
        info,
        Spacer(1, gap),
        *_remarks([("设备", "Device", _device_text(data)),
                   ("序列号", "Serial No.", data.serial_number),
                   ("故障描述", "Problem", data.symptoms),
                   ("服务性质", "Coverage", _coverage_text(data)),
                   *data.custom],
                  layout, styles),
        Spacer(1, gap),
        KeepTogether([
            _on_site_boxes(layout, styles),
            Spacer(1, gap),
            signature_lines(DISPATCH_SIGNATURES, layout.frame_width, layout),
        ]),
    ]
    return build_pdf(out, story, _decor(data, DISPATCH_TITLE), layout, qr=qr)


def _render_dispatch_continuous(data: TicketSlipData, out: Output, layout: PageLayout,
                                styles: Styles) -> RenderedDocument:
    """The dispatch order on a short continuous form: three facts a row, then the boxes."""
    c = data.customer
    contact = " ".join(p for p in (c.contact_name, c.phone) if p)
    device = " ".join(p for p in (_device_text(data), data.serial_number) if p)
    info = _compact_table([
        [_Field("客户名称", "", c.name), _Field("联系人", "", contact),
         _Field("服务单号", "", data.number)],
        [_Field("上门地址", "", data.site_address or c.address or ""),
         _Field("预约时间", "",
                format_timestamp(data.scheduled_at) if data.scheduled_at else ""),
         _Field("工程师", "", data.technician or "")],
        [_Field("设备", "", device), _Field("服务性质", "", _coverage_text(data)),
         _Field("优先级", "", data.priority_label)],
        [_Field("故障描述", "", data.symptoms)],
    ], layout, styles)
    story: list[Flowable] = [
        *_title(*DISPATCH_TITLE, styles, layout),
        info,
        Spacer(1, 1.5 * mm),
        KeepTogether([
            _on_site_boxes(layout, styles),
            Spacer(1, 1 * mm),
            signature_lines(DISPATCH_SIGNATURES, layout.frame_width, layout),
        ]),
    ]
    return build_pdf(out, story, _decor(data, DISPATCH_TITLE), layout)


# --- helpers -------------------------------------------------------------------------------

RATINGS = ("满意", "一般", "不满意")
_BOX = "□"


def _on_site_boxes(layout: PageLayout, styles: Styles) -> Table:
    """What the technician and the customer fill in by hand on site: work done, the parts
    used (blank rows), the fees, the customer's rating as tick boxes."""
    width = layout.frame_width
    label_w = (22 if wide(layout) else 17) * mm
    inner_w = width - label_w
    blank_rows = 2 if layout.continuous else 3
    parts_rows: list[list[Any]] = [
        [bilingual(zh, en, styles.cell_center, layout)
         for zh, en in (("配件名称 / 规格", "Part"), ("数量", "Qty"), ("单价", "Unit price"),
                        ("金额", "Amount"))],
        *([""] * 4 for _ in range(blank_rows)),
    ]
    line_h = layout.font_size * (1.9 if layout.continuous else 2.1)
    parts = Table(parts_rows, colWidths=[inner_w * 0.55, inner_w * 0.13, inner_w * 0.16,
                                         inner_w * 0.16],
                  rowHeights=[None, *([line_h] * blank_rows)])
    parts.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.black if layout.continuous
         else colors.HexColor("#aaaaaa")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    blank = "＿" * 6
    fees = f"人工费 ¥{blank}　　配件费 ¥{blank}　　合计 ¥{blank}"
    times = f"到达 {blank}　　完成 {blank}"
    rating = "　　".join(f"{_BOX} {word}" for word in RATINGS)
    work_h = (10 if layout.continuous else 22) * mm
    rows: list[list[Any]] = [
        [bilingual("维修内容", "Work done", styles.label, layout), ""],
        [bilingual("更换配件", "Parts used", styles.label, layout), parts],
    ]
    if layout.continuous:  # the short form: fees and times on one row
        rows += [
            [bilingual("费用/时间", "", styles.label, layout),
             Paragraph(f"{fees}　　{times}", styles.body)],
            [bilingual("客户评价", "", styles.label, layout), Paragraph(rating, styles.body)],
        ]
    else:
        rows += [
            [bilingual("费用", "Fees", styles.label, layout), Paragraph(fees, styles.body)],
            [bilingual("到达/完成", "Arrived / done", styles.label, layout),
             Paragraph(times, styles.body)],
            [bilingual("客户评价", "Rating", styles.label, layout),
             Paragraph(rating, styles.body)],
        ]
    # A row with a two-line (bilingual) label needs the height of both lines and its
    # padding; it is also where a pen writes, so it is never shorter than a parts row.
    label_h = line_h if layout.continuous else layout.font_size * 3.2
    table = Table(rows, colWidths=[label_w, inner_w],
                  rowHeights=[work_h, None, *([label_h] * (len(rows) - 2))])
    padding = 1.5 if layout.continuous else 3
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
        ("VALIGN", (1, 0), (1, -1), "MIDDLE"),
        *grid(layout),
        *fills(layout, ((0, 0), (0, -1))),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        # The parts table draws its own lines edge to edge of its cell.
        ("LEFTPADDING", (1, 1), (1, 1), 0),
        ("RIGHTPADDING", (1, 1), (1, 1), 0),
        ("TOPPADDING", (1, 1), (1, 1), 0),
        ("BOTTOMPADDING", (1, 1), (1, 1), 0),
    ]))
    return table



def _device_text(data: TicketSlipData) -> str:
    return " ".join(p for p in (data.device_brand, data.device_model) if p)


def _decor(data: TicketSlipData, title: tuple[str, str]) -> PageDecor:
    return PageDecor(company=data.company, title_zh=title[0], title_en=title[1],
                     number=data.number, printed_at=data.printed_at,
                     printed_by=data.printed_by)


__all__ = [
    "DISPATCH_TITLE",
    "RATINGS",
    "INTAKE_TITLE",
    "render_dispatch_order",
    "render_intake_slip",
]
