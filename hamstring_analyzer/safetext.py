"""Text from a file made safe to hand on: to a spreadsheet (formula cells), a terminal, a web page or JSON (control characters).

A file name, a run or roster name, a reason quoting a file: any of them may
hold what a spreadsheet runs as a formula (OWASP, CSV injection) or what a
terminal obeys (escape sequences that retitle the window, move the cursor,
hide text; bidirectional overrides that show text in another order). The
CSV cells we write, the text we print, the pages we write (`html_text`) and
the JSON we write (`json_escapes`) go through here.
"""

from __future__ import annotations

import html
import re

#: A cell starting with one of these is run as a formula by spreadsheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would run it as a formula.

    Text already starting with quotes before such a character gets one more,
    so that `unescape_formula` gives back exactly what was typed.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unescape_formula(text: str) -> str:
    """``text`` without the one ``'`` that `escape_formula` put in front."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


#: What a terminal may obey rather than show: C0 controls, DEL, C1 controls, the bidirectional
#: overrides and isolates (text shown in another order than it is), and lone surrogates
#: (the bytes of a file name that are not UTF-8, as Python decodes them).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: The colour sequences we write ourselves (`render.text.paint`): SGR, ``ESC [ digits ; ... m``.
_COLOUR = re.compile("(\x1b\\[[0-9;]*m)")


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as ``\\x1b``, ``\\x07``, ``\\u202e``..., so a terminal prints it and obeys nothing.

    Line breaks and tabs are shown too (a name is one line). Other Unicode
    (成都马拉松, accents, emoji) is kept as it is.
    """
    return _UNSAFE.sub(_shown, str(text))


def terminal_lines(text: str, colour: bool = False) -> str:
    """Text of several lines for the terminal: as `terminal_safe`, keeping line breaks and tabs, and with ``colour``
    our own colour sequences."""
    parts = _COLOUR.split(str(text)) if colour else [str(text)]
    return "".join(p if i % 2 else _UNSAFE.sub(_shown_but_lines, p) for i, p in enumerate(parts))


def _shown_but_lines(match: re.Match) -> str:
    return match.group() if match.group() in "\n\t" else _shown(match)


def html_text(text: str) -> str:
    """``text`` for a web page: HTML's special characters escaped (``html.escape``, quotes too), and control characters
    shown as in `terminal_lines` (``html.escape`` leaves them: a page would hide them or show the text reordered)."""
    return html.escape(terminal_lines(text))


#: What `json.dumps` leaves as it is (it escapes U+0000-U+001F only): DEL, C1 controls, the bidirectional
#: overrides and isolates, and lone surrogates (a file name's bytes that are not UTF-8, which no UTF-8 file can hold).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_escapes(document: str) -> str:
    """A JSON document with the characters of `_JSON_UNSAFE` written as ``\\uXXXX`` escapes.

    The same document to a JSON reader (Python reads ``"bad\\udcff"`` back as
    the name it was, so ``os.fsencode`` gives the file's bytes), but ``cat``
    on it shows them instead of obeying them, and it can be written as UTF-8.
    They can only occur inside strings, so the escapes are always valid JSON.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
