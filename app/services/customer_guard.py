"""Customer base protection (客户资源安全): the read trail as each person's figures against
their own usual, and the days that look like someone collecting the customer base.

The trail (app.services.read_trail) holds one row per card or 360 view opened, page of the
customer list read, export and printed document. Here it becomes, per person and day:

- ``cards``: distinct customers whose card or 360 view they opened;
- ``listed``: customers shown on the pages of the list they read;
- ``exported`` customers, ``printed`` documents, and how many of those two happened
  outside office hours (``after_hours``);
- ``outside``: distinct customers opened that are neither theirs nor their department's.

A person's *usual* for a figure is its median over the same weekday of the previous
``baseline_weeks`` weeks (a day without reads counts as 0): Monday is compared with
Mondays. A day is flagged (:class:`GuardAlert`) for any of these reasons:

- ``above_usual``: more cards than ``factor`` × usual, and at least ``min_reads``;
- ``listed_above_usual``: more customers listed than ``factor`` × usual, at least
  ``min_listed``;
- ``outside_scope``: more customers of others opened than ``factor`` × usual, at least
  ``min_outside``;
- ``search_sweep``: ``sweep_searches`` or more searches in a row, each after the one
  before in the alphabet (a, b, c, …; the letters typed on into one search count once);
- ``card_sweep``: ``sweep_cards`` or more cards opened in a row in name or number order;
- ``after_hours``: an export, or ``after_hours_prints`` printed documents, outside
  ``office_from``–``office_to``;
- ``after_notice``: within ``notice_days`` of the day the person gave notice, more cards
  than ``notice_factor`` × usual and at least half of ``min_reads``.

Only roles with the customer-guard module see any of it, and every look is itself audited.
Statistics are SQL aggregations (one GROUP BY per figure family over the trail's day
index); only flagged candidates' rows are read one by one, for the sweep checks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from sqlalchemy import and_, case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased

from app.db import PLAN_PER_RUN
from app.i18n import current_language, tr
from app.models import Customer, Department, ReadEntry, User
from app.models import GuardRules as RulesRow
from app.models.enums import AuditAction, Module, Operation, ReadAction
from app.services import audit
from app.services.errors import ConflictError, NotFound, ValidationError
from app.services.locking import check_version
from app.services.permissions import Actor, require
from app.services.uow import UnitOfWork

# Weeks of trail before anyone's usual counts (a new installation learns first).
LEARNING_WEEKS: Final = 2
# The longest period one look covers (the statistics window shows 90 days).
MAX_DAYS: Final = 400
_OPENED: Final = (ReadAction.CARD.value, ReadAction.OVERVIEW.value)

# The reasons a day is flagged, in the order they are shown, with their words.
REASONS: Final[Mapping[str, str]] = {
    "above_usual": "Opened {cards} customer cards; usually {usual}",
    "listed_above_usual": "Listed {listed} customers; usually {usual}",
    "outside_scope": "Opened {outside} cards of others' customers; usually {usual}",
    "search_sweep": "Searched {run} letters in alphabetical order",
    "card_sweep": "Opened {run} cards one after another in list order",
    "after_hours": "Exported or printed outside office hours ({times})",
    "after_notice": "Opened {cards} cards after giving notice on {notice}; usually {usual}",
}


@dataclass(frozen=True)
class GuardRules:
    """The thresholds (management may tune them; :func:`save_rules`)."""

    factor: Decimal = Decimal("3")
    min_reads: int = 40
    min_listed: int = 5000
    min_outside: int = 20
    baseline_weeks: int = 8
    sweep_searches: int = 10
    sweep_cards: int = 30
    office_from: int = 8 * 60  # minutes after local midnight
    office_to: int = 20 * 60
    after_hours_prints: int = 5
    notice_days: int = 30
    notice_factor: Decimal = Decimal("1.5")

    def as_json(self) -> str:
        return json.dumps({k: str(v) if isinstance(v, Decimal) else v
                           for k, v in asdict(self).items()})


@dataclass(frozen=True)
class RulesSetting:
    rules: GuardRules
    version: int  # 0 while the defaults were never saved


@dataclass(frozen=True)
class PersonDay:
    """One person's figures for one day."""

    user_id: int
    day: dt.date
    cards: int = 0
    listed: int = 0
    exported: int = 0
    printed: int = 0
    after_hours: int = 0
    outside: int = 0
    letters: int = 0  # distinct one-character searches (a sweep's sign)


