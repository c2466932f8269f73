"""Sport names from GPX and TCX files and the platforms' exports, mapped onto the FIT profile's names.

One table for every reader: spaces and hyphens are read as underscores.
"""

from __future__ import annotations

_ALIASES = {
    "running": ("running", None),
    "run": ("running", None),
    "jogging": ("running", None),
    "road_running": ("running", None),
    "trail_running": ("running", "trail"),
    "trailrunning": ("running", "trail"),
    "trail_run": ("running", "trail"),
    "trailrun": ("running", "trail"),
    "treadmill_running": ("running", "treadmill"),
    "treadmill": ("running", "treadmill"),
    "indoor_running": ("running", "treadmill"),
    "virtual_run": ("running", "virtual_activity"),
    "virtualrun": ("running", "virtual_activity"),
    "track_running": ("running", "track"),
    "track_and_field_running": ("running", "track"),
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
    """(sport, sub_sport) from a GPX ``<type>``, a TCX ``Sport``, a Polar or Strava type; (None, None) when unknown."""
    if not text:
        return None, None
    key = text.strip().lower()
    if key in _STRAVA_CODES:
        return _STRAVA_CODES[key]
    key = "_".join(key.replace("-", " ").split())
    if key in _ALIASES:
        return _ALIASES[key]
    if "run" in key:
        return "running", None
    if "ride" in key or "cycl" in key or "bik" in key:
        return "cycling", None
    return None, None
