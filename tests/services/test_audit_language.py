"""Audit entries are read in the reader's language, whatever language wrote them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.i18n import set_language
from app.labels import JOB_TYPE
from app.models import AuditEntry
from app.models.enums import AuditAction, TicketStatus
from app.services import audit
from app.services.audit_view import AuditFilters, list_audit
from app.services.customer360 import customer_overview
from app.services.customers import CustomerDraft, create_customer
from app.services.exports import export_customers


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def _summaries(uow, admin, **filters) -> list[str]:
    return [r.summary for r in list_audit(uow=uow, actor=admin,
                                          filters=AuditFilters(**filters)).rows]


def test_an_entry_written_in_english_reads_in_chinese(uow, admin, manager, tmp_path: Path,
                                                      english: None) -> None:
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="北京鑫锐科技"))
    export_customers(uow=uow, actor=manager, path=tmp_path / "c.csv")
    assert _summaries(uow, admin, action=AuditAction.EXPORT) == [
        "export Customers: 1 rows to c.csv"]
    set_language("zh")
    assert _summaries(uow, admin, action=AuditAction.EXPORT) == ["导出客户：1 行，写入 c.csv"]
    with uow:
        stored = uow.session.scalars(select(AuditEntry.summary)
                                     .where(AuditEntry.action == AuditAction.EXPORT)).one()
    # The text column keeps the writer's words, for SQL tools.
    assert stored == "export Customers: 1 rows to c.csv"


def test_an_entry_written_in_chinese_reads_in_english(uow, admin, clerk, english: None) -> None:
    set_language("zh")
    with uow:
        audit.record(uow, clerk, AuditAction.TRANSITION, "service_ticket", 7,
                     audit.say("{what} {ref}: {status}, {job}",
                               what=audit.Code("RecordKind", "service_ticket"), ref="WX-0007",
                               status=TicketStatus.DONE,
                               job=audit.Code(JOB_TYPE, "on_site_repair")))
        audit.record(uow, clerk, AuditAction.EXPORT, "order", None,
                     audit.say("export {what}: {rows} rows to {file}",
                               what=audit.Words("Orders"), rows=2, file="o.xlsx"))
        uow.commit()
    assert _summaries(uow, admin, user_id=clerk.user_id) == [
        "导出订单：2 行，写入 o.xlsx", "服务单 WX-0007: 已修复, 上门维修"]
    set_language("en")
    assert _summaries(uow, admin, user_id=clerk.user_id) == [
        "export Orders: 2 rows to o.xlsx", "Service ticket WX-0007: Repaired, On-site repair"]


def test_older_entries_and_unreadable_templates_show_their_text(
        uow, admin, clerk, english: None) -> None:
    with uow:
        audit.record(uow, clerk, AuditAction.UPDATE, "customer", 1, "C0001 海淀零售客户")
        audit.record(uow, clerk, AuditAction.UPDATE, "customer", 2, audit.say(
            "{user} logged in", user="clerk1"))
        uow.commit()
        # A template from a newer program, or a damaged row, cannot be rendered here.
        uow.session.execute(update(AuditEntry).where(AuditEntry.entity_id == 2)
                            .values(summary_data='{"text": "{nobody} knows"}'))
        uow.commit()
    set_language("zh")
    assert _summaries(uow, admin, entity="customer") == ["clerk1 logged in",
                                                         "C0001 海淀零售客户"]


def test_the_customer_timeline_reads_changes_in_the_readers_language(
        uow, manager, english: None) -> None:
    customer = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="天津海河电子"))
    with uow:
        audit.record(uow, manager, AuditAction.REASSIGN, "customer", customer.id,
                     audit.say("{what} {ref} handed over from {old} to {new}",
                               what=audit.Words("Customers"), ref=customer.code,
                               old="老王", new="小李"))
        uow.commit()

    def changes() -> list[str]:
        view = customer_overview(uow=uow, actor=manager, customer_id=customer.id)
        return [e.text for e in view.timeline if e.kind == "change"]

    assert f"Customers {customer.code} handed over from 老王 to 小李" in changes()
    set_language("zh")
    assert f"客户 {customer.code} 由 老王 移交给 小李" in changes()
