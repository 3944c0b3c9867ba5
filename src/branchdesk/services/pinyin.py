"""Pinyin of names, for sorting and for searching by initials (zs → 张三)."""
from __future__ import annotations

# Surnames whose reading differs from the character's everyday reading.
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "区": "ou", "盖": "ge", "乐": "yue", "尉": "yu", "员": "yun", "种": "chong",
    "覃": "qin", "繁": "po", "翟": "zhai", "缪": "miao", "召": "shao", "长": "chang",
    "折": "she", "秘": "bi", "冼": "xian", "藏": "zang", "莘": "shen", "宿": "su",
}


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin without tones or spaces, and the initials: ("zhangsan", "zs")."""
    from pypinyin import Style, lazy_pinyin

    if not name:
        return "", ""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda chars: list(chars.lower()))
    first = _SURNAME_READINGS.get(name[0])
    if first and syllables:
        syllables[0] = first
    syllables = [s.lower() for s in syllables]
    return "".join(syllables), "".join(s[0] for s in syllables if s)
