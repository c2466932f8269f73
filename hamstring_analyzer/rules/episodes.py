"""Episodes: the flags a coach would send as one message each.

A rule finds events (a week, a run); a coach reads episodes: a return from a
break with its weeks, a ramp, a hard block, a long run or a race. Findings of
one theme on nearby days are one episode, and a return (or a race) takes in
the load findings of the weeks after it, so a return that also trips the
weekly yardstick and a spike is one message that says all of it.

Every flag belongs to exactly one episode; two episodes of the same lead rule
never overlap (``tests/rules/test_episodes.py`` checks both on random
histories). The flags themselves stay as they are (the JSON keeps them) and
gain the id of their episode.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from ..config import SEVERITIES, Config
from ..dates import add_days, day_iso, day_number
from .registry import RULES, Flag
from .wording import Words, brief

#: Themes: the findings of one theme on nearby days are one episode.
THEMES = {
    "layoff_return": "load", "race_build": "load", "single_run_spike": "load", "weekly_mileage_jump": "load",
    "acwr_high": "load", "speedwork_share": "speed", "speedwork_before_base": "speed",
}  # fmt: skip
#: Which rule leads an episode of several (the first present, after severity).
LEAD_ORDER = (
    "layoff_return", "race_build", "single_run_spike", "weekly_mileage_jump", "speedwork_share",
    "speedwork_before_base", "acwr_high", "fast_on_flat",
)  # fmt: skip
#: What an episode led by a rule is, in words (the JSON's ``kind``).
KINDS = {
    "layoff_return": "return", "race_build": "race", "single_run_spike": "long run", "weekly_mileage_jump": "ramp",
    "acwr_high": "ramp", "speedwork_share": "hard block", "speedwork_before_base": "hard block", "fast_on_flat": "hard block",
}  # fmt: skip
#: Rules whose other findings in an episode are each named, not counted (a race's recovery, the next race).
LISTED = ("race_build",)
#: How strong the evidence behind a rule is, strongest first (`Rule.evidence`).
EVIDENCE_RANK = {"study": 0, "practice": 1, "data": 2}


@dataclass(frozen=True)
class Episode:
    """One thing worth a look, with its start, end, numbers and one message; ``flags`` are the flag ids in it."""

    id: str
    rule: str
    kind: str
    severity: str
    start: dt.date
    end: dt.date
    message: str
    flags: tuple[str, ...]
    evidence: str = "practice"
    doubtful: bool = False
    doubt: str | None = None
    members: tuple[Flag, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "rule": self.rule, "kind": self.kind, "severity": self.severity,
            "start": day_iso(self.start), "end": day_iso(self.end), "message": self.message,
            "flags": list(self.flags), "evidence": self.evidence, "doubtful": self.doubtful, "doubt": self.doubt,
        }  # fmt: skip

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and self.end >= first


def flag_id(f: Flag) -> str:
    """A flag's id: its rule, day and run (``single_run_spike:2024-10-27:425913671.gpx.gz``); a race's recovery finding ends ``:recovery``."""
    return f"{f.rule}:{day_iso(f.date)}" + (f":{f.run_id}" if f.run_id else "") + (":recovery" if f.facts.get("recovery") else "")


def _theme(rule: str) -> str:
    return THEMES.get(rule, rule)


def _first_day(f: Flag) -> dt.date:
    """The first day a finding speaks of: a return's first day back, a week's Monday (or Sunday), a run's day."""
    if f.rule == "layoff_return":
        return f.date
    return f.week_start if RULES[f.rule].level == "week" else f.date


def _last_day(f: Flag) -> dt.date:
    """The last day a finding speaks of: the 7th day back for a return, else its own day."""
    return add_days(f.date, 6) if f.rule == "layoff_return" else f.date


def group(flags: list[Flag], config: Config) -> list[list[Flag]]:
    """The flags in groups, oldest first: each group one episode.

    A flag joins the open group of its theme when it falls within
    ``episodes.join_days`` of that group's last day; a return from a break
    (``layoff_return``) always opens a new group, which holds the theme's
    findings of the ``episodes.return_days`` after the return; a race holds
    those of the days of its recovery (``facts["recovery_end"]``). A run's
    form and terrain findings join the episode of its first finding: one
    run, one message. Groups led by the same rule that overlap are merged.
    """
    c = config.episodes
    open_: dict[str, tuple[list[Flag], dt.date]] = {}  # theme -> (its flags, the last day it takes in)
    done: list[list[Flag]] = []
    by_run: dict[str, list[Flag]] = {}  # run id -> the group its first finding went to
    for f in sorted(flags, key=lambda f: (f.date, LEAD_ORDER.index(f.rule) if f.rule in LEAD_ORDER else 99, f.rule)):
        if f.run_id is not None and f.run_id in by_run and _theme(f.rule) not in ("load", "speed"):
            by_run[f.run_id].append(f)  # one run, one message: a flat long run that also faded late
            continue
        key = _theme(f.rule)
        held = open_.get(key)
        opens = f.rule == "layoff_return" or held is None or _first_day(f) > held[1]
        if opens:
            if held is not None:
                done.append(held[0])
            held = ([], dt.date.min)
        members, reach = held
        members.append(f)
        if f.run_id is not None:
            by_run.setdefault(f.run_id, members)
        reach = max(reach, add_days(f.date, c.join_days))
        if f.rule == "layoff_return":
            reach = max(reach, add_days(f.date, c.return_days))
        if f.rule == "race_build" and f.facts.get("recovery_end"):
            reach = max(reach, f.facts["recovery_end"])
        open_[key] = (members, reach)
    done.extend(members for members, _ in open_.values())
    return _merge_same_lead(sorted(done, key=lambda g: min(x.date for x in g)))


