"""Plots (ax=None in, ax out), the weekly PNG and self-contained HTML, --all, and the report command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import matplotlib.dates as mdates
import matplotlib.image as mpimg
import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure

from hamstring_analyzer.analysis import analyze
from hamstring_analyzer.cli import main
from hamstring_analyzer.config import Config
from hamstring_analyzer.errors import HamstringAnalyzerError
from hamstring_analyzer.render import plots
from hamstring_analyzer.render.canvas import rgb_png
from hamstring_analyzer.render.panels import NARROW, PANELS, WIDE, Panel, WeeklyPicture, panel_axes, weekly_figure
from hamstring_analyzer.render.report import index_html, render_week_html
from hamstring_analyzer.render.report_files import ReportWriteError, write_all_reports, write_week_report
from hamstring_analyzer.render.text import episodes_text
from hamstring_analyzer.render.weeks import default_week, episodes_by_week, in_progress, week_days, week_episodes
from hamstring_analyzer.symptoms import SymptomEntry, read_log, symptoms_frame
from hamstring_analyzer.metrics.weekly import day_of

from ..conftest import SAMPLE_RUNS, needs_real_runs

LAYOFF_WEEK = dt.date(2026, 8, 10)


@pytest.fixture(scope="module")
def result(sample_export):
    return analyze(sample_export, symptoms=read_log(SAMPLE_RUNS / "symptoms.csv"))


@pytest.mark.parametrize(
    "draw",
    [
        lambda r, ax: plots.plot_weekly_distance(r.weeks, r.config, ax=ax),
        lambda r, ax: plots.plot_fast_share(r.weeks, r.config, ax=ax),
        lambda r, ax: plots.plot_cadence(r.runs, r.config, ax=ax),
        lambda r, ax: plots.plot_long_run_climb(r.runs, r.config, ax=ax),
        lambda r, ax: plots.plot_symptoms(None, ax=ax),
        lambda r, ax: plots.plot_step_length_vs_speed(r.runs, r.config, ax=ax),
        lambda r, ax: plots.plot_flags(r.flags, ax=ax),
    ],
)
def test_plot_helpers_take_ax_none_and_return_the_axes(result, draw):
    made = draw(result, None)
    assert made is not None and made.figure is not None and made.has_data() or made.texts
    ax = Figure().add_subplot()
    assert draw(result, ax) is ax


def _bar_tops(ax) -> list[float]:
    return sorted(float(v[:, 1].max()) for c in ax.collections if isinstance(c, PolyCollection) for v in (np.asarray(p.vertices) for p in c.get_paths()))


def test_plot_helpers_take_what_the_library_returns(result):
    """An Analysis, its frames, the symptom log as read_log returns it, the flags (issue 17)."""
    log = read_log(SAMPLE_RUNS / "symptoms.csv")
    ax = plots.plot_symptoms(log)  # a list of SymptomEntry: it raised AttributeError
    dots = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_gid() != "key"]
    assert sum(len(c.get_offsets()) for c in dots) == len(log) == 9
    assert sorted(np.asarray(np.concatenate([c.get_offsets() for c in dots]))[:, 1]) == sorted(e.severity for e in log)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "key"] == ["burning", "pain", "tightness"]
    assert len(plots.plot_symptoms(result).collections) == len(ax.collections)
    assert len(plots.plot_symptoms(symptoms_frame(log)).collections) == len(ax.collections)
    # weeks: the frame (on its tz-aware DatetimeIndex), the Analysis (its config too), and the frame by dates
    direct = _bar_tops(plots.plot_weekly_distance(result.weeks, result.config))
    assert _bar_tops(plots.plot_weekly_distance(result)) == direct and max(direct) == pytest.approx(45.9, abs=0.1)
    assert _bar_tops(plots.plot_weekly_distance(result.weeks_by_date, result.config)) == direct
    stamped = result.weeks.tz_convert("Europe/Berlin")  # the same instants in another zone: the same local days here
    ax = plots.plot_weekly_distance(stamped, result.config)
    assert _bar_tops(ax) == direct
    v = ax.collections[0].get_paths()[0].vertices
    assert mdates.num2date((v[0, 0] + v[2, 0]) / 2).replace(tzinfo=None) == dt.datetime(2026, 5, 7, 12)  # the first bar amid its week
    assert len(_bar_tops(plots.plot_fast_share(result))) == len(result.weeks)
    # runs: the frame and the Analysis (an Export is analysed by its caller: the charts analyse nothing)
    assert plots.plot_cadence(result).collections[0].get_offsets().shape == plots.plot_cadence(result.runs).collections[0].get_offsets().shape
    assert plots.plot_long_run_climb(result).get_ylabel() == "longest run\nclimb m/km"
    assert plots.plot_step_length_vs_speed(result).get_xlabel() == "speed, km/h"
    # flags: the list, the frame, the Analysis; a marker each, coloured by severity
    for flags in (result.flags, result.flags_frame(), result):
        ax = plots.plot_flags(flags)
        by_label = {c.get_label(): len(c.get_offsets()) for c in ax.collections if c.get_gid() != "key"}
        assert by_label == {s: sum(f.severity == s for f in result.flags) for s in ("alert", "warning", "info")}
    assert sum(by_label.values()) == len(result.flags) == 14


def test_weekly_figure_panels(result):
    fig = weekly_figure(result, LAYOFF_WEEK)
    axes = fig.axes
    assert [ax.get_label() for ax in axes] == ["flags", "weekly distance", "fast share", "cadence", "long-run climb", "symptoms"]
    flags, distance = panel_axes(fig, "flags"), panel_axes(fig, "weekly distance")
    assert flags.get_ylabel() == "flags" and distance.get_ylabel() == "km / week" and panel_axes(fig, "symptoms").get_ylabel() == "symptoms\n0-10"
    labels = [t.get_text() for t in distance.texts]
    assert "+41%" in labels  # the week-6 jump is marked
    # breaks shaded: the 16 days off are a grey band on every panel
    assert all(any(p.get_facecolor()[:3] == pytest.approx((0.733, 0.733, 0.733), abs=0.01) for p in ax.patches) for ax in axes)
    # the layoff ALERT sits on its day, Wed 12 Aug, in the alert colour: the week is no plain blue bar
    alerts = next(c for c in flags.collections if c.get_label() == "alert")
    days = {mdates.num2date(x).date() for x, _ in alerts.get_offsets()}
    assert dt.date(2026, 8, 12) in days and all(d <= dt.date(2026, 8, 16) for d in days)
    assert tuple(alerts.get_facecolor()[0][:3]) == pytest.approx((0xC0 / 255, 0x39 / 255, 0x2B / 255), abs=0.01)
    assert [t.get_text() for t in flags.texts if t.get_gid() == "key"] == ["alert", "warning", "info"]
    assert fig._suptitle.get_text() == "Week of 10 Aug 2026 (highlighted) and the 13 weeks before"


def test_a_new_panel_is_a_function_and_an_entry(result):
    """The picture draws the panels it is given, top to bottom; each layout stacks them at their own heights."""
    runs = Panel("runs", lambda ax, s: ax.plot([plots.noon(d) for d in week_days(s.weeks)], s.weeks["runs"], label="runs a week"),
                 {"wide": (1.2, 0.17), "narrow": (1.0, 0.32)})  # fmt: skip
    panels = [*PANELS[:2], runs]
    picture = WeeklyPicture(result, panels=panels)
    fig = picture.draw(LAYOFF_WEEK)
    assert [ax.get_label() for ax in fig.axes] == ["flags", "weekly distance", "runs"]
    assert list(picture.panel("runs").lines[0].get_ydata()) == list(result.weeks["runs"].iloc[1:15])
    assert [t.get_text() for t in picture.panel("runs").texts if t.get_gid() == "key"] == ["runs a week"]
    assert tuple(fig.get_size_inches()) == pytest.approx((10.0, WIDE.height(panels)))
    assert picture.svg(LAYOFF_WEEK).startswith("<svg ") and tuple(fig.get_size_inches()) == pytest.approx((4.0, NARROW.height(panels)))


def test_narrow_picture_for_phones(result):
    """The same week 4 inches wide: fonts as on the wide one, keys in rows above the panels, inside the figure."""
    picture = WeeklyPicture(result)
    svg = picture.svg(LAYOFF_WEEK)
    fig = picture.figure
    assert tuple(fig.get_size_inches()) == pytest.approx((4.0, NARROW.height()))
    assert svg.startswith("<svg ") and svg.endswith("</svg>") and "<metadata>" not in svg and "\n" not in svg
    assert 'viewBox="0 0 288 ' in svg and "font: 10px" in svg or "font-size: 10px" in svg  # text stays text
    assert "Week of 10 Aug 2026 (highlighted)" in svg and "and the 13 weeks before" in svg
    assert 'xlink:href="#flag-1"' in svg  # the layoff ALERT's marker links to its card
    fig.canvas.draw()
    width = fig.bbox.width
    for ax in picture.axes:
        keys = [t for t in ax.texts if t.get_gid() == "key"]
        for t in keys:
            box = t.get_window_extent()
            assert box.y0 >= ax.bbox.y1 - 1 and 0 <= box.x0 and box.x1 <= width, t.get_text()  # above the panel, in the picture
    climb = sorted({round(t.get_window_extent().y0) for t in picture.panel("long-run climb").texts if t.get_gid() == "key"})
    assert len(climb) == 3  # four entries in three rows
    for ax in picture.axes:  # the y labels are inside the picture
        assert ax.yaxis.label.get_window_extent().x0 >= 0
    assert picture.svg(LAYOFF_WEEK) == svg == WeeklyPicture(result).svg(LAYOFF_WEEK)  # the same bytes each time
    assert picture.png(LAYOFF_WEEK) == WeeklyPicture(result).png(LAYOFF_WEEK)  # and back to the wide layout
    assert tuple(fig.get_size_inches()) == pytest.approx((10.0, WIDE.height()))


def test_week_in_progress(result, tmp_path):
    """`--until` on a Wednesday: the week is hatched and labelled in progress, its numbers "so far"."""
    wednesday = analyze(result.export, symptoms=result.symptoms, until=dt.date(2026, 8, 12))
    assert in_progress(wednesday, LAYOFF_WEEK) == dt.date(2026, 8, 12)
    assert in_progress(wednesday, dt.date(2026, 8, 3)) is None  # not the last week
    assert in_progress(result, dt.date(2026, 9, 28), today=dt.date(2026, 10, 1)) == dt.date(2026, 10, 1)
    assert in_progress(result, dt.date(2026, 9, 28), today=dt.date(2026, 10, 5)) is None
    picture = WeeklyPicture(wednesday)
    fig = picture.draw(LAYOFF_WEEK)
    assert fig._suptitle.get_text() == "Week of 10 Aug 2026 (in progress, to Wed 12 Aug) and the 13 weeks before"
    partial = [c for c in panel_axes(fig, "weekly distance").collections if c.get_label() == "in progress, so far"]
    assert len(partial) == 1 and partial[0].get_hatch() == "////" and partial[0].get_alpha() == 0.45
    assert partial[0].get_paths()[0].vertices[:, 1].max() == pytest.approx(8.0, abs=0.01)  # Wednesday's 8 km so far
    assert "in progress, so far" in [t.get_text() for t in panel_axes(fig, "weekly distance").texts if t.get_gid() == "key"]
    assert [c.get_hatch() for c in panel_axes(fig, "fast share").collections if c.get_label() == "in progress, so far"] == ["////"]
    assert not [c for c in panel_axes(WeeklyPicture(result).draw(LAYOFF_WEEK), "weekly distance").collections if c.get_hatch()]
    png, html = write_week_report(wednesday, LAYOFF_WEEK, tmp_path)
    page = html.read_text()
    assert "<h1>Week of 10 Aug 2026 (in progress)</h1>" in page
    assert "In progress: runs up to Wed 12 Aug." in page
    assert "<tr><th>Distance</th><td>8.0 km so far</td></tr>" in page
    assert "<tr><th>Acute:chronic ratio (last day)</th><td>not yet: the week is not over</td></tr>" in page
    assert "Nothing worth a look this week so far" in page
    assert "(in progress, to Wed 12 Aug)" in page  # the picture's title, in the SVG
    index = index_html(wednesday)
    assert "Week of 10 Aug 2026</a> (in progress): 8.0 km, 1 run" in index


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
    assert "src='data:image/png;base64," in page and "<div class='narrow' role='img'" in page and "<svg " in page
    # a worried runner reads the status, then the episodes, then the picture and the tables
    assert "<p class='status status-alert' id='status'><a href='#worth-a-look'>1 alert worth a look this week</a></p>" in page
    card = "<div class='flag' id='episode-1' data-episode='layoff_return:2026-08-12'><span id='flag-1'></span>"
    order = ["id='status'", "<h2 id=\"worth-a-look\">Worth a look</h2>", card, "<figure class='chart'", "<h2>Runs</h2>"]
    assert [page.index(x) for x in order] == sorted(page.index(x) for x in order)
    # the return's card: what, when, the message, why, and how strong the evidence is (the source a tap away)
    assert (
        "<span class='sev sev-alert'>ALERT</span><strong>Coming back too hard after a break</strong>"
        "<p class='span'>Return: Wed 12 Aug to Tue 18 Aug (into the week after)</p><p>Back on 12 Aug after 16 days without running: 40.0 km in the first 7 days;"
    ) in page
    assert "<details class='evidence'><summary>Evidence: coaching practice</summary><p class='source'>Source: &quot;15 Ways&quot;" in page
    assert page.count("<div class='flag'") == 1 and "<details class='more'" not in page
    # the tables scroll inside their own box; the runs table puts the numbers first, the file last
    assert page.count("<div class='scroll'><table>") == 2
    assert "<tr><td>Wed 12 Aug</td><td>8.0 km</td><td>5:40/km</td><td>177</td><td>10.2 m/km</td><td>0.0 km</td><td class='file'>export/garmin/2026-08-12-07-00.fit</td></tr>" in page
    assert "<td>Sat 15 Aug</td><td>3/10</td><td>pain</td><td>upper near the sit bone</td><td>right</td><td>after run</td><td class='note'>back too soon?</td>" in page
    assert "<nav" not in page  # one week alone: no neighbours written to link to
    assert "@media (max-width:719px)" in page


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


def test_step_length_picture_drawn_once_rings_each_week(result, tmp_path):
    """--all draws the step-length chart once and moves the rings: each week's chart is the one drawn for it alone."""
    sensed = dataclasses.replace(result, runs=result.runs.assign(has_running_dynamics=True))
    picture = plots.StepLengthPicture(sensed)
    weeks = [LAYOFF_WEEK, dt.date(2026, 5, 4), dt.date(2026, 7, 27), dt.date(2026, 6, 22)]  # 27 Jul: the break, no run
    ringed = []
    for week in weeks:
        png = picture.png(week)
        assert png == plots.StepLengthPicture(sensed).png(week) == plots.step_length_png(sensed, week), week
        mine = sensed.runs[[day_of(w) == week for w in sensed.runs["week_start"]]]
        rings = np.asarray(picture.rings.get_offsets())
        assert rings[:, 1].tolist() == pytest.approx((mine["step_length_m"] * 100).tolist()), week  # the week's runs, only those
        ringed.append(len(rings))
    assert ringed == [4, 4, 0, 3]
    # the pages of --all carry the same chart a one-week page does
    write_all_reports(sensed, tmp_path, workers=1)
    alone = render_week_html(sensed, LAYOFF_WEEK, b"")
    chart = alone[alone.index("<h2>Step length and speed</h2>") :].split("</p>", 1)[0]
    assert chart in (tmp_path / f"week-{LAYOFF_WEEK.isoformat()}.html").read_text()


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
    page = render_week_html(r, LAYOFF_WEEK, b"\x89PNG fake", WeeklyPicture(r).svg(LAYOFF_WEEK), nav=(dt.date(2026, 8, 3), None))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the inline SVG names its XML namespaces, which nothing fetches; no other address
    bare = page.replace("&quot;https://evil.example/x.png&quot;", "").replace('"http://www.w3.org/2000/svg"', "").replace('"http://www.w3.org/1999/xlink"', "")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", bare)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#|week-|index\.html)""", page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only the SVG's own clip paths


