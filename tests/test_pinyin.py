"""Names to pinyin for sorting and for the search box's initials."""
from __future__ import annotations

import pytest

from branchdesk.services.pinyin import name_pinyin
from branchdesk.services.search import haystack, matching_indexes


@pytest.mark.parametrize(("name", "full", "initials"), [
    ("张三", "zhangsan", "zs"),
    ("单雄", "shanxiong", "sx"),  # surname readings
    ("曾国华", "zengguohua", "zgh"),
    ("郭长山", "guochangshan", "gcs"),  # 长 in a given name is chang, not the place name 长山
    ("长孙明", "zhangsunming", "zsm"),  # compound surname
    ("尉迟恭", "yuchigong", "ycg"),
])
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


def test_zs_does_not_find_a_name_read_wrongly():
    names = ["张三", "郭长山", "赵六"]
    hays = [haystack(n, *name_pinyin(n)) for n in names]
    assert [names[i] for i in matching_indexes("zs", hays)] == ["张三"]
