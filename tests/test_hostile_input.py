"""Hostile input (issue 13): files that are not files, configs that are not text, disks that refuse
writes, decoders that shout. Each gives one line naming the file, never a hang or a traceback.
Issue 27: what a name holds (escapes, C1 and bidi controls, bytes that are not UTF-8) is shown,
never obeyed, in click's own errors, the JSON and the pages.

Anything that could hang runs in a subprocess with a timeout, so a regression fails instead of
stalling the suite. Permissions mean nothing to root (and CI runs as root), so each chmod test
has a twin that fakes the kernel's refusal.
"""

from __future__ import annotations

import datetime as dt
import errno
import html
import json
import os
import resource
import signal
import socket
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hamstring_analyzer import tomlfile
from hamstring_analyzer.cli import main
from hamstring_analyzer.config import load_config
from hamstring_analyzer.errors import ConfigError
from hamstring_analyzer.jsonfile import dumps
from hamstring_analyzer.readers.fit import fit_crc
from hamstring_analyzer.safetext import html_text, terminal_lines
from hamstring_analyzer.synthetic import easy_run, write_fit

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_non_root = pytest.mark.skipif(IS_ROOT, reason="root ignores file permissions; the faked twin test covers this")
TIMEOUT_S = 120
NOT_UTF8 = 'units = "km"\n# caf\xe9 au lait\n'.encode("latin-1")


def _fit(day: int, seed: int = 0) -> bytes:
    return write_fit(easy_run(dt.datetime(2026, 3, day, 7, 0), 5, seed=seed))


def _runs_folder(folder: Path, n: int = 1) -> Path:
    folder.mkdir(exist_ok=True)
    for day in range(2, 2 + n):
        (folder / f"run{day:02d}.fit").write_bytes(_fit(day, seed=day))
    return folder


def cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process, killed (and the test failed) if it hangs."""
    cmd = [sys.executable, "-m", "hamstring_analyzer", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output and "[Errno" not in output
    return lines[0]


# ------------------------------------------------ 1. only regular files ---


@pytest.mark.parametrize("name", ["x.fit", "y.zip", "x.fit.gz"])
def test_a_named_pipe_among_the_runs_is_skipped_not_waited_on(tmp_path, name):
    folder = _runs_folder(tmp_path / "export")
    os.mkfifo(folder / name)
    out = tmp_path / "out.json"
    proc = cli("ingest", folder, "--no-cache", "-q", "--json", out)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert [r["source"] for r in doc["runs"]] == ["run02.fit"]
    assert doc["skipped"] == [{"source": name, "reason": "not a regular file (a named pipe); only regular files are read"}]
    assert doc["errors"] == []


def _a_character_device():
    """A character device on this machine (some containers make /dev/null a plain file)."""
    for name in (os.devnull, "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random"):
        try:
            if stat.S_ISCHR(os.stat(name).st_mode):
                return name
        except OSError:
            continue
    pytest.skip("this machine has no character device in /dev")


def test_sockets_devices_and_symlinks(tmp_path):
    device = _a_character_device()
    folder = _runs_folder(tmp_path / "export")
    os.mkfifo(folder / "pipe.data")
    (folder / "to-pipe.fit").symlink_to("pipe.data")  # a link is followed: to a pipe, it is a pipe
    (folder / "to-run.fit").symlink_to("run02.fit")  # ... and to a run, a run (the duplicate)
    (folder / "device.fit").symlink_to(device)
    (folder / "loop.fit").symlink_to("loop.fit")
    (folder / "dangling.gpx").symlink_to("nowhere.gpx")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.tcx"))
        out = tmp_path / "out.json"
        proc = cli("ingest", folder, "--no-cache", "-q", "--json", out)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert len(doc["runs"]) == 1
    skipped = {s["source"]: s["reason"] for s in doc["skipped"]}
    assert doc["ignored"][0]["source"] == "pipe.data" and doc["ignored"][0]["reason"].startswith("not an activity file")  # never opened: wrong name
    assert skipped.pop("to-run.fit") == "duplicate of run02.fit"
    assert skipped == {
        "device.fit": "not a regular file (a character device); only regular files are read",
        "sock.tcx": "not a regular file (a socket); only regular files are read",
        "to-pipe.fit": "not a regular file (a named pipe); only regular files are read",
    }
    assert doc["errors"] == [
        {"source": "dangling.gpx", "error": "cannot be read (No such file or directory)"},
        {"source": "loop.fit", "error": "cannot be read (Too many levels of symbolic links)"},
    ]


@pytest.mark.parametrize("name", ["x.fit", "y.zip"])
def test_path_itself_a_named_pipe_is_one_line(tmp_path, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)
    proc = cli("ingest", pipe, "--no-cache")
    assert proc.returncode == 1
    assert one_line(proc.stderr) == f"Error: {pipe}: not a regular file (a named pipe); give a folder, a zip archive or an activity file"


def test_read_activities_refuses_a_named_pipe(tmp_path):
    pipe = tmp_path / "x.fit"
    os.mkfifo(pipe)
    code = f"import hamstring_analyzer as ha\ntry:\n    ha.read_activities({str(pipe)!r})\nexcept ha.ParseError as e:\n    print(e)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.stdout.strip() == f"{pipe}: cannot be read (a named pipe, not a regular file)"


# ------------------------------------------------------- 2. the config ---


def test_a_config_that_is_not_utf8_is_one_line_naming_it(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(NOT_UTF8)
    result = invoke("analyze", _runs_folder(tmp_path / "export"), "--config", cfg, "--no-cache", "-q")
    assert result.exit_code == 1
    assert one_line(result.output) == f"Error: {cfg}: not UTF-8 text (byte 0xe9 at position 18, line 2); a config is a UTF-8 TOML file"


def test_a_utf16_config_is_refused_at_its_first_byte(tmp_path):
    cfg = tmp_path / "notepad.toml"
    cfg.write_bytes('units = "mi"\n'.encode("utf-16"))
    with pytest.raises(ConfigError, match=r"notepad.toml: not UTF-8 text \(byte 0xff at position 0, line 1\)"):
        load_config(cfg)


# On the command line, click refuses a folder or an unreadable file given to --config before
# anything runs (a usage error, exit 2, naming the file); these are the library's messages.


def test_a_config_that_is_a_folder_names_it(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value) == f"{tmp_path}: cannot be read (Is a directory)"
    result = invoke("analyze", tmp_path, "--config", tmp_path)
    assert result.exit_code == 2 and f"'--config': File '{tmp_path}' is a directory." in result.output


@needs_non_root
def test_an_unreadable_config_names_it(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('units = "km"\n')
    cfg.chmod(0)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(err.value) == f"{cfg}: cannot be read (Permission denied)"


def test_an_unreadable_config_names_it_faked_for_root(tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('units = "km"\n')

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(tomlfile, "open", refuse, raising=False)  # shadows the builtin in the module that reads TOML files
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(err.value) == f"{cfg}: cannot be read (Permission denied)"


# ------------------------------------------------------ 3. output writes ---


def _under(path, folder: Path) -> bool:
    try:
        return Path(os.fsdecode(path)).resolve().is_relative_to(folder.resolve())
    except (TypeError, ValueError):
        return False


@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(folder)``: files created under ``folder`` open fine, but writing them fails with ENOSPC."""

    def fill(folder: Path) -> None:
        real_open, real_write, real_fsync = os.open, os.write, os.fsync
        doomed: set[int] = set()

        def fake_open(path, flags, *args, **kwargs):
            fd = real_open(path, flags, *args, **kwargs)
            if flags & os.O_CREAT and _under(path, folder):
                doomed.add(fd)
            return fd

        def failing(real):
            def call(fd, *args):
                if fd in doomed:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real(fd, *args)

            return call

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(os, "write", failing(real_write))
        monkeypatch.setattr(os, "fsync", failing(real_fsync))  # where a buffered write's ENOSPC surfaces

    return fill