@dataclass(frozen=True)
class Reason:
    code: str  # a key of REASONS
    values: Mapping[str, Any]

    @property
    def text(self) -> str:
        return tr(REASONS[self.code]).format(**self.values)


@dataclass(frozen=True)
class GuardAlert:
    """A person's day that looks like collecting the customer base."""

    user_id: int
    user_name: str
    department: str | None
    day: dt.date
    figures: PersonDay
    usual_cards: int
    reasons: tuple[Reason, ...]

    @property
    def text(self) -> str:
        return ("；" if current_language() == "zh" else "; ").join(r.text for r in self.reasons)


@dataclass(frozen=True)
class PersonSummary:
    """A person on the overview: the last day's figures against their usual."""

    user_id: int
    user_name: str
    department: str | None
    notice_on: dt.date | None
    version: int  # the person's record, for set_notice
    today: PersonDay
    usual_cards: int
    usual_listed: int
    alerts: int  # flagged days in the period


@dataclass(frozen=True)
class GuardOverview:
    date_from: dt.date
    date_to: dt.date
    people: tuple[PersonSummary, ...]
    # Per day of the period: everyone's cards opened and customers listed, for the chart.
    daily: tuple[tuple[dt.date, int, int], ...]
    alerts: tuple[GuardAlert, ...]


@dataclass(frozen=True)
class ReadLine:
    """One read of a person's day, for the drill-down."""

    minute: int
    action: ReadAction
    customer_id: int | None
    code: str | None
    name: str | None
    customers: int
    detail: str | None

    @property
    def time(self) -> str:
        return _clock(self.minute)


# --- rules --------------------------------------------------------------------------------


def load_rules(*, uow: UnitOfWork, actor: Actor) -> RulesSetting:
    with uow.reading():
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        return _rules(uow)


def save_rules(*, uow: UnitOfWork, actor: Actor, rules: GuardRules,
               expected_version: int) -> RulesSetting:
    """Store new thresholds. ``expected_version`` is what :func:`load_rules` gave; a save
    by someone else in between raises ConflictError. Bad values raise ValidationError
    naming the field; nothing is saved then."""
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.EDIT)
        _check_rules(rules)
        row = uow.session.execute(select(RulesRow).order_by(RulesRow.id).limit(1)
                                  ).scalar_one_or_none()
        if row is None:
            if expected_version != 0:
                raise ConflictError(tr("Someone else saved this record at the same time. "
                                       "Reload it and try again."),
                                    entity="guard_rules", current_version=0)
            row = RulesRow(value=rules.as_json(), created_by_id=actor.user_id,
                           updated_by_id=actor.user_id)
            uow.session.add(row)
            before: dict[str, Any] = {}
        else:
            check_version(uow, row, expected_version, entity="guard_rules",
                          label=tr("Customer base protection rules"))
            before = json.loads(row.value or "{}")
            row.value = rules.as_json()
            row.updated_by_id = actor.user_id
        uow.session.flush()
        audit.record(uow, actor, AuditAction.UPDATE, "guard_rules", row.id,
                     audit.say("customer base protection rules changed"),
                     audit.diff(before, json.loads(rules.as_json())))
        uow.commit()
        return RulesSetting(rules, row.version)


def _check_rules(rules: GuardRules) -> None:
    problems: dict[str, str] = {}
    for f in fields(GuardRules):
        value = getattr(rules, f.name)
        if isinstance(value, Decimal):
            if not value.is_finite() or value < 1 or value > 100:
                problems[f.name] = tr("Enter a factor from 1 to 100.")
        elif not isinstance(value, int) or value < 0 or value > 1_000_000:
            problems[f.name] = tr("Enter a whole number from 0 to 1 000 000.")
    for name in ("office_from", "office_to"):
        if name not in problems and getattr(rules, name) > 24 * 60:
            problems[name] = tr("Enter a time of day.")
    if not problems and rules.office_from >= rules.office_to:
        problems["office_to"] = tr("Office hours must end after they start.")
    if not problems and not 1 <= rules.baseline_weeks <= 52:
        problems["baseline_weeks"] = tr("Enter a number of weeks from 1 to 52.")
    if problems:
        raise ValidationError(problems)


