"""What the counter hands over with a repaired machine and with money taken: the pickup
receipt (取机单) and the payment receipt (收款收据).

``app.services.slips`` checks the print permission and the data scope, audits the print
and returns a :class:`~app.reports.data.PickupSlipData` or
:class:`~app.reports.data.ReceiptData`; ``render_*`` lays it out on A5, A4 or continuous
dot-matrix paper and touches no database.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from app.reports.data import ChargeLine, PaymentLine, PickupSlipData, ReceiptData
from app.reports.page import (
    PageDecor,
    PageLayout,
    PageSizeName,
    RenderedDocument,
    Styles,
    bilingual,
    build_pdf,
    format_date,
    format_money,
    format_quantity,
    format_timestamp,
    make_styles,
    page_layout,
    register_fonts,
    signature_lines,
    text,
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

PICKUP_TITLE = ("取机单", "PICKUP RECEIPT")
RECEIPT_TITLE = ("收款收据", "RECEIPT")
PICKUP_SIGNATURES = (("取机人签字", "Collected by"), ("经办人", "Handed over by"),
                     ("日期", "Date"))
RECEIPT_SIGNATURES = (("交款人签字", "Paid by"), ("收款人签字", "Received by"),
                      ("日期", "Date"))
_CHARGE_HEADERS = (("序号", "No."), ("收费项目", "Item"), ("数量", "Qty"),
                   ("单价", "Unit price"), ("金额", "Amount"))


def render_pickup_receipt(data: PickupSlipData, out: Output, *,
                          page_size: PageSizeName = "A5") -> RenderedDocument:
    """Write the pickup receipt (取机单) as a PDF to ``out`` (a path or a binary file)."""
    layout = page_layout(page_size)
    styles = make_styles(layout)
    c = data.customer
    device = " ".join(p for p in (data.device_brand, data.device_model, data.serial_number)
                      if p)
    picked_up = format_timestamp(data.picked_up_at) if data.picked_up_at else ""
    qr = None
    if layout.continuous:
        # The short form: three facts a row, the job in one row, so the whole hand-over
        # fits one 93 mm form.
        head: list[Flowable] = [_compact_info(data, device, layout, styles)]
    else:
        info, qr = _info_table(
            [_Field("客户名称", "Customer", c.name),
             _Field("联系人", "Contact", c.contact_name or ""),
             _Field("联系电话", "Phone", c.phone or ""),
             _Field("设备", "Device", device)],
            [_Field("服务单号", "Ticket No.", data.number),
             _Field("接机时间", "Received", format_timestamp(data.received_at)),
             _Field("完工时间", "Completed",
                    format_timestamp(data.completed_at) if data.completed_at else ""),
             _Field("取机时间", "Picked up", picked_up)],
            data.number, layout, styles)
        head = [info, Spacer(1, 3 * mm),
                *_remarks([("故障描述", "Symptoms", data.symptoms),
                           ("维修内容", "Work done", _work_text(data)),
                           ("维修工程师", "Technician", data.technician)], layout, styles)]
    gap = 1.5 * mm if layout.continuous else 3 * mm
    story: list[Flowable] = [
        *_title(*PICKUP_TITLE, styles, layout),
        *head,
        Spacer(1, gap / 2),
        _charges_table(data.charges, layout, styles),
        KeepTogether([
            _money_table(data, layout, styles),
            Spacer(1, gap),
            signature_lines(PICKUP_SIGNATURES, layout.frame_width, layout),
        ]),
    ]
    decor = PageDecor(company=data.company, title_zh=PICKUP_TITLE[0],
                      title_en=PICKUP_TITLE[1], number=data.number,
                      printed_at=data.printed_at, printed_by=data.printed_by)
    return build_pdf(out, story, decor, layout, qr=qr)


def render_payment_receipt(data: ReceiptData, out: Output, *,
                           page_size: PageSizeName = "A5") -> RenderedDocument:
    """Write the payment receipt (收款收据) as a PDF to ``out``."""
    layout = page_layout(page_size)
    styles = make_styles(layout)
    purposes = "；".join(f"{p.document} {p.number} {format_money(p.amount)}"
                        for p in data.purposes) or "预收款"
    method = data.method_label + (f"（{data.reference}）" if data.reference else "")
    rows: list[list[Any]] = [
        [_label("交款单位", "Received from", styles, layout), _value(data.payer, styles),
         _label("收据编号", "Receipt No.", styles, layout), _value(data.number, styles)],
        [_label("金额（大写）", "Amount in words", styles, layout),
         _value(f"人民币 {data.amount_in_words}", styles),
         _label("金额（小写）", "Amount", styles, layout),
         Paragraph(format_money(data.amount), styles.cell_right)],
        [_label("收款事由", "For", styles, layout), _value(purposes, styles), "", ""],
        [_label("付款方式", "Method", styles, layout), _value(method, styles),
         _label("收款日期", "Date", styles, layout),
         _value(format_date(data.received_on), styles)],
        [_label("收款人", "Received by", styles, layout), _value(data.received_by, styles),
         _label("备注", "Notes", styles, layout), _value(data.notes or "", styles)],
    ]
    table = _boxed(rows, layout, full_rows=(2,))
    gap = 1.5 * mm if layout.continuous else 4 * mm
    story: list[Flowable] = [
        *_title(*RECEIPT_TITLE, styles, layout),
        table,
        Spacer(1, gap),
        KeepTogether([signature_lines(RECEIPT_SIGNATURES, layout.frame_width, layout)]),
    ]
    decor = PageDecor(company=data.company, title_zh=RECEIPT_TITLE[0],
                      title_en=RECEIPT_TITLE[1], number=data.number,
                      printed_at=data.printed_at, printed_by=data.printed_by)
    return build_pdf(out, story, decor, layout)


# --- pieces ----------------------------------------------------------------------------------


def _compact_info(data: PickupSlipData, device: str, layout: PageLayout,
                  styles: Styles) -> Table:
    c = data.customer
    picked_up = format_timestamp(data.picked_up_at) if data.picked_up_at else ""
    work = _work_text(data) + (f"（{data.technician}）" if data.technician else "")
    return _compact_table([
        [_Field("客户名称", "", c.name), _Field("联系电话", "", c.phone or ""),
         _Field("服务单号", "", data.number)],
        [_Field("设备", "", device),
         _Field("接机时间", "", format_timestamp(data.received_at)),
         _Field("取机时间", "", picked_up)],
        [_Field("故障描述", "", data.symptoms), _Field("维修内容", "", work)],
    ], layout, styles)


def _work_text(data: PickupSlipData) -> str:
    return "；".join(p.strip() for p in (data.work_done, data.result) if p and p.strip())


def _coverage_note(data: PickupSlipData) -> str:
    if data.under_contract:
        return "合同/保修内（免费）"
    if data.labour_free:
        return "合同内人工免费，配件收费"
    return ""


def _label(zh: str, en: str, styles: Styles, layout: PageLayout) -> Paragraph:
    return bilingual(zh, en, styles.label, layout)


def _value(value: str, styles: Styles) -> Paragraph:
    return Paragraph(text(value), styles.body)


def _widths(layout: PageLayout) -> list[float]:
    """Label, value, label, value across the frame; the first value takes the most."""
    label_w = (24 if wide(layout) else 19) * mm
    rest = layout.frame_width - 2 * label_w
    return [label_w, rest * 0.6, label_w, rest * 0.4]


def _boxed(rows: list[list[Any]], layout: PageLayout, full_rows: Sequence[int] = ()) -> Table:
    """Label / value pairs, two a row; in ``full_rows`` the first value takes the row."""
    table = Table(rows, colWidths=_widths(layout))
    right_labels = [((2, r), (2, r)) for r in range(len(rows)) if r not in full_rows]
    padding = 1 if layout.continuous else 3
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *grid(layout),
        *fills(layout, ((0, 0), (0, -1)), *right_labels),
        *(("SPAN", (1, r), (3, r)) for r in full_rows),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


def _charges_table(charges: tuple[ChargeLine, ...], layout: PageLayout,
                   styles: Styles) -> Table:
    width = layout.frame_width
    shares = (0.07, 0.0, 0.1, 0.17, 0.17) if wide(layout) else (0.08, 0.0, 0.1, 0.18, 0.19)
    col_widths = [share * width for share in shares]
    col_widths[1] = width - sum(col_widths)
    rows: list[list[Any]] = [[bilingual(zh, en, styles.cell_center, layout)
                              for zh, en in _CHARGE_HEADERS]]
    for i, line in enumerate(charges, start=1):
        description = line.description + ("（合同内免费）" if line.covered else "")
        rows.append([str(i), Paragraph(text(description), styles.cell),
                     format_quantity(line.quantity), format_money(line.unit_price),
                     format_money(line.amount)])
    if not charges:
        rows.append(["", Paragraph("（无收费项目）", styles.cell), "", "", ""])
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    padding = 1 if layout.continuous else 2
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        *fills(layout, ((0, 0), (-1, 0))),
        *grid(layout),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


def _payments_text(payments: tuple[PaymentLine, ...], paid: Decimal) -> str:
    """What was paid and how: "¥330.00（现金，收款单 SK-…）"."""
    if not payments:
        return format_money(paid)
    parts = [f"{p.method_label} {format_money(p.amount)}，收款单 {p.number}" for p in payments]
    return f"{format_money(paid)}（{'；'.join(parts)}）"


def _money_table(data: PickupSlipData, layout: PageLayout, styles: Styles) -> Table:
    """Total in words and figures, then what was paid (and how) and what stays open."""
    total_words = f"人民币 {data.total_in_words}"
    if note := _coverage_note(data):
        total_words += f"（{note}）"
    open_text = format_money(data.open_amount)
    rows: list[list[Any]] = [
        [_label("大写金额", "Total in words", styles, layout),
         _value(total_words, styles),
         _label(f"合计 共{len(data.charges)}项", "Total", styles, layout),
         Paragraph(format_money(data.total_charge), styles.cell_right)],
        [_label("已付", "Paid", styles, layout),
         _value(_payments_text(data.payments, data.paid_amount), styles),
         _label("未付", "Open", styles, layout),
         Paragraph(open_text, styles.cell_right)],
    ]
    return _boxed(rows, layout)


__all__ = [
    "PICKUP_TITLE",
    "RECEIPT_TITLE",
    "render_payment_receipt",
    "render_pickup_receipt",
]