@pytest.fixture
def read_only(monkeypatch):
    """``read_only(folder)``: creating anything under ``folder`` fails as in a read-only folder, even for root."""

    def refuse(folder: Path) -> None:
        real_open, real_mkdir = os.open, os.mkdir

        def denied(path):
            return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

        def fake_open(path, flags, *args, **kwargs):
            if flags & os.O_CREAT and _under(path, folder):
                raise denied(path)
            return real_open(path, flags, *args, **kwargs)

        def fake_mkdir(path, *args, **kwargs):
            if _under(path, folder) and not os.path.isdir(path):
                raise denied(path)
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)

    return refuse


@pytest.mark.parametrize("command", ["ingest", "analyze"])
def test_json_to_a_full_disk_names_the_file(tmp_path, full_disk, command):
    export = _runs_folder(tmp_path / "export")
    out = tmp_path / "out" / "result.json"
    out.parent.mkdir()
    full_disk(out.parent)
    result = invoke(command, export, "--json", out, "--no-cache", "--workers", "1", "-q")
    assert result.exit_code == 1
    assert one_line(result.output) == f"Error: {out}: cannot write (No space left on device)"
    assert list(out.parent.iterdir()) == []  # no half-written file, no temporary


def test_report_to_a_full_disk_names_the_folder(tmp_path, full_disk):
    export = _runs_folder(tmp_path / "export")
    out = tmp_path / "reports"
    full_disk(out)
    result = invoke("report", export, "--out", out, "--week", "2026-03-02", "--no-cache", "-q")
    assert result.exit_code == 1
    assert one_line(result.output) == f"Error: {out}: cannot write (No space left on device)"


@needs_non_root
@pytest.mark.parametrize("command", ["json", "report"])
def test_writing_into_a_read_only_folder(tmp_path, command):
    export = _runs_folder(tmp_path / "export")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        _check_read_only_message(export, folder, command)
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ["json", "report"])
def test_writing_into_a_read_only_folder_faked_for_root(tmp_path, read_only, command):
    export = _runs_folder(tmp_path / "export")
    folder = tmp_path / "ro"
    folder.mkdir()
    read_only(folder)
    _check_read_only_message(export, folder, command)


def _check_read_only_message(export: Path, folder: Path, command: str) -> None:
    if command == "json":
        target = folder / "out.json"
        result = invoke("ingest", export, "--json", target, "--no-cache", "--workers", "1", "-q")
    else:
        target = folder / "reports"
        result = invoke("report", export, "--out", target, "--week", "2026-03-02", "--no-cache", "-q")
    assert result.exit_code == 1
    assert one_line(result.output) == f"Error: {target}: cannot write (Permission denied)"
    assert list(folder.iterdir()) == []


def test_report_over_a_folder_of_the_same_name(tmp_path):
    export = _runs_folder(tmp_path / "export")
    out = tmp_path / "reports"
    (out / "week-2026-03-02.html").mkdir(parents=True)  # where the page goes
    result = invoke("report", export, "--out", out, "--week", "2026-03-02", "--no-cache", "-q")
    assert result.exit_code == 1
    assert one_line(result.output) == f"Error: {out}: cannot write (Is a directory)"


def test_a_file_size_limit_is_a_real_write_failure(tmp_path):
    """No faking: the kernel refuses a file past RLIMIT_FSIZE (root too) with EFBIG."""
    export = _runs_folder(tmp_path / "export")
    out = tmp_path / "out.json"

    def small_files_only():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    cmd = [sys.executable, "-m", "hamstring_analyzer", "ingest", str(export), "--json", str(out), "--no-cache", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=small_files_only)
    assert proc.returncode == 1
    assert one_line(proc.stderr) == f"Error: {out}: cannot write (File too large)"
    assert not out.exists()


