"""An ordinary read trail: what people at the stations read on a normal working day.

The demo data gives its last 90 days one (app.demo), so the customer base protection view
is not empty, and the tests replay a month of it to check that ordinary work raises no
alert. Each person has a daily rhythm of their own (a counter clerk opens many cards, a
salesperson fewer, a manager hardly any), reads only customers they may see, types searches
letter by letter as the list searches on each pause (b, bj, bjx, bjxr), prints a few
documents and, rarely, exports their own customers — always within office hours.
Deterministic for a given random generator.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.models.enums import ReadAction


@dataclass(frozen=True)
class Reader:
    """Someone whose reads are made up: what they may open and how busy they are."""

    user_id: int
    visible: Sequence[tuple[int, str]]  # (customer id, pinyin initials) they may open
    own: Sequence[int]  # their own customers (what they export)
    cards_per_day: float  # their usual number of cards opened on a working day
    saturdays: bool = False  # the storefront and the repair desk open on Saturdays


_PAGE = 100  # the list's first page


def ordinary_reads(readers: Sequence[Reader], start: dt.date, end: dt.date,
                   rng: random.Random) -> Iterator[dict[str, Any]]:
    """Rows for ``read_trail`` (without ids), day by day from ``start`` to ``end``."""
    day = start
    while day <= end:
        for reader in readers:
            weekday = day.weekday()
            if weekday == 6 or weekday == 5 and not reader.saturdays:
                continue
            if rng.random() < 0.05:  # a day off
                continue
            yield from _day(reader, day, rng)
        day += dt.timedelta(days=1)


def _day(reader: Reader, day: dt.date, rng: random.Random) -> Iterator[dict[str, Any]]:
    minute = rng.randint(8 * 60 + 20, 9 * 60 + 10)
    rows: list[dict[str, Any]] = []

    def add(action: ReadAction, customer_id: int | None = None, customers: int = 1,
            detail: str | None = None) -> None:
        nonlocal minute
        minute = min(minute + rng.randint(1, 12), 18 * 60 + 50)
        rows.append(_row(reader.user_id, day, minute, action, customer_id, customers,
                         detail))

    add(ReadAction.SEARCH, customers=min(_PAGE, len(reader.visible)))  # the list opens
    cards = max(0, round(rng.gauss(reader.cards_per_day, reader.cards_per_day * 0.25)))
    for _ in range(cards):
        if not reader.visible:
            break
        customer_id, initials = rng.choice(reader.visible)
        if rng.random() < 0.6 and initials:
            # Typed letter by letter; the list searched at each pause.
            typed = initials[: rng.randint(2, min(4, len(initials)) or 1)]
            for length in range(1, len(typed) + 1):
                found = _found(reader, typed[:length])
                add(ReadAction.SEARCH, customers=min(_PAGE, found), detail=typed[:length])
        add(ReadAction.OVERVIEW if rng.random() < 0.3 else ReadAction.CARD, customer_id)
    for _ in range(_poisson(rng, 1.2)):
        if reader.visible:
            add(ReadAction.PRINT, rng.choice(reader.visible)[0], detail="sales slip")
    if reader.own and rng.random() < 0.02:
        add(ReadAction.EXPORT, customers=len(reader.own))
    yield from rows


def _found(reader: Reader, typed: str) -> int:
    return sum(1 for _id, initials in reader.visible if initials.startswith(typed))


def _poisson(rng: random.Random, lam: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < lam:
        count += 1
        total += rng.expovariate(1.0)
    return count


def _row(user_id: int, day: dt.date, minute: int, action: ReadAction, customer_id: int | None,
         customers: int, detail: str | None) -> dict[str, Any]:
    local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    return {"at": local.replace(tzinfo=dt.UTC) - dt.timedelta(hours=8), "day": day,
            "minute": minute, "user_id": user_id, "action": action.value,
            "customer_id": customer_id, "customers": customers, "detail": detail}


def sweep_reads(user_id: int, in_order: Sequence[int], days: Sequence[dt.date],
                rng: random.Random) -> Iterator[dict[str, Any]]:
    """A salesperson collecting the customer base on their last days: their customers'
    cards opened one after another down the list (``in_order``: the list's order), a
    share each day, and on the middle day the list searched from a to z page by page."""
    share = max(1, -(-len(in_order) // max(1, len(days))))
    for index, day in enumerate(days):
        minute = 9 * 60 + rng.randint(0, 20)
        for customer_id in in_order[index * share:(index + 1) * share]:
            yield _row(user_id, day, min(minute, 23 * 60 + 59), ReadAction.CARD,
                       customer_id, 1, None)
            minute += rng.choice((0, 1, 1, 2))
        if index == len(days) // 2:
            minute = max(minute, 15 * 60)
            for letter in "abcdefghijklmnopqrstuvwxyz":
                for _page in range(rng.randint(1, 3)):
                    yield _row(user_id, day, min(minute, 23 * 60 + 59), ReadAction.SEARCH,
                               None, _PAGE, letter)
                    minute += 1
