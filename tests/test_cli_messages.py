"""Every refusal of the command line is one Chinese sentence: a non-zero exit, one line on
stderr with no English from Python or the system in it (Error, Traceback, Permission
denied, PosixPath…), and nothing changed: no file written, no backup made, the database
as it was."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENGLISH = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"branchdesk", "db", "backups", "Excel", "PDF", "PNG", "WPS", "xlsx", "pdf", "png"}


def run(*args: str, data: Path, cwd: Path, timeout: float = 180, preexec=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(data), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "branchdesk", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, preexec_fn=preexec)


def english_in(text: str) -> set[str]:
    """English words in a sentence, leaving out the names it quotes (“…”) and the options it names."""
    text = re.sub(r"“[^”]*”", "", text)
    text = re.sub(r"--[a-z-]+", "", text)
    return set(ENGLISH.findall(text)) - ALLOWED


def assert_one_chinese_sentence(done: subprocess.CompletedProcess, *, code: int | None = None) -> str:
    err = done.stderr.strip()
    assert done.returncode != 0 and (code is None or done.returncode == code), (done.returncode, done.stdout, err)
    assert len(err.splitlines()) == 1, err
    assert re.search(r"[\u4e00-\u9fff]", err) and err.endswith("。"), err
    for word in ("Error", "Traceback", "Permission", "PosixPath", "Errno", "denied", "directory", "readonly",
                 "sqlite", "range"):
        assert word not in err, err
    assert english_in(err) == set(), err
    assert "已导出" not in done.stdout and "已把" not in done.stdout and "已生成" not in done.stdout
    return err


def snapshot(*folders: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every file under the folders with its size, time and (if small) content."""
    seen = {}
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root, name)
                st = path.stat()
                seen[str(path)] = (st.st_size, st.st_mtime_ns, path.read_bytes() if st.st_size < 65536 else None)
    return seen


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A folder with the demo database and today's backup."""
    from branchdesk.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    done = run("--db", str(folder / "branchdesk.db"), "demo", data=tmp_path_factory.mktemp("demo-data"), cwd=folder)
    assert done.returncode == 0, done.stderr
    open_store(folder / "branchdesk.db", create=False).close()  # the day's backup
    return folder


@pytest.fixture
def db(demo, tmp_path) -> Path:
    shutil.copytree(demo, tmp_path / "db")
    (tmp_path / "work").mkdir()
    (tmp_path / "data").mkdir()
    return tmp_path / "db" / "branchdesk.db"