def _span(members: list[Flag]) -> tuple[dt.date, dt.date]:
    return min(_first_day(f) for f in members), max(_last_day(f) for f in members)


def _merge_same_lead(groups: list[list[Flag]]) -> list[list[Flag]]:
    """Groups led by the same rule whose spans overlap, merged: one episode per stretch of a finding."""
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                b = groups[j]
                (a0, a1), (b0, b1) = _span(a), _span(b)
                if _lead(a).rule == _lead(b).rule and a0 <= b1 and b0 <= a1:
                    groups[i] = a + b
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(groups, key=lambda g: _span(g)[0])


def _margin(f: Flag) -> float:
    """How far past its line a finding is, in its unit (a cadence 9 below, a run 50% over): the biggest leads."""
    return abs(f.value - f.threshold) if math.isfinite(f.value) and math.isfinite(f.threshold) else 0.0


def _lead(members: list[Flag]) -> Flag:
    """The finding an episode is named after: the most severe, then by `LEAD_ORDER`, then the first.

    A return from a break, or a race, names its episode, whatever came in its weeks.
    """
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    order = {r: i for i, r in enumerate(LEAD_ORDER)}
    # the loudest first; then the best evidenced; then what its own rule said before the evidence cap; then the rule
    # order; then the biggest
    lead = min(members, key=lambda f: (-rank[f.severity], EVIDENCE_RANK[RULES[f.rule].evidence], -rank[f.facts.get("uncapped", f.severity)],
                                       order.get(f.rule, 99), -_margin(f), f.date, f.rule))  # fmt: skip
    # a return or a race names its episode, whatever else came in its weeks: the message says all of it
    for rule in ("layoff_return", "race_build"):
        framing = [f for f in members if f.rule == rule and not f.facts.get("recovery")]
        if framing:
            return min(framing, key=lambda f: (-rank[f.severity], f.date))
    return lead


def _message(lead: Flag, members: list[Flag], words: Words) -> str:
    """The lead flag's message, then one short clause per other finding (repeats of a rule counted, not repeated)."""
    text = lead.message
    others = [f for f in members if f is not lead]
    if not others:
        return text
    clauses = []
    by_rule: dict[str, list[Flag]] = {}
    for f in others:
        by_rule.setdefault(f.rule, []).append(f)
    for rule, fs in sorted(by_rule.items(), key=lambda kv: kv[0] != lead.rule):
        if rule in LISTED:
            named = {f.run_id for f in fs if f.facts.get("recovery")}  # a race a recovery finding names already
            clauses += [brief(f, words) for f in sorted(fs, key=lambda f: f.date) if f.facts.get("recovery") or f.run_id not in named]
        elif rule == lead.rule:
            days = sorted(f.date for f in fs)
            if len(days) == 1:
                clauses.append(f"the same on {words.day(days[0])}")
            else:
                clauses.append(f"the same {len(days)} more times, {words.day(days[0])} to {words.day(days[-1])}")
        else:
            fs = sorted(fs, key=lambda f: f.date)
            more = ""
            if len(fs) > 1:
                days = [words.day(f.date) for f in fs[1:4]]
                more = f" (also {', '.join(days)}{' and more' if len(fs) > 4 else ''})"
            clauses.append(brief(fs[0], words) + more)
    return f"{text} In the same stretch: " + "; ".join(clauses) + "."


def episodes_of(flags: list[Flag], config: Config, words: Words) -> tuple[list[Flag], list[Episode]]:
    """The flags with their ``episode`` set, and the episodes, newest first (most severe first on a day)."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    episodes: list[Episode] = []
    tagged: dict[int, str] = {}
    for members in group(flags, config):
        lead = _lead(members)
        start, end = _span(members)
        eid = f"{lead.rule}:{day_iso(start)}"
        doubts = [f for f in members if f.doubtful]
        severity = max((f.severity for f in members), key=rank.__getitem__)
        episodes.append(
            Episode(
                id=eid, rule=lead.rule, kind=KINDS.get(lead.rule, "run"), severity=severity, start=start, end=end,
                message=_message(lead, members, words), flags=tuple(flag_id(f) for f in members),
                evidence=RULES[lead.rule].evidence, doubtful=lead.doubtful or len(doubts) == len(members),
                doubt=lead.doubt or (doubts[0].doubt if doubts else None), members=tuple(members),
            )  # fmt: skip
        )
        for f in members:
            tagged[id(f)] = eid
    out = [replace(f, id=flag_id(f), episode=tagged[id(f)]) for f in flags]
    episodes.sort(key=lambda e: (e.end, rank[e.severity]), reverse=True)
    return out, episodes


def first_screen(episodes: list[Episode], first: dt.date, last: dt.date, n: int) -> list[Episode]:
    """The episodes of the days ``first``..``last`` a runner reads first: most severe, best evidenced, newest; at most ``n``."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    near = [e for e in episodes if e.overlaps(first, last)]
    near.sort(key=lambda e: (-rank[e.severity], EVIDENCE_RANK.get(e.evidence, 9), -day_number(e.end)))
    return near[:n]
