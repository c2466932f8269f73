"""Strava's ``activities.csv``: one row per activity of the archive, with its type and its file.

The archive (Settings > My Account > Download or Delete Your Account > Request
your archive) holds ``activities.csv`` and ``activities/<id>.fit.gz|.gpx|.tcx.gz``.
Each row says the activity's type as the runner set it (Run, Trail Run,
Virtual Run, Walk, Hike, Ride...), its name, whether it was a commute, the
perceived exertion (1-10) when given, and ``Filename``: the file holding its
samples, empty for a manual entry. The file is named by the upload's id, not
the activity's; rows are in the order of the activity ids, not of the dates.

The layout changed over the years and follows the account's language:

- before mid-2019, 10 lower-case columns (``id,date,name,type,description,
  elapsed_time,distance,commute,gear,filename``), ``date`` as
  ``2018-11-27 19:11:32`` and ``distance`` in metres;
- since, 80 to 100 columns whose names are translated (Italian ``ID
  attività``, ``Data dell’attività`` with a curly apostrophe; German
  ``Aktivitäts-ID``), two of them named "Distance": the first in the account's
  display unit and its number format (``"9,62"`` km), the later one in metres
  with a decimal point; likewise "Elapsed Time" twice. A name Strava forgot to
  translate is its own HTML (``<span class="translation_missing" title=
  "translation missing: de-DE.activities.export.csv.elapsed_time">``): the key
  at the end of the title says which column it is.

So columns are found by name from a table of spellings, never by position.
``Activity Date`` is UTC in every layout, written in the account's language
(``Mar 2, 2026, 7:01:00 AM``, ``09.12.2022, 15:24:49``, ``11 ago 2014,
16:27:28``, ``23 de ago. de 2026, 07:18:50``); the CSV holds no local time,
which the ingest gives each row (`ingest.classify.settle_local_time`). A run's
``Average Cadence`` is one leg's (81 = 162 steps/min). Every row becomes an
`Activity` without samples (its totals from the row), so that a run without a
file still counts; the export joins rows to their files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata

import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError, unexpected_problem
from .sports import sport_from_text
from .summary_only import (MAX_INDEX_BYTES, MAX_INDEX_ROWS, MAX_ROW_CHARS, bounded, csv_rows, finite, impossible_totals,
                           index_lines, list_lines, refusal, refused_entry, summary_activity)

#: Column spellings by meaning, compared after `_header_key` (lower case, straight apostrophes).
#: Spellings seen in real exports in public repositories: English; German ``Aktivitäts-ID``,
#: ``Aktivitätsdatum``, ``Name der Aktivität``, ``Aktivitätsart``, ``Verstrichene Zeit``, ``Distanz``,
#: ``Dateiname``, ``Bewegungszeit``, ``Höhenzunahme``, ``Durchschnittliche Trittfrequenz``,
#: ``Durchschnittliche Herzfrequenz``, ``Gefühlte Anstrengung``, ``Pendeln``; French ``ID de
#: l'activité`` (also with ’), ``Date de l'activité``, ``Nom de l'activité``, ``Type d'activité``,
#: ``Temps écoulé``, ``Durée de déplacement``, ``Nom du fichier``, ``Dénivelé positif``, ``Cadence
#: moyenne``, ``Fréquence cardiaque moyenne``, ``Déplacement-transport``; Spanish ``ID de actividad``,
#: ``Fecha de la actividad``, ``Nombre de la actividad``, ``Tipo de actividad``, ``Tiempo
#: transcurrido``, ``Tiempo en movimiento``, ``Distancia``, ``Nombre del archivo``, ``Desnivel
#: positivo``, ``Esfuerzo Percibido``; Italian ``ID attività``, ``Data dell’attività``, ``Nome
#: attività``, ``Tipo attività``, ``Tempo trascorso``, ``Tempo in movimento``, ``Distanza``, ``Nome
#: del file``, ``Frequenza cardiaca media``; Dutch ``Activiteits-ID``, ``Datum van activiteit``,
#: ``Naam activiteit``, ``Activiteitstype``, ``Verstreken tijd``, ``Beweegtijd``, ``Afstand``,
#: ``Bestandsnaam``, ``Totale stijging``, ``Gemiddelde hartslag``, ``Gemiddelde cadans``, ``Ervaren
#: inspanning``, ``Woon-werkverkeer``; Portuguese ``ID da atividade``, ``Data da atividade``, ``Nome
#: da atividade``, ``Tipo de atividade``, ``Tempo decorrido``, ``Tempo de movimentação``,
#: ``Distância``, ``Nome do arquivo``, ``Ganho de elevação``, ``Frequência cardíaca média``.
#: The others are the same words in the same style, kept for archives not yet seen.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "aktivitäts-id", "id de l'activité", "id de actividad", "id de la actividad", "id. de actividad",
           "id attività", "activiteits-id", "activiteit-id", "id da atividade"),
    "date": ("activity date", "aktivitätsdatum", "datum der aktivität", "date de l'activité", "fecha de la actividad",
             "data dell'attività", "data attività", "datum van activiteit", "activiteitsdatum", "data da atividade"),
    "name": ("activity name", "name der aktivität", "aktivitätsname", "nom de l'activité", "nombre de la actividad",
             "nome attività", "nome dell'attività", "naam activiteit", "activiteitsnaam", "nome da atividade"),
    "type": ("activity type", "aktivitätsart", "aktivitätstyp", "type d'activité", "tipo de actividad", "tipo attività",
             "tipo di attività", "activiteitstype", "tipo de atividade"),
    "elapsed": ("elapsed time", "verstrichene zeit", "temps écoulé", "tiempo transcurrido", "tempo trascorso", "verstreken tijd",
                "tempo decorrido"),
    "moving": ("moving time", "bewegungszeit", "durée de déplacement", "temps de déplacement", "tiempo en movimiento",
               "tempo in movimento", "beweegtijd", "tempo de movimentação", "tempo em movimento"),
    "distance": ("distance", "distanz", "entfernung", "distancia", "distanza", "afstand", "distância"),
    "filename": ("filename", "dateiname", "nom du fichier", "nombre del archivo", "nombre de archivo", "nome del file", "nome file",
                 "bestandsnaam", "nome do arquivo"),
    "commute": ("commute", "pendeln", "déplacement-transport", "trajet domicile-travail", "desplazamiento", "tragitto casa-lavoro",
                "spostamento casa-lavoro", "woon-werkverkeer", "deslocamento"),
    "rpe": ("perceived exertion", "gefühlte anstrengung", "effort perçu", "esfuerzo percibido", "sforzo percepito",
            "ervaren inspanning", "esforço percebido"),
    "climb": ("elevation gain", "höhenzunahme", "dénivelé positif", "desnivel positivo", "dislivello positivo", "totale stijging",
              "ganho de elevação"),
    "avg_hr": ("average heart rate", "durchschnittliche herzfrequenz", "fréquence cardiaque moyenne", "frecuencia cardiaca media",
               "frecuencia cardíaca media", "frequenza cardiaca media", "gemiddelde hartslag", "frequência cardíaca média"),
    "avg_cadence": ("average cadence", "durchschnittliche trittfrequenz", "cadence moyenne", "cadencia media", "cadencia promedio",
                    "cadenza media", "gemiddelde cadans", "cadência média"),
}  # fmt: skip
#: The 10 lower-case columns of archives made before mid-2019 (``distance`` in metres).
LEGACY_COLUMNS = {"id": "id", "date": "date", "name": "name", "type": "type", "elapsed_time": "elapsed",
                  "distance": "distance", "commute": "commute", "filename": "filename"}  # fmt: skip
#: Activity types in the archive's languages (lower case). Seen in real exports: Lauf, Radfahrt
#: (German); Course à pied, Vélo, Sortie à vélo, Vélo virtuel, Marche, Randonnée, Natation,
#: Entraînement (French); Carrera, Entrenamiento con pesas (Spanish); Corsa, Allenamento generico
#: (Italian); Hardloopsessie (Dutch); Pedalada (Portuguese). The rest are the same words in the same
#: style. English types go through `sport_from_text`.
LOCAL_TYPES: dict[str, tuple[str, str | None]] = {
    # German
    "lauf": ("running", None), "laufen": ("running", None), "traillauf": ("running", "trail"), "trailrun": ("running", "trail"),
    "virtueller lauf": ("running", "virtual_activity"), "laufband": ("running", "treadmill"),
    "spaziergang": ("walking", None), "gehen": ("walking", None), "wanderung": ("hiking", None), "wandern": ("hiking", None),
    "radfahrt": ("cycling", None), "virtuelle radfahrt": ("cycling", "virtual_activity"),
    # French
    "course à pied": ("running", None), "course": ("running", None), "trail": ("running", "trail"),
    "course à pied virtuelle": ("running", "virtual_activity"), "course virtuelle": ("running", "virtual_activity"),
    "marche": ("walking", None), "randonnée": ("hiking", None), "vélo": ("cycling", None), "sortie à vélo": ("cycling", None),
    "vélo virtuel": ("cycling", "virtual_activity"), "sortie à vélo électrique": ("cycling", None),
    # Spanish
    "carrera": ("running", None), "carrera por montaña": ("running", "trail"), "carrera de montaña": ("running", "trail"),
    "carrera virtual": ("running", "virtual_activity"), "caminata": ("walking", None), "senderismo": ("hiking", None),
    "excursionismo": ("hiking", None), "bicicleta": ("cycling", None), "ciclismo": ("cycling", None),
    "bicicleta virtual": ("cycling", "virtual_activity"),
    # Italian
    "corsa": ("running", None), "corsa su sentiero": ("running", "trail"), "trail running": ("running", "trail"),
    "corsa virtuale": ("running", "virtual_activity"), "camminata": ("walking", None), "escursione": ("hiking", None),
    "escursionismo": ("hiking", None), "escursionismo a piedi": ("hiking", None), "giro in bici": ("cycling", None),
    "giro in bici virtuale": ("cycling", "virtual_activity"),
    # Dutch
    "hardloopsessie": ("running", None), "hardlopen": ("running", None), "trailrunsessie": ("running", "trail"),
    "virtuele hardloopsessie": ("running", "virtual_activity"), "wandeling": ("walking", None), "wandelen": ("walking", None),
    "hike": ("hiking", None), "fietsrit": ("cycling", None), "fietsen": ("cycling", None), "virtuele fietsrit": ("cycling", "virtual_activity"),
    # Portuguese
    "corrida": ("running", None), "corrida em trilha": ("running", "trail"), "corrida de trilha": ("running", "trail"),
    "corrida virtual": ("running", "virtual_activity"), "caminhada": ("walking", None), "trilha": ("hiking", None),
    "pedalada": ("cycling", None), "pedalada virtual": ("cycling", "virtual_activity"),
}  # fmt: skip
#: Strava's types that are neither runs nor anything `sport_from_text` knows: they stay non-runs.
_NOT_RUN_WORDS = ("swim", "ski", "row", "yoga", "workout", "weight", "golf", "surf", "skate", "paddle", "canoe", "kayak",
                  "climb", "elliptical", "stair", "crossfit", "snowshoe", "wheelchair", "handcycle", "velomobile", "sail")  # fmt: skip
#: Month names as the archives abbreviate them (trailing dots dropped), by language; a full name
#: is read through the abbreviation it starts with.
MONTHS: dict[str, int] = {
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    **{m: i for i, m in enumerate(("jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"), 1)},
    **{m: i for i, m in enumerate(("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"), 1)},
    **{m: i for i, m in enumerate(("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"), 1)},
    **{m: i for i, m in enumerate(("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"), 1)},
    **{m: i for i, m in enumerate(("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"), 1)},
    **{m: i for i, m in enumerate(("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"), 1)},
    "märz": 3, "mrz": 3, "maart": 3, "fevr": 2, "aout": 8, "dec": 12, "sept": 9,
}  # fmt: skip
#: Words between a date's parts in some languages ("23 de ago. de 2026", "13 mai 2019 à 14:45:37").
_DATE_FILLERS = frozenset({"de", "à", "a", "um", "om", "alle", "las", "at"})
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:z|[+-]00:?00| utc)?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_MERIDIEM = re.compile(r"\b([ap])\.?\s?m\b\.?")
_MISSING = re.compile(r"translation missing:\s*([\w.\-]+)")


def _fold(text: str) -> str:
    """Lower case, NFC, straight apostrophes, single spaces: how spellings are compared."""
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "")
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.lower().split())


def _header_key(cell: str) -> str:
    """A header cell as compared with `COLUMNS`: an untranslated cell (Strava's HTML) by the key its title names."""
    missing = _MISSING.search(cell or "")
    if missing:
        return missing.group(1).rsplit(".", 1)[-1].replace("_", " ").lower()
    return _fold(re.sub(r"<[^>]*>", " ", cell or "").strip().strip('"'))


_SPELLED = {_fold(s): key for key, names in COLUMNS.items() for s in names}


def _columns(header: list[str]) -> tuple[dict[str, list[int]], bool]:
    """Positions of each known column (a name written twice keeps both, in order), and whether the layout is pre-2019."""
    raw = [(c or "").strip().strip('"').lstrip("\ufeff") for c in header]
    if {"id", "date", "type", "elapsed_time"} <= set(raw):
        found: dict[str, list[int]] = {}
        for i, cell in enumerate(raw):
            if cell in LEGACY_COLUMNS:
                found.setdefault(LEGACY_COLUMNS[cell], []).append(i)
        return found, True
    found = {}
    for i, cell in enumerate(header):
        key = _SPELLED.get(_header_key(cell))
        if key:
            found.setdefault(key, []).append(i)
    return found, False


def _decimal_comma(header: list[str], cols: dict[str, list[int]], legacy: bool) -> bool:
    """Whether the archive's language writes decimal commas: every language but English (told by its date column)."""
    if legacy or "date" not in cols:
        return False
    return _header_key(header[cols["date"][0]]) not in ("activity date", "date")


def looks_like_activities_csv(head: bytes) -> bool:
    """True for the first bytes of an ``activities.csv`` (its header names an id, a date and a type)."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    if "," not in first:
        return False
    try:
        cells = next(csv.reader([first]))
    except csv.Error:
        return False
    cols, _ = _columns(cells)
    return all(k in cols for k in ("id", "date", "type"))


def strava_type(text: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) for an ``Activity Type`` in any of the archive's languages."""
    if not text or not text.strip():
        return None, None
    key = _fold(text)
    if key in LOCAL_TYPES:
        return LOCAL_TYPES[key]
    if any(w in key.replace(" ", "") for w in _NOT_RUN_WORDS):
        return "other", None
    sport, sub = sport_from_text(text)
    return (sport, sub) if sport else ("other", None)


def _month(token: str) -> int | None:
    token = token.rstrip(".")
    if token in MONTHS:
        return MONTHS[token]
    found = {m for abbr, m in MONTHS.items() if len(abbr) >= 3 and token.startswith(abbr)}
    return found.pop() if len(found) == 1 and len(token) <= 12 else None


#: Dates outside these years are no watch's [years]: the run store's range. Cleaning judges the
#: dates inside it (a date before GPS watches, or in the future, is refused there with its reason).
DATE_YEARS = (1900, 2199)


def parse_date(text: str | None) -> pd.Timestamp | None:
    """``Activity Date`` as a UTC Timestamp, in any of the archive's languages and eras; None when unreadable.

    ISO (``2018-11-27 19:11:32``), day.month.year (``09.12.2022, 15:24:49``,
    also with ``/``), or a month name in either order with an optional AM/PM
    (``Mar 2, 2026, 7:01:00 AM``, ``11 ago 2014, 16:27:28``, ``5 déc. 2022,
    18:12:05``, ``23 de ago. de 2026, 07:18:50``, ``13 mai 2019 à 14:45:37``).
    A date outside `DATE_YEARS` (year 1, 9999) is unreadable too.
    """
    when = _calendar_date(text)
    if when is None or not DATE_YEARS[0] <= when.year <= DATE_YEARS[1]:
        return None
    return pd.Timestamp(when, tz="UTC")


def _calendar_date(text: str | None) -> dt.datetime | None:
    """The date `parse_date` reads, whatever its year; None when it is no date."""
    text = _fold(text or "")
    if not text or len(text) > 60:
        return None
    iso = _ISO_DATE.fullmatch(text)
    numeric = _NUMERIC_DATE.fullmatch(text)
    if iso:
        y, mo, d, h, mi, s = iso.groups()
        return _stamp(y, mo, d, h, mi, s, None)
    if numeric:
        d, mo, y, h, mi, s = numeric.groups()
        return _stamp(y, mo, d, h, mi, s, None)
    meridiem = None
    found = _MERIDIEM.search(text)
    if found:
        meridiem = found.group(1)
        text = text[: found.start()] + " " + text[found.end() :]
    day = year = month = clock = None
    for token in text.replace(",", " ").split():
        if token in _DATE_FILLERS:
            continue
        if _CLOCK.fullmatch(token) and clock is None:
            clock = _CLOCK.fullmatch(token).groups()
        elif token.rstrip(".").isdigit() and len(token.rstrip(".")) <= 2 and day is None:
            day = token.rstrip(".")
        elif token.isdigit() and len(token) == 4 and year is None:
            year = token
        elif month is None and _month(token) is not None:
            month = _month(token)
        else:
            return None
    if None in (day, year, month, clock):
        return None
    return _stamp(year, month, day, clock[0], clock[1], clock[2], meridiem)


def _stamp(y, mo, d, h, mi, s, meridiem: str | None) -> dt.datetime | None:
    try:
        hour = int(h)
        if meridiem is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem == "p" else 0)
        return dt.datetime(int(y), int(mo), int(d), hour, int(mi), int(s or 0))
    except (ValueError, OverflowError):
        return None