def with_doubtful_layoff(result, doubt: str):
    """The analysis with its layoff_return flag, and the episode it leads, marked doubtful."""
    flags = [dataclasses.replace(f, doubtful=True, doubt=doubt) if f.rule == "layoff_return" else f for f in result.flags]
    episodes = [dataclasses.replace(e, doubtful=True, doubt=doubt) if e.rule == "layoff_return" else e for e in result.episodes]
    return dataclasses.replace(result, flags=flags, episodes=episodes)


def test_doubtful_flag_in_the_terminal_and_the_html(result):
    r = with_doubtful_layoff(result, "rests on Sun 20 Sep 2020 (GPS jumps: 16.7 of 22.1 km recorded were <removed>)")
    text = episodes_text(r)
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if "coming back too hard after a break" in line)
    assert any(line.startswith("          Back on 12 Aug after 16 days without running") for line in lines[head + 1 : head + 3])
    note = next(line for line in lines[head + 1 :] if "Doubtful data" in line)
    assert note.startswith("          Doubtful data: rests on Sun 20 Sep 2020 (GPS jumps:")
    # only the doubtful episodes carry the note: this one, and the long run measured on the treadmill (23 Jul)
    assert text.count("Doubtful data") == 2
    assert episodes_text(result).count("Doubtful data: on a treadmill") == 1 == episodes_text(result).count("Doubtful data")
    page = render_week_html(r, LAYOFF_WEEK, b"\x89PNG fake")
    assert (
        "<p class='doubt'>Doubtful data: rests on Sun 20 Sep 2020 (GPS jumps: 16.7 of 22.1 km recorded were "
        "&lt;removed&gt;)</p>" in page
    )
    assert page.index("Back on 12 Aug") < page.index("class='doubt'") < page.index("Why it matters") < page.index("Evidence: coaching practice")
    assert ".doubt{" in page  # styled (a muted warning)
    assert "class='doubt'" not in render_week_html(result, LAYOFF_WEEK, b"\x89PNG fake")
    # an episode whose lead is sound but one of whose findings rests on doubtful data says so, as that part's
    spike = next(e for e in result.episodes if e.id == LONG_RUN)
    assert spike.doubtful and [f.date for f in spike.members if f.doubtful] == [dt.date(2026, 7, 23)]  # the 16.5 km on a treadmill
    sound_lead = dataclasses.replace(result, episodes=[dataclasses.replace(spike, doubtful=False, doubt=None)])
    page = render_week_html(sound_lead, dt.date(2026, 7, 20), b"")
    assert "<p class='doubt'>Doubtful data behind part of this: on a treadmill, the distance is the watch&#x27;s estimate</p>" in page


