"""One line per run: the numbers the ingest JSON and the weekly tables start from."""

from __future__ import annotations

import math

from .. import glossary as g
from ..numbers import json_number
from ..activity import Activity
from .elevation import climb_m
from ..samples import mean_heart_rate, running_cadence

INDOOR_SUB_SPORTS = g.INDOOR_SUB_SPORTS


def elevation_gain_m(activity: Activity) -> float | None:
    """Total climb [m] after smoothing and a 3 m hysteresis; 0 on a treadmill, None without altitude."""
    if activity.sub_sport in INDOOR_SUB_SPORTS:
        return 0.0
    if not activity.has_channel(g.ALTITUDE):
        return None
    value = climb_m(activity.samples[g.ALTITUDE])
    return None if math.isnan(value) else value


def expensive_stats(activity: Activity) -> dict:
    """The summary numbers that cost a pass over the records (cached with the parsed file)."""
    return {
        "elevation_gain_m": json_number(elevation_gain_m(activity)),
        "cadence_spm": json_number(running_cadence(activity.samples)),
        "avg_heart_rate_bpm": json_number(mean_heart_rate(activity.samples)),
    }


def run_summary(activity: Activity) -> dict:
    """The ingest JSON's run object (field names are a public contract)."""
    start_local = activity.start_local
    stats = activity.stats or expensive_stats(activity)
    return {
        "id": activity.id,
        "source": activity.source,
        "format": activity.format,
        "start_utc": activity.start_utc.isoformat() if activity.start_utc is not None else None,
        "start_local": start_local.isoformat() if start_local is not None else None,
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "device": activity.device,
        "distance_m": json_number(activity.distance_m),
        "elapsed_s": json_number(activity.elapsed_s),
        "moving_s": json_number(activity.moving_s),
        "elevation_gain_m": stats["elevation_gain_m"],
        "cadence_spm": stats["cadence_spm"],
        "avg_heart_rate_bpm": stats["avg_heart_rate_bpm"],
        "has_gps": activity.has_gps,
        "partial": activity.partial,
        **quality_summary(activity),
        "sources": activity.source_kinds,
        "files": activity.files,
        "parts": len(activity.files),
        "has_samples": activity.has_samples,
        "rpe": json_number(activity.rpe),
        "commute": activity.commute,
        "name": activity.name,
    }


def quality_summary(activity: Activity) -> dict:
    """The run's quality record for the JSON: what cleaning did and whether to doubt it."""
    q = activity.quality
    if q is None:
        return {
            "distance_source": None, "recorded_distance_m": None, "gps_jumps_removed_m": None, "cut_s": None,
            "running_share": None, "suspect": False, "suspect_reason": None,
        }  # fmt: skip
    return {
        "distance_source": q.distance_source,
        "recorded_distance_m": json_number(q.recorded_distance_m),
        "gps_jumps_removed_m": json_number(q.gps_jumps_removed_m),
        "cut_s": json_number(q.cut_s),
        "running_share": json_number(q.running_share, 3),
        "suspect": q.suspect,
        "suspect_reason": q.suspect_reason,
    }
