"""Moved to `hamstring_analyzer.ingest`; this name stays for code that imports it."""

from __future__ import annotations

from .ingest import (  # noqa: F401 - re-exported
    FAILED, Export, Source, drop_duplicates, find_sources, grouped, is_activity_name, judge_sport, load_runs,
    parse_bytes, reason_group, safe_member_name, source_key,
)  # fmt: skip
