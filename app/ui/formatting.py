"""How the interface writes money, dates and times: yuan with two decimals, local time."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def format_yuan(amount: Decimal | None) -> str:
    """``Decimal("1234.5")`` → ``"¥1,234.50"``; negative amounts as ``"-¥12.00"``; None → "".

    Exact: the value stays a Decimal, it is only rounded to the fen for display.
    """
    if amount is None:
        return ""
    value = Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def local_datetime(moment: dt.datetime) -> dt.datetime:
    """An aware UTC time as the PC's local time (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def format_local_datetime(moment: dt.datetime) -> str:
    """``"2026-04-01 18:00"`` in the PC's local time."""
    return local_datetime(moment).strftime("%Y-%m-%d %H:%M")


def format_date(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def group_digits(count: int) -> str:
    """``1532`` → ``"1 532"``: a count grouped by thousands, as the lists' totals show it."""
    return f"{count:,}".replace(",", " ")
