"""Sport names from GPX and TCX files, mapped onto the FIT profile's names."""

from __future__ import annotations

_ALIASES = {
    "running": ("running", None),
    "run": ("running", None),
    "jogging": ("running", None),
    "trail running": ("running", "trail"),
    "trail_running": ("running", "trail"),
    "trailrunning": ("running", "trail"),
    "treadmill running": ("running", "treadmill"),
    "treadmill_running": ("running", "treadmill"),
    "treadmill": ("running", "treadmill"),
    "virtualrun": ("running", "virtual_activity"),
    "track running": ("running", "track"),
    "cycling": ("cycling", None),
    "biking": ("cycling", None),
    "bike": ("cycling", None),
    "ride": ("cycling", None),
    "road_biking": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"),
    "virtualride": ("cycling", "virtual_activity"),
    "walking": ("walking", None),
    "walk": ("walking", None),
    "hiking": ("hiking", None),
    "hike": ("hiking", None),
    "swimming": ("swimming", None),
    "swim": ("swimming", None),
    "other": (None, None),
}
#: Strava's numeric GPX <type> codes.
_STRAVA_CODES = {"1": ("cycling", None), "9": ("running", None), "10": ("walking", None), "4": ("hiking", None)}


def sport_from_text(text: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) from a GPX ``<type>`` or a TCX ``Sport`` attribute; (None, None) when unknown."""
    if not text:
        return None, None
    key = text.strip().lower()
    if key in _STRAVA_CODES:
        return _STRAVA_CODES[key]
    if key in _ALIASES:
        return _ALIASES[key]
    key = key.replace(" ", "_")
    if key in _ALIASES:
        return _ALIASES[key]
    if "run" in key:
        return "running", None
    if "ride" in key or "cycl" in key or "bik" in key:
        return "cycling", None
    return None, None
