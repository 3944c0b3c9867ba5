#!/usr/bin/env python
"""Build branchdesk for a PC without Python, check it, and package it.

    python build_installer.py            build, check, then package
    python build_installer.py --check    check the bundle already built (exit 1 if it fails)

Building makes a one-folder bundle with PyInstaller (packaging/branchdesk.spec) in
dist/branchdesk. A one-file program would unpack itself on every start, start slowly
and be flagged by antivirus programs far more often. On Linux the debugging symbols
some Pythons and wheels carry are then stripped.

The check runs the built bundle the way a new user would, headless and on a fresh
temporary data folder, without this checkout's Python: `--version`, `demo`, then
`selftest`, which opens every page and writes a PDF, the charts and an Excel roster
and reads it back. It also looks for every resource the bundle must carry. A build
whose check fails is not packaged.

Packaging: on Windows the Inno Setup compiler (ISCC.exe, Inno Setup 6.5 or newer,
which ships the Chinese wizard) turns the bundle into dist/branchdesk-VERSION-setup.exe
(packaging/branchdesk.iss); without the compiler the bundle stays as it is and the
build says where to get it. Elsewhere the bundle is packed as
dist/branchdesk-VERSION-PLATFORM.tar.gz.

The build prints the bundle's size and its start-up time (to the first painted
window) beside the app run from source, each against its target.

Options: --dist DIR (default dist), --work DIR (PyInstaller's build folder, default
build), --runs N (start-up runs of each, default 3).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "branchdesk.spec"
ISS = ROOT / "packaging" / "branchdesk.iss"
WINDOWS = sys.platform == "win32"
SIZE_TARGET_MB = 150
STARTUP_RATIO_TARGET = 1.5
# What a bundle cannot work without, beside the programs: the check names the first missing one.
REQUIRED = (
    "resources/fonts/NotoSansSC-Regular.otf",
    "resources/icons/branchdesk.png",
    "resources/icons/branchdesk.ico",
    "resources/translations/qtbase_zh_CN.qm",
    "resources/translations/qt_zh_CN.qm",
    "branchdesk/migrations/env.py",
)


class BuildFailed(Exception):
    """str() says what went wrong and what to do."""


def version() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from branchdesk._version import __version__
    finally:
        sys.path.pop(0)
    return __version__


def say(text: str) -> None:
    print(f"build_installer: {text}", flush=True)


# ---------------------------------------------------------------- build

def build(dist: Path, work: Path) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildFailed("PyInstaller is not installed: run `pip install -e .[build]` "
                          "(or `bash scripts/setup.sh`, which installs it) and build again.") from None
    say(f"building the bundle with PyInstaller into {dist / 'branchdesk'} ...")
    started = time.perf_counter()
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean",
               "--distpath", str(dist), "--workpath", str(work), "--log-level", "WARN"]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildFailed("PyInstaller failed (its messages are above).")
    bundle = dist / "branchdesk"
    if sys.platform.startswith("linux"):
        strip_debug_symbols(bundle)
    say(f"built in {time.perf_counter() - started:.0f} s")
    return bundle


def has_debug_info(path: Path) -> bool:
    out = subprocess.run(["objdump", "-h", str(path)], capture_output=True, text=True).stdout
    return ".debug_info" in out


def strip_debug_symbols(bundle: Path) -> None:
    """Strip debugging sections only, and only from files that have them. Stripping
    everything (PyInstaller's strip option) breaks the libraries auditwheel vendored
    into numpy.libs ("ELF load command address/offset not page-aligned")."""
    if not shutil.which("strip") or not shutil.which("objdump"):
        say("strip/objdump not found (Debian: apt-get install binutils): the bundle keeps its debugging symbols")
        return
    before = folder_size(bundle)
    for path in bundle.rglob("*.so*"):
        if path.is_file() and not path.is_symlink() and has_debug_info(path):
            subprocess.run(["strip", "--strip-debug", str(path)], check=True)
    say(f"stripped debugging symbols: {before / 2**20:.0f} MB -> {folder_size(bundle) / 2**20:.0f} MB")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# ---------------------------------------------------------------- check

def program(bundle: Path) -> Path:
    return bundle / ("branchdesk.exe" if WINDOWS else "branchdesk")


def clean_environment(data_dir: Path) -> dict[str, str]:
    """Nothing of this checkout's Python may help the bundle: no PYTHONPATH, no venv."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_PLUGIN_PATH", "QML", "BRANCHDESK_"))}
    env.update(QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8")
    return env


def run_bundle(bundle: Path, args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300):
    try:
        return subprocess.run([str(program(bundle)), *args], env=env, cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BuildFailed(f"`branchdesk {' '.join(args)}` did not finish within {timeout:.0f} s") from None


def check(bundle: Path) -> None:
    if not program(bundle).is_file():
        raise BuildFailed(f"no bundle at {bundle}: build it first with `python build_installer.py`.")
    internal = bundle / "_internal"
    for name in REQUIRED:
        if not (internal / name).is_file():
            raise BuildFailed(f"the bundle lacks {name}: add it to packaging/branchdesk.spec and build again.")
    migrations = sorted(p.name for p in (ROOT / "src" / "branchdesk" / "migrations" / "versions").glob("*.py"))
    bundled = sorted(p.name for p in (internal / "branchdesk" / "migrations" / "versions").glob("*.py"))
    if bundled != migrations:
        raise BuildFailed(f"the bundle's migrations {bundled} differ from the source's {migrations}: build again.")
    say("resources and migrations are all in the bundle")
    with tempfile.TemporaryDirectory(prefix="branchdesk-check-") as tmp:
        folder = Path(tmp)
        env = clean_environment(folder / "data")
        expected = f"branchdesk {version()}"
        result = run_bundle(bundle, ["--version"], env, folder, timeout=60)
        if result.returncode != 0 or result.stdout.strip() != expected:
            raise BuildFailed(f"`branchdesk --version` answered {result.stdout.strip()!r} (exit "
                              f"{result.returncode}) instead of {expected!r}:\n{result.stderr}")
        say(f"--version: {expected}")
        database = folder / "check.db"
        result = run_bundle(bundle, ["--db", str(database), "demo"], env, folder)
        if result.returncode != 0:
            raise BuildFailed(f"`branchdesk demo` failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        say("demo: the demo community was filled into a fresh database")
        result = run_bundle(bundle, ["--db", str(database), "selftest"], env, folder)
        print(result.stdout, end="", flush=True)
        if result.returncode != 0 or "自检通过" not in result.stdout:
            raise BuildFailed(f"`branchdesk selftest` failed (exit {result.returncode}):\n{result.stderr}")
    say("check passed")


# ---------------------------------------------------------------- figures

def first_paint(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Seconds from starting the process to its main window's first paint."""
    started = time.time()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                            errors="replace", timeout=120)
    marker = "（时刻 "
    for line in result.stdout.splitlines():
        if marker in line:
            return float(line.split(marker, 1)[1].rstrip("）")) - started
    raise BuildFailed(f"`{' '.join(command)}` did not report its first paint:\n{result.stdout}{result.stderr}")


def startup_figures(bundle: Path, runs: int) -> tuple[float, float]:
    """Median start-up of the bundle and of the source, alternating, each on a fresh database."""
    bundled, source = [], []
    with tempfile.TemporaryDirectory(prefix="branchdesk-startup-") as tmp:
        folder = Path(tmp)
        source_env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(folder / "s"),
                          PYTHONPATH=str(ROOT / "src"))
        for n in range(runs):
            env = clean_environment(folder / f"b{n}")
            bundled.append(first_paint([str(program(bundle)), "selftest", "--startup-only"], env, folder))
            source_env["BRANCHDESK_DATA_DIR"] = str(folder / f"s{n}")
            source.append(first_paint([sys.executable, "-m", "branchdesk", "selftest", "--startup-only"],
                                      source_env, folder))
    return statistics.median(bundled), statistics.median(source)


def report_figures(bundle: Path, runs: int) -> None:
    size = folder_size(bundle) / 2**20
    verdict = "ok" if size < SIZE_TARGET_MB else "OVER"
    say(f"bundle size {size:.0f} MB unpacked, target under {SIZE_TARGET_MB} MB: {verdict}")
    if verdict == "OVER":
        for name, part in largest_parts(bundle):
            say(f"    {part / 2**20:5.1f} MB  {name}")
        linux_only = linux_only_size(bundle)
        if linux_only:
            say(f"    of the whole, {linux_only / 2**20:.0f} MB are what only a Linux bundle carries (Qt's ICU "
                f"data, which Windows provides, and the system libraries beside libpython): "
                f"{size - linux_only / 2**20:.0f} MB without them")
    bundled, source = startup_figures(bundle, runs)
    ratio = bundled / source
    verdict = "ok" if ratio <= STARTUP_RATIO_TARGET else "OVER"
    say(f"start-up to the first painted window (median of {runs}): bundle {bundled:.2f} s, source "
        f"{source:.2f} s = {ratio:.2f}x, target at most {STARTUP_RATIO_TARGET}x: {verdict}")


def linux_only_size(bundle: Path) -> int:
    """Bytes of the parts a Windows bundle does without: Qt's own ICU (Windows has one) and
    the Linux system libraries PyInstaller copies beside libpython (X11, xcb, glib, ...)."""
    if not sys.platform.startswith("linux"):
        return 0
    internal = bundle / "_internal"
    icu = [p for p in (internal / "PySide6" / "Qt" / "lib").glob("libicu*") if not p.is_symlink()]
    system = [p for p in internal.glob("lib*.so*") if not p.is_symlink() and not p.name.startswith("libpython")]
    return sum(p.stat().st_size for p in icu + system)


def largest_parts(bundle: Path, count: int = 8) -> list[tuple[str, int]]:
    internal = bundle / "_internal"
    parts: dict[str, int] = {}
    for path in internal.rglob("*"):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(internal).parts
            key = "/".join(rel[:3] if rel[0] == "PySide6" else rel[:1])
            parts[key] = parts.get(key, 0) + path.stat().st_size
    return sorted(parts.items(), key=lambda item: -item[1])[:count]


# ---------------------------------------------------------------- package

def package(bundle: Path, dist: Path) -> Path | None:
    if WINDOWS:
        return windows_installer(bundle, dist)
    machine = platform.machine().lower() or "unknown"
    target = dist / f"branchdesk-{version()}-{sys.platform.rstrip('0123456789')}-{machine}.tar.gz"
    say(f"packing {target.name} ...")
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"branchdesk-{version()}")
    say(f"wrote {target} ({target.stat().st_size / 2**20:.0f} MB)")
    return target


def find_iscc() -> Path | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"), os.environ.get("LOCALAPPDATA")):
        if base:
            for sub in ("Inno Setup 6", r"Programs\Inno Setup 6"):
                candidate = Path(base) / sub / "ISCC.exe"
                if candidate.is_file():
                    return candidate
    return None


def windows_installer(bundle: Path, dist: Path) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        say("Inno Setup's compiler (ISCC.exe) was not found: the bundle in dist/branchdesk works as it is; "
            "install Inno Setup 6.5 or newer from https://jrsoftware.org/isdl.php and build again for the installer.")
        return None
    chinese = iscc.parent / "Languages" / "ChineseSimplified.isl"
    if not chinese.is_file():
        raise BuildFailed(f"{chinese} is missing: Inno Setup 6.5 and newer ship the Chinese wizard; update Inno Setup.")
    command = [str(iscc), "/Q", f"/DAppVersion={version()}", f"/DSourceDir={bundle}", f"/DOutputDir={dist}",
               f"/DIconFile={ROOT / 'resources' / 'icons' / 'branchdesk.ico'}", str(ISS)]
    say("compiling the installer with Inno Setup ...")
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildFailed("Inno Setup failed (its messages are above).")
    target = dist / f"branchdesk-{version()}-setup.exe"
    say(f"wrote {target} ({target.stat().st_size / 2**20:.0f} MB)")
    return target


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the bundle already built")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes (default dist)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder (default build)")
    parser.add_argument("--runs", type=int, default=3, help="start-up runs of bundle and source (default 3)")
    args = parser.parse_args(argv)
    dist, bundle = args.dist.resolve(), args.dist.resolve() / "branchdesk"
    try:
        if args.check:
            check(bundle)
            return 0
        bundle = build(dist, args.work.resolve())
        check(bundle)
        report_figures(bundle, max(1, args.runs))
        package(bundle, dist)
    except BuildFailed as exc:
        say(f"FAILED: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
