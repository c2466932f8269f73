"""The rule registry (rules/registry.py): every rule with its facts; every flag with the contract fields."""

from __future__ import annotations

import datetime as dt

from hamstring_analyzer.rules import RULES, flags_frame

from .helpers import FLAG_FIELDS, flags_for, steady_weeks


def test_the_registry_holds_every_rule_with_its_facts():
    from hamstring_analyzer.config import Config as C

    sections = set(C.__dataclass_fields__)
    assert list(RULES) == [
        "weekly_mileage_jump", "single_run_spike", "layoff_return", "acwr_high", "race_build", "flat_long_run",
        "hills_before_base", "speedwork_share", "speedwork_before_base", "fast_on_flat", "low_cadence", "late_run_fatigue",
        "overstride",
    ]  # fmt: skip
    for r in RULES.values():
        assert r.title and r.why and r.source and r.section in sections and r.level in {"run", "week"}
        assert r.func.__doc__, r.id
        assert r.evidence in {"study", "practice", "data"}
    assert {r.id for r in RULES.values() if r.load} == {"weekly_mileage_jump", "single_run_spike", "layoff_return", "speedwork_share", "race_build"}
    # the loudest severities belong to the best evidence
    assert {r.id for r in RULES.values() if r.evidence == "study"} == {"single_run_spike", "speedwork_share", "race_build", "low_cadence"}
    assert "Frandsen" in RULES["single_run_spike"].source and "Impellizzeri" in RULES["acwr_high"].source

def test_every_flag_has_the_contract_fields_and_a_known_rule():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    flags = flags_for(rows)
    for f in flags:
        d = f.to_dict()
        assert list(d) == FLAG_FIELDS
        assert d["rule"] in RULES and d["severity"] in {"info", "warning", "alert"}
        assert dt.date.fromisoformat(d["week_start"]).weekday() == 0
        assert d["doubtful"] is False and d["doubt"] is None
    assert list(flags_frame(flags).columns) == FLAG_FIELDS and len(flags_frame(flags)) == len(flags)
