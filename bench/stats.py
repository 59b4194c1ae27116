"""Summaries of a list of durations (pure)."""

from __future__ import annotations

import math


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value at least `fraction` of the values reach."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float | None]:
    return {"count": len(values), "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95), "max": max(values, default=None)}
