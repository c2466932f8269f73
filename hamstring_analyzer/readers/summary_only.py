"""Activities known only from a summary (a manual entry, an export's activity list): no samples."""

from __future__ import annotations

import json
import math

import pandas as pd

from ..activity import Activity, Samples
from ..errors import ParseError

#: An activity list larger than this is refused [bytes]: ten years of daily activities
#: take a few MiB in Strava's CSV or Garmin's JSON.
MAX_INDEX_BYTES = 64 * 1024 * 1024
#: At most this many activities are read from one list (the run store numbers sessions in 16 bits).
MAX_INDEX_ROWS = 30000
#: A single activity longer than this, or farther, is a typing error (a week-long "run") [s], [m].
MAX_SUMMARY_ELAPSED_S = 7 * 86400.0
MAX_SUMMARY_DISTANCE_M = 1_000_000.0


def index_text(data: bytes, source: str, what: str) -> str:
    """An activity list's bytes as text: UTF-8 (a byte-order mark dropped), else Latin-1 as older exports wrote.

    Raises `ParseError` naming ``what`` (e.g. "activities.csv") when the bytes are binary, not text.
    """
    if b"\x00" in data[:65536]:
        raise ParseError(source, f"{what} holds binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def finite(x) -> float | None:
    """``x`` as a float when it is a finite number (or numeric text), else None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def bounded(x, lo: float, hi: float) -> float | None:
    v = finite(x)
    return v if v is not None and lo <= v <= hi else None


def summary_activity(
    *,
    source: str,
    fmt: str,
    start_utc: pd.Timestamp,
    elapsed_s: float | None,
    distance_m: float | None,
    moving_s: float | None = None,
    sport: str | None = None,
    sub_sport: str | None = None,
    name: str | None = None,
    device: str | None = None,
    utc_offset_s: int | None = None,
    session_index: int = 0,
    rpe: float | None = None,
    commute: bool | None = None,
    file_ref: str | None = None,
    totals: dict | None = None,
    warnings: list[str] | None = None,
) -> Activity:
    """An `Activity` without samples, its totals as the summary gives them (implausible ones left out)."""
    elapsed = bounded(elapsed_s, 0.0, MAX_SUMMARY_ELAPSED_S)
    moving = bounded(moving_s, 0.0, MAX_SUMMARY_ELAPSED_S)
    if moving is None or (elapsed is not None and moving > elapsed):
        moving = elapsed
    return Activity(
        records=Samples.empty(),
        laps=[],
        source=source,
        format=fmt,
        sport=sport,
        sub_sport=sub_sport,
        device=device,
        name=name,
        start_utc=start_utc,
        utc_offset_s=utc_offset_s,
        elapsed_s=elapsed,
        moving_s=moving,
        distance_m=bounded(distance_m, 0.0, MAX_SUMMARY_DISTANCE_M),
        session_index=session_index,
        rpe=bounded(rpe, 1.0, 10.0),
        commute=commute,
        file_ref=file_ref,
        totals={k: v for k, v in (totals or {}).items() if v is not None} or None,
        warnings=list(warnings or []),
    )


def load_json(data: bytes, source: str, what: str):
    """JSON as Polar and Garmin write it: bare NaN allowed (read as missing), Infinity refused, size bounded.

    Raises
    ------
    ParseError
        Too large, not UTF-8, broken or cut short, nested beyond reason, or holding Infinity.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise ParseError(source, f"{what} is larger than {MAX_INDEX_BYTES // 2**20} MiB; refused")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(source, f"{what} is not UTF-8 text (byte {exc.start})") from None

    def constant(name: str):
        if name == "NaN":
            return None
        raise ValueError(f"{name} is not a number a watch records")

    try:
        return json.loads(text, parse_constant=constant)
    except RecursionError:
        raise ParseError(source, f"{what} is nested too deeply; refused") from None
    except ValueError as exc:  # JSONDecodeError included
        raise ParseError(source, f"{what} is not readable JSON ({str(exc)[:120]})") from None
