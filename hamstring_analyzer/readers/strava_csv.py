"""Strava's ``activities.csv``: one row per activity of the archive, with its type and its file.

The archive (Settings > My Account > Download or Delete Your Account > Request
your archive) holds ``activities.csv`` and ``activities/<id>.fit.gz|.gpx|.tcx.gz``.
Each row says the activity's type as the runner set it (Run, Trail Run,
Virtual Run, Walk, Hike, Ride...), its name, whether it was a commute, the
perceived exertion (1-10) when given, and ``Filename``: the file holding its
samples, empty for a manual entry.

The columns changed over the years (about 10 in 2018, about 90 now) and their
names follow the account's language, so columns are found by name from a
table of spellings, never by position. Two columns are named "Distance": the
first in the account's display unit (km or mi), the later one in metres;
likewise "Elapsed Time" twice (both seconds). ``Activity Date`` is UTC.
Every row becomes an `Activity` without samples (its totals from the row), so
that a run without a file still counts; the export joins rows to their files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError
from .sports import sport_from_text
from .summary_only import MAX_INDEX_BYTES, MAX_INDEX_ROWS, bounded, finite, index_text, summary_activity

#: Column spellings by meaning (lower case), English first; the archive's language decides.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "aktivitäts-id", "id de l'activité", "id de la actividad", "id. de actividad", "id attività", "activiteit-id"),
    "date": ("activity date", "aktivitätsdatum", "datum der aktivität", "date de l'activité", "fecha de la actividad", "data attività", "activiteitsdatum"),
    "name": ("activity name", "name der aktivität", "aktivitätsname", "nom de l'activité", "nombre de la actividad", "nome attività", "activiteitsnaam"),
    "type": ("activity type", "aktivitätsart", "aktivitätstyp", "type d'activité", "tipo de actividad", "tipo di attività", "activiteitstype"),
    "elapsed": ("elapsed time", "verstrichene zeit", "temps écoulé", "tiempo transcurrido", "tempo trascorso", "verstreken tijd"),
    "moving": ("moving time", "bewegungszeit", "temps de déplacement", "tiempo en movimiento", "tempo in movimento", "beweegtijd"),
    "distance": ("distance", "distanz", "entfernung", "distancia", "distanza", "afstand"),
    "filename": ("filename", "dateiname", "nom du fichier", "nombre de archivo", "nome file", "bestandsnaam"),
    "commute": ("commute", "pendeln", "trajet domicile-travail", "desplazamiento", "tragitto casa-lavoro", "woon-werkverkeer"),
    "rpe": ("perceived exertion", "gefühlte anstrengung", "effort perçu", "esfuerzo percibido", "sforzo percepito", "waargenomen inspanning"),
    "climb": ("elevation gain", "höhenzunahme", "dénivelé positif", "desnivel positivo", "dislivello positivo", "hoogteverschil"),
    "avg_hr": ("average heart rate", "durchschnittliche herzfrequenz", "fréquence cardiaque moyenne", "frecuencia cardiaca media", "frequenza cardiaca media"),
    "avg_cadence": ("average cadence", "durchschnittliche trittfrequenz", "cadence moyenne", "cadencia media", "cadenza media"),
}
#: Running activity types in the archive's languages (English types go through `sport_from_text`).
LOCAL_RUN_TYPES = {
    "lauf": ("running", None), "laufen": ("running", None), "traillauf": ("running", "trail"), "virtueller lauf": ("running", "virtual_activity"),
    "course à pied": ("running", None), "course": ("running", None), "trail": ("running", "trail"), "course virtuelle": ("running", "virtual_activity"),
    "carrera": ("running", None), "carrera por montaña": ("running", "trail"), "carrera virtual": ("running", "virtual_activity"),
    "corsa": ("running", None), "trail running": ("running", "trail"), "corsa virtuale": ("running", "virtual_activity"),
    "hardlopen": ("running", None), "corrida": ("running", None),
    "wandern": ("hiking", None), "spaziergang": ("walking", None), "gehen": ("walking", None), "radfahrt": ("cycling", None),
    "randonnée": ("hiking", None), "marche": ("walking", None), "vélo": ("cycling", None), "sortie à vélo": ("cycling", None),
    "caminata": ("walking", None), "senderismo": ("hiking", None), "ciclismo": ("cycling", None), "bicicleta": ("cycling", None),
    "camminata": ("walking", None), "escursionismo": ("hiking", None), "giro in bici": ("cycling", None),
    "wandelen": ("walking", None), "wandeling": ("walking", None), "fietsen": ("cycling", None), "fietsrit": ("cycling", None),
}  # fmt: skip
#: Strava's types that are neither runs nor anything `sport_from_text` knows: they stay non-runs.
_NOT_RUN_WORDS = ("swim", "ski", "row", "yoga", "workout", "weight", "golf", "surf", "skate", "paddle", "canoe", "kayak",
                  "climb", "elliptical", "stair", "crossfit", "snowshoe", "wheelchair", "handcycle", "velomobile", "sail")  # fmt: skip
#: ``Activity Date`` as the archive writes it, by era and language (all UTC).
DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y, %H:%M:%S",
                "%d.%m.%Y %H:%M:%S", "%d/%m/%Y, %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d %b %Y, %H:%M:%S", "%d %b %Y %H:%M:%S")  # fmt: skip


def looks_like_activities_csv(head: bytes) -> bool:
    """True for the first bytes of an ``activities.csv`` (its header names an id, a date and a type)."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    if "," not in first:
        return False
    cells = {c.strip().strip('"') for c in first.split(",")}
    return all(any(s in cells for s in COLUMNS[k]) for k in ("id", "date", "type"))


