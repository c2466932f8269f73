"""One glossary of column names, with their units in the name.

Every parser renames its source fields to these names, so the rest of the code
never sees a FIT, GPX or TCX field name.
"""

from __future__ import annotations

# -- records: one row per sample, indexed by a UTC DatetimeIndex named "time" --
DISTANCE = "distance_m"  #: cumulative distance [m]
SPEED = "speed_mps"  #: instantaneous speed [m/s]
ALTITUDE = "altitude_m"  #: altitude above sea level [m]
HEART_RATE = "heart_rate_bpm"  #: heart rate [beats/min]
CADENCE = "cadence_spm"  #: running cadence, both feet [steps/min]
CADENCE_RPM = "cadence_rpm"  #: pedalling or stroke cadence of non-foot sports [1/min]
LATITUDE = "lat_deg"  #: latitude [degrees, WGS84]
LONGITUDE = "lon_deg"  #: longitude [degrees, WGS84]
STEP_LENGTH = "step_length_mm"  #: step length from running dynamics [mm]
VERTICAL_RATIO = "vertical_ratio_pct"  #: vertical oscillation / step length [%]
STANCE_TIME = "stance_time_ms"  #: ground contact time [ms]
VERTICAL_OSCILLATION = "vertical_oscillation_mm"  #: bounce [mm]
POWER = "power_w"  #: running power [W] (Apple Watch, Stryd)

RECORD_COLUMNS = (
    DISTANCE,
    SPEED,
    ALTITUDE,
    HEART_RATE,
    CADENCE,
    LATITUDE,
    LONGITUDE,
)
RUNNING_DYNAMICS = (STEP_LENGTH, VERTICAL_RATIO, STANCE_TIME, VERTICAL_OSCILLATION)
ALL_RECORD_COLUMNS = RECORD_COLUMNS + RUNNING_DYNAMICS + (CADENCE_RPM, POWER)

# -- laps: one row per lap --
LAP_START = "start_utc"
LAP_END = "end_utc"
LAP_DISTANCE = "distance_m"
LAP_TIMER = "timer_s"  #: moving (timer) time of the lap [s]
LAP_ELAPSED = "elapsed_s"  #: wall-clock duration of the lap [s]
LAP_INTENSITY = "intensity"  #: active, rest, warmup, cooldown, recovery, interval (or None)
LAP_COLUMNS = (LAP_START, LAP_END, LAP_DISTANCE, LAP_TIMER, LAP_ELAPSED, LAP_INTENSITY)

#: FIT lap.intensity values, as the FIT profile names them.
INTENSITIES = ("active", "rest", "warmup", "cooldown", "recovery", "interval")

#: Sports whose cadence counts steps of both feet.
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "generic", "training", "transition"})
#: Sub-sports of running that still count as runs.
RUN_SUB_SPORTS = frozenset({"generic", "treadmill", "street", "trail", "track", "indoor_running", "virtual_activity", "road"})

#: Sub-sports run indoors: no GPS, and the watch's pace is a guess from arm swing.
INDOOR_SUB_SPORTS = frozenset({"treadmill", "indoor_running", "virtual_activity"})

#: The one line every report and summary carries.
DISCLAIMER = "Not medical advice: flags are worth a look, not a diagnosis. Pain that persists deserves a physiotherapist or doctor."
