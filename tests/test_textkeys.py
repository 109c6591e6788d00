"""app.textkeys reads each run of Chinese characters with one pypinyin pass: the reading
it prefers for each character must come first among its heteronyms, as lazy_pinyin
(phrase-aware) would give it alone."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.constants import PINYIN_DICT

from app.textkeys import _word_readings, name_keys, syllable_readings

PHRASES = ("银行", "行长", "重庆", "长沙", "音乐", "快乐", "朝阳区长安街", "中国银行北京分行",
           "重庆长安汽车", "乐清", "厦门", "蚌埠", "六安", "会计", "都市", "解放")


def _two_pass(run: str) -> list[tuple[str, ...]]:
    """The readings as they were read before: the preferred reading from lazy_pinyin,
    the others from the heteronym pass."""
    preferred = lazy_pinyin(run, style=Style.NORMAL, errors="default")
    every = pinyin(run, style=Style.NORMAL, heteronym=True, errors="default")
    out = []
    for first, all_ in zip(preferred, every, strict=True):
        readings = [first, *(r for r in all_ if r != first)]
        out.append(tuple(r.lower() for r in readings[:3]))
    return out


def _runs() -> list[str]:
    rng = random.Random(7)
    chars = [chr(c) for c in PINYIN_DICT if 0x4E00 <= c <= 0x9FFF]
    several = [ch for ch in chars if "," in PINYIN_DICT[ord(ch)]]
    runs = list(PHRASES)
    for _ in range(3000):
        runs.append("".join(rng.choice(several if rng.random() < 0.5 else chars)
                            for _ in range(rng.randint(2, 8))))
    return runs


def test_one_pass_gives_the_readings_two_passes_gave() -> None:
    for run in _runs():
        assert _word_readings(run) == _two_pass(run), run


def test_a_phrase_is_read_as_the_phrase_first() -> None:
    assert [r[0] for r in syllable_readings("中国银行")] == ["zhong", "guo", "yin", "hang"]
    assert [r[0] for r in syllable_readings("行长")] == ["hang", "zhang"]
    # Inside a phrase only the phrase's reading counts; alone, the character keeps its
    # other readings (行 is found as "xing" too).
    assert syllable_readings("银行")[1] == ("hang",)
    assert "xing" in syllable_readings("行")[0]
    keys = name_keys("重庆长安汽车有限公司")
    assert keys["cqcaqcyxgs"] == 0 and keys["chongqingchanganqicheyouxiangong"] == 0
