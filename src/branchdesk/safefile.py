"""Writing a file the user keeps (a PDF, a chart, an Excel export, a draft) so that a
full disk, a pulled USB stick or a crash never leaves half a file where a good one was.

    with replacing(target, check=check_pdf) as temp:
        write_the_file(temp)

    write_bytes(target, data, check=check_xlsx)   # a file made in memory

The file is written under a temporary name in the target's own folder (the same disk,
so the final rename is atomic), flushed to the disk, checked, and only then put in the
target's place. On any error the temporary file is removed, the target is left exactly
as it was and the error propagates; an OSError propagates as WriteFailed, whose str()
is one Chinese sentence naming the file. Plain Python: no Qt here.
"""
from __future__ import annotations

import errno
import itertools
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_serial = itertools.count(1)  # two writes of one target in one process never share a temporary name
_TEMP_NAME_CHARS = 60  # of the target's name in the temporary one: long Chinese names stay under 255 bytes


class IncompleteFile(OSError):
    """A check found the written file unusable (empty, cut short, not what its type says)."""


class WriteFailed(OSError):
    """A file could not be written. Keeps the errno of the cause; str() is the sentence
    for the user (write_error_text) and strerror its reason, both in Chinese."""

    def __init__(self, path: Path | str, cause: BaseException):
        reason, _advice = _reason(Path(path), cause)
        super().__init__(getattr(cause, "errno", None), reason, str(path))
        self.path = Path(path)
        self.cause = cause
        self.sentence = write_error_text(path, cause)

    def __str__(self) -> str:
        return self.sentence


def temp_name(target: Path | str) -> Path:
    """Where the file is written before it takes the target's place: the same folder, a
    hidden name of this process, and the target's suffix (libraries choose the format
    by it), e.g. `.~名册.pdf.4242-1.tmp.pdf`."""
    target = Path(target)
    return target.with_name(f".~{target.name[:_TEMP_NAME_CHARS]}.{os.getpid()}-{next(_serial)}.tmp{target.suffix}")


@contextmanager
def replacing(target: Path | str, *, check: Callable[[Path], object] | None = None,
              mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write the file to; when the block ends without error,
    flush it to the disk, run check(temp) (which raises on a bad file), keep the old
    file's permissions (or give it `mode`, on POSIX: 0o600 for a file its owner alone
    may read) and put it in the target's place in one step. On any error (KeyboardInterrupt
    too) remove the temporary file, leave the target as it was and re-raise: an OSError
    as WriteFailed (chained to it), anything else unchanged."""
    target = Path(target)
    if target.is_symlink():  # write where the link points, as opening the link would
        target = target.resolve()
    temp = temp_name(target)
    try:
        with suppress(OSError):
            temp.unlink()  # left by an earlier process that had the same id
        yield temp
        if not temp.is_file():
            raise IncompleteFile(f"nothing was written to {temp}")
        _fsync_file(temp)
        if check is not None:
            check(temp)
        if mode is None:
            _keep_mode(target, temp)
        elif os.name != "nt":
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as exc:
        with suppress(OSError):
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, WriteFailed):
            raise WriteFailed(target, exc) from exc
        raise
    _fsync_folder(target.parent)


def write_bytes(target: Path | str, data: bytes, *, check: Callable[[Path], object] | None = None,
                mode: int | None = None) -> None:
    """Put data in the target's place through replacing(). A file made in memory first
    (openpyxl's zip, matplotlib's PDF, Qt's PDF) and written here in one go fails with
    the real reason; a library writing to the disk itself may hide the full disk, or
    leave a half-closed file that complains again when it is collected. mode: see replacing()."""
    with replacing(target, check=check, mode=mode) as temp:
        if mode is not None and os.name != "nt":  # private from its first byte, not only once in place
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), mode)
            with open(fd, "wb") as f:
                f.write(data)
        else:
            temp.write_bytes(data)


def _fsync_file(path: Path) -> None:
    # Windows flushes only through a handle that may write
    fd = os.open(path, os.O_RDWR if os.name == "nt" else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a folder for this).
    The new file is already in place: a folder that cannot be synced is no failure."""
    if os.name == "nt":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _keep_mode(target: Path, temp: Path) -> None:
    """A roster kept readable by its owner only stays so after it is written again."""
    if os.name == "nt":
        return
    with suppress(OSError):
        os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))


