"""Sales plans: one plan per owner and period on every database, and plan against actual."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditEntry,
    Order,
    Role,
    RoleDataScope,
    RoleFieldRule,
    RolePermission,
    SalesPlan,
)
from app.models.enums import (
    CustomerSource,
    DataScope,
    FieldAccess,
    Module,
    Operation,
    OrderStatus,
    PlanPeriod,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.permissions import DEFAULT_ROLES
from app.services.plans import (
    SalesPlanDraft,
    get_sales_plan,
    list_sales_plans,
    plan_vs_actual,
    set_sales_plan,
)
from app.services.uow import UnitOfWork
from tests import people
from tests.services.test_permission_matrix import ROLE_DEPARTMENT

YEAR = 2026
D = Decimal


def _counts(uow) -> tuple[int, int]:
    with uow:
        return tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (SalesPlan, AuditEntry))


def _plans(uow) -> list[tuple[int, int | None, int, str]]:
    with uow:
        return [tuple(r) for r in uow.session.execute(
            select(SalesPlan.owner_id, SalesPlan.customer_id, SalesPlan.period,
                   SalesPlan.planned_amount).order_by(SalesPlan.id)).all()]


@pytest.fixture
def customer_model(uow, sales_user):
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))


@pytest.fixture
def second_customer(uow, sales_user):
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="上海华联商贸"))


@pytest.fixture
def cost_blind_planner(uow, make_user):
    """A role that reads every plan but must not see costs (``orders.margin`` hidden)."""
    with uow:
        role = Role(code="planner", name_zh="计划员", name_en="Planner")
        role.permissions = [RolePermission(module=Module.SALES_PLANS, operation=Operation.VIEW)]
        role.data_scopes = [RoleDataScope(module=Module.SALES_PLANS, scope=DataScope.ALL)]
        role.field_rules = [RoleFieldRule(module=Module.ORDERS, field="margin",
                                          access=FieldAccess.HIDDEN)]
        uow.session.add(role)
        uow.commit()
    return make_user("planner1", "planner", "management", display_name="计划员")


# --- setting plans -------------------------------------------------------------------------


def test_customer_less_plan_is_one_row_per_owner_and_period_on_every_database(
        uow, sales_user):
    first = set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=3, planned_amount="50000"))
    again = set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=3, planned_amount="65000.50"))
    assert again.id == first.id and again.version == first.version + 1
    assert again.owner_id == sales_user.user_id and again.customer_id is None
    assert _plans(uow) == [(sales_user.user_id, None, 3, D("65000.50"))]
    # Another month, or a quarter with the same number, is another plan.
    set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=4, planned_amount="1"))
    set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=3, period_kind=PlanPeriod.QUARTER, planned_amount="2"))
    assert len(_plans(uow)) == 3


def test_per_customer_plans_are_one_row_per_customer(uow, sales_user, customer_model,
                                                     second_customer):
    for customer, amount in ((customer_model, "100"), (second_customer, "200"),
                             (customer_model, "150")):
        set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
            year=YEAR, period=1, planned_amount=amount, customer_id=customer.id))
    set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=1, planned_amount="999"))
    assert sorted(_plans(uow), key=lambda r: (r[1] is None, r[1] or 0)) == [
        (sales_user.user_id, customer_model.id, 1, D("150.00")),
        (sales_user.user_id, second_customer.id, 1, D("200.00")),
        (sales_user.user_id, None, 1, D("999.00")),
    ]
    views = list_sales_plans(uow=uow, actor=sales_user, year=YEAR)
    assert {v.customer_name for v in views} == {"北京鑫锐科技", "上海华联商贸", None}


def test_two_stations_setting_the_same_plan_at_once_leave_one_row(uow, engine, sales_user):
    """The second save waits for the first (row lock on the owner) and then updates it."""
    first, second = UnitOfWork.for_engine(engine), UnitOfWork.for_engine(engine)
    outcome: dict[str, object] = {}

    def other_station() -> None:
        try:
            outcome["view"] = set_sales_plan(uow=second, actor=sales_user, draft=SalesPlanDraft(
                year=YEAR, period=6, planned_amount="200"))
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome["error"] = exc

    with first:
        # Inside an outer transaction the service only flushes: its lock stays held.
        set_sales_plan(uow=first, actor=sales_user, draft=SalesPlanDraft(
            year=YEAR, period=6, planned_amount="100"))
        worker = threading.Thread(target=other_station)
        worker.start()
        worker.join(timeout=0.5)
        first.commit()
    worker.join(timeout=60)
    assert not worker.is_alive()
    rows = _plans(uow)
    assert len(rows) == 1
    if engine.dialect.name == "sqlite":
        # SQLite's single writer: the second either waited and updated, or was refused.
        assert "view" in outcome or "error" in outcome
    else:
        assert "error" not in outcome, outcome
        assert rows[0][3] == D("200.00")


def test_stale_version_raises_conflict(uow, sales_user, manager):
    mine = set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
        year=YEAR, period=2, planned_amount="1000"))
    set_sales_plan(uow=uow, actor=manager, draft=SalesPlanDraft(
        year=YEAR, period=2, planned_amount="1200", owner_id=sales_user.user_id),
        expected_version=mine.version)
    with pytest.raises(ConflictError) as err:
        set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
            year=YEAR, period=2, planned_amount="900"), expected_version=mine.version)
    assert err.value.changed_by == "总经理"
    assert get_sales_plan(uow=uow, actor=sales_user, plan_id=mine.id).planned_amount == D(
        "1200.00")


# --- permissions ---------------------------------------------------------------------------


def test_salesperson_cannot_set_or_see_another_salespersons_plans(
        uow, sales_user, other_sales_user):
    theirs = set_sales_plan(uow=uow, actor=other_sales_user, draft=SalesPlanDraft(
        year=YEAR, period=1, planned_amount="5000"))
    before = _counts(uow)
    with pytest.raises(people.REFUSED):
        set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
            year=YEAR, period=1, planned_amount="1", owner_id=other_sales_user.user_id))
    with pytest.raises(people.REFUSED):
        get_sales_plan(uow=uow, actor=sales_user, plan_id=theirs.id)
    with pytest.raises(people.REFUSED):
        plan_vs_actual(uow=uow, actor=sales_user, owner_id=other_sales_user.user_id,
                       year=YEAR)
    assert list_sales_plans(uow=uow, actor=sales_user, year=YEAR) == ()
    assert _counts(uow) == before


def test_salesperson_cannot_plan_another_salespersons_customer(
        uow, sales_user, other_sales_user):
    theirs = create_customer(uow=uow, actor=other_sales_user,
                             draft=CustomerDraft(name="天津海河电子"))
    before = _counts(uow)
    with pytest.raises(PermissionDenied):
        set_sales_plan(uow=uow, actor=sales_user, draft=SalesPlanDraft(
            year=YEAR, period=1, planned_amount="1", customer_id=theirs.id))
    assert _counts(uow) == before


@pytest.mark.parametrize("role", ["clerk", "technician"])
def test_roles_without_sales_plans_are_refused(uow, request, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        set_sales_plan(uow=uow, actor=actor, draft=SalesPlanDraft(
            year=YEAR, period=1, planned_amount="1"))
    with pytest.raises(PermissionDenied):
        plan_vs_actual(uow=uow, actor=actor, owner_id=None, year=YEAR)
    assert _counts(uow) == (0, 0)


def test_manager_sets_plans_for_a_salesperson(uow, manager, sales_user):
    made = set_sales_plan(uow=uow, actor=manager, draft=SalesPlanDraft(
        year=YEAR, period=1, planned_amount="8000", owner_id=sales_user.user_id))
    assert made.owner_id == sales_user.user_id and made.owner_name == "张伟"
    assert [p.id for p in list_sales_plans(uow=uow, actor=sales_user, year=YEAR)] == [made.id]


# --- bad input -----------------------------------------------------------------------------


BAD_PLANS = {
    "month 13": ({"period": 13}, "period"),
    "month 0": ({"period": 0}, "period"),
    "quarter 5": ({"period": 5, "period_kind": "quarter"}, "period"),
    "unknown period kind": ({"period_kind": "week"}, "period_kind"),
    "year 1800": ({"year": 1800}, "year"),
    "NaN amount": ({"planned_amount": D("NaN")}, "planned_amount"),
    "float amount": ({"planned_amount": float("nan")}, "planned_amount"),
    "negative amount": ({"planned_amount": "-1"}, "planned_amount"),
    "fractions of a fen": ({"planned_amount": "1.005"}, "planned_amount"),
    "text amount": ({"planned_amount": "many"}, "planned_amount"),
    "unknown customer": ({"customer_id": 987_654}, "customer_id"),
    "inactive owner": ({"owner_id": 987_654}, "owner_id"),
}


@pytest.mark.parametrize("case", sorted(BAD_PLANS))
def test_bad_plan_input_names_the_field_and_writes_nothing(uow, manager, case):
    changes, field = BAD_PLANS[case]
    values = {"year": YEAR, "period": 1, "planned_amount": "100", **changes}
    with pytest.raises(ValidationError) as err:
        set_sales_plan(uow=uow, actor=manager, draft=SalesPlanDraft(**values))
    assert field in err.value.errors
    assert _counts(uow) == (0, 0)


def test_bad_report_parameters_are_refused(uow, manager):
    with pytest.raises(ValidationError) as err:
        plan_vs_actual(uow=uow, actor=manager, owner_id=None, year=99999, period_kind="day")
    assert set(err.value.errors) == {"year", "period_kind"}


# --- plan against actual -------------------------------------------------------------------


@pytest.fixture
def sales_history(uow, sales_user, other_sales_user, customer_model, second_customer):
    """Orders and plans whose plan-vs-actual figures are worked out by hand in the tests."""
    number = iter(range(1, 100))

    def order(owner, day, amount, cost, status=OrderStatus.CONFIRMED):
        uow.session.add(Order(
            number=f"XS-TEST-{next(number):04d}", customer_id=customer_model.id,
            owner_id=owner.user_id, status=status, ordered_on=day,
            customer_source=CustomerSource.WALK_IN, total_amount=D(amount),
            total_cost=D(cost)))

    with uow:
        order(sales_user, dt.date(2025, 12, 31), "777.00", "1.00")  # last year
        order(sales_user, dt.date(2026, 1, 1), "1000.00", "700.00")
        order(sales_user, dt.date(2026, 1, 31), "500.50", "300.25", OrderStatus.COMPLETED)
        order(sales_user, dt.date(2026, 2, 1), "200.00", "150.00", OrderStatus.DRAFT)
        order(sales_user, dt.date(2026, 3, 15), "9999.00", "1.00", OrderStatus.CANCELLED)
        order(sales_user, dt.date(2026, 4, 30), "300.00", "320.00", OrderStatus.DELIVERED)
        order(sales_user, dt.date(2026, 12, 31), "10.00", "4.00")
        order(sales_user, dt.date(2027, 1, 1), "888.00", "1.00")  # next year
        order(other_sales_user, dt.date(2026, 1, 10), "800.00", "600.00")
        uow.commit()

    def plan(actor, period, amount, customer=None, kind=PlanPeriod.MONTH, margin="0"):
        set_sales_plan(uow=uow, actor=actor, draft=SalesPlanDraft(
            year=YEAR, period=period, period_kind=kind, planned_amount=amount,
            customer_id=customer.id if customer else None, planned_margin=margin))

    plan(sales_user, 1, "2000", margin="600")  # overall January target ...
    plan(sales_user, 1, "500", customer_model)  # ... wins over the per-customer plan
    plan(sales_user, 2, "300", customer_model, margin="30")  # no overall plan for February:
    plan(sales_user, 2, "400", second_customer, margin="40")  # the customers add up
    plan(sales_user, 1, "5000", kind=PlanPeriod.QUARTER)
    plan(other_sales_user, 1, "1000")


def test_plan_vs_actual_by_month_for_one_salesperson(uow, sales_user, sales_history):
    report = plan_vs_actual(uow=uow, actor=sales_user, owner_id=sales_user.user_id, year=YEAR)
    assert report.margin_visible
    assert [p.period for p in report.periods] == list(range(1, 13))
    jan, feb, mar, apr = report.periods[:4]
    assert (jan.starts_on, jan.ends_on) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert (jan.planned_amount, jan.planned_margin) == (D("2000.00"), D("600.00"))
    assert (jan.actual_amount, jan.actual_margin, jan.order_count) == (
        D("1500.50"), D("500.25"), 2)
    assert jan.achieved_percent == D("75.0")
    assert (feb.planned_amount, feb.planned_margin) == (D("700.00"), D("70.00"))
    assert (feb.actual_amount, feb.actual_margin, feb.order_count) == (D("200.00"),
                                                                       D("50.00"), 1)
    # Cancelled orders do not count.
    assert (mar.planned_amount, mar.actual_amount, mar.order_count) == (D("0.00"),
                                                                         D("0.00"), 0)
    assert mar.achieved_percent is None
    assert (apr.actual_amount, apr.actual_margin) == (D("300.00"), D("-20.00"))
    dec = report.periods[11]
    assert (dec.ends_on, dec.actual_amount) == (dt.date(2026, 12, 31), D("10.00"))
    assert report.total_planned == D("2700.00")
    assert report.total_actual == D("2010.50")
    assert report.total_actual_margin == D("536.25")


def test_plan_vs_actual_by_quarter(uow, sales_user, sales_history):
    report = plan_vs_actual(uow=uow, actor=sales_user, owner_id=None, year=YEAR,
                            period_kind="quarter")
    q1, q2, q3, q4 = report.periods
    assert (q1.starts_on, q1.ends_on) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (q1.planned_amount, q1.actual_amount, q1.actual_margin) == (
        D("5000.00"), D("1700.50"), D("550.25"))
    assert (q2.planned_amount, q2.actual_amount) == (D("0.00"), D("300.00"))
    assert q3.actual_amount == D("0.00")
    assert (q4.starts_on, q4.actual_amount) == (dt.date(2026, 10, 1), D("10.00"))


def test_salesperson_total_is_their_own_and_management_sees_everyone(
        uow, sales_user, manager, sales_history):
    own = plan_vs_actual(uow=uow, actor=sales_user, owner_id=None, year=YEAR)
    assert own.periods[0].actual_amount == D("1500.50")
    assert own.periods[0].planned_amount == D("2000.00")
    everyone = plan_vs_actual(uow=uow, actor=manager, owner_id=None, year=YEAR)
    jan = everyone.periods[0]
    assert (jan.planned_amount, jan.actual_amount, jan.actual_margin, jan.order_count) == (
        D("3000.00"), D("2300.50"), D("700.25"), 3)


def test_margin_is_withheld_from_a_role_that_may_not_see_costs(
        uow, cost_blind_planner, sales_history):
    report = plan_vs_actual(uow=uow, actor=cost_blind_planner, owner_id=None, year=YEAR)
    assert not report.margin_visible and report.total_actual_margin is None
    assert all(p.actual_margin is None for p in report.periods)
    assert report.periods[0].actual_amount == D("2300.50")


# Who may set their own sales plan, per default role.
MAY_SET_PLANS = {
    "counter_clerk": False,
    "sales": True,
    "technician": False,
    "repair_lead": False,
    "management_clerk": True,
    "general_manager": True,
    "administrator": False,
}


@pytest.mark.parametrize("role", sorted(MAY_SET_PLANS))
def test_plan_setting_per_role(uow, make_user, role):
    assert {t.code for t in DEFAULT_ROLES} == set(MAY_SET_PLANS)
    actor = make_user("actor", role, ROLE_DEPARTMENT[role])
    draft = SalesPlanDraft(year=YEAR, period=1, planned_amount="100")
    if MAY_SET_PLANS[role]:
        assert set_sales_plan(uow=uow, actor=actor, draft=draft).owner_id == actor.user_id
    else:
        with pytest.raises(PermissionDenied):
            set_sales_plan(uow=uow, actor=actor, draft=draft)
        assert _counts(uow) == (0, 0)