# ---------------------------------------------- 4. Rust panic noise ---


def corrupt_fit() -> bytes:
    """A run whose file_id definition claims 25 fields instead of 5, with a valid checksum.

    The 20 extra "fields" are read from the bytes that follow and include base
    types that do not exist: fitfast 0.1 panics ("attempt to calculate the
    remainder with a divisor of zero"), and fitparse refuses the file.
    """
    data = bytearray(_fit(9, seed=9))
    header = data[0]
    assert data[header + 5] == 5  # the field count of the first definition (file_id)
    data[header + 5] = 25
    data[-2:] = struct.pack("<H", fit_crc(bytes(data[header:-2])))
    return bytes(data)


def _env_without(name: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != name}
    env.update(extra)
    return env


def test_the_corrupt_file_really_makes_fitfast_panic(tmp_path):
    bad = tmp_path / "bad.fit"
    bad.write_bytes(corrupt_fit())
    code = f"import fitfast\ntry:\n    fitfast.records(open({str(bad)!r}, 'rb').read())\nexcept BaseException as e:\n    print(type(e).__name__)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT_S, env=_env_without("RUST_BACKTRACE"))
    assert proc.stdout.strip() == "PanicException"
    assert "panicked at" in proc.stderr and "RUST_BACKTRACE=1" in proc.stderr  # the noise we keep off the terminal


@pytest.mark.parametrize("backtrace", [None, "1"])
@pytest.mark.parametrize("workers, n_runs", [(1, 1), (2, 5)], ids=["in-process", "worker-pool"])
def test_no_rust_panic_text_on_stderr(tmp_path, workers, n_runs, backtrace):
    export = _runs_folder(tmp_path / "export", n_runs)
    (export / "corrupt.fit").write_bytes(corrupt_fit())
    env = _env_without("RUST_BACKTRACE", **({"RUST_BACKTRACE": backtrace} if backtrace else {}))
    proc = cli("ingest", export, "--no-cache", "--workers", workers, env=env)
    assert proc.returncode == 0
    [line] = proc.stderr.splitlines()  # our one line, and nothing from Rust
    assert line.startswith("error: corrupt.fit: not a readable FIT file (")
    assert proc.stdout.startswith(f"{n_runs} run{'s' if n_runs != 1 else ''} (")  # "1 run", not "1 runs" (issue 17)


def test_stderr_works_again_after_a_panic(tmp_path, capfd):
    from hamstring_analyzer.errors import ParseError
    from hamstring_analyzer.readers import read_activities

    with pytest.raises(ParseError, match="bad.fit: not a readable FIT file"):
        read_activities("bad.fit", corrupt_fit())
    os.write(2, b"still here\n")
    assert capfd.readouterr().err == "still here\n"


# ------------------- issue 27: what a name holds is shown, never obeyed: click, JSON, HTML ---

ESC = "evil\x1b]0;PWNED\x07"
SHOWN = "evil\\x1b]0;PWNED\\x07"
OBEYED = ("\x1b", "\x07", "\x9b", "\u202e")  # ESC, BEL, CSI (C1), right-to-left override


def _nothing_obeyed(text: str) -> None:
    assert not any(c in text for c in OBEYED), ascii(text)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), ascii(text)


@pytest.mark.parametrize("args, said", [
    (["analyze", ESC], f"Path '{SHOWN}' does not exist"),
    (["team", ESC, "--out", "x"], f"Directory '{SHOWN}' does not exist"),
    (["analyze", ".", "extra" + ESC], f"Got unexpected extra argument (extra{SHOWN})"),  # click quotes this one raw
    ([ESC], f"No such command '{SHOWN}'"),
    (["analyze", ".", "--units", ESC], f"'{SHOWN}' is not one of 'km', 'mi'"),
    (["plan", ".", "--until", "2026\u202e" + ESC], "'2026\\u202eevil\\x1b]0;PWNED\\x07' does not match the format"),
    (["analyze", ".", "--bogus" + ESC], f"No such option '--bogus{SHOWN}'"),
])  # fmt: skip
def test_clicks_own_errors_show_what_was_typed_and_obey_nothing(args, said):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    _nothing_obeyed(result.output)
    assert said in result.output and result.output.count("Error:") == 1