LONG_RUN = "single_run_spike:2026-07-19"  # Sun 19 Jul to Thu 23 Jul: an episode across two weeks


def _cards(page: str) -> list[tuple[str, str]]:
    """(card id, episode id) of a page's episode cards, in page order."""
    return re.findall(r"<div class='flag' id='(episode-\d+)' data-episode='([^']+)'>", page)


def test_a_multi_week_episode_shows_on_every_week_it_overlaps(result):
    spike = next(e for e in result.episodes if e.id == LONG_RUN)
    assert (spike.start, spike.end, spike.severity) == (dt.date(2026, 7, 19), dt.date(2026, 7, 23), "alert")
    first, second = (render_week_html(result, w, b"") for w in (dt.date(2026, 7, 13), dt.date(2026, 7, 20)))
    assert _cards(first) == [("episode-1", LONG_RUN)]
    assert "<p class='span'>Long run: Sun 19 Jul to Thu 23 Jul (into the week after)</p>" in first
    assert _cards(second)[0] == ("episode-1", LONG_RUN)
    assert "<p class='span'>Long run: since Sun 19 Jul, up to Thu 23 Jul</p>" in second
    assert LONG_RUN not in render_week_html(result, dt.date(2026, 7, 27), b"")  # no day of it in the week after
    # the picture's markers (#flag-N, N counting the week's flags in order) land on the card of their episode
    for week, page in ((dt.date(2026, 7, 13), first), (dt.date(2026, 7, 20), second)):
        mine = [i for i, f in enumerate((f for f in result.flags if f.week_start == week), 1) if f.episode == LONG_RUN]
        anchors = "".join(f"<span id='flag-{i}'></span>" for i in mine)
        assert mine and f"data-episode='{LONG_RUN}'>{anchors}<span class='sev" in page, week
    # --all groups the episodes by week in one pass: the same episodes, in the same order, as asking week by week
    grouped = episodes_by_week(result)
    for week in week_days(result.weeks):
        assert week_episodes(result, week, grouped.get(week, [])) == week_episodes(result, week), week
    assert [e.id for e in grouped[dt.date(2026, 7, 13)]] == [LONG_RUN]
    assert sum(len(v) for v in grouped.values()) == len(result.episodes) + 2  # the long run, and the return's 7 days, twice


