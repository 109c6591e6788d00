"""Customer service statistics (客户服务统计): tickets, turnaround, SLA, repeat faults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, cast, exists, func, null, select, type_coerce
from sqlalchemy.orm import aliased

from app.models import Device, ServiceTicket, User
from app.models.base import utcnow
from app.models.customers import customer_directory
from app.models.enums import TicketStatus
from app.models.functions import hours_between
from app.services.statistics import ChartKind, ColumnKind, StatTable
from app.services.stats_common import (
    NONE_KEY,
    TOTAL_KEY,
    Ctx,
    DrillSpec,
    dec,
    key,
    label,
    percent,
    row,
)

SV = "service"
REPEAT_HOURS = 30 * 24     # the same device back within 30 days is a repeat fault
TOP_REPEATS = 20
Tech = aliased(User, name="tech_user")
T, INT, P, D = ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.PERCENT, ColumnKind.DECIMAL


def _conditions(ctx: Ctx) -> list[Any]:
    return [ServiceTicket.status != TicketStatus.CANCELLED,
            ServiceTicket.received_at >= ctx.start_ts, ServiceTicket.received_at < ctx.end_ts,
            ctx.ticket_scope(), *ctx.person_filters(ServiceTicket.technician_id),
            *ctx.customer_filters(customer_id=ServiceTicket.customer_id)]


def _from(stmt: Any, *, customer: bool = False, device: bool = True) -> Any:
    stmt = stmt.select_from(ServiceTicket)
    if customer:
        # Named from the directory, as every drill-down (app.services.stats_sales.NAMES).
        stmt = stmt.join(customer_directory, customer_directory.c.id == ServiceTicket.customer_id)
    if device:
        stmt = stmt.outerjoin(Device, Device.id == ServiceTicket.device_id)
    return stmt


def _group(view: str) -> Any:
    return Device.model if view == "device_model" else ServiceTicket.technician_id


def _measure_conditions(measure: str) -> list[Any]:
    done = ServiceTicket.completed_at.is_not(None)
    if measure == "completed":
        return [done]
    if measure == "sla":
        return [_sla_bound()]
    if measure == "on_time":
        return [done, ServiceTicket.completed_at <= ServiceTicket.due_at]
    return []


def _sla_bound() -> Any:
    """Tickets with a due time that are finished or already past it (the SLA is decided)."""
    return and_(ServiceTicket.due_at.is_not(None),
                (ServiceTicket.completed_at.is_not(None)) | (ServiceTicket.due_at < utcnow()))


def service(ctx: Ctx) -> StatTable:
    lang = ctx.lang
    view = ctx.filters.group_by or "technician"
    group = _group(view)
    done = ServiceTicket.completed_at.is_not(None)
    hours = case((done, hours_between(ServiceTicket.received_at, ServiceTicket.completed_at)))
    on_time = and_(done, ServiceTicket.completed_at <= ServiceTicket.due_at)
    found = ctx.session.execute(_from(select(
        group, func.count(), func.count(ServiceTicket.completed_at),
        type_coerce(func.sum(hours), hours_between.type), func.count(case((_sla_bound(), 1))),
        func.count(case((on_time, 1)))), device=view == "device_model")
        .where(*_conditions(ctx)).group_by(group)).all()
    names = ctx.user_names(r[0] for r in found) if view == "technician" else {}
    columns = (ctx.col("group", "Technician" if view == "technician" else "Device model", T),
               ctx.col("received", "Tickets received", INT),
               ctx.col("completed", "Completed", INT),
               ctx.col("turnaround", "Average turnaround (hours)", D),
               ctx.col("sla", "With a decided SLA", INT),
               ctx.col("on_time", "Within SLA", INT),
               ctx.col("sla_rate", "SLA hit rate", P))
    measures = ("received", "completed", None, "sla", "on_time")
    body = []
    t: list[Any] = [0, 0, Decimal(0), 0, 0]
    for r in found:
        code = str(r[0]) if r[0] is not None else NONE_KEY
        if view == "technician":
            name = names.get(r[0], code) if r[0] is not None else label("technician", None, lang)
        else:
            name = r[0] if r[0] is not None else label("device_model", None, lang)
        received, completed, total_hours = int(r[1]), int(r[2]), Decimal(r[3] or 0)
        sla, hits = int(r[4]), int(r[5])
        t = [t[0] + received, t[1] + completed, t[2] + total_hours, t[3] + sla, t[4] + hits]
        body.append((name, code, [received, completed,
                                  dec(total_hours / completed, "0.1") if completed else None,
                                  sla, hits, percent(hits, sla)]))
    body.sort(key=lambda b: (-int(b[2][0] or 0), str(b[0])))
    rows = [row([name, *cells], [None, *(key(SV, view=view, measure=m, value=code)
                                         if m else None for m in measures), None],
                category=code) for name, code, cells in body]
    rows.append(row([ctx.total(), t[0], t[1],
                     dec(t[2] / t[1], "0.1") if t[1] else None, t[3], t[4],
                     percent(t[4], t[3])],
                    [None, *(key(SV, view=view, measure=m, value=TOTAL_KEY) if m else None
                             for m in measures), None], total=True, category=TOTAL_KEY))
    return ctx.table(SV, "Customer service statistics", columns, rows,
                     ctx.chart(ChartKind.BAR, "group", ("received", "completed"),
                               "Tickets received and completed"), (_repeats(ctx),))


# Made once: an ORM alias takes longer to make than many a statement.
_EARLIER = aliased(ServiceTicket, name="earlier")


def _repeat_condition(ctx: Ctx) -> Any:
    earlier = _EARLIER
    # A ticket counted was received in the range, so an earlier one within 30 days was
    # received at most 30 days before the range starts: said outright, the database reads
    # those tickets only (by the received-at index) instead of every ticket ever.
    since = ctx.start_ts - dt.timedelta(hours=REPEAT_HOURS)
    return and_(ServiceTicket.device_id.is_not(None), exists(select(earlier.id).where(
        earlier.device_id == ServiceTicket.device_id, earlier.id != ServiceTicket.id,
        earlier.status != TicketStatus.CANCELLED, earlier.received_at >= since,
        earlier.received_at < ServiceTicket.received_at,
        hours_between(earlier.received_at, ServiceTicket.received_at) <= REPEAT_HOURS)))


def _repeats(ctx: Ctx) -> StatTable:
    count = func.count()
    found = ctx.session.execute(_from(select(Device.model, count))
                                .where(*_conditions(ctx), _repeat_condition(ctx))
                                .group_by(Device.model).order_by(count.desc(), Device.model)
                                .limit(TOP_REPEATS)).all()
    total = sum(int(r[1]) for r in found)
    rows = [row([r[0], int(r[1])], [None, key(SV, section="repeats", value=r[0])],
                category=r[0]) for r in found]
    if rows:
        rows.append(row([ctx.total(), total], [None, None], total=True,
                        category=TOTAL_KEY))
    columns = (ctx.col("model", "Device model", T),
               ctx.col("repeats", "Back within 30 days", INT))
    return ctx.table(SV, "Repeat faults (same device back within 30 days)", columns, rows,
                     None)


def drill_service(ctx: Ctx, sel: Mapping[str, str]) -> DrillSpec:
    conditions = _conditions(ctx)
    if sel.get("section") == "repeats":
        conditions += [_repeat_condition(ctx), Device.model == sel["value"]]
        title = "Repeat faults"
    else:
        value = sel["value"]
        group = _group(sel["view"])
        if value == NONE_KEY:
            conditions.append(group.is_(None))
        elif value != TOTAL_KEY:
            conditions.append(group == (int(value) if sel["view"] == "technician" else value))
        conditions += _measure_conditions(sel["measure"])
        title = "Service tickets"
    stmt = (_from(select(ServiceTicket.id.label("id"), ServiceTicket.number.label("number"),
                         ServiceTicket.received_at.label("day"),
                         customer_directory.c.name.label("customer"),
                         Tech.display_name.label("person"),
                         cast(null(), dec_type()).label("amount"),
                         func.coalesce(Device.model, "").label("detail")), customer=True)
            .outerjoin(Tech, Tech.id == ServiceTicket.technician_id).where(*conditions))
    return DrillSpec("ticket", title, stmt, counted=True)


def dec_type() -> Any:
    return hours_between.type
