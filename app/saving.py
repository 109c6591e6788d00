"""Saving once over an unreliable connection: what a station does when a save's answer is lost.

A form takes a request key when it opens (:func:`new_request_key`) and sends it with every
attempt to save (see app.services.requests). When the attempt fails in a way that leaves
the outcome unknown — the connection dropped before, during or after COMMIT, or the person
stopped waiting for a server that does not answer — the station does not guess and does not
silently try again: it asks the server whether the key saved a record, once the server
answers, and tells the person "已保存" or "未保存，请重试".

:func:`after_failure` is the one decision; the windowed program (app.ui.saving) makes it
asynchronously on its worker, and :func:`save_once` makes it in one thread (the command
line and the fault tests). Neither depends on Qt.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.exc import DBAPIError

from app.db import DatabaseUnavailable
from app.i18n import tr
from app.services.errors import ServiceError
from app.services.requests import AlreadySaved

T = TypeVar("T")


def new_request_key() -> str:
    """A fresh key for a form that just opened (32 hex digits)."""
    return uuid.uuid4().hex


class Abandoned(Exception):
    """The person stopped waiting for a call the server did not answer.

    The call may still finish on the server; a save is then checked by its request key.
    """


class NotSavedError(ServiceError):
    """The key proved that a save whose answer was lost did not reach the server."""

    def __init__(self, reason: BaseException | None = None) -> None:
        super().__init__(tr(
            "Not saved, please try again. The connection dropped before the record reached "
            "the server. What you typed is still here."))
        self.reason = reason


class OutcomeUnknownError(ServiceError):
    """The server did not answer long enough to check by the key whether a save arrived."""

    def __init__(self, reason: BaseException | None = None) -> None:
        super().__init__(tr(
            "The server still does not answer, so it is not known whether the record was "
            "saved. What you typed is still here. Save again once the connection is back: "
            "the record will not be saved twice."))
        self.reason = reason


class Next(enum.Enum):
    """What to do after a save attempt failed."""

    REPLAY = "replay"    # another attempt with the key saved first: call again to get it
    CHECK = "check"      # the outcome is unknown: ask the server by the key
    REPORT = "report"    # a definite refusal (validation, permission...): show it, not saved


def after_failure(error: BaseException) -> Next:
    """The decision for a failed attempt to save with a request key."""
    if isinstance(error, AlreadySaved):
        return Next.REPLAY
    if isinstance(error, ServiceError):
        # The service refused, or the server stopped the statement at a time limit:
        # either way the transaction was rolled back and nothing was saved.
        return Next.REPORT
    if isinstance(error, DatabaseUnavailable | Abandoned):
        return Next.CHECK
    if isinstance(error, DBAPIError | OSError):
        return Next.CHECK
    return Next.REPORT


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A save that went through; ``confirmed``: the answer was lost and the key proved it."""

    value: T
    confirmed: bool = False


@dataclass(frozen=True)
class NotSaved:
    """A save that did not happen, or not known to have happened.

    ``error``: a refusal, :class:`NotSavedError` (the key proved nothing was saved) or
    :class:`OutcomeUnknownError` (the server did not answer the check in time).
    """

    error: BaseException


def save_once(
    attempt: Callable[[str], T],
    key: str,
    was_saved: Callable[[str], object | None],
    *,
    check_for_s: float = 60.0,
    check_every_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Saved[T] | NotSaved:
    """Call ``attempt(key)``; after an unknown outcome, ask ``was_saved(key)`` until the
    server answers (at most ``check_for_s``), and replay a saved record.

    Never calls ``attempt`` a second time unless the key proved the record saved (then the
    service returns it without writing) or another attempt with the key won the race.
    """
    try:
        return Saved(attempt(key))
    except Exception as error:  # noqa: BLE001 - every failure is classified below
        first = error
    decision = after_failure(first)
    if decision is Next.REPORT:
        return NotSaved(first)
    if decision is Next.REPLAY:
        return Saved(attempt(key), confirmed=True)
    deadline = time.monotonic() + check_for_s
    while True:
        try:
            found = was_saved(key)
        except Exception as error:  # noqa: BLE001 - still cannot reach the server
            if after_failure(error) is not Next.CHECK:
                return NotSaved(error)
            if time.monotonic() >= deadline:
                return NotSaved(OutcomeUnknownError(first))
            sleep(check_every_s)
            continue
        if found is None:
            return NotSaved(NotSavedError(first))
        return Saved(attempt(key), confirmed=True)
