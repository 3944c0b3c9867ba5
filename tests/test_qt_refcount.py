"""Regression guard for PySide6 6.12.0, whose void Qt calls (QWidget.resize, QLabel.setText,
setWindowTitle, QStandardItemModel.setItem …) each drop one reference to None without
having taken it. None's count then falls to zero after a few thousand clicks and the
interpreter aborts ("Fatal Python error: none_dealloc"), losing unsaved work. pyproject.toml
pins PySide6 below 6.12 for that reason; these tests fail (or abort) if a bad build slips in.

On Python 3.12+ None is immortal, so the count cannot drift and the first test passes
trivially there; the pin test still applies."""
from __future__ import annotations

import gc
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

CALLS = 20_000
TOLERANCE = 100
STEP = 200  # calls between two looks at the count


def test_void_qt_calls_keep_none_refcount(qapp):
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLabel, QWidget

    widget = QWidget()
    label = QLabel(widget)
    model = QStandardItemModel(4, 2)
    items = [QStandardItem(f"第{i}行") for i in range(8)]
    texts = ["张三", "李四"]

    def batch(n: int) -> None:
        for i in range(n):
            widget.resize(200 + i % 7, 100)  # void
            label.setText(texts[i & 1])  # void
            widget.setWindowTitle(texts[i & 1])  # void
            model.setItem(i % 4, i % 2, items[i % 8].clone())  # void

    batch(10)  # warm up caches and lazy imports before measuring
    gc.collect()
    before = sys.getrefcount(None)
    # Small steps, so that a bad build fails here with a message before None's
    # count reaches zero and takes the whole test run down.
    done, drift = 0, 0
    while done < CALLS and abs(drift) < TOLERANCE:
        batch(STEP // 4)
        done += STEP
        drift = sys.getrefcount(None) - before
    gc.collect()
    drift = sys.getrefcount(None) - before
    widget.deleteLater()
    assert abs(drift) < TOLERANCE, (
        f"None's reference count moved by {drift} over {done} void Qt calls: this PySide6 build "
        "has the 6.12.0 refcount bug; keep it out (see pyproject.toml)")


def _pyside_requirement() -> str:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python 3.10
        deps = re.findall(r'"(PySide6[^"]*)"', text)
    else:
        deps = [d for d in tomllib.loads(text)["project"]["dependencies"] if d.startswith("PySide6")]
    assert len(deps) == 1, deps
    return deps[0]


def test_installed_pyside6_satisfies_the_pin():
    import PySide6

    requirement = _pyside_requirement()
    name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
    specifier = SpecifierSet(spec)
    assert Version("6.12.0") not in specifier, "the pin must keep PySide6 6.12.0 out"
    installed = metadata.version(name)
    assert Version(installed) in specifier, f"{name} {installed} does not satisfy {requirement}"
    assert Version(PySide6.__version__) in specifier
    assert PySide6.__version__ == installed
