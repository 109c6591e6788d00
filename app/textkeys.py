"""Search keys for Chinese text: normalised names, pinyin, pinyin initials, phone digits."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

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


# --- search keys: pinyin as people type it -------------------------------------------------
#
# A name is found by the pinyin initials or the full pinyin of any run of its syllables
# (复印纸 inside 得力复印纸A4 for "fyz", 西谷 for "xigu"), each character read in every
# reading it has (单: dan, shan, chan), except where a place or a surname has its own.
# app.services.search_keys keeps these strings in a table with an index on them, so every
# lookup is an index range; app/migrations/versions/*_search_keys.py holds a frozen copy.

# Longest key kept (characters): a longer search text is cut to it before the lookup.
KEY_LENGTH = 32
# How many syllables one key covers, and how many reading combinations a start may have.
_KEY_SYLLABLES = 16
_MAX_COMBINATIONS = 8
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")

# Places whose characters are not read the common way (单县 is shan xian, not dan xian).
PLACE_READINGS: dict[str, tuple[str, ...]] = {
    "单县": ("shan", "xian"),
    "六安": ("lu", "an"),
    "蚌埠": ("beng", "bu"),
    "丽水": ("li", "shui"),
    "乐亭": ("lao", "ting"),
    "番禺": ("pan", "yu"),
    "铅山": ("yan", "shan"),
    "台州": ("tai", "zhou"),
    "天台": ("tian", "tai"),
    "洪洞": ("hong", "tong"),
    "东阿": ("dong", "e"),
    "大城": ("da", "cheng"),
    "厦门": ("xia", "men"),
    "重庆": ("chong", "qing"),
}

# Surnames read otherwise than the character usually is (曾 as a surname is zeng).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "查": ("zha",), "朴": ("piao",), "盖": ("ge",), "乐": ("yue",), "覃": ("qin",),
    "翟": ("zhai",), "缪": ("miao",), "秘": ("bi",), "种": ("chong",), "召": ("shao",),
    "员": ("yun",), "繁": ("po",), "黑": ("he",), "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"), "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "沈": ("shen",),
    "任": ("ren",), "华": ("hua",), "纪": ("ji",), "冼": ("xian",), "宁": ("ning",),
    "柏": ("bai",), "薄": ("bo",), "牟": ("mou",), "藏": ("zang",), "蕃": ("pi",),
}


def _word_readings(run: str) -> list[tuple[str, ...]]:
    """Readings of each character of a run of Chinese characters, the reading pypinyin
    prefers (it knows phrases: 行长 is hang zhang) first."""
    # One pass: with heteronyms pypinyin gives each character the reading it prefers
    # (the phrase's, else the usual one: what lazy_pinyin gives) first, then the others
    # (tests/test_textkeys.py holds it to that).
    every = pinyin(run, style=Style.NORMAL, heteronym=True, errors="default")
    if len(every) != len(run):
        # Characters pypinyin does not know come back grouped: one character at a time.
        return [r for ch in run for r in _word_readings(ch)] if len(run) > 1 else [("",)]
    out = []
    for first, *others in every:
        readings = [first, *(r for r in others if r != first)]
        out.append(tuple(_ascii(r.lower()) for r in readings[:3]))
    return out


@lru_cache(maxsize=65536)
def syllable_readings(name: str, *, person: bool = False) -> tuple[tuple[str, ...], ...]:
    """The syllables of ``name``, each with its readings (preferred first).

    Chinese characters are one syllable each; a Latin word or a number is one syllable of
    its own. Known places have their own reading, and with ``person`` the surname does.
    """
    text = unicodedata.normalize("NFKC", name)
    out: list[tuple[str, ...]] = []
    for index, run in enumerate(_CJK.split(text)):
        if not run:
            continue
        if index % 2 == 0:  # not Chinese: Latin words and numbers
            out.extend((w,) for w in (_ascii(p.lower()) for p in _PUNCT.split(run)) if w)
            continue
        readings = _word_readings(run)
        for place, fixed in PLACE_READINGS.items():
            at = run.find(place)
            while at >= 0:
                readings[at:at + len(place)] = [(r,) for r in fixed]
                at = run.find(place, at + len(place))
        if person and not out:
            for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
                if run.startswith(surname):
                    readings[:len(surname)] = [(r,) for r in SURNAME_READINGS[surname]]
                    break
        out.extend(r for r in readings if r[0])
    return tuple(out)


def _initial(syllable: str) -> str:
    return syllable if syllable.isdigit() else syllable[:1]


def _combinations(window: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    """The reading combinations of a few syllables: all of them when few, else the
    preferred one and each single change of it, the nearest syllables first."""
    count = 1
    for readings in window:
        count *= len(readings)
    if count <= _MAX_COMBINATIONS:
        return list(itertools.product(*window))
    preferred = tuple(r[0] for r in window)
    out = [preferred]
    for at, readings in enumerate(window):
        for other in readings[1:]:
            out.append((*preferred[:at], other, *preferred[at + 1:]))
            if len(out) >= _MAX_COMBINATIONS:
                return out
    return out


def key_strings(syllables: tuple[tuple[str, ...], ...], start: int) -> set[str]:
    """The initials and full-pinyin strings of ``syllables`` from ``start`` on, each
    reading combination, cut to KEY_LENGTH."""
    keys: set[str] = set()
    for combo in _combinations(syllables[start:start + _KEY_SYLLABLES]):
        keys.add("".join(_initial(s) for s in combo)[:KEY_LENGTH])
        keys.add("".join(combo)[:KEY_LENGTH])
    keys.discard("")
    return keys


def _strip_suffix(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip()
    folded = text.casefold()
    for suffix in _COMPANY_SUFFIXES:
        if folded.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def name_keys(name: str | None, *, person: bool = False, core_start: bool = True
              ) -> dict[str, int]:
    """The search keys of a name: {key: 0 when it starts the name, else 1}.

    No key starts in the legal-form suffix (有限公司): every company would match "yxgs". With
    ``core_start`` the start after the leading place (北京博普装饰: 博普) counts as a start.
    """
    if not name:
        return {}
    text = _strip_suffix(name)
    # The whole name's syllables (a key may run on into 有限公司: "bjxryxgs" is typed
    # too), but no key starts inside the suffix.
    whole = unicodedata.normalize("NFKC", name).strip()
    syllables = syllable_readings(whole, person=person)
    suffix = whole[len(text):]
    if suffix and _CJK.fullmatch(suffix) and len(syllables) > len(suffix):
        # A Chinese suffix is a syllable per character: no second reading of the name.
        ends = len(syllables) - len(suffix)
    else:
        ends = len(syllable_readings(text, person=person)) or len(syllables)
    starts = {0}
    if core_start:
        place = len(syllable_readings(text[: len(text) - len(without_place(text))]))
        if 0 < place < ends:
            starts.add(place)
    keys: dict[str, int] = {}
    for start in range(ends):
        pos = 0 if start in starts else 1
        for key in key_strings(syllables, start):
            if keys.get(key, 2) > pos:
                keys[key] = pos
    return keys


def merged_keys(*parts: dict[str, int]) -> dict[str, int]:
    """Keys of several names of one record (a name and a short name), each at its best."""
    out: dict[str, int] = {}
    for part in parts:
        for key, pos in part.items():
            if out.get(key, 2) > pos:
                out[key] = pos
    return out


def search_prefix(text: str) -> str:
    """A typed search text as the keys spell it: lower case, ASCII, no separators, cut
    to KEY_LENGTH ('' when nothing is left)."""
    return _PUNCT.sub("", _ascii(unicodedata.normalize("NFKC", text).lower()))[:KEY_LENGTH]


def person_sort_key(name: str) -> str:
    """:func:`sort_key` of a person's name, the surname in its surname reading (曾 under z)."""
    text = unicodedata.normalize("NFKC", name).strip()
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if text.startswith(surname):
            rest = sort_key(text[len(surname):])
            return " ".join((*SURNAME_READINGS[surname], *([rest] if rest else [])))[:400]
    return sort_key(name)


