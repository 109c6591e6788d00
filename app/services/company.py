"""Company settings (公司信息): the name, address, payment details and logo every slip prints.

Anyone logged in reads them (every printed document carries them); only administration
(``ADMINISTRATION/EDIT``: the administrator) changes them. The text fields live in the
``company`` setting as a JSON object, the logo in the ``company_logo`` setting; the
``company`` row also notes which logo is current (its SHA-256), so that row's version
covers both and a save names one version (:attr:`CompanyInfo.version`). Every change is
audited in its own transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import warnings
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, Final, Literal

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from app.i18n import tr
from app.models import AppSetting
from app.models.enums import AuditAction, Module, Operation
from app.reports.data import DEFAULT_COMPANY_NAME, TEXT_FIELDS, CompanyInfo
from app.services import audit
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.locking import check_version
from app.services.permissions import Actor, grants_for, require
from app.services.uow import UnitOfWork
from app.services.users import has_administrator
from app.services.validation import Checker

COMPANY_SETTING_KEY = "company"
# The logo has a setting of its own: a few hundred KB of base64 that nobody reading the
# name and address should have to load, and that an edit of the address never rewrites.
LOGO_SETTING_KEY = "company_logo"

# Longest text each field takes (the name and address print in the header of an A5 slip
# too; the header wraps and shrinks them, but a paragraph is not an address).
MAX_LENGTHS: Final = {"name": 100, "address": 200, "phone": 40, "fax": 40, "bank": 100,
                      "bank_account": 40, "tax_number": 20}
# 纳税人识别号: the 18-character unified social credit code (统一社会信用代码), or the older
# 15-digit tax registration number, or 17-20 characters for a person's business (ID number
# plus digits). Only the shape is checked: an 18-character value may be an ID card number,
# whose check character follows another rule than the credit code's.
_TAX_NUMBER = re.compile(r"^[0-9A-Z]{15,20}$")
TAX_NUMBER_MIN, TAX_NUMBER_MAX = 15, 20
# A bank account number as printed by the bank: digits, in groups separated by spaces.
_BANK_ACCOUNT = re.compile(r"^[0-9]+( [0-9]+)*$")
BANK_ACCOUNT_MIN_DIGITS, BANK_ACCOUNT_MAX_DIGITS = 6, 32

# The logo: a PNG or JPEG file of at most 512 KB, of a size a header can print.
MAX_LOGO_BYTES: Final = 512 * 1024
MIN_LOGO_SIDE: Final = 16
MAX_LOGO_SIDE: Final = 4000
LOGO_FORMATS: Final = frozenset({"PNG", "JPEG"})


class _Keep(Enum):
    KEEP = "keep"


# Pass as ``logo`` to leave the logo as it is.
KEEP_LOGO: Final = _Keep.KEEP
LogoChange = bytes | None | Literal[_Keep.KEEP]


@dataclass(frozen=True)
class CompanyDraft:
    """The text fields of the company settings as typed (trimmed and checked on save)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    bank: str = ""
    bank_account: str = ""
    tax_number: str = ""


@dataclass(frozen=True)
class LogoFacts:
    """What the check found out about a logo file."""

    format: str
    width: int
    height: int
    size: int
    sha256: str

    def describe(self) -> str:
        """E.g. ``PNG 240×96, 18 KB`` (for the audit log and the form)."""
        return f"{self.format} {self.width}×{self.height}, {max(1, round(self.size / 1024))} KB"


# --- reading ---------------------------------------------------------------------------------


def get_company(*, uow: UnitOfWork, actor: Actor) -> CompanyInfo:
    """The company settings with the logo; any logged-in (active) user may read them."""
    with uow:
        if not grants_for(uow, actor).active:
            raise PermissionDenied(tr("Your account is deactivated."),
                                   module=Module.ADMINISTRATION, operation=Operation.VIEW)
        return load_company(uow)


def load_company(uow: UnitOfWork) -> CompanyInfo:
    """The company header and logo from the settings table (call inside ``with uow``);
    the slips print it (``app.services.slips``)."""
    rows = uow.session.execute(
        select(AppSetting.key, AppSetting.value, AppSetting.version)
        .where(AppSetting.key.in_((COMPANY_SETTING_KEY, LOGO_SETTING_KEY)))
    ).all()
    by_key = {key: (value, version) for key, value, version in rows}
    text, version = by_key.get(COMPANY_SETTING_KEY, (None, 0))
    info = company_from_setting(text)
    logo = logo_from_setting(by_key.get(LOGO_SETTING_KEY, (None, 0))[0])
    return replace(info, logo=logo, version=version)