def test_the_status_line_counts_episodes_not_flags(result):
    week = dt.date(2026, 7, 6)  # four runs of low cadence: four flags, one episode
    assert [f.rule for f in result.flags if f.week_start == week] == ["low_cadence"] * 4
    page = render_week_html(result, week, b"")
    assert "<p class='status status-warning' id='status'><a href='#worth-a-look'>1 warning worth a look this week</a></p>" in page
    assert _cards(page) == [("episode-1", "low_cadence:2026-07-07")]
    assert "<p class='span'>4 runs: Tue 7 Jul to Sun 12 Jul</p>" in page and "In the same stretch: the same 3 more times, 7 Jul to 12 Jul" in page
    assert "<span id='flag-1'></span><span id='flag-2'></span><span id='flag-3'></span><span id='flag-4'></span>" in page
    # 20 Jul: four flags (1 alert, 1 warning, 2 info of flat long runs), two episodes (the flat runs are part of them)
    assert sorted(f.severity for f in result.flags if f.week_start == dt.date(2026, 7, 20)) == ["alert", "info", "info", "warning"]
    page = render_week_html(result, dt.date(2026, 7, 20), b"")
    assert "<p class='status status-alert' id='status'><a href='#worth-a-look'>1 alert, 1 warning worth a look this week</a></p>" in page
    assert "<a href='#worth-a-look'>Nothing worth a look this week</a>" in render_week_html(result, dt.date(2026, 9, 28), b"")


