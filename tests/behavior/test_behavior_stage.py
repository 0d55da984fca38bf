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
    corrected_descriptions = 0

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


# -- BehaviorStage: the one frame path of the node, the composed node and the replay ------------------------

def stage_with(errors: list | None = None, **config):
    from llamo_ros.behavior.stage import BehaviorStage

    defaults = dict(min_frames=4, describe_period_s=1.0, first_describe_after_s=0.0, check_gestures=False)
    return BehaviorStage(StandInModel(), BehaviorConfig(**{**defaults, **config}),
                         on_error=(lambda kind, text: errors.append((kind, text))) if errors is not None else None)


def test_stage_descriptions_carry_the_described_frames_header_however_late_they_run():
    stage = stage_with()
    pending = []
    for t in range(30):
        _, requests = stage.on_frame(t * FRAME_NS, [(1, *person(-1.0))], header=f"frame-{t}")
        pending += requests
    assert len(pending) >= 2
    stop = threading.Event()
    for request in pending:   # described after all 30 frames arrived, as a busy worker thread would
        d = stage.describe(request, stop=stop)
        assert d.header == f"frame-{d.window_end_ns // FRAME_NS}" == request.header
        assert d.track_id == 1 and d.model == "stand-in" and d.text.startswith("track 1")
    assert stage.model.described[-1] == (1, stop), "the stop event did not reach the model"


def test_stage_reports_time_resets_and_repeated_frames_and_keeps_going():
    errors: list = []
    stage = stage_with(errors)
    for t in range(20, 30):
        stage.on_frame(t * FRAME_NS, [(1, *person(1.0))])
    assert stage.on_frame(29 * FRAME_NS, [(1, *person(1.0))]) == ([], [])
    intents, _ = stage.on_frame(0, [(1, *person(1.0))])
    assert intents == [], "the reset must have emptied the track (1 frame < min_frames)"
    assert [kind for kind, _ in errors] == ["time", "time"]
    assert "repeats" in errors[0][1] and "backwards" in errors[1][1]
    assert stage.diagnostics() == {"tracks": 1, "tracks_forgotten": 0, "unusable_windows": 0, "time_resets": 1,
                                   "frames_skipped_repeated": 1, "descriptions_corrected": 0}


def test_stage_answers_validated_questions_and_reports_model_failures():
    stage = stage_with()
    for t in range(6):
        stage.on_frame(t * FRAME_NS, [(1, *person(-1.0))])
    assert "unknown track id 2" in stage.ask(2, "what?").error_message
    assert "empty" in stage.ask(1, "  ").error_message
    ok = stage.ask(1, "what?")
    assert ok.success and ok.answer == "what? -> 6 frames" and ok.window_end_ns == 5 * FRAME_NS

    def broken(window, question, stop=None):
        raise RuntimeError("out of memory")

    stage.model.answer = broken
    failed = stage.ask(1, "what?")
    assert not failed.success and "out of memory" in failed.error_message


def test_message_frame_path_publishes_intents_and_descriptions_in_the_input_frame():
    """`behavior_frame` + `description_msg`: what both the behaviour node and the bag replay run per message."""
    from geometry_msgs.msg import Point

    from llamo_msgs.msg import Keypoint3D, Person3D, Person3DArray
    from llamo_ros.messages.behavior_messages import behavior_frame, description_msg, time_msg
    from llamo_ros.skeleton import LAYOUT_NAME

    stage = stage_with()
    frames = []
    for t in range(12):
        msg = Person3DArray()
        msg.header.frame_id, msg.header.stamp = f"cam_{t}", time_msg(t * FRAME_NS)
        joints, confidence = person(-1.0)
        msg.persons = [Person3D(track_id=4, skeleton_layout=LAYOUT_NAME, keypoints_3d=[
            Keypoint3D(position=Point(x=float(x), y=float(y), z=float(z)), confidence=float(c))
            for (x, y, z), c in zip(joints, confidence)]), Person3D(track_id=9, skeleton_layout="coco17")]
        frames.append(behavior_frame(stage, msg))
    assert all(f.intents_msg is None for f in frames[:3]) and all(len(f.problems) == 1 for f in frames)
    last = frames[-1]
    assert last.intents_msg.header.frame_id == "cam_11" and last.intents_msg.predictions[0].track_id == 4
    requests = [r for f in frames for r in f.requests]
    assert requests
    for r in requests:
        msg = description_msg(stage.describe(r))
        assert msg.header.frame_id == f"cam_{msg.window_end.sec * 10 + msg.window_end.nanosec // FRAME_NS}"
        assert msg.header.stamp == msg.window_end


def test_a_described_window_reuses_the_features_its_intents_were_computed_from():
    """BehaviorModel resamples and featurises each window once, for its intents and its description."""
    from llamo_ros.behavior.behavior_model import BehaviorModel
    from llamo_ros.behavior.stage import BehaviorStage

    class CountingMLM:
        def __init__(self) -> None:
            self.features_calls = 0

        def features(self, joints, confidence, fps):
            self.features_calls += 1
            return np.zeros((32, 80), np.float32) + self.features_calls   # tells the calls apart

        def predict_intents(self, feats):
            return np.full((len(feats), NUM_INTENTS), 1.0 / NUM_INTENTS, np.float32), np.zeros((len(feats), 20, 3))

        def describe(self, features, max_new_tokens=40, stop=None):
            return f"features of call {int(features[0, 0])}"

    mlm = CountingMLM()
    stage = BehaviorStage(BehaviorModel(mlm, "counting", ground_descriptions=False),
                          BehaviorConfig(min_frames=4, describe_period_s=1.0, first_describe_after_s=0.0,
                                         check_gestures=False))
    requests = []
    for t in range(8):
        requests += stage.on_frame(t * FRAME_NS, [(1, *person(-1.0))])[1]
    calls = mlm.features_calls
    assert calls == 5 and len(requests) == 1      # one window per frame from the 4th frame on
    text = stage.describe(requests[0]).text
    assert mlm.features_calls == calls, "describing the window computed its features again"
    assert text == "features of call 1", "the description must read the features of its own window"
