"""Field checks shared by services; each collects per-field messages into one ValidationError."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

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
# What a search box or a number lookup needs: a name, a phone, a serial, a few words.
SEARCH_MAX = 200
# Dates a business record here can carry (a mistyped year such as 0226 or 2206 is refused).
BUSINESS_EARLIEST = dt.date(2000, 1, 1)
BUSINESS_LATEST = dt.date(2100, 12, 31)
# Text no search can use: C0 control characters and DEL (tab, line feed and carriage
# return only in multi-line text); unpaired surrogates, which no database encoding holds,
# and the unassigned U+D7FC..U+D7FF just below them (a prefix range ending there would
# end in a surrogate); Unicode's noncharacters, U+FDD0..U+FDEF and the last two code
# points of every plane (U+FFFE, U+FFFF ... U+10FFFF), never typed and breaking ranges.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_UNSEARCHABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud7fc-\udfff{_NONCHARACTERS}]")
_UNSEARCHABLE_LINE = re.compile(f"[\t\n\r]|{_UNSEARCHABLE.pattern}")


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


def search_text(field: str, value: object, *, max_len: int = SEARCH_MAX,
                multiline: bool = False) -> str:
    """``value`` of a search box or a lookup by number, trimmed; checked before any query.

    Raises ValidationError on ``field`` for text that is not a string, holds a character
    no search can use (see ``_UNSEARCHABLE``; tab and line breaks only when ``multiline``)
    or is longer than ``max_len`` characters; its message is a whole sentence, as a list's
    status line shows it. None is the empty search.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: tr("is not a valid choice")},
                              tr("The search text is not text."))
    text = value.strip()
    if len(text) > max_len:
        raise ValidationError(
            {field: tr("is too long (at most {max} characters)", max=max_len)},
            tr("The search text is too long (at most {max} characters).", max=max_len))
    if (_UNSEARCHABLE if multiline else _UNSEARCHABLE_LINE).search(text):
        raise ValidationError(
            {field: tr("contains characters that cannot be searched for")},
            tr("The search text contains characters that cannot be searched for (control "
               "characters or invalid Unicode)."))
    return text


def search_fields(**values: object) -> None:
    """:func:`search_text` over several single-line fields; a tuple or list value is
    checked item by item (``phones[0]``...). Raises one ValidationError naming each field."""
    errors: dict[str, str] = {}
    message: str | None = None
    for field, value in values.items():
        items = (list(enumerate(value)) if isinstance(value, tuple | list)
                 else [(None, value)])
        for index, item in items:
            name = field if index is None else f"{field}[{index}]"
            try:
                search_text(name, item)
            except ValidationError as error:
                errors.update(error.errors)
                message = message or error.message
    if errors:
        raise ValidationError(errors, message)


def business_dates(check: Checker, **values: Any) -> None:
    """Refuse, on ``check``, dates outside BUSINESS_EARLIEST..BUSINESS_LATEST among
    ``values`` (dates, aware or naive datetimes, ISO text); None and what is not a date at
    all are left to the field's own check."""
    for field, value in values.items():
        day = value
        if isinstance(value, dt.datetime):
            day = value.astimezone().date() if value.tzinfo is not None else value.date()
        elif isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                continue
        if not isinstance(day, dt.date):
            continue
        if not BUSINESS_EARLIEST <= day <= BUSINESS_LATEST:
            check.fail(field, tr("must be between {low} and {high}",
                                 low=BUSINESS_EARLIEST.isoformat(),
                                 high=BUSINESS_LATEST.isoformat()))
