"""Amounts in Chinese capital numerals (大写金额) against a table of known values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.reports.amount_words import amount_in_words

KNOWN = [
    # whole yuan
    ("0", "零元整"),
    ("1", "壹元整"),
    ("10.00", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("100", "壹佰元整"),
    ("110", "壹佰壹拾元整"),
    ("1000", "壹仟元整"),
    ("10000", "壹万元整"),
    ("100000", "壹拾万元整"),
    ("1000000", "壹佰万元整"),
    ("100000000", "壹亿元整"),
    ("1100000000", "壹拾壹亿元整"),
    # zeros in the middle, inside a group and across an empty 万 group
    ("101", "壹佰零壹元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("10010", "壹万零壹拾元整"),
    ("101000", "壹拾万壹仟元整"),
    ("100200.30", "壹拾万零贰佰元叁角整"),
    ("1000001", "壹佰万零壹元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("20000000.02", "贰仟万元零贰分"),
    # 角 and 分
    ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
    ("1001.05", "壹仟零壹元零伍分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("10.10", "壹拾元壹角整"),
    ("0.50", "伍角整"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    ("136728.00", "壹拾叁万陆仟柒佰贰拾捌元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    # negative amounts (a refund slip)
    ("-12.34", "负壹拾贰元叁角肆分"),
    ("-100", "负壹佰元整"),
    ("-0.00", "零元整"),
    # the same amount written differently
    ("1.230", "壹元贰角叁分"),
    ("1E+5", "壹拾万元整"),
]


@pytest.mark.parametrize(("amount", "words"), KNOWN)
def test_known_amounts(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


def test_the_table_is_large_enough() -> None:
    assert len(KNOWN) >= 25


def test_an_int_is_accepted() -> None:
    assert amount_in_words(1001) == "壹仟零壹元整"


@pytest.mark.parametrize("amount", ["1.234", "0.001", "NaN", "sNaN", "Infinity", "-Infinity",
                                    "1E12", "1000000000000.00", "-1E12", "1E+40"])
def test_refused_amounts(amount: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(Decimal(amount))


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        amount_in_words(12.5)  # type: ignore[arg-type]
