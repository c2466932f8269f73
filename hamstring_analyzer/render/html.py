"""The one HTML page skeleton and the stylesheets of every page we write.

Every page (a week's report, the index of weeks, the team page) is
`page`: the same head (UTF-8, a phone's viewport, the title, the
stylesheet inline: no network, no external assets) around its body. The
stylesheets share what the pages have in common, written once here: the
type, the subtitle, muted text and the severity colours, which the picture's
flag markers use too (`plots.SEVERITY_STYLE`).
"""

from __future__ import annotations

from string import Template

from .. import __version__
from ..glossary import DISCLAIMER
from ..safetext import html_text as escape  # html.escape, and control characters from files shown, not kept

#: A flag's severity and its colour: the badges, the picture's key words and its markers.
SEVERITY_COLOURS = {"alert": "#c0392b", "warning": "#d98a1c", "info": "#7f8c99"}


def _each_severity(rule: str, order: tuple[str, ...]) -> str:
    """``rule`` (with ``{0}`` the severity and ``{1}`` its colour) for each severity in ``order``."""
    return "".join(rule.format(s, SEVERITY_COLOURS[s]) for s in order)


#: What every stylesheet shares, by the name its stylesheet gives it ($name).
_SHARED = {
    "font": 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif',
    "subtitle": ".sub{color:#666;margin-top:0}",
    "muted": ".muted{color:#777}",
    "badges": _each_severity(".sev-{0}{{background:{1}}}", ("info", "warning", "alert")),
    "badges_worst_first": _each_severity(".sev-{0}{{background:{1}}}", ("alert", "warning", "info")),
    "key_words": _each_severity(".key-{0}{{color:{1}}}", ("alert", "warning", "info")),
}

#: A week's report and the index of weeks: a column of text, the picture (PNG wide, SVG on phones), tables that scroll.
REPORT_CSS = Template("""
body{font-family:$font;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
$subtitle.disclaimer{background:#f4f6fb;border-left:4px solid #4c78a8;padding:.5rem .8rem}
img.chart{width:100%;height:auto;border:1px solid #eee}
figure.chart{margin:1rem 0}figure.chart img,figure.chart svg{display:block;width:100%;height:auto;border:1px solid #eee;box-sizing:border-box}
figure.chart .narrow{display:none}figure.chart figcaption{color:#555;font-size:.9rem;margin-top:.3rem}
$key_words
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}.scroll table{margin:0}.scroll td,.scroll th{white-space:nowrap}.scroll td.note{white-space:normal;min-width:12rem;text-align:left}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .7rem;text-align:right;border-bottom:1px solid #eee}
th:first-child,td:first-child{text-align:left}td.file,th.file{text-align:left}td.file{color:#555}
.flag{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.sev{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .45rem;border-radius:4px;color:#fff;margin-right:.5rem}
$badges.sev-none{background:#59a14f}
.usual{color:#555;font-size:.92rem;margin:.4rem 0 .8rem}
.status{font-size:1.1rem;font-weight:600;padding:.5rem .8rem;border-radius:6px;border-left:5px solid #59a14f;background:#eef6ee}
.status a{color:inherit}.status-alert{border-color:#c0392b;background:#fbeceb}.status-warning{border-color:#d98a1c;background:#fdf3e4}
.progress{border-left:4px dashed #7f8c99;background:#f4f4f4;padding:.4rem .8rem}
nav.weeks{display:grid;grid-template-columns:1fr auto 1fr;gap:.5rem;margin:.6rem 0}nav.weeks a[rel=next]{text-align:right}
.hint{display:none;color:#777;font-size:.85rem;margin:.2rem 0}
.why,.source{color:#555;font-size:.9rem;margin:.3rem 0 0}$muted
.doubt{color:#7a5a1e;background:#fbf5e8;border-left:3px solid #e0b96a;font-size:.9rem;margin:.3rem 0 0;padding:.15rem .5rem}
.flag .span{color:#555;font-size:.9rem;margin:.25rem 0 0}.flag p{margin:.45rem 0 0}
details.evidence{font-size:.9rem;margin:.3rem 0 0}details.evidence>summary{cursor:pointer;color:#333}
details.more{margin:.6rem 0}details.more>summary{cursor:pointer;color:#1f5fa8;font-weight:600;padding:.3rem 0}
ul.index{padding-left:1.2rem}ul.index li{margin:.35rem 0}
.next{border:1px solid #cfe0cf;background:#f5faf5;border-radius:6px;padding:.2rem .9rem}
@media (max-width:719px){
body{margin:.8rem auto;padding:0 .7rem}h1{font-size:1.35rem}h2{margin-top:1.5rem}
figure.chart .wide{display:none}figure.chart .narrow{display:block}.hint{display:block}
td,th{padding:.25rem .45rem}.next{padding:.2rem .6rem}
}
""").substitute(_SHARED)

