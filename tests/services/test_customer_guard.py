"""Customer base protection: the read trail, and the alerts it raises.

The scenario of the issue: three months of ordinary reads by everyone (app.demo_reads),
then one salesperson who, on their last three days, opens 400 cards, searches the list from
a to z and exports their customers, all through the real services. Exactly that person and
those days are flagged; the ordinary month raises nothing; the drill-down lists the
customers read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app.demo_reads import Reader, ordinary_reads
from app.models import AuditEntry, Customer, ReadEntry, User
from app.models import GuardRules as RulesRow
from app.models.enums import AuditAction, ReadAction
from app.services import customer_guard, read_trail
from app.services.customer360 import customer_overview
from app.services.customer_guard import GuardRules
from app.services.customers import CustomerDraft, add_customers, get_customer, search_customers
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.exports import export_customers
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

HISTORY_FROM = dt.date(2026, 9, 1)
MONTH_FROM, MONTH_TO = dt.date(2026, 11, 2), dt.date(2026, 11, 30)
SWEEP_DAYS = (dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27))
WORDS = "安北长大东方光海华佳金京科蓝明南鹏奇瑞盛天网新信兴阳永宇正智中"


class Clock:
    """The station's wall clock, a minute on at every read noted."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 9, 0)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour, minute))

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=40)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(read_trail, "local_now", clock)
    return clock


def _names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pairs = [a + b for a, b in itertools.permutations(WORDS, 2)]
    rng.shuffle(pairs)
    endings = ["科技有限公司", "贸易公司", "印务中心", "办公设备商行"]
    return [f"{pairs[n]}{endings[n % len(endings)]}" for n in range(count)]


def _add_customers(uow: UnitOfWork, actor: Actor, owner_ids: list[int],
                   names: list[str]) -> list[int]:
    with uow:
        drafts = [(CustomerDraft(name=name, owner_id=owner, phone=f"010-{62000000 + n}"),
                   None) for n, (name, owner) in enumerate(zip(names, owner_ids, strict=True))]
        results = add_customers(uow, actor, drafts)
        uow.commit()
    return [r.id for r in results]  # type: ignore[union-attr]


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def company(uow: UnitOfWork, manager: Actor, clerk: Actor, clerk2: Actor, sales_user: Actor,
            other_sales_user: Actor, technician: Actor, office: Actor) -> dict[str, Any]:
    """Customers owned as in a small company, and three months of everyone's reads."""
    owners = ([sales_user.user_id] * 420 + [other_sales_user.user_id] * 150
              + [clerk.user_id] * 60 + [clerk2.user_id] * 60)
    ids = _add_customers(uow, manager, owners, _names(len(owners), seed=3))
    with uow:
        rows = uow.session.execute(select(Customer.id, Customer.owner_id,
                                          Customer.pinyin_initials)).all()
    everyone = [(r.id, r.pinyin_initials) for r in rows]
    own = {p.user_id: [(r.id, r.pinyin_initials) for r in rows if r.owner_id == p.user_id]
           for p in (sales_user, other_sales_user, clerk, clerk2)}
    storefront = own[clerk.user_id] + own[clerk2.user_id]
    readers = [
        Reader(clerk.user_id, storefront, [i for i, _ in own[clerk.user_id]], 18, True),
        Reader(clerk2.user_id, storefront, [i for i, _ in own[clerk2.user_id]], 14, True),
        Reader(sales_user.user_id, own[sales_user.user_id],
               [i for i, _ in own[sales_user.user_id]], 9),
        Reader(other_sales_user.user_id, own[other_sales_user.user_id],
               [i for i, _ in own[other_sales_user.user_id]], 11),
        Reader(technician.user_id, everyone, [], 12, True),
        Reader(office.user_id, everyone, [], 6),
        Reader(manager.user_id, everyone, [], 3),
    ]
    reads = list(ordinary_reads(readers, HISTORY_FROM, MONTH_TO, random.Random(11)))
    with uow:
        for start in range(0, len(reads), 2000):
            uow.session.execute(insert(ReadEntry), reads[start:start + 2000])
        uow.commit()
    return {"customers": ids, "sweeper_own": [i for i, _ in own[sales_user.user_id]]}


