"""Labels of contract kinds and statuses, and the expiry window of the reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.models.enums import ContractKind, ContractStatus

EXPIRING_DAYS = 30

_KINDS: Mapping[ContractKind, str] = {
    ContractKind.FULL_SERVICE: QT_TRANSLATE_NOOP("ContractKind", "Full service"),
    ContractKind.LABOUR_ONLY: QT_TRANSLATE_NOOP("ContractKind", "Labour only"),
    ContractKind.PER_VISIT: QT_TRANSLATE_NOOP("ContractKind", "Per visit"),
}

_STATUSES: Mapping[ContractStatus, str] = {
    ContractStatus.DRAFT: QT_TRANSLATE_NOOP("ContractStatus", "Draft"),
    ContractStatus.ACTIVE: QT_TRANSLATE_NOOP("ContractStatus", "Active"),
    ContractStatus.EXPIRED: QT_TRANSLATE_NOOP("ContractStatus", "Expired"),
    ContractStatus.TERMINATED: QT_TRANSLATE_NOOP("ContractStatus", "Terminated"),
    ContractStatus.RENEWED: QT_TRANSLATE_NOOP("ContractStatus", "Renewed"),
}


def contract_kind_label(value: ContractKind | str) -> str:
    return QCoreApplication.translate("ContractKind", _KINDS[ContractKind(value)])


def contract_status_label(value: ContractStatus | str) -> str:
    return QCoreApplication.translate("ContractStatus", _STATUSES[ContractStatus(value)])


def contract_kinds() -> list[tuple[ContractKind, str]]:
    return [(k, contract_kind_label(k)) for k in ContractKind]


def is_expiring(status: ContractStatus, ends_on: dt.date, today: dt.date | None = None) -> bool:
    """Active and ending within :data:`EXPIRING_DAYS` (what the reminders list)."""
    day = today or dt.date.today()
    return (status is ContractStatus.ACTIVE
            and day <= ends_on <= day + dt.timedelta(days=EXPIRING_DAYS))
