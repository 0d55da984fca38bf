"""Procedural motion generator: geometry, kinematics, labels and language checked from the arrays."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.data.motion_synth import (
    ACTION_INTENT, ACTION_WORDS, FAST_ABOVE_MPS, NUMBER_WORDS, SLOW_BELOW_MPS, WALK_RAMP_S, SynthConfig,
    generate_clip, generate_clips,
)
from llamo_ros.motion.intents import INTENT_INDEX, INTENT_LABELS
from llamo_ros.skeleton import BONES, JOINT_INDEX as J

LEVEL = SynthConfig(camera_pitch_range_deg=(0.0, 0.0))  # camera axes aligned with gravity
N_SEEDS = 200


@pytest.fixture(scope="module")
def clips():
    return generate_clips(range(N_SEEDS))


@pytest.fixture(scope="module")
def level_clips():
    return generate_clips(range(1000, 1000 + N_SEEDS), LEVEL)


def segments_of(clips, name):
    for clip in clips:
        for seg in clip.segments:
            if seg.name == name:
                yield clip, seg


def angle_between(a, b):
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.arccos(np.clip(cos, -1, 1))


# ---- determinism and config -------------------------------------------------------------------

def test_same_seed_gives_identical_clip_and_other_seeds_differ():
    a, b, c = generate_clip(7), generate_clip(7), generate_clip(8)
    assert np.array_equal(a.joints, b.joints, equal_nan=True)
    assert np.array_equal(a.joints_clean, b.joints_clean)
    assert np.array_equal(a.confidence, b.confidence) and np.array_equal(a.intent, b.intent)
    assert a.caption == b.caption and a.qa == b.qa
    assert a.num_frames != c.num_frames or not np.allclose(a.joints_clean, c.joints_clean)
    assert a.caption != c.caption


def test_clip_contract(clips):
    for clip in clips[:50]:
        assert clip.joints.dtype == np.float32 and clip.joints_clean.dtype == np.float32
        assert clip.fps == 30.0 and clip.source.startswith("synth:seed=")
        assert clip.segments[0].start == 0 and clip.segments[-1].end == clip.num_frames
        for prev, nxt in zip(clip.segments, clip.segments[1:], strict=False):
            assert prev.end == nxt.start
        for seg in clip.segments:
            assert (clip.intent[seg.start:seg.end] == INTENT_INDEX[ACTION_INTENT[seg.name]]).all()
        assert 3.0 < clip.duration < 20.0


@pytest.mark.parametrize("bad", [
    dict(fps=0), dict(duration_range_s=(5.0, 2.0)), dict(body_height_range_m=(0.5, 1.8)),
    dict(dropout_prob=1.5), dict(max_actions=0), dict(action_weights={"dance": 1.0}),
    dict(camera_distance_range_m=(0.2, 3.0)), dict(walk_speed_range_mps=(-1.0, 1.0)),
])
def test_config_rejects_invalid_values(bad):
    with pytest.raises(ValueError):
        SynthConfig(**bad)


def test_every_intent_appears(clips):
    # the default (ten-action) generator has an action for every intent but "other"
    seen = {INTENT_LABELS[i] for clip in clips for i in np.unique(clip.intent)}
    assert seen == set(INTENT_LABELS) - {"other"}


# ---- body and kinematics --------------------------------------------------------------------------

def test_bone_lengths_are_constant_and_human(clips):
    heights = []
    for clip in clips:
        j = clip.joints_clean.astype(np.float64)
        lengths = np.stack([np.linalg.norm(j[:, c] - j[:, p], axis=-1) for p, c in BONES], axis=1)  # (T, 16)
        assert np.abs(lengths - lengths.mean(axis=0)).max() < 1e-5
        mean = dict(zip([c for _, c in BONES], lengths.mean(axis=0), strict=True))
        h = clip.body_height
        heights.append(h)
        assert 1.5 <= h <= 1.95
        for knee, ankle in ((J["left_knee"], J["left_ankle"]), (J["right_knee"], J["right_ankle"])):
            assert 0.2 * h < mean[knee] < 0.3 * h and 0.2 * h < mean[ankle] < 0.3 * h  # thigh, shank
        assert 0.3 < mean[J["right_knee"]] < 0.55  # thigh in metres
        for elbow, wrist in ((J["left_elbow"], J["left_wrist"]), (J["right_elbow"], J["right_wrist"])):
            assert 0.22 < mean[elbow] < 0.42 and 0.17 < mean[wrist] < 0.33
        # left and right limbs within 10 % of each other
        assert abs(mean[J["left_knee"]] / mean[J["right_knee"]] - 1) < 0.1
    assert np.std(heights) > 0.08  # varied bodies


def test_knees_never_bend_backwards_and_joints_stay_in_range(clips):
    for clip in clips:
        j = clip.joints_clean.astype(np.float64)
        hip_axis = j[:, J["left_hip"]] - j[:, J["right_hip"]]  # body's left
        for hip, knee, ankle in (("left_hip", "left_knee", "left_ankle"), ("right_hip", "right_knee", "right_ankle")):
            thigh = j[:, J[knee]] - j[:, J[hip]]
            shank = j[:, J[ankle]] - j[:, J[knee]]
            # flexion rotates the shank backwards about the body's left axis: cross(thigh, shank) . left >= 0
            direction = np.sum(np.cross(thigh, shank) * hip_axis, axis=-1)
            assert direction.min() > -1e-6
            assert np.degrees(angle_between(thigh, shank)).max() <= 150.5
        for sh, el, wr in (("left_shoulder", "left_elbow", "left_wrist"),
                           ("right_shoulder", "right_elbow", "right_wrist")):
            flex = angle_between(j[:, J[el]] - j[:, J[sh]], j[:, J[wr]] - j[:, J[el]])
            assert np.degrees(flex).max() <= 150.5


def test_motion_is_continuous(clips):
    for clip in clips:
        speed = np.linalg.norm(np.diff(clip.joints_clean, axis=0), axis=-1) * clip.fps  # (T-1, 17) m/s
        assert speed.max() < 10.0, clip.source  # no teleporting at action boundaries (a fast swing foot: ~8 m/s)


def test_y_points_down_and_person_is_in_front(level_clips):
    for clip, seg in segments_of(level_clips, "stand"):
        j = clip.joints_clean[seg.start:seg.end]
        assert (j[:, J["head"], 1] < j[:, J["left_ankle"], 1] - 1.2).all()
        assert (j[:, J["head"], 1] < j[:, J["neck_nose"], 1]).all()
    for clip in level_clips:
        assert (clip.joints_clean[:, :, 2] > 0.5).all()


def test_person_facing_camera_is_not_mirrored(level_clips):
    # facing the camera, the person's left shoulder appears on the image's right (larger x)
    n = 0
    for clip, seg in segments_of(level_clips, "wave"):
        mid = (seg.start + seg.end) // 2
        j = clip.joints_clean[mid]
        assert j[J["left_shoulder"], 0] > j[J["right_shoulder"], 0]
        n += 1
    assert n > 5


# ---- walking -----------------------------------------------------------------------------------

def steady_part(clip, seg):
    ramp = int(round(WALK_RAMP_S * clip.fps))
    return seg.start + ramp, seg.end - ramp


def test_walking_speed_matches_the_stated_speed(clips):
    speeds = []
    for name in ("walk_towards", "walk_past", "walk_away"):
        for clip, seg in segments_of(clips, name):
            a, b = steady_part(clip, seg)
            pelvis = clip.joints_clean[:, J["pelvis"]].astype(np.float64)
            measured = np.linalg.norm(pelvis[b] - pelvis[a]) / ((b - a) / clip.fps)
            assert measured == pytest.approx(seg.params["speed_mps"], rel=0.08)
            speeds.append(measured)
            word = seg.params["speed_word"]
            v = seg.params["speed_mps"]
            assert word == ("slow" if v < SLOW_BELOW_MPS else "fast" if v > FAST_ABOVE_MPS else "normal")
    assert min(speeds) < 0.9 and max(speeds) > 1.7


def test_feet_alternate_at_a_human_cadence(clips):
    checked = 0
    for name in ("walk_towards", "walk_past", "walk_away"):
        for clip, seg in segments_of(clips, name):
            a, b = steady_part(clip, seg)
            if b - a < 1.5 * clip.fps:
                continue  # too short to count steps
            j = clip.joints_clean[a:b].astype(np.float64)
            direction = j[-1, J["pelvis"]] - j[0, J["pelvis"]]
            direction /= np.linalg.norm(direction)
            lead = (j[:, J["left_ankle"]] - j[:, J["right_ankle"]]) @ direction  # (n,) + left foot ahead
            changes = np.count_nonzero(np.diff(np.sign(lead)) != 0)
            cadence = changes / ((b - a) / clip.fps)  # steps per second
            assert 0.8 < cadence < 2.8, (clip.source, cadence)
            assert lead.max() > 0.15 and lead.min() < -0.15  # real steps, both feet lead in turn
            checked += 1
    assert checked > 50


def test_walk_directions_relative_to_camera(clips):
    for clip, seg in segments_of(clips, "walk_towards"):
        z = clip.joints_clean[seg.start:seg.end, J["pelvis"], 2]
        assert z[-1] < z[0] - 0.5 * seg.params["speed_mps"]
    for clip, seg in segments_of(clips, "walk_away"):
        z = clip.joints_clean[seg.start:seg.end, J["pelvis"], 2]
        assert z[-1] > z[0] + 0.5 * seg.params["speed_mps"]
    for clip, seg in segments_of(clips, "walk_past"):
        p = clip.joints_clean[seg.start:seg.end, J["pelvis"]]
        dx, dz = p[-1, 0] - p[0, 0], p[-1, 2] - p[0, 2]
        assert abs(dx) > 2.0 * abs(dz)  # mostly lateral
        assert (dx > 0) == (seg.params["direction"] == "left_to_right")


# ---- gestures and postures -----------------------------------------------------------------------

def hand_joints(hand):
    side = "left" if hand == "left" else "right"
    return J[f"{side}_shoulder"], J[f"{side}_elbow"], J[f"{side}_wrist"]


def test_waving_hand_is_above_the_shoulder_and_waves_count_times(level_clips):
    for clip, seg in segments_of(level_clips, "wave"):
        sh, el, wr = hand_joints(seg.params["hand"])
        j = clip.joints_clean[seg.start:seg.end].astype(np.float64)
        raise_n = int(seg.params["raise_s"] * clip.fps) + 1
        waving = j[raise_n:-raise_n]
        assert (waving[:, wr, 1] < waving[:, sh, 1]).all()  # y down: above the shoulder
        flex = angle_between(j[:, el] - j[:, sh], j[:, wr] - j[:, el])  # (n,)
        peaks = np.count_nonzero((flex[1:-1] > flex[:-2]) & (flex[1:-1] >= flex[2:]))
        assert peaks == seg.params["count"], clip.source


def test_pointing_arm_is_extended_at_shoulder_height(level_clips):
    for clip, seg in segments_of(level_clips, "point"):
        sh, el, wr = hand_joints(seg.params["hand"])
        mid = clip.joints_clean[(seg.start + seg.end) // 2].astype(np.float64)
        arm = mid[wr] - mid[sh]
        assert np.linalg.norm(arm) > 0.95 * (np.linalg.norm(mid[el] - mid[sh]) + np.linalg.norm(mid[wr] - mid[el]))
        assert abs(arm[1]) < 0.5 * np.linalg.norm(arm)  # roughly horizontal


def test_handing_over_reaches_forward_at_chest_height(level_clips):
    for clip, seg in segments_of(level_clips, "hand_over"):
        hand = "right" if seg.params["hand"] == "both" else seg.params["hand"]
        sh, _, wr = hand_joints(hand)
        j = clip.joints_clean[(seg.start + seg.end) // 2].astype(np.float64)
        pelvis, thorax = j[J["pelvis"]], j[J["thorax"]]
        # chest height: between the pelvis and slightly above the shoulders
        assert thorax[1] - 0.1 < j[wr, 1] < pelvis[1] - 0.15 or j[sh, 1] - 0.1 < j[wr, 1] < pelvis[1] - 0.15
        torso_up = thorax - pelvis
        reach = j[wr] - j[sh]
        reach_perp = reach - (reach @ torso_up) / (torso_up @ torso_up) * torso_up
        assert np.linalg.norm(reach_perp) > 0.25  # the hand is well away from the body


def test_sitting_lowers_the_pelvis_and_standing_up_raises_it(level_clips):
    for name, sign in (("sit_down", 1), ("stand_up", -1)):
        n = 0
        for clip, seg in segments_of(level_clips, name):
            y = clip.joints_clean[seg.start:seg.end, J["pelvis"], 1]  # y down: sitting increases y
            assert sign * (y[-1] - y[0]) > 0.2 * clip.body_height
            n += 1
        assert n > 3


def test_picking_up_reaches_the_floor(level_clips):
    for clip, seg in segments_of(level_clips, "pick_up"):
        j = clip.joints_clean[seg.start:seg.end]
        wrists = ([J["left_wrist"], J["right_wrist"]] if seg.params["hand"] == "both"
                  else [hand_joints(seg.params["hand"])[2]])
        floor_gap = j[:, [J["left_ankle"]], 1] - j[:, wrists, 1]  # (n, k) wrist height above the ankle
        assert floor_gap.min() < 0.3, clip.source
        assert j[:, J["head"], 1].max() > j[0, J["head"], 1] + 0.4  # the head goes down


# ---- corruption --------------------------------------------------------------------------------

def test_dropouts_are_nan_with_zero_confidence(clips):
    lost_total = 0
    for clip in clips:
        lost = np.isnan(clip.joints).any(axis=-1)
        assert (np.isnan(clip.joints).all(axis=-1) == lost).all()
        assert (clip.confidence[lost] == 0).all()
        assert (clip.confidence[~lost] > 0).all() and clip.confidence.max() <= 1.0
        assert not np.isnan(clip.joints_clean).any()
        lost_total += lost.mean()
    assert 0.01 < lost_total / len(clips) < 0.15


def test_jitter_grows_with_distance():
    cfg = SynthConfig(dropout_prob=0.0, outlier_frame_prob=0.0)
    near, far = [], []
    for clip in generate_clips(range(60), cfg):
        err = np.linalg.norm(clip.joints - clip.joints_clean, axis=-1)  # (T, 17)
        depth = clip.joints_clean[..., 2]
        near.extend(err[depth < 3.0])
        far.extend(err[depth > 6.0])
    assert np.median(far) > 1.3 * np.median(near)
    assert np.median(near) < 0.05


def test_outlier_frames_happen():
    cfg = SynthConfig(outlier_frame_prob=0.2, dropout_prob=0.0, jitter_base_m=0.0, jitter_per_m=0.0)
    clip = generate_clip(3, cfg)
    err = np.linalg.norm(clip.joints - clip.joints_clean, axis=-1).max(axis=1)  # (T,)
    assert 0.05 < np.mean(err > 0.1) < 0.4


# ---- language ----------------------------------------------------------------------------------

def test_captions_name_exactly_the_actions_in_the_clip(clips):
    for clip in clips:
        caption = clip.caption.lower()
        present = {ACTION_INTENT[s.name] for s in clip.segments}
        for intent, words in ACTION_WORDS.items():
            named = any(w in caption for w in words)
            assert named == (intent in present), (intent, clip.caption)


def test_captions_and_answers_state_hand_count_direction_and_speed(clips):
    for clip in clips:
        hand_segments = [s for s in clip.segments if "hand" in s.params]
        answers = " ".join(a for _, a in clip.qa).lower()
        for seg in clip.segments:
            if seg.name == "wave":
                assert NUMBER_WORDS[seg.params["count"]] in clip.caption
                assert NUMBER_WORDS[seg.params["count"]] in answers
            if seg.name == "walk_past":
                assert seg.params["direction"].replace("_", " ") in clip.caption
            if seg.name.startswith("walk"):
                assert f"{seg.params['speed_mps']:.1f} m/s" in answers
                assert seg.params["speed_word"] in answers
            if seg.name == "point":
                side = {"left": "left", "right": "right", "forward": ("ahead", "forward")}[seg.params["direction"]]
                assert any(w in answers for w in ((side,) if isinstance(side, str) else side))
        if len(hand_segments) == 1:  # unambiguous: the only hand mentioned is that one
            hand = hand_segments[0].params["hand"]
            other = {"left": "right hand", "right": "left hand", "both": "right hand"}[hand]
            said = ("both hands",) if hand == "both" else (f"{hand} hand", f"{hand} arm")
            assert any(w in clip.caption for w in said) or hand_segments[0].name == "pick_up"
            assert other not in clip.caption


def test_what_next_answers_describe_the_following_action(clips):
    n = 0
    for clip in clips:
        for q, a in clip.qa:
            if "after" in q and q.startswith(("What does the person do after", "What happens next")):
                # the answer names the next action: find which segment the question is about
                n += 1
                named = {i for i, words in ACTION_WORDS.items() if any(w in a.lower() for w in words)}
                assert len(named) == 1
                nxt_intents = [ACTION_INTENT[s.name] for s in clip.segments[1:]]
                assert named.pop() in nxt_intents
    assert n > 100


def test_phrasing_varies(clips):
    wave_captions = {c.caption.split(" ", 1)[0] for c in clips}
    assert len(wave_captions) >= 3  # different subjects
    questions = {q for c in clips for q, _ in c.qa if "wave" in q}
    assert len(questions) >= 3
