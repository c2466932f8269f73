"""The HTML report in a real browser: headless Chromium loads it, with the picture visible.

`.ci/run` installs Chromium from Debian's packages when it is missing and sets
HAMSTRING_REQUIRE_CHROMIUM=1, so in CI this test runs or fails, never skips.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.report import write_week_report
from hamstring_analyzer.symptoms import read_log

from .conftest import SAMPLE_RUNS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars"]

if not CHROMIUM and os.environ.get("HAMSTRING_REQUIRE_CHROMIUM") != "1":
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)


def test_report_renders_in_headless_chromium(tmp_path):
    assert CHROMIUM, "HAMSTRING_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    result = analyze(SAMPLE_RUNS, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"), use_cache=False, workers=2)
    png, html = write_week_report(result, dt.date(2026, 8, 10), tmp_path)
    url = html.resolve().as_uri()
    profile = tmp_path / "profile"
    common = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert '<body data-chart-loaded="yes">' in dom.stdout, dom.stderr[-2000:]
    shot = tmp_path / "screenshot.png"
    subprocess.run([*common, "--window-size=1100,1500", f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True)
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1500, 1100)
    # The chart's bar blue (#4c78a8) and alert red (#d6492f) are on screen: the picture is visible.
    def share(rgb):
        return float(np.mean(np.all(np.abs(pixels - np.array(rgb) / 255) < 0.03, axis=-1)))

    assert share((0x4C, 0x78, 0xA8)) > 0.01
    assert share((0xD6, 0x49, 0x2F)) > 0.001
    assert float(np.mean(pixels)) < 0.97  # not a blank page