def _columns(header: list[str]) -> dict[str, list[int]]:
    """Positions of each known column (a name written twice keeps both, in order)."""
    spelled = {s: key for key, names in COLUMNS.items() for s in names}
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        key = spelled.get(cell.strip().lower())
        if key:
            found.setdefault(key, []).append(i)
    return found


def strava_type(text: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) for an ``Activity Type`` in any of the archive's languages."""
    if not text:
        return None, None
    key = text.strip().lower()
    if key in LOCAL_RUN_TYPES:
        return LOCAL_RUN_TYPES[key]
    if any(w in key.replace(" ", "") for w in _NOT_RUN_WORDS):
        return "other", None
    sport, sub = sport_from_text(text)
    return (sport, sub) if sport else ("other", None)


def _date(text: str) -> pd.Timestamp | None:
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt), tz="UTC")
        except ValueError:
            continue
    return None


def _truthy(text: str | None) -> bool | None:
    if text is None or not text.strip():
        return None
    t = text.strip().lower()
    if t in ("true", "1", "1.0", "yes", "wahr", "vrai", "sí", "si", "ja", "waar", "verdadero", "vero"):
        return True
    if t in ("false", "0", "0.0", "no", "falsch", "faux", "nee", "falso", "nein", "non"):
        return False
    return None


def read_strava_csv(data: bytes, source: str) -> list[Activity]:
    """Every row of a Strava ``activities.csv`` as an activity without samples.

    ``file_ref`` carries the row's ``Filename`` (relative to the CSV's folder);
    ``rpe`` its perceived exertion; ``commute`` its commute mark. Rows whose
    date cannot be read are left out, each with a warning on the first row.

    Raises
    ------
    ParseError
        Larger than `summary_only.MAX_INDEX_BYTES`, not text, or without the
        columns every archive has (an id, a date and a type).
    NotAnActivityError
        A header and no rows.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise ParseError(source, f"activities.csv is larger than {MAX_INDEX_BYTES // 2**20} MiB; refused")
    text = index_text(data, source, "activities.csv")
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, None)
        if header is None:
            raise ParseError(source, "activities.csv is empty")
        cols = _columns(header)
        missing = [k for k in ("id", "date", "type") if k not in cols]
        if missing:
            raise ParseError(source, f"not a Strava activities.csv: no {', '.join(missing)} column in its header")
        activities: list[Activity] = []
        skipped = 0
        for n, row in enumerate(rows):
            if len(activities) >= MAX_INDEX_ROWS:
                skipped += 1
                continue
            activity = _row_activity(row, cols, source, len(activities))
            if activity is None:
                skipped += 1 if any(c.strip() for c in row) else 0
                continue
            activities.append(activity)
    except csv.Error as exc:
        raise ParseError(source, f"activities.csv is not readable CSV ({exc})") from None
    if not activities:
        if skipped:
            raise ParseError(source, f"none of the {skipped} rows of activities.csv has a date that can be read")
        raise NotAnActivityError(source, "activities.csv lists no activities")
    if skipped:
        activities[0].warnings.append(f"{skipped} rows of activities.csv were left out (no readable date, or beyond {MAX_INDEX_ROWS} rows)")
    return activities


def _cell(row: list[str], cols: dict[str, list[int]], key: str, which: int = 0) -> str | None:
    positions = cols.get(key)
    if not positions:
        return None
    i = positions[which] if which < len(positions) else positions[-1]
    return row[i] if i < len(row) else None


def _row_activity(row: list[str], cols: dict[str, list[int]], source: str, index: int) -> Activity | None:
    start = _date(_cell(row, cols, "date") or "")
    if start is None:
        return None
    sport, sub_sport = strava_type(_cell(row, cols, "type"))
    metres = len(cols.get("distance", ())) > 1
    distance = finite(_cell(row, cols, "distance", 1 if metres else 0))
    if distance is not None and not metres:
        distance *= 1000.0  # the only Distance column of older archives: kilometres
    warnings = []
    if not metres and distance is not None:
        warnings.append("distance read as kilometres (this archive has one Distance column)")
    cadence = finite(_cell(row, cols, "avg_cadence", -1))
    if cadence is not None and sport == "running" and 0 < cadence < 120:
        cadence *= 2.0  # one foot's strides, as Strava keeps a run's cadence
    filename = (_cell(row, cols, "filename") or "").strip().replace("\\", "/") or None
    return summary_activity(
        source=source,
        fmt="strava_csv",
        start_utc=start,
        elapsed_s=finite(_cell(row, cols, "elapsed", 0)),
        moving_s=finite(_cell(row, cols, "moving")),
        distance_m=distance,
        sport=sport,
        sub_sport=sub_sport,
        name=(_cell(row, cols, "name") or "").strip() or None,
        device="Strava",
        session_index=index,
        rpe=finite(_cell(row, cols, "rpe")),
        commute=_truthy(_cell(row, cols, "commute", -1)) or _truthy(_cell(row, cols, "commute", 0)),
        file_ref=filename,
        totals={
            "elevation_gain_m": bounded(_cell(row, cols, "climb", -1), 0.0, 20000.0),
            "avg_heart_rate_bpm": finite(_cell(row, cols, "avg_hr", -1)),
            "cadence_spm": bounded(cadence, 60.0, 260.0),
        },
        warnings=warnings,
    )
