"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import time


def best(fn, repeat: int = 3) -> float:
    """The shortest of `repeat` runs of fn(), in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
