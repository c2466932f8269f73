"""A flag's wording, in the runner's units: km or miles, min/km or min/mi, local dates.

Each rule declares its own ``message`` (and ``brief``) beside it in its module
(`registry.rule`); this module holds what they share: `Words` (how numbers
read for this runner) and the loop that writes every flag's sentence, so the
terminal, the JSON, the HTML report and the plan word a flag the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .. import units as u
from .registry import RULES


@dataclass(frozen=True)
class Words:
    """How numbers read for this runner: ``units`` (km or mi), and whether dates need their year."""

    units: str = "km"
    many_years: bool = False

    def km(self, metres: float) -> str:
        return u.distance(metres, self.units)

    def day(self, d: dt.date) -> str:
        return u.day(d, year=self.many_years)

    def long_day(self, d: dt.date) -> str:
        return u.long_day(d, year=self.many_years)

    def pace(self, speed_mps: float) -> str:
        return u.pace(speed_mps, self.units)

    def climb(self, m_per_km: float) -> str:
        return u.climb_rate(m_per_km, self.units)

    def run(self, flag) -> str:
        """``"Sun 26 Jul, 16.5 km"``: a run-level flag's run."""
        return f"{self.long_day(flag.date)}, {self.km(flag.facts['distance_m'])}"

    def where(self, facts: dict) -> str:
        """``"on a treadmill"`` or ``"on flat ground (0.0 m/km of climb)"``."""
        if facts["indoor"]:
            return "on a treadmill"
        return f"on flat ground ({self.climb(facts['climb_per_km'])} of climb)"


def ordinary_runs(n: float) -> str:
    """``1`` -> "about one ordinary run", ``2`` -> "about two ordinary runs"."""
    names = {1: "one", 2: "two", 3: "three"}
    count = names.get(int(n), f"{n:g}") if float(n).is_integer() else f"{n:g}"
    return f"about {count} ordinary run{'' if n == 1 else 's'}"


def brief(f, w: Words) -> str:
    """A finding as one clause of another's episode (its rule's ``brief``; a rule without one is named with its day)."""
    said = RULES[f.rule].brief
    if said is not None:
        return said(f, w)
    return f"{f.rule.replace('_', ' ')} on {w.day(f.date)}"


def raised_note(f, w: Words) -> str:
    """Why a load flag was raised a step: the symptom episode behind it."""
    r = f.facts["raised"]
    return (
        f" Raised from {r['from']} to {f.severity}: you logged hamstring symptoms (up to {r['max_severity']}/10, "
        f"last on {w.day(r['episode_end'])}), and a recent hamstring problem is the strongest known predictor of the "
        "next one (Green 2020)."
    )


def message(flag, words: Words) -> str:
    """The flag's sentence for this runner (its rule's ``message``)."""
    text = RULES[flag.rule].message(flag, words)
    if "raised" in flag.facts:
        text += raised_note(flag, words)
    return text


def worded(flags: list, words: Words) -> list:
    """The flags with ``message`` written."""
    return [replace(f, message=message(f, words)) for f in flags]
