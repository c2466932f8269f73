"""One task of the cohort: a group of athletes analysed exactly as ``analyze`` does, their rows of the cohort tables written.

Used by `cohort` for athletes in folders or archives, and by `cohort_log`
for the athletes of a daily log that the array path (`cohort_rules`) leaves
to the per-athlete path.
"""

from __future__ import annotations

from pathlib import Path

from .analysis import analyze_athlete
from .atomic import atomic_write_bytes
from .errors import HamstringAnalyzerError, failure_text
from .rules import RULES
from .rules.registry import summary_rules

#: The rules that need only a run's day, distance and duration (a daily log's rows), as the registry declares them.
SUMMARY_RULES = tuple(summary_rules())
TABLES = ("runs", "weeks", "flags", "athletes")


def rules_not_applicable(runs) -> list[str]:
    """The rules that cannot judge an athlete known only from summaries (no run has samples); [] otherwise."""
    if len(runs) and "has_samples" in runs and not runs["has_samples"].map(lambda x: x is not False).any():
        return [r for r in RULES if r not in SUMMARY_RULES]
    return []


def analyse_one(athlete, store_dir: str, timezone: str | None = None):
    """One athlete exactly as the ``analyze`` command does it: (Analysis or None, error or None, files parsed)."""
    try:
        if athlete.problem:
            raise HamstringAnalyzerError(athlete.problem)
        result = analyze_athlete(athlete.path, athlete.config(), athlete.symptoms, workers=1, cache_dir=store_dir, timezone=timezone,
                                 name=athlete.path.name)  # fmt: skip
        return result, None, result.export.parsed
    except Exception as exc:  # noqa: BLE001 - one athlete's data, or a bug of ours, must not stop the cohort
        return None, failure_text(exc, athlete.path), 0


def analyse_batch(batch: list, out_dir: str, part: int, timezone: str | None = None) -> dict:
    """Analyse a group of athletes ``[(Athlete, store folder, attributes)]``; write part ``part`` of each table.

    Returns ``{"athletes": [summary row...], "schemas": {table: schema}, "parsed": n}``.
    """
    import pyarrow as pa

    rows, parsed = analyse_rows(batch, timezone)
    schemas = {}
    for table, records in rows.items():
        if not records:
            continue
        arrow = pa.Table.from_pylist(records)
        write_table(Path(out_dir) / table / f"part-{part:05d}.parquet", arrow)
        schemas[table] = arrow.schema
    return {"athletes": rows["athletes"], "schemas": schemas, "parsed": parsed}


def analyse_rows(batch: list, timezone: str | None = None) -> tuple[dict, int]:
    """The cohort tables' rows of a group of athletes ``[(Athlete, store folder, attributes)]``, and the files parsed."""
    rows: dict = {t: [] for t in TABLES}
    parsed = 0
    for athlete, store_dir, attributes in batch:
        result, error, n_parsed = analyse_one(athlete, store_dir, timezone)
        parsed += n_parsed
        summary = {"athlete": athlete.name, "runs": 0, "weeks": 0, "alert": 0, "warning": 0, "info": 0, "error": error,
                   "rules_not_applicable": [], "files_parsed_at_analysis": n_parsed}  # fmt: skip
        if result is not None:
            doc = result.to_dict()
            for table in ("runs", "weeks", "flags"):
                rows[table].extend({"athlete": athlete.name, **r} for r in doc[table])
            summary.update(runs=len(doc["runs"]), weeks=len(doc["weeks"]), rules_not_applicable=rules_not_applicable(result.runs))
            for f in result.flags:
                summary[f.severity] += 1
        summary.update({k: v for k, v in (attributes or {}).items() if k not in summary})
        rows["athletes"].append(summary)
    return rows, parsed


def write_table(path: Path, table) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    atomic_write_bytes(path, sink.getvalue().to_pybytes(), durable=False)  # the tables are made again by running again