def test_cards_go_severity_then_evidence_then_newest_and_the_rest_fold_away(result):
    week = dt.date(2026, 7, 20)
    assert [e for _, e in _cards(render_week_html(result, week, b""))] == [LONG_RUN, "late_run_fatigue:2026-07-26"]  # alert, warning
    # five made-up episodes of the week: the alert first though oldest and least evidenced; then the warnings,
    # a published study before coaching practice before common sense about the data, the newest first within each
    base = next(e for e in result.episodes if e.id == "late_run_fatigue:2026-07-26")
    made = {
        "old-practice-warning": ("warning", "practice", dt.date(2026, 7, 21)),
        "new-data-warning": ("warning", "data", dt.date(2026, 7, 26)),
        "new-practice-warning": ("warning", "practice", dt.date(2026, 7, 25)),
        "old-study-warning": ("warning", "study", dt.date(2026, 7, 20)),
        "old-data-alert": ("alert", "data", dt.date(2026, 7, 20)),
    }
    episodes = [dataclasses.replace(base, id=k, severity=s, evidence=ev, start=end, end=end) for k, (s, ev, end) in made.items()]
    r = dataclasses.replace(result, episodes=episodes)
    page = render_week_html(r, week, b"")
    expected = ["old-data-alert", "old-study-warning", "new-practice-warning", "old-practice-warning", "new-data-warning"]
    assert _cards(page) == [(f"episode-{i}", e) for i, e in enumerate(expected, 1)]
    assert "<a href='#worth-a-look'>1 alert, 4 warnings worth a look this week</a>" in page
    assert "Evidence: a published study</summary>" in page and "Evidence: common sense about the data</summary>" in page
    # the first three shown; the other two in one folded <details>, before the picture
    more = page.index("<details class='more' id='more'><summary>2 more this week</summary>")
    at = {e: page.index(f"data-episode='{e}'") for e in expected}
    assert max(at[e] for e in expected[:3]) < more < min(at[e] for e in expected[3:]) < page.index("<figure class='chart'")
    assert page.count("<details class='more'") == 1
    # the number shown first is the config's (episodes.first_screen)
    one = dataclasses.replace(r, config=dataclasses.replace(r.config, episodes=dataclasses.replace(r.config.episodes, first_screen=1)))
    page = render_week_html(one, week, b"")
    assert page.index("data-episode='old-data-alert'") < page.index("<summary>4 more this week</summary>") < page.index("data-episode='old-study-warning'")
    five = dataclasses.replace(r, config=dataclasses.replace(r.config, episodes=dataclasses.replace(r.config.episodes, first_screen=5)))
    assert "<details class='more'" not in render_week_html(five, week, b"")


