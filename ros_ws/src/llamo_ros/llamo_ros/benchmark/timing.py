"""Wall-clock latency statistics of a callable (milliseconds)."""
from __future__ import annotations

import time

import numpy as np


def time_call(fn, repeats: int, warmup: int = 5) -> dict:
    """Run fn() warmup + repeats times; p50 / p90 / mean of the timed calls in milliseconds."""
    for _ in range(warmup):
        fn()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    ms = times * 1e3
    return {"n": repeats, "p50_ms": float(np.median(ms)), "p90_ms": float(np.percentile(ms, 90)),
            "mean_ms": float(ms.mean())}
