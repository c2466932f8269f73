"""Writes that never leave a half-written file behind, even when killed mid-write.

A write goes to a temporary file ``.<name>.<8 random characters>.tmp`` in the
target's own folder and is then renamed over the target. A process killed in
between leaves the target as it was and that temporary behind, recognisable by
its name: `remove_stale_temporaries` clears such leftovers. Writers that must
not overlap (read, check, write) hold `exclusive_lock`, a lock on the file itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; `exclusive_lock` says so and the caller goes on unlocked
    fcntl = None

#: A temporary older than this is a leftover even without a lock to tell: no write takes a minute. [s]
STALE_AFTER_S = 60.0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary_pattern(path: Path) -> re.Pattern:
    # 8 characters of [a-z0-9_]: ours (hex) and those of tempfile.mkstemp, which earlier versions used.
    return re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}\.tmp")


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty, private file ``.<name>.<random>.tmp`` beside ``path``, open for writing."""
    while True:
        # os.urandom is what secrets.token_hex draws from, without the import time of secrets (hashlib, random).
        tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), tmp
        except FileExistsError:  # 1 in 4 billion: draw again
            continue


def atomic_write_bytes(path: str | os.PathLike, data: bytes, durable: bool = True, private: bool = False) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder is created when missing. A symbolic link
        is replaced, not followed: resolve it first to update its target.
    data : bytes
        The whole new content.
    durable : bool
        Flush the content to the disk before the rename (default), so that
        even a power cut leaves the old or the new file. False for output made
        again by running the command again (report pages): a killed process
        still leaves no half-written file, and each file saves a disk flush.
    private : bool
        Keep the file readable by its owner only (0600: the run store's
        entries), whatever the umask or an older file's mode.

    Raises
    ------
    OSError
        Whatever the system says (disk full, permission denied); ``path`` is
        then exactly as it was and the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if private:
            pass  # the temporary is already 0600
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # the temporary is 0600; a new file gets the usual permissions
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8", durable: bool = True) -> None:
    """`atomic_write_bytes` of ``text`` encoded with ``encoding``."""
    atomic_write_bytes(path, text.encode(encoding), durable)


@contextlib.contextmanager
def exclusive_lock(path: str | os.PathLike, timeout_s: float = 10.0):
    """Hold an exclusive lock on ``path`` itself while the ``with`` block runs; other holders wait.

    No lock file is made: the lock is on the file ``path`` names. An atomic
    write replaces that file by a new one, so a waiter that gets the lock of
    a file ``path`` no longer names lets go and locks the new one. A missing
    ``path`` is created empty to be locked, and removed again when the block
    leaves it empty (a refused or failed first write leaves no file). The
    system releases the lock when its holder dies, even by ``kill -9``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to guard; its folder must exist.
    timeout_s : float
        How long to wait for another holder before giving up. [s]

    Yields
    ------
    bool
        True when locked; False on a platform without ``fcntl`` (Windows),
        where the block runs unlocked.

    Raises
    ------
    TimeoutError
        Another process held the lock for ``timeout_s``.
    OSError
        ``path`` cannot be opened or created (e.g. a read-only folder).
    """
    if fcntl is None:
        yield False
        return
    path = Path(path)
    deadline = time.monotonic() + timeout_s
    while True:
        fd, created = _open_for_lock(path)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(errno.ETIMEDOUT, f"another process has held {path.name} for {timeout_s:g} s") from None
                    time.sleep(0.01)
        except BaseException:
            os.close(fd)
            raise
        if _names(path, fd):
            break
        os.close(fd)  # the file was replaced (or removed) while we waited: lock the one ``path`` names now
    try:
        yield True
    finally:
        try:
            if created and _names(path, fd) and os.fstat(fd).st_size == 0:
                with contextlib.suppress(OSError):
                    os.unlink(path)  # still the empty file made to lock: the write did not happen
        finally:
            os.close(fd)  # releases the lock


def _open_for_lock(path: Path) -> tuple[int, bool]:
    """A read-only descriptor of ``path``, and whether this call created it."""
    while True:
        try:
            return os.open(path, os.O_RDONLY), False
        except FileNotFoundError:
            pass
        try:
            return os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:  # made by another process in between: open theirs
            continue


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def remove_stale_temporaries(path: str | os.PathLike, min_age_s: float = STALE_AFTER_S) -> None:
    """Remove the temporaries of ``path`` left by writers that were killed mid-write.

    Parameters
    ----------
    path : str or os.PathLike
        The file whose ``.<name>.<random>.tmp`` siblings are cleared.
    min_age_s : float
        Only temporaries at least this old are removed. Pass 0 while holding
        `exclusive_lock` for ``path`` when every writer of ``path`` writes under
        that lock: then no temporary can belong to a live write. [s]
    """
    path = Path(path)
    pattern = _temporary_pattern(path)
    now = time.time()
    with contextlib.suppress(OSError):  # best effort: a leftover never stops a write
        for tmp in path.parent.iterdir():
            if pattern.fullmatch(tmp.name):
                with contextlib.suppress(OSError):
                    if now - tmp.lstat().st_mtime >= min_age_s:
                        tmp.unlink()
