"""Words and colours the care screens share."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from app import labels
from app.models.enums import CareKind, CareStatus
from app.services.care import CHANNELS

OVERDUE_COLOUR = "#b00020"


def channel_label(code: str | None) -> str:
    """``"wechat"`` → "WeChat" / 微信; text stored by older versions is shown as it is."""
    return labels.code_label(labels.CARE_CHANNEL, code)


def channels() -> list[tuple[str, str]]:
    return [(code, channel_label(code)) for code in CHANNELS]


def care_kind_label(kind: CareKind | str) -> str:
    return labels.label_of(CareKind, kind)


def care_status_label(status: CareStatus | str) -> str:
    return labels.label_of(CareStatus, status)


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())
