"""The config object: defaults, TOML files, and refusals that name the key and the allowed values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamstring_analyzer.config import Config, config_from_dict, find_config, load_config, parse_pace
from hamstring_analyzer.errors import ConfigError

from .conftest import examples


def test_defaults_are_domain_md():
    c = Config()
    assert c.units == "km" and c.acwr.method == "uncoupled" and c.acwr.danger == 1.5 and c.acwr.severity == "info"
    assert (c.single_run_spike.warn_pct, c.single_run_spike.alert_pct, c.single_run_spike.window_days) == (10, 100, 30)
    assert c.load.method == "distance" and c.runner.resting_heart_rate is None
    assert (c.weekly_mileage_jump.warn_pct, c.weekly_mileage_jump.alert_pct) == (10, 30)
    assert c.speedwork_share.share_pct == 20 and c.low_cadence.min_spm == 175
    assert (c.flat_long_run.min_km, c.flat_long_run.min_moving_min, c.flat_long_run.flat_m_per_km) == (16, 90, 10)
    lay = c.layoff_return
    assert (lay.min_gap_days, lay.long_gap_days, lay.restart_gap_days, lay.return_pct, lay.long_return_pct) == (10, 28, 120, 70, 60)
    assert (c.base.hills_week_km, c.base.speedwork_run_km) == (24, 4.83)  # 3 miles
    assert c.threshold_speed_mps is None and c.threshold_hr_bpm is None


def test_toml_file(tmp_path):
    path = tmp_path / "me.toml"
    path.write_text(
        'units = "mi"\n[runner]\nthreshold_pace_per_mi = "7:30"\nmax_heart_rate = 190\n'
        '[weekly_mileage_jump]\nwarn_pct = 15\n[acwr]\nmethod = "ewma"\n'
    )
    c = load_config(path)
    assert c.units == "mi" and c.weekly_mileage_jump.warn_pct == 15.0 and c.weekly_mileage_jump.alert_pct == 30
    assert c.acwr.method == "ewma"
    assert c.threshold_speed_mps == pytest.approx(1609.344 / 450)
    assert c.threshold_hr_bpm == pytest.approx(171)  # 90% of max
    assert load_config(None) == Config()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"unit": "km"}, "unit: unknown setting; allowed here: units, week_start, runner, fast,"),
        ({"layoff_return": {"min_gap": 7}}, "layoff_return.min_gap: unknown setting; allowed here: min_gap_days, long_gap_days"),
        ({"units": "furlongs"}, "units: 'furlongs' is not allowed; use one of km, mi"),
        ({"acwr": {"method": "weekly"}}, "acwr.method: 'weekly' is not allowed; use one of rolling, uncoupled, ewma"),
        ({"low_cadence": {"min_spm": "fast"}}, "low_cadence.min_spm: expected a number [steps/min], got 'fast'"),
        ({"low_cadence": {"min_spm": 400}}, "low_cadence.min_spm: 400 is outside the allowed range 120-220"),
        ({"layoff_return": {"min_gap_days": 10.5}}, "layoff_return.min_gap_days: expected a whole number"),
        ({"speedwork_share": {"share_pct": True}}, "speedwork_share.share_pct: expected a number"),
        ({"runner": {"threshold_pace_per_km": "4.40"}}, 'runner.threshold_pace_per_km: \'4.40\' is not a pace; write minutes:seconds, like "4:40"'),
        ({"runner": {"threshold_pace_per_km": "4:40", "threshold_pace_per_mi": "7:30"}}, "not both"),
        ({"weekly_mileage_jump": {"warn_pct": 40}}, "alert_pct must be at least warn_pct"),
        ({"acwr": 3}, "acwr: expected a [acwr] section"),
        ({"load": {"method": "watts"}}, "load.method: 'watts' is not allowed; use one of distance, trimp, srpe"),
        ({"acwr": {"severity": "danger"}}, "acwr.severity: 'danger' is not allowed; use one of info, warning, alert"),
        ({"single_run_spike": {"warn_pct": 50, "alert_pct": 20}}, "single_run_spike.alert_pct must be at least warn_pct"),
        ({"runner": {"resting_heart_rate": 120, "max_heart_rate": 120}}, "resting_heart_rate must be below max_heart_rate"),
    ],
)
def test_bad_settings_are_refused_by_name(data, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict(data)
    assert message in str(err.value)


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("units = \n")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_config(path)
    path.write_text("[fast]\nhistory_days = 3\n")
    with pytest.raises(ConfigError, match=r"broken.toml: fast.history_days: 3 is outside the allowed range 14-730"):
        load_config(path)
    with pytest.raises(ConfigError, match="missing.toml"):
        load_config(tmp_path / "missing.toml")


def test_pace_parsing():
    assert parse_pace("4:40") == 280 and parse_pace(" 10:05 ") == 605
    for bad in ("4:60", "440", "1:00", "25:00"):
        with pytest.raises(ConfigError):
            parse_pace(bad)


@settings(max_examples=examples(100))
@given(st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.floats(allow_nan=True)))
def test_week_start_is_monday_or_sunday_or_a_named_refusal(value):
    try:
        config = config_from_dict({"week_start": value})
    except ConfigError as exc:
        assert str(exc).startswith("week_start: ")
    else:
        assert config.week_start in ("monday", "sunday") and value == config.week_start


def test_config_is_found_where_users_expect_it(tmp_path, monkeypatch):
    from hamstring_analyzer import config as cfg

    user = tmp_path / "user" / "config.toml"
    monkeypatch.setattr(cfg, "user_config_path", lambda: user)
    assert find_config() is None  # no file in the user folder: the defaults
    user.parent.mkdir()
    user.write_text('week_start = "sunday"\n')
    assert find_config() == user and load_config(find_config()).week_start == "sunday"
    env = tmp_path / "env.toml"
    monkeypatch.setenv(cfg.CONFIG_ENV, str(env))
    assert find_config() == env  # the variable wins over the folder, even when its file is missing (then named)
    with pytest.raises(ConfigError, match="env.toml: cannot be read"):
        load_config(find_config())
    assert find_config(tmp_path / "given.toml") == tmp_path / "given.toml"  # --config wins over both
    monkeypatch.undo()
    assert cfg.user_config_path().parts[-2:] == ("hamstring-analyzer", "config.toml")
