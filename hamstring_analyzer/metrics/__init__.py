"""Per-run and weekly metrics: numbers from a run's records, the runs table, the weekly frame.

One module per topic: `samples` (sample weights, running, cadence), `elevation`,
`summary` (one run's ingest line), `fast` (speed, fast running, hard
sessions), `form` (late-run fade, decoupling, step length), `thresholds`,
`profile` (the per-run numbers, declared once), `session_load`, `races`,
`runs` (the runs table) and `weekly` (the weekly frame, the acute:chronic ratio).

The names below are those of the former ``hamstring_analyzer.metrics`` module
(now `samples`), kept so its importers keep working.
"""

from ..samples import MAX_SAMPLE_WEIGHT_S, RUNNING_STEP_RATE_MIN, mean_heart_rate, running_cadence, running_mask, sample_durations, weighted_median

__all__ = ["MAX_SAMPLE_WEIGHT_S", "RUNNING_STEP_RATE_MIN", "mean_heart_rate", "running_cadence", "running_mask", "sample_durations", "weighted_median"]
