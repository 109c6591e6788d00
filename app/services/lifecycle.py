"""Declared lifecycles: a record's status moves only along the edges of its transition table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from app import labels
from app.i18n import tr
from app.services.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class TransitionTable(Generic[S]):
    """The allowed status moves of one kind of record (Tryton's ``_transitions``).

    Attributes:
        entity: the record kind for code (``"order"``).
        states: the status enum the edges are drawn from.
        initial: the status a new record starts in.
        edges: the allowed ``(from, to)`` moves.

    The states' names come from the one label catalog (:mod:`app.labels`), the same words
    the screens show.
    """

    entity: str
    states: type[S]
    initial: S
    edges: frozenset[tuple[S, S]]

    def allows(self, current: S, target: S) -> bool:
        return (current, target) in self.edges

    def targets(self, current: S) -> tuple[S, ...]:
        """Where a record in ``current`` may go next, in the enum's declaration order."""
        return tuple(s for s in self.states if (current, s) in self.edges)

    def label(self, state: S) -> str:
        return labels.label(state)

    def check(self, current: S, target: S, *, record: str) -> None:
        """Raise :class:`InvalidTransition` unless ``current → target`` is an edge.

        Args:
            record: how people name the record in the message (``"订单 XS-20261126-0001"``).
        """
        if self.allows(current, target):
            return
        raise InvalidTransition(
            tr("{record} is “{current}” and cannot become “{target}”.",
               record=record, current=self.label(current), target=self.label(target))
        )


__all__ = ["TransitionTable"]
