"""The company header printed on every document, read from the ``company`` app setting."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from app.models import AppSetting
from app.services.uow import UnitOfWork

COMPANY_SETTING_KEY = "company"
# Shown until an administrator fills in the setting: unmistakable on paper, never wrong.
DEFAULT_COMPANY_NAME = "（未设置公司名称）"


@dataclass(frozen=True)
class CompanyInfo:
    """Name, address and the payment details a customer needs, as printed in the header.

    The ``company`` setting is a JSON object with any of these keys; missing or empty
    keys print nothing (the name falls back to :data:`DEFAULT_COMPANY_NAME`).
    """

    name: str = DEFAULT_COMPANY_NAME
    address: str = ""
    phone: str = ""
    fax: str = ""
    bank: str = ""
    bank_account: str = ""
    tax_number: str = ""

    @classmethod
    def from_json(cls, text: str | None) -> CompanyInfo:
        """Parse the setting's value; anything unreadable gives the defaults.

        A damaged setting must not stop the counter from printing a slip, so bad JSON,
        a non-object or non-text values fall back field by field instead of raising.
        """
        try:
            raw: Any = json.loads(text) if text else {}
        except ValueError:
            raw = {}
        if not isinstance(raw, dict):
            raw = {}
        values: dict[str, str] = {}
        for f in fields(cls):
            value = raw.get(f.name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and value.strip():
                values[f.name] = value.strip()
        return cls(**values)


def load_company(uow: UnitOfWork) -> CompanyInfo:
    """The company header from the settings table (call inside ``with uow``)."""
    text = uow.session.execute(
        select(AppSetting.value).where(AppSetting.key == COMPANY_SETTING_KEY)
    ).scalar_one_or_none()
    return CompanyInfo.from_json(text)


__all__ = ["COMPANY_SETTING_KEY", "DEFAULT_COMPANY_NAME", "CompanyInfo", "load_company"]
