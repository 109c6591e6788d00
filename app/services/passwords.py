"""The password policy: one check used by every path that sets a password."""

from __future__ import annotations

from functools import cache

from app.i18n import tr
from app.paths import resource
from app.services.errors import ValidationError

MIN_PASSWORD_LENGTH = 8
# A pattern this short repeated over the whole password (11111111, 12121212, abcabcabc).
MAX_REPEATED_PATTERN = 3
COMMON_PASSWORDS_FILE = ("passwords", "common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (resources/passwords/)."""
    text = resource(*COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str | None, *, username: str | None = None) -> str | None:
    """What is wrong with ``password`` as a new password, in the user's language, or None.

    Refused: fewer than :data:`MIN_PASSWORD_LENGTH` characters; one character or a pattern
    of up to three repeated (``11111111``, ``12121212``); a run of consecutive digits or
    letters (``12345678``, ``87654321``, ``abcdefgh``); the user name; a password on the
    shipped list of common ones (compared without regard to case).
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return tr("must be at least {min} characters", min=MIN_PASSWORD_LENGTH)
    folded = password.casefold()
    if _repeats_a_short_pattern(folded):
        return tr("must not be one character or a short pattern repeated, such as 11111111")
    if _is_a_run(folded):
        return tr("must not be consecutive digits or letters, such as 12345678")
    if username and folded == username.strip().casefold():
        return tr("must not be the same as the user name")
    if folded in common_passwords():
        return tr("is one of the most common passwords; choose one that is harder to guess")
    return None


def check_password(password: str | None, *, username: str | None = None,
                   field: str = "password") -> None:
    """Raise :class:`ValidationError` on ``field`` if ``password`` breaks the policy."""
    problem = password_problem(password, username=username)
    if problem is not None:
        raise ValidationError({field: problem})


def _repeats_a_short_pattern(text: str) -> bool:
    for size in range(1, MAX_REPEATED_PATTERN + 1):
        pattern = text[:size]
        if pattern * (len(text) // size) + pattern[:len(text) % size] == text:
            return True
    return False


def _is_a_run(text: str) -> bool:
    """Every character one step up (or every one down) from the last: 23456789, 98765432.

    Digits wrap around (``7890123``, ``3210987``) the way people type them on a keypad row.
    """
    if not (text.isascii() and (text.isdigit() or text.isalpha())):
        return False
    steps = {(ord(b) - ord(a)) % 10 if text.isdigit() else ord(b) - ord(a)
             for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {9}, {-1})
