"""Words and colours the care screens share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate

from app.models.enums import CareKind, CareStatus
from app.services.care import CHANNELS
from app.ui.record_labels import reference_label, state_label

OVERDUE_COLOUR = "#b00020"

_CHANNELS: Mapping[str, object] = {
    "phone": QT_TRANSLATE_NOOP("CareChannel", "Phone"),
    "visit": QT_TRANSLATE_NOOP("CareChannel", "Visit"),
    "wechat": QT_TRANSLATE_NOOP("CareChannel", "WeChat"),
    "sms": QT_TRANSLATE_NOOP("CareChannel", "SMS"),
    "email": QT_TRANSLATE_NOOP("CareChannel", "E-mail"),
}


def channel_label(code: str | None) -> str:
    """``"wechat"`` → "WeChat" / 微信; text stored by older versions is shown as it is."""
    if not code:
        return ""
    source = _CHANNELS.get(code)
    return QCoreApplication.translate("CareChannel", str(source)) if source else code


def channels() -> list[tuple[str, str]]:
    return [(code, channel_label(code)) for code in CHANNELS]


def care_kind_label(kind: CareKind | str) -> str:
    return reference_label("care", str(kind.value if isinstance(kind, CareKind) else kind))


def care_status_label(status: CareStatus | str) -> str:
    return state_label("care", str(status.value if isinstance(status, CareStatus) else status))


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())
