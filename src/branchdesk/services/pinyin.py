"""Pinyin of names, for sorting and for searching by initials (zs → 张三)."""
from __future__ import annotations

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


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin without tones or spaces, and the initials: ("zhangsan", "zs")."""
    from pypinyin import Style, lazy_pinyin

    if not name:
        return "", ""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda chars: list(chars.lower()))
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
