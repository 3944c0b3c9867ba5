"""Every file the app writes is written safely: beside the target, flushed, checked and
only then put in its place (safefile). A failure keeps the file that was there, leaves
no temporary file behind and is said in one Chinese sentence.

The command-line cases run the real program with its output folder on a full disk: a
small tmpfs filled up when the tests run as root and may mount one, otherwise a file
size limit in the child (the write then fails with EFBIG instead of ENOSPC).
BRANCHDESK_TEST_FULL_DISK=rlimit forces the second way."""
from __future__ import annotations

import errno
import io
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from branchdesk.drafts import Drafts
from branchdesk.safefile import (
    IncompleteFile,
    WriteFailed,
    check_for,
    check_pdf,
    check_png,
    check_xlsx,
    replacing,
    temp_name,
    write_bytes,
    write_error_text,
)


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xb0\x20\x20")) + chunk(b"IEND", b""))


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "联系电话"])
    wb.active.append(["张三", "138****8000"])
    made = io.BytesIO()
    wb.save(made)
    return made.getvalue()


OLD_PDF = b"%PDF-1.4\n% last week's roster, printed and handed out\n%%EOF\n"
NEW_PDF = b"%PDF-1.7\n% this week's roster\n" + b"0" * 5000 + b"\n%%EOF\n"
OLD_PNG = _png_1x1()
OLD_XLSX = _xlsx()