def _rules(uow: UnitOfWork) -> RulesSetting:
    row = uow.session.execute(select(RulesRow.value, RulesRow.version)
                              .order_by(RulesRow.id).limit(1)).one_or_none()
    if row is None:
        return RulesSetting(GuardRules(), 0)
    return RulesSetting(rules_from_json(row.value), row.version)


def rules_from_json(text: str | None) -> GuardRules:
    """The stored rules; a value that cannot be read keeps its default."""
    try:
        raw = json.loads(text) if text else {}
    except ValueError:
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    values: dict[str, Any] = {}
    for f in fields(GuardRules):
        if f.name not in raw:
            continue
        default = getattr(GuardRules(), f.name)
        try:
            values[f.name] = (Decimal(str(raw[f.name])) if isinstance(default, Decimal)
                              else int(raw[f.name]))
        except (InvalidOperation, TypeError, ValueError):
            continue
    return replace(GuardRules(), **values)


# --- notice -------------------------------------------------------------------------------


def set_notice(*, uow: UnitOfWork, actor: Actor, user_id: int, notice_on: dt.date | None,
               expected_version: int) -> int:
    """Enter (or clear) the day a person gave notice; returns the person's new version."""
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.EDIT)
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(tr("This person does not exist (any more)."))
        check_version(uow, user, expected_version, entity="user", label=user.display_name)
        before = user.notice_on
        if before == notice_on:
            return user.version
        user.notice_on = notice_on
        user.updated_by_id = actor.user_id
        uow.session.flush()
        audit.record(uow, actor, AuditAction.UPDATE, "user", user.id,
                     audit.say("notice of {name} entered", name=user.display_name),
                     {"notice_on": [before, notice_on]})
        uow.commit()
        return user.version


# --- figures ------------------------------------------------------------------------------


def person_days(uow: UnitOfWork, start: dt.date, end: dt.date, rules: GuardRules
                ) -> dict[tuple[int, dt.date], PersonDay]:
    """Everyone's figures for every day from ``start`` to ``end`` with reads: two GROUP BYs."""
    t = ReadEntry
    opened = t.action.in_(_OPENED)
    outside_office = or_(t.minute < rules.office_from, t.minute >= rules.office_to)
    rows = uow.session.execute(
        select(
            t.user_id, t.day,
            func.count(distinct(case((opened, t.customer_id)))).label("cards"),
            func.sum(case((t.action == ReadAction.SEARCH, t.customers), else_=0)
                     ).label("listed"),
            func.sum(case((t.action == ReadAction.EXPORT, t.customers), else_=0)
                     ).label("exported"),
            func.sum(case((t.action == ReadAction.PRINT, 1), else_=0)).label("printed"),
            func.sum(case((and_(t.action.in_((ReadAction.EXPORT, ReadAction.PRINT)),
                                outside_office), 1), else_=0)).label("after_hours"),
            func.count(distinct(case((and_(t.action == ReadAction.SEARCH,
                                           func.length(t.detail) == 1), t.detail)))
                       ).label("letters"),
        )
        .where(t.day >= start, t.day <= end)
        .group_by(t.user_id, t.day)
        # Planned for its own dates: psycopg's prepared generic plan guessed a few hundred
        # rows per period where there are tens of thousands, and nested its loops.
        .execution_options(**{PLAN_PER_RUN: True})
    ).all()
    days = {(r.user_id, r.day): PersonDay(
        r.user_id, r.day, int(r.cards or 0), int(r.listed or 0), int(r.exported or 0),
        int(r.printed or 0), int(r.after_hours or 0),
        letters=int(r.letters or 0)) for r in rows}
    # Customers of others: neither the reader's nor anyone's of the reader's department.
    reader, holder = aliased(User), aliased(User)
    others = uow.session.execute(
        select(t.user_id, t.day, func.count(distinct(t.customer_id)).label("outside"))
        .join(Customer, Customer.id == t.customer_id)
        .join(holder, holder.id == Customer.owner_id)
        .join(reader, reader.id == t.user_id)
        .where(t.day >= start, t.day <= end, opened,
               Customer.owner_id != t.user_id,
               or_(reader.department_id.is_(None), holder.department_id.is_(None),
                   holder.department_id != reader.department_id))
        .group_by(t.user_id, t.day)
        .execution_options(**{PLAN_PER_RUN: True})
    ).all()
    for r in others:
        key = (r.user_id, r.day)
        if key in days:
            days[key] = replace(days[key], outside=int(r.outside))
    return days


