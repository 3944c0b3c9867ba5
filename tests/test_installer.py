"""build_installer.py: the bundle is built, checked as a new user would run it, and
packed; a bundle that lacks a resource or a module fails its own check.

One test, because the build takes a minute or two and every step needs it."""
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="Linux bundle")]


def build_installer(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, str(ROOT / "build_installer.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=1200)


def linked_copy(bundle: Path, target: Path) -> Path:
    """A copy of the bundle made of hard links (cheap), to break without touching the original."""
    shutil.copytree(bundle, target / "branchdesk", symlinks=True, copy_function=os.link)
    return target


def test_the_bundle_builds_passes_its_check_and_a_broken_one_does_not(tmp_path):
    pytest.importorskip("PyInstaller")
    from branchdesk import __version__

    dist = tmp_path / "dist"
    done = build_installer("--dist", str(dist), "--work", str(tmp_path / "work"), "--runs", "1")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = done.stdout
    assert f"--version: branchdesk {__version__}" in out and "自检通过。" in out and "check passed" in out
    assert "✗" not in out
    # the figures are printed beside their targets
    assert "MB unpacked, target under 150 MB" in out and "target at most 1.5x" in out
    tarball = dist / f"branchdesk-{__version__}-linux-x86_64.tar.gz"
    assert tarball.is_file()
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    top = f"branchdesk-{__version__}"
    assert {f"{top}/branchdesk", f"{top}/_internal/resources/fonts/NotoSansSC-Regular.otf"} <= names
    # nothing of Qt the app does not use: no QML, no other languages
    assert not any("/qml/" in n or n.endswith("qtbase_de.qm") for n in names)

    bundle = dist / "branchdesk"
    # a resource left out of the spec: named before anything runs
    broken = linked_copy(bundle, tmp_path / "no-translation")
    (broken / "branchdesk" / "_internal" / "resources" / "translations" / "qtbase_zh_CN.qm").unlink()
    done = build_installer("--check", "--dist", str(broken))
    assert done.returncode == 1
    assert "the bundle lacks resources/translations/qtbase_zh_CN.qm" in done.stdout

    # a library left out: the selftest finds it when it makes an Excel roster
    broken = linked_copy(bundle, tmp_path / "no-calamine")
    shutil.rmtree(broken / "branchdesk" / "_internal" / "python_calamine")
    done = build_installer("--check", "--dist", str(broken))
    assert done.returncode == 1, done.stdout
    assert "✗ 党员名册 Excel 已导出并导入" in done.stdout and "FAILED: `branchdesk selftest` failed" in done.stdout
