"""Rates with honest denominators and their 95% Wilson score intervals."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def rate(successes: int, total: int) -> float | None:
    """successes / total, or None when nothing was counted."""
    return successes / total if total > 0 else None


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (None when total is 0)."""
    if total <= 0:
        return None
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
