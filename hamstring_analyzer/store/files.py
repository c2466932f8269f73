"""How the store touches its files: opened only when regular, folders private, Parquet written whole.

The store holds the runner's GPS tracks and reads what it finds in its
folder, so it never follows a link planted there and never reads a pipe
or device; each file is written under a temporary name and renamed into
place, so a reader sees a whole file or none.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..atomic import atomic_write_bytes


def open_entry(path: Path):
    """``path`` opened for reading if it is a regular file (not a link, pipe or device), else OSError.

    Parquet reads from the Python file object this returns must pass
    ``pre_buffer=False``: pre-buffering reads it on Arrow's I/O threads, and the
    last of those reads can be released after the interpreter began to exit;
    releasing a Python buffer then needs the GIL, the thread is ended, and the
    process aborts ("terminate called without an active exception", seen in
    about 1 of 10 short runs).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def private_dir(path: Path) -> None:
    """Make ``path`` a real folder (0700) inside the store; a link or file there is removed first."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return
    if stat.S_ISDIR(st.st_mode):
        return
    path.unlink()  # a symlink (or anything else) planted where our folder goes
    path.mkdir(mode=0o700)


def looks_whole(path: Path) -> bool:
    """A Parquet file that is there and ends like one (a cheap check; a full read checks the rest)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:  # plain descriptors: this runs once per stored run, in the ingest's own process
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < 8:
            return False
        size = st.st_size
        os.lseek(fd, size - 8, os.SEEK_SET)
        tail = os.read(fd, 8)
    except OSError:
        return False
    finally:
        os.close(fd)
    return tail[4:] == b"PAR1" and 0 < int.from_bytes(tail[:4], "little") < size


def write_table(path: Path, table, column_encoding) -> None:
    """Write ``table`` to ``path`` whole: a private temporary file (0600) renamed into place.

    No fsync: a store entry lost or torn by a power cut is detected when read
    (Parquet's footer) and the file parsed again.
    """
    sink = pa.BufferOutputStream()
    options = {"compression": "zstd", "write_statistics": False, "write_page_checksum": True}
    if column_encoding:  # samples: the Parquet types say all (no Arrow schema copy in each small file)
        options.update(use_dictionary=False, column_encoding=column_encoding, store_schema=False)
    pq.write_table(table, sink, **options)
    atomic_write_bytes(path, sink.getvalue().to_pybytes(), durable=False, private=True)  # a link at ``path`` is replaced, never followed
