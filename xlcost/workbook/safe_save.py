"""Saving a workbook without ever leaving a damaged one: refuse while Excel or LibreOffice has it open
(their lock files), take an exclusive lock against other xlcost runs, re-check that the file has not
changed since it was read, write a temp file in the same folder, fsync it, verify what the disk holds,
copy the permissions and ``os.replace`` it over the original (atomic on POSIX and NTFS)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .package import Package, WorkbookFileError

try:
    import fcntl
except ImportError:  # Windows: no flock; the lock-file and changed-on-disk checks still apply
    fcntl = None  # type: ignore[assignment]


class WorkbookBusyError(WorkbookFileError):
    """The workbook is open elsewhere, another xlcost run is writing it, or it changed on disk."""




def _office_lock_files(path: Path) -> list[Path]:
    name = path.name
    names = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        names.append("~$" + name[2:])  # Office's variant for long names
    return [path.parent / n for n in names]


def _refuse_if_open_elsewhere(*paths: Path) -> None:
    for path in dict.fromkeys(paths):
        for lock in _office_lock_files(path):
            if os.path.lexists(lock):
                app = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
                raise WorkbookBusyError(
                    f"{path.name} is open in {app} (lock file {lock.name}): close it there and try again; "
                    "if it is not open, the lock file is stale: delete it")


def _refuse_if_read_only(path: Path) -> None:
    """Refuse a read-only drive, folder or file up front, with the reason the user can fix."""
    folder = path.parent
    if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
        raise WorkbookFileError(f"{path.name} was not changed: the folder {folder} is on a read-only drive")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WorkbookFileError(f"{path.name} was not changed: the folder {folder} is read-only "
                                "(no permission to write there)")
    st = os.stat(path)
    # os.access alone is not enough: it always says yes to root, and os.replace ignores file modes
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WorkbookFileError(f"{path.name} is read-only: clear its read-only setting "
                                "(or save a copy under another name) and try again")


def _moved(path: Path) -> WorkbookBusyError:
    return WorkbookBusyError(f"{path.name} was moved or deleted since it was read; run again")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _refuse_if_changed(pkg: Package, path: Path) -> None:
    try:
        st = os.stat(path)
        same = (st.st_size == pkg.stat.st_size and st.st_mtime_ns == pkg.stat.st_mtime_ns
                and _file_sha256(path) == pkg.sha256)
    except FileNotFoundError:
        raise _moved(path) from None
    if not same:
        raise WorkbookBusyError(f"{path.name} changed on disk since it was read; run again")


@contextmanager
def _exclusive_lock(path: Path, wait_seconds: float) -> Iterator[bool]:
    """Hold flock on the workbook itself; yields whether a lock is actually held.

    Why the workbook and not a sidecar file: nothing extra appears in the user's folder (or their
    OneDrive), and there is no stale sidecar to clean up. The file is replaced by rename, so after
    getting the lock we check the path still names the inode we locked; if another run replaced it
    meanwhile we lock the new file instead (and the changed-on-disk check then refuses).
    """
    if fcntl is None:
        yield False
        return
    fd = _acquire(path, wait_seconds)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock


def _acquire(path: Path, wait_seconds: float) -> int | None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise _moved(path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WorkbookBusyError(
                    f"another xlcost run is writing {path.name} (waited {wait_seconds:g} s): "
                    "try again when it has finished") from None
            time.sleep(0.02)
            continue
        except OSError:
            os.close(fd)  # e.g. a network share without flock: rely on the changed-on-disk check
            return None
        if _same_inode(fd, path):
            return fd
        os.close(fd)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _temp_prefix(path: Path) -> str:
    return f".{path.name[:150]}.xlcost-"


def _remove_stale_temps(path: Path) -> None:
    """Temp files left by a run that was killed; safe only while we hold the lock."""
    for leftover in path.parent.glob(_glob_escape(_temp_prefix(path)) + "*.tmp"):
        with suppress(OSError):
            leftover.unlink()


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _os_error(e: OSError, path: Path) -> WorkbookFileError:
    name = path.name
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return WorkbookFileError(f"{name} was not changed: the disk is full: free space and try again")
    if e.errno == errno.EROFS:
        return WorkbookFileError(f"{name} was not changed: the folder {path.parent} is on a read-only drive")
    if e.errno in (errno.EACCES, errno.EPERM):
        return WorkbookFileError(f"{name} was not changed: the folder {path.parent} is read-only "
                                 "(no permission to write there)")
    return WorkbookFileError(f"{name} was not changed: saving failed ({e.strerror or e})")


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = path.parent / f"{_temp_prefix(path)}{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as e:
        raise _os_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename can make them visible
    except BaseException as e:  # also Ctrl-C: never leave a half-written temp file behind
        with suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise _os_error(e, path) from None
        raise
    return tmp


def _copy_permissions(src: Path, dst: Path) -> None:
    shutil.copymode(src, dst)  # mkstemp-style 0600 would otherwise replace the user's 0644
    st, new = os.stat(src), os.stat(dst)
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (new.st_uid, new.st_gid):
        with suppress(OSError):
            os.chown(dst, st.st_uid, st.st_gid)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # makes the rename itself durable
        finally:
            os.close(fd)


def _rename_over(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)  # atomic on POSIX and NTFS: readers see the old file or the new one
    except PermissionError:
        if os.name == "nt":  # Windows refuses to replace a file another program holds open
            raise WorkbookBusyError(f"{path.name} is open in another program: close it there and "
                                    "try again") from None
        raise


def save_atomically(pkg: Package, data: bytes, verify: Callable[[bytes], None], *, wait_seconds: float = 10.0) -> None:
    """Replace the workbook ``pkg`` was read from by ``data``; ``verify(bytes on disk)`` raises to abort."""
    path = Path(os.path.realpath(pkg.path))  # a symlink: replace its target, keep the link
    try:
        _refuse_if_open_elsewhere(Path(os.path.abspath(pkg.path)), path)
        _refuse_if_read_only(path)
        with _exclusive_lock(path, wait_seconds) as locked:
            _refuse_if_changed(pkg, path)
            if locked:
                _remove_stale_temps(path)
            _replace(pkg, path, data, verify)
    except FileNotFoundError:
        raise _moved(path) from None
    except WorkbookFileError:
        raise
    except OSError as e:
        raise _os_error(e, path) from None


def _replace(pkg: Package, path: Path, data: bytes, verify: Callable[[bytes], None]) -> None:
    tmp = _write_temp(path, data)
    try:
        with open(tmp, "rb") as f:
            verify(f.read())  # what the disk holds, not what we meant to write
        _copy_permissions(path, tmp)
        _refuse_if_changed(pkg, path)  # last look, as close to the rename as possible
        _rename_over(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
