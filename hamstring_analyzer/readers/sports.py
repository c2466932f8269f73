"""Sport names: every file's and export's words mapped onto the FIT profile's names, and those names as a runner reads them.

One table for every reader. A word is looked up with case, spaces, hyphens
and underscores ignored (``StandUpPaddling``, ``stand_up_paddleboarding`` and
``Stand-up paddling`` are one key), and without Garmin Connect's ``_v2`` /
``_ws`` suffixes.

Conventions for ``Activity.sport`` (all readers):

- a FIT profile name (``running``, ``cross_country_skiing``...), or a FIT
  sport number as text (``"82"``) when the decoder's profile is older than
  the watch;
- ``"other"``: the file or list says the activity is none of the sports it
  can name (TCX ``Sport="Other"``, a list's type we do not know). Never judged;
- None or ``"generic"``: the file says nothing; the ingest judges the sport
  from the samples;
- any other text: the file's own word for a sport we do not know (a GPX
  ``<type>`` such as ``"Laufen"``, or the words of an activity's name). The
  ingest judges it like an unnamed sport, and keeps the word when the samples
  are not a run's, so that the reason names what the file names.
"""

from __future__ import annotations

import re

#: The FIT profile's sport numbers, including those newer than the decoders' tables (FIT SDK 21.x profile).
FIT_SPORTS = {
    0: "generic", 1: "running", 2: "cycling", 3: "transition", 4: "fitness_equipment", 5: "swimming",
    6: "basketball", 7: "soccer", 8: "tennis", 9: "american_football", 10: "training", 11: "walking",
    12: "cross_country_skiing", 13: "alpine_skiing", 14: "snowboarding", 15: "rowing", 16: "mountaineering",
    17: "hiking", 18: "multisport", 19: "paddling", 20: "flying", 21: "e_biking", 22: "motorcycling",
    23: "boating", 24: "driving", 25: "golf", 26: "hang_gliding", 27: "horseback_riding", 28: "hunting",
    29: "fishing", 30: "inline_skating", 31: "rock_climbing", 32: "sailing", 33: "ice_skating",
    34: "sky_diving", 35: "snowshoeing", 36: "snowmobiling", 37: "stand_up_paddleboarding", 38: "surfing",
    39: "wakeboarding", 40: "water_skiing", 41: "kayaking", 42: "rafting", 43: "windsurfing",
    44: "kitesurfing", 45: "tactical", 46: "jumpmaster", 47: "boxing", 48: "floor_climbing", 49: "baseball",
    53: "diving", 56: "shooting", 58: "winter_sport", 59: "grinding", 62: "hiit", 63: "video_gaming",
    64: "racket", 65: "wheelchair_push_walk", 66: "wheelchair_push_run", 67: "meditation", 68: "para_sport",
    69: "disc_golf", 70: "team_sport", 71: "cricket", 72: "rugby", 73: "hockey", 74: "lacrosse",
    75: "volleyball", 76: "water_tubing", 77: "wakesurfing", 78: "water_sport", 79: "archery",
    80: "mixed_martial_arts", 81: "motor_sports", 82: "snorkeling", 83: "dance", 84: "jump_rope",
    85: "pool_apnea", 86: "mobility", 87: "geocaching", 88: "canoeing",
}  # fmt: skip

#: How a runner reads a sport name, where it is not the name with spaces for underscores.
SPORT_WORDS = {
    "generic": "unknown sport",
    "other": "another sport (Other)",
    "transition": "multisport transition",
    "fitness_equipment": "gym equipment",
    "training": "a workout",
    "american_football": "American football",
    "cross_country_skiing": "cross-country skiing",
    "e_biking": "e-biking",
    "stand_up_paddleboarding": "stand-up paddling",
    "sky_diving": "skydiving",
    "hiit": "HIIT",
    "floor_climbing": "floor climbing (stairs)",
    "wheelchair_push_walk": "wheelchair (push walk)",
    "wheelchair_push_run": "wheelchair (push run)",
    "pool_apnea": "pool apnea diving",
}