def test_all_weeks_and_index(result, tmp_path):
    index = write_all_reports(result, tmp_path, today=dt.date(2026, 11, 30))
    pages = sorted(p.name for p in tmp_path.glob("week-*.html"))
    assert len(pages) == 22 and len(list(tmp_path.glob("week-*.png"))) == 22
    text = index.read_text()
    assert all(f"href='{p}'" in text for p in pages)
    assert "Not medical advice" in text and '<meta name="viewport"' in text
    assert text.index("week-2026-09-28.html") < text.index("week-2026-05-04.html")  # newest first
    # each week's status: its episodes counted by severity, the worst colouring the badge
    assert "<li><a href='week-2026-08-10.html'>Week of 10 Aug 2026</a>: 34.0 km, 4 runs <span class='sev sev-alert'>1 alert</span></li>" in text
    # 4 low-cadence runs are one episode; the long run of 19-23 Jul counts in both its weeks, as an alert (its worst)
    assert "<li><a href='week-2026-07-06.html'>Week of 6 Jul 2026</a>: 32.0 km, 4 runs <span class='sev sev-warning'>1 warning</span></li>" in text
    assert "<li><a href='week-2026-07-13.html'>Week of 13 Jul 2026</a>: 34.0 km, 4 runs <span class='sev sev-alert'>1 alert</span></li>" in text
    assert "Week of 20 Jul 2026</a>: 37.0 km, 3 runs <span class='sev sev-alert'>1 alert, 1 warning</span></li>" in text
    assert "<li><a href='week-2026-08-03.html'>Week of 3 Aug 2026</a>: 0.0 km, 0 runs <span class='muted'>nothing worth a look</span></li>" in text
    assert "(in progress)" not in text
    # the long run of 19-23 Jul has its card on both its weeks' pages
    for week in ("2026-07-13", "2026-07-20"):
        assert ("episode-1", LONG_RUN) in _cards((tmp_path / f"week-{week}.html").read_text()), week
    # previous, index and next on every page; nothing before the first week or after the last
    page = (tmp_path / "week-2026-08-10.html").read_text()
    nav = "<nav class='weeks'><a rel='prev' href='week-2026-08-03.html'>&larr; Week of 3 Aug</a><a href='index.html'>All weeks</a><a rel='next' href='week-2026-08-17.html'>Week of 17 Aug &rarr;</a></nav>"
    assert page.count(nav) == 2  # at the top and at the bottom
    first, last = (tmp_path / pages[0]).read_text(), (tmp_path / pages[-1]).read_text()
    assert "rel='prev'" not in first and "rel='next'" in first
    assert "rel='next'" not in last and "<a href='index.html'>All weeks</a>" in last


