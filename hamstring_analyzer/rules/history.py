"""A history of hamstring symptoms weighs in: load flags after a recent episode are raised one step.

References
----------
Green B et al. (2020). Recalibrating the risk of hamstring strain injury: a
systematic review and meta-analysis of risk factors. BJSM 54:1081-1088
(previous hamstring injury RR 2.7; recent injury RR 4.8: the strongest known
predictor).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..config import Config
from ..dates import days_between
from .registry import RULES, Flag, severity_above


def recent_symptoms(entries, day: dt.date, config: Config) -> tuple[dt.date, int] | None:
    """(last day, worst severity) of the symptoms of ``injury_history.min_severity`` or more logged in
    the ``injury_history.window_days`` before ``day`` (not on it: a flag's own day may be what hurt); None if none."""
    c = config.injury_history
    if c.window_days <= 0:
        return None
    near = [e for e in entries if e.severity >= c.min_severity and 0 < days_between(e.date, day) <= c.window_days]
    if not near:
        return None
    return max(e.date for e in near), max(e.severity for e in near)


def raise_after_symptoms(flags: list[Flag], entries, config: Config) -> list[Flag]:
    """Every load rule's flag (`Rule.load`) one step more severe after a recent symptom episode.

    The flag's ``facts["raised"]`` records from what and why, for its message.
    """
    if not entries:
        return flags
    out = []
    for f in flags:
        recent = RULES[f.rule].load and recent_symptoms(entries, f.date, config)
        if recent:
            last, worst = recent
            up = severity_above(f.severity)
            if up != f.severity:
                facts = {**f.facts, "raised": {"from": f.severity, "episode_end": last, "max_severity": worst}}
                f = replace(f, severity=up, facts=facts)
        out.append(f)
    return out
