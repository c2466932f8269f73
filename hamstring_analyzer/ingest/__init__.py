"""Reading exports: from a folder or archive to runs, each file parsed once and kept in the run store.

One job per module, in the order a file travels:

* `sources`: folders, archives (nested zips, byte budgets), streamed files;
* `parse`: one file read, its sport judged, cleaned and summarised (what a worker runs);
* `pool`: the worker processes, a crash costing only its own file;
* `classify`: sport judgement, the same run twice, activity lists' rows, local time;
* `join`: one workout recorded in several files (a watch's split, a cool-down), read as one run;
* `load`: `load_runs`, the two passes, and the `Export` it returns;
* `wording`: the reasons given for what was ignored, skipped or not read (display only).
"""

from __future__ import annotations

from .classify import drop_duplicates, judge_sport
from .load import Export, FilesRead, load_runs, parse_here, read_files
from .parse import FAILED, parse_bytes, parse_into_store, settings_tag
from .sources import Source, find_sources, is_activity_name, read_source, safe_member_name, source_key
from .wording import counted, grouped, reason_group, why_no_runs

__all__ = [
    "Export", "FAILED", "counted", "FilesRead", "Source", "drop_duplicates", "find_sources", "grouped", "is_activity_name",
    "judge_sport", "load_runs", "parse_bytes", "parse_here", "parse_into_store", "read_files", "read_source",
    "reason_group", "safe_member_name", "settings_tag", "source_key", "why_no_runs",
]  # fmt: skip
