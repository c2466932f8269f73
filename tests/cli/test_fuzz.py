"""The whole CLI on hostile folders: random bytes, damaged files, random archives and symptom logs.

Whatever is in the folder, `analyze` ends with exit 0 (something was read) or 1
(nothing usable), says so in one-line messages, and never shows a traceback,
dies of a signal or hangs. The many examples run the command in this process
(the parsers already run in worker processes of their own, so a parser that
crashes cannot take the suite down); a few run it as the console does, a real
process with a timeout, for what only a real process shows (its exit status,
a signal, a hang, what reaches the terminal).
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamstring_analyzer.cli import main
from hamstring_analyzer.synthetic import easy_run, write_fit, write_gpx, write_tcx

from ..conftest import examples

GOOD_FIT = write_fit(easy_run(dt.datetime(2026, 3, 4, 7), 5))
GOOD_GPX = write_gpx(easy_run(dt.datetime(2026, 3, 6, 7), 6, seed=1))
GOOD_TCX = write_tcx(easy_run(dt.datetime(2026, 3, 8, 7), 7, seed=2))
NAMES = ["a.fit", "b.gpx", "c.tcx", "d.fit.gz", "e.zip", "f.txt", "activities.csv", "g.FIT"]


def damaged(data: bytes, draw) -> bytes:
    """``data`` cut short, with bytes flipped, or with a random block spliced in."""
    how = draw(st.sampled_from(["cut", "flip", "splice", "as is"]))
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if how == "flip":
        b = bytearray(data)
        for i in draw(st.lists(st.integers(0, len(b) - 1), max_size=20)):
            b[i] ^= draw(st.integers(1, 255))
        return bytes(b)
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(max_size=200)) + data[at:]
    return data


@st.composite
def folders(draw):
    files: dict[str, bytes] = {}
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(NAMES))
        base = draw(st.sampled_from([GOOD_FIT, GOOD_GPX, GOOD_TCX, b""]))
        content = damaged(base, draw) if base else draw(st.binary(max_size=400))
        if name.endswith(".zip"):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for j in range(draw(st.integers(0, 3))):
                    member = draw(st.sampled_from(["x.fit", "../up.gpx", "/abs.tcx", "in/ner.zip", "nul\\y.fit"]))
                    zf.writestr(f"{j}-{member}", damaged(draw(st.sampled_from([GOOD_FIT, GOOD_GPX])), draw))
            content = damaged(buf.getvalue(), draw) if draw(st.booleans()) else buf.getvalue()
        files[name] = content
    log = draw(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.just(b"date,severity,side,location,kind,when,note\n2026-03-05,3,left,mid thigh,pain,after run,=1+1\n"),
        )
    )
    return files, log


def _write_case(tmp_path_factory, case):
    files, log = case
    root = tmp_path_factory.mktemp("export")
    for name, data in files.items():
        (root / name).write_bytes(data)
    symptoms = root.parent / f"{root.name}-symptoms.csv"
    symptoms.write_bytes(log)
    out = root.parent / f"{root.name}.json"
    args = ["analyze", str(root), "--no-cache", "--workers", "1", "--symptoms", str(symptoms), "--json", str(out), "-q"]
    return args, out


def _check(code: int, stdout: str, stderr: str, out) -> None:
    assert code in (0, 1), (code, stderr[-2000:])
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert "internal error" not in stderr
    for line in stderr.splitlines():
        assert line.startswith(("Error: ", "error: ", "warning: ", "skipped: ")), line
    if code == 0:
        assert out.exists()


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(folders())
def test_analyze_any_folder_is_exit_0_or_1_with_one_line_messages(tmp_path_factory, case):
    args, out = _write_case(tmp_path_factory, case)
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    _check(result.exit_code, result.stdout, result.stderr, out)


@settings(max_examples=examples(5), suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(folders())
def test_the_console_command_on_any_folder(tmp_path_factory, case):
    """The same, as a real process: its exit status (no signal), within a timeout, what the terminal shows."""
    args, out = _write_case(tmp_path_factory, case)
    proc = subprocess.run([sys.executable, "-m", "hamstring_analyzer", *args], capture_output=True, text=True, timeout=120)
    _check(proc.returncode, proc.stdout, proc.stderr, out)
