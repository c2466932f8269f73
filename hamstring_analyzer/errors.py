"""The project's own exceptions: each names the file (or key) and the reason."""

from __future__ import annotations

import re


class HamstringAnalyzerError(Exception):
    """Base class of every error this package raises on purpose."""


class ParseError(HamstringAnalyzerError):
    """A file could not be read as an activity.

    Parameters
    ----------
    source : str
        The file, as the user would recognise it (a path, or ``archive.zip/member.fit``).
    reason : str
        One plain sentence saying what is wrong.
    offset : int, optional
        Byte offset where decoding stopped, when known.
    """

    def __init__(self, source: str, reason: str, offset: int | None = None):
        self.source = str(source)
        self.reason = reason
        self.offset = offset
        super().__init__(f"{self.source}: {reason}")


class NotAnActivityError(ParseError):
    """A well-formed file that holds no activity (settings, wellness, a route, a workout plan)."""


class ConfigError(HamstringAnalyzerError):
    """A configuration key or value is not allowed; the message names the key and the allowed values."""


class SymptomLogError(HamstringAnalyzerError):
    """The symptom log is malformed or cannot be written; the message names the file and line."""


class RosterError(HamstringAnalyzerError):
    """A team's roster file cannot be used; the message names the file and the reason."""


class CohortError(HamstringAnalyzerError):
    """The cohort cannot be run (no Dask, a scheduler that cannot be reached, a root that holds no athlete)."""


class OutputError(HamstringAnalyzerError):
    """A file cannot be written where asked; the message names it and why."""


class PlanError(HamstringAnalyzerError, ValueError):
    """No plan can be made (no runs up to the day asked for)."""


class ReportError(HamstringAnalyzerError, ValueError):
    """No week to report: not a week of the data, or no complete week yet.

    Also a ValueError, which is what callers caught before this class existed.
    """


class ReportWriteError(HamstringAnalyzerError):
    """A report file could not be written; the message names the file and the system's reason.

    Parameters
    ----------
    path : str
        The file (or folder) that could not be written.
    reason : str
        What the system said, e.g. "No space left on device".
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: cannot write ({reason})")

    def __reduce__(self):  # raised in worker processes and pickled back to the parent
        return type(self), (self.path, self.reason)


class NoRunsError(HamstringAnalyzerError):
    """An export that held no run: ``"PATH: no runs found (skipped 3: cycling 2, ...)"``; ``export`` says what it held."""

    def __init__(self, source: str, why: str, export=None):
        self.source = str(source)
        self.why = why
        self.export = export
        super().__init__(f"{self.source}: no runs found ({why})")


def failure_text(exc: BaseException, path) -> str:
    """One line for an athlete whose analysis failed (a team row, a cohort row): our own message, the OS's, or ours for a bug."""
    if isinstance(exc, HamstringAnalyzerError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or path}: {exc.strerror or exc}"
    return f"internal error: {unexpected_problem(exc, 'in the analysis')}"


#: Words that are a Python exception's class name, not a runner's: never part of a reason.
CLASS_NAME_PATTERN = r"\b[A-Z][a-zA-Z]*(?:Error|Exception|Exit|Interrupt)\b|Traceback|OutOfBounds"


def unexpected_problem(exc: BaseException, where: str) -> str:
    """An exception nobody raised on purpose, as a runner reads it: never its class name, a hint for a bug report.

    ``where`` says which step failed (``"in the reader"``). Running out of
    memory and dates beyond what can be held are named; anything else is an
    unexpected problem with the first line of its message, to be reported.
    """
    kind = type(exc).__name__
    if isinstance(exc, MemoryError):
        return "the computer ran out of memory"
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to read"
    if "OutOfBounds" in kind or isinstance(exc, OverflowError):
        return "it holds dates or numbers out of range"
    lines = str(exc).strip().splitlines()
    message = re.sub(CLASS_NAME_PATTERN, "", lines[0]).strip(" :")[:160] if lines else ""
    return f"an unexpected problem {where} (please report: {message})" if message else f"an unexpected problem {where} (please report it)"
