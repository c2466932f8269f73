"""A persistent cache of parsed files, keyed by file content.

A second ingest of an unchanged export parses nothing: each file's bytes are
hashed (BLAKE2b) and the parsed result is looked up. A changed file has a new
hash and is read again. Entries are written atomically, so a run killed
mid-ingest leaves only whole entries; an entry that cannot be read back (a disk
error, a cache from another version) is discarded and the file parsed again.

Only what a parser concluded is stored: ``("ok", activities)``,
``("skipped", reason)`` or ``("error", reason)``. Anything else (a worker that
crashed or died, see `hamstring_analyzer.export`) is refused by `Cache.put`,
and an entry left by an older build that cached a dead worker as the file's
error ("could not be parsed (BrokenProcessPool...)") is discarded when read,
so the file is parsed again.

Entries are pickles, which execute code when loaded: the cache folder is
the user's own (a per-user platform folder by default), like a browser cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import __version__
from .atomic import atomic_write_bytes

#: Bump when the parsed shape or any cached statistic changes meaning.
CACHE_FORMAT = f"hamstring-analyzer-{__version__}-cache-7"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hamstring-analyzer", appauthor=False))


#: The result kinds a parser concludes; the only ones worth keeping.
CACHEABLE_KINDS = ("ok", "skipped", "error")
#: How older builds wrote a worker failure as the file's error (never the parser's own words).
_WORKER_FAILURE_PREFIX = "could not be parsed ("


def cacheable(result) -> bool:
    """True for a parser's own conclusion; False for a worker failure or anything unexpected."""
    if not (isinstance(result, tuple) and len(result) == 2 and result[0] in CACHEABLE_KINDS):
        return False
    kind, payload = result
    return not (kind == "error" and isinstance(payload, str) and payload.startswith(_WORKER_FAILURE_PREFIX))


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Cache:
    """Parsed results on disk, one file per content hash."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self.discarded = 0

    def _path(self, key: str) -> Path:
        return self.folder / "v1" / key[:2] / f"{key}.pkl"

    def get(self, key: str):
        """The cached result for ``key``, or None (a miss, or a discarded bad entry)."""
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            entry = pickle.loads(blob)
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                raise ValueError("stale cache entry")
            if not cacheable(entry.get("result")):
                raise ValueError("a worker failure, not the file's result")
            self.hits += 1
            return entry["result"]
        except Exception:  # any unreadable entry: throw it away and parse again
            self.discarded += 1
            self.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return None

    def put(self, key: str, result) -> None:
        """Store a parser's conclusion; a worker failure (see `cacheable`) is not stored."""
        if not cacheable(result):
            return
        try:
            atomic_write_bytes(self._path(key), pickle.dumps({"format": CACHE_FORMAT, "result": result}, protocol=5))
        except OSError:
            pass  # a read-only or full disk costs speed next time, never the ingest


class NoCache(Cache):
    """``--no-cache``: every file is parsed; nothing is written."""

    def __init__(self):
        super().__init__(folder=os.devnull)

    def get(self, key):
        self.misses += 1
        return None

    def put(self, key, result):
        pass
