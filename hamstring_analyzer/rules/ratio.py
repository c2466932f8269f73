"""The acute:chronic load ratio as a flag (off by default: the ratio is a weekly column).

References
----------
Gabbett TJ (2016). The training-injury prevention paradox. BJSM 50:273-280.
Lolli L et al. (2019). Mathematical coupling causes spurious correlation
within the conventional acute-to-chronic workload ratio. BJSM 53:921-922.
Impellizzeri FM et al. (2020). Acute:chronic workload ratio: conceptual issues
and fundamental pitfalls. IJSPP 15:907-913.
"""

from __future__ import annotations

import datetime as dt
import math

from ..dates import add_days
from ..metrics.weekly import weekly_peaks
from .registry import CHRONIC_DAYS, Context, DayRange, Flag, TableRow, rule
from .wording import Words


def _chronic_window(ctx: Context, flag: Flag) -> list[DayRange]:
    return [(add_days(flag.date, -(CHRONIC_DAYS - 1)), flag.date)]


def acwr_high_message(f, w: Words) -> str:
    x = f.facts
    what = "load" if x.get("load_method", "distance") == "distance" else f"{x['load_method'].upper()} load"
    return (
        f"Week of {w.day(f.week_start)}: on {w.day(f.date)} your last 7 days ({w.km(x['acute_m'])}) were {x['ratio']:.2f} times "
        f"your 4-week {what} ({x['method']} acute:chronic ratio); {x['danger']:g} and above is Gabbett's \"danger zone\". "
        "Context only: this ratio predicts injury barely better than chance (Impellizzeri 2020)."
    )


def acwr_high_brief(f, w: Words) -> str:
    return f"acute:chronic ratio {f.facts['ratio']:.1f} on {w.day(f.date)}"


@rule(
    "acwr_high",
    title="Acute:chronic load ratio high",
    why="The last 7 days well above the weeks before: context for a spike in load, not a warning in itself.",
    source="Gabbett 2016 (BJSM): 0.8-1.3 \"sweet spot\", 1.5 and above \"danger zone\". Weak evidence: the usual "
    "(coupled) ratio correlates spuriously (Lolli 2019, BJSM), so the uncoupled form is the default here; "
    "Impellizzeri 2020 (IJSPP) and 2021 (Sports Med): the ratio predicts injury barely better than chance, "
    "and Frandsen 2025 (BJSM) found no association for weekly ratios. Shown as context (info).",
    section="acwr",
    level="week",
    basis=_chronic_window,
    message=acwr_high_message,
    brief=acwr_high_brief,
    samples=False,
    row=TableRow(
        flags="off by default: the acute:chronic ratio is a weekly column (`[acwr] flag = true` brings the flag back)",
        default="1.5",
        severity="info",
        evidence="weak (Impellizzeri 2020; Frandsen 2025)",
    ),
)
def acwr_high(ctx: Context) -> list[Flag]:
    """Weeks whose highest daily acute:chronic ratio reaches ``danger``; severity ``acwr.severity`` (info).

    Only with ``acwr.flag = true``: by default the ratio is a weekly column
    (Frandsen 2025: weekly ratios showed no association with injury).

    Not flagged while the 28-day chronic window still holds a break of
    ``layoff_return.min_gap_days`` or more: the ratio then only says "you were
    off", which `layoff_return` judges with the right yardstick.

    A week's peak is the same spike as the last flagged one when no run came
    after that flag's day up to this peak (a Sunday spike carried into
    Monday, with no new load): it is not flagged twice.
    """
    c = ctx.config.acwr
    flags = []
    if not c.flag:
        return flags  # a weekly column, not a flag, unless the runner asks for it
    last_flagged: dt.date | None = None
    for week, (peak, date) in zip(ctx.weeks.index, weekly_peaks(ctx.ratio, ctx.weeks.index)):  # the ratio of the rules' config
        if not (isinstance(peak, float) and math.isfinite(peak)) or peak < c.danger:
            continue
        window_start = add_days(date, -(CHRONIC_DAYS - 1))
        if any(b > window_start and a < date for a, b, _ in ctx.gaps):
            continue
        if last_flagged is not None and not (ctx.load.loc[add_days(last_flagged, 1) : date] > 0).any():
            continue
        last_flagged = date
        acute = ctx.load.loc[add_days(date, -6) : date].sum()
        facts = {"acute_m": acute, "ratio": peak, "method": c.method, "danger": c.danger, "load_method": ctx.config.load.method}
        flags.append(Flag("acwr_high", c.severity, week, date, None, peak, c.danger, "ratio", facts=facts))
    return flags
