"""The behaviour stage's frame path without ROS and with a stand-in model (fast): the request's header travels
into its description, time going backwards resets every per-track state, repeated frames change nothing."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from llamo_ros.behavior.engine import BehaviorConfig, BehaviorEngine
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.motion.track_buffer import TrackWindow

FRAME_NS = 100_000_000  # 10 Hz


class StandInModel:
    """A `MotionLanguageModel` whose intents follow the person's x position: x < 0 -> intent 0, else 1."""

    name = "stand-in"
    path_time_step_s = 0.1

    def __init__(self) -> None:
        self.described: list[tuple[int, threading.Event | None]] = []

    def predict_intents(self, windows: list[TrackWindow]) -> tuple[np.ndarray, np.ndarray]:
        probs = np.full((len(windows), NUM_INTENTS), 0.01, np.float32)
        for i, w in enumerate(windows):
            probs[i, 0 if w.joints[-1, 0, 0] < 0 else 1] = 1.0
        probs /= probs.sum(axis=1, keepdims=True)
        paths = np.stack([np.repeat(w.joints[-1, :1], 20, axis=0) for w in windows])   # (B, 20, 3)
        return probs, paths

    def describe(self, window: TrackWindow, stop: threading.Event | None = None) -> str:
        self.described.append((window.track_id, stop))
        return f"track {window.track_id} over {len(window.stamps_ns)} frames"

    def answer(self, window: TrackWindow, question: str, stop: threading.Event | None = None) -> str:
        return f"{question} -> {len(window.stamps_ns)} frames"


def person(x: float) -> tuple[np.ndarray, np.ndarray]:
    joints = np.zeros((17, 3), np.float32)
    joints[:, 0], joints[:, 2] = x, 4.0
    return joints, np.ones(17, np.float32)


def feed(engine: BehaviorEngine, frames: range, x: float = -1.0, track_id: int = 1, header_of=None):
    out = []
    for t in frames:
        header = header_of(t) if header_of else None
        out.append(engine.update(t * FRAME_NS, [(track_id, *person(x))], header))
    return out


def engine_with(**config) -> BehaviorEngine:
    defaults = dict(min_frames=4, describe_period_s=1.0, first_describe_after_s=0.0, check_gestures=False)
    return BehaviorEngine(StandInModel(), BehaviorConfig(**{**defaults, **config}))


def test_description_requests_carry_the_header_of_the_frame_they_describe():
    engine = engine_with()
    results = feed(engine, range(40), header_of=lambda t: f"frame-{t}")
    requests = [r for _, rs in results for r in rs]
    assert len(requests) >= 3
    for r in requests:
        assert r.header == f"frame-{int(r.window.stamps_ns[-1]) // FRAME_NS}"


def test_time_going_backwards_resets_buffer_intent_filter_and_description_timers():
    engine = engine_with(describe_period_s=100.0, describe_on_intent_change=False)
    first = feed(engine, range(100, 140), x=1.0)        # intent 1, filtered over 4 s; described once at start
    assert sum(len(rs) for _, rs in first) == 1
    assert engine.intent_filter and 1 in engine.intent_filter
    assert first[-1][0][0].most_likely == 1
    assert len(engine.buffer.window(1).stamps_ns) == 40

    # the bag loops: time starts again at 0, and the person now stands at x < 0 (intent 0)
    again = feed(engine, range(0, 4), x=-1.0)
    assert engine.time_resets == 1
    assert len(engine.buffer.window(1).stamps_ns) == 4, "old frames survived the reset"
    (intents, requests) = again[-1]
    # a fresh filter starts from the window's own probabilities: no 4 s of old belief in intent 1
    assert intents[0].most_likely == 0 and intents[0].probabilities[0] > 0.9
    # the description timer restarted too: the person is described again at once, not 100 s after t=100
    assert [r.track_id for r in requests] == [1]


def test_a_repeated_frame_raises_and_changes_nothing():
    engine = engine_with()
    feed(engine, range(10))
    before = engine.buffer.window(1).stamps_ns.copy()
    with pytest.raises(ValueError, match="repeats"):
        engine.update(9 * FRAME_NS, [(1, *person(-1.0))])
    np.testing.assert_array_equal(engine.buffer.window(1).stamps_ns, before)
    assert engine.time_resets == 0


def test_windows_without_any_joint_are_counted():
    engine = engine_with(min_frames=2)
    nan = np.full((17, 3), np.nan, np.float32)

    class NoJoints(StandInModel):
        def predict_intents(self, windows):
            probs, paths = super().predict_intents(windows)
            probs[:] = np.nan
            return probs, paths

    engine.model = NoJoints()
    for t in range(3):
        assert engine.update(t * FRAME_NS, [(1, nan, np.zeros(17, np.float32))]) == ([], [])
    assert engine.unusable_windows == 2
