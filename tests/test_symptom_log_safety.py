"""The symptom log under hostile conditions (issue 13): concurrent adds, symlinks,
line endings, kill -9, spreadsheet formulas and OS failures. Real processes, real files."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import functools
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import hamstring_analyzer.atomic as atomic
from hamstring_analyzer.cli import main
from hamstring_analyzer.errors import SymptomLogError
from hamstring_analyzer.symptoms import SymptomEntry, add_entry, read_log

from .conftest import REPO, examples

HEADER = "date,severity,side,location,kind,when,note"


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def cli_add(log, *args, env=None):
    """One real ``hamstring-analyzer symptoms add`` process."""
    cmd = [sys.executable, "-m", "hamstring_analyzer", "symptoms", "add", str(log), "--date", "2026-03-02", *args]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


# ------------------------------------------------------------- 1. lost updates --


def test_concurrent_adds_all_land(tmp_path):
    """Two loops of 25 real `symptoms add` processes on one log: all 50 rows land."""
    # Each process pauses 50 ms before its rename, so that the read-check-write
    # windows of the two loops overlap every run rather than once in a while.
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import os, time\n_replace = os.replace\n"
        "def replace(src, dst, **kw):\n    time.sleep(0.05)\n    return _replace(src, dst, **kw)\n"
        "os.replace = replace\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(slow), str(REPO)])}
    log = tmp_path / "log.csv"
    results = []

    def loop(name):
        for i in range(25):
            results.append(cli_add(log, "--severity", "3", "--note", f"{name} {i}", env=env))

    threads = [threading.Thread(target=loop, args=(name,)) for name in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0] * 50, [r.stderr for r in results if r.returncode]
    assert all(r.stdout.startswith("Added") for r in results)
    notes = sorted(e.note for e in read_log(log))
    assert notes == sorted(f"{name} {i}" for name in "AB" for i in range(25))
    assert temporaries(tmp_path) == []


# ------------------------------------------------------------------ 2. symlink --


def test_symlinked_log_updates_its_target_in_place(tmp_path):
    real = tmp_path / "sync" / "health"
    real.mkdir(parents=True)
    target = real / "symptoms.csv"
    target.write_text(HEADER + "\n2026-03-01,2,left,,pain,after run,first\n")
    os.chmod(target, 0o640)
    (tmp_path / "hop.csv").symlink_to(target)  # a chain of two links, the first one relative
    link = tmp_path / "home" / "log.csv"
    link.parent.mkdir()
    link.symlink_to(os.path.join("..", "hop.csv"))

    r = cli_add(link, "--severity", "4", "--note", "through the link")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "hop.csv")
    assert (tmp_path / "hop.csv").is_symlink()
    assert [e.note for e in read_log(target)] == ["first", "through the link"]
    assert target.stat().st_mode & 0o777 == 0o640
    # The lock is on the target itself: no lock file or temporary beside the target or the link.
    assert sorted(p.name for p in link.parent.iterdir()) == ["log.csv"]
    assert sorted(p.name for p in real.iterdir()) == ["symptoms.csv"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "log.csv"
    (tmp_path / "elsewhere").mkdir()
    link.symlink_to(tmp_path / "elsewhere" / "symptoms.csv")
    add_entry(link, SymptomEntry(dt.date(2026, 3, 2), 1))
    assert link.is_symlink() and len(read_log(tmp_path / "elsewhere" / "symptoms.csv")) == 1
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["symptoms.csv"]


def test_dangling_symlink_into_a_missing_folder_is_refused_and_creates_nothing(tmp_path):
    link = tmp_path / "log.csv"
    link.symlink_to(tmp_path / "elsewhere" / "symptoms.csv")
    with pytest.raises(SymptomLogError) as exc:
        add_entry(link, SymptomEntry(dt.date(2026, 3, 2), 1))
    assert str(exc.value) == f"{link}: cannot add the entry: the folder {tmp_path / 'elsewhere'} does not exist (create it first)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"] and link.is_symlink()


# ------------------------------------------------------------- 3. line ending --


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_new_rows_take_the_files_own_line_ending(tmp_path, newline):
    log = tmp_path / "log.csv"
    original = (HEADER + newline + "2026-03-01,2,left,,pain,after run,x" + newline).encode()
    log.write_bytes(original)
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 3))
    data = log.read_bytes()
    assert data == original + f"2026-03-02,3,,,,,{newline}".encode()
    assert len(read_log(log)) == 2


def test_a_new_log_and_a_missing_final_newline(tmp_path):
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 3))
    assert log.read_bytes() == (HEADER + "\n2026-03-02,3,,,,,\n").encode()
    log.write_bytes(b"date,severity\r\n2026-03-01,2")
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 3))
    assert log.read_bytes() == b"date,severity\r\n2026-03-01,2\r\n2026-03-02,3\r\n"


def test_the_library_refuses_a_day_after_today_and_leaves_the_log(tmp_path):
    log = tmp_path / "log.csv"
    original = (HEADER + "\n2026-03-01,2,left,,pain,after run,x\n").encode()
    log.write_bytes(original)
    with pytest.raises(SymptomLogError, match=r"log\.csv: cannot add the entry: 2030-03-02 is after today \(2026-03-05\)"):
        add_entry(log, SymptomEntry(dt.date(2030, 3, 2), 3), today=dt.date(2026, 3, 5))
    assert log.read_bytes() == original
    add_entry(log, SymptomEntry(dt.date(2026, 3, 5), 3), today=dt.date(2026, 3, 5))  # today itself is fine
    assert [e.date for e in read_log(log)] == [dt.date(2026, 3, 1), dt.date(2026, 3, 5)]
    with pytest.raises(SymptomLogError, match="after today"):
        add_entry(log, SymptomEntry(dt.date.today() + dt.timedelta(days=1), 1))  # this machine's today by default


# --------------------------------------------------------------- 4. kill -9 --


def test_kill_9_mid_add_loses_nothing_and_the_next_add_clears_the_leftover(tmp_path):
    log = tmp_path / "log.csv"
    for day in (1, 2):
        add_entry(log, SymptomEntry(dt.date(2026, 3, day), day, note=f"day {day}"))
    before = log.read_bytes()
    ready = tmp_path / "temporary-written"
    # A real add that stops for good between writing its temporary and the rename...
    script = textwrap.dedent(
        f"""
        import os, pathlib, sys, time
        def stuck(src, dst):
            pathlib.Path({str(ready)!r}).touch()
            time.sleep(60)
        os.replace = stuck
        sys.argv = ["hamstring-analyzer", "symptoms", "add", {str(log)!r}, "--severity", "9"]
        import runpy
        runpy.run_module("hamstring_analyzer", run_name="__main__")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready.exists(), "the add never reached its rename"
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # ...is killed there, from outside
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert log.read_bytes() == before
    leftovers = temporaries(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(".log.csv.")
    # The dead process held the lock: the system released it, and the next add clears its leftover.
    r = cli_add(log, "--severity", "4", "--note", "after the crash")
    assert r.returncode == 0, r.stderr
    assert log.read_bytes().startswith(before)
    assert [e.note for e in read_log(log)] == ["day 1", "day 2", "after the crash"]
    assert temporaries(tmp_path) == []


def test_only_our_own_leftovers_are_removed(tmp_path):
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    ours = [".log.csv.0a1b2c3d.tmp", ".log.csv.k2_x9zq1.tmp"]  # this version's name, and tempfile.mkstemp's
    theirs = [".other.csv.0a1b2c3d.tmp", "log.csv.0a1b2c3d.tmp", ".log.csv.my-backup.tmp", "notes.tmp"]
    for name in ours + theirs:
        (tmp_path / name).write_text("half a log")
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    assert temporaries(tmp_path) == sorted(theirs)
    assert len(read_log(log)) == 2


def test_without_fcntl_adds_still_work_and_only_old_leftovers_go(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "fcntl", None)  # as on Windows
    log = tmp_path / "log.csv"
    old, fresh = tmp_path / ".log.csv.aaaaaaaa.tmp", tmp_path / ".log.csv.bbbbbbbb.tmp"
    for leftover in (old, fresh):
        leftover.write_text("half a log")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    assert len(read_log(log)) == 1
    assert temporaries(tmp_path) == [fresh.name]  # without a lock, a fresh one may be a live write
    assert not (tmp_path / ".log.csv.lock").exists()


# ---------------------------------------------------------- 5. formula injection --

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formulas_are_written_quoted_and_read_as_typed(tmp_path, text):
    log = tmp_path / "log.csv"
    runner = CliRunner()
    r = runner.invoke(main, ["symptoms", "add", str(log), "--date", "2026-03-02", "--severity", "2",
                             "--location", text, "--note", text])  # fmt: skip
    assert r.exit_code == 0, r.output
    raw = list(csv.reader(io.StringIO(log.read_text(), newline="")))[1]
    assert raw[3] == raw[6] == "'" + text  # location and note, as a spreadsheet would see them
    entry = read_log(log)[0]
    assert entry.location == text and entry.note == text
    r = runner.invoke(main, ["symptoms", "list", str(log)])
    assert r.exit_code == 0 and text in r.output and "'" + text not in r.output


@pytest.mark.parametrize("prefix", ["\t", "\r", "\t\r "])
def test_tab_and_carriage_return_starts_never_reach_the_file(tmp_path, prefix):
    from hamstring_analyzer.symptoms import _escape_formula

    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 1, note=prefix + "=1+1"))  # the library trims free text
    raw = list(csv.reader(io.StringIO(log.read_text(), newline="")))[1]
    assert raw[6] == "'=1+1" and read_log(log)[0].note == "=1+1"
    assert _escape_formula(prefix + "=1+1") == "'" + prefix + "=1+1"  # and would quote them if it did not


