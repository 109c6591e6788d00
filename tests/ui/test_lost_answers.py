"""A save whose answer is lost: the station checks by the form's request key and says
"saved" or "not saved, try again" — never a bare failure, never a second record (issue 12).

The connection is cut in the service call as a station would see it: the call raises the
station's "cannot reach the server" error either before the use case ran (nothing reached
the server) or after it committed (the reply was lost).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db import DatabaseUnavailable
from app.models import Customer
from app.saving import Abandoned, NotSavedError
from app.services.permissions import Actor
from app.services.requests import AlreadySaved
from app.services.uow import UnitOfWork
from app.ui import saving as ui_saving
from app.ui.context import AppContext
from app.ui.customers import card as card_module
from app.ui.customers.card import CustomerCardDialog

MakeContext = Callable[..., AppContext]
NAME = "海淀科技打印服务部"


def _cut(detail: str = "server closed the connection unexpectedly") -> DatabaseUnavailable:
    return DatabaseUnavailable(topic="unreachable", server="db-server:5432", detail=detail)


class CutConnection:
    """Wraps the service: the first call fails as the station sees a cut connection."""

    def __init__(self, real: Callable[..., Any], *, after_commit: bool,
                 error: BaseException | None = None) -> None:
        self.real = real
        self.after_commit = after_commit
        self.error = error or _cut()
        self.calls: list[str | None] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs.get("request_key"))
        if len(self.calls) == 1:
            if self.after_commit:
                self.real(**kwargs)  # saved on the server; the reply never arrives
            raise self.error
        return self.real(**kwargs)


@pytest.fixture(autouse=True)
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_saving, "CHECK_EVERY_MS", 20)


def _customers(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.execute(
            select(func.count()).select_from(Customer).where(Customer.name == NAME)).scalar_one()


def _card(qtbot: QtBot, ctx: AppContext) -> CustomerCardDialog:
    card = CustomerCardDialog(ctx, None, duplicate_debounce_ms=10)
    qtbot.addWidget(card)
    card.show()
    card.name_edit.setText(NAME)
    card.phone_edit.setText("010-8261 1234")
    return card


def _boxes(name: str) -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() + [
        c for t in QApplication.topLevelWidgets() for c in t.findChildren(QMessageBox)]
        if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible()]


def test_a_save_whose_reply_was_lost_is_confirmed_as_saved_once(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = CutConnection(card_module.create_customer, after_commit=True)
    monkeypatch.setattr(card_module, "create_customer", cut)
    card = _card(qtbot, make_context(clerk, "storefront"))
    key = card.request_key
    card.save()
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy, timeout=5000)

    # The saved record is on the card, the person is told it was saved, nothing doubled.
    assert card.detail is not None and card.detail.name == NAME
    assert _customers(uow) == 1
    assert cut.calls == [key, key]  # the check proved it saved; the second call replayed
    qtbot.waitUntil(lambda: bool(_boxes("save_confirmed_box")))
    assert _boxes("save_confirmed_box")[0].text().startswith("Saved. The connection dropped")
    assert not _boxes("save_check_notice")
    assert not _boxes("error_message_box")


def test_a_save_cut_before_it_reached_the_server_says_not_saved_and_keeps_the_text(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = CutConnection(card_module.create_customer, after_commit=False)
    monkeypatch.setattr(card_module, "create_customer", cut)
    card = _card(qtbot, make_context(clerk, "storefront"))
    card.save()
    qtbot.waitUntil(lambda: bool(_boxes("error_message_box")), timeout=5000)

    box = _boxes("error_message_box")[0]
    assert box.windowTitle() == "Not saved"
    assert box.text().startswith("Not saved, please try again.")
    assert card.detail is None and not card.is_busy
    assert card.name_edit.text() == NAME  # what was typed stays
    assert _customers(uow) == 0
    assert len(cut.calls) == 1  # no silent retry
    box.done(0)

    card.save()  # the person saves again: once, with the same key
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy, timeout=5000)
    assert _customers(uow) == 1
    assert cut.calls[0] == cut.calls[1] == card.request_key


def test_the_check_waits_for_the_server_to_answer(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = CutConnection(card_module.create_customer, after_commit=True)
    monkeypatch.setattr(card_module, "create_customer", cut)
    real_check = ui_saving.was_saved
    checks: list[int] = []

    def flaky_check(**kwargs: Any) -> Any:
        checks.append(1)
        if len(checks) < 3:
            raise _cut("connection refused")  # the server is still away
        return real_check(**kwargs)

    monkeypatch.setattr(ui_saving, "was_saved", flaky_check)
    card = _card(qtbot, make_context(clerk, "storefront"))
    card.save()
    qtbot.waitUntil(lambda: bool(_boxes("save_check_notice")), timeout=2000)
    assert card.is_busy  # Save cannot be pressed twice while the outcome is unknown
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy, timeout=5000)
    assert len(checks) == 3
    assert _customers(uow) == 1
    assert not _boxes("save_check_notice")


def test_a_race_with_an_earlier_attempt_returns_its_record(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = CutConnection(card_module.create_customer, after_commit=True,
                        error=AlreadySaved("saved a moment ago"))
    monkeypatch.setattr(card_module, "create_customer", cut)
    card = _card(qtbot, make_context(clerk, "storefront"))
    card.save()
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy, timeout=5000)
    assert _customers(uow) == 1
    assert len(cut.calls) == 2


def test_a_refusal_is_shown_as_it_is_without_a_check(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks: list[int] = []
    monkeypatch.setattr(ui_saving, "was_saved", lambda **_: checks.append(1))
    card = _card(qtbot, make_context(clerk, "storefront"))
    card.phone_edit.setText("call Mr Liu")
    card.save()
    qtbot.waitUntil(lambda: bool(card.field_error("phone")), timeout=5000)
    assert checks == []
    assert _customers(uow) == 0


def test_stopping_to_wait_counts_as_an_unknown_outcome() -> None:
    from app.saving import Next, after_failure

    assert after_failure(Abandoned("stopped")) is Next.CHECK
    assert after_failure(_cut()) is Next.CHECK
    assert after_failure(AlreadySaved("x")) is Next.REPLAY
    assert after_failure(NotSavedError()) is Next.REPORT
