"""The rule registry (rules/registry.py): every rule with its facts; every flag with the contract fields."""

from __future__ import annotations

import datetime as dt

import pytest

from hamstring_analyzer.rules import RULES, flags_frame
from hamstring_analyzer.rules.registry import TableRow, rule, summary_rules
from hamstring_analyzer.rules.wording import Words

from .helpers import FLAG_FIELDS, flags_for, steady_weeks


def test_the_registry_holds_every_rule_with_its_facts():
    from hamstring_analyzer.config import Config as C

    sections = set(C.__dataclass_fields__)
    assert RULES, "the rule modules register on import"
    for r in RULES.values():
        assert r.title and r.why and r.source and r.section in sections and r.level in {"run", "week"}
        assert r.func.__doc__, r.id
        assert callable(r.message) and r.row.flags and r.row.severity, r.id
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


def _declare(**kw):
    facts = dict(title="t", why="w", source="s", section="base", level="run", row=TableRow("f", "", "info", "coaching practice"))
    return rule("never_registered", **{**facts, **kw})


def test_a_rule_without_its_message_fails_at_import():
    """The decorator checks the declaration when the rule's module is imported, not when a flag is worded."""
    with pytest.raises(TypeError, match="message"):
        _declare()
    with pytest.raises(ValueError, match="no message"):
        _declare(message=None)
    with pytest.raises(ValueError, match="README row"):
        _declare(message=lambda f, w: "", row=None)
    assert "never_registered" not in RULES


def test_every_flag_of_every_rule_is_worded_by_its_own_rule():
    rows = steady_weeks(2, 20.0) + steady_weeks(1, 30.0, first_day=14, cadence_spm=165.0)
    for f in flags_for(rows):
        assert f.message and f.message == RULES[f.rule].message(f, Words())


def test_the_cohort_judges_summaries_with_the_rules_that_need_no_samples():
    from hamstring_analyzer.cohort import SUMMARY_RULES

    assert list(SUMMARY_RULES) == summary_rules()
