"""The label catalog (app.labels): every value of every enum has an English and a Chinese name.

Walks app.enums, so a new enum or a new value fails here until it is named in both
languages.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from enum import StrEnum

import pytest

import app.enums
from app import labels
from app.enums import CustomerStatus, OpportunityStage, TicketStatus
from app.i18n import set_language, translate
from app.i18n_zh import LABELS_ZH

ENUMS = sorted((value for value in vars(app.enums).values()
                if inspect.isclass(value) and issubclass(value, StrEnum)
                and value.__module__ == app.enums.__name__),
               key=lambda kind: kind.__name__)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("en")


def test_the_enums_are_found() -> None:
    assert len(ENUMS) >= 30
    assert CustomerStatus in ENUMS and TicketStatus in ENUMS


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_every_value_has_an_english_and_a_chinese_label(kind: type[StrEnum]) -> None:
    english = labels.ENUM_LABELS.get(kind)
    assert english is not None, f"{kind.__name__} has no labels in app.labels"
    assert set(english) == set(kind), f"{kind.__name__}: {set(kind) ^ set(english)}"
    chinese = LABELS_ZH.get(labels.context_of(kind), {})
    for member in kind:
        text = english[member]
        assert text.strip(), f"{kind.__name__}.{member.name} has an empty label"
        assert chinese.get(text, "").strip(), f"{kind.__name__}: no Chinese for {text!r}"
        assert labels.label(member, language="en") == text
        assert labels.label(member, language="zh") == chinese[text]


def test_labels_within_a_family_are_distinct() -> None:
    # Two values of one enum with the same name could not be told apart in a list.
    for kind, table in labels.ENUM_LABELS.items():
        for language in ("en", "zh"):
            names = [labels.label(kind(code), language=language) for code in table]
            assert len(set(names)) == len(names), (kind.__name__, language, names)


def _other_families() -> Iterator[tuple[str, str]]:
    for context, table in labels.MOVE_LABELS.values():
        for text in table.values():
            yield context, text
    for context, codes in labels.CODE_FAMILIES.items():
        for text in codes.values():
            yield context, text
    yield labels.context_of(app.enums.StationCode), labels.NO_STATION
    yield labels.context_of(app.enums.FieldAccess), labels.ALL_FIELDS_VISIBLE


@pytest.mark.parametrize(("context", "text"), list(_other_families()))
def test_actions_and_code_families_have_chinese(context: str, text: str) -> None:
    assert LABELS_ZH.get(context, {}).get(text, "").strip(), (context, text)


def test_move_labels_name_states_of_their_lifecycle() -> None:
    for kind, (_context, table) in labels.MOVE_LABELS.items():
        assert set(table) <= set(kind), kind.__name__


def test_one_word_two_families(chinese: None) -> None:
    # The reason for families: "Lost" is a customer's 流失 and an opportunity's 已丢单.
    assert labels.label(CustomerStatus.LOST) == "流失"
    assert labels.label(OpportunityStage.LOST) == "已丢单"


def test_the_language_follows_set_language() -> None:
    set_language("zh")
    try:
        assert labels.label(TicketStatus.DONE) == "已修复"
        assert labels.move_label(TicketStatus.CLOSED) == "关闭服务单"
        assert labels.record_kind_label("order") == "订单"
        assert labels.station_label(None) == "未选站点"
    finally:
        set_language("en")
    assert labels.label(TicketStatus.DONE) == "Repaired"
    assert labels.record_kind_label("order") == "Order"


def test_stored_codes_that_are_empty_or_unknown() -> None:
    assert labels.label_of(CustomerStatus, None) == ""
    assert labels.label_of(CustomerStatus, "") == ""
    assert labels.label_of(CustomerStatus, "vanished") == "vanished"
    assert labels.label_of(CustomerStatus, "lost", language="zh") == "流失"
    assert labels.record_kind_label("something_new") == "something_new"


def test_a_family_never_borrows_from_the_plain_catalog() -> None:
    # "Customer" is 客户 in the plain catalog, but no care status: a label missing from its
    # family shows in English (and fails the tests above) instead of borrowing a meaning.
    assert translate("Customer", language="zh") == "客户"
    assert translate("Customer", context="CareStatus", language="zh") == "Customer"
    assert translate("Done", context="CareStatus", language="zh") == "已完成"
