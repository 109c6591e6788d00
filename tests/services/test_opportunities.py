"""Opportunities: stages as a transition table, the routing queue, board and sales forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Customer, Opportunity, ServiceTicket
from app.models.enums import (
    CustomerSource,
    OpportunityStage,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from app.services.opportunities import (
    DEFAULT_PROBABILITY,
    FINAL_STAGES,
    OPEN_STAGES,
    OPPORTUNITY_LIFECYCLE,
    OpportunityDraft,
    OpportunityFilters,
    assign_opportunity,
    create_opportunity,
    get_opportunity,
    list_opportunities,
    move_opportunity,
    opportunity_board,
    sales_forecast,
    update_opportunity,
)
from app.services.permissions import DEFAULT_ROLES
from tests import people
from tests.services.test_permission_matrix import ROLE_DEPARTMENT

D = Decimal
S = OpportunityStage


def _counts(uow) -> tuple[int, int]:
    with uow:
        return tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Opportunity, AuditEntry))


@pytest.fixture
def customer_model(uow, sales_user):
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技", source=CustomerSource.REFERRAL))


@pytest.fixture
def their_customer(uow, other_sales_user):
    return create_customer(uow=uow, actor=other_sales_user,
                           draft=CustomerDraft(name="天津海河电子"))


def _draft(customer_id: int, **changes) -> OpportunityDraft:
    values = {"customer_id": customer_id, "title": "更换 10 台打印机",
              "expected_amount": D("36000.00")}
    values.update(changes)
    return OpportunityDraft(**values)


def _walk(uow, actor, made, *stages):
    current = made
    for stage in stages:
        reason = "价格太高" if stage is S.LOST else None
        current = move_opportunity(uow=uow, actor=actor, opportunity_id=current.id,
                                   expected_version=current.version, stage=stage,
                                   lost_reason=reason)
    return current


# --- the transition table ------------------------------------------------------------------


def test_every_transition_edge_names_a_real_stage_and_every_stage_is_reachable():
    table = OPPORTUNITY_LIFECYCLE
    members = set(OpportunityStage)
    assert table.states is OpportunityStage and table.initial is S.NEW
    for source, target in table.edges:
        assert isinstance(source, OpportunityStage) and isinstance(target, OpportunityStage)
        assert source in members and target in members and source != target
    reached, frontier = {table.initial}, [table.initial]
    while frontier:
        for nxt in table.targets(frontier.pop()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == members
    assert set(DEFAULT_PROBABILITY) == members
    assert all(table.label(s).strip() for s in members)  # every stage has a name
    assert all(0 <= p <= 100 for p in DEFAULT_PROBABILITY.values())


def test_table_says_what_the_business_rule_says():
    table = OPPORTUNITY_LIFECYCLE
    assert FINAL_STAGES == {S.WON, S.LOST}
    assert all(table.targets(s) == () for s in FINAL_STAGES)
    assert all(table.allows(s, S.LOST) for s in OPEN_STAGES)  # any open stage may be lost
    assert [table.targets(s) for s in (S.NEW, S.QUALIFIED, S.PROPOSAL, S.NEGOTIATION)] == [
        (S.QUALIFIED, S.LOST), (S.PROPOSAL, S.LOST), (S.NEGOTIATION, S.LOST), (S.WON, S.LOST)]


# --- create --------------------------------------------------------------------------------


def test_create_numbers_it_and_takes_defaults(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    assert made.number.startswith("SJ-") and made.stage is S.NEW
    assert made.probability == DEFAULT_PROBABILITY[S.NEW]
    assert made.source is CustomerSource.REFERRAL  # the customer's
    assert made.owner_id == sales_user.user_id and made.credited_user_id is None
    assert made.weighted_amount == D("3600.00")
    assert get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id) == made
    with uow:
        assert uow.session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "opportunity", AuditEntry.entity_id == made.id)
        ).scalar_one() == "create"


def test_technician_passes_a_repair_lead_to_the_routing_queue(
        uow, technician, manager, sales_user, customer_model):
    with uow:
        ticket = ServiceTicket(
            number="WX-TEST-0001", customer_id=customer_model.id,
            channel=TicketChannel.WALK_IN, mode=ServiceMode.BRING_IN, priority=Priority.NORMAL,
            status=TicketStatus.IN_REPAIR, symptoms="卡纸", received_at=dt.datetime.now(dt.UTC),
            intake_by_id=technician.user_id)
        uow.session.add(ticket)
        uow.commit()
        ticket_id = ticket.id
    lead = create_opportunity(uow=uow, actor=technician, owner_id=None, draft=_draft(
        customer_model.id, title="客户想换彩色复印机", source=CustomerSource.SERVICE_RENEED,
        service_ticket_id=ticket_id))
    assert lead.in_routing_queue and lead.credited_user_id == technician.user_id
    assert lead.credited_user_name == "王强" and lead.service_ticket_id == ticket_id
    # The technician may pass leads on, not read the opportunity list.
    with pytest.raises(people.REFUSED):
        get_opportunity(uow=uow, actor=technician, opportunity_id=lead.id)
    # Only management sees the queue.
    assert list_opportunities(uow=uow, actor=sales_user).rows == ()
    queue = list_opportunities(uow=uow, actor=manager,
                               filters=OpportunityFilters(routing_queue=True))
    assert [o.id for o in queue.rows] == [lead.id]
    with pytest.raises(people.REFUSED):
        assign_opportunity(uow=uow, actor=sales_user, opportunity_id=lead.id,
                           expected_version=lead.version, owner_id=sales_user.user_id)
    routed = assign_opportunity(uow=uow, actor=manager, opportunity_id=lead.id,
                                expected_version=lead.version, owner_id=sales_user.user_id)
    assert routed.owner_name == "张伟" and routed.credited_user_id == technician.user_id
    assert [o.id for o in list_opportunities(uow=uow, actor=sales_user).rows] == [lead.id]


def test_clerk_may_queue_a_walk_in_lead_for_any_customer_it_can_find(
        uow, clerk, their_customer):
    lead = create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=_draft(
        their_customer.id, source=CustomerSource.WALK_IN))
    assert lead.in_routing_queue and lead.credited_user_id is None
    # ... but may not take that customer's opportunity for itself.
    with pytest.raises(PermissionDenied):
        create_opportunity(uow=uow, actor=clerk, draft=_draft(their_customer.id))


def test_only_repair_and_counter_sources_may_skip_the_owner(uow, technician, customer_model):
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        create_opportunity(uow=uow, actor=technician, owner_id=None, draft=_draft(
            customer_model.id, source=CustomerSource.REFERRAL))
    assert set(err.value.errors) == {"owner_id"}
    # The customer's own source (referral) counts when none is given.
    with pytest.raises(ValidationError):
        create_opportunity(uow=uow, actor=technician, owner_id=None,
                           draft=_draft(customer_model.id))
    assert _counts(uow) == before


def test_management_may_create_for_a_salesperson_and_sales_may_not_for_others(
        uow, manager, sales_user, other_sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=manager, owner_id=sales_user.user_id,
                              draft=_draft(customer_model.id))
    assert made.owner_id == sales_user.user_id
    before = _counts(uow)
    with pytest.raises(PermissionDenied):
        create_opportunity(uow=uow, actor=sales_user, owner_id=other_sales_user.user_id,
                           draft=_draft(customer_model.id))
    with pytest.raises(PermissionDenied):
        create_opportunity(uow=uow, actor=other_sales_user, draft=_draft(customer_model.id))
    assert _counts(uow) == before


# --- bad input -----------------------------------------------------------------------------


BAD_OPPORTUNITIES = {
    "probability 150": ({"probability": 150}, "probability"),
    "probability -1": ({"probability": -1}, "probability"),
    "probability as text": ({"probability": "likely"}, "probability"),
    "NaN amount": ({"expected_amount": D("NaN")}, "expected_amount"),
    "infinite amount": ({"expected_amount": D("Infinity")}, "expected_amount"),
    "float amount": ({"expected_amount": 0.1}, "expected_amount"),
    "negative amount": ({"expected_amount": "-5"}, "expected_amount"),
    "empty title": ({"title": " "}, "title"),
    "impossible date": ({"expected_close_on": "2026-02-30"}, "expected_close_on"),
    "year 9999": ({"expected_close_on": dt.date(9999, 1, 1)}, "expected_close_on"),
    "unknown source": ({"source": "tv"}, "source"),
    "unknown customer": ({"customer_id": 987_654}, "customer_id"),
    "unknown service ticket": ({"service_ticket_id": 987_654}, "service_ticket_id"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPPORTUNITIES))
def test_bad_opportunity_input_names_the_field_and_writes_nothing(
        uow, sales_user, customer_model, case):
    changes, field = BAD_OPPORTUNITIES[case]
    before = _counts(uow)
    with pytest.raises(ValidationError) as err:
        create_opportunity(uow=uow, actor=sales_user,
                           draft=_draft(**{"customer_id": customer_model.id, **changes}))
    assert field in err.value.errors
    assert _counts(uow) == before


def test_service_ticket_of_another_customer_is_refused(uow, sales_user, manager,
                                                       customer_model, their_customer):
    with uow:
        ticket = ServiceTicket(
            number="WX-TEST-0002", customer_id=their_customer.id,
            channel=TicketChannel.PHONE, mode=ServiceMode.ON_SITE, priority=Priority.HIGH,
            status=TicketStatus.RECEIVED, symptoms="不开机",
            received_at=dt.datetime.now(dt.UTC), intake_by_id=manager.user_id)
        uow.session.add(ticket)
        uow.commit()
        ticket_id = ticket.id
    with pytest.raises(ValidationError) as err:
        create_opportunity(uow=uow, actor=sales_user, draft=_draft(
            customer_model.id, service_ticket_id=ticket_id))
    assert set(err.value.errors) == {"service_ticket_id"}


# --- edit and stages -----------------------------------------------------------------------


def test_full_path_to_won_sets_probabilities_and_closes(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    seen = []
    current = made
    for stage in (S.QUALIFIED, S.PROPOSAL, S.NEGOTIATION):
        current = _walk(uow, sales_user, current, stage)
        seen.append((current.stage, current.probability, current.closed_at))
    assert seen == [(S.QUALIFIED, 25, None), (S.PROPOSAL, 50, None), (S.NEGOTIATION, 75, None)]
    won = _walk(uow, sales_user, current, S.WON)
    assert won.probability == 100 and won.closed_at is not None
    for stage in OpportunityStage:
        with pytest.raises(InvalidTransition):
            _walk(uow, sales_user, won, stage)
    with pytest.raises(InvalidTransition):
        update_opportunity(uow=uow, actor=sales_user, opportunity_id=won.id,
                           expected_version=won.version, draft=won.to_draft())


@pytest.mark.parametrize("stage", sorted(OPEN_STAGES - {S.NEW}))
def test_any_open_stage_may_be_lost_with_a_reason(uow, sales_user, customer_model, stage):
    path = [S.QUALIFIED, S.PROPOSAL, S.NEGOTIATION]
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    current = _walk(uow, sales_user, made, *path[:path.index(stage) + 1])
    with pytest.raises(ValidationError) as err:
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=current.id,
                         expected_version=current.version, stage=S.LOST)
    assert set(err.value.errors) == {"lost_reason"}
    lost = _walk(uow, sales_user, current, S.LOST)
    assert (lost.stage, lost.probability, lost.lost_reason) == (S.LOST, 0, "价格太高")
    assert lost.closed_at is not None


def test_new_may_be_lost_directly(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    assert _walk(uow, sales_user, made, S.LOST).stage is S.LOST


@pytest.mark.parametrize(("path", "illegal"), [
    ((), S.WON), ((), S.PROPOSAL), ((), S.NEGOTIATION), ((), S.NEW),
    ((S.QUALIFIED,), S.NEW), ((S.QUALIFIED, S.PROPOSAL), S.WON),
    ((S.QUALIFIED, S.PROPOSAL), S.QUALIFIED),
])
def test_illegal_moves_raise_and_change_nothing(uow, sales_user, customer_model, path,
                                                illegal):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    current = _walk(uow, sales_user, made, *path)
    before = _counts(uow)
    with pytest.raises(InvalidTransition):
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=current.id,
                         expected_version=current.version, stage=illegal)
    assert _counts(uow) == before
    assert get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id) == current


def test_unknown_stage_is_a_validation_error(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    with pytest.raises(ValidationError) as err:
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id,
                         expected_version=made.version, stage="maybe")
    assert set(err.value.errors) == {"stage"}


def test_probability_may_be_set_on_open_stages(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(
        customer_model.id, probability=30))
    assert made.probability == 30
    moved = move_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id,
                             expected_version=made.version, stage=S.QUALIFIED, probability=40)
    assert moved.probability == 40
    with pytest.raises(ValidationError) as err:
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=moved.id,
                         expected_version=moved.version, stage=S.PROPOSAL, probability=150)
    assert set(err.value.errors) == {"probability"}
    assert get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id) == moved


def test_update_saves_and_audits(uow, sales_user, customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    saved = update_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id,
                               expected_version=made.version, draft=_draft(
                                   customer_model.id, expected_amount="40000",
                                   probability=20, expected_close_on=dt.date(2027, 1, 15)))
    assert (saved.expected_amount, saved.probability, saved.expected_close_on) == (
        D("40000.00"), 20, dt.date(2027, 1, 15))
    assert saved.version == made.version + 1


def test_stale_version_raises_conflict_on_edit_and_on_move(uow, sales_user, manager,
                                                           customer_model):
    made = create_opportunity(uow=uow, actor=sales_user, draft=_draft(customer_model.id))
    update_opportunity(uow=uow, actor=manager, opportunity_id=made.id,
                       expected_version=made.version,
                       draft=_draft(customer_model.id, expected_amount="50000"))
    with pytest.raises(ConflictError) as err:
        update_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id,
                           expected_version=made.version,
                           draft=_draft(customer_model.id, expected_amount="1"))
    assert err.value.changed_by == "总经理"
    with pytest.raises(ConflictError):
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id,
                         expected_version=made.version, stage=S.QUALIFIED)
    current = get_opportunity(uow=uow, actor=sales_user, opportunity_id=made.id)
    assert (current.expected_amount, current.stage) == (D("50000.00"), S.NEW)


def test_salesperson_cannot_see_or_change_another_salespersons_opportunities(
        uow, sales_user, other_sales_user, their_customer):
    theirs = create_opportunity(uow=uow, actor=other_sales_user,
                                draft=_draft(their_customer.id, expected_close_on=dt.date(
                                    2027, 1, 10)))
    before = _counts(uow)
    with pytest.raises(people.REFUSED):
        get_opportunity(uow=uow, actor=sales_user, opportunity_id=theirs.id)
    with pytest.raises(people.REFUSED):
        update_opportunity(uow=uow, actor=sales_user, opportunity_id=theirs.id,
                           expected_version=theirs.version, draft=theirs.to_draft())
    with pytest.raises(people.REFUSED):
        move_opportunity(uow=uow, actor=sales_user, opportunity_id=theirs.id,
                         expected_version=theirs.version, stage=S.QUALIFIED)
    assert list_opportunities(uow=uow, actor=sales_user).rows == ()
    assert opportunity_board(uow=uow, actor=sales_user).open_count == 0
    forecast = sales_forecast(uow=uow, actor=sales_user, from_month=dt.date(2027, 1, 1),
                              months=1)
    assert forecast[0].count == 0
    assert _counts(uow) == before
    with pytest.raises(NotFound):
        get_opportunity(uow=uow, actor=sales_user, opportunity_id=987_654)


# --- lists, board, forecast ----------------------------------------------------------------


@pytest.fixture
def pipeline(uow, sales_user, other_sales_user, manager, customer_model, their_customer):
    """Opportunities whose board and forecast figures are worked out by hand in the tests."""
    def make(actor, customer, amount, close_on, probability=None, path=()):
        made = create_opportunity(uow=uow, actor=actor, draft=_draft(
            customer.id, expected_amount=amount, expected_close_on=close_on,
            probability=probability))
        return _walk(uow, actor, made, *path)

    return {
        "a": make(sales_user, customer_model, "10000.00", dt.date(2027, 1, 5)),  # new 10%
        "b": make(sales_user, customer_model, "2000.50", dt.date(2027, 1, 31), 33),  # 33%
        "c": make(sales_user, customer_model, "5000.00", dt.date(2027, 3, 1), None,
                  (S.QUALIFIED, S.PROPOSAL)),  # 50%
        "d": make(sales_user, customer_model, "999.00", dt.date(2027, 2, 10), None,
                  (S.QUALIFIED, S.PROPOSAL, S.NEGOTIATION, S.WON)),  # closed: not forecast
        "e": make(sales_user, customer_model, "7000.00", dt.date(2027, 1, 20), None,
                  (S.LOST,)),
        "f": make(sales_user, customer_model, "123.45", dt.date(2026, 12, 31)),  # before
        "g": make(sales_user, customer_model, "50.00", None),  # no date
        "h": make(other_sales_user, their_customer, "8000.00", dt.date(2027, 2, 28), None,
                  (S.QUALIFIED,)),  # 25%
    }


def test_sales_forecast_by_expected_close_month(uow, sales_user, manager, pipeline):
    mine = sales_forecast(uow=uow, actor=sales_user, from_month=dt.date(2027, 1, 17),
                          months=4)
    assert [(m.month, m.count, m.amount, m.weighted_amount) for m in mine] == [
        # 10000 × 10% + 2000.50 × 33% = 1000 + 660.165 → 1660.17 (half up, to the fen)
        (dt.date(2027, 1, 1), 2, D("12000.50"), D("1660.17")),
        (dt.date(2027, 2, 1), 0, D("0.00"), D("0.00")),
        (dt.date(2027, 3, 1), 1, D("5000.00"), D("2500.00")),
        (dt.date(2027, 4, 1), 0, D("0.00"), D("0.00")),
    ]
    everyone = sales_forecast(uow=uow, actor=manager, from_month=dt.date(2026, 12, 1),
                              months=3)
    assert [(m.month, m.count, m.amount, m.weighted_amount) for m in everyone] == [
        (dt.date(2026, 12, 1), 1, D("123.45"), D("12.35")),  # 12.345 → 12.35
        (dt.date(2027, 1, 1), 2, D("12000.50"), D("1660.17")),
        (dt.date(2027, 2, 1), 1, D("8000.00"), D("2000.00")),
    ]


def test_forecast_across_a_year_end(uow, manager, pipeline):
    months = sales_forecast(uow=uow, actor=manager, from_month=dt.date(2026, 11, 30),
                            months=14)
    assert [m.month for m in months][:3] == [dt.date(2026, 11, 1), dt.date(2026, 12, 1),
                                             dt.date(2027, 1, 1)]
    assert months[-1].month == dt.date(2027, 12, 1)
    assert sum(m.count for m in months) == 5


@pytest.mark.parametrize(("from_month", "months", "field"), [
    ("2027-13-01", 3, "from_month"), (dt.date(2027, 1, 1), 0, "months"),
    (dt.date(2027, 1, 1), 37, "months"), (None, 3, "from_month"),
])
def test_bad_forecast_parameters(uow, manager, from_month, months, field):
    with pytest.raises(ValidationError) as err:
        sales_forecast(uow=uow, actor=manager, from_month=from_month, months=months)
    assert field in err.value.errors


def test_board_counts_and_sums_per_stage(uow, sales_user, manager, pipeline):
    board = opportunity_board(uow=uow, actor=sales_user)
    assert [s.stage for s in board.stages] == list(OpportunityStage)
    assert {s.stage: (s.count, s.amount, s.weighted_amount) for s in board.stages} == {
        # a 10000@10, b 2000.50@33, f 123.45@10, g 50@10:
        # (100000 + 66016.50 + 1234.50 + 500) / 100 = 1677.51
        S.NEW: (4, D("12173.95"), D("1677.51")),
        S.QUALIFIED: (0, D("0.00"), D("0.00")),
        S.PROPOSAL: (1, D("5000.00"), D("2500.00")),
        S.NEGOTIATION: (0, D("0.00"), D("0.00")),
        S.WON: (1, D("999.00"), D("999.00")),
        S.LOST: (1, D("7000.00"), D("0.00")),
    }
    assert (board.open_count, board.open_amount, board.open_weighted_amount) == (
        5, D("17173.95"), D("4177.51"))
    everyone = opportunity_board(uow=uow, actor=manager)
    assert {s.stage: s.count for s in everyone.stages}[S.QUALIFIED] == 1
    assert (everyone.open_count, everyone.open_weighted_amount) == (6, D("6177.51"))
    # Won and lost only since a day: today's closings drop out of tomorrow's board. The
    # closings are stamped by the clock, whose day may be past the run's (tests/run_day.py).
    closed_on = dt.datetime.now().astimezone().date()
    recent = opportunity_board(uow=uow, actor=manager,
                               closed_from=closed_on + dt.timedelta(days=1))
    counts = {s.stage: s.count for s in recent.stages}
    assert (counts[S.WON], counts[S.LOST], recent.open_count) == (0, 0, 6)
    today = opportunity_board(uow=uow, actor=manager, closed_from=closed_on)
    assert {s.stage: s.count for s in today.stages}[S.WON] == 1


def test_list_pages_and_filters(uow, sales_user, pipeline):
    seen, after = [], None
    while True:
        page = list_opportunities(uow=uow, actor=sales_user, after=after, limit=3)
        seen += [o.id for o in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    mine = [o for k, o in pipeline.items() if k != "h"]
    assert seen == sorted((o.id for o in mine), reverse=True)
    open_ = list_opportunities(uow=uow, actor=sales_user,
                               filters=OpportunityFilters(open_only=True))
    assert {o.id for o in open_.rows} == {pipeline[k].id for k in "abcfg"}
    won = list_opportunities(uow=uow, actor=sales_user, filters=OpportunityFilters(stage=S.WON))
    assert [o.id for o in won.rows] == [pipeline["d"].id]


def test_technician_may_not_read_opportunities(uow, technician, pipeline):
    for call in (list_opportunities, opportunity_board):
        with pytest.raises(PermissionDenied):
            call(uow=uow, actor=technician)
    with pytest.raises(PermissionDenied):
        sales_forecast(uow=uow, actor=technician, from_month=dt.date(2027, 1, 1), months=3)


# Per default role: may create an opportunity (for a customer nobody owns), may list them.
OPPORTUNITY_OPS = {
    "counter_clerk": (True, True),
    "sales": (True, True),
    "technician": (True, False),  # passes repair leads on, does not work them
    "repair_lead": (True, True),
    "management_clerk": (True, True),
    "general_manager": (True, True),
    "administrator": (False, False),
}


@pytest.mark.parametrize("role", sorted(OPPORTUNITY_OPS))
def test_opportunity_operations_per_role(uow, make_user, manager, role):
    assert {t.code for t in DEFAULT_ROLES} == set(OPPORTUNITY_OPS)
    actor = make_user("actor", role, ROLE_DEPARTMENT[role])
    customer = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="海淀文印社"))
    with uow:
        uow.session.get(Customer, customer.id).owner_id = None
        uow.commit()
    may_create, may_list = OPPORTUNITY_OPS[role]
    before = _counts(uow)
    if may_create:
        made = create_opportunity(uow=uow, actor=actor, draft=_draft(customer.id))
        assert made.owner_id == actor.user_id
    else:
        with pytest.raises(PermissionDenied):
            create_opportunity(uow=uow, actor=actor, draft=_draft(customer.id))
        assert _counts(uow) == before
    if may_list:
        assert len(list_opportunities(uow=uow, actor=actor).rows) == int(may_create)
    else:
        with pytest.raises(PermissionDenied):
            list_opportunities(uow=uow, actor=actor)
