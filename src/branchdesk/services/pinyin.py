"""Pinyin of names, for sorting and for searching by initials (zs → 张三)."""
from __future__ import annotations

from functools import lru_cache

# Surnames whose reading differs from the character's everyday reading.
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "区": "ou", "盖": "ge", "乐": "yue", "尉": "yu", "员": "yun", "种": "chong",
    "覃": "qin", "繁": "po", "翟": "zhai", "缪": "miao", "召": "shao", "长": "chang",
    "折": "she", "秘": "bi", "冼": "xian", "藏": "zang", "莘": "shen", "宿": "su",
}

# In given names these read one way (长青, 长山: chang), whatever pypinyin's phrase
# dictionary guesses from place names (长山 → zhangshan).
_GIVEN_NAME_READINGS = {"长": "chang"}
# Two-character surnames read as a whole.
_COMPOUND_SURNAMES = {"长孙": ("zhang", "sun"), "尉迟": ("yu", "chi"), "万俟": ("mo", "qi")}


def _as_letters(chars: str) -> list[str]:
    """What stands for characters without pinyin (Latin letters, digits): themselves."""
    return list(chars.lower())


@lru_cache(maxsize=16384)
def _word_syllables(word: str) -> tuple[str, ...]:
    """lazy_pinyin of one word as pypinyin cuts a text. Given a list, lazy_pinyin takes
    its items as words already cut, so this is the same as its part of the whole name;
    names share their characters, and converting one costs far more than a lookup."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin([word], style=Style.NORMAL, errors=_as_letters))


@lru_cache(maxsize=1)
def _cutters():
    """pypinyin's cutting of a text into words (pypinyin.seg.simpleseg.seg), imported on
    first use: (whether it has phrases, what matches a run of characters with pinyin, the
    phrase cutter, seg)."""
    from pypinyin.constants import PHRASES_DICT, RE_HANS
    from pypinyin.seg import mmseg
    from pypinyin.seg.simpleseg import seg

    return bool(PHRASES_DICT), RE_HANS.match, mmseg.seg.cut, seg


def _words(name: str) -> list[str]:
    """The words lazy_pinyin cuts a name into, as seg cuts them: a name all of characters
    with pinyin is one run of them, cut at once by the phrase cutter, without seg's test
    of each character."""
    phrases, all_hans, cut, seg = _cutters()
    if phrases and all_hans(name):
        return list(cut(name))
    return seg(name)


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin without tones or spaces, and the initials: ("zhangsan", "zs")."""
    if not name:
        return "", ""
    syllables = [s for word in _words(name) for s in _word_syllables(word)]
    if len(syllables) == len(name):  # one syllable per character (no Latin letters or digits)
        for n, char in enumerate(name[1:], start=1):
            if char in _GIVEN_NAME_READINGS:
                syllables[n] = _GIVEN_NAME_READINGS[char]
        compound = _COMPOUND_SURNAMES.get(name[:2])
        if compound:
            syllables[:2] = compound
        elif name[0] in _SURNAME_READINGS:
            syllables[0] = _SURNAME_READINGS[name[0]]
    else:
        first = _SURNAME_READINGS.get(name[0])
        if first and syllables:
            syllables[0] = first
    syllables = [s.lower() for s in syllables]
    return "".join(syllables), "".join(s[0] for s in syllables if s)
