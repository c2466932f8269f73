"""Plots (ax=None in, ax out), the weekly PNG and self-contained HTML, --all, and the report command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import matplotlib.image as mpimg
import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from hamstring_analyzer import plots
from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config
from hamstring_analyzer.errors import HamstringAnalyzerError
from hamstring_analyzer.report import ReportWriteError, default_week, render_week_html, write_all_reports, write_week_report
from hamstring_analyzer.report_text import flags_text
from hamstring_analyzer.symptoms import SymptomEntry, read_log

from .conftest import REAL_RUNS, SAMPLE_RUNS, needs_real_runs

LAYOFF_WEEK = dt.date(2026, 8, 10)


@pytest.fixture(scope="module")
def result():
    return analyze(SAMPLE_RUNS, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"), use_cache=False, workers=2)


@pytest.mark.parametrize(
    "draw",
    [
        lambda r, ax: plots.plot_weekly_distance(r.weeks, r.config, ax=ax),
        lambda r, ax: plots.plot_fast_share(r.weeks, r.config, ax=ax),
        lambda r, ax: plots.plot_cadence(r.runs, r.config, ax=ax),
        lambda r, ax: plots.plot_long_run_climb(r.runs, r.config, ax=ax),
        lambda r, ax: plots.plot_symptoms(None, ax=ax),
        lambda r, ax: plots.plot_step_length_vs_speed(r.runs, r.config, ax=ax),
    ],
)
def test_plot_helpers_take_ax_none_and_return_the_axes(result, draw):
    made = draw(result, None)
    assert made is not None and made.figure is not None and made.has_data() or made.texts
    ax = Figure().add_subplot()
    assert draw(result, ax) is ax


def test_weekly_figure_panels(result):
    fig = plots.weekly_figure(result, LAYOFF_WEEK)
    axes = fig.axes
    assert len(axes) == 5
    assert axes[0].get_ylabel() == "km / week" and axes[4].get_ylabel() == "symptoms\n0-10"
    labels = [t.get_text() for t in axes[0].texts]
    assert "+41%" in labels  # the week-6 jump is marked
    # breaks shaded: the 16 days off are a grey band on every panel
    assert all(any(p.get_facecolor()[:3] == pytest.approx((0.733, 0.733, 0.733), abs=0.01) for p in ax.patches) for ax in axes)


def test_week_report_files_and_html(result, tmp_path):
    png, html = write_week_report(result, LAYOFF_WEEK, tmp_path)
    assert png.name == "week-2026-08-10.png" and html.name == "week-2026-08-10.html"
    image = mpimg.imread(png)
    assert image.shape[0] > 900 and image.shape[1] > 900
    page = html.read_text()
    assert "Back on 12 Aug after 16 days without running" in page
    assert "Why it matters" in page and "Mujika" in page
    assert "back too soon?" in page  # the symptom note of the week
    assert "Not medical advice" in page
    assert "Symptoms came in the same or the next week after 5 of 6 flagged weeks" in page  # week 11's single_run_spike
    assert "<h2>Next week</h2>" in page and "Mon 17 Aug to Sun 23 Aug 2026" in page
    assert 'src="data:image/png;base64,' in page


def test_step_length_chart_only_with_running_dynamics(result):
    ax = plots.plot_step_length_vs_speed(result.runs, result.config, week=LAYOFF_WEEK)
    assert ax.get_xlabel() == "speed, km/h" and ax.get_ylabel() == "step length, cm"
    hollow, = [c for c in ax.collections if len(c.get_offsets()) == len(result.runs)]  # speed / cadence: no sensor here
    steps = np.asarray(hollow.get_offsets())[:, 1]
    assert 95 < np.median(steps) < 125  # ~3 m/s at 177 steps/min: about 1.05 m
    assert "Step length and speed" not in render_week_html(result, LAYOFF_WEEK, b"")
    sensed = dataclasses.replace(result, runs=result.runs.assign(has_running_dynamics=True))
    page = render_week_html(sensed, LAYOFF_WEEK, b"")
    assert "<h2>Step length and speed</h2>" in page and page.count("data:image/png;base64,") == 2
    assert plots.plot_step_length_vs_speed(result.runs, Config(units="mi")).get_xlabel() == "speed, mph"


def test_next_week_box_is_the_plan_for_the_week_after(result):
    page = render_week_html(result, dt.date(2026, 8, 3), b"")  # the empty week before the return
    box = page[page.index("<h2>Next week</h2>") : page.index("<h2>Symptoms logged</h2>")]
    assert "Mon 10 Aug to Sun 16 Aug 2026" in box
    assert "<tr><th>Weekly distance</th><td>at most 23.6 km</td></tr>" in box
    assert "No run since Sun 26 Jul: after a break of 14 days" in box and "(layoff_return)" in box
    assert "Return ramp: week of 10 Aug at most 23.6 km, week of 17 Aug at most 26.0 km" in box


def test_html_has_no_external_url_and_escapes_text(result, tmp_path):
    hostile = result.symptoms + [SymptomEntry(dt.date(2026, 8, 13), 2, note='<script>alert(1)</script><img src="https://evil.example/x.png">')]
    r = analyze(result.export, symptoms=hostile)
    page = render_week_html(r, LAYOFF_WEEK, b"\x89PNG fake")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.replace("&quot;https://evil.example/x.png&quot;", ""))
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#|week-)""", page)
    assert "@import" not in page and "url(" not in page