# --- name suffixes: Chinese words found anywhere in a name ----------------------------------
#
# A text typed in Chinese (鑫锐, 复印) is found inside a name through the name's suffixes: every
# tail of the folded name (北京鑫锐科技 → 北京鑫锐科技, 京鑫锐科技, 鑫锐科技, …) is a row of an
# index, and "contains 鑫锐" is "has a suffix starting with 鑫锐" — one index range on every
# engine, exact, where LIKE '%鑫锐%' reads every name. app.services.search_keys keeps them.

# Longest suffix kept (characters): a longer search text is cut to it, and the names found
# are then checked against the whole text.
SUFFIX_LENGTH = 16


def fold_text(text: str | None) -> str:
    """A name or a search text as the suffixes spell it: width-folded, case-folded, without
    spaces or punctuation (北京 鑫锐（科技） → 北京鑫锐科技)."""
    if not text:
        return ""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def name_suffixes(name: str | None, *, core_start: bool = True) -> dict[str, int]:
    """The suffixes of a name: {suffix: 0 when it starts the name, else 1}, each cut to
    SUFFIX_LENGTH. With ``core_start`` the name after its leading place (北京博普装饰: 博普装饰)
    counts as a start too."""
    folded = fold_text(name)
    if not folded:
        return {}
    starts = {0}
    if core_start and name:
        core = fold_text(without_place(name))
        if core and folded.endswith(core):
            starts.add(len(folded) - len(core))
    out: dict[str, int] = {}
    for at in range(len(folded)):
        suffix = folded[at:at + SUFFIX_LENGTH]
        pos = 0 if at in starts else 1
        if out.get(suffix, 2) > pos:
            out[suffix] = pos
    return out


# --- phone suffixes: any part of a number ---------------------------------------------------

# The shortest part of a number a search looks for (fewer digits search the names).
MIN_DIGITS = 3


def digit_suffixes(*numbers: str | None) -> set[str]:
    """The tails of ``numbers`` (their digits, app.textkeys.phone_digits) of MIN_DIGITS
    digits or more: "contains 5678" is "has a suffix starting with 5678"."""
    out: set[str] = set()
    for number in numbers:
        digits = phone_digits(number)
        if digits:
            out.update(digits[at:] for at in range(len(digits) - MIN_DIGITS + 1))
    return out
