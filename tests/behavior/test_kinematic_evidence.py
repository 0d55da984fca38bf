"""Gesture intents weighed by whether the kinematic descriptors measure the gesture (issue #13's implausible
intents): the likelihood, and the behaviour engine with the shipped model on generated people."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.behavior_model import load_behavior_model
from llamo_ros.behavior.engine import BehaviorConfig, BehaviorEngine
from llamo_ros.behavior.kinematic_evidence import GESTURE_RULES, gesture_likelihood, weigh
from llamo_ros.data.motion_synth import generate_clip
from llamo_ros.motion.intents import INTENT_INDEX, NUM_INTENTS

FRAME_NS = 33_333_333


def test_a_gesture_whose_rule_fails_keeps_its_rules_miss_rate():
    likelihood = gesture_likelihood({"wave", "walk_past"})
    assert likelihood[INTENT_INDEX["waving"]] == 1.0
    assert likelihood[INTENT_INDEX["pointing"]] == pytest.approx(GESTURE_RULES["pointing"][1])
    assert likelihood[INTENT_INDEX["handing_over"]] == pytest.approx(GESTURE_RULES["handing_over"][1])
    unchecked = [k for k in range(NUM_INTENTS) if k not in {INTENT_INDEX[i] for i in GESTURE_RULES}]
    assert (likelihood[unchecked] == 1.0).all()
    p = np.full(NUM_INTENTS, 0.01, np.float32)
    p[INTENT_INDEX["waving"]] = 1 - 0.01 * (NUM_INTENTS - 1)
    weighed = weigh(p, gesture_likelihood(set()))
    assert abs(weighed.sum() - 1) < 1e-6
    # by hand: waving 0.90 x 0.3 against the other ten classes' 0.01 each (pointing and handing over weighed too)
    assert NUM_INTENTS == 11
    expected = 0.90 * 0.3 / (0.90 * 0.3 + 0.01 * 0.1 + 0.01 * 0.2 + 8 * 0.01)
    assert weighed[INTENT_INDEX["waving"]] == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def model():
    return load_behavior_model()


def _run(model, clip, check: bool, period_s: float | None = None) -> list:
    config = BehaviorConfig(check_gestures=check) if period_s is None else \
        BehaviorConfig(check_gestures=check, kinematic_check_period_s=period_s)
    engine = BehaviorEngine(model, config)
    out = []
    for t in range(clip.num_frames):
        intents, _ = engine.update(10**9 + t * FRAME_NS, [(1, clip.joints[t], clip.confidence[t])])
        out.append((t, intents[0] if intents else None))
    return out


def _clip_with(action: str) -> tuple:
    for seed in range(100):
        clip = generate_clip(seed)
        for seg in clip.segments:
            if seg.name == action and seg.end - seg.start >= 2 * clip.fps:
                return clip, seg
    raise AssertionError(f"no {action} in seeds 0-99")


def test_a_real_wave_is_still_recognised(model):
    clip, seg = _clip_with("wave")
    waving = INTENT_INDEX["waving"]
    checked = [r for t, r in _run(model, clip, True) if r is not None and seg.start <= t < seg.end]
    assert any(r.most_likely == waving for r in checked), "the checked engine never said waving during a wave"


def test_a_walker_gets_no_more_gesture_intents_and_the_raw_heads_are_published_unchanged(model):
    clip, seg = _clip_with("walk_past")
    plain, checked = _run(model, clip, False), _run(model, clip, True)
    gestures = {INTENT_INDEX[i] for i in GESTURE_RULES}
    counts = [0, 0]
    for (t, a), (_, b) in zip(plain, checked):
        if a is None:
            continue
        np.testing.assert_allclose(a.raw_probabilities, b.raw_probabilities, rtol=1e-6)
        if seg.start + clip.fps <= t < seg.end:   # a walker, a second into the walk
            counts[0] += a.most_likely in gestures
            counts[1] += b.most_likely in gestures
    assert counts[1] <= counts[0], counts


def test_a_track_is_measured_at_most_once_per_check_period_with_the_same_intents(model, monkeypatch):
    import llamo_ros.behavior.engine as engine_module
    clip, seg = _clip_with("wave")                      # 30 fps: the checks are due in most frames of a wave
    measured: list[int] = []                            # window end stamps of the real measurements, ns
    measure = engine_module.measure_window
    monkeypatch.setattr(engine_module, "measure_window",
                        lambda w: measured.append(int(w.stamps_ns[-1])) or measure(w))
    every = _run(model, clip, True, period_s=0.0)
    every_frame = len(measured)
    measured.clear()
    periodic = _run(model, clip, True, period_s=0.2)
    assert every_frame > 30
    assert len(measured) >= 2 and (np.diff(measured) >= 0.2e9).all()
    assert len(measured) <= every_frame / 5             # one frame in six at 30 fps, give or take the first
    same = [a.most_likely == b.most_likely for (_, a), (_, b) in zip(every, periodic) if a is not None]
    assert np.mean(same) >= 0.97, np.mean(same)
    # a bag loop (time going back) starts every track over: its first checked window is measured anew
    engine, measured[:] = BehaviorEngine(model, BehaviorConfig()), []
    for loop in range(2):
        for t in range(seg.start, seg.start + 30):
            engine.update(10**9 + (t - seg.start) * FRAME_NS, [(1, clip.joints[t], clip.confidence[t])])
        if loop == 0:
            before = len(measured)
    assert before >= 1 and len(measured) > before and measured[before] < measured[before - 1]
    with pytest.raises(ValueError, match="kinematic_check_period_s"):
        BehaviorConfig(kinematic_check_period_s=-0.1)


def test_other_is_weighed_down_only_where_the_motion_is_plain_walking_or_standing():
    from llamo_ros.behavior.kinematic_evidence import OTHER_GIVEN_PLAIN, intent_likelihood, plain_motion
    from llamo_ros.motion.intents import OTHER
    assert plain_motion({"walk", "walk_past"}) and plain_motion({"stand", "nod", "head_shake"})
    assert not plain_motion({"walk", "jump_forward"}) and not plain_motion({"stand", "wave"})
    assert not plain_motion(set()) and not plain_motion({"crawl"})
    assert intent_likelihood({"walk_past", "walk"})[OTHER] == pytest.approx(OTHER_GIVEN_PLAIN)
    assert intent_likelihood({"walk_past", "walk"}, other=False)[OTHER] == 1.0
    assert intent_likelihood({"jump_in_place"})[OTHER] == 1.0


def test_plain_motion_is_much_likelier_on_generated_pedestrians_than_on_other_motion():
    """The evidence the 'other' weight rests on, re-measured on a few generated clips (noisy joints, 10 Hz)."""
    from llamo_ros.behavior.kinematic_evidence import plain_motion
    from llamo_ros.motion.action_rules import supported_actions
    from llamo_ros.motion.descriptors import describe_motion
    from llamo_ros.motion.intents import OTHER
    from llamo_ros.training.evaluate import eval_windows

    plain = {"pedestrian": [], "other": []}
    pedestrian = {INTENT_INDEX[k] for k in ("approaching", "passing_by", "leaving", "standing_idle")}
    for w in eval_windows("broad", 12, keep_joints=True):
        kind = "other" if w.sample.intent == OTHER else "pedestrian" if w.sample.intent in pedestrian else None
        if kind and w.into_s >= 1.0:
            d = describe_motion(w.joints[::3], w.confidence[::3], 10.0)
            if d.valid:
                plain[kind].append(plain_motion(supported_actions(d)))
    assert len(plain["pedestrian"]) > 30 and len(plain["other"]) > 30
    assert np.mean(plain["pedestrian"]) > 0.4 > 0.25 > np.mean(plain["other"])


def test_transitions_need_their_sign_in_the_window():
    """Standing up needs a low posture in the window, sitting down a sinking pelvis, picking up a hand near the
    floor; a person standing still shows none, one rising from a crouch the first."""
    from motion.descriptor_fixtures import FPS, frames, lowered, place, standing, to_camera  # tests/motion

    from llamo_ros.behavior.kinematic_evidence import TRANSITION_SIGNS, transition_likelihood
    from llamo_ros.motion.descriptors import describe_motion

    n = 96
    still = describe_motion(*to_camera(place(standing(n)), 15.0), FPS, camera_pitch_deg=15.0)
    likelihood = transition_likelihood(still)
    for intent, (_, weight) in TRANSITION_SIGNS.items():
        assert likelihood[INTENT_INDEX[intent]] == pytest.approx(weight)
    assert (np.delete(likelihood, [INTENT_INDEX[i] for i in TRANSITION_SIGNS]) == 1.0).all()

    # crouched (pelvis 0.40 m high) for 1 s, up by 2 s
    rising = lowered(place(standing(n)), 0.55 * np.clip(1.0 - (frames(n) - 1.0), 0.0, 1.0)[:, None])
    up = describe_motion(*to_camera(rising, 15.0), FPS, camera_pitch_deg=15.0)
    assert up.start_posture == "crouched" and up.end_posture == "upright"
    assert transition_likelihood(up)[INTENT_INDEX["standing_up"]] == 1.0