def with_doubtful_layoff(result, doubt: str):
    """The analysis with its layoff_return flag marked doubtful."""
    flags = [dataclasses.replace(f, doubtful=True, doubt=doubt) if f.rule == "layoff_return" else f for f in result.flags]
    return dataclasses.replace(result, flags=flags)


def test_doubtful_flag_in_the_terminal_and_the_html(result):
    r = with_doubtful_layoff(result, "rests on Sun 20 Sep 2020 (GPS jumps: 16.7 of 22.1 km recorded were <removed>)")
    text = flags_text(r)
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.endswith("layoff_return"))
    assert lines[head + 1].startswith("          Back on 12 Aug after 16 days without running")
    note = next(line for line in lines[head + 1 :] if "Doubtful data" in line)
    assert note.startswith("          Doubtful data: rests on Sun 20 Sep 2020 (GPS jumps:")
    # only the doubtful flags carry the note: this one, and the spike measured on the treadmill (23 Jul)
    assert text.count("Doubtful data") == 2
    assert flags_text(result).count("Doubtful data: on a treadmill") == 1 == flags_text(result).count("Doubtful data")
    page = render_week_html(r, LAYOFF_WEEK, b"\x89PNG fake")
    assert (
        "<p class='doubt'>Doubtful data: rests on Sun 20 Sep 2020 (GPS jumps: 16.7 of 22.1 km recorded were "
        "&lt;removed&gt;)</p>" in page
    )
    assert page.index("Back on 12 Aug") < page.index("class='doubt'") < page.index("Why it matters")
    assert ".doubt{" in page  # styled (a muted warning)
    assert "class='doubt'" not in render_week_html(result, LAYOFF_WEEK, b"\x89PNG fake")


def test_all_weeks_and_index(result, tmp_path):
    index = write_all_reports(result, tmp_path)
    pages = sorted(p.name for p in tmp_path.glob("week-*.html"))
    assert len(pages) == 22 and len(list(tmp_path.glob("week-*.png"))) == 22
    text = index.read_text()
    assert all(f"href='{p}'" in text for p in pages)
    assert "1 flag</span>" in text and "Not medical advice" in text
    assert text.index("week-2026-09-28.html") < text.index("week-2026-05-04.html")  # newest first


def test_a_reused_picture_equals_a_new_one(result):
    """--all redraws one figure per process, in any order of weeks: each picture is the one a new figure gives."""
    weeks = [dt.date(2026, 9, 28), dt.date(2026, 5, 4), LAYOFF_WEEK, dt.date(2026, 6, 22), dt.date(2026, 5, 11)]
    reused = plots.WeeklyPicture(result)
    for week in weeks:
        assert reused.png(week) == plots.WeeklyPicture(result).png(week), week
    # weeks without cadence leave the cadence panel's limits to autoscaling: nothing carries over
    runs = result.runs.copy()
    runs.loc[runs["local_date"] < dt.date(2026, 6, 1), "cadence_spm"] = float("nan")
    partial = dataclasses.replace(result, runs=runs)
    reused = plots.WeeklyPicture(partial)
    for week in [dt.date(2026, 6, 22), dt.date(2026, 5, 11), dt.date(2026, 5, 18), LAYOFF_WEEK]:
        assert reused.png(week) == plots.WeeklyPicture(partial).png(week), week
    assert "no cadence recorded" in [t.get_text() for t in reused.draw(dt.date(2026, 5, 11)).axes[2].texts]
    assert plots.weekly_figure(result, LAYOFF_WEEK).get_layout_engine() is None  # fixed layout, no solve