#: A sport with its FIT sub-sport, where the sub-sport alone or "sub-sport sport" does not read well.
PAIR_WORDS = {
    ("cycling", "road"): "road cycling",
    ("cycling", "mountain"): "mountain biking",
    ("cycling", "downhill"): "downhill mountain biking",
    ("cycling", "e_bike_mountain"): "e-mountain biking",
    ("cycling", "e_bike_fitness"): "e-biking",
    ("cycling", "spin"): "indoor cycling (spin)",
    ("cycling", "commuting"): "bike commute",
    ("cycling", "virtual_activity"): "virtual cycling",
    ("cycling", "bmx"): "BMX",
    ("cycling", "mixed_surface"): "mixed-surface cycling",
    ("swimming", "lap_swimming"): "pool swimming",
    ("swimming", "open_water"): "open-water swimming",
    ("walking", "casual_walking"): "walking",
    ("running", "virtual_activity"): "virtual running",
    ("running", "indoor_running"): "indoor running",
    ("cross_country_skiing", "skate_skiing"): "skate skiing",
    ("cross_country_skiing", "backcountry"): "backcountry cross-country skiing",
    ("alpine_skiing", "backcountry"): "backcountry skiing",
    ("alpine_skiing", "resort"): "resort skiing",
    ("fitness_equipment", "elliptical"): "elliptical trainer",
    ("fitness_equipment", "indoor_skiing"): "ski ergometer",
    ("diving", "single_gas_diving"): "scuba diving",
    ("diving", "multi_gas_diving"): "scuba diving (multi-gas)",
    ("diving", "apnea_diving"): "freediving",
}
#: Sports whose sub-sport is the whole name (``training/yoga`` is yoga).
_SUB_SPORT_IS_NAME = frozenset({"training", "fitness_equipment", "transition", "generic", "diving", "other"})
#: Sub-sports that add nothing to the sport's name.
_EMPTY_SUB_SPORTS = frozenset({"generic", "all", "exercise", "match", "challenge", "warm_up", "navigate", "track_me", "map"})

