"""Search keys for Chinese text: normalised names, pinyin, pinyin initials, phone digits."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Legal-form words that do not tell two companies apart ("北京鑫锐科技有限公司" and
# "北京鑫锐科技" are the same customer for the duplicate check).
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "co., ltd.",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_NON_DIGIT = re.compile(r"\D+")


def normalise_name(name: str) -> str:
    """Case-folded, width-folded name without spaces, punctuation or legal-form suffix."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    for suffix in _COMPANY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    text = text.replace("（", "(").replace("）", ")")
    return _PUNCT.sub("", text)


def _ascii(text: str) -> str:
    """``text`` in ASCII: accents go (Café → Cafe), letters with no ASCII form go too.

    The pinyin keys are VARCHAR columns (codes are ASCII by design, app/models/base.py):
    on SQL Server anything else would depend on the database's code page. Searches by
    letters are ASCII, so nothing findable is lost.
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    # errors="default" keeps non-Chinese runs (Latin letters, digits) as they are, then
    # made ASCII.
    return tuple(_ascii(s.lower())
                 for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def pinyin_full(name: str) -> str:
    """Full pinyin without tones or spaces: 北京鑫锐科技 → beijingxinruikeji."""
    return _PUNCT.sub("", "".join(_syllables(unicodedata.normalize("NFKC", name))))


def pinyin_initials(name: str) -> str:
    """First letter of each syllable: 北京鑫锐科技 → bjxrkj. Latin words keep their initial."""
    text = unicodedata.normalize("NFKC", name)
    out = []
    for syllable in _syllables(text):
        for word in _PUNCT.split(syllable):
            if word:
                out.append(word if word.isdigit() else word[0])
    return "".join(out)


# Leading place names that do not tell customers apart: almost every company name starts
# with its city ("北京博普装饰" is found as 博普 = "bp" as well as "bjbp").
PLACE_PREFIXES = ("北京市", "北京", "上海市", "上海", "天津市", "天津", "河北", "廊坊")


def without_place(name: str) -> str:
    """``name`` without its leading place names (北京市博普装饰 → 博普装饰); kept whole
    when nothing or only one character would remain."""
    text = unicodedata.normalize("NFKC", name).strip()
    stripped = True
    while stripped:
        stripped = False
        for prefix in PLACE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix) + 1:
                text = text[len(prefix):]
                stripped = True
                break
    return text


def core_initials(name: str) -> str:
    """Pinyin initials of the name without its leading place: 北京博普装饰 → bpzs."""
    return pinyin_initials(without_place(name))


def sort_key(name: str) -> str:
    """Key that orders names by pinyin, the way Chinese lists are read."""
    words = (_PUNCT.sub("", s) for s in _syllables(unicodedata.normalize("NFKC", name)))
    return " ".join(w for w in words if w)[:400]


def phone_digits(phone: str | None) -> str | None:
    """Only the digits of a phone number, for search by any part of it."""
    if not phone:
        return None
    digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", phone))
    return digits or None
