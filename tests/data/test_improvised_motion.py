"""Improvised motion (`data.motion_synth.improvised`): the broad generator's outlier exposure for "other".

Measured on the output skeletons (world frame recovered from the plan's camera) and on the kinematic descriptors
of 3.2 s windows inside the improvised part: active limbs, a rigid body within joint limits, slow drift, never on
hands and knees (the held-out crawl's posture), chained postures, labelled "other", not read as plain walking or
standing nor as a named gesture.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from llamo_ros.behavior.kinematic_evidence import plain_motion
from llamo_ros.data.motion_synth import (
    ACTION_WORDS, ALL_ACTIONS, CATALOGUE, NO_INTENT, SynthConfig, broad_config, generate_clip,
)
from llamo_ros.data.motion_synth import improvised
from llamo_ros.data.motion_synth.language import CLAUSES, GERUNDS
from llamo_ros.data.motion_synth.showcase import action_clip, segment_of
from llamo_ros.motion.action_rules import named_actions, supported_actions
from llamo_ros.motion.captions import caption_for
from llamo_ros.motion.descriptors import describe_motion
from llamo_ros.skeleton import BONES, JOINT_INDEX as J
from llamo_ros.training.data import HELDOUT_ACTIONS, TRAIN_ACTIONS

SEEDS = range(80)
WINDOW = 96  # 3.2 s at 30 Hz


def world(clip, plan):
    """Camera-frame joints (T, 17, 3) -> world (x, y up, z) metres."""
    return clip.joints_clean.astype(np.float64) @ plan.camera.rotation() + np.array([0.0, plan.camera.height_m, 0.0])


def improvised_part(seg, fps):
    """(first, end) frames of the improvisation inside its segment (after the way down, before the way up)."""
    p = seg.params
    first = seg.start + int(math.ceil(len(improvised.BASE_POSTURES[p["posture"]]) * p["step_s"] * fps))
    return first, first + int(p["improvise_s"] * fps)


def on_hands_and_knees(w):
    """(T,) the crawl posture: torso within 35 deg of horizontal, pelvis up on the thighs (> 0.25 m), both wrists
    on the floor (< 0.15 m) and both knees low (< 0.25 m: the rig's knees on all fours are at ~0.16 m). Lying flat
    (pelvis on the floor) does not count."""
    spine = w[:, J["thorax"]] - w[:, J["pelvis"]]
    tilt = np.degrees(np.arccos(np.clip(spine[:, 1] / np.linalg.norm(spine, axis=-1), -1, 1)))
    low = lambda joint, m: w[:, J[joint], 1] < m  # noqa: E731
    return ((tilt > 55) & (tilt < 125) & (w[:, J["pelvis"], 1] > 0.25) & low("left_wrist", 0.15)
            & low("right_wrist", 0.15) & low("left_knee", 0.25) & low("right_knee", 0.25))


@pytest.fixture(scope="module")
def clips():
    return [action_clip("improvise", seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def windows(clips):
    """Supported actions of 3.2 s windows (exact joints, confidence 1) every second inside each improvisation."""
    out = []
    for clip, _ in clips:
        first, end = improvised_part(segment_of(clip, "improvise"), clip.fps)
        for last in range(first + WINDOW - 1, end, int(clip.fps)):
            j = clip.joints_clean[last - WINDOW + 1:last + 1]
            out.append(supported_actions(describe_motion(j, np.ones(j.shape[:2], np.float32), clip.fps)))
    return out


# ---- catalogue, config, labels, captions -------------------------------------------------------------

def test_registered_as_other_trained_on_and_not_held_out():
    spec = CATALOGUE["improvise"]
    assert (spec.family, spec.intent, spec.start_posture, spec.end_posture) == ("improvised", None, "standing",
                                                                                "standing")
    assert "improvise" in ALL_ACTIONS and "improvise" in TRAIN_ACTIONS
    assert HELDOUT_ACTIONS == ("hop", "kick", "crawl", "clap", "throw", "head_shake")
    assert "improvise" not in SynthConfig().actions and SynthConfig().action_weights == {}  # default clips unchanged
    assert broad_config().action_weights == {"improvise": 2.5}
    assert broad_config(actions=("stand", "walk")).action_weights == {}  # weights only of drawn actions


def test_improvise_is_five_to_eight_percent_of_broad_actions():
    from llamo_ros.data.motion_synth import plan_scene
    from llamo_ros.training.data import broad_training_config
    for cfg in (broad_config(), broad_training_config()):
        names = [n for seed in range(150) for n, _ in plan_scene(seed, cfg).actions]
        assert 0.04 <= names.count("improvise") / len(names) <= 0.09, names.count("improvise") / len(names)


def test_labelled_other_and_captioned_without_naming_an_action(clips):
    for clip, _ in clips[:10]:
        seg = segment_of(clip, "improvise")
        assert (clip.intent[seg.start:seg.end] == NO_INTENT).all()
    for clause in CLAUSES["improvise"]:
        assert not named_actions(clause)
        assert not any(w in clause for words in ACTION_WORDS.values() for w in words)
    assert GERUNDS["improvise"]
    clip, _ = clips[0]
    first, end = improvised_part(segment_of(clip, "improvise"), clip.fps)
    j = clip.joints_clean[max(first, end - WINDOW):end]
    caption = caption_for(describe_motion(j, np.ones(j.shape[:2], np.float32), clip.fps), "improvise",
                          np.random.default_rng(0), brief=True)
    assert "unclear" in caption  # "improvise" has no rule: never named, the movement is described


# ---- the motion itself -------------------------------------------------------------------------------

def test_finite_rigid_in_view_continuous_and_above_the_floor(clips):
    for clip, plan in clips:
        j = clip.joints_clean.astype(np.float64)
        assert np.isfinite(j).all()
        lengths = np.stack([np.linalg.norm(j[:, c] - j[:, p], axis=-1) for p, c in BONES], axis=1)
        assert np.abs(lengths - lengths.mean(axis=0)).max() < 1e-4
        speed = np.linalg.norm(np.diff(j, axis=0), axis=-1) * clip.fps
        # steady limbs: a throw's hand reaches ~15 m/s; the improvised wrists stay under ~9 m/s (fastest while the
        # arm fades in as the body turns to face the camera), nothing jumps
        assert speed.max() < 10.0, speed.max()
        assert world(clip, plan)[..., 1].min() > -0.02


def test_joint_angles_stay_within_limits():
    rng = np.random.default_rng(0)
    for seed in range(60):
        p = improvised.plan_improvise(np.random.default_rng(seed), "right") | {"heading_deg": 0.0,
                                                                               "amplitude": 1.2, "tempo": 1.0}
        t = np.arange(int(p["duration_s"] * 30)) / 30.0
        pose, velocity = improvised._improvise(t, p, _body(rng), 0.0)
        a = len(improvised.BASE_POSTURES[p["posture"]]) * p["step_s"]
        full = (t >= a + improvised.RAMP_S) & (t <= a + p["improvise_s"] - improvised.RAMP_S)  # fully improvised
        for key in p["channels"]:
            lo, hi = improvised.LIMITS[key.rsplit("_", 1)[0] if key.endswith(("_l", "_r")) else key]
            assert (pose[key][full] >= lo - 1e-9).all() and (pose[key][full] <= hi + 1e-9).all(), key
        for side in ("l", "r"):
            assert pose[f"knee_{side}"].min() >= 0 and pose[f"knee_{side}"].max() <= improvised.KNEE_MAX_RAD + 1e-9
            assert pose[f"elbow_{side}"].min() >= 0 and pose[f"elbow_{side}"].max() <= improvised.ELBOW_MAX_RAD + 1e-9
        assert np.linalg.norm(velocity, axis=1).max() <= improvised.MAX_DRIFT_MPS + 1e-9


def _body(rng):
    from llamo_ros.data.motion_synth import body_from_height
    return body_from_height(float(rng.uniform(1.5, 1.95)), rng)


def test_limbs_move_far_more_than_a_person_standing_about(clips):
    def wrist_spread(clip, first, end):
        w = clip.joints_clean[first:end].astype(np.float64)
        rel = w[:, [J["left_wrist"], J["right_wrist"]]] - w[:, [J["thorax"]]]  # (T, 2, 3) body-relative
        return float(np.linalg.norm(rel.std(axis=0), axis=-1).mean())   # m
    active = [wrist_spread(clip, *improvised_part(segment_of(clip, "improvise"), clip.fps)) for clip, _ in clips]
    standing = []
    for seed in range(10):
        clip, _ = action_clip("stand", seed, stand_style_prob=1.0)
        seg = segment_of(clip, "stand")
        standing.append(wrist_spread(clip, seg.start, seg.end))
    assert np.median(active) > 2.5 * np.median(standing), (np.median(active), np.median(standing))
    assert min(active) > 0.04


def test_root_drift_is_slow_and_bodies_on_the_floor_stay_put(clips):
    for clip, plan in clips:
        seg = segment_of(clip, "improvise")
        first, end = improvised_part(seg, clip.fps)
        pelvis = world(clip, plan)[first:end, J["pelvis"], ::2]
        step = int(clip.fps)  # speed over 1 s: the drift (<= 0.6 m/s) plus the pelvis's own sway on the feet
        speed = np.linalg.norm(pelvis[step:] - pelvis[:-step], axis=-1) / (step / clip.fps)
        limit = 0.15 if seg.params["posture"] in improvised.ON_THE_FLOOR else improvised.MAX_DRIFT_MPS + 0.15
        assert speed.max() < limit, (seg.params["posture"], speed.max())


def test_never_on_hands_and_knees(clips):
    crawl, plan = action_clip("crawl", 0)  # the check sees the crawl's posture
    assert on_hands_and_knees(world(crawl, plan)).mean() > 0.2
    postures = set()
    for clip, plan in clips:
        postures.add(segment_of(clip, "improvise").params["posture"])
        assert not on_hands_and_knees(world(clip, plan)).any()
    assert {"standing", "lying_face_up", "floor_sit"} <= postures and len(postures) >= 6


def test_chains_in_broad_clips():
    cfg = broad_config()
    found = 0
    for seed in range(120):
        clip = generate_clip(seed, cfg)
        names = [s.name for s in clip.segments]
        if "improvise" not in names:
            continue
        found += 1
        for a, b in zip(names, names[1:], strict=False):
            assert CATALOGUE[a].end_posture == CATALOGUE[b].start_posture, names
        assert np.linalg.norm(np.diff(clip.joints_clean, axis=0), axis=-1).max() * clip.fps < 20.0
        for s in clip.segments:
            if s.name == "improvise":
                assert (clip.intent[s.start:s.end] == NO_INTENT).all()
    assert found >= 10


# ---- how the descriptors read it ---------------------------------------------------------------------

def test_not_plain_walking_or_standing(windows):
    # 0.06 while the dance rule held on any stepping with both wrists swinging 8 cm (on standing too); since it asks
    # for a swing of 0.15 leg lengths on the spot (2026-11-30) 0.21: upright improvisations with the hands moving
    # in front of the belly read as standing, as their body does (the kinematic check of "other" was re-measured)
    assert len(windows) >= 40
    assert np.mean([plain_motion(s) for s in windows]) < 0.25


def test_rarely_read_as_a_gesture_and_never_as_the_held_out_actions(windows):
    rate = {a: np.mean([a in s for s in windows]) for a in ("wave", "point", "hand_over", "crawl", "clap", "kick",
                                                          "throw", "head_shake")}
    assert max(rate["wave"], rate["point"], rate["hand_over"]) <= 0.1, rate
    assert max(rate[a] for a in ("crawl", "clap", "kick", "throw", "head_shake")) <= 0.03, rate