def _sweep(uow: UnitOfWork, sweeper: Actor, clock: Clock, own: list[int],
           folder: Any) -> dict[dt.date, list[int]]:
    """The last three days: 400 cards in list order, the search from a to z, and an
    export of the customer list late on the last evening, which a salesperson may not."""
    with uow:
        in_order = uow.session.scalars(
            select(Customer.id).where(Customer.id.in_(own))
            .order_by(Customer.sort_key, Customer.id)).all()
    opened: dict[dt.date, list[int]] = {}
    batches = [in_order[:150], in_order[150:300], in_order[300:400]]
    for day, batch in zip(SWEEP_DAYS, batches, strict=True):
        clock.at(day, 9, 5)
        for customer_id in batch:
            get_customer(uow=uow, actor=sweeper, customer_id=customer_id)
        opened[day] = list(batch)
    clock.at(SWEEP_DAYS[1], 15, 0)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        after = None
        while True:
            page = search_customers(uow=uow, actor=sweeper, text=letter, after=after,
                                    limit=100)
            if page.next_after is None:
                break
            after = page.next_after
    clock.at(SWEEP_DAYS[2], 21, 15)
    with pytest.raises(PermissionDenied):
        export_customers(uow=uow, actor=sweeper, path=folder / "my_customers.xlsx")
    read_trail.flush(uow.engine)
    return opened


def test_the_salesperson_who_sweeps_on_their_last_days_is_flagged_and_nobody_else(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clock: Clock,
        company: dict[str, Any], tmp_path: Any) -> None:
    # The ordinary month alone: nothing.
    quiet = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_FROM,
                                        date_to=MONTH_TO)
    assert quiet == ()

    opened = _sweep(uow, sales_user, clock, company["sweeper_own"], tmp_path)
    alerts = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_FROM,
                                         date_to=MONTH_TO)
    assert {(a.user_id, a.day) for a in alerts} == {(sales_user.user_id, d) for d in SWEEP_DAYS}
    reasons = {a.day: {r.code for r in a.reasons} for a in alerts}
    assert {"above_usual", "card_sweep"} <= reasons[SWEEP_DAYS[0]]
    assert {"above_usual", "search_sweep"} <= reasons[SWEEP_DAYS[1]]
    assert {"above_usual", "card_sweep"} <= reasons[SWEEP_DAYS[2]]
    first = next(a for a in alerts if a.day == SWEEP_DAYS[0])
    assert first.figures.cards >= 150 and first.usual_cards < 20
    assert f"Opened {first.figures.cards} customer cards" in first.text
    assert first.user_name == "张伟"

    # The drill-down: the exact customers opened that day, and the searches a to z.
    for day in SWEEP_DAYS:
        lines = customer_guard.read_lines(uow=uow, actor=manager, user_id=sales_user.user_id,
                                          day=day)
        cards = [line.customer_id for line in lines
                 if line.action in (ReadAction.CARD, ReadAction.OVERVIEW)]
        assert set(opened[day]) <= set(cards)
        assert all(line.name for line in lines if line.customer_id in opened[day])
    lines = customer_guard.read_lines(uow=uow, actor=manager, user_id=sales_user.user_id,
                                      day=SWEEP_DAYS[1])
    letters = [line.detail for line in lines if line.action == ReadAction.SEARCH
               and line.detail and len(line.detail) == 1]
    assert "".join(dict.fromkeys(letters)).endswith("abcdefghijklmnopqrstuvwxyz")
    assert not (tmp_path / "my_customers.xlsx").exists()


def test_an_export_after_hours_is_flagged_with_its_time(
        uow: UnitOfWork, manager: Actor, office: Actor, clock: Clock,
        company: dict[str, Any], tmp_path: Any) -> None:
    clock.at(MONTH_TO, 21, 15)
    export_customers(uow=uow, actor=office, path=tmp_path / "all.xlsx")
    read_trail.flush(uow.engine)
    alerts = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_FROM,
                                         date_to=MONTH_TO)
    assert [(a.user_id, a.day, [r.code for r in a.reasons]) for a in alerts] == [
        (office.user_id, MONTH_TO, ["after_hours"])]
    assert "21:15" in alerts[0].text and alerts[0].figures.exported == 690
    lines = customer_guard.read_lines(uow=uow, actor=manager, user_id=office.user_id,
                                      day=MONTH_TO)
    export = [line for line in lines if line.action == ReadAction.EXPORT]
    assert [(e.customers, e.time, e.detail) for e in export][-1] == (690, "21:15", "Customers")


