"""XML input hygiene: `clean_xml` for the GPX and TCX readers, `stream_xml` for large list files.

* Entity declarations are refused (no billion-laughs or external entities).
* A byte-order mark or blank lines before the XML declaration are dropped.
* Prefixes used without a namespace declaration ("unbound prefix", written by
  some Strava exporters and Garmin tools) are bound to the namespace they mean
  when the prefix is a well-known one, and to a placeholder otherwise (we never
  read unknown extensions, so their meaning does not matter).
"""

from __future__ import annotations

import re

from ..errors import ParseError

KNOWN_PREFIXES = {
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "gpxtpx": "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    "gpxx": "http://www.garmin.com/xmlschemas/GpxExtensions/v3",
    "gpxdata": "http://www.cluetrust.com/XML/GPXDATA/1/0",
    "ns3": "http://www.garmin.com/xmlschemas/ActivityExtension/v2",
    "ax": "http://www.garmin.com/xmlschemas/ActivityExtension/v2",
    "tpx": "http://www.garmin.com/xmlschemas/ActivityExtension/v2",
}

_PREFIX_USE = re.compile(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_DECLARED = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT = re.compile(rb"<(?![?!])[A-Za-z_][\w.:-]*")


def clean_xml(data: bytes, source: str, what: str) -> tuple[bytes, list[str]]:
    """Return XML bytes safe to parse, plus warnings about what was repaired."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stripped = data.lstrip()
    if stripped is not data and len(stripped) != len(data):
        data = stripped
    if not data.startswith(b"<"):
        raise ParseError(source, f"not a {what} file (it does not start with XML)")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:  # anywhere in the file, not only its head
        raise ParseError(source, f"{what} file declares XML entities or a DTD, which a watch never writes; refused for safety")
    used = {m.group(1) or m.group(2) for m in _PREFIX_USE.finditer(data)}
    used.discard(b"xmlns")
    used.discard(b"xml")
    declared = set(_DECLARED.findall(data))
    missing = sorted(p for p in used - declared if p)
    if missing:
        root = _ROOT.search(data)
        if root is None:
            raise ParseError(source, f"not a {what} file (no root element)")
        decl = b"".join(
            b' xmlns:%s="%s"' % (p, KNOWN_PREFIXES.get(p.decode(), f"urn:hamstring-analyzer:unbound:{p.decode()}").encode())
            for p in missing
        )
        data = data[: root.end()] + decl + data[root.end() :]
        warnings.append("declared the missing XML namespace prefix(es) " + ", ".join(p.decode() for p in missing))
    return data, warnings


# ------------------------------------------------------------- streaming --
# A large list file (Apple Health's export.xml, gigabytes) is fed to expat a
# chunk at a time; expat is linear in its input and holds no tree. Damage
# costs only the element it is in: the parser stops there, and a fresh one
# resumes at the next element that can start a list entry.

#: Bytes XML 1.0 forbids but real exports hold (iOS 16 writes vertical tabs in some values): read as spaces.
_CONTROL_BYTES = [bytes([c]) for c in range(32) if c not in (9, 10, 13)]
_CONTROLS = bytes.maketrans(b"".join(_CONTROL_BYTES), b" " * len(_CONTROL_BYTES))


#: A fresh parser's first piece [bytes]; each next piece is as large as all fed before (up to the chunk).
_FIRST_PIECE = 512


class TokenTooLarge(Exception):
    """The document's root element opens with a tag larger than the budget: nothing of it can be read."""


class Resume(Exception):
    """Raised by a handler of `stream_xml`: this parser is done at its byte ``index``; go on from the next resumption."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


def stream_xml(fh, make_parser, on_break, *, resume: tuple[bytes, ...], prefix: bytes, chunk_bytes: int, max_token_bytes: int,
               from_root: bool = True, skip=None, window_bytes: int = 256 * 1024) -> bytes:  # fmt: skip
    """Feed the stream ``fh`` (at its root's "<") to expat parsers a chunk at a time; return its last 64 bytes.

    ``make_parser()`` gives a fresh parser with the caller's handlers set.
    When a parser stops, ``on_break(why)`` is called (``"damaged"``: not
    well-formed XML; ``"too large"``: one tag, comment or other markup
    longer than ``max_token_bytes``; ``"end"``: elements still open at the
    end of the file) and a fresh parser is fed ``prefix`` (an opening root
    tag) and the stream again from the next element named in ``resume``
    (``b"<Record"``) after the damage. A handler raising `Resume` ends its
    parser the same way, silently. With ``from_root=False`` only the named
    elements are parsed, each by a parser of its own that must reach its end
    (`Resume`) before the next opens (else it is "damaged": an unclosed tag,
    comment or CDATA section never swallows the elements after it), and the
    bytes between them are skipped at the speed of a byte search. With
    ``skip``, the file is fed a window at a time (about ``window_bytes``, ending
    before a "<", so the parser holds nothing unfinished there), and a window
    for which ``skip(window)`` says True is not parsed at all: the parser stops
    and a fresh one resumes after it (the caller's test must be sound: only
    windows holding nothing it wants, outside any element it needs closed). Each byte is fed and searched a bounded number of
    times, so the time is linear in the file whatever it holds, and memory
    stays under about ``max_token_bytes`` plus ``chunk_bytes`` (expat buffers an
    unfinished tag: one that keeps growing is refused before it is whole).

    Raises
    ------
    TokenTooLarge
        The root's own opening tag is larger than ``max_token_bytes``.
    """
    from xml.parsers.expat import ExpatError

    buf, buf_at = b"", 0  # bytes not yet fed (or kept for a resumption), from absolute offset buf_at
    parser, origin, begun, fed = (make_parser() if from_root else None), 0, 0, 0  # origin: the absolute offset of the parser's byte 0
    window_end = 0  # with ``skip``: where the window being fed ends
    rooted = from_root  # the parser is the first, fed from the root's own tag
    seek = 0  # with no parser: where to look for the next resumption
    tail, eof, memo = b"", False, {}
    while True:
        if parser is None:
            at = _resumption(buf, buf_at, seek, resume, memo)
            if at < 0:
                drop = min(max(seek - buf_at, len(buf) - max(map(len, resume)) - 1, 0), len(buf))
                buf, buf_at = buf[drop:], buf_at + drop
                seek = max(seek, buf_at)
            else:
                parser = make_parser()
                parser.Parse(prefix, False)
                begun = fed = window_end = buf_at + at
                origin = begun - len(prefix)
        stopped, limit, bounded = False, buf_at + len(buf), False
        if parser is not None and not from_root:  # one element per parser: it must end before the next opens
            after = _resumption(buf, buf_at, begun + 1, resume, memo)
            if after >= 0:
                limit, bounded = buf_at + after, True
            elif not eof:  # the next opening may be cut by the end of what is held
                limit = max(fed, limit - max(map(len, resume)) - 1)
        while parser is not None and fed < limit:
            if skip is not None and fed >= window_end:
                if fed + window_bytes >= limit and not eof:
                    break  # a whole window is not held yet
                cut = buf.rfind(b"<", fed - buf_at + 1, fed - buf_at + window_bytes)
                window_end = min(buf_at + cut if cut > 0 else fed + window_bytes, limit)
                clean = origin + parser.CurrentByteIndex == fed and not (rooted and fed == 0)  # past the root's tag, nothing unfinished
                if clean and skip(buf[fed - buf_at : window_end - buf_at]):
                    parser, rooted, seek, stopped = None, False, window_end, True
                    break
            # a fresh parser is fed small pieces first, doubling: expat copies each piece, and one that stops
            # at once (damage) must not cost a chunk's copy (that was quadratic on a file of broken tags)
            piece = min(limit - fed, max(_FIRST_PIECE, fed - begun))
            if skip is not None:
                piece = min(piece, window_end - fed)
            try:
                parser.Parse(memoryview(buf)[fed - buf_at : fed - buf_at + piece], False)
            except ExpatError:
                on_break("damaged")
                stop = parser.ErrorByteIndex
            except Resume as done:
                stop = done.index
            else:
                fed += piece
                pending = origin + parser.CurrentByteIndex  # the start of the markup expat holds unfinished
                if fed - pending <= max_token_bytes:
                    continue
                if rooted and pending <= 0:
                    raise TokenTooLarge()
                on_break("too large")
                stop = fed - origin - 1
            # the damage may be the next element's opening (a tag cut short by another): resume there
            parser, rooted, seek, stopped = None, False, max(origin + stop, begun + 1), True
        if parser is not None and bounded and fed == limit:  # the element did not end before the next opened
            on_break("damaged")
            parser, seek, stopped = None, limit, True
        if stopped:
            continue  # look for the next resumption in what is held
        if parser is not None:
            pending = origin + parser.CurrentByteIndex
            if pending > buf_at:
                buf, buf_at = buf[pending - buf_at :], pending
        if eof:
            if parser is not None:
                try:
                    parser.Parse(b"", True)
                except ExpatError:
                    on_break("end")
                except Resume:
                    pass
            return tail
        chunk = fh.read(chunk_bytes)
        if chunk:
            if any(c in chunk for c in _CONTROL_BYTES):  # a search per byte value is 4x faster than translating every chunk
                chunk = chunk.translate(_CONTROLS)
            tail = (tail + chunk[-64:])[-64:]
            buf = buf + chunk if buf else chunk
        else:
            eof = True


def _resumption(buf: bytes, buf_at: int, seek: int, names: tuple[bytes, ...], memo: dict) -> int:
    """Where in ``buf`` (held from absolute offset ``buf_at``) the next element named in ``names`` opens at or after ``seek``; -1 for none.

    An opening is the name then white space (``b"<Record "``); one cut by the
    end of ``buf`` is not found yet (the caller keeps the last bytes). The
    calls' ``seek`` only grows, so ``memo`` keeps, per name, its next opening
    found and where a search must go on: no byte is searched twice for a name.
    """
    best = -1
    for name in names:
        found, upto = memo.get(name, (-1, 0))
        if found < seek:
            j, found = max(seek, upto) - buf_at, -1
            while True:
                j = buf.find(name, max(j, 0))
                if j < 0:
                    upto = buf_at + max(len(buf) - len(name), 0)
                    break
                end = j + len(name)
                if end >= len(buf):
                    upto = buf_at + j
                    break
                if buf[end] in b" \t\r\n":
                    found = buf_at + j
                    break
                j += 1
            memo[name] = (found, upto)
        if found >= 0 and (best < 0 or found < best):
            best = found
    return best - buf_at if best >= 0 else -1
