"""Stage names and stage-move button texts of the opportunity screens."""

from __future__ import annotations

from app import labels
from app.models.enums import OpportunityStage


def stage_label(value: OpportunityStage | str) -> str:
    return labels.label(OpportunityStage(value))


def stage_action_label(value: OpportunityStage) -> str:
    return labels.move_label(value)


def format_percent(value: object) -> str:
    return "" if value is None else f"{value}%"
