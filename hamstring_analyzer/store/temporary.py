"""Temporary stores (``--no-cache``): a private folder per process, removed with the last run that uses it.

A process that was killed cannot remove its folder; the next temporary
store removes those of processes that are gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import weakref

TEMPORARY_PREFIX = "hamstring-analyzer-"


def temporary_folder() -> tuple[str, "_Keepalive"]:
    """A new temporary store's folder and the handle whose end removes it (first removing those of dead processes)."""
    _remove_orphans()
    folder = tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-")
    keepalive = _Keepalive()
    weakref.finalize(keepalive, _remove_folder, folder, os.getpid())
    return folder, keepalive


def _remove_orphans() -> None:
    """Remove the temporary stores of our processes that died without cleaning up (killed)."""
    pattern = re.compile(re.escape(TEMPORARY_PREFIX) + r"(\d+)-\w+")
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            m = pattern.fullmatch(entry.name)
            if not m or not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if hasattr(os, "getuid") and entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                if not _alive(int(m.group(1))):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _remove_folder(folder: str, owner_pid: int) -> None:
    if os.getpid() == owner_pid:  # never from a forked worker that inherited the handle
        shutil.rmtree(folder, ignore_errors=True)


class _Keepalive:
    """Held by every run of a temporary store; the store's folder goes when the last one does."""

    def __copy__(self):
        return self  # a copied run shares its store's lifetime

    def __deepcopy__(self, memo):
        return self