def test_a_reused_picture_equals_a_new_one(result):
    """--all redraws one figure per process, in any order of weeks: each picture is the one a new figure gives."""
    weeks = [dt.date(2026, 9, 28), dt.date(2026, 5, 4), LAYOFF_WEEK, dt.date(2026, 6, 22), dt.date(2026, 5, 11)]
    reused = WeeklyPicture(result)
    for week in weeks:
        assert reused.png(week) == WeeklyPicture(result).png(week), week
        if week in (LAYOFF_WEEK, dt.date(2026, 5, 4)):
            assert reused.svg(week) == WeeklyPicture(result).svg(week), week
    # weeks without cadence leave the cadence panel's limits to autoscaling: nothing carries over
    runs = result.runs.copy()
    runs.loc[runs["local_date"] < dt.date(2026, 6, 1), "cadence_spm"] = float("nan")
    partial = dataclasses.replace(result, runs=runs)
    reused = WeeklyPicture(partial)
    for week in [dt.date(2026, 6, 22), dt.date(2026, 5, 11), dt.date(2026, 5, 18), LAYOFF_WEEK]:
        assert reused.png(week) == WeeklyPicture(partial).png(week), week
    assert "no cadence recorded" in [t.get_text() for t in panel_axes(reused.draw(dt.date(2026, 5, 11)), "cadence").texts]
    assert weekly_figure(result, LAYOFF_WEEK).get_layout_engine() is None  # fixed layout, no solve


def test_report_png_is_lossless_rgb():
    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    image = Image.open(io.BytesIO(rgb_png(rgba)))
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
    svg = WeeklyPicture(late).svg(LAYOFF_WEEK)
    nav = (dt.date(2026, 8, 3), dt.date(2026, 8, 17))
    assert done[1]["week-2026-08-10.html"].decode() == render_week_html(late, LAYOFF_WEEK, done[1]["week-2026-08-10.png"], svg, nav)


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


