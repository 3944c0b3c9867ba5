"""The search box: one query string matched against a row's name, pinyin,
initials, phone, address and the last digits of the ID number."""
from __future__ import annotations

import unicodedata


def normalize_query(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


def haystack(*parts: str | None) -> str:
    """The searchable text of a row, built once when the rows load."""
    return "\x1f".join(p.lower() for p in parts if p)


def matching_indexes(query: str, hays: list[str], id_numbers: list[str | None] | None = None) -> list[int]:
    """Indexes of the rows that match; an ID number matches only by its ending,
    so digits from the middle (the birth date) do not find people."""
    q = normalize_query(query)
    if not q:
        return list(range(len(hays)))
    if id_numbers is None or not (q[:-1].isdigit() and (q[-1].isdigit() or q[-1] == "x")):
        return [i for i, h in enumerate(hays) if q in h]
    qu = q.upper()
    return [i for i, h in enumerate(hays) if q in h or (id_numbers[i] or "").endswith(qu)]