def parse_number(text: str | None, decimal_comma: bool = False) -> float | None:
    """A number as the archive writes it: ``9.62``, ``"9,62"``, ``1,234.5``, ``1.234,5``, ``1 234,5``; None otherwise.

    With both separators, the later one is the decimal mark. A point alone is
    the decimal mark (the metres columns of every language). A comma alone is
    the decimal mark in a language that writes one (``decimal_comma``, all but
    English), else a thousands separator when groups of three digits follow it
    (``1,234`` -> 1234).
    """
    if text is None:
        return None
    t = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if not t or len(t) > 40:
        return None
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        thousands = not decimal_comma and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", t)
        t = t.replace(",", "") if thousands else t.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t):
        return None
    return finite(t)


def _truthy(text: str | None) -> bool | None:
    if text is None or not text.strip():
        return None
    t = _fold(text)
    if t in ("true", "1", "1.0", "yes", "wahr", "vrai", "sí", "si", "ja", "waar", "verdadero", "vero", "verdadeiro", "sim", "oui"):
        return True
    if t in ("false", "0", "0.0", "no", "falsch", "faux", "nee", "falso", "nein", "non", "não"):
        return False
    return None


def read_strava_csv(data: bytes, source: str) -> list[Activity]:
    """Every row of a Strava ``activities.csv`` as an activity without samples; a row that cannot be read, in its place.

    ``file_ref`` carries the row's ``Filename`` (relative to the CSV's folder);
    ``rpe`` its perceived exertion; ``commute`` its commute mark; ``entry``
    its line. Each row is judged on its own: a row whose date cannot be read
    or is one no watch writes (year 1 or 9999), whose distance or time is
    impossible, or that is longer than any activity's (1 MiB) comes back as
    a refused entry (`summary_only.refused_entry`) naming its line and why,
    and the other rows are read. A row that is not UTF-8 in a UTF-8 file is
    read as Latin-1, with a warning (`summary_only.index_lines`).

    Raises
    ------
    ParseError
        Larger than `summary_only.MAX_INDEX_BYTES`, not text, or without the
        columns every archive has (an id, a date and a type), or no row that
        can be read.
    NotAnActivityError
        A header and no rows.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise ParseError(source, f"activities.csv is larger than {MAX_INDEX_BYTES // 2**20} MiB; refused")
    text, odd_lines = index_lines(data, source, "activities.csv")
    lines = list_lines(text)
    del text  # the lines hold it: one copy of a 64 MiB list is enough
    if lines and len(lines[0]) > MAX_ROW_CHARS:
        raise ParseError(source, f"activities.csv has a header of {len(lines[0]) / 2**20:.1f} MiB, which no archive has")
    try:
        header = next(csv.reader(lines[:1]), None)
    except csv.Error as exc:
        raise ParseError(source, f"activities.csv is not readable CSV ({exc})") from None
    if header is None:
        raise ParseError(source, "activities.csv is empty")
    cols, legacy = _columns(header)
    comma = _decimal_comma(header, cols, legacy)
    missing = [k for k in ("id", "date", "type") if k not in cols]
    if missing:
        raise ParseError(source, f"not a Strava activities.csv: no {', '.join(missing)} column in its header")
    activities: list[Activity] = []
    beyond = 0
    for first, row, broken in csv_rows(lines, 1, len(header)):
        if row is not None and not any(c.strip() for c in row):
            continue
        if len(activities) >= MAX_INDEX_ROWS:
            beyond += 1
            continue
        if row is None:
            activities.append(refused_entry(source, "strava_csv", len(activities), f"line {first}", broken))
            continue
        where = f"line {first} ({_row_label(row, cols)})"
        reason = None
        try:
            activity = _row_activity(row, cols, legacy, comma, source, len(activities))
        except _BadRow as exc:
            activity, reason = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - one row's values beyond reason cost that row, never the list
            activity, reason = None, f"could not be read: {unexpected_problem(exc, 'in the reader')}"
        if activity is None:
            reason = reason or _date_problem(_cell(row, cols, "date"))
            activities.append(refused_entry(source, "strava_csv", len(activities), where, reason))
            continue
        activity.entry = where
        if first in odd_lines:
            activity.warnings.append(f"line {first} of activities.csv is not UTF-8 like the rest of the file: read as Latin-1")
        activities.append(activity)
    read = [a for a in activities if refusal(a) is None]
    if not read:
        if activities or beyond:
            raise ParseError(source, f"none of the {len(activities) + beyond} rows of activities.csv can be read "
                                     f"({refusal(activities[0])[1] if activities else 'too many rows'})")  # fmt: skip
        raise NotAnActivityError(source, "activities.csv lists no activities")
    if beyond:
        next((a for a in read if a.is_run), read[0]).warnings.append(
            f"{beyond} rows of activities.csv beyond the first {MAX_INDEX_ROWS} were left out")
    return activities


def _date_problem(text: str | None) -> str:
    """Why a row's date was not read: a date no watch writes, or no date at all."""
    when = _calendar_date(text)
    if when is not None:
        return f"dated {when.year:04d}-{when.month:02d}-{when.day:02d}, a date no watch writes (its clock was not set?)"
    shown = (text or "").strip()
    return f"its date cannot be read ({shown[:40]!r})" if shown else "it has no date"