#: The team page: one wide table whose first column (the athlete) stays in view as it scrolls sideways.
TEAM_CSS = Template("""
*{box-sizing:border-box}
body{font-family:$font;max-width:64rem;margin:1rem auto;padding:0 .8rem;color:#222;line-height:1.4}
h1{font-size:1.45rem;margin:.2rem 0}$subtitle
.disclaimer{background:#f4f6fb;border-left:4px solid #4c78a8;padding:.5rem .8rem;font-size:.92rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%;border:1px solid #e6e6e6;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:.4rem .55rem;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}
th{background:#fafafa;font-weight:600;position:sticky;top:0}
th:first-child,td:first-child{text-align:left;position:sticky;left:0;background:#fff}
th:first-child{background:#fafafa}
td.note{text-align:left;white-space:normal;min-width:12rem;color:#444}th.note{text-align:left}
.sev{display:inline-block;min-width:1.6rem;text-align:center;font-size:.8rem;font-weight:700;padding:.05rem .35rem;border-radius:4px;color:#fff}
$badges_worst_first.sev-none{background:#e9ecef;color:#999}
tr.error td{background:#fff5f5}tr.error td:first-child{background:#fff5f5}
.err{color:#a12a1c}$muted.rules{font-size:.8rem;color:#666}.lead{color:#222}
a{color:#1f5fa8}td.status{display:none}
@media (max-width:480px){body{padding:0 .5rem}h1{font-size:1.2rem}th,td{padding:.35rem .4rem}}
@media (max-width:640px){
.scroll{overflow:visible;border:0;border-radius:0}
table,tbody,tr,td{display:block;width:auto}tr.head{display:none}
tr{border:1px solid #e6e6e6;border-radius:6px;margin:.6rem 0;padding:.45rem .65rem}
td,td:first-child{border:0;padding:.12rem 0;text-align:left;white-space:normal;position:static;background:none}
td.name{font-weight:600;font-size:1.05rem}td.note{min-width:0;overflow-wrap:anywhere;margin-top:.2rem}
td.status{display:block;font-weight:600;border-left:4px solid #59a14f;padding-left:.45rem;margin:.15rem 0 .3rem}
.status-alert{border-color:#c0392b!important}.status-warning{border-color:#d98a1c!important}.status-info{border-color:#7f8c99!important}
td.count,td.number{display:inline-block;margin-right:.8rem}
td[data-label]::before{content:attr(data-label) " ";color:#777;font-size:.8rem}
tr.error{background:#fff5f5}tr.error td{background:none}
}
""").substitute(_SHARED)


def page(title: str, body: str, css: str = REPORT_CSS) -> str:
    """A whole page: ``title`` (text, escaped here), the stylesheet ``css`` inline, and ``body`` (HTML, escaped by the caller)."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: hamstring-analyzer</title>
<style>{css}</style></head>
<body>
{body}
</body></html>
"""


def disclaimer() -> str:
    """The disclaimer every page carries near its top."""
    return f'<p class="disclaimer">{escape(DISCLAIMER)}</p>'


def made_by(after: str = "") -> str:
    """The last line of a page: the program and its version, then ``after`` (text, escaped here)."""
    return f'<p class="muted">Made by hamstring-analyzer {escape(__version__)}.{" " + escape(after) if after else ""}</p>'