def test_hand_typed_rows_are_left_byte_for_byte(tmp_path):
    log = tmp_path / "log.csv"
    original = (HEADER + "\n2026-03-01,2,left,,pain,after run,=typed by hand\n2026-03-02,2,left,,pain,after run,'-quoted by hand\n").encode()
    log.write_bytes(original)
    add_entry(log, SymptomEntry(dt.date(2026, 3, 3), 1, note="=mine"))
    assert log.read_bytes() == original + b"2026-03-03,1,,,,,'=mine\n"
    assert [e.note for e in read_log(log)] == ["=typed by hand", "-quoted by hand", "=mine"]


one_line = st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\r\n\x00"), max_size=30).map(str.strip)


@settings(max_examples=examples(200))
@given(note=one_line, location=one_line, severity=st.integers(0, 10))
def test_any_note_reads_back_as_typed(tmp_path_factory, note, location, severity):
    log = tmp_path_factory.mktemp("log") / "log.csv"
    entry = SymptomEntry(dt.date(2026, 3, 2), severity, location=location, note=note)
    add_entry(log, entry)
    add_entry(log, entry)
    assert read_log(log) == [entry, entry]
    raw = [c for row in csv.reader(io.StringIO(log.read_text(encoding="utf-8"))) for c in row]  # cells as written, CSV quoting undone
    for cell in (note, location):
        if cell.lstrip("'")[:1] in ("=", "+", "-", "@"):
            assert "'" + cell in raw  # a formula-looking cell is written with a leading ' (a spreadsheet shows it as text)


