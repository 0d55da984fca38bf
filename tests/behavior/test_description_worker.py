"""The description worker drops what it cannot do in time, counts it, and survives failing jobs."""
from __future__ import annotations

import threading
import time

import pytest

from ros_harness import wait_until

from llamo_ros.behavior.description_worker import DescriptionWorker, DescriptionWorkerConfig


def test_full_queue_drops_the_oldest_request():
    gate = threading.Event()
    done = []
    worker = DescriptionWorker(lambda key, result: done.append(key), DescriptionWorkerConfig(max_pending=2))
    worker.submit("blocker", lambda: gate.wait(10))
    assert wait_until(lambda: worker.pending == 0, timeout=5)  # the blocker is running
    for key in ("a", "b", "c", "d"):
        worker.submit(key, lambda: None)
    assert worker.pending == 2 and worker.dropped_full == 2
    gate.set()
    assert wait_until(lambda: len(done) == 3, timeout=5)
    assert done == ["blocker", "c", "d"]
    worker.close()


def test_requests_that_waited_too_long_are_dropped_not_run():
    gate = threading.Event()
    ran = []
    worker = DescriptionWorker(lambda key, result: ran.append(key), DescriptionWorkerConfig(max_age_s=0.2))
    worker.submit("slow", lambda: gate.wait(10))
    worker.submit("stale", lambda: "x")
    time.sleep(0.4)
    gate.set()
    assert wait_until(lambda: worker.dropped_stale == 1, timeout=5)
    time.sleep(0.1)
    assert ran == ["slow"] and worker.completed == 1
    worker.close()


def test_a_failing_job_or_result_handler_does_not_stop_the_worker():
    errors, done = [], []

    def on_result(key, result):
        if key == "bad-handler":
            raise RuntimeError("publisher gone")
        done.append(result)

    worker = DescriptionWorker(on_result, on_error=lambda key, exc: errors.append((key, str(exc))))
    worker.submit("bad-job", lambda: 1 / 0)
    worker.submit("bad-handler", lambda: "ignored")
    worker.submit("good", lambda: "text")
    assert wait_until(lambda: done == ["text"], timeout=5)
    assert [k for k, _ in errors] == ["bad-job", "bad-handler"] and worker.failed == 2
    worker.close()
    assert not worker._thread.is_alive()


def test_config_is_validated():
    with pytest.raises(ValueError, match="max_pending"):
        DescriptionWorkerConfig(max_pending=0)