def _usual(days: Mapping[tuple[int, dt.date], PersonDay], user_id: int, day: dt.date,
           weeks: int, attr: str) -> int:
    """The median of ``attr`` on the same weekday of the ``weeks`` weeks before ``day``
    (whole: an even count's middle pair averaged, rounded down)."""
    week = dt.timedelta(days=7)
    values = []
    earlier_day = day
    for _back in range(weeks):
        earlier_day -= week
        earlier = days.get((user_id, earlier_day))
        values.append(getattr(earlier, attr) if earlier else 0)
    if not values:
        return 0
    values.sort()
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) // 2


def _above(value: int, usual: int, factor: Decimal, floor: int) -> bool:
    return value >= floor and value > factor * usual


@dataclass
class _People:
    names: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str | None] = field(default_factory=dict)
    notices: dict[int, dt.date | None] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)


def _people(uow: UnitOfWork, user_ids: Iterable[int] | None = None) -> _People:
    stmt = (select(User.id, User.display_name, User.notice_on, User.version, Department.name_zh,
                   Department.name_en)
            .outerjoin(Department, Department.id == User.department_id))
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    zh = current_language() == "zh"
    people = _People()
    for r in uow.session.execute(stmt):
        people.names[r.id] = r.display_name
        people.departments[r.id] = (r.name_zh if zh else r.name_en) if r.name_zh else None
        people.notices[r.id] = r.notice_on
        people.versions[r.id] = r.version
    return people


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ValidationError({"date_to": tr("The end date is before the start date.")})
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationError({"date_to": tr("Choose at most {days} days.").format(
            days=MAX_DAYS)})


def _find_alerts(uow: UnitOfWork, rules: GuardRules, date_from: dt.date, date_to: dt.date,
                 days: Mapping[tuple[int, dt.date], PersonDay], people: _People
                 ) -> list[GuardAlert]:
    weeks = rules.baseline_weeks
    found: dict[tuple[int, dt.date], list[Reason]] = defaultdict(list)
    usual_cards: dict[tuple[int, dt.date], int] = {}
    candidates: dict[ReadAction, list[tuple[int, dt.date]]] = defaultdict(list)
    # The trail's first day: before two weeks of it, nobody has a usual yet (the weeks
    # after the program started recording only teach what is usual).
    first_day = min((d for _u, d in days), default=date_from)
    for (user_id, day), f in days.items():
        if not date_from <= day <= date_to:
            continue
        usual = _usual(days, user_id, day, weeks, "cards")
        usual_cards[(user_id, day)] = usual
        reasons = found[(user_id, day)]
        # The sweeps and the late documents below count from the first day.
        if day - first_day >= dt.timedelta(weeks=LEARNING_WEEKS):
            _compare_with_usual(days, rules, people, f, usual, reasons)
        # Read one by one only where a figure says a check could fire.
        if f.letters >= rules.sweep_searches:
            candidates[ReadAction.SEARCH].append((user_id, day))
        if f.cards >= rules.sweep_cards:
            candidates[ReadAction.CARD].append((user_id, day))
        if f.after_hours:
            candidates[ReadAction.EXPORT].append((user_id, day))
    for key, extra in _row_checks(uow, rules, candidates).items():
        found[key].extend(extra)
    alerts = []
    for (user_id, day), reasons in found.items():
        if not reasons:
            continue
        order = list(REASONS)
        alerts.append(GuardAlert(
            user_id=user_id, user_name=people.names.get(user_id, f"#{user_id}"),
            department=people.departments.get(user_id), day=day,
            figures=days[(user_id, day)], usual_cards=usual_cards[(user_id, day)],
            reasons=tuple(sorted(reasons, key=lambda r: order.index(r.code)))))
    alerts.sort(key=lambda a: (a.day, a.user_name, a.user_id), reverse=False)
    return alerts