def others(folder: Path, *keep: str) -> list[str]:
    """What is in the folder besides the files named: a temporary file left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# ---- the helper ---------------------------------------------------------------------------------------
def test_a_finished_write_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "党员名册.pdf"
    target.write_bytes(OLD_PDF)
    os.chmod(target, 0o600)  # kept readable by its owner only: stays so
    with replacing(target, check=check_pdf) as temp:
        assert temp.parent == target.parent and temp.name.startswith(".~") and temp.suffix == ".pdf"
        temp.write_bytes(NEW_PDF)
        assert target.read_bytes() == OLD_PDF  # nothing changes before the block ends
    assert target.read_bytes() == NEW_PDF
    assert others(tmp_path, target.name) == []
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600
    write_bytes(tmp_path / "新.pdf", NEW_PDF, check=check_pdf)  # a new file: the same way
    assert (tmp_path / "新.pdf").read_bytes() == NEW_PDF and others(tmp_path, target.name, "新.pdf") == []


@pytest.mark.parametrize("error", [ValueError("a bug half-way"), KeyboardInterrupt(),
                                   OSError(errno.ENOSPC, "No space left on device")],
                         ids=["error", "interrupted", "disk-full"])
def test_a_failure_inside_the_block_keeps_the_old_file_byte_for_byte(tmp_path, error):
    target = tmp_path / "党员名册.pdf"
    target.write_bytes(OLD_PDF)
    expected = WriteFailed if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as raised, replacing(target, check=check_pdf) as temp:
        temp.write_bytes(NEW_PDF[:100])  # half a file
        raise error
    assert target.read_bytes() == OLD_PDF
    assert others(tmp_path, target.name) == []
    if isinstance(error, OSError):  # still an OSError with its errno, said in Chinese
        assert raised.value.errno == errno.ENOSPC and raised.value.__cause__ is error
        assert str(raised.value) == "无法写入“党员名册.pdf”：磁盘空间不足，请清理磁盘或换一个位置后再试。"
    else:
        assert raised.value is error


@pytest.mark.parametrize("suffix, check, bad", [
    (".pdf", check_pdf, NEW_PDF[:-8]),  # cut before %%EOF
    (".pdf", check_pdf, b""),
    (".png", check_png, OLD_PNG[:-12]),  # no IEND
    (".xlsx", check_xlsx, OLD_XLSX[: len(OLD_XLSX) // 2]),  # no central directory
])
def test_a_failed_check_keeps_the_old_file(tmp_path, suffix, check, bad):
    target = tmp_path / f"旧{suffix}"
    old = {".pdf": OLD_PDF, ".png": OLD_PNG, ".xlsx": OLD_XLSX}[suffix]
    target.write_bytes(old)
    with pytest.raises(WriteFailed, match="写出的文件不完整"):
        write_bytes(target, bad, check=check)
    assert target.read_bytes() == old and others(tmp_path, target.name) == []


def test_a_block_that_writes_nothing_fails(tmp_path):
    target = tmp_path / "报告.pdf"
    target.write_bytes(OLD_PDF)
    with pytest.raises(WriteFailed), replacing(target):
        pass
    assert target.read_bytes() == OLD_PDF and others(tmp_path, target.name) == []


def test_the_checks_take_whole_files_and_refuse_cut_ones(tmp_path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([1, 2, 3])
    for suffix in (".png", ".pdf"):
        drawn = io.BytesIO()
        figure.savefig(drawn, format=suffix[1:])
        whole, cut = tmp_path / f"whole{suffix}", tmp_path / f"cut{suffix}"
        whole.write_bytes(drawn.getvalue())
        cut.write_bytes(drawn.getvalue()[:-40])
        check_for(whole)(whole)
        with pytest.raises(IncompleteFile):
            check_for(cut)(cut)
    (tmp_path / "book.xlsx").write_bytes(OLD_XLSX)
    check_xlsx(tmp_path / "book.xlsx")
    (tmp_path / "zip.xlsx").write_bytes(_zip_without_content_types())
    with pytest.raises(IncompleteFile):
        check_xlsx(tmp_path / "zip.xlsx")
    check_png(_write(tmp_path / "old.png", OLD_PNG))
    check_pdf(_write(tmp_path / "old.pdf", OLD_PDF))
    assert check_for("draft.json") is None and check_for("X.PDF") is check_pdf


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip_without_content_types() -> bytes:
    import zipfile

    made = io.BytesIO()
    with zipfile.ZipFile(made, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    return made.getvalue()


def test_temporary_names_are_hidden_unique_and_fit_a_long_name(tmp_path):
    target = tmp_path / "光明社区党员名册.pdf"
    first, second = temp_name(target), temp_name(target)
    assert first != second and first.parent == tmp_path and first.name.startswith(".~") and first.suffix == ".pdf"
    long = tmp_path / ("很长的文件名" * 13 + ".xlsx")  # 78 characters, 238 bytes: as long as a name may be
    assert len(temp_name(long).name.encode("utf-8")) <= 255 and temp_name(long).suffix == ".xlsx"


@pytest.mark.parametrize("code, says", [
    (errno.ENOSPC, "磁盘空间不足，请清理磁盘"),
    (getattr(errno, "EDQUOT", errno.ENOSPC), "磁盘空间不足"),
    (errno.EFBIG, "文件太大"),
    (errno.EACCES, "没有写入权限，或文件正在 PDF 阅读器中打开"),
    (errno.EPERM, "没有写入权限"),
    (errno.EROFS, "只读"),
    (errno.EISDIR, "是一个文件夹"),
    (errno.ENOENT, "不存在"),
    (errno.EIO, "磁盘读写出错"),
    (errno.EBUSY, f"系统错误代码 {errno.EBUSY}"),
])
def test_a_write_error_is_one_chinese_sentence_naming_the_file(tmp_path, code, says):
    text = write_error_text(tmp_path / "党员名册.pdf", OSError(code, os.strerror(code), "/x/.~党员名册.pdf.1.tmp.pdf"))
    assert text.startswith("无法写入“党员名册.pdf”：") and says in text and text.endswith("。")
    assert "\n" not in text and "Errno" not in text and os.strerror(code) not in text and ".tmp" not in text
    assert str(WriteFailed(tmp_path / "党员名册.pdf", OSError(code, os.strerror(code)))) == text


def test_a_draft_that_cannot_be_written_is_logged_and_leaves_nothing(tmp_path, caplog):
    drafts = Drafts(tmp_path)
    drafts.save("MemberForm-1", {"name": "王小明"})
    (tmp_path / "MemberForm-2.json").mkdir()  # where the draft goes is in the way
    drafts.save("MemberForm-2", {"name": "李娟"})  # logged, not raised
    assert "could not write the draft MemberForm-2" in caplog.text
    assert others(tmp_path, "MemberForm-1.json", "MemberForm-2.json") == []
    assert drafts.load("MemberForm-1").values == {"name": "王小明"}


# ---- the command line on a full disk --------------------------------------------------------------------
FILLER = "filler"
KEEP_FREE = 4096  # bytes left on the full disk: less than any file the commands write
FILE_LIMIT = 40_000  # bytes a file may grow to without the tmpfs: above SQLite's 32 KB -shm, below the outputs


def run(*args: str, data_dir: Path, preexec=None, timeout: float = 90) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "branchdesk", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, preexec_fn=preexec)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A folder with the demo database and its backups folder, made once for the module.
    Opened once, so the day's backup is made here and not in a child with a file size limit."""
    from branchdesk.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    done = run("--db", str(folder / "branchdesk.db"), "demo", data_dir=tmp_path_factory.mktemp("demo-data"),
               timeout=180)
    assert done.returncode == 0, done.stderr
    open_store(folder / "branchdesk.db", create=False).close()
    return folder