def test_report_png_is_lossless_rgb():
    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    image = Image.open(io.BytesIO(plots.rgb_png(rgba)))
    assert image.mode == "RGB" and image.size == (5, 7)
    assert (np.asarray(image) == rgba[..., :3]).all()


def test_all_weeks_the_same_with_one_or_two_workers(result, tmp_path):
    late = dataclasses.replace(result, weeks=result.weeks[result.weeks.index >= "2026-07-27"])  # 10 weeks
    done = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        calls = []
        write_all_reports(late, out, progress=lambda i, n: calls.append((i, n)), workers=workers)
        assert calls == [(i, 10) for i in range(1, 11)]
        done[workers] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(done[1]) == sorted(done[2])
    assert len(done[1]) == 2 * 10 + 1 and not [n for n in done[1] if n.startswith(".")]  # no temporaries left
    assert done[1]["week-2026-08-10.html"] == done[2]["week-2026-08-10.html"]
    assert done[1] == done[2]
    # the shared parts made once give the page that the one-week call gives
    assert done[1]["week-2026-08-10.html"].decode() == render_week_html(late, LAYOFF_WEEK, done[1]["week-2026-08-10.png"])


@pytest.mark.parametrize("workers", [1, 2])
def test_all_weeks_write_failure_names_the_file(result, tmp_path, workers):
    late = dataclasses.replace(result, weeks=result.weeks[result.weeks.index >= "2026-08-03"])
    blocked = tmp_path / "week-2026-08-10.html"
    blocked.mkdir()  # where the page goes: os.replace onto a folder fails
    with pytest.raises(ReportWriteError) as info:
        write_all_reports(late, tmp_path, workers=workers)
    assert isinstance(info.value, HamstringAnalyzerError) and not isinstance(info.value, OSError)
    assert str(info.value) == f"{blocked}: cannot write (Is a directory)"
    assert not (tmp_path / "index.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_report_all_write_failure_is_one_line(tmp_path):
    out = tmp_path / "out"
    (out / "week-2026-05-11.png").mkdir(parents=True)
    r = CliRunner().invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(out), "--all", "--no-cache", "-q"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert lines == [f"Error: {out / 'week-2026-05-11.png'}: cannot write (Is a directory)"], r.output
    assert "Traceback" not in r.output


def test_default_week_is_the_last_complete_one(result):
    assert default_week(result, today=dt.date(2026, 11, 23)) == dt.date(2026, 9, 28)
    assert default_week(result, today=dt.date(2026, 10, 3)) == dt.date(2026, 9, 21)  # 28 Sep week not over yet
    with pytest.raises(ValueError):
        default_week(result, today=dt.date(2026, 5, 5))


def test_report_command(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2026-06-24", "--symptoms", str(SAMPLE_RUNS / "symptoms.csv"), "--no-cache", "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "week-2026-06-22.png").exists() and (tmp_path / "week-2026-06-22.html").exists()
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2025-01-01", "--no-cache", "-q"])
    assert r.exit_code == 1 and "no week starting 2024-12-30 in the data (weeks run from 2026-05-04 to 2026-09-28)" in r.output
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2026-06-24", "--all"])
    assert r.exit_code == 2 and "not both" in r.output
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path / "mi"), "--units", "mi", "--no-cache", "-q"])
    assert r.exit_code == 0 and (tmp_path / "mi" / "week-2026-09-28.html").exists()
    assert "mi / week" not in (tmp_path / "mi" / "week-2026-09-28.html").read_text()  # the label is in the picture
    assert "36.0 km" not in (tmp_path / "mi" / "week-2026-09-28.html").read_text()


@needs_real_runs
def test_week_page_names_the_doubtful_run(tmp_path):
    """The week of a phone recording with 16.5 km of GPS jumps says so beside its runs."""
    result = analyze(REAL_RUNS / "runpandas/examples/session", use_cache=False, workers=1)
    html = render_week_html(result, dt.date(2020, 9, 14), b"")
    assert "Doubtful data, Sun 20 Sep: 16.5 km of GPS jumps removed; 22.1 km recorded, 5.5 km kept." in html