def _row_label(row: list[str], cols: dict[str, list[int]]) -> str:
    ident = (_cell(row, cols, "id") or "").strip()[:24]
    return f"activity {ident or '?'}"


def _cell(row: list[str], cols: dict[str, list[int]], key: str, which: int = 0) -> str | None:
    positions = cols.get(key)
    if not positions:
        return None
    i = positions[which] if which < len(positions) else positions[-1]
    return row[i] if i < len(row) else None


class _BadRow(Exception):
    """A row that is no activity (an impossible total); its message is the reason."""


def _row_activity(row: list[str], cols: dict[str, list[int]], legacy: bool, comma: bool, source: str, index: int) -> Activity | None:
    """One row as an activity, or None when its date cannot be read. ``comma``: the account's language writes decimal commas.

    Raises `_BadRow` when its distance or time is impossible.
    """
    start = parse_date(_cell(row, cols, "date"))
    if start is None:
        return None
    sport, sub_sport = strava_type(_cell(row, cols, "type"))
    metres = legacy or len(cols.get("distance", ())) > 1
    distance = parse_number(_cell(row, cols, "distance", -1), comma)
    warnings = []
    if distance is not None and not metres:
        distance *= 1000.0  # the only Distance column of a 2019 archive: kilometres
        warnings.append("distance read as kilometres (this archive has one Distance column)")
    elapsed = parse_number(_cell(row, cols, "elapsed", -1), comma)
    problem = impossible_totals(elapsed, distance, sport == "running")
    if problem:
        raise _BadRow(problem)
    cadence = parse_number(_cell(row, cols, "avg_cadence", -1), comma)
    if cadence is not None and sport == "running" and 0 < cadence < 120:
        cadence *= 2.0  # one leg's strides, as Strava keeps a run's cadence
    filename = (_cell(row, cols, "filename") or "").strip().replace("\\", "/") or None
    return summary_activity(
        source=source,
        fmt="strava_csv",
        start_utc=start,
        elapsed_s=elapsed,
        moving_s=parse_number(_cell(row, cols, "moving"), comma),
        distance_m=distance,
        sport=sport,
        sub_sport=sub_sport,
        name=(_cell(row, cols, "name") or "").strip() or None,
        device="Strava",
        session_index=index,
        rpe=parse_number(_cell(row, cols, "rpe"), comma),
        commute=_first_known(_truthy(_cell(row, cols, "commute", -1)), _truthy(_cell(row, cols, "commute", 0))),
        file_ref=filename,
        totals={
            "elevation_gain_m": bounded(parse_number(_cell(row, cols, "climb", -1), comma), 0.0, 20000.0),
            "avg_heart_rate_bpm": bounded(parse_number(_cell(row, cols, "avg_hr", -1), comma), 25.0, 250.0),
            "cadence_spm": bounded(cadence, 60.0, 260.0),
        },
        warnings=warnings,
    )


def _first_known(*values: bool | None) -> bool | None:
    return next((v for v in values if v is not None), None)
