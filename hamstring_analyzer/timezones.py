"""The runner's local time: from the file, the coordinates, a setting, or this machine."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:  # only an annotation here; the callers have pandas loaded already
    import pandas as pd


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(lat: float, lon: float) -> str | None:
    """IANA zone name at a position [degrees], or None (open sea, bad input)."""
    try:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return _finder().timezone_at(lng=float(lon), lat=float(lat))
    except Exception:  # the lookup is best effort; the caller falls back
        return None


def check_zone(name: str) -> str:
    """Return ``name`` when it is a known IANA zone, else raise ValueError naming it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/London' or 'America/New_York'") from None
    return name


def machine_zone() -> dt.tzinfo:
    return dt.datetime.now().astimezone().tzinfo


def offset_seconds(when_utc: pd.Timestamp, zone: str | None) -> int:
    """UTC offset [s] of ``zone`` at ``when_utc`` (this machine's zone when None)."""
    tz = ZoneInfo(zone) if zone else machine_zone()
    return int(when_utc.floor("s").to_pydatetime().astimezone(tz).utcoffset().total_seconds())
