"""Files the secretary owns alone: the data folder, the database and its backups, the log
and the drafts are hers only (0700 folders, 0600 files on Linux and macOS), drafts go
once they are no longer needed, the log never holds a whole ID number or phone, and
scratch files (a large export's sheets, selftest's copy of the database) stay in the
app's own folder, where a process killed halfway leaves them for the next start to
remove, never in the system's temporary folder."""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from branchdesk import paths
from branchdesk.drafts import Drafts, prune

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's; Windows keeps the data in the profile")

FULL_ID = re.compile(rb"(?<!\d)\d{17}[\dX](?!\d)")
FULL_MOBILE = re.compile(rb"(?<!\d)1[3-9]\d{9}(?!\d)")


def run(*args: str, data: Path, tmp: Path, cwd: Path | None = None, timeout: float = 180,
        wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    """The command in a process of its own, with its own data folder and its own system
    temporary folder (so what it leaves there can be seen)."""
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(data), TMPDIR=str(tmp),
               TEMP=str(tmp), TMP=str(tmp), PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-m", "branchdesk", *args]
    if not wait:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files_with_numbers(folder: Path) -> list[str]:
    """Files under folder holding a whole ID number or mobile."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            data = Path(root, name).read_bytes()
            if FULL_ID.search(data) or FULL_MOBILE.search(data):
                found.append(str(Path(root, name).relative_to(folder)))
    return found


def assert_log_and_drafts_hold_no_numbers(data: Path) -> None:
    for log in data.glob("branchdesk.log*"):
        text = log.read_bytes()
        assert not FULL_ID.search(text) and not FULL_MOBILE.search(text), log
    if (data / "drafts").exists():
        assert files_with_numbers(data / "drafts") == []


# ---- the data folder ------------------------------------------------------------------------------
@posix_only
def test_the_data_folder_the_database_its_backups_and_the_log_are_the_users_alone(tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "systemp"
    assert run("demo", data=data, tmp=tmp).returncode == 0  # the default database, made here
    done = run("meetings", data=data, tmp=tmp)  # opening it again makes the day's backup
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    assert mode(data / "branchdesk.db") == 0o600
    assert mode(data / "branchdesk.log") == 0o600
    backups = list((data / "backups").iterdir())
    assert backups and mode(data / "backups") == 0o700
    assert {mode(b) for b in backups} == {0o600}
    assert mode(data / "tmp") == 0o700 and list((data / "tmp").iterdir()) == []  # each process took its scratch away
    assert list(tmp.iterdir()) == []  # nothing in the system's temporary folder
    assert_log_and_drafts_hold_no_numbers(data)


@posix_only
def test_a_data_folder_an_older_version_left_open_is_tightened_at_start(tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "systemp"
    (data / "backups").mkdir(parents=True)
    draft_folder = data / "drafts" / "branchdesk-0123456789"
    draft_folder.mkdir(parents=True)
    made = {
        data / "branchdesk.log": "2026-01-01 INFO branchdesk: started\n",
        data / "settings.ini": "[window]\npage=2\n",
        data / "branchdesk.db": "",
        data / "backups" / "branchdesk-20260101-090000-000000-daily.db": "",
        draft_folder / "MemberForm-new.json": json.dumps({"saved_at": datetime.now().isoformat(timespec="seconds"),
                                                          "values": {"name": "王小明"}, "extra": {}}),
        data / "笔记.txt": "her own file",
    }
    for file, text in made.items():
        file.write_text(text, encoding="utf-8")
        file.chmod(0o644)
    for folder in (data, data / "backups", data / "drafts", draft_folder):
        folder.chmod(0o755)
    done = run("charts", data=data, tmp=tmp)  # a command that does not even open the database
    assert done.returncode == 0, done.stderr
    for folder in (data, data / "backups", data / "drafts", draft_folder):
        assert mode(folder) == 0o700, folder
    for file in made:
        if file.name != "笔记.txt":
            assert mode(file) == 0o600, file
    assert mode(data / "笔记.txt") == 0o644  # not the app's: left alone (the folder keeps it private)


@posix_only
def test_a_read_only_data_folder_is_not_made_writable(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    try:
        paths.private_dir(data)
        assert mode(data) == 0o500  # others lose what they had; the owner gains nothing
    finally:
        data.chmod(0o700)


# ---- drafts -----------------------------------------------------------------------------------------
@posix_only
def test_a_draft_is_written_for_its_owner_only(tmp_path):
    drafts = Drafts(tmp_path / "drafts" / "branchdesk-0123456789")
    drafts.save("MemberForm-13", {"name": "王小明", "id_number": "420302198001010002"})
    file = drafts.folder / "MemberForm-13.json"
    assert mode(file) == 0o600 and mode(drafts.folder) == 0o700 and mode(tmp_path / "drafts") == 0o700
    file.chmod(0o644)  # written by an older version
    drafts.save("MemberForm-13", {"name": "王小明"})
    assert mode(file) == 0o600


def write_draft(folder: Path, key: str, saved_at: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"{key}.json"
    file.write_text(json.dumps({"saved_at": saved_at.isoformat(timespec="seconds"),
                                "values": {"id_number": "420302198001010002", "phone": "13900000000"},
                                "extra": {}}), encoding="utf-8")
    return file


def test_drafts_older_than_a_month_are_removed(tmp_path):
    root = tmp_path / "drafts"
    now = datetime(2026, 11, 30, 9, 0)
    old = write_draft(root / "a-0123456789", "MemberForm-13", now - timedelta(days=31))
    recent = write_draft(root / "a-0123456789", "MemberForm-new", now - timedelta(days=29))
    lonely = write_draft(root / "b-0123456789", "LeaderForm-4", now - timedelta(days=400))
    damaged = root / "a-0123456789" / "MemberForm-7.json"
    damaged.write_text('{"values": {"name": "王', encoding="utf-8")
    cut = root / "a-0123456789" / ".~MemberForm-9.json.4242-1.tmp.json"  # a write a kill cut short
    cut.write_text('{"values"', encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(cut, (two_hours_ago, two_hours_ago))
    assert prune(root, now=now) == 2
    assert recent.exists() and damaged.exists()  # a damaged one goes by its file's time: written just now
    assert not old.exists() and not lonely.exists() and not cut.exists()
    assert not lonely.parent.exists()  # a folder left empty goes too
    recent.unlink()
    damaged.unlink()
    assert prune(root, now=now) == 0 and not root.exists()  # and the drafts folder itself: a start then looks no further


def test_a_start_removes_month_old_drafts(tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "systemp"
    old = write_draft(data / "drafts" / "branchdesk-0123456789", "MemberForm-13", datetime.now() - timedelta(days=45))
    fresh = write_draft(data / "drafts" / "branchdesk-0123456789", "MemberForm-new", datetime.now())
    assert run("charts", data=data, tmp=tmp).returncode == 0
    assert not old.exists() and fresh.exists()


@posix_only
def test_a_form_keeps_its_draft_private_and_only_until_it_is_saved(qtbot, tmp_path, monkeypatch):
    from ui_helpers import build_org, id_number, make_store

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDialog

    from branchdesk.ui import forms
    from branchdesk.ui.qtenv import setup_application

    data = tmp_path / "data"
    monkeypatch.setenv("BRANCHDESK_DATA_DIR", str(data))
    monkeypatch.setattr(forms, "DRAFT_EVERY_MS", 50)
    setup_application(QApplication.instance())
    store = make_store(tmp_path / "db")
    try:
        build_org(store)
        form = forms.MemberForm(store)
        qtbot.addWidget(form, before_close_func=lambda w: w.done(QDialog.DialogCode.Rejected))
        form.show()
        qtbot.waitExposed(form)
        number = id_number("19650312", "123")
        for key, text in (("id_number", number), ("phone", "13912345678")):
            widget = form.inputs[key].focus_widget
            widget.setFocus(Qt.FocusReason.MouseFocusReason)
            qtbot.keyClicks(widget, text)
        qtbot.waitUntil(lambda: (d := form.drafts.load(form.draft_key)) is not None
                        and d.values.get("phone") == "13912345678")
        file = form.drafts.folder / f"{form.draft_key}.json"
        assert mode(file) == 0o600
        assert mode(form.drafts.folder) == 0o700 and mode(data / "drafts") == 0o700
        assert number.encode() in file.read_bytes()  # while it is needed, the whole number is there
        form.done(QDialog.DialogCode.Rejected)  # thrown away on purpose
        assert files_with_numbers(data / "drafts") == []
    finally:
        store.close()


# ---- scratch files ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """The demo with 5,000 more members: an export long enough to be killed halfway."""
    from branchdesk.services.demo import fill_bulk, fill_demo
    from branchdesk.store import open_store

    path = tmp_path_factory.mktemp("big") / "branchdesk.db"
    with open_store(path, create=True) as store:
        with store.transaction() as session:
            fill_demo(session)
        with store.transaction() as session:
            fill_bulk(session, 5000)
    open_store(path).close()  # the day's backup is made here, not in the timed commands
    return path


def scratch_files(data: Path, *, larger_than: int = 0) -> list[Path]:
    root = data / "tmp"
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")
            and p.stat().st_size > larger_than]


def start_export_and_wait_for_its_scratch(big_db: Path, data: Path, tmp: Path, out: Path) -> subprocess.Popen:
    export = run("--db", str(big_db), "export", "members", "--full", str(out), data=data, tmp=tmp, wait=False)
    deadline = time.monotonic() + 120
    while not scratch_files(data, larger_than=256 * 1024):
        if export.poll() is not None or time.monotonic() > deadline:
            export.kill()
            pytest.fail(f"the export ended before its scratch file was seen: {export.communicate()}")
        time.sleep(0.01)
    return export


def test_a_killed_export_leaves_no_id_numbers_in_the_system_temp_folder(big_db, tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "systemp"
    export = start_export_and_wait_for_its_scratch(big_db, data, tmp, tmp_path / "名册.xlsx")
    export.kill()  # SIGKILL: nothing of the process runs after it
    export.communicate(timeout=60)
    left = scratch_files(data)
    assert left, "the killed export left no scratch file: nothing was tested"
    assert any(FULL_ID.search(p.read_bytes()) for p in left)  # what it was worth hiding
    if os.name == "posix":
        assert {mode(p) for p in left} == {0o600} and {mode(p.parent) for p in left} == {0o700}
    assert files_with_numbers(tmp) == []  # the system's temporary folder never saw them
    assert not (tmp_path / "名册.xlsx").exists()

    done = run("charts", data=data, tmp=tmp)  # the next start, whatever the command
    assert done.returncode == 0, done.stderr
    assert list((data / "tmp").iterdir()) == []
    assert_log_and_drafts_hold_no_numbers(data)


def test_a_start_leaves_a_running_exports_scratch_alone(big_db, tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "systemp"
    out = tmp_path / "名册.xlsx"
    export = start_export_and_wait_for_its_scratch(big_db, data, tmp, out)
    try:
        seen = scratch_files(data)
        assert run("charts", data=data, tmp=tmp).returncode == 0  # another command starts and ends meanwhile
        assert all(p.exists() for p in seen if export.poll() is None)
        _out, err = export.communicate(timeout=180)
    finally:
        if export.poll() is None:
            export.kill()
    assert export.returncode == 0, err.decode("utf-8", "replace")
    assert out.exists() and list((data / "tmp").iterdir()) == []
    assert files_with_numbers(tmp) == []


def test_selftest_copies_the_database_into_the_apps_own_scratch_folder(qapp, store, monkeypatch):
    import sqlite3

    from branchdesk.ui import selftest

    opened: list[str] = []
    connect = sqlite3.connect

    def tracked(database, *args, **kwargs):
        if sys._getframe(1).f_globals.get("__name__") == selftest.__name__:
            opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", tracked)
    results: list[tuple[bool, str]] = []
    selftest._check_outputs(store, lambda ok, text: results.append((ok, text)))
    assert all(ok for ok, _text in results), results
    copies = [Path(p) for p in opened if Path(p) != store.path]
    assert copies and all(paths.temp_dir() in c.parents for c in copies)


def test_a_scratch_folder_of_a_process_that_is_gone_is_removed(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    (root / "4242-deadbeef").mkdir()
    (root / "4242-deadbeef" / "openpyxl.abc").write_text("420302198001010002")
    (root / "4242-deadbeef.lock").write_text("")  # nobody holds it
    (root / "4343-0badf00d").mkdir()  # a folder without its lock: a cleaner stopped halfway
    assert paths.clean_temp_root(root) == 2
    assert list(root.iterdir()) == []


# ---- the log ------------------------------------------------------------------------------------------
LOGGING = """
import logging
from branchdesk import cli
assert cli._setup_logging()
log = logging.getLogger("branchdesk.test")
log.warning("row %s: %s, %s", 7, "42030219800101000X", "13912345678")
log.info("the phone 139-1234-5678 and +86 13900000000 and the id 420302198001010002")
try:
    raise ValueError("cannot read 420302198001010002 or 13900000000")
except ValueError:
    log.exception("import failed")
"""


def test_the_log_masks_id_numbers_and_phones_in_messages_and_tracebacks(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env = dict(os.environ, BRANCHDESK_DATA_DIR=str(data), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-c", LOGGING], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = (data / "branchdesk.log").read_text(encoding="utf-8")
    assert "row 7: 420302********000X, 139****5678" in text
    assert "ValueError: cannot read 420302********0002 or 139****0000" in text  # the traceback too
    assert "the phone 139****5678 and +86 139****0000 and the id 420302********0002" in text
    assert_log_and_drafts_hold_no_numbers(data)
    if os.name == "posix":
        assert mode(data / "branchdesk.log") == 0o600
