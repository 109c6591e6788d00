"""The intake slip (客户服务接待单, A5) handed to the customer, and the dispatch order
(客户服务请求派遣单, A4) the technician takes on site.

``app.services.slips`` checks ``SERVICE_TICKETS/PRINT`` and the data scope, audits the
print and returns a :class:`~app.reports.data.TicketSlipData`; ``render_*`` lays it out
with reportlab and touches no database. The ticket number is printed as a Code128 barcode
(page header) and a QR code, so the pickup counter can scan it.
"""

from __future__ import annotations

import os
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.reports.data import TicketSlipData
from app.reports.page import (
    PageDecor,
    PageSizeName,
    RenderedDocument,
    build_pdf,
    format_date,
    format_timestamp,
    make_styles,
    page_layout,
    signature_lines,
)
from app.reports.sales_slips import _Field, _info_table, _remarks, _title

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
    story: list[Flowable] = [
        *_title(*DISPATCH_TITLE, styles),
        info,
        Spacer(1, 3 * mm),
        *_remarks([("设备", "Device", _device_text(data)),
                   ("序列号", "Serial No.", data.serial_number),
                   ("故障描述", "Problem", data.symptoms),
                   ("服务性质", "Coverage", _coverage_text(data)),
                   *data.custom],
                  layout, styles),
        Spacer(1, 20 * mm),
        KeepTogether([signature_lines(DISPATCH_SIGNATURES, layout.frame_width, layout)]),
    ]
    return build_pdf(out, story, _decor(data, DISPATCH_TITLE), layout, qr=qr)


# --- helpers -------------------------------------------------------------------------------


def _device_text(data: TicketSlipData) -> str:
    return " ".join(p for p in (data.device_brand, data.device_model) if p)


def _decor(data: TicketSlipData, title: tuple[str, str]) -> PageDecor:
    return PageDecor(company=data.company, title_zh=title[0], title_en=title[1],
                     number=data.number, printed_at=data.printed_at,
                     printed_by=data.printed_by)


__all__ = [
    "DISPATCH_TITLE",
    "INTAKE_TITLE",
    "render_dispatch_order",
    "render_intake_slip",
]
