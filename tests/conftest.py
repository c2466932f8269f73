"""Shared fixtures: the real activity files beside the repository, and a manifest of them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
REAL_RUNS = Path(os.environ.get("HAMSTRING_REAL_RUNS", REPO.parent / "shared" / "real_runs"))
SAMPLE_RUNS = REPO / "sample_runs"


@dataclass(frozen=True)
class RealFile:
    """One row of real_runs/INDEX.md."""

    path: str
    fmt: str
    sports: str
    cadence: bool
    raw_cadence_median: float | None
    error: str

    @property
    def full(self) -> Path:
        return REAL_RUNS / self.path


def _manifest() -> list[RealFile]:
    index = REAL_RUNS / "INDEX.md"
    if not index.exists():
        return []
    rows = []
    for line in index.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 13 or cells[1] not in {"FIT", "GPX", "TCX"}:
            continue
        med = cells[11]
        rows.append(
            RealFile(
                path=cells[0],
                fmt=cells[1],
                sports=cells[2],
                cadence=cells[7] == "Y",
                raw_cadence_median=float(med) if med else None,
                error=cells[12],
            )
        )
    return rows


MANIFEST = _manifest()
needs_real_runs = pytest.mark.skipif(not MANIFEST, reason="../shared/real_runs is not beside this checkout")


def real_files(fmt: str | None = None) -> list:
    """Parameters for every real file (one skipped placeholder when the folder is absent)."""
    files = [f for f in MANIFEST if fmt is None or f.fmt == fmt]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/real_runs is not beside this checkout"))]
    return [pytest.param(f, id=f.path) for f in files]


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path_factory):
    """No test reads the config file of the person running the tests (the commands look in the user config folder)."""
    from hamstring_analyzer import config

    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    monkeypatch.setattr(config, "user_config_path", lambda: tmp_path_factory.getbasetemp() / "no-user-config" / "config.toml")
