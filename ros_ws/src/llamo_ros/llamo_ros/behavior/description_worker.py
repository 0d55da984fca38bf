"""Runs language-model requests in one background thread, dropping stale ones instead of queueing forever.

The LLM takes about a second per description on a CPU while intents arrive at camera rate, so requests
wait in a small bounded queue: when it is full the oldest request is dropped, and a request older than
`max_age_s` when its turn comes is dropped too. Every drop is counted.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable
from llamo_ros.config_fields import param


@dataclass
class DescriptionWorkerConfig:
    max_pending: int = param(4, "requests waiting at most; the oldest is dropped beyond this")
    max_age_s: float = param(3.0, "a request waiting longer than this (wall time) is dropped, not run")

    def __post_init__(self) -> None:
        if self.max_pending < 1:
            raise ValueError(f"max_pending must be >= 1, got {self.max_pending}")
        if not self.max_age_s > 0:
            raise ValueError(f"max_age_s must be > 0, got {self.max_age_s}")


class DescriptionWorker:
    """One thread that runs `job()` callables in arrival order and hands results to `on_result`."""

    def __init__(self, on_result: Callable[[Any, Any], None], config: DescriptionWorkerConfig | None = None,
                 on_error: Callable[[Any, BaseException], None] | None = None) -> None:
        self.config = config or DescriptionWorkerConfig()
        self._on_result, self._on_error = on_result, on_error
        self._pending: deque = deque()            # (enqueued_monotonic, key, job)
        self._cond = threading.Condition()
        self._stop = False
        self.cancel = threading.Event()          # set on close: jobs that honour it end early
        self.dropped_full = 0                     # dropped because the queue was full
        self.dropped_stale = 0                    # dropped because they waited longer than max_age_s
        self.completed = 0
        self.failed = 0
        self.last_latency_s = float("nan")        # wall time of the last job
        self._thread = threading.Thread(target=self._run, name="llamo-description-worker", daemon=True)
        self._thread.start()

    def submit(self, key: Any, job: Callable[[], Any]) -> None:
        """Queue `job`; `on_result(key, job())` is called from the worker thread when it has run."""
        with self._cond:
            if len(self._pending) >= self.config.max_pending:
                self._pending.popleft()
                self.dropped_full += 1
            self._pending.append((time.monotonic(), key, job))
            self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                enqueued, key, job = self._pending.popleft()
            if time.monotonic() - enqueued > self.config.max_age_s:
                self.dropped_stale += 1
                continue
            start = time.monotonic()
            try:
                result = job()
            except Exception as exc:  # a failing request must not kill the worker; the caller logs it
                self.failed += 1
                if self._on_error is not None:
                    self._on_error(key, exc)
                continue
            self.last_latency_s = time.monotonic() - start
            self.completed += 1
            try:
                self._on_result(key, result)
            except Exception as exc:  # e.g. publishing after shutdown began: report, keep the thread alive
                self.failed += 1
                if self._on_error is not None:
                    self._on_error(key, exc)

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the job in progress, which is asked to end early through `cancel` (pending requests
        are discarded and counted as stale)."""
        self.cancel.set()
        with self._cond:
            self._stop = True
            self.dropped_stale += len(self._pending)
            self._pending.clear()
            self._cond.notify_all()
        self._thread.join(timeout)
