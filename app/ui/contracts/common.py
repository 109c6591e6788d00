"""Labels of contract kinds and statuses, and the expiry window of the reminders."""

from __future__ import annotations

import datetime as dt

from app import labels
from app.models.enums import ContractKind, ContractStatus

EXPIRING_DAYS = 30


def contract_kind_label(value: ContractKind | str) -> str:
    return labels.label(ContractKind(value))


def contract_status_label(value: ContractStatus | str) -> str:
    return labels.label(ContractStatus(value))


def contract_kinds() -> list[tuple[ContractKind, str]]:
    return labels.choices(ContractKind)


def is_expiring(status: ContractStatus, ends_on: dt.date, today: dt.date | None = None) -> bool:
    """Active and ending within :data:`EXPIRING_DAYS` (what the reminders list)."""
    day = today or dt.date.today()
    return (status is ContractStatus.ACTIVE
            and day <= ends_on <= day + dt.timedelta(days=EXPIRING_DAYS))