def _compare_with_usual(days: Mapping[tuple[int, dt.date], PersonDay], rules: GuardRules,
                        people: _People, f: PersonDay, usual: int, reasons: list[Reason]
                        ) -> None:
    """The rules that compare a day with the person's usual."""
    user_id, day, weeks = f.user_id, f.day, rules.baseline_weeks
    if _above(f.cards, usual, rules.factor, rules.min_reads):
        reasons.append(Reason("above_usual", {"cards": f.cards, "usual": usual}))
    # Each usual is worked out only for a figure at its floor (below it nothing fires).
    usual_listed = (_usual(days, user_id, day, weeks, "listed")
                    if f.listed >= rules.min_listed else 0)
    if _above(f.listed, usual_listed, rules.factor, rules.min_listed):
        reasons.append(Reason("listed_above_usual",
                              {"listed": f.listed, "usual": usual_listed}))
    usual_outside = (_usual(days, user_id, day, weeks, "outside")
                     if f.outside >= rules.min_outside else 0)
    if _above(f.outside, usual_outside, rules.factor, rules.min_outside):
        reasons.append(Reason("outside_scope",
                              {"outside": f.outside, "usual": usual_outside}))
    notice = people.notices.get(user_id)
    if (notice is not None and notice <= day <= notice + dt.timedelta(
            days=rules.notice_days)
            and _above(f.cards, usual, rules.notice_factor, (rules.min_reads + 1) // 2)
            and not any(r.code == "above_usual" for r in reasons)):
        reasons.append(Reason("after_notice", {"cards": f.cards, "usual": usual,
                                               "notice": notice.isoformat()}))


# What each row check reads: the searches, the cards opened, the documents.
_CHECKED: Final[Mapping[ReadAction, tuple[str, ...]]] = {
    ReadAction.SEARCH: (ReadAction.SEARCH.value,),
    ReadAction.CARD: _OPENED,
    ReadAction.EXPORT: (ReadAction.EXPORT.value, ReadAction.PRINT.value),
}


def _row_checks(uow: UnitOfWork, rules: GuardRules,
                candidates: Mapping[ReadAction, Sequence[tuple[int, dt.date]]]
                ) -> dict[tuple[int, dt.date], list[Reason]]:
    """The checks that need a day's reads in order (sweeps, documents after hours), for
    the days whose figures could make them fire: only those rows are read."""
    out: dict[tuple[int, dt.date], list[Reason]] = defaultdict(list)
    for check, pairs in candidates.items():
        for key, reads in _reads_of(uow, pairs, _CHECKED[check]).items():
            if check == ReadAction.SEARCH:
                run = _search_run(reads)
                if run >= rules.sweep_searches:
                    out[key].append(Reason("search_sweep", {"run": run}))
            elif check == ReadAction.CARD:
                run = _card_run(reads)
                if run >= rules.sweep_cards:
                    out[key].append(Reason("card_sweep", {"run": run}))
            else:
                late = [r for r in reads if not rules.office_from <= r.minute < rules.office_to]
                exports = [r for r in late if r.action == ReadAction.EXPORT]
                if exports or len(late) >= rules.after_hours_prints:
                    times = "、".join(sorted({_clock(r.minute) for r in late})[:5])
                    out[key].append(Reason("after_hours", {"times": times}))
    return out


def _reads_of(uow: UnitOfWork, pairs: Sequence[tuple[int, dt.date]], actions: Sequence[str]
              ) -> dict[tuple[int, dt.date], list[Any]]:
    """The reads of these kinds on these person-days, in the order they were written."""
    t = ReadEntry
    out: dict[tuple[int, dt.date], list[Any]] = defaultdict(list)
    for start in range(0, len(pairs), 200):
        part = pairs[start:start + 200]
        wanted = set(part)
        rows = uow.session.execute(
            select(t.user_id, t.day, t.minute, t.action, t.customer_id, t.detail,
                   Customer.sort_key, Customer.code)
            .outerjoin(Customer, Customer.id == t.customer_id)
            # Users and days apart (SQL Server has no IN of row values); the pairs
            # wanted are picked below.
            .where(t.user_id.in_({u for u, _d in part}), t.day.in_({d for _u, d in part}),
                   t.action.in_(actions))
            .order_by(t.user_id, t.day, t.id)
        ).all()
        for r in rows:
            if (r.user_id, r.day) in wanted:
                out[(r.user_id, r.day)].append(r)
    return out


def _search_run(reads: Sequence[Any]) -> int:
    """The longest run of searches in a row, each after the one before in the alphabet.

    A search is what was typed before the list was searched again with something that
    does not go on from it: "b", "bj", "bjx" (the list searches at each pause) are one
    search, "b"; the pages of one search count once. A sweep is "a", "b", "c", … (or
    "aa", "ab", …); names looked up one after another start with letters in no order."""
    starts: list[str] = []
    previous = ""
    for r in reads:
        if r.action != ReadAction.SEARCH or not r.detail:
            continue
        text = r.detail.strip().lower()
        if not text or text == previous:
            continue
        if not previous or not text.startswith(previous):
            starts.append(text)
        previous = text
    return _longest_rising(starts)


def _card_run(reads: Sequence[Any]) -> int:
    """The longest run of cards opened one after another in list (pinyin) or number order
    (each customer counted at its first opening)."""
    seen: set[int] = set()
    keys: list[str] = []
    codes: list[str] = []
    for r in reads:
        if r.action not in _OPENED or r.customer_id is None or r.customer_id in seen:
            continue
        seen.add(r.customer_id)
        keys.append(r.sort_key or "")
        codes.append(r.code or "")
    return max(_longest_rising(keys), _longest_rising(codes))


def _clock(minute: int) -> str:
    """Minutes after local midnight as the clock shows them: 1275 → "21:15"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _longest_rising(values: Sequence[str]) -> int:
    best = run = 0
    for index, value in enumerate(values):
        run = run + 1 if index and value > values[index - 1] else 1
        best = max(best, run)
    return best


# --- what management reads ------------------------------------------------------------------


def _period_alerts(uow: UnitOfWork, date_from: dt.date, date_to: dt.date,
                   rules: GuardRules, also: Iterable[int] = ()
                   ) -> tuple[dict[tuple[int, dt.date], PersonDay], _People, list[GuardAlert]]:
    """The period's figures (with the weeks its usual looks back on), the people in them
    (and ``also``), and its alerts: what every look at the trail starts from."""
    days = person_days(uow, date_from - dt.timedelta(weeks=rules.baseline_weeks), date_to,
                       rules)
    people = _people(uow, {u for u, _d in days} | set(also))
    return days, people, _find_alerts(uow, rules, date_from, date_to, days, people)


def alerts_between(uow: UnitOfWork, date_from: dt.date, date_to: dt.date
                   ) -> list[GuardAlert]:
    """The period's alerts under the rules in force, inside the caller's unit of work: for
    a caller that checked the module itself and audits what it does with them
    (app.services.guard_watch)."""
    return _period_alerts(uow, date_from, date_to, _rules(uow).rules)[2]


def guard_alerts(*, uow: UnitOfWork, actor: Actor, date_from: dt.date, date_to: dt.date,
                 rules: GuardRules | None = None) -> tuple[GuardAlert, ...]:
    """The flagged person-days of the period (audited: reading the trail is watched too)."""
    _check_period(date_from, date_to)
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        alerts = _period_alerts(uow, date_from, date_to, rules or _rules(uow).rules)[2]
        audit.record(uow, actor, AuditAction.READ_TRAIL, "read_trail", None,
                     audit.say("customer base protection alerts viewed for {start} to {end}",
                               start=date_from.isoformat(), end=date_to.isoformat()))
        uow.commit()
        return tuple(alerts)


def guard_overview(*, uow: UnitOfWork, actor: Actor, date_from: dt.date, date_to: dt.date
                   ) -> GuardOverview:
    """Everyone's last day (``date_to``) against their usual, the daily totals of the
    period for the chart, and its alerts."""
    _check_period(date_from, date_to)
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        rules = _rules(uow).rules
        active = set(uow.session.scalars(select(User.id).where(User.active == true())))
        days, people, alerts = _period_alerts(uow, date_from, date_to, rules, active)
        flagged: dict[int, int] = defaultdict(int)
        for alert in alerts:
            flagged[alert.user_id] += 1
        weeks = rules.baseline_weeks
        summaries = []
        for user_id in sorted(people.names, key=lambda u: (people.names[u], u)):
            today = days.get((user_id, date_to), PersonDay(user_id, date_to))
            if user_id not in active and today.cards == today.listed == 0:
                continue
            summaries.append(PersonSummary(
                user_id=user_id, user_name=people.names[user_id],
                department=people.departments.get(user_id),
                notice_on=people.notices.get(user_id),
                version=people.versions.get(user_id, 0), today=today,
                usual_cards=_usual(days, user_id, date_to, weeks, "cards"),
                usual_listed=_usual(days, user_id, date_to, weeks, "listed"),
                alerts=flagged[user_id]))
        totals: dict[dt.date, list[int]] = {}
        for (_user, day), f in days.items():
            if date_from <= day <= date_to:
                entry = totals.setdefault(day, [0, 0])
                entry[0] += f.cards
                entry[1] += f.listed
        span = (date_to - date_from).days + 1
        daily = tuple((day, *totals.get(day, (0, 0)))
                      for day in (date_from + dt.timedelta(days=n) for n in range(span)))
        audit.record(uow, actor, AuditAction.READ_TRAIL, "read_trail", None,
                     audit.say("customer base protection viewed for {start} to {end}",
                               start=date_from.isoformat(), end=date_to.isoformat()))
        uow.commit()
        return GuardOverview(date_from, date_to, tuple(summaries), daily, tuple(alerts))


def read_lines(*, uow: UnitOfWork, actor: Actor, user_id: int, day: dt.date
               ) -> tuple[ReadLine, ...]:
    """Everything one person read on one day, in order: the drill-down of an alert."""
    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.VIEW)
        t = ReadEntry
        rows = uow.session.execute(
            select(t.minute, t.action, t.customer_id, Customer.code, Customer.name,
                   t.customers, t.detail)
            .outerjoin(Customer, Customer.id == t.customer_id)
            .where(t.user_id == user_id, t.day == day)
            .order_by(t.minute, t.id)
        ).all()
        name = uow.session.scalar(select(User.display_name).where(User.id == user_id))
        if name is None:
            raise NotFound(tr("This person does not exist (any more)."))
        audit.record(uow, actor, AuditAction.READ_TRAIL, "user", user_id,
                     audit.say("read trail of {name} on {day} viewed", name=name,
                               day=day.isoformat()))
        uow.commit()
        return tuple(ReadLine(r.minute, ReadAction(r.action), r.customer_id, r.code, r.name,
                              r.customers, r.detail) for r in rows)


def export_alerts(*, uow: UnitOfWork, actor: Actor, date_from: dt.date, date_to: dt.date,
                  path: str | Path) -> int:
    """The period's alerts to an .xlsx file, one row per person and day flagged; returns
    the number of rows."""
    from app.reports.tabular import Sheet, write_xlsx

    with uow:
        require(uow, actor, Module.CUSTOMER_GUARD, Operation.EXPORT)
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            raise ValidationError({"path": tr("Save the report as an .xlsx file.")})
        if not target.parent.is_dir():
            raise ValidationError({"path": tr("The folder {folder} does not exist.").format(
                folder=str(target.parent))})
        _check_period(date_from, date_to)
        alerts = _period_alerts(uow, date_from, date_to, _rules(uow).rules)[2]
        headers = [tr("Day"), tr("Staff"), tr("Department"), tr("Cards opened"),
                   tr("Usual"), tr("Customers listed"), tr("Customers exported"),
                   tr("Documents printed"), tr("Cards of others' customers"), tr("Why")]
        lines = [[a.day, a.user_name, a.department, a.figures.cards, a.usual_cards,
                  a.figures.listed, a.figures.exported, a.figures.printed, a.figures.outside,
                  a.text] for a in alerts]
        count = write_xlsx(target, [Sheet(
            title=tr("Customer base protection"), headers=headers, rows=lines,
            kinds=["date", "text", "text"] + ["integer"] * 6 + ["text"])])
        # The export's own entry says what was read: no second "viewed" entry.
        audit.record(uow, actor, AuditAction.EXPORT, "read_trail", None,
                     audit.say("customer base protection alerts exported: {rows} rows to "
                               "{file}", rows=count, file=target.name),
                     {"from": date_from.isoformat(), "to": date_to.isoformat()})
        uow.commit()
        return count
