"""A daily log cut into partitions (streamed, by athlete) reads exactly as the whole file does: days, lines and reasons."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.readers.daily_log import frame_daily_log, read_daily_log_table
from hamstring_analyzer.readers.daily_log_parts import cut_daily_log, estimate_rows, partition_count, read_partition

HEADER = ",datetime,athlete,distance,duration,gender"
CELLS = {
    "datetime": st.sampled_from(["2019-01-07", "2019-01-08", "2019-02-29", "not a date", "", "2019-01-09 06:30:00", "1890-01-01"]),
    "athlete": st.sampled_from(["7", " 7", "7.0", "ana", "Zoé", "", "=1+1"]),
    "distance": st.sampled_from(["5.2", "12", "0", "0.0", "-1", "abc", "", "2000", "1e400", "42.195"]),
    "duration": st.sampled_from(["30", "1:02:03", "", "x", "-5", "0", "2000"]),
    "gender": st.sampled_from(["F", "M", ""]),
}
ROW = st.one_of(
    st.tuples(*CELLS.values()).map(lambda cells: ",".join(["0", *cells])),
    st.sampled_from(["", "   ", ",,,,,", "1,2019-01-07,7", "1,2019-01-07,7,5,30,F,extra", ",,"]),
)


def _read_in_parts(path, tmp, n_parts):
    cut = cut_daily_log(path, tmp / "parts", n_parts)
    logs = [frame_daily_log(read_partition(f), str(path)) for f in cut.files]
    days = pd.concat([log.days for log in logs], ignore_index=True) if logs else pd.DataFrame()
    problems = cut.problems + [p for log in logs for p in log.problems]
    return cut, days, sorted(problems, key=lambda p: p["line"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=40), n_parts=st.integers(1, 4))
def test_parts_read_as_the_whole_file(tmp_path_factory, rows, n_parts):
    tmp = tmp_path_factory.mktemp("parts")
    path = tmp / "log.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    whole = read_daily_log_table(path)
    cut, days, problems = _read_in_parts(path, tmp, n_parts)
    assert problems == whole.problems
    if len(whole.days):
        got = days.sort_values(["athlete", "date", "line"], kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, whole.days, check_dtype=False)
    else:
        assert len(days) == 0
    assert len(cut.files) <= n_parts


def test_lines_count_blank_lines_and_bad_rows(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("\n".join([HEADER, "0,2019-01-07,7,5,30,F", "", "1,2019-01-08,7", ",,,,,", "2,2019-01-09,8,-3,30,M",
                               "3,2019-01-10,8,6,30,M"]) + "\n")  # fmt: skip
    cut, days, problems = _read_in_parts(path, tmp_path, 2)
    assert [(p["line"], p["reason"]) for p in problems] == [(4, "3 cells where the header has 6"), (6, "negative distance")]
    assert sorted(days["line"]) == [2, 7] and cut.rows == 3  # the blank and all-empty rows are dropped as the whole file drops them
    assert partition_count(250_001, 250_000) == 2 and partition_count(0) == 1
    assert 4 <= estimate_rows(path) <= 12
