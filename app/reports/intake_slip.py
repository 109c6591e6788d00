"""The intake slip (客户服务接待单, A5) handed to the customer, and the dispatch order
(客户服务请求派遣单, A4) the technician takes on site.

``build_*`` checks ``SERVICE_TICKETS/PRINT`` and the data scope, audits the print and
returns a frozen dataclass; ``render_*`` lays it out with reportlab and touches no
database. The ticket number is printed as a Code128 barcode (page header) and a QR code,
so the pickup counter can scan it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer
from sqlalchemy import or_, select

from app.i18n import tr
from app.models import AppSetting, Device, User, utcnow
from app.models.enums import (
    AuditAction,
    CustomFieldEntity,
    Module,
    Operation,
    Priority,
    ServiceMode,
    TicketChannel,
)
from app.models.service import ServiceTicket
from app.reports.company import CompanyInfo, load_company
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
from app.reports.sales_slips import (
    SlipCustomer,
    _customer_block,
    _Field,
    _info_table,
    _remarks,
    _title,
)
from app.services import audit, custom_fields
from app.services.errors import NotFound
from app.services.permissions import Actor, owns_in_scope, require, scope_filter
from app.services.uow import UnitOfWork
from app.services.validation import search_text

Output = str | os.PathLike[str] | IO[bytes]
SERVICE_TERMS_KEY = "service_terms"
DEFAULT_SERVICE_TERMS = (
    "1. 请凭本单取机，遗失请携带有效证件并由客户单位确认。\n"
    "2. 设备内数据请客户自行备份，维修过程中数据丢失本公司不承担责任。\n"
    "3. 维修完成通知后30天内未取机，本公司不再承担保管责任。\n"
    "4. 保修/合同期内按合同条款免费维修；其余按实际发生的配件及工时收费。\n"
    "5. 外观状况以本单记录为准，客户签字确认。"
)
INTAKE_TITLE = ("客户服务接待单", "SERVICE INTAKE SLIP")
DISPATCH_TITLE = ("客户服务请求派遣单", "SERVICE DISPATCH ORDER")
INTAKE_SIGNATURES = (("客户签字", "Customer"), ("接机人", "Received by"), ("日期", "Date"))
DISPATCH_SIGNATURES = (("客户签字", "Customer"), ("工程师", "Technician"), ("完成时间", "Done at"))
PRIORITY_ZH = {Priority.LOW: "低", Priority.NORMAL: "普通", Priority.HIGH: "高",
               Priority.URGENT: "紧急"}
CHANNEL_ZH = {TicketChannel.WALK_IN: "到店送修", TicketChannel.PHONE: "电话报修",
              TicketChannel.ON_SITE_REQUEST: "上门请求"}
MODE_ZH = {ServiceMode.BRING_IN: "送修", ServiceMode.ON_SITE: "上门"}


@dataclass(frozen=True)
class TicketSlipData:
    """What the intake slip and the dispatch order show (never costs or margins)."""

    company: CompanyInfo
    number: str
    customer: SlipCustomer
    device_brand: str | None
    device_model: str | None
    serial_number: str | None
    channel: TicketChannel
    mode: ServiceMode
    priority: Priority
    symptoms: str
    accessories: str | None
    condition: str | None
    received_at: dt.datetime
    expected_on: dt.date | None
    under_contract: bool
    intake_by: str
    technician: str | None
    scheduled_at: dt.datetime | None
    site_address: str | None
    terms: str
    printed_at: dt.datetime
    printed_by: str
    # The ticket's custom fields with a value: (label zh, label en, value).
    custom: tuple[tuple[str, str, str], ...] = ()
    # Linked to a labour-only contract: labour free, parts charged (see app.services.tickets).
    labour_free: bool = False


def _coverage_text(data: TicketSlipData) -> str:
    if data.under_contract:
        return "合同/保修内（免费）"
    if data.labour_free:  # a labour-only contract: the parts are charged
        return "合同内人工免费，配件收费"
    return "收费维修"


def build_intake_slip(*, uow: UnitOfWork, actor: Actor, ticket_id: int | None = None,
                      number: str | None = None) -> TicketSlipData:
    """Everything the intake slip shows, by ticket id or number; audits the print.

    Raises:
        PermissionDenied: the actor may not print service tickets, or not this one.
        NotFound: no ticket with that id or number.
    """
    return _build(uow, actor, ticket_id, number, "intake slip")


def build_dispatch_order(*, uow: UnitOfWork, actor: Actor, ticket_id: int | None = None,
                         number: str | None = None) -> TicketSlipData:
    """Everything the dispatch order shows; same checks as :func:`build_intake_slip`."""
    return _build(uow, actor, ticket_id, number, "dispatch order")


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
         _Field("方式", "Channel", f"{CHANNEL_ZH[data.channel]} / {MODE_ZH[data.mode]}"),
         _Field("优先级", "Priority", PRIORITY_ZH[data.priority]),
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
         _Field("优先级", "Priority", PRIORITY_ZH[data.priority])],
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


def _build(uow: UnitOfWork, actor: Actor, ticket_id: int | None, number: str | None,
           what: str) -> TicketSlipData:
    search_text("number", number)  # typed or scanned: checked before any query
    if (ticket_id is None) == (number is None or not number.strip()):
        raise ValueError("give exactly one of the id and the number")
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
        condition = (ServiceTicket.id == ticket_id if ticket_id is not None
                     else ServiceTicket.number == (number or "").strip())
        ticket = uow.session.execute(select(ServiceTicket).where(condition)).scalar_one_or_none()
        if ticket is None or not (
                owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.intake_by_id)
                or owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.technician_id)):
            raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                              entity=tr("Service ticket"),
                              id=ticket_id if ticket_id is not None else number))
        device = uow.session.get(Device, ticket.device_id) if ticket.device_id else None
        data = TicketSlipData(
            company=load_company(uow), number=ticket.number,
            customer=_customer_block(uow, ticket.customer_id, ticket.contact_id, actor),
            device_brand=device.brand if device else None,
            device_model=device.model if device else None,
            serial_number=device.serial_number if device else None,
            channel=TicketChannel(ticket.channel), mode=ServiceMode(ticket.mode),
            priority=Priority(ticket.priority), symptoms=ticket.symptoms,
            accessories=ticket.accessories, condition=ticket.condition,
            received_at=ticket.received_at, expected_on=ticket.expected_on,
            under_contract=not ticket.chargeable,
            labour_free=ticket.chargeable and ticket.contract_id is not None,
            intake_by=_user_name(uow, ticket.intake_by_id) or "",
            technician=_user_name(uow, ticket.technician_id),
            scheduled_at=ticket.scheduled_at, site_address=ticket.site_address,
            terms=_service_terms(uow), printed_at=utcnow(), printed_by=actor.display_name,
            custom=custom_fields.print_lines(uow, CustomFieldEntity.SERVICE_TICKET, ticket.id),
        )
        audit.record(uow, actor, AuditAction.PRINT, "service_ticket", ticket.id,
                     f"printed {what} {ticket.number}")
        uow.commit()
        return data


def _user_name(uow: UnitOfWork, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    name: str | None = uow.session.execute(
        select(User.display_name).where(User.id == user_id)).scalar_one_or_none()
    return name


def _service_terms(uow: UnitOfWork) -> str:
    """The terms printed on the slip: setting ``service_terms`` (JSON text or list)."""
    raw = uow.session.execute(
        select(AppSetting.value).where(AppSetting.key == SERVICE_TERMS_KEY)
    ).scalar_one_or_none()
    if not raw or not raw.strip():
        return DEFAULT_SERVICE_TERMS
    try:
        value = json.loads(raw)
    except ValueError:
        return raw.strip()
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value:
        return "\n".join(str(v) for v in value)
    return DEFAULT_SERVICE_TERMS


def _device_text(data: TicketSlipData) -> str:
    return " ".join(p for p in (data.device_brand, data.device_model) if p)


def _decor(data: TicketSlipData, title: tuple[str, str]) -> PageDecor:
    return PageDecor(company=data.company, title_zh=title[0], title_en=title[1],
                     number=data.number, printed_at=data.printed_at,
                     printed_by=data.printed_by)


__all__ = [
    "DEFAULT_SERVICE_TERMS",
    "SERVICE_TERMS_KEY",
    "TicketSlipData",
    "build_dispatch_order",
    "build_intake_slip",
    "render_dispatch_order",
    "render_intake_slip",
]


def latest_ticket_number(uow: UnitOfWork, *, actor: Actor | None = None) -> str | None:
    """The number of the most recently received ticket the actor may print, or None; an
    actor who may not print service tickets is refused (PermissionDenied)."""
    with uow:
        if actor is not None:
            require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
        stmt = select(ServiceTicket.number).order_by(ServiceTicket.received_at.desc(),
                                                     ServiceTicket.id.desc())
        if actor is not None:
            stmt = stmt.where(or_(
                scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id),
                scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
            ))
        return uow.session.execute(stmt.limit(1)).scalar_one_or_none()
