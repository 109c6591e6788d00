"""The company header printed on every document: the ``company`` and ``company_logo`` settings.

Administration saves both through :mod:`app.services.company`; every slip reads them with
:func:`load_company` and prints them in the page header (:mod:`app.reports.page`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from app.models import AppSetting
from app.services.uow import UnitOfWork

COMPANY_SETTING_KEY = "company"
# The logo has a setting of its own: a few hundred KB of base64 that nobody reading the
# name and address should have to load, and that an edit of the address never rewrites.
LOGO_SETTING_KEY = "company_logo"
# Shown until an administrator fills in the setting: unmistakable on paper, never wrong.
DEFAULT_COMPANY_NAME = "（未设置公司名称）"
# The text fields of the header, in the order they print.
TEXT_FIELDS = ("name", "address", "phone", "fax", "bank", "bank_account", "tax_number")


@dataclass(frozen=True)
class CompanyInfo:
    """Name, address and the payment details a customer needs, as printed in the header.

    The ``company`` setting is a JSON object with any of the text fields; missing or empty
    keys print nothing (the name falls back to :data:`DEFAULT_COMPANY_NAME`). ``logo`` is
    the image of the ``company_logo`` setting (PNG or JPEG bytes), ``version`` the
    ``company`` setting row's (0 while nothing was saved), which a save must name.
    """

    name: str = DEFAULT_COMPANY_NAME
    address: str = ""
    phone: str = ""
    fax: str = ""
    bank: str = ""
    bank_account: str = ""
    tax_number: str = ""
    logo: bytes | None = field(default=None, repr=False)
    version: int = 0

    @property
    def named(self) -> bool:
        """Whether an actual name was saved (not the placeholder)."""
        return self.name != DEFAULT_COMPANY_NAME

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
        values: dict[str, Any] = {}  # the text fields only
        for name in TEXT_FIELDS:
            value = raw.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and value.strip():
                values[name] = value.strip()
        return cls(**values)


def logo_from_setting(text: str | None) -> bytes | None:
    """The image bytes of the ``company_logo`` setting, or None.

    The setting is a JSON object whose ``data`` is the image in base64 (a bare base64
    string is read too). Like the header, a damaged value prints no logo instead of
    failing; whether the bytes are a usable image is for the renderer to find out.
    """
    if not text or not text.strip():
        return None
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raw = text
    data = raw.get("data") if isinstance(raw, dict) else raw
    if not isinstance(data, str) or not data.strip():
        return None
    try:
        image = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return image or None


def load_company(uow: UnitOfWork) -> CompanyInfo:
    """The company header and logo from the settings table (call inside ``with uow``)."""
    rows = uow.session.execute(
        select(AppSetting.key, AppSetting.value, AppSetting.version)
        .where(AppSetting.key.in_((COMPANY_SETTING_KEY, LOGO_SETTING_KEY)))
    ).all()
    by_key = {key: (value, version) for key, value, version in rows}
    text, version = by_key.get(COMPANY_SETTING_KEY, (None, 0))
    info = CompanyInfo.from_json(text)
    logo = logo_from_setting(by_key.get(LOGO_SETTING_KEY, (None, 0))[0])
    return replace(info, logo=logo, version=version)


__all__ = [
    "COMPANY_SETTING_KEY",
    "DEFAULT_COMPANY_NAME",
    "LOGO_SETTING_KEY",
    "TEXT_FIELDS",
    "CompanyInfo",
    "load_company",
    "logo_from_setting",
]
