"""Symptoms next to training: what came before each episode, and patterns worth a professional look.

Pure functions: symptom entries and flags in, plain data out.

References
----------
Green B et al. (2020). Recalibrating the risk of hamstring strain injury:
a systematic review and meta-analysis of risk factors. BJSM 54:1081-1088
(previous hamstring injury RR 2.7; recent injury RR 4.8).
Zona PT, "Finally Solving the Chronic Hamstring Pain Dilemma" (chronic
hamstring pain is often low back and nerves: pain past 8 weeks, two spots,
worse sitting or after exercise, both sides tight for months).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .dates import add_days, calendar_date, day_iso, days_between, within
from .rules import Flag
from .symptoms import SymptomEntry
from .metrics.weekly import week_start

#: Entries closer than this belong to one episode [days].
EPISODE_GAP_DAYS = 7
#: Flags this many days before an episode's first day are "before" it [days].
LOOKBACK_DAYS = 14
#: Pain lingering past this many weeks hints at more than the hamstring.
CHRONIC_WEEKS = 8


@dataclass
class Episode:
    """Symptom entries (severity 1+) no more than a week apart."""

    start: dt.date
    end: dt.date
    entries: list[SymptomEntry]
    flags_before: list[Flag] = field(default_factory=list)

    @property
    def max_severity(self) -> int:
        return max(e.severity for e in self.entries)

    @property
    def locations(self) -> list[str]:
        return sorted({e.location for e in self.entries if e.location})

    @property
    def kinds(self) -> list[str]:
        return sorted({e.kind for e in self.entries if e.kind})  # a blank kind is not given

    @property
    def sides(self) -> list[str]:
        return sorted({e.side for e in self.entries if e.side})

    def to_dict(self) -> dict:
        return {
            "start": day_iso(self.start),
            "end": day_iso(self.end),
            "days": days_between(self.start, self.end) + 1,
            "max_severity": self.max_severity,
            "entries": len(self.entries),
            "locations": self.locations,
            "kinds": self.kinds,
            "sides": self.sides,
            "flags_before": [{"rule": f.rule, "severity": f.severity, "date": day_iso(f.date), "run_id": f.run_id} for f in self.flags_before],
        }


@dataclass
class Insights:
    episodes: list[Episode]
    flagged_weeks: int
    flagged_weeks_followed: int
    unflagged_weeks: int
    unflagged_weeks_followed: int
    hints: list[str]
    notes: list[str]

    def comparison_text(self) -> str:
        """One plain sentence, with the counts so small numbers look small."""
        if self.flagged_weeks + self.unflagged_weeks == 0:
            return "Not enough logged weeks to compare flagged and unflagged weeks yet."

        def part(k, n, what):
            rate = f" ({k / n:.0%})" if n else ""
            return f"{k} of {n} {what} week{'s' if n != 1 else ''}{rate}"

        text = (
            f"Symptoms came in the same or the next week after {part(self.flagged_weeks_followed, self.flagged_weeks, 'flagged')}, "
            f"and after {part(self.unflagged_weeks_followed, self.unflagged_weeks, 'unflagged')}."
        )
        if min(self.flagged_weeks, self.unflagged_weeks) < 10:
            text += " These are small numbers: read them as a hint, not a pattern."
        return text

    def to_dict(self) -> dict:
        return {
            "episodes": [e.to_dict() for e in self.episodes],
            "weeks": {
                "flagged": {"weeks": self.flagged_weeks, "followed_by_symptoms": self.flagged_weeks_followed},
                "unflagged": {"weeks": self.unflagged_weeks, "followed_by_symptoms": self.unflagged_weeks_followed},
                "summary": self.comparison_text(),
            },
            "hints": list(self.hints),
            "notes": list(self.notes),
        }


def episodes(entries: list[SymptomEntry], gap_days: int = EPISODE_GAP_DAYS) -> list[Episode]:
    """Group entries with severity 1+ into episodes (a new one after ``gap_days`` without symptoms)."""
    out: list[Episode] = []
    for e in sorted((e for e in entries if e.severity > 0), key=lambda e: e.date):
        if out and days_between(out[-1].end, e.date) <= gap_days:
            out[-1].entries.append(e)
            out[-1].end = max(out[-1].end, e.date)
        else:
            out.append(Episode(e.date, e.date, [e]))
    return out


def chronic_hints(entries: list[SymptomEntry], eps: list[Episode]) -> list[str]:
    """The chronic-pattern hints of DOMAIN.md, each as a gentle sentence."""
    hints = []
    longest = max(eps, key=lambda e: days_between(e.start, e.end), default=None)
    if longest and days_between(longest.start, longest.end) >= CHRONIC_WEEKS * 7:
        weeks = (days_between(longest.start, longest.end) + 1) // 7
        hints.append(f"Symptoms have lingered for {weeks} weeks ({longest.start:%d %b} to {longest.end:%d %b %Y}); pain past {CHRONIC_WEEKS} weeks is often more than the hamstring.")
        if "both" in longest.sides:
            hints.append("Both hamstrings have been tight for weeks on end; when stretching does not change that, the cause often sits elsewhere.")
    recent = [e for e in entries if e.severity > 0]
    locations = sorted({e.location for e in recent if e.location})
    if len(locations) >= 2:
        hints.append(f"Symptoms in more than one spot ({', '.join(locations)}); pain in two places along the back of the leg can come from the low back or a nerve.")
    if any(e.when == "sitting" for e in recent):
        hints.append("Symptoms when sitting: pain that grows with sitting is a classic sign of an irritated nerve or the tendon at the sit bone.")
    after = [e for e in recent if e.when in ("after run", "next day") and e.kind in ("pain", "burning") and e.severity >= 4]
    during = [e for e in recent if e.when == "during run"]
    if after and (not during or max(e.severity for e in after) > max(e.severity for e in during)):
        hints.append("Pain is worse after running than during it, or lingers into the next day.")
    if hints:
        hints.append("Together these are worth a professional look at the low back and nerves, not just the hamstring.")
    return hints


def symptom_insights(entries: list[SymptomEntry], flags: list[Flag], weeks: list[dt.date]) -> Insights:
    """Flags before each episode, flagged-vs-unflagged weeks, and chronic hints.

    ``weeks`` are the training weeks (Mondays) analysed. A week counts in the
    comparison only while the runner was keeping the log: from the week before
    the first entry up to the week before the last one, whose next week is
    not logged (a 0-severity entry says "logged, nothing to report"). A week is "followed by symptoms" when it or the next
    week has an entry of severity 1 or more.
    """
    eps = episodes(entries)
    for ep in eps:
        lo = add_days(ep.start, -LOOKBACK_DAYS)
        ep.flags_before = sorted((f for f in flags if within(f.date, lo, ep.start)), key=lambda f: f.date)
    weeks = [calendar_date(w) for w in weeks]  # symptom weeks are calendar dates: the weeks meet them as such
    flagged_weeks = {calendar_date(f.week_start) for f in flags if f.severity in ("warning", "alert")}
    first_day = "sunday" if weeks and weeks[0].weekday() == 6 else "monday"  # the weeks' own first day
    symptom_weeks = {week_start(e.date, first_day) for e in entries if e.severity > 0}
    counts = {True: [0, 0], False: [0, 0]}
    if entries:
        first = add_days(week_start(min(e.date for e in entries), first_day), -7)
        last = week_start(max(e.date for e in entries), first_day)
        for w in weeks:
            if not first <= w < last:
                continue
            flagged = w in flagged_weeks
            counts[flagged][0] += 1
            counts[flagged][1] += bool({w, add_days(w, 7)} & symptom_weeks)
    notes = []
    if eps:
        notes.append(
            f"You have logged {len(eps)} hamstring episode{'s' if len(eps) != 1 else ''}. A previous hamstring injury "
            "is the strongest known risk factor (Green 2020), so every flag deserves a little more weight."
        )
    return Insights(
        episodes=eps,
        flagged_weeks=counts[True][0],
        flagged_weeks_followed=counts[True][1],
        unflagged_weeks=counts[False][0],
        unflagged_weeks_followed=counts[False][1],
        hints=chronic_hints(entries, eps),
        notes=notes,
    )