# ----------------------------------------------------------- 6. OS failures --


def _raise(err, filename=None):
    def fail(*args, **kwargs):
        raise OSError(err, os.strerror(err), filename)

    return fail


@pytest.mark.parametrize(
    "call, err, reason",
    [
        ("write", errno.ENOSPC, "No space left on device"),
        ("fsync", errno.EIO, "Input/output error"),
        ("replace", errno.EACCES, "Permission denied"),
        ("chmod", errno.EPERM, "Operation not permitted"),
    ],
)
def test_os_failures_name_the_log_and_leave_it_as_it_was(tmp_path, monkeypatch, call, err, reason):
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    before = log.read_bytes()
    real_write = os.write

    def half_then_fail(fd, data):  # half the bytes fit, then the call fails
        if len(data) > 8:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, call, half_then_fail if call == "write" else _raise(err))
    with pytest.raises(SymptomLogError) as exc:
        add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    monkeypatch.undo()
    assert str(exc.value) == f"{log}: cannot add the entry: {reason}"
    assert log.read_bytes() == before
    assert temporaries(tmp_path) == []


def test_disk_full_through_the_cli_is_one_line(tmp_path, monkeypatch):
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    before = log.read_bytes()
    # Filesystems that allocate late report a full disk when the data is flushed.
    monkeypatch.setattr(os, "fsync", _raise(errno.ENOSPC))
    r = CliRunner().invoke(main, ["symptoms", "add", str(log), "--severity", "2"])
    monkeypatch.undo()
    assert r.exit_code == 1
    assert r.output == f"Error: {log}: cannot add the entry: No space left on device\n"
    assert log.read_bytes() == before
    assert temporaries(tmp_path) == []


def test_a_log_that_cannot_be_opened_to_lock_it_is_one_line(tmp_path, monkeypatch):
    log = tmp_path / "log.csv"
    real_open = os.open

    def refuse_log(path, *args, **kwargs):
        if str(path) == str(log):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_log)
    with pytest.raises(SymptomLogError) as exc:
        add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    assert str(exc.value) == f"{log}: cannot add the entry: Permission denied"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def permissions_are_enforced(folder) -> bool:
    probe = folder / "probe"
    probe.mkdir(mode=0o555)
    try:
        (probe / "x").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False  # root (with CAP_DAC_OVERRIDE) may write anywhere