def test_a_burst_after_notice_is_flagged_below_the_ordinary_threshold(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clock: Clock,
        company: dict[str, Any]) -> None:
    day = SWEEP_DAYS[0]
    clock.at(day, 10, 0)
    # 25 cards in no particular order: under the ordinary floor of 40.
    picked = random.Random(5).sample(company["sweeper_own"], 25)
    for customer_id in picked:
        customer_overview(uow=uow, actor=sales_user, customer_id=customer_id, today=day)
    read_trail.flush(uow.engine)
    assert customer_guard.guard_alerts(uow=uow, actor=manager, date_from=day,
                                       date_to=day) == ()
    with uow:
        version = uow.session.scalar(select(User.version).where(
            User.id == sales_user.user_id))
    customer_guard.set_notice(uow=uow, actor=manager, user_id=sales_user.user_id,
                              notice_on=day - dt.timedelta(days=3),
                              expected_version=version or 0)
    alerts = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=day, date_to=day)
    assert [(a.user_id, [r.code for r in a.reasons]) for a in alerts] == [
        (sales_user.user_id, ["after_notice"])]


def test_the_overview_shows_everyone_today_against_their_usual(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clock: Clock,
        company: dict[str, Any], tmp_path: Any) -> None:
    _sweep(uow, sales_user, clock, company["sweeper_own"], tmp_path)
    view = customer_guard.guard_overview(uow=uow, actor=manager,
                                         date_from=SWEEP_DAYS[2] - dt.timedelta(days=89),
                                         date_to=SWEEP_DAYS[2])
    assert len(view.daily) == 90 and view.daily[-1][0] == SWEEP_DAYS[2]
    me = next(p for p in view.people if p.user_id == sales_user.user_id)
    assert me.today.cards >= 100 and me.usual_cards < 20 and me.alerts == 3
    with uow:
        cards = uow.session.scalar(
            select(func.count(func.distinct(ReadEntry.customer_id))).where(
                ReadEntry.day == SWEEP_DAYS[2],
                ReadEntry.action.in_((ReadAction.CARD, ReadAction.OVERVIEW))))
    assert view.daily[-1][1] == sum(p.today.cards for p in view.people)
    assert sum(p.today.cards for p in view.people) >= (cards or 0)


def test_only_the_guard_module_reads_the_trail_and_every_look_is_audited(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clerk: Actor,
        office: Actor, admin: Actor) -> None:
    for person in (sales_user, clerk, office, admin):
        with pytest.raises(PermissionDenied):
            customer_guard.guard_alerts(uow=uow, actor=person, date_from=MONTH_FROM,
                                        date_to=MONTH_TO)
        with pytest.raises(PermissionDenied):
            customer_guard.read_lines(uow=uow, actor=person, user_id=sales_user.user_id,
                                      day=MONTH_TO)
    customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_FROM,
                                date_to=MONTH_TO)
    customer_guard.read_lines(uow=uow, actor=manager, user_id=sales_user.user_id,
                              day=MONTH_TO)
    with uow:
        looks = uow.session.execute(
            select(AuditEntry.user_id, AuditEntry.entity, AuditEntry.entity_id)
            .where(AuditEntry.action == AuditAction.READ_TRAIL).order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in looks] == [(manager.user_id, "read_trail", None),
                                        (manager.user_id, "user", sales_user.user_id)]


def test_bad_periods_and_rules_are_refused_and_nothing_is_stored(
        uow: UnitOfWork, manager: Actor, sales_user: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_TO,
                                    date_to=MONTH_FROM)
    assert "date_to" in err.value.errors
    with pytest.raises(ValidationError):
        customer_guard.guard_alerts(uow=uow, actor=manager, date_from=dt.date(2024, 1, 1),
                                    date_to=MONTH_TO)
    for bad in (GuardRules(factor=customer_guard.Decimal("0.5")),
                GuardRules(office_from=20 * 60, office_to=8 * 60),
                GuardRules(baseline_weeks=0), GuardRules(min_reads=-1)):
        with pytest.raises(ValidationError):
            customer_guard.save_rules(uow=uow, actor=manager, rules=bad, expected_version=0)
    with pytest.raises(PermissionDenied):
        customer_guard.save_rules(uow=uow, actor=sales_user, rules=GuardRules(min_reads=5),
                                  expected_version=0)
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(RulesRow)) == 0
    with pytest.raises(ValidationError):
        customer_guard.export_alerts(uow=uow, actor=manager, date_from=MONTH_FROM,
                                     date_to=MONTH_TO, path="/no/such/folder/alerts.xlsx")