def test_report_all_write_failure_is_one_line(tmp_path, sample_store):
    out = tmp_path / "out"
    (out / "week-2026-05-11.png").mkdir(parents=True)
    r = CliRunner().invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(out), "--all", "--cache-dir", str(sample_store), "-q"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert lines == [f"Error: {out / 'week-2026-05-11.png'}: cannot write (Is a directory)"], r.output
    assert "Traceback" not in r.output


def test_default_week_is_the_last_complete_one(result):
    assert default_week(result, today=dt.date(2026, 11, 23)) == dt.date(2026, 9, 28)
    assert default_week(result, today=dt.date(2026, 10, 3)) == dt.date(2026, 9, 21)  # 28 Sep week not over yet
    with pytest.raises(ValueError):
        default_week(result, today=dt.date(2026, 5, 5))


def test_report_command(tmp_path, monkeypatch, sample_store):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) and False)  # and no browser to open it in
    runner = CliRunner()
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2026-06-24", "--symptoms", str(SAMPLE_RUNS / "symptoms.csv"), "--cache-dir", str(sample_store), "-q"])
    assert r.exit_code == 0, r.output
    assert opened == []  # --open only when asked
    assert (tmp_path / "week-2026-06-22.png").exists() and (tmp_path / "week-2026-06-22.html").exists()
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path / "wed"), "--until", "2026-08-12", "--week", "2026-08-12", "--cache-dir", str(sample_store), "-q"])
    assert r.exit_code == 0, r.output
    assert "In progress: runs up to Wed 12 Aug." in (tmp_path / "wed" / "week-2026-08-10.html").read_text()
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2025-01-01", "--cache-dir", str(sample_store), "-q"])
    assert r.exit_code == 1 and "no week starting 2024-12-30 in the data (weeks run from 2026-05-04 to 2026-09-28)" in r.output
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path), "--week", "2026-06-24", "--all"])
    assert r.exit_code == 2 and "not both" in r.output
    r = runner.invoke(main, ["report", str(SAMPLE_RUNS), "--out", str(tmp_path / "mi"), "--units", "mi", "--no-cache", "-q", "--open"])
    assert r.exit_code == 0 and (tmp_path / "mi" / "week-2026-09-28.html").exists()
    assert opened == [(tmp_path / "mi" / "week-2026-09-28.html").resolve().as_uri()]
    assert r.output.splitlines()[-1] == f"Could not open a web browser: open {tmp_path / 'mi' / 'week-2026-09-28.html'} yourself."
    assert "mi / week" in (tmp_path / "mi" / "week-2026-09-28.html").read_text()  # in the phone picture, as text
    assert "36.0 km" not in (tmp_path / "mi" / "week-2026-09-28.html").read_text()


def test_report_all_obeys_workers(tmp_path, monkeypatch, sample_store):
    """``report --all --workers 1`` draws every week in this process; ``--workers 2`` hands them to a pool of two."""
    from hamstring_analyzer.render import report_files

    pools = []

    def counted(fn, items, workers, **kw):
        pools.append(workers)
        for item in items:  # what the pool would do, here
            kw["initializer"](*kw["initargs"])
            yield item, fn(item)

    monkeypatch.setattr(report_files, "map_in_workers", counted)
    for workers in ("1", "2"):
        out = tmp_path / workers
        r = CliRunner().invoke(main, ["report", str(SAMPLE_RUNS), "--all", "--until", "2026-05-24", "--out", str(out), "--cache-dir", str(sample_store), "-q",
                                      "--workers", workers])  # fmt: skip
        assert r.exit_code == 0, r.output
        assert len(list(out.glob("week-*.html"))) == 3
    assert pools == [2]


@needs_real_runs
def test_week_page_names_the_doubtful_run(phone_runner):
    """The week of a phone recording with 16.5 km of GPS jumps says so beside its runs."""
    result = analyze(phone_runner)
    html = render_week_html(result, dt.date(2020, 9, 14), b"")
    assert "Doubtful data, Sun 20 Sep: 16.5 km of GPS jumps removed; 22.1 km recorded, 5.5 km kept." in html

