"""Cyclic garbage is collected by the GUI-thread timer, not by the interpreter anywhere."""

from __future__ import annotations

import gc
import weakref

from pytestqt.qtbot import QtBot


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects_cycles(qtbot: QtBot) -> None:
    assert not gc.isenabled()
    node = _Node()
    ref = weakref.ref(node)
    del node
    for _ in range(5000):  # cross generation 0's threshold
        _Node()
    qtbot.waitUntil(lambda: ref() is None, timeout=3000)