def test_read_only_folder_and_unreadable_log_for_real(tmp_path):
    if not permissions_are_enforced(tmp_path):
        pytest.skip("this user may write anywhere (root)")
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    before = log.read_bytes()
    os.chmod(tmp_path, 0o555)
    try:
        r = cli_add(log, "--severity", "2")
    finally:
        os.chmod(tmp_path, 0o755)
    assert r.returncode == 1 and r.stderr.startswith(f"Error: {log}: cannot add the entry: Permission denied")
    assert log.read_bytes() == before
    os.chmod(log, 0)
    try:
        with pytest.raises(SymptomLogError, match=f"^{log}: cannot read the log: Permission denied$"):
            read_log(log)
    finally:
        os.chmod(log, 0o644)


def test_a_log_held_too_long_by_another_process_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("fcntl")
    log = tmp_path / "log.csv"
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    before = log.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import fcntl, sys, time; f = open({str(log)!r}, 'rb'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        monkeypatch.setattr("hamstring_analyzer.symptoms.exclusive_lock", functools.partial(atomic.exclusive_lock, timeout_s=0.3))
        with pytest.raises(SymptomLogError, match=r"^.*log\.csv: cannot add the entry: another process has held log\.csv for 0\.3 s$"):
            add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    finally:
        holder.kill()
        holder.wait()
    assert log.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_only_durable_writes_flush_to_disk(tmp_path, monkeypatch):
    """The user's files are flushed before the rename; report pages (durable=False) are renamed whole without a flush."""
    flushed = []
    real_fsync = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: flushed.append(fd) or real_fsync(fd))
    atomic.atomic_write_bytes(tmp_path / "log.csv", b"date,severity\n")
    assert len(flushed) == 1
    atomic.atomic_write_text(tmp_path / "week.html", "<p>page</p>", durable=False)
    assert len(flushed) == 1
    assert (tmp_path / "week.html").read_text() == "<p>page</p>" and (tmp_path / "log.csv").read_bytes() == b"date,severity\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "week.html"]  # no temporary left behind


# ------------------------------------------------------- 7. no lock file (issue 28) --


def test_no_lock_file_is_left_beside_the_log(tmp_path):
    """Real processes: a new log, then an add to it; the folder holds the log and nothing else."""
    log = tmp_path / "log.csv"
    for severity in ("3", "4"):
        r = cli_add(log, "--severity", severity)
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]
    assert log.read_bytes() == (HEADER + "\n2026-03-02,3,,,,,\n2026-03-02,4,,,,,\n").encode()


def test_the_empty_lock_file_of_earlier_versions_goes_and_any_other_stays(tmp_path):
    log = tmp_path / "log.csv"
    (tmp_path / ".log.csv.lock").write_bytes(b"")  # what earlier versions left
    add_entry(log, SymptomEntry(dt.date(2026, 3, 1), 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]
    (tmp_path / ".log.csv.lock").write_text("mine")  # not empty: not ours to remove
    add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".log.csv.lock", "log.csv"]
    assert (tmp_path / ".log.csv.lock").read_text() == "mine"


def test_a_failed_first_add_leaves_no_file(tmp_path, monkeypatch):
    """The empty file made to lock a new log goes again when the write fails."""
    log = tmp_path / "log.csv"
    monkeypatch.setattr(os, "fsync", _raise(errno.ENOSPC))
    with pytest.raises(SymptomLogError) as exc:
        add_entry(log, SymptomEntry(dt.date(2026, 3, 2), 2))
    monkeypatch.undo()
    assert str(exc.value) == f"{log}: cannot add the entry: No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_waiter_locks_the_log_that_replaced_the_one_it_waited_for(tmp_path):
    """The lock follows the rename: a waiter on the old file locks the new one (no lost update)."""
    fcntl = pytest.importorskip("fcntl")
    log = tmp_path / "log.csv"
    log.write_bytes(b"old")
    order = []
    with atomic.exclusive_lock(log) as locked:
        assert locked

        def waiter():
            with atomic.exclusive_lock(log, timeout_s=5):
                order.append(("waiter", log.read_bytes()))
                probe = os.open(log, os.O_RDONLY)  # the file the log names now must be the one locked
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    order.append("the new log was left unlocked")
                except BlockingIOError:
                    order.append("the new log is locked")
                finally:
                    os.close(probe)

        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.1)  # the waiter has opened the old file and is waiting for its lock
        atomic.atomic_write_bytes(log, b"new")
        order.append(("holder", b"new"))
    t.join()
    assert order == [("holder", b"new"), ("waiter", b"new"), "the new log is locked"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]
