"""Is this a number? One answer for the whole package: missing values are None, NaN, pd.NA, or not numbers at all."""

from __future__ import annotations

import math


def number(x) -> float:
    """``x`` as a float, NaN when missing (None, NaN, pd.NA, text, a column the table lacks)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def finite(x) -> float | None:
    """``x`` as a float when it is a finite number (or numeric text), else None; a bool is not a number here."""
    if x is None or isinstance(x, bool):
        return None
    v = number(x)
    return v if math.isfinite(v) else None


def is_finite(x) -> bool:
    """A number that can be said to a runner: an int or float, not None, NaN or infinite (numeric text is not)."""
    return isinstance(x, (int, float)) and math.isfinite(x)


def json_number(x, digits: int = 1):
    """``x`` rounded for JSON, None when missing or not finite (JSON has no NaN); ``digits=0`` gives an int."""
    v = number(x)
    if not math.isfinite(v):
        return None
    return int(round(v)) if digits == 0 else round(v, digits)
