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
    assert "unknown track id 6" in engine.check_question(6, "hi?").error_message
    assert "empty" in engine.check_question(5, " ").error_message
    assert "at most 500" in engine.check_question(5, "x" * 501).error_message
    assert engine.check_question(5, "hi?").track_id == 5   # valid: the track's window, for the LLM
    fresh = BehaviorEngine(model)
    _feed(fresh, {5: generate_clip(5)}, 3)
    assert "3 frames of motion" in fresh.check_question(5, "hi?").error_message


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
    assert len(model.mlm.generator.tokenizer(cut)["input_ids"]) <= 1 and full.startswith(cut), (cut, full)


def test_short_track_fragments_are_not_described(model):
    engine = BehaviorEngine(model, BehaviorConfig(min_frames=8, first_describe_after_s=1.0))
    clip = generate_clip(12)
    first = [t for t, (_, requests) in enumerate(_feed(engine, {12: clip}, 40)) if requests]
    assert first[0] == 25, "first description once the window spans 1 s (25 frames at 25 Hz)"


def test_published_intents_are_filtered_and_the_raw_ones_kept(model):
    clips = {1: generate_clip(1)}
    filtered = _feed(BehaviorEngine(model, BehaviorConfig(min_frames=8)), clips, 40)
    raw = _feed(BehaviorEngine(model, BehaviorConfig(min_frames=8, filter_intents=False)), clips, 40)
    for (f_intents, _), (r_intents, _) in zip(filtered[7:], raw[7:]):
        (f,), (r,) = f_intents, r_intents
        np.testing.assert_allclose(f.raw_probabilities, r.probabilities, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(r.raw_probabilities, r.probabilities)
        assert abs(f.probabilities.sum() - 1) < 1e-5 and f.most_likely == int(np.argmax(f.probabilities))
    assert any(np.abs(f.probabilities - f.raw_probabilities).max() > 1e-3 for (f,), _ in filtered[8:]), \
        "the filter must change the probabilities once a track has history"


def test_path_std_is_the_line_fit_prediction_interval_plus_the_acceleration_term():
    from llamo_ros.behavior.engine import path_std

    t = np.arange(11) * 0.1 - 1.0                     # 1 s of frames at 10 Hz, newest at 0
    joints = np.zeros((11, 17, 3), np.float32)
    joints[:, :, 2] = 5.0 + 1.2 * t[:, None]          # a clean straight walk: the fit term is 0
    window = TrackWindow(1, (t * 1e9).astype(np.int64), joints, np.ones((11, 17), np.float32))
    horizons = np.array([0.5, 1.0, 2.0])
    model_term = np.repeat((0.5 * horizons ** 2 / 2)[:, None], 3, 1)
    np.testing.assert_allclose(path_std(window, horizons, 1.0, 0.5), model_term, atol=1e-5)
    # the root term: 3 % of the current root's 5 m distance on every axis, added in quadrature
    np.testing.assert_allclose(path_std(window, horizons, 1.0, 0.5, 0.03), np.sqrt(model_term ** 2 + 0.15 ** 2),
                               atol=1e-5)
    # x alternating +0.1 (6 frames) / -0.1 (5 frames): by symmetry the fitted line is flat at 0.1/11, the
    # residuals are 6 x (0.1 - 0.1/11) and 5 x (-0.1 - 0.1/11), squares summing to 1.2/11, over 11 - 2 dof;
    # leverage 1/11 + (h - mean t)^2 / sum (t - mean t)^2 with mean t = -0.5 s and the sum 0.01 * 110 = 1.1 s^2
    joints[:, :, 0] = 0.1 * (-1.0) ** np.arange(11)[:, None]
    var = (1.2 / 11) / 9 * (1 / 11 + (horizons + 0.5) ** 2 / 1.1)
    np.testing.assert_allclose(path_std(window, horizons, 1.0, 0.0)[:, 0], np.sqrt(var), rtol=1e-4)


def test_intent_results_carry_a_growing_path_std(model):
    intents, _ = _feed(BehaviorEngine(model, BehaviorConfig(min_frames=8)), {3: generate_clip(3)}, 30)[-1]
    (r,) = intents
    assert r.future_path_std.shape == r.future_path.shape and np.isfinite(r.future_path_std).all()
    assert np.all(np.diff(r.future_path_std.max(axis=1)) > 0)
