"""Stage names and stage-move button texts of the opportunity screens."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.models.enums import OpportunityStage

_STAGES: Mapping[OpportunityStage, str] = {
    OpportunityStage.NEW: QT_TRANSLATE_NOOP("OpportunityStage", "New"),
    OpportunityStage.QUALIFIED: QT_TRANSLATE_NOOP("OpportunityStage", "Qualified"),
    OpportunityStage.PROPOSAL: QT_TRANSLATE_NOOP("OpportunityStage", "Proposal"),
    OpportunityStage.NEGOTIATION: QT_TRANSLATE_NOOP("OpportunityStage", "Negotiation"),
    OpportunityStage.WON: QT_TRANSLATE_NOOP("OpportunityStage", "Won"),
    OpportunityStage.LOST: QT_TRANSLATE_NOOP("OpportunityStage", "Lost"),
}

# What the button that moves an opportunity to each stage says.
_ACTIONS: Mapping[OpportunityStage, str] = {
    OpportunityStage.QUALIFIED: QT_TRANSLATE_NOOP("OpportunityAction", "Qualified"),
    OpportunityStage.PROPOSAL: QT_TRANSLATE_NOOP("OpportunityAction", "Proposal sent"),
    OpportunityStage.NEGOTIATION: QT_TRANSLATE_NOOP("OpportunityAction", "In negotiation"),
    OpportunityStage.WON: QT_TRANSLATE_NOOP("OpportunityAction", "Won"),
    OpportunityStage.LOST: QT_TRANSLATE_NOOP("OpportunityAction", "Lost…"),
}


def stage_label(value: OpportunityStage | str) -> str:
    return QCoreApplication.translate("OpportunityStage", _STAGES[OpportunityStage(value)])


def stage_action_label(value: OpportunityStage) -> str:
    return QCoreApplication.translate("OpportunityAction", _ACTIONS[value])


def format_percent(value: object) -> str:
    return "" if value is None else f"{value}%"