def test_clicks_own_errors_in_the_real_command_print_no_escape(tmp_path):
    proc = cli("analyze", tmp_path, "extra" + ESC)
    assert proc.returncode == 2 and proc.stdout == ""
    _nothing_obeyed(proc.stderr)
    assert proc.stderr.endswith(f"Error: Got unexpected extra argument (extra{SHOWN})\n")


def _hostile_names_folder(folder: Path) -> tuple[Path, list[str]]:
    """Two good runs, one named with escapes, and unreadable files whose names hold C1, bidi and non-UTF-8 bytes."""
    _runs_folder(folder, 1)
    (folder / f"{ESC}.fit").write_bytes(_fit(5, seed=5))
    names = ["clear\x9b2J\u202eexe.gpx", os.fsdecode(b"bad\xff\xfe.gpx")]
    for name in names:
        (folder / name).write_bytes(b"not a run\x1b]0;X\x07")
    return folder, names


@pytest.mark.parametrize("to", ["file", "stdout"])
def test_json_holds_hostile_names_escaped_and_gives_them_back(tmp_path, to):
    """Before, a name that is not UTF-8 made ``--json FILE`` an internal error, and ``--json -`` wrote C1 and bidi
    characters raw."""
    export, names = _hostile_names_folder(tmp_path / "export")
    target = tmp_path / "out.json" if to == "file" else "-"
    proc = cli("ingest", export, "--no-cache", "--workers", 1, "--json", target)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "out.json").read_text(encoding="utf-8") if to == "file" else proc.stdout
    _nothing_obeyed(text)
    assert "\\u009b" in text and "\\u202e" in text and "\\udcff\\udcfe" in text and "\\u001b]0;PWNED\\u0007" in text
    doc = json.loads(text)
    assert len(doc["runs"]) == 2 and {r["source"] for r in doc["runs"]} == {"run02.fit", f"{ESC}.fit"}
    assert {e["source"] for e in doc["errors"]} == set(names)  # the names as they were: os.fsencode finds the files
    assert all((export / name).exists() for name in names)


def test_pages_show_hostile_names_and_obey_nothing(tmp_path):
    """html.escape leaves control characters: an athlete or file name could hide text or reorder the page's line."""
    root = tmp_path / "team"
    root.mkdir()
    _runs_folder(root / "good", 2)
    hostile, _ = _hostile_names_folder(root / f"Ana{ESC}\u202e")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["team", str(root), "--out", str(out), "--week", "2026-03-02", "--no-cache", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    _nothing_obeyed(result.output)
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    assert len(pages) == 3  # the team page and both athletes' weeks: the good one still counted
    for page in pages.values():
        _nothing_obeyed(page)
    assert f"Ana{SHOWN}\\u202e" in pages["index.html"]
    [week] = [text for name, text in pages.items() if name.startswith("Anaevil-0-PWNED-")]
    assert f"{SHOWN}.fit" in week  # the run's file, in the list of the week's runs


@given(st.text())
def test_html_text_and_json_escapes_leave_nothing_obeyed_and_lose_nothing(text):
    page = html_text(text)
    assert not any(c in page for c in "<>\"'") and not any(ord(c) < 0x20 and c not in "\n\t" for c in page)
    assert html.unescape(page) == terminal_lines(text)  # what the page shows: the text, its controls as \x1b
    assert not any(0x7F <= ord(c) <= 0x9F or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in page)
    document = dumps({"name": text})
    _nothing_obeyed(document)
    assert json.loads(document)["name"] == text  # the same document to a JSON reader
    document.encode("utf-8")  # lone surrogates written as escapes: always a UTF-8 file
