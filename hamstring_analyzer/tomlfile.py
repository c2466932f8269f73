"""TOML files the runner or coach writes (config, roster): read whole, every failure one line naming the file."""

from __future__ import annotations

import os


def read_toml(path: str | os.PathLike, error: type[Exception], kind: str) -> dict:
    """The document in ``path``; ``error`` (one line naming the file and why) when it cannot be read or parsed.

    ``kind`` ends the not-UTF-8 message: ``"a config is a UTF-8 TOML file"``.
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:  # missing, a folder, no permission
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}, line {line}); {kind}") from None
    import tomllib  # only where a TOML file is read: a third of the config module's import time otherwise

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