# -- the words files and exports use -----------------------------------------
_ALIASES = {name: (name, None) for name in FIT_SPORTS.values() if name not in ("generic", "all")}
_ALIASES.update({
    # running, as platforms and apps word it
    "run": ("running", None), "jogging": ("running", None), "road_running": ("running", "road"),
    "street_running": ("running", "street"), "trail_running": ("running", "trail"), "trailrun": ("running", "trail"),
    "trail_run": ("running", "trail"), "treadmill_running": ("running", "treadmill"), "treadmill": ("running", "treadmill"),
    "indoor_running": ("running", "treadmill"), "virtual_run": ("running", "virtual_activity"),
    "track_running": ("running", "track"), "track_and_field_running": ("running", "track"),
    "ultra_run": ("running", None), "obstacle_run": ("running", "obstacle"),
    # cycling
    "biking": ("cycling", None), "bike": ("cycling", None), "ride": ("cycling", None), "road_biking": ("cycling", "road"),
    "road_cycling": ("cycling", "road"), "mountain_biking": ("cycling", "mountain"), "mountain_bike_ride": ("cycling", "mountain"),
    "mtb": ("cycling", "mountain"), "gravel_cycling": ("cycling", "gravel_cycling"), "gravel_ride": ("cycling", "gravel_cycling"),
    "indoor_cycling": ("cycling", "indoor_cycling"), "spinning": ("cycling", "spin"), "virtual_ride": ("cycling", "virtual_activity"),
    "cyclocross": ("cycling", "cyclocross"), "downhill_biking": ("cycling", "downhill"), "bmx": ("cycling", "bmx"),
    "track_cycling": ("cycling", "track_cycling"), "recumbent_cycling": ("cycling", "recumbent"),
    "handcycle": ("cycling", "hand_cycling"), "hand_cycling": ("cycling", "hand_cycling"), "velomobile": ("cycling", None),
    "e_bike_ride": ("e_biking", None), "ebike": ("e_biking", None), "e_bike": ("e_biking", None),
    "e_mountain_bike_ride": ("e_biking", "e_bike_mountain"), "e_bike_mountain": ("e_biking", "e_bike_mountain"),
    "e_bike_fitness": ("e_biking", None),
    # on foot, not running
    "walk": ("walking", None), "casual_walking": ("walking", None), "speed_walking": ("walking", "speed_walking"),
    "indoor_walking": ("walking", "indoor_walking"), "nordic_walking": ("walking", None), "hike": ("hiking", None),
    "snowshoe": ("snowshoeing", None), "mountaineering": ("mountaineering", None),
    # water
    "swim": ("swimming", None), "lap_swimming": ("swimming", "lap_swimming"), "pool_swimming": ("swimming", "lap_swimming"),
    "pool_swim": ("swimming", "lap_swimming"), "open_water_swimming": ("swimming", "open_water"),
    "open_water_swim": ("swimming", "open_water"), "stand_up_paddling": ("stand_up_paddleboarding", None),
    "stand_up_paddle": ("stand_up_paddleboarding", None), "sup": ("stand_up_paddleboarding", None),
    "paddleboarding": ("stand_up_paddleboarding", None), "paddle": ("paddling", None), "canoe": ("canoeing", None),
    "kayak": ("kayaking", None), "row": ("rowing", None), "indoor_rowing": ("rowing", "indoor_rowing"),
    "virtual_row": ("rowing", "indoor_rowing"), "sail": ("sailing", None), "windsurf": ("windsurfing", None),
    "kitesurf": ("kitesurfing", None), "kiteboarding": ("kitesurfing", None), "surf": ("surfing", None),
    "whitewater_rafting_kayaking": ("rafting", None), "open_water": ("swimming", "open_water"),
    # snow and ice
    "nordic_ski": ("cross_country_skiing", None), "nordic_skiing": ("cross_country_skiing", None),
    "xc_ski": ("cross_country_skiing", None), "xc_skiing": ("cross_country_skiing", None),
    "cross_country_ski": ("cross_country_skiing", None), "skate_skiing": ("cross_country_skiing", "skate_skiing"),
    "roller_ski": ("cross_country_skiing", None), "roller_skiing": ("cross_country_skiing", None),
    "backcountry_ski": ("alpine_skiing", "backcountry"), "backcountry_skiing": ("alpine_skiing", "backcountry"),
    "backcountry_skiing_snowboarding": ("alpine_skiing", "backcountry"), "alpine_ski": ("alpine_skiing", None),
    "downhill_skiing": ("alpine_skiing", None), "resort_skiing_snowboarding": ("alpine_skiing", "resort"),
    "resort_skiing": ("alpine_skiing", "resort"), "snowboard": ("snowboarding", None), "ice_skate": ("ice_skating", None),
    "inline_skate": ("inline_skating", None), "skateboard": ("skateboarding", None),
    # indoors and gym
    "workout": ("training", None), "strength_training": ("training", "strength_training"),
    "weight_training": ("training", "strength_training"), "crossfit": ("training", "cardio_training"),
    "cardio": ("training", "cardio_training"), "indoor_cardio": ("training", "cardio_training"), "yoga": ("training", "yoga"),
    "pilates": ("training", "pilates"), "high_intensity_interval_training": ("hiit", None),
    "elliptical": ("fitness_equipment", "elliptical"), "stair_stepper": ("fitness_equipment", "stair_climbing"),
    "stair_climbing": ("fitness_equipment", "stair_climbing"), "climbing": ("rock_climbing", None),
    "bouldering": ("rock_climbing", None), "indoor_climbing": ("rock_climbing", None),
    "multi_sport": ("multisport", None), "triathlon": ("multisport", None),
    "squash": ("racket", None), "badminton": ("racket", None), "pickleball": ("racket", None),
    "table_tennis": ("racket", None), "racquetball": ("racket", None),
    "wheelchair": ("wheelchair_push_walk", None), "other": ("other", None),
})  # fmt: skip
#: Strava's numeric GPX <type> codes.
_STRAVA_CODES = {"1": ("cycling", None), "9": ("running", None), "10": ("walking", None), "4": ("hiking", None)}
#: Garmin Connect's type keys carry a version or season suffix (``kayaking_v2``, ``snowshoeing_ws``).
_SUFFIX = re.compile(r"[\s_-]+(v\d+|ws)$")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _SUFFIX.sub("", text.strip().lower()))


_TABLE = {_key(word): value for word, value in _ALIASES.items()}
#: Every sport name the table gives: a sport one of these says is known, never judged from the samples.
KNOWN_SPORTS = frozenset(v[0] for v in _TABLE.values()) | {"skiing", "generic"}
#: Words in an activity's name that say its sport (the table's words, less those a name uses for other things).
_NOT_IN_NAMES = frozenset(_key(w) for w in (
    "other", "training", "workout", "tactical", "flying", "driving", "boating", "multisport", "multi_sport",
    "transition", "team_sport", "para_sport", "water_sport", "winter_sport", "motor_sports", "dance", "mobility",
    "meditation", "hunting", "fishing", "treadmill", "track_running", "cardio", "racket", "grinding", "video_gaming",
))  # fmt: skip
_NAME_WORDS = {k: v for k, v in _TABLE.items() if k not in _NOT_IN_NAMES}
_NAME_WORDS.update({"ski": ("skiing", None), "skiing": ("skiing", None), "jog": ("running", None)})