# ---- checks: each raises IncompleteFile on a file that is not whole -------------------------------
def _head_and_tail(path: Path, size: int) -> tuple[bytes, bytes, int]:
    with open(path, "rb") as f:
        head = f.read(size)
        length = f.seek(0, os.SEEK_END)
        f.seek(max(0, length - size))
        return head, f.read(size), length


def check_pdf(path: Path | str) -> None:
    """Not empty, starts with %PDF- and ends (give or take a line) with %%EOF."""
    head, tail, length = _head_and_tail(Path(path), 1024)
    if length == 0 or not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise IncompleteFile(f"not a complete PDF: {path}")


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: length 0, type, CRC


def check_png(path: Path | str) -> None:
    """The PNG signature at the start and the IEND chunk at the very end."""
    head, tail, _length = _head_and_tail(Path(path), 12)
    if not head.startswith(_PNG_SIGNATURE) or not tail.endswith(_PNG_END):
        raise IncompleteFile(f"not a complete PNG: {path}")


def check_xlsx(path: Path | str) -> None:
    """A zip whose central directory reads and lists [Content_Types].xml (the members
    are not decompressed: that would take seconds on a large export)."""
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
    except (zipfile.BadZipFile, EOFError) as exc:
        raise IncompleteFile(f"not a complete workbook: {path}") from exc
    if "[Content_Types].xml" not in names:
        raise IncompleteFile(f"not a complete workbook: {path}")


_CHECKS = {".pdf": check_pdf, ".png": check_png, ".xlsx": check_xlsx}


def check_for(path: Path | str) -> Callable[[Path], None] | None:
    """The check for a file by its suffix (.pdf, .png, .xlsx), or None."""
    return _CHECKS.get(Path(path).suffix.lower())


# ---- the sentence ------------------------------------------------------------------------------------
_SPACE = ("磁盘空间不足", "请清理磁盘或换一个位置后再试")
_OPEN_IN = {".pdf": "正在 PDF 阅读器中打开", ".xlsx": "正在 Excel 或 WPS 中打开", ".png": "正在看图软件中打开"}


def _reason(path: Path, exc: BaseException) -> tuple[str, str]:
    while isinstance(exc, WriteFailed):
        exc = exc.cause
    if isinstance(exc, IncompleteFile):
        return "写出的文件不完整", "请检查磁盘空间或换一个位置后再试"
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _SPACE
    if code == errno.EFBIG:
        return "文件太大，超出了这个位置允许的大小", "请换一个位置（如另一块磁盘）后再试"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有写入权限，或文件{_OPEN_IN.get(path.suffix.lower(), '正被其他程序打开')}", "请关闭它或换一个位置后再试"
    if code == errno.EROFS:
        return "这个位置是只读的", "请换一个位置后再试"
    if code == errno.EISDIR:
        return "这是一个文件夹", "请写上要保存的文件名后再试"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return f"文件夹“{path.parent}”不存在", "请先建好它或换一个位置后再试"
    if code == errno.ENAMETOOLONG:
        return "文件名太长", "请换一个短一些的文件名后再试"
    if code == errno.EIO:
        return "磁盘读写出错（U 盘或网络磁盘可能已断开）", "请检查后再试或换一个位置"
    if isinstance(code, int):
        return f"写入时出错（系统错误代码 {code}）", "请换一个位置后再试"
    return "写入时出错", "请换一个位置后再试"


def write_error_text(path: Path | str, exc: BaseException) -> str:
    """One Chinese sentence for a file that could not be written, naming it and saying
    why and what to do, e.g. 无法写入“名册.pdf”：磁盘空间不足，请清理磁盘或换一个位置后再试。"""
    path = Path(path)
    reason, advice = _reason(path, exc)
    return f"无法写入“{path.name}”：{reason}，{advice}。"


__all__ = ["IncompleteFile", "WriteFailed", "check_for", "check_pdf", "check_png", "check_xlsx", "replacing",
           "temp_name", "write_bytes", "write_error_text"]
