"""XML input hygiene shared by the GPX and TCX readers.

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
    head = data[:4096]
    if b"<!ENTITY" in data or b"<!DOCTYPE" in head:
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
