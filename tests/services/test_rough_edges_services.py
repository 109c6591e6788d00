"""Issue 15's rough edges in the services: a statistic says "no permission to view" where
the reader's role may not see a figure, instead of a zero from an empty data scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from app import i18n
from app.models.enums import Module
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied
from app.services.permissions import Actor
from app.services.statistics import DrillKey, StatFilters, drill_down, run_statistic
from app.services.uow import UnitOfWork

TODAY = dt.date.today()
FILTERS = StatFilters(TODAY - dt.timedelta(days=60), TODAY)


@pytest.fixture
def repair_lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _cells(table: object, key: str) -> list[object]:
    keys = [c.key for c in table.columns]  # type: ignore[attr-defined]
    return [r.cells[keys.index(key)] for r in table.rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("language, note, line", [
    ("en", "No permission to view", "Revenue: no permission to view"),
    ("zh", "无权查看", "销售额：无权查看")])
def test_a_repair_lead_reads_no_permission_beside_the_customer_counts(
    uow: UnitOfWork, repair_lead: Actor, sales_user: Actor, language: str, note: str,
    line: str,
) -> None:
    for name in ("北京鑫锐科技有限公司", "上海华东印务有限公司"):
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name))
    table = run_statistic("customer-classes", FILTERS, uow=uow, actor=repair_lead,
                          language=language)
    total = next(r for r in table.rows if r.is_total)
    keys = [c.key for c in table.columns]
    assert total.cells[keys.index("customers")] == 2       # customers: all of them
    for key in ("buyers", "orders", "revenue", "share"):   # sales: not theirs to see
        assert set(_cells(table, key)) == {note}
        assert all(r.drill[keys.index(key)] is None for r in table.rows)
    assert line in table.filter_lines
    assert table.chart is None or "revenue" not in table.chart.value_columns

    revenue = DrillKey("customer-classes", (("measure", "revenue"), ("value", "*"),
                                            ("view", "class")))
    with pytest.raises(PermissionDenied) as refused:
        drill_down(revenue, FILTERS, uow=uow, actor=repair_lead, language=language)
    assert refused.value.module is Module.ORDERS
    i18n.set_language("en")


def test_the_manager_still_sees_every_figure(
    uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    table = run_statistic("customer-classes", FILTERS, uow=uow, actor=manager)
    assert "No permission to view" not in {c for r in table.rows for c in r.cells}
    assert not any("permission" in line for line in table.filter_lines)


def test_an_export_leaves_hidden_figures_empty_and_says_why_above(
    uow: UnitOfWork, repair_lead: Actor, sales_user: Actor, tmp_path: Path,
) -> None:
    # A repair lead may not export; the file they would get is the one rendered here.
    from openpyxl import load_workbook

    from app.reports.statistics_export import export_statistic_pdf, export_statistic_xlsx
    from app.services.stats_impl import _without_notes

    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    table = run_statistic("customer-classes", FILTERS, uow=uow, actor=repair_lead,
                          language="zh")
    rendered = _without_notes(table, "无权查看")
    export_statistic_xlsx(rendered, tmp_path / "classes.xlsx")
    export_statistic_pdf(rendered, tmp_path / "classes.pdf")   # no number from words
    sheet = load_workbook(tmp_path / "classes.xlsx").worksheets[0]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "销售额：无权查看" in texts
    assert "无权查看" not in texts   # the cells are empty, the columns stay numeric
    i18n.set_language("en")


# --- custom fields: the Chinese label alone suffices ------------------------------------------

def test_a_field_with_only_a_chinese_label_gets_a_pinyin_code(
    uow: UnitOfWork, admin: Actor,
) -> None:
    from app.models.enums import CustomFieldEntity, CustomFieldKind
    from app.services import custom_fields as cf

    def define(label: str, **more: object) -> cf.FieldDefinition:
        return cf.define_field(uow=uow, actor=admin, draft=cf.FieldDraft(
            entity=CustomFieldEntity.CUSTOMER, code="", label_zh=label, label_en="",
            kind=more.pop("kind", CustomFieldKind.TEXT), **more))  # type: ignore[arg-type]

    toner = define("使用硒鼓型号")
    assert (toner.code, toner.label_en) == ("shiyongxiguxinghao", "使用硒鼓型号")
    assert define("使用硒鼓型号").code == "shiyongxiguxinghao_2"   # unique on the kind
    level = define("客户等级", kind=CustomFieldKind.CHOICE, options=(
        cf.Choice(code="", zh="重要", en=""), cf.Choice(code="", zh="一般", en=""),
        cf.Choice(code="vip", zh="贵宾", en="VIP")))
    assert level.code == "kehudengji"
    assert [(c.code, c.en) for c in level.options] == [
        ("zhongyao", "重要"), ("yiban", "一般"), ("vip", "VIP")]
    # An English label still names the code, as before.
    assert cf.define_field(uow=uow, actor=admin, draft=cf.FieldDraft(
        entity=CustomFieldEntity.CUSTOMER, code="", label_zh="打印量",
        label_en="Pages per month", kind=CustomFieldKind.NUMBER)).code == "pages_per_month"


@pytest.mark.parametrize("language, message", [
    ("en", "must start with a letter and hold only letters, digits and _"),
    ("zh", None)])
def test_a_typed_code_that_is_not_ascii_is_refused_and_nothing_written(
    uow: UnitOfWork, admin: Actor, language: str, message: str | None,
) -> None:
    from sqlalchemy import func, select

    from app.models.enums import CustomFieldEntity, CustomFieldKind
    from app.models.system import CustomFieldDefinition
    from app.services import custom_fields as cf
    from app.services.errors import ValidationError

    i18n.set_language(language)
    with pytest.raises(ValidationError) as refused:
        cf.define_field(uow=uow, actor=admin, draft=cf.FieldDraft(
            entity=CustomFieldEntity.CUSTOMER, code="硒鼓", label_zh="", label_en="",
            kind=CustomFieldKind.TEXT))
    errors = refused.value.errors
    assert set(errors) == {"code", "label_zh"}
    if message is not None:
        assert errors["code"] == message
    else:
        assert errors["code"] == i18n.translate(
            "must start with a letter and hold only letters, digits and _", language="zh")
        assert errors["code"] != "must start with a letter and hold only letters, digits and _"
    i18n.set_language("en")
    with uow:
        assert uow.session.execute(
            select(func.count()).select_from(CustomFieldDefinition)).scalar_one() == 0


def test_only_the_administrator_defines_fields(uow: UnitOfWork, clerk: Actor) -> None:
    from app.models.enums import CustomFieldEntity, CustomFieldKind
    from app.services import custom_fields as cf

    with pytest.raises(PermissionDenied):
        cf.define_field(uow=uow, actor=clerk, draft=cf.FieldDraft(
            entity=CustomFieldEntity.CUSTOMER, code="", label_zh="使用硒鼓型号", label_en="",
            kind=CustomFieldKind.TEXT))