REFUSED = {  # the command after --db DB; what the one sentence says
    "an empty file name": (("export", "members", ""), "文件名是空的"),
    "a folder as the file": (("export", "members", "../db"), "“../db”是一个文件夹"),
    "a csv name for an export": (("export", "members", "out.csv"), "“out.csv”的类型不对"),
    "a png name for a template": (("template", "members", "模板.png"), ".xlsx 结尾"),
    "an xlsx name for a report": (("report", "--pdf", "报告.xlsx"), ".pdf 结尾"),
    "an xlsx name for a printout": (("print", "roster", "members", "--pdf", "名册.xlsx"), ".pdf 结尾"),
    "a jpg name for a chart": (("chart", "issues-steps", "--out", "图.jpg"), ".png 或 .pdf 结尾"),
    "a folder that is not there": (("report", "--pdf", "无此文件夹/报告.pdf"), "保存位置“无此文件夹”不存在"),
    "a date past the range": (("report", "--pdf", "报告.pdf", "--to", "9999-12-31"), "日期 9999-12-31 超出范围"),
    "a date that does not exist": (("chart", "issues-steps", "--out", "图.png", "--from", "2026-02-30"), "不是存在的日期"),
    "the end before the start": (("report", "--pdf", "报告.pdf", "--from", "2026-06-01", "--to", "2026-01-01"),
                                 "早于开始日期"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_wrong_argument_is_one_sentence_and_changes_nothing(db, case):
    args, says = REFUSED[case]
    work = db.parent.parent / "work"
    before = snapshot(db.parent, work)
    done = run("--db", str(db), *args, data=db.parent.parent / "data", cwd=work)
    err = assert_one_chinese_sentence(done, code=2)
    assert says in err, err
    assert snapshot(db.parent, work) == before  # no file written, no backup made


def test_a_name_without_its_type_gets_it(db):
    work = db.parent.parent / "work"
    done = run("--db", str(db), "export", "building-leaders", "楼栋长", data=db.parent.parent / "data", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "“楼栋长.xlsx”" in done.stdout and (work / "楼栋长.xlsx").is_file()


# ---- an empty file given as the database ---------------------------------------------------------------
@pytest.mark.parametrize("command", [("meetings",), ("export", "members", "名册.xlsx"), ("selftest",),
                                     ("template", "members", "模板.xlsx"), ("open",)])
def test_an_empty_file_is_not_taken_for_a_new_database(tmp_path, command):
    empty = tmp_path / "空.db"
    empty.write_bytes(b"")
    done = run("--db", str(empty), *command, data=tmp_path / "data", cwd=tmp_path, timeout=60)
    err = assert_one_chinese_sentence(done, code=2)
    assert err.startswith(f"数据库文件“{empty}”是空的（0 字节）"), err
    assert empty.read_bytes() == b"" and not (tmp_path / "backups").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "空.db"]


def test_demo_may_fill_an_empty_file(tmp_path):
    empty = tmp_path / "新.db"
    empty.write_bytes(b"")
    done = run("--db", str(empty), "demo", data=tmp_path / "data", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert empty.stat().st_size > 0


# ---- what the system refuses ------------------------------------------------------------------------
def _without_root_override() -> None:
    """In the child, before the program starts: root ignores permission bits unless it gives
    up the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl")


@pytest.fixture
def as_a_user(tmp_path):
    """What makes permission bits bind in a child: nothing for a user; for root, the child
    gives up its override. Skipped where neither can be had (Windows, a root without it)."""
    if os.name != "posix":
        pytest.skip("permission bits are POSIX's")
    preexec = None if os.geteuid() != 0 else _without_root_override
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"], capture_output=True,
                              preexec_fn=preexec, timeout=60)
    except subprocess.SubprocessError:
        done = None
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe)
    if done is None or done.returncode == 0:
        pytest.skip("a read-only folder cannot be made here")
    return preexec


WRITTEN = {  # the command and the file it writes
    "export": ("export", "members", "{out}/名册.xlsx"),
    "template": ("template", "members", "{out}/模板.xlsx"),
    "print": ("print", "roster", "members", "--pdf", "{out}/名册.pdf"),
    "report": ("report", "--pdf", "{out}/报告.pdf"),
    "chart": ("chart", "issues-steps", "--out", "{out}/图.png"),
}


@pytest.mark.parametrize("command", WRITTEN)
def test_a_folder_without_write_permission_is_said_in_chinese(db, as_a_user, command):
    out = db.parent.parent / "只读"
    out.mkdir()
    out.chmod(0o555)
    try:
        args = [a.format(out=out) for a in WRITTEN[command]]
        done = run("--db", str(db), *args, data=db.parent.parent / "data", cwd=db.parent.parent, preexec=as_a_user)
    finally:
        out.chmod(0o755)
    err = assert_one_chinese_sentence(done, code=1)
    assert err.startswith(f"无法写入“{Path(args[-1]).name}”：没有写入权限"), err
    assert list(out.iterdir()) == []


@pytest.fixture
def read_only_data(tmp_path, as_a_user):
    """The data folder with the default database and today's backup in it, made read-only;
    no log file, so none can be opened."""
    from branchdesk.store import open_store

    data = tmp_path / "data"
    done = run("demo", data=data, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    open_store(data / "branchdesk.db").close()  # today's backup
    (data / "branchdesk.log").unlink()
    data.chmod(0o555)
    yield data, as_a_user
    data.chmod(0o700)


@pytest.mark.parametrize("command", [("--db", "{data}/branchdesk.db", "meetings"), ("export", "members", "名册.xlsx"),
                                     ("chart", "issues-steps", "--out", "图.png"), ("selftest",)])
def test_a_read_only_data_folder_is_one_sentence_and_no_dialog(read_only_data, tmp_path, command):
    data, preexec = read_only_data
    before = snapshot(data)
    args = [a.format(data=data) for a in command]
    done = run(*args, data=data, cwd=tmp_path, preexec=preexec, timeout=120)  # selftest: never waits for a click
    err = assert_one_chinese_sentence(done, code=2)
    assert "只读" in err and "branchdesk.db" in err, err
    assert snapshot(data) == before
    assert not (tmp_path / "名册.xlsx").exists() and not (tmp_path / "图.png").exists()


def test_template_makes_do_without_a_database_in_a_read_only_folder(read_only_data, tmp_path):
    data, preexec = read_only_data
    done = run("template", "issues", "问题模板.xlsx", data=data, cwd=tmp_path, preexec=preexec)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "问题模板.xlsx").is_file()
    assert done.stderr.startswith("数据库现在无法打开，模板中的类别列没有下拉选项") and english_in(done.stderr) == set()


# ---- what no command caught -------------------------------------------------------------------------
@pytest.mark.parametrize("error, says", [
    (ValueError("PosixPath('.') has an empty name"), "程序出错，命令没有完成。"),
    (OverflowError("date value out of range"), "程序出错，命令没有完成。"),
    (RuntimeError("导出的空名册读不出来"), "程序出错：导出的空名册读不出来，命令没有完成。"),
    (PermissionError(13, "Permission denied", "/srv/名册.xlsx"), "读写“名册.xlsx”时出错：没有权限"),
    (IsADirectoryError(21, "Is a directory", "/srv/名册"), "读写“名册”时出错：这是一个文件夹"),
    (OSError(28, "No space left on device", "/srv/名册.xlsx"), "读写“名册.xlsx”时出错：磁盘空间不足"),
])
def test_an_unexpected_error_is_told_in_chinese(error, says):
    from branchdesk.cli import _unexpected_text

    for logged in (True, False):
        text = _unexpected_text(error, logged)
        assert text.startswith(says) and len(text.splitlines()) == 1, text
        assert english_in(text) <= {"log"}, text  # branchdesk.log, named when it was written


# ---- selftest never waits for a person ----------------------------------------------------------------
def test_selftest_closes_a_dialog_and_counts_it_as_a_failure(qapp, tmp_path, monkeypatch):
    from branchdesk import store as store_module
    from branchdesk.ui import selftest

    path = tmp_path / "branchdesk.db"
    store_module.open_store(path, create=True).close()
    opened = store_module.open_store

    def with_a_notice(*args, **kwargs):
        store = opened(*args, **kwargs)
        store.notice = "数据库上次升级时被中断，已用备份恢复。"  # the window shows this in a message box
        return store

    monkeypatch.setattr(store_module, "open_store", with_a_notice)
    said: list[str] = []
    code = selftest.run_selftest(path, create=False, startup_only=True, out=said.append)
    assert code == 1
    assert any("对话框“数据库已修复”" in line and "已用备份恢复" in line for line in said), said
