"""Races: which runs of a history were races, told from their names or from their distance and effort.

A coach names the race (its name, a standard distance, an effort near the
runner's best) before judging anything around it: a marathon is not a
"single-run spike", and a half marathon's fast kilometres are not speedwork.
`detect_races` is pure: a runs table in (`metrics.runs.runs_table`), three
columns out.

References
----------
Riegel PS (1981). Athletic records and human endurance. American Scientist
69:285-290 (race time over distance: T2 = T1 (D2 / D1)^1.06).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..config import Config

#: The standard race distances [m], with the label a race of that distance gets.
STANDARD_DISTANCES = (("marathon", 42195.0), ("half marathon", 21097.5), ("10 km", 10000.0), ("5 km", 5000.0))
#: A race told by its name gets a standard distance's label within this % of it: a marathon's
#: GPS track reads 42.4-42.8 km (runners do not run the measured line), 0.5-1.5% long, and more in towns.
NAMED_DISTANCE_TOLERANCE_PCT = 5.0
#: A name says race only for a run at least this long [m]: the warm-up jog on race day carries the race's name too.
NAMED_MIN_DISTANCE_M = 3000.0
#: Riegel's exponent: time grows as distance^1.06, so speed falls as distance^-0.06.
RIEGEL_EXPONENT = 1.06
#: Threshold speed is the speed a runner can race for about an hour [s].
THRESHOLD_RACE_S = 3600.0
#: The label of a race at no standard distance.
OTHER_RACE = "race"

#: Words that say race, by language (matched case-insensitively in the name and the sub-sport).
#: Left out on purpose, because they also mean a plain run or a place: French "course" ("course
#: à pied" is running), Spanish "carrera" and Portuguese "corrida" (Strava's default names
#: "Carrera matutina", "Corrida matinal"), Portuguese "prova" (also a test), German "Lauf" and
#: "Rennen" (also "to run"), Chinese 跑步 (running), 半程 alone (half of the way) and 赛 alone
#: (赛罕区 is a district of Hohhot, 赛里木湖 a lake; 备赛 / 赛前 / 赛后 are training around a race).
RACE_WORDS: dict[str, str] = {
    # "marathon" with no word boundary: half marathon, semi-marathon, Halbmarathon, ultramarathon;
    # "maraton" covers maratón, maratona, maratonina, meia maratona, mezza maratona.
    "any": r"marath?[oó]n",
    "en": r"\brac(?:e|es|ed|ing)\b|\bparkrun\b|\bturkey trot\b|\bekiden\b|\bcompetition\b",
    "fr": r"\bcomp[ée]tition\b",
    "de": r"wettkampf|volkslauf",
    "es": r"\bcarrera popular\b|\bcompetici[oó]n\b",
    "it": r"\bgara\b|\bcompetizione\b",
    "pt": r"\bcompeti[çc][ãa]o\b",
    "nl": r"wedstrijd",
    "zh": r"马拉松|馬拉松|半马|半馬|全马|全馬|比赛|比賽|竞赛|競賽|赛事|賽事"
    r"|(?:越野|公里|邀请|邀請|锦标|錦標|公开|公開|挑战|挑戰|接力|定向)[赛賽]",
    "ja": r"マラソン|レース|大会",
}
#: Words that make a name about training around a race, not the race: "marathon pace",
#: "half marathon plan week 5", 马拉松配速跑 (marathon-pace run), "Marathontraining", "after the race".
NOT_RACE_WORDS: dict[str, str] = {
    "en": r"\bpace\b|\btrain(?:ing)?\b|\bprep\b|\bpreparation\b|\brecovery\b|\bshake[- ]?out\b|\bwarm[- ]?up\b"
    r"|\bcool[- ]?down\b|\b(?:pre|post)[- ]?race\b|\bafter\b|\bbefore\b|\bplan\b|\bweek\s*\d|\btempo\b"
    r"|\bintervals?\b|\blong run\b|\blsd\b|\bsimulation\b|\bspectat|\bcheer",
    "de": r"tempo|training|vorbereitung|einlaufen|auslaufen|regeneration|\bnach\b",
    "fr": r"\ballure\b|entra[iî]nement|pr[ée]pa|r[ée]cup|[ée]chauffement|\bapr[eè]s\b|\bavant\b|\bfooting\b",
    "es": r"\britmo\b|entrenamiento|\bentreno\b|preparaci[oó]n|recuperaci[oó]n|calentamiento|\bdespu[eé]s\b|\brodaje\b",
    "it": r"allenamento|preparazione|recupero|riscaldamento|\bdopo\b|\blento\b",
    "pt": r"\btreino\b|prepara[çc][ãa]o|recupera[çc][ãa]o|aquecimento|\bdepois\b|\brodagem\b",
    "nl": r"voorbereiding|herstel|warming[- ]?up|duurloop|uitlopen",
    "zh": r"配速|训练|訓練|备赛|備賽|备战|備戰|赛前|賽前|赛后|賽後|恢复|恢復|热身|熱身|放松|放鬆|冷身|模拟|模擬"
    r"|长距离|長距離|拉练|拉練|节奏|節奏|间歇|間歇|观赛|觀賽",
    "ja": r"練習|ペース|ジョグ",
}
_RACE = re.compile("|".join(f"(?:{p})" for p in RACE_WORDS.values()), re.IGNORECASE)
_NOT_RACE = re.compile("|".join(f"(?:{p})" for p in NOT_RACE_WORDS.values()), re.IGNORECASE)


def name_says_race(text: str | None) -> bool:
    """True when ``text`` (an activity's name) names a race and not training around one."""
    if not isinstance(text, str) or not text:
        return False
    return bool(_RACE.search(text)) and not _NOT_RACE.search(text)


def standard_distance_label(distance_m: float, tolerance_pct: float) -> str | None:
    """The label of the standard race distance within ``tolerance_pct`` % of ``distance_m`` [m], else None."""
    if not (isinstance(distance_m, (int, float)) and math.isfinite(distance_m) and distance_m > 0):
        return None
    for label, metres in STANDARD_DISTANCES:
        if abs(distance_m - metres) <= tolerance_pct / 100.0 * metres:
            return label
    return None


def predicted_race_speed(threshold_speed_mps, distance_m):
    """The speed the runner's threshold predicts for a race of ``distance_m`` [m/s] (Riegel).

    Threshold speed is the runner's one-hour race speed, so it sets the
    reference race (distance = threshold speed x 3600 s); Riegel's
    T2 = T1 (D2 / D1)^1.06 gives speed at D2 = threshold speed x (D1 / D2)^0.06.

    Parameters
    ----------
    threshold_speed_mps : float or array
        Threshold speed. [m/s]
    distance_m : float or array
        Race distance. [m]
    """
    thr = np.asarray(threshold_speed_mps, dtype="float64")
    d = np.asarray(distance_m, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = thr * (thr * THRESHOLD_RACE_S / d) ** (RIEGEL_EXPONENT - 1.0)
    out = np.where((thr > 0) & (d > 0), out, np.nan)
    return float(out) if out.ndim == 0 else out


def detect_races(runs: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Which runs were races: ``race`` (bool), ``race_label`` and ``race_by`` (str or None), index aligned with ``runs``.

    A run is a race when

    * its name says so (`RACE_WORDS`, in the languages our users write, and
      none of `NOT_RACE_WORDS`) and it is at least 3 km long (``race_by`` =
      ``"name"``); or
    * it is outdoors, not marked suspect, within ``races.distance_tolerance_pct``
      % of 5 km, 10 km, a half marathon or a marathon, and its average moving
      speed (``distance_m / moving_s``) is at least ``100 - races.effort_pct``
      % of the speed the runner's threshold predicts for that distance
      (`predicted_race_speed`) (``race_by`` = ``"distance and effort"``).
      Without a threshold (NaN) this does not apply.

    ``race_label`` is ``"marathon"``, ``"half marathon"``, ``"10 km"`` or
    ``"5 km"`` for a race at that distance (within 5% for a race told by its
    name, whose GPS track reads long), else ``"race"``; None for a training run.

    Parameters
    ----------
    runs : DataFrame
        A runs table: ``distance_m`` [m], ``moving_s`` [s],
        ``threshold_speed_mps`` [m/s], ``indoor``, ``suspect``; ``name`` and
        ``sub_sport`` are read when present.
    config : Config
        ``[races]``.
    """
    n = len(runs)
    index = runs.index
    if n == 0:
        return pd.DataFrame(
            {"race": pd.Series(dtype=bool), "race_label": pd.Series(dtype=object), "race_by": pd.Series(dtype=object)},
            index=index,
        )
    distance = pd.to_numeric(runs["distance_m"], errors="coerce").to_numpy(float)
    moving = pd.to_numeric(runs["moving_s"], errors="coerce").to_numpy(float)
    threshold = pd.to_numeric(runs["threshold_speed_mps"], errors="coerce").to_numpy(float)
    indoor = _flags(runs, "indoor")
    suspect = _flags(runs, "suspect")
    names = runs["name"] if "name" in runs else pd.Series([None] * n, index=index)
    sub_sports = runs["sub_sport"] if "sub_sport" in runs else pd.Series([None] * n, index=index)

    by_name = np.array([name_says_race(nm) or name_says_race(ss) for nm, ss in zip(names, sub_sports, strict=True)], dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN, or a bogus distance over a tiny time
        by_name &= distance >= NAMED_MIN_DISTANCE_M
        speed = np.where(moving > 0, distance / np.where(moving > 0, moving, 1.0), np.nan)
        fast_enough = speed >= (1.0 - config.races.effort_pct / 100.0) * predicted_race_speed(threshold, distance)
    tolerance = config.races.distance_tolerance_pct
    at_standard = np.array([standard_distance_label(d, tolerance) is not None for d in distance], dtype=bool)
    by_effort = at_standard & fast_enough & ~indoor & ~suspect

    labels, how = [], []
    for named, effort, d in zip(by_name, by_effort, distance, strict=True):
        if named:
            labels.append(standard_distance_label(d, max(tolerance, NAMED_DISTANCE_TOLERANCE_PCT)) or OTHER_RACE)
            how.append("name")
        elif effort:
            labels.append(standard_distance_label(d, tolerance))
            how.append("distance and effort")
        else:
            labels.append(None)
            how.append(None)
    return pd.DataFrame(
        {
            "race": pd.Series(by_name | by_effort, index=index, dtype=bool),
            "race_label": pd.Series(labels, index=index, dtype=object),
            "race_by": pd.Series(how, index=index, dtype=object),
        },
        index=index,
    )


def _flags(runs: pd.DataFrame, column: str) -> np.ndarray:
    """A bool column as an array (missing column or missing values: False)."""
    if column not in runs:
        return np.zeros(len(runs), dtype=bool)
    return np.array([v is True or isinstance(v, np.bool_) and bool(v) for v in runs[column]], dtype=bool)
