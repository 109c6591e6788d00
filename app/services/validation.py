"""Field checks shared by services; each collects per-field messages into one ValidationError."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from app.i18n import tr
from app.services.errors import ValidationError

E = TypeVar("E", bound=StrEnum)

_PHONE = re.compile(r"^[0-9+\-() ]{3,40}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Characters no database here stores faithfully: NUL and unpaired surrogates.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Control characters other than tab and newline have no place in a business record.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
MONEY_LIMIT = Decimal("999999999999.99")


class Checker:
    """Collects field errors; ``done()`` raises them together so the form can mark each field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def text(
        self, field: str, value: str | None, *, max_len: int, required: bool = False,
        multiline: bool = False,
    ) -> str | None:
        """Trimmed text, or None when empty and optional."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, tr("is not a valid choice"))
            return None
        value = value.strip()
        if not multiline:
            value = value.replace("\r", " ").replace("\n", " ")
        if not value:
            if required:
                self.fail(field, tr("is required"))
            return None
        if _UNSTORABLE.search(value) or _CONTROL.search(value):
            self.fail(field, tr("contains characters that cannot be stored"))
            return None
        if len(value) > max_len:
            self.fail(field, tr("is too long (at most {max} characters)", max=max_len))
            return None
        return value

    def choice(self, field: str, value: str | E | None, enum: type[E], *,
               required: bool = True) -> E | None:
        if value is None or value == "":
            if required:
                self.fail(field, tr("is required"))
            return None
        try:
            return enum(value)
        except ValueError:
            self.fail(field, tr("is not a valid choice"))
            return None

    def phone(self, field: str, value: str | None) -> str | None:
        text = self.text(field, value, max_len=40)
        if text is not None and not _PHONE.match(text):
            self.fail(field, tr("must be a phone number (digits, spaces, +, -, parentheses)"))
            return None
        return text

    def email(self, field: str, value: str | None) -> str | None:
        text = self.text(field, value, max_len=200)
        if text is not None and not _EMAIL.match(text):
            self.fail(field, tr("must be a valid e-mail address"))
            return None
        return text

    def money(self, field: str, value: object, *, required: bool = True,
              allow_negative: bool = False) -> Decimal | None:
        """An amount in yuan with at most two decimals (fen)."""
        return self.decimal(field, value, places=2, required=required,
                            allow_negative=allow_negative, limit=MONEY_LIMIT)

    def decimal(self, field: str, value: object, *, places: int, required: bool = True,
                allow_negative: bool = False, limit: Decimal = MONEY_LIMIT) -> Decimal | None:
        if value is None or value == "":
            if required:
                self.fail(field, tr("is required"))
            return None
        if isinstance(value, float | bool):
            # Floats cannot hold fen exactly; money arrives as Decimal or text.
            self.fail(field, tr("must be a number"))
            return None
        try:
            number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)  # type: ignore[arg-type]
        except (InvalidOperation, TypeError, ValueError):
            self.fail(field, tr("must be a number"))
            return None
        if not number.is_finite():
            self.fail(field, tr("must be a number"))
            return None
        if number < 0 and not allow_negative:
            self.fail(field, tr("must not be negative"))
            return None
        if abs(number) > limit:
            self.fail(field, tr("is too large"))
            return None
        step = Decimal(1).scaleb(-places)
        if number != number.quantize(step):
            self.fail(field, tr("has too many decimal places"))
            return None
        return number.quantize(step)

    def integer(self, field: str, value: object, *, low: int, high: int,
                required: bool = True) -> int | None:
        if value is None or value == "":
            if required:
                self.fail(field, tr("is required"))
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.fail(field, tr("must be a number"))
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(field, tr("must be a number"))
            return None
        if not low <= number <= high:
            self.fail(field, tr("must be between {low} and {high}", low=low, high=high))
            return None
        return number

    def date(self, field: str, value: object, *, required: bool = False,
             earliest: dt.date = dt.date(1900, 1, 1),
             latest: dt.date = dt.date(2200, 12, 31)) -> dt.date | None:
        if value is None or value == "":
            if required:
                self.fail(field, tr("is required"))
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(field, tr("is not a valid date"))
                return None
        if not isinstance(value, dt.date):
            self.fail(field, tr("is not a valid date"))
            return None
        if not earliest <= value <= latest:
            self.fail(field, tr("is not a valid date"))
            return None
        return value
