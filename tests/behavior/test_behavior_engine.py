"""BehaviorEngine with the shipped motion model on generated people: batching, timing of descriptions,
question validation, bounded memory."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.behavior_model import load_behavior_model, uniform_resample
from llamo_ros.behavior.engine import BehaviorConfig, BehaviorEngine
from llamo_ros.data.motion_synth import generate_clip
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.motion.track_buffer import TrackBufferConfig, TrackWindow

FRAME_NS = 40_000_000  # 25 Hz: whole periods are exact multiples of the frame step


@pytest.fixture(scope="module")
def model():
    return load_behavior_model()


def _feed(engine, clips, frames, start=0):
    out = []
    for t in range(start, start + frames):
        tracks = [(tid, c.joints[t % c.num_frames], c.confidence[t % c.num_frames]) for tid, c in clips.items()]
        out.append(engine.update(t * FRAME_NS, tracks))
    return out


def test_intents_for_every_track_every_frame_once_enough_history(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=8))
    clips = {1: generate_clip(1), 2: generate_clip(2)}
    results = _feed(engine, clips, 20)
    assert all(not intents for intents, _ in results[:7])
    for intents, _ in results[7:]:
        assert sorted(r.track_id for r in intents) == [1, 2]
        for r in intents:
            assert r.probabilities.shape == (NUM_INTENTS,) and abs(r.probabilities.sum() - 1) < 1e-5
            root = clips[r.track_id].joints_clean[r.window_end_ns // FRAME_NS, 0]  # pelvis now
            assert r.future_path.shape == (20, 3)
            assert np.linalg.norm(r.future_path[0] - root) < 0.5, "path does not start at the person"


def test_descriptions_are_requested_per_period_of_source_time(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=8, describe_period_s=1.0, first_describe_after_s=0.0,
                                                  describe_on_intent_change=False))
    results = _feed(engine, {7: generate_clip(7)}, 8 + 25 * 3)
    when = [i for i, (_, requests) in enumerate(results) if requests]
    assert when[0] == 7 and np.diff(when).tolist() == [25, 25, 25]


def test_questions_are_validated_before_the_llm_runs(model):
    engine = BehaviorEngine(model)
    _feed(engine, {5: generate_clip(5)}, 10)
    assert "unknown track id 6" in engine.ask(6, "hi?").error_message
    assert "empty" in engine.ask(5, " ").error_message
    assert "at most 500" in engine.ask(5, "x" * 501).error_message
    fresh = BehaviorEngine(model)
    _feed(fresh, {5: generate_clip(5)}, 3)
    assert "3 frames of motion" in fresh.ask(5, "hi?").error_message


def test_many_people_passing_keep_memory_bounded(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=2), TrackBufferConfig(max_tracks=5, max_frames=10))
    clip = generate_clip(0)
    for t in range(200):  # a new person every 2 frames
        engine.update(t * FRAME_NS, [(t // 2, clip.joints[t], clip.confidence[t])])
        assert len(engine.buffer) <= 5
    assert engine.buffer.forgotten >= 90


def test_windows_without_any_joint_are_skipped_not_fatal(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=2))
    nan = np.full((17, 3), np.nan, np.float32)
    for t in range(4):
        intents, _ = engine.update(t * FRAME_NS, [(1, nan, np.zeros(17, np.float32))])
        assert intents == []
    assert engine.unusable_windows >= 1


def test_irregular_frame_spacing_is_resampled_uniformly():
    stamps = np.array([0, 33, 66, 166, 200, 233], np.int64) * 1_000_000  # a 100 ms gap (skipped frames)
    joints = np.zeros((6, 17, 3), np.float32)
    joints[:, :, 0] = (stamps * 1e-9)[:, None]  # x moves 1 m/s
    w = TrackWindow(1, stamps, joints, np.ones((6, 17), np.float32))
    uniform, conf, fps = uniform_resample(w)
    assert fps == pytest.approx(1 / 0.0335, rel=0.05)
    np.testing.assert_allclose(np.diff(uniform[:, 0, 0]), 1 / fps, rtol=1e-4)
    assert uniform[-1, 0, 0] == pytest.approx(0.233)


def test_flickering_intents_do_not_trigger_a_description_every_frame(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=8, describe_period_s=100.0, min_describe_gap_s=1.0,
                                                  first_describe_after_s=0.0))
    clip = generate_clip(4)
    when = []
    for t in range(8 + 25 * 4):
        engine._last_intent[4] = -1 if t > 8 else engine._last_intent.get(4, -1)  # force "intent changed"
        _, requests = engine.update(t * FRAME_NS, [(4, clip.joints[t], clip.confidence[t])])
        when += [t] * len(requests)
    assert when[0] == 7 and all(gap >= 25 for gap in np.diff(when)), when
    assert len(when) >= 4, "intent changes after the gap must still be described"


def test_a_set_stop_event_ends_a_real_generation_after_one_token(model):
    import threading

    engine = BehaviorEngine(model)
    _feed(engine, {9: generate_clip(9)}, 40)
    window = engine.buffer.window(9)
    full = model.describe(window)
    stop = threading.Event()
    stop.set()
    cut = model.describe(window, stop=stop)
    assert len(full.split()) >= 3, full
    assert len(model.mlm.lm.tokenizer(cut)["input_ids"]) <= 1 and full.startswith(cut), (cut, full)


def test_short_track_fragments_are_not_described(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=8, first_describe_after_s=1.0))
    clip = generate_clip(12)
    first = [t for t, (_, requests) in enumerate(_feed(engine, {12: clip}, 40)) if requests]
    assert first[0] == 25, "first description once the window spans 1 s (25 frames at 25 Hz)"