def test_tuned_rules_are_used_and_a_concurrent_change_is_a_conflict(
        uow: UnitOfWork, manager: Actor, sales_user: Actor, clock: Clock,
        make_user: Callable[..., Actor]) -> None:
    other_manager = make_user("gm2", "general_manager", "manager_office")
    assert customer_guard.load_rules(uow=uow, actor=manager).version == 0
    saved = customer_guard.save_rules(uow=uow, actor=manager,
                                      rules=GuardRules(min_reads=5), expected_version=0)
    with pytest.raises(ConflictError):
        customer_guard.save_rules(uow=uow, actor=other_manager,
                                  rules=GuardRules(min_reads=50), expected_version=0)
    loaded = customer_guard.load_rules(uow=uow, actor=other_manager)
    assert loaded.rules.min_reads == 5 and loaded.version == saved.version
    # Six cards on a day after a quiet month (the trail's first two weeks only teach
    # what is usual): above the tuned floor of five, and above three times nothing.
    ids = _add_customers(uow, manager, [sales_user.user_id] * 6, _names(6, seed=5))
    clock.at(MONTH_FROM, 9, 0)
    search_customers(uow=uow, actor=sales_user, text="")
    clock.at(MONTH_TO, 10, 0)
    for customer_id in ids:
        get_customer(uow=uow, actor=sales_user, customer_id=customer_id)
    read_trail.flush(uow.engine)
    alerts = customer_guard.guard_alerts(uow=uow, actor=manager, date_from=MONTH_TO,
                                         date_to=MONTH_TO)
    assert [(a.user_id, a.figures.cards) for a in alerts] == [(sales_user.user_id, 6)]


def test_the_recorder_keeps_reads_while_the_database_cannot_take_them(
        uow: UnitOfWork, sales_user: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    trail = read_trail.trail_for(uow.engine)
    trail.note(sales_user.user_id, ReadAction.CARD, customer_id=7,
               when=dt.datetime(2026, 11, 30, 22, 5))
    trail.note(sales_user.user_id, ReadAction.SEARCH, customers=100, detail="x" * 300)
    engine = uow.engine

    class Down:
        def begin(self) -> Iterator[Any]:
            raise ConnectionError("network down")

    monkeypatch.setattr(trail, "_engine", Down())
    with pytest.raises(ConnectionError):
        trail.flush()
    assert trail.pending == 2
    monkeypatch.setattr(trail, "_engine", engine)
    assert trail.flush() == 2 and trail.pending == 0
    with uow:
        rows = uow.session.execute(select(ReadEntry.day, ReadEntry.minute, ReadEntry.action,
                                          ReadEntry.customer_id, ReadEntry.detail)
                                   .order_by(ReadEntry.id)).all()
    assert rows[0][:4] == (dt.date(2026, 11, 30), 22 * 60 + 5, ReadAction.CARD, 7)
    assert rows[1].detail == "x" * 100


def test_the_upgrade_gives_an_existing_general_manager_role_the_new_module(tmp_path: Any
                                                                           ) -> None:
    from sqlalchemy import text

    from app import schema
    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    schema.upgrade(engine, "d9e3b5f1a027")
    with engine.begin() as conn:
        for code in ("general_manager", "sales"):
            conn.execute(text(
                "INSERT INTO roles (code, name_zh, name_en, is_system, version, created_at,"
                " updated_at) VALUES (:c, :c, :c, 1, 3, '2026-01-01', '2026-01-01')"),
                {"c": code})
    schema.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT r.code, p.operation, r.version FROM role_permissions p"
            " JOIN roles r ON r.id = p.role_id WHERE p.module = 'customer_guard'"
            " ORDER BY p.operation")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("general_manager", "edit", 4),
                                       ("general_manager", "export", 4),
                                       ("general_manager", "view", 4)]
