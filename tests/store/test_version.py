"""The store's code version: every module an ingest imports is declared computing or not, and only computing code moves it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hamstring_analyzer.store.version import COMPUTING_MODULES, NOT_COMPUTING, module_path, modules_digest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "hamstring_analyzer"

#: What a fresh interpreter holds once it imported the ingest and what parsing a file imports
#: when it runs: every registry reader (imported by name) and the store's schema.
REACHED = """
import importlib, json, sys
import hamstring_analyzer.ingest
import hamstring_analyzer.store.schema
from hamstring_analyzer.readers.registry import READERS
for reader in READERS:
    importlib.import_module(reader.module, "hamstring_analyzer.readers")
print(json.dumps(sorted(m for m in sys.modules if m == "hamstring_analyzer" or m.startswith("hamstring_analyzer."))))
"""


def test_every_module_the_ingest_reaches_is_declared():
    done = subprocess.run([sys.executable, "-c", REACHED], capture_output=True, text=True, check=True, cwd=PACKAGE_DIR.parent)
    reached = set(json.loads(done.stdout))
    declared = set(COMPUTING_MODULES) | set(NOT_COMPUTING)
    assert not set(COMPUTING_MODULES) & set(NOT_COMPUTING)
    assert reached - declared == set(), "declare these in store/version.py: computing, or not and why"
    assert declared - reached == set(), "declared but no longer imported by an ingest (moved or removed?)"
    assert all(module_path(PACKAGE_DIR, name).is_file() for name in declared)


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "hamstring_analyzer"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_computing_module_changes_the_version_and_wording_does_not(tmp_path):
    package = _copy(tmp_path)
    before = modules_digest(package, "1")
    wording = package / "ingest" / "wording.py"
    wording.write_text(wording.read_text().replace("too short to count as a run", "too short for a run"))
    assert modules_digest(package, "1") == before  # a display string keeps every stored file
    for name in ("hamstring_analyzer.clean.gps", "hamstring_analyzer.ingest.parse", "hamstring_analyzer.readers.fit"):
        path = module_path(package, name)
        path.write_text(path.read_text() + "\n# changed\n")
        changed = modules_digest(package, "1")
        assert changed != before, name
        before = changed
    assert modules_digest(package, "2") != before  # another release