def sport_from_text(text: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) from a GPX ``<type>``, a TCX ``Sport``, a Polar or Strava type; (None, None) when unknown.

    ``"Other"`` gives ``("other", None)``: the file says it is none of the sports it names.
    """
    if not text:
        return None, None
    stripped = text.strip()
    if stripped in _STRAVA_CODES:
        return _STRAVA_CODES[stripped]
    key = _key(stripped)
    if key in _TABLE:
        return _TABLE[key]
    if "run" in key:
        return "running", None
    if "ride" in key or "cycl" in key or "bik" in key:
        return "cycling", None
    return None, None


def sport_in_name(name: str | None) -> str | None:
    """The words of an activity's name that say a sport (``"Lake SUP session"`` -> ``"SUP"``), or None.

    Longer phrases first (``"cross-country ski"`` before ``"ski"``); whole words only.
    """
    words = list(re.finditer(r"[^\W\d_]+", name or ""))
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if _key("".join(w.group() for w in words[i:i + size])) in _NAME_WORDS:
                return (name or "")[words[i].start():words[i + size - 1].end()]
    return None


def file_sport(text: str | None, name: str | None = None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) of a GPX track or TCX activity from its sport field and, when that says little, its name.

    A sport field we know decides. Otherwise (empty, ``Other``, a word we do
    not know) the name's sport words (`sport_in_name`) give the sport's word,
    kept as written so the ingest judges it from the samples (see the module's
    conventions); a name that says running leaves the judging to the samples
    alone. Failing both: ``"other"`` for ``Other``, the file's own word for an
    unknown one, None for nothing (a Strava code we do not know is nothing).
    """
    sport, sub_sport = sport_from_text(text)
    if sport is not None and sport != "other":
        return sport, sub_sport
    phrase = sport_in_name(name)
    if phrase is not None:
        said = sport_from_text(phrase)[0] or _NAME_WORDS.get(_key(phrase), (None,))[0]
        return (None, None) if said == "running" else (phrase, None)
    if sport == "other":
        return "other", None
    word = (text or "").strip()
    return (word, None) if len(word) >= 3 and not word.isdigit() else (None, None)


def needs_judging(sport: str | None) -> bool:
    """True when the samples must decide the sport: nothing said, FIT's ``generic``, or a word we do not know."""
    if sport is None or sport == "generic":
        return True
    return sport not in KNOWN_SPORTS and not sport.isdigit()


def _name(sport: str) -> str:
    return SPORT_WORDS.get(sport, sport.replace("_", " "))


def sport_label(sport: str | None, sub_sport: str | None = None) -> str:
    """A sport and sub-sport as a runner reads them: ``("cycling", "road")`` -> ``"road cycling"``.

    FIT numbers the decoder did not name are named from the profile
    (``"82"`` -> ``"snorkeling"``); a file's own word is looked up in the
    table (``"StandUpPaddling"`` -> ``"stand-up paddling"``) or shown as
    ``another sport (Word)``.
    """
    if sport is None:
        return "unknown sport"
    if sport.isdigit():
        named = FIT_SPORTS.get(int(sport))
        if named is None:
            return f"another sport (FIT sport {sport})"
        sport = named
    elif sport not in KNOWN_SPORTS:
        found = sport_from_text(sport)[0] or _NAME_WORDS.get(_key(sport), (None,))[0]
        if found is None or found == "other":
            return f"another sport ({sport.strip()[:40]})"
        sport = found
    if not sub_sport or sub_sport in _EMPTY_SUB_SPORTS or sub_sport.isdigit():
        return _name(sport)
    if (sport, sub_sport) in PAIR_WORDS:
        return PAIR_WORDS[(sport, sub_sport)]
    sub = sub_sport.replace("_", " ")
    root = sport.split("_")[-1]
    if sport in _SUB_SPORT_IS_NAME or root in sub_sport or sport == sub_sport:
        return sub if sport != "transition" else "multisport transition"
    return f"{sub} {_name(sport)}"