def company_from_setting(text: str | None) -> CompanyInfo:
    """The text fields of the ``company`` setting (a JSON object); anything unreadable
    gives the defaults.

    A damaged setting must not stop the counter from printing a slip, so bad JSON, a
    non-object or non-text values fall back field by field instead of raising; missing or
    empty keys print nothing (the name falls back to :data:`DEFAULT_COMPANY_NAME`).
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
    return CompanyInfo(**values)


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


# --- checking --------------------------------------------------------------------------------


def check_logo(image: object) -> LogoFacts:
    """Check a logo file's bytes; raises ValidationError on ``logo`` when unusable.

    PNG or JPEG only (what every PDF viewer and printer shows), at most
    :data:`MAX_LOGO_BYTES`, between :data:`MIN_LOGO_SIDE` and :data:`MAX_LOGO_SIDE` pixels
    a side, and decodable to the last row: a truncated file would fail at print time on
    every slip instead of here.
    """
    check = Checker()
    facts = _check_logo(check, image)
    check.done()
    assert facts is not None
    return facts


def read_logo(path: str | os.PathLike[str]) -> tuple[bytes, LogoFacts]:
    """Read a logo file and check it as :func:`check_logo` does; a file over the size
    limit is refused without reading it. OSError when the file cannot be read."""
    file = Path(path)
    if file.stat().st_size > MAX_LOGO_BYTES:
        raise ValidationError({"logo": tr("is too large (at most {max} KB)",
                                          max=MAX_LOGO_BYTES // 1024)})
    image = file.read_bytes()
    return image, check_logo(image)


def _check_logo(check: Checker, image: object) -> LogoFacts | None:
    if not isinstance(image, bytes | bytearray) or not image:
        check.fail("logo", tr("must be a PNG or JPEG image"))
        return None
    data = bytes(image)
    if len(data) > MAX_LOGO_BYTES:
        check.fail("logo", tr("is too large (at most {max} KB)", max=MAX_LOGO_BYTES // 1024))
        return None
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                kind = opened.format or ""
                width, height = opened.size
                if kind not in LOGO_FORMATS:
                    check.fail("logo", tr("must be a PNG or JPEG image"))
                    return None
                if not (MIN_LOGO_SIDE <= width <= MAX_LOGO_SIDE
                        and MIN_LOGO_SIDE <= height <= MAX_LOGO_SIDE):
                    check.fail("logo", tr(
                        "must be between {low} and {high} pixels wide and high",
                        low=MIN_LOGO_SIDE, high=MAX_LOGO_SIDE))
                    return None
                opened.load()  # every row decoded: a damaged file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        check.fail("logo", tr("is not a readable PNG or JPEG image"))
        return None
    return LogoFacts(format=kind, width=width, height=height, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest())


def _clean(check: Checker, draft: CompanyDraft) -> dict[str, str]:
    """The checked text fields; empty optional ones left out."""
    values: dict[str, str | None] = {
        "name": check.text("name", draft.name, max_len=MAX_LENGTHS["name"], required=True),
        "address": check.text("address", draft.address, max_len=MAX_LENGTHS["address"]),
        "phone": check.phone("phone", draft.phone),
        "fax": check.phone("fax", draft.fax),
        "bank": check.text("bank", draft.bank, max_len=MAX_LENGTHS["bank"]),
    }
    account = check.text("bank_account", draft.bank_account,
                         max_len=MAX_LENGTHS["bank_account"])
    if account is not None:
        account = " ".join(account.split())
        digits = sum(ch.isdigit() for ch in account)
        if not _BANK_ACCOUNT.match(account):
            check.fail("bank_account", tr("may hold only digits and spaces"))
            account = None
        elif not BANK_ACCOUNT_MIN_DIGITS <= digits <= BANK_ACCOUNT_MAX_DIGITS:
            check.fail("bank_account", tr("must have {low} to {high} digits",
                                          low=BANK_ACCOUNT_MIN_DIGITS,
                                          high=BANK_ACCOUNT_MAX_DIGITS))
            account = None
    values["bank_account"] = account
    tax = check.text("tax_number", draft.tax_number, max_len=40)
    if tax is not None:
        tax = tax.replace(" ", "").upper()
        if not _TAX_NUMBER.match(tax):
            check.fail("tax_number", tr(
                "must be {low} to {high} letters and digits (the unified social credit "
                "code has 18)", low=TAX_NUMBER_MIN, high=TAX_NUMBER_MAX))
            tax = None
    values["tax_number"] = tax
    return {name: value for name, value in values.items() if value}


# --- saving ----------------------------------------------------------------------------------


def save_company(*, uow: UnitOfWork, actor: Actor, draft: CompanyDraft, expected_version: int,
                 logo: LogoChange = KEEP_LOGO) -> CompanyInfo:
    """Save the company's name, address, phone, fax, bank, account and tax number.

    Needs ``ADMINISTRATION/EDIT``. ``expected_version`` is the :attr:`CompanyInfo.version`
    the administrator loaded (0 while nothing was saved); a save by someone else in between
    raises ConflictError. ``logo`` may set new image bytes or clear it (None) in the same
    transaction; by default the logo stays. Every field's problem is reported at once
    (ValidationError naming ``name``, ``phone``, ``logo`` ...); nothing is saved then.
    Returns the settings as stored; the next slip printed anywhere carries them.
    """
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        row = _row(uow, COMPANY_SETTING_KEY)
        _check_expected(uow, row, expected_version)
        check = Checker()
        values = _clean(check, draft)
        facts = (None if logo is KEEP_LOGO or logo is None
                 else _check_logo(check, logo))
        check.done()
        _store(uow, actor, row, values, logo, facts)
        uow.commit()
        return load_company(uow)


def set_company_logo(*, uow: UnitOfWork, actor: Actor, image: bytes | None,
                     expected_version: int) -> CompanyInfo:
    """Set the logo printed left of the company name (PNG or JPEG bytes), or clear it
    (``image=None``). Rules, permission and ``expected_version`` as :func:`save_company`;
    the text fields stay."""
    with uow:
        require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        row = _row(uow, COMPANY_SETTING_KEY)
        _check_expected(uow, row, expected_version)
        check = Checker()
        facts = None if image is None else _check_logo(check, image)
        check.done()
        _store(uow, actor, row, _stored_fields(row), image, facts)
        uow.commit()
        return load_company(uow)


def set_company_name(*, uow: UnitOfWork, actor: Actor | None, name: str) -> CompanyInfo:
    """Set the company name only (the first-run set-up wizard asks for it).

    With an actor: needs ``ADMINISTRATION/EDIT``. ``actor=None`` is the set-up path of a
    new database, allowed only while it has no administrator (as the command line's first
    ``user add``); afterwards the administrator changes the name in Administration →
    Company. The other fields and the logo stay; no version is asked for (the wizard loads
    nothing), but a save that meets another one in flight is still refused (ConflictError).
    """
    with uow:
        if actor is not None:
            require(uow, actor, Module.ADMINISTRATION, Operation.EDIT)
        elif has_administrator(uow):
            raise PermissionDenied(
                tr("Only the administrator may change the company settings."),
                module=Module.ADMINISTRATION, operation=Operation.EDIT)
        row = _row(uow, COMPANY_SETTING_KEY)
        check = Checker()
        clean = check.text("name", name, max_len=MAX_LENGTHS["name"], required=True)
        check.done()
        assert clean is not None
        _store(uow, actor, row, {**_stored_fields(row), "name": clean}, KEEP_LOGO, None)
        uow.commit()
        return load_company(uow)


# --- storage ---------------------------------------------------------------------------------


def _row(uow: UnitOfWork, key: str) -> AppSetting | None:
    return uow.session.execute(select(AppSetting).where(AppSetting.key == key)
                               ).scalar_one_or_none()


def _stored(row: AppSetting | None) -> dict[str, Any]:
    if row is None or not row.value:
        return {}
    try:
        raw = json.loads(row.value)
    except ValueError:
        return {}
    return raw if isinstance(raw, dict) else {}


def _stored_fields(row: AppSetting | None) -> dict[str, str]:
    """The text fields as stored (cleaned as the header reads them)."""
    info = company_from_setting(row.value if row is not None else None)
    return {name: getattr(info, name) for name in TEXT_FIELDS
            if getattr(info, name) and (name != "name" or info.named)}


def _check_expected(uow: UnitOfWork, row: AppSetting | None, expected_version: int) -> None:
    if row is not None:
        check_version(uow, row, expected_version, entity="app_setting",
                      label=tr("Company settings"))
    elif expected_version != 0:
        # Saved once and then removed (by a SQL tool): what the user loaded is gone.
        raise ConflictError(tr("Someone else saved this record at the same time. "
                               "Reload it and try again."),
                            entity="app_setting", current_version=0)


def _logo_value(image: bytes, facts: LogoFacts) -> str:
    return json.dumps({"format": facts.format, "width": facts.width, "height": facts.height,
                       "size": facts.size, "sha256": facts.sha256,
                       "data": base64.b64encode(image).decode("ascii")})


def _logo_description(row: AppSetting | None) -> str | None:
    if row is None:
        return None
    stored = _stored(row)
    try:
        return LogoFacts(format=str(stored["format"]), width=int(stored["width"]),
                         height=int(stored["height"]), size=int(stored["size"]),
                         sha256=str(stored["sha256"])).describe()
    except (KeyError, TypeError, ValueError):
        return tr("(unreadable)")


def _store(uow: UnitOfWork, actor: Actor | None, row: AppSetting | None,
           values: dict[str, str], logo: LogoChange, facts: LogoFacts | None) -> None:
    """Write the settings and one audit entry (nothing at all when nothing changed)."""
    user_id = actor.user_id if actor is not None else None
    stored = _stored(row)
    logo_row = _row(uow, LOGO_SETTING_KEY)
    current_sha = _stored(logo_row).get("sha256") if logo_row is not None else None
    if logo is KEEP_LOGO:
        new_sha = current_sha
    elif logo is None:
        new_sha = None
    else:
        assert facts is not None
        new_sha = facts.sha256
    logo_changed = (logo is None and logo_row is not None) or (
        isinstance(logo, bytes) and (logo_row is None or new_sha != current_sha))
    changes: dict[str, Any] = audit.diff({name: stored.get(name) for name in TEXT_FIELDS},
                                         {name: values.get(name) for name in TEXT_FIELDS})
    if logo_changed:
        changes["logo"] = [_logo_description(logo_row),
                           facts.describe() if facts is not None else None]
    after: dict[str, Any] = {**values, "logo": new_sha}
    if not changes and stored.get("logo") == new_sha:
        return
    if logo_changed:
        if logo is None:
            assert logo_row is not None
            uow.session.delete(logo_row)
        else:
            assert isinstance(logo, bytes) and facts is not None
            image_value = _logo_value(logo, facts)
            if logo_row is None:
                uow.session.add(AppSetting(key=LOGO_SETTING_KEY, value=image_value,
                                           description="Company logo printed on every slip",
                                           created_by_id=user_id, updated_by_id=user_id))
            else:
                logo_row.value = image_value
                logo_row.updated_by_id = user_id
    # The logo's hash in the company row: a new logo moves this row's version too.
    value = json.dumps({k: v for k, v in after.items() if v}, ensure_ascii=False,
                       sort_keys=True)
    if row is None:
        row = AppSetting(key=COMPANY_SETTING_KEY, value=value,
                         description="Company header printed on every slip",
                         created_by_id=user_id, updated_by_id=user_id)
        uow.session.add(row)
        action = AuditAction.CREATE
    else:
        row.value = value
        row.updated_by_id = user_id
        action = AuditAction.UPDATE
    try:
        uow.flush()
    except ValidationError as error:
        # Two first saves at once: the other one's row took the key.
        if "key" not in error.errors:
            raise
        raise ConflictError(tr("Someone else saved this record at the same time. "
                               "Reload it and try again."), entity="app_setting",
                            current_version=0) from error
    audit.record(uow, actor, action, "app_setting", row.id, COMPANY_SETTING_KEY,
                 changes or {"logo": [stored.get("logo"), new_sha]})


__all__ = [
    "COMPANY_SETTING_KEY",
    "DEFAULT_COMPANY_NAME",
    "KEEP_LOGO",
    "LOGO_SETTING_KEY",
    "MAX_LENGTHS",
    "MAX_LOGO_BYTES",
    "CompanyDraft",
    "CompanyInfo",
    "LogoFacts",
    "check_logo",
    "company_from_setting",
    "get_company",
    "load_company",
    "logo_from_setting",
    "read_logo",
    "save_company",
    "set_company_logo",
    "set_company_name",
]
