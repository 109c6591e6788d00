"""Every declared lifecycle (a ``TransitionTable`` anywhere in app.services), checked by one
generic test, as Tryton runs one test case over every module: a new table is covered the
moment it is declared."""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum

import pytest

import app.services
from app import labels
from app.i18n import set_language
from app.i18n_zh import LABELS_ZH
from app.services.errors import InvalidTransition
from app.services.lifecycle import TransitionTable


def _tables() -> list[TransitionTable[StrEnum]]:
    found: dict[int, TransitionTable[StrEnum]] = {}
    for info in pkgutil.iter_modules(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, TransitionTable):
                found[id(value)] = value
    return sorted(found.values(), key=lambda t: t.entity)


TABLES = _tables()


def test_the_lifecycles_are_found() -> None:
    entities = {t.entity for t in TABLES}
    assert {"quotation", "order", "service_ticket", "task", "opportunity"} <= entities, entities
    assert len(TABLES) >= 10


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.entity)
def test_edges_name_real_states_and_every_state_is_reachable(
        table: TransitionTable[StrEnum]) -> None:
    members = set(table.states)
    assert table.initial in members
    assert table.edges
    for source, target in table.edges:
        assert isinstance(source, table.states) and isinstance(target, table.states)
        assert source != target, f"{table.entity}: {source} → itself"
    reached, frontier = {table.initial}, [table.initial]
    while frontier:
        for following in table.targets(frontier.pop()):
            if following not in reached:
                reached.add(following)
                frontier.append(following)
    assert reached == members, f"{table.entity}: unreachable {members - reached}"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.entity)
def test_every_state_has_a_label_in_english_and_chinese(
        table: TransitionTable[StrEnum]) -> None:
    # The names come from the one catalog, so a refusal says what the screens say.
    family = LABELS_ZH[labels.context_of(table.states)]
    for state in table.states:
        english = labels.label(state, language="en")
        assert english.strip() and english in family, f"{table.entity}.{state}: {english!r}"
        assert table.label(state) == labels.label(state)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.entity)
def test_check_allows_exactly_the_edges(table: TransitionTable[StrEnum]) -> None:
    set_language("zh")
    try:
        for source in table.states:
            for target in table.states:
                if (source, target) in table.edges:
                    table.check(source, target, record="记录 1")
                    assert target in table.targets(source)
                    continue
                with pytest.raises(InvalidTransition) as refused:
                    table.check(source, target, record="记录 1")
                # The refusal names both states in the reader's language.
                assert labels.label(source) in str(refused.value)
                assert labels.label(target) in str(refused.value)
    finally:
        set_language("en")
