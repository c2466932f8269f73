"""The HTML report in a real browser: headless Chromium loads it, at a phone's width and a desktop's.

`.ci/run` installs Chromium from Debian's packages when it is missing and sets
HAMSTRING_REQUIRE_CHROMIUM=1, so in CI these tests run or fail, never skip.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pytest

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.render.report_files import write_week_report
from hamstring_analyzer.symptoms import read_log

from .conftest import SAMPLE_RUNS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars"]

if not CHROMIUM and os.environ.get("HAMSTRING_REQUIRE_CHROMIUM") != "1":
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

#: Added to a copy of the page (never to the report): once loaded, what the layout measures, posted to the
#: frame around it. Headless Chromium's window is at least 500 px wide: a frame gives the page a phone's width.
MEASURE = """<script>
window.addEventListener("load", function () {
  function box(el) { if (!el) return null; var r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }
  var chart = document.getElementById("chart");
  var shown = Array.prototype.filter.call(chart.querySelectorAll("img, svg"), function (el) { return el.getBoundingClientRect().width > 0; });
  var scrolls = Array.prototype.map.call(document.querySelectorAll(".scroll"), box);
  parent.postMessage(JSON.stringify({
    viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, chart: box(chart),
    shown: shown.map(function (el) { return [el.tagName.toLowerCase(), box(el)]; }), scrolls: scrolls,
    status: box(document.getElementById("status")), statusText: (document.getElementById("status") || {}).textContent,
    flags: box(document.getElementById("flag-1"))
  }), "*");
});
</script>"""
FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}iframe{{border:0;display:block}}</style></head>
<body><iframe src="measured.html" style="width:{width}px;height:900px"></iframe>
<script>window.addEventListener("message", function (e) {{ document.body.setAttribute("data-measured", e.data); }});</script></body></html>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = analyze(SAMPLE_RUNS, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"), use_cache=False, workers=2)
    png, html_path = write_week_report(result, dt.date(2026, 8, 10), out)
    return html_path


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    assert CHROMIUM, "HAMSTRING_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("width, picture", [(360, "svg"), (400, "svg"), (1200, "img")])
def test_report_fits_the_screen(page, tmp_path, width, picture):
    """No sideways scrolling of the page, the picture shown and inside the screen, the status line first."""
    (tmp_path / "measured.html").write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    frame = tmp_path / "frame.html"
    frame.write_text(FRAME.format(width=width))
    dom = _chromium(tmp_path, "--window-size=1300,1000", "--virtual-time-budget=10000", "--dump-dom", frame.resolve().as_uri())
    found = re.search(r'data-measured="([^"]*)"', dom.stdout)
    assert found, dom.stderr[-2000:]
    m = json.loads(html.unescape(found.group(1)))
    assert m["viewport"] == width
    assert m["scrollWidth"] == width  # the page itself never scrolls sideways
    (tag, (left, top, w, h)), = m["shown"]  # one picture shown: the phone's SVG or the desktop's PNG
    assert tag == picture and w > 0.8 * min(width, 960) - 40 and h > 300
    assert 0 <= left and left + w <= width
    assert all(0 <= s[0] and s[0] + s[2] <= width for s in m["scrolls"]) and len(m["scrolls"]) == 2  # tables scroll in their box
    assert m["statusText"] == "1 alert worth a look this week"
    assert m["status"][1] < m["flags"][1] < m["chart"][1]  # status, then the ALERT card, then the picture
    if width < 720:
        assert h / w > 2  # the tall phone layout, not the desktop picture shrunk


def test_report_renders_in_headless_chromium(page, tmp_path):
    dom = _chromium(tmp_path, "--window-size=1100,900", "--dump-dom", page.resolve().as_uri())
    assert 'data-chart-loaded="yes"' in dom.stdout, dom.stderr[-2000:]
    # The chart's bar blue (#4c78a8) and alert red (#d6492f) are on screen at both widths: the picture is visible.
    for width, height in ((400, 2400), (1200, 2400)):
        shot = tmp_path / f"screenshot-{width}.png"
        _chromium(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}", page.resolve().as_uri())
        pixels = mpimg.imread(shot)[..., :3]
        assert pixels.shape[:2] == (height, width)

        def share(rgb):
            return float(np.mean(np.all(np.abs(pixels - np.array(rgb) / 255) < 0.03, axis=-1)))

        assert share((0x4C, 0x78, 0xA8)) > 0.005, width
        assert share((0xF2, 0xA5, 0x41)) > 0.0005, width  # the weeks above your own usual, in the warning colour
        assert float(np.mean(pixels)) < 0.97  # not a blank page


# -- the team page: a table on a desktop, a card per athlete on a phone ---------------------------------------------------

#: Added to a copy of the team page: each athlete's row (a card on a phone) and its note, as the layout places them.
TEAM_MEASURE = """<script>
window.addEventListener("load", function () {
  function box(el) { if (!el) return null; var r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }
  var rows = Array.prototype.filter.call(document.querySelectorAll("tr"), function (tr) { return !tr.classList.contains("head"); });
  var scroll = document.querySelector(".scroll");
  parent.postMessage(JSON.stringify({
    viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
    box: [scroll.scrollWidth, scroll.clientWidth], head: box(document.querySelector("tr.head")),
    rows: rows.map(function (tr) {
      var note = tr.querySelector("td.note"), status = tr.querySelector("td.status");
      return {name: tr.querySelector("td.name").innerText.trim(), row: box(tr), note: box(note), noteText: note.innerText.trim(),
              status: status ? status.innerText.trim() : null, statusBox: box(status)};
    })
  }), "*");
});
</script>"""

#: A name longer than a phone is wide, and a roster error: both must be read whole on a phone.
LONG_NAME = "Dan Alexander-Featherstonehaugh"


@pytest.fixture(scope="module")
def team_page(tmp_path_factory):
    from hamstring_analyzer.render.triage import write_team_page
    from hamstring_analyzer.team import Athlete, Team, TeamRow, athlete_row

    from .test_team import _ride_and_truncated_fit

    out = tmp_path_factory.mktemp("team")
    week = dt.date(2026, 7, 20)
    sam = athlete_row(Athlete(name="Sam", path=SAMPLE_RUNS, symptoms=SAMPLE_RUNS / "symptoms.csv"), week, out, use_cache=False,
                      today=dt.date(2026, 11, 30))  # fmt: skip
    cy = athlete_row(Athlete(name="cy", path=_ride_and_truncated_fit(out / "export" / "cy")), week, out, use_cache=False)
    dan = TeamRow(athlete=LONG_NAME, error="roster.toml: weekly_mileage_jump.warn_pct: expected a number, got 'ten'")
    return write_team_page(Team(root=str(out), week_start=week, rows=[cy, dan, sam]), out)


def _measure_team(team_page, tmp_path, width):
    (tmp_path / "measured.html").write_text(team_page.read_text().replace("</body>", TEAM_MEASURE + "</body>"))
    frame = tmp_path / "frame.html"
    frame.write_text(FRAME.format(width=width))
    dom = _chromium(tmp_path, "--window-size=1300,1000", "--virtual-time-budget=10000", "--dump-dom", frame.resolve().as_uri())
    found = re.search(r'data-measured="([^"]*)"', dom.stdout)
    assert found, dom.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_team_page_on_a_phone_is_a_card_per_athlete_with_every_reason_in_view(team_page, tmp_path):
    """At 390 px the rules and reasons were off-screen, in a table scrolled sideways; now each athlete is a card."""
    m = _measure_team(team_page, tmp_path, 390)
    assert m["viewport"] == 390 and m["scrollWidth"] == 390  # the page does not scroll sideways
    assert m["box"][0] <= m["box"][1]  # nor does anything inside it
    assert m["head"][2] == 0  # the table's header is not shown: each card says what its numbers are
    rows = {r["name"]: r for r in m["rows"]}
    assert list(rows) == ["cy", LONG_NAME, "Sam"]
    assert rows["cy"]["noteText"] == "Could not be analysed: cy: no runs found: 1 cycling ride, 1 file unreadable (truncated FIT)"
    assert rows[LONG_NAME]["noteText"] == "Could not be analysed: roster.toml: weekly_mileage_jump.warn_pct: expected a number, got 'ten'"
    assert rows["Sam"]["noteText"].startswith("One run much longer than before: Thu 23 Jul, 16.5 km")
    assert rows["Sam"]["status"] == "1 alert, 1 warning worth a look this week" and rows["Sam"]["statusBox"][2] > 0
    for r in m["rows"]:
        left, top, w, h = r["row"]
        assert 0 <= left and left + w <= 390, r["name"]
        n_left, n_top, n_w, n_h = r["note"]
        assert 0 <= n_left and n_left + n_w <= 390 and n_h > 0 and n_w > 200, r["name"]  # the reason, whole, across the card
        assert top < n_top  # under the name: stacked, not side by side
    tops = [r["row"][1] for r in m["rows"]]
    assert all(a[1] + a[3] <= b[1] for a, b in zip([r["row"] for r in m["rows"]], [r["row"] for r in m["rows"]][1:])), tops


def test_team_page_on_a_desktop_stays_a_table(team_page, tmp_path):
    m = _measure_team(team_page, tmp_path, 1200)
    assert m["scrollWidth"] == 1200 and m["head"][3] > 0
    sam = next(r for r in m["rows"] if r["name"] == "Sam")
    assert sam["statusBox"][2] == 0  # the badges say it in the table
    assert sam["note"][1] < sam["row"][1] + sam["row"][3] and sam["note"][0] > 600  # the note is the last column of its row


def test_team_page_screenshot_at_a_phones_width(team_page, tmp_path):
    """What a coach sees on a phone: the cards' alert red and warning amber badges, and no blank page."""
    shot = tmp_path / "team-390.png"
    _chromium(tmp_path, "--window-size=390,1200", f"--screenshot={shot}", team_page.resolve().as_uri())
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1200, 390)

    def share(rgb):
        return float(np.mean(np.all(np.abs(pixels - np.array(rgb) / 255) < 0.03, axis=-1)))

    assert share((0xC0, 0x39, 0x2B)) > 0.0005 and share((0xD9, 0x8A, 0x1C)) > 0.0005  # badges and the status line's edge
    assert share((0xFF, 0xF5, 0xF5)) > 0.02  # the two broken athletes' cards
