"""One `/diagnostics` status per pipeline stage, built the same way by every node."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

import numpy as np
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

ERROR_LOG_PERIOD_S = 5.0   # default of both nodes' error_log_period_s


def latency_values(seconds: deque, prefix: str) -> dict[str, str]:
    """p50 / p95 in ms of recent per-item latencies (s); 'nan' before the first item."""
    ms = np.array(seconds) * 1e3 if seconds else np.array([np.nan])
    return {f"{prefix}_p50_ms": f"{np.percentile(ms, 50):.2f}", f"{prefix}_p95_ms": f"{np.percentile(ms, 95):.2f}"}


def rate_hz(wall_times: deque) -> float:
    """Rate of events from their recent monotonic wall times (s)."""
    times = list(wall_times)
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


def stage_status(stamp: Time, name: str, values: dict, warning: str = "") -> DiagnosticArray:
    """A DiagnosticArray with one status: WARN with `warning` when it is set, else OK."""
    status = DiagnosticStatus(level=DiagnosticStatus.WARN if warning else DiagnosticStatus.OK, name=name,
                              hardware_id="llamo_ros", message=warning or "ok",
                              values=[KeyValue(key=k, value=str(v)) for k, v in values.items()])
    msg = DiagnosticArray(status=[status])
    msg.header.stamp = stamp
    return msg


class ErrorThrottle:
    """At most one log line per kind of error every `period_s` seconds of monotonic wall time (never the ROS
    clock: simulated time stops, jumps and goes backwards with a bag)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[str, float] = {}

    def ready(self, kind: str, period_s: float) -> bool:
        """True (and the kind's period restarts) when `kind` was not let through within the last `period_s`."""
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < period_s:
            return False
        self._last[kind] = now
        return True
