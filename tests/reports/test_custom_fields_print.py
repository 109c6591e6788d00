"""Printouts carry the record's active custom fields: label and value, removed ones not."""

from __future__ import annotations

from pathlib import Path

from app.models.enums import CustomFieldEntity
from app.reports.intake_slip import render_intake_slip
from app.reports.sales_slips import render_order_slip
from app.services import custom_fields as cf
from app.services.custom_fields import Choice, FieldDraft
from app.services.slips import intake_slip_data, order_slip_data
from tests.reports.conftest import pdf_text
from tests.reports.test_intake_slip import NUMBER, ticket  # noqa: F401 - the fixture


def _fill(uow, actor, entity, record_id, values):
    with uow:
        cf.save_values(uow=uow, actor=actor, entity=entity, record_id=record_id,
                       values=values)
        uow.commit()


def test_order_slip_prints_custom_fields(uow, admin, sales_user, make_order, tmp_path: Path):
    window = cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="order", code="delivery_window", label_zh="送货时段", label_en="Delivery time",
        kind="choice", options=(Choice("am", "上午送货", "Morning"),
                                Choice("pm", "下午送货", "Afternoon"))))
    gone = cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="order", code="old_note", label_zh="旧字段", label_en="Old field", kind="text"))
    order_id, number = make_order(sales_user, lines=2)
    _fill(uow, sales_user, CustomFieldEntity.ORDER, order_id,
          {"delivery_window": "pm", "old_note": "不应打印"})
    cf.remove_field(uow=uow, actor=admin, field_id=gone.id, expected_version=gone.version)
    data = order_slip_data(uow=uow, actor=sales_user, order_id=order_id)
    assert data.custom == (("送货时段", "Delivery time", "下午送货"),)
    pdf = tmp_path / "order.pdf"
    render_order_slip(data, pdf)
    text = "\n".join(pdf_text(pdf))
    assert "送货时段" in text and "下午送货" in text
    assert "不应打印" not in text and "旧字段" not in text
    assert window.active


def test_intake_slip_prints_custom_fields(uow, admin, clerk, ticket, tmp_path: Path):  # noqa: F811
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="service_ticket", code="machine_location", label_zh="机器位置",
        label_en="Machine location", kind="text"))
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="service_ticket", code="backup_given", label_zh="提供备用机",
        label_en="Loaner given", kind="boolean"))
    _fill(uow, clerk, CustomFieldEntity.SERVICE_TICKET, ticket,
          {"machine_location": "三楼财务室", "backup_given": True})
    data = intake_slip_data(uow=uow, actor=clerk, number=NUMBER)
    pdf = tmp_path / "intake.pdf"
    render_intake_slip(data, pdf)
    text = "\n".join(pdf_text(pdf))
    for wanted in ("机器位置", "三楼财务室", "提供备用机"):
        assert wanted in text
