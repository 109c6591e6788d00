"""Amounts in Chinese capital numerals (大写金额) as written on slips, cheques and invoices.

The zero rules follow the People's Bank of China payment-settlement conventions: one 零
stands for any run of zeros between non-zero digits (also across an empty 万 or 亿 group),
trailing zeros are not written, 整 ends an amount without 分, and a missing 角 before a
non-zero 分 is written 零 (壹仟零壹元零伍分).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Units inside one group of four digits, from the highest digit down.
_GROUP_UNITS = ("仟", "佰", "拾", "")
# Units of the groups of four, from the highest group down (up to 9999亿).
_GROUP_NAMES = ("亿", "万", "")
LIMIT = Decimal(10) ** 12
_CENT = Decimal("0.01")


def _group_words(value: int) -> str:
    """Words for 1..9999 inside one group, zeros between digits collapsed to one 零."""
    out: list[str] = []
    pending_zero = False
    for position, digit in enumerate(f"{value:04d}"):
        d = int(digit)
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append(DIGITS[0])
            pending_zero = False
        out.append(DIGITS[d] + _GROUP_UNITS[position])
    return "".join(out)


def _integer_words(value: int) -> str:
    """Words for a whole number of yuan, 1 ≤ value < 10**12 (without 元)."""
    groups = (value // 10**8, value // 10**4 % 10**4, value % 10**4)
    out: list[str] = []
    zero_between = False
    for group, name in zip(groups, _GROUP_NAMES, strict=True):
        if group == 0:
            zero_between = bool(out)
            continue
        # A gap before this group (an empty group, or leading zeros in this one) reads 零.
        if out and (zero_between or group < 1000):
            out.append(DIGITS[0])
        out.append(_group_words(group) + name)
        zero_between = False
    return "".join(out)


def amount_in_words(amount: Decimal | int) -> str:
    """The amount in Chinese capital numerals, e.g. ``Decimal("1234.50")`` → 壹仟贰佰叁拾肆元伍角整.

    Raises:
        ValueError: the amount is not finite, has more than two decimal places
            (``1.234``; ``1.230`` is fine), or is 10**12 yuan or more in size.
        TypeError: the amount is a float (money is never a float).
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal or an int, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"amount must be a finite number, not {value}")
    try:
        cents_value = value.quantize(_CENT)
    except InvalidOperation as exc:  # too many digits for the context's precision
        raise ValueError(f"amount {value} is too large to write in words") from exc
    if cents_value != value:
        raise ValueError(f"amount {value} has more than two decimal places")
    if abs(value) >= LIMIT:
        raise ValueError(f"amount {value} is too large to write in words (limit 10**12)")
    negative = value < 0
    cents = int(abs(cents_value) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    words = _integer_words(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        words = (words or "零元") + "整"
    else:
        if jiao:
            words += DIGITS[jiao] + "角"
        elif yuan:
            words += DIGITS[0]
        words += DIGITS[fen] + "分" if fen else "整"
    return ("负" if negative and cents else "") + words


__all__ = ["amount_in_words"]
