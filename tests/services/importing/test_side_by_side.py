"""Two writers side by side (a customer import on a server's database): each chunk by a
thread with a unit of work of its own, progress told in the sheet's order whichever chunk
finishes first, a cancel counting the chunks already under way, a failure starting no
more chunks and raised once the others are done."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from app.services.importing import customers as importing
from app.services.importing.customers import RowIssue


class _Unit:
    """Stands for a unit of work: each writer gets one of its own."""

    def __init__(self) -> None:
        self.made: list[_Unit] = []

    def another(self) -> _Unit:
        unit = _Unit()
        self.made.append(unit)
        return unit


Written = tuple[dict[str, int], list[RowIssue]]


def _run(parts: Sequence[Sequence[int]], one: Any, cancel_after: int | None = None
         ) -> tuple[bool, list[tuple[dict[str, int], int]], _Unit]:
    """``_side_by_side`` with two writers; cancelled once ``cancel_after`` chunks were
    told."""
    told: list[tuple[dict[str, int], int]] = []
    unit = _Unit()

    def written(own: dict[str, int], _issues: list[RowIssue], done: int) -> None:
        told.append((own, done))

    def cancelled() -> bool:
        return cancel_after is not None and len(told) >= cancel_after

    stopped = importing._side_by_side(unit, parts, one, written,  # type: ignore[arg-type]
                                      cancelled, 2)
    return stopped, told, unit


def test_progress_is_told_in_order_whichever_chunk_finishes_first() -> None:
    seen: dict[int, tuple[str, int]] = {}
    lock = threading.Lock()

    def one(unit: _Unit, part: Sequence[int]) -> Written:
        if part[0] == 0:
            time.sleep(0.2)  # the first chunk finishes after the second
        with lock:
            seen[part[0]] = (threading.current_thread().name, id(unit))
        return {"created": len(part)}, []

    parts = [[0, 1], [2, 3], [4], [5, 6], [7]]
    stopped, told, unit = _run(parts, one)
    assert not stopped
    assert told == [({"created": 2}, 2), ({"created": 2}, 4), ({"created": 1}, 5),
                    ({"created": 2}, 7), ({"created": 1}, 8)]
    assert sorted(seen) == [0, 2, 4, 5, 7]
    assert all(name.startswith("import-writer") for name, _unit in seen.values())
    # Two writers, two units of work, each used by one chunk at a time.
    assert len(unit.made) == 2
    assert {u for _name, u in seen.values()} == {id(u) for u in unit.made}


def test_a_cancel_counts_the_chunks_under_way_and_starts_no_more() -> None:
    started: list[int] = []

    def one(_unit: _Unit, part: Sequence[int]) -> Written:
        started.append(part[0])
        return {"created": len(part)}, []

    # Cancelled once the first chunk is told: the next two were already under way.
    stopped, told, _unit = _run([[0], [1], [2], [3], [4], [5]], one, cancel_after=1)
    assert stopped
    assert sorted(started) == [0, 1, 2]
    assert [done for _own, done in told] == [1, 2, 3]


def test_a_failing_chunk_starts_no_more_and_is_raised_after_the_others() -> None:
    started: list[int] = []
    finished: list[int] = []

    def one(_unit: _Unit, part: Sequence[int]) -> Written:
        started.append(part[0])
        if part[0] == 1:
            raise RuntimeError("the server went away")
        time.sleep(0.05)
        finished.append(part[0])
        return {"created": 1}, []

    with pytest.raises(RuntimeError, match="went away"):
        _run([[0], [1], [2], [3], [4]], one)
    # Chunk 2 was under way when chunk 1's failure was seen, and finished; 3 and 4 never
    # started.
    assert 3 not in started and 4 not in started
    assert set(finished) <= {0, 2} and 0 in finished