@pytest.fixture
def db(demo, tmp_path) -> Path:
    shutil.copytree(demo, tmp_path / "db")
    return tmp_path / "db" / "branchdesk.db"


class FullDisk:
    def __init__(self, folder: Path, mounted: bool):
        self.folder = folder
        self.mounted = mounted

    def fill(self) -> None:
        """Leave only KEEP_FREE bytes on the tmpfs (after the old file is in place)."""
        if not self.mounted:
            return
        st = os.statvfs(self.folder)
        with open(self.folder / FILLER, "wb") as f:
            f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - KEEP_FREE))
        st = os.statvfs(self.folder)
        assert st.f_bavail * st.f_frsize <= 4 * KEEP_FREE

    @property
    def preexec(self):
        return None if self.mounted else _limit_file_size


def _limit_file_size() -> None:  # in the child, before the program starts
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, no kill
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, hard))


def _mount_tmpfs(folder: Path) -> bool:
    if os.environ.get("BRANCHDESK_TEST_FULL_DISK") == "rlimit" or not sys.platform.startswith("linux"):
        return False
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True,
                          timeout=30)
    return done.returncode == 0


@pytest.fixture
def full_disk(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    if _mount_tmpfs(folder):
        try:
            yield FullDisk(folder, mounted=True)
        finally:
            if subprocess.run(["umount", str(folder)], capture_output=True, timeout=30).returncode != 0:
                subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)
        return
    pytest.importorskip("resource", reason="neither a tmpfs nor a file size limit can make a full disk here")
    yield FullDisk(folder, mounted=False)


COMMANDS = {  # what runs, the file it writes, what was there before
    "print": (("print", "roster", "members", "--pdf"), "党员名册.pdf", OLD_PDF),
    "chart": (("chart", "issues-steps", "--out"), "五事制办理进度.png", OLD_PNG),
    "report": (("report", "--pdf"), "统计报告.pdf", OLD_PDF),
    "export": (("export", "members"), "党员花名册.xlsx", OLD_XLSX),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_keeps_the_previous_file_and_says_so_in_one_sentence(db, full_disk, command):
    args, name, old = COMMANDS[command]
    if command == "export" and not full_disk.mounted:
        args = ("export", "households")  # the members' export of the demo is smaller than FILE_LIMIT
    out = full_disk.folder / name
    out.write_bytes(old)
    check_for(out)(out)  # the previous file is a good one
    full_disk.fill()
    done = run("--db", str(db), *args, str(out), data_dir=db.parent / "data", preexec=full_disk.preexec)
    err = done.stderr.strip()
    assert done.returncode == 1, (done.returncode, done.stdout, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "Errno" not in err, err
    assert err.startswith(f"无法写入“{name}”：") and ("磁盘空间不足" in err or "文件太大" in err), err
    assert "已把" not in done.stdout and "已导出" not in done.stdout  # no success claimed
    assert out.read_bytes() == old
    assert others(full_disk.folder, name, FILLER) == []
