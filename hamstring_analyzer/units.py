"""Numbers as a runner reads them: km or miles, min/km or min/mi, short local dates."""

from __future__ import annotations

import datetime as dt
import math

#: The units a runner may choose (`config.Config.units`).
UNITS = ("km", "mi")
METRES_PER_MILE = 1609.344


def _check(units: str) -> str:
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}, not {units!r}")
    return units


def unit_metres(units: str) -> float:
    """Metres in one km or one mile."""
    return 1000.0 if _check(units) == "km" else METRES_PER_MILE


def distance(metres: float | None, units: str, digits: int = 1) -> str:
    """``48612, "km"`` -> ``"48.6 km"``."""
    if metres is None or (isinstance(metres, float) and math.isnan(metres)):
        return "?"
    return f"{metres / unit_metres(units):,.{digits}f} {units}"


def pace(speed_mps: float | None, units: str) -> str:
    """``3.0 m/s, "km"`` -> ``"5:33/km"``."""
    if speed_mps is None or not math.isfinite(speed_mps) or speed_mps <= 0:
        return "?"
    seconds = round(unit_metres(units) / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d}/{units}"


def change(pct: float | None, missing: str = "-") -> str:
    """``41.49`` -> ``"+41%"``; a change that rounds to zero is ``"+0%"``, never ``"-0%"``."""
    if pct is None or not math.isfinite(pct):
        return missing
    return f"{round(pct) + 0:+d}%"


def climb_rate(m_per_km: float, units: str) -> str:
    """Climb per km, or feet per mile for miles users."""
    if units == "mi":
        return f"{m_per_km * 3.28084 * METRES_PER_MILE / 1000:.0f} ft/mi"
    return f"{m_per_km:.1f} m/km"


def day(d: dt.date, year: bool = False) -> str:
    """``"30 Mar"``, or ``"30 Mar 2025"`` with ``year``."""
    return f"{d.day} {d:%b %Y}" if year else f"{d.day} {d:%b}"


def weekday(d: dt.date) -> str:
    """``"Tue"``."""
    return f"{d:%a}"


def long_day(d: dt.date, year: bool = True) -> str:
    """``"Sun 26 Jul 2026"``, or ``"Sun 26 Jul"`` without ``year``."""
    return f"{d:%a} {day(d, year)}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1, "run"`` -> ``"1 run"``; ``2, "run"`` -> ``"2 runs"`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def date_span(first: dt.date, last: dt.date) -> str:
    """``"5 May 2026 to 4 Oct 2026"``, or one day when both are the same."""
    return day(first, year=True) if first == last else f"{day(first, year=True)} to {day(last, year=True)}"
