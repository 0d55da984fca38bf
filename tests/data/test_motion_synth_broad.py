"""Broad procedural generator: every catalogue action, measured on the output skeleton.

Each family's test measures the action's defining kinematics on the joints (world frame recovered from
the plan's camera), independently of the generator's parameters: airborne phases from the ankles' height,
speeds from the pelvis track, torso inclination from pelvis->thorax, turns from the shoulder line.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from llamo_ros.data.motion_synth import (
    ACTIONS, ALL_ACTIONS, CATALOGUE, FAMILIES, NO_INTENT, POSTURES, SynthConfig, broad_config, generate_clip,
    plan_scene,
)
from llamo_ros.data.motion_synth.showcase import action_clip, segment_of
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.skeleton import BONES, JOINT_INDEX as J

SEEDS = (0, 1, 2)


def world(clip, plan):
    """Camera-frame joints (T, 17, 3) -> world (x, y up, z) metres."""
    return clip.joints_clean.astype(np.float64) @ plan.camera.rotation() + np.array([0.0, plan.camera.height_m, 0.0])


def measured(name, seed, **overrides):
    clip, plan = action_clip(name, seed, **overrides)
    seg = segment_of(clip, name)
    return world(clip, plan)[seg.start:seg.end], clip, plan, seg


def torso_tilt_deg(w):
    """(T,) angle of pelvis->thorax from vertical, degrees."""
    v = w[:, J["thorax"]] - w[:, J["pelvis"]]
    return np.degrees(np.arccos(np.clip(v[:, 1] / np.linalg.norm(v, axis=-1), -1, 1)))


def floor_gap(w, joint):
    return w[:, J[joint], 1]


def airborne(w, margin):
    """(T,) both ankles more than `margin` m above their lowest height in the segment."""
    low = min(w[:, J["left_ankle"], 1].min(), w[:, J["right_ankle"], 1].min())
    return (w[:, J["left_ankle"], 1] > low + margin) & (w[:, J["right_ankle"], 1] > low + margin)


def ground_speed(w, fps):
    return np.linalg.norm(np.diff(w[:, J["pelvis"], ::2], axis=0), axis=-1) * fps  # (T-1,) m/s


# ---- catalogue and config -------------------------------------------------------------------------

def test_catalogue_covers_the_families_intents_and_postures():
    assert len(ALL_ACTIONS) >= 30 and ALL_ACTIONS[:10] == ACTIONS
    assert {s.family for s in CATALOGUE.values()} == set(FAMILIES)
    for name, spec in CATALOGUE.items():
        assert spec.intent is None or spec.intent == "by_direction" or spec.intent in INTENT_LABELS, name
        assert spec.start_posture in POSTURES and spec.end_posture in POSTURES
    # every posture an action leaves is one some action can start from (no dead end)
    assert {s.end_posture for s in CATALOGUE.values()} <= {s.start_posture for s in CATALOGUE.values()}
    assert CATALOGUE["get_up_face_down"].intent == "standing_up" and CATALOGUE["jump"].intent is None


def test_broad_config_ranges_and_validation():
    cfg = broad_config()
    assert cfg.camera_height_range_m == (0.5, 3.0) and cfg.camera_pitch_range_deg == (0.0, 35.0)
    assert cfg.walk_speed_range_mps == (0.8, 1.8) and set(cfg.actions) == set(ALL_ACTIONS)
    with pytest.raises(ValueError):
        SynthConfig(actions=("moonwalk",))
    with pytest.raises(ValueError):
        SynthConfig(run_speed_range_mps=(5.0, 3.0))


# ---- every action: shape, bones, view, continuity ----------------------------------------------------

@pytest.mark.parametrize("name", ALL_ACTIONS)
def test_every_action_is_finite_rigid_in_view_and_continuous(name):
    for seed in SEEDS:
        clip, plan = action_clip(name, seed)
        j = clip.joints_clean.astype(np.float64)
        assert j.shape == (clip.num_frames, 17, 3) and np.isfinite(j).all()
        lengths = np.stack([np.linalg.norm(j[:, c] - j[:, p], axis=-1) for p, c in BONES], axis=1)
        assert np.abs(lengths - lengths.mean(axis=0)).max() < 1e-4
        hx, vy = (math.tan(math.radians(f) / 2) for f in (90.0, 65.0))
        assert (j[..., 2] > 0.5).all()
        assert (np.abs(j[..., 0]) <= hx * j[..., 2]).all() and (np.abs(j[..., 1]) <= vy * j[..., 2]).all()
        speed = np.linalg.norm(np.diff(j, axis=0), axis=-1) * clip.fps
        assert speed.max() < 20.0, (name, seed, speed.max())  # a throw's hand reaches ~15 m/s; nothing teleports
        w = world(clip, plan)
        assert w[..., 1].min() > -0.02  # nothing goes through the floor
        assert [s.name for s in clip.segments][-1] == name


def test_broad_clips_chain_postures_and_label_intents():
    cfg = broad_config()
    seen = set()
    for seed in range(80):
        clip = generate_clip(seed, cfg)
        names = [s.name for s in clip.segments]
        seen |= set(names)
        for a, b in zip(names, names[1:], strict=False):
            assert CATALOGUE[a].end_posture == CATALOGUE[b].start_posture, names
        assert ((clip.intent >= 0) & (clip.intent <= NO_INTENT)).all()
        j = clip.joints_clean
        hx, vy = (math.tan(math.radians(f) / 2) for f in cfg.camera_fov_deg)
        assert (j[..., 2] > 0.5).all() and (np.abs(j[..., 0]) <= hx * j[..., 2]).all()
        assert (np.abs(j[..., 1]) <= vy * j[..., 2]).all()
        assert np.linalg.norm(np.diff(j, axis=0), axis=-1).max() * clip.fps < 20.0  # joined without jumps
        for s in clip.segments:
            if CATALOGUE[s.name].intent is None:
                assert (clip.intent[s.start:s.end] == NO_INTENT).all()
        assert clip.caption
    assert len(seen) >= 28
    cams = [plan_scene(s, cfg).camera for s in range(80)]
    assert min(c.height_m for c in cams) < 1.0 and max(c.height_m for c in cams) > 2.5
    assert max(c.pitch_deg for c in cams) > 25


# ---- locomotion --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["jog", "run"])
def test_running_is_fast_with_a_flight_phase(name):
    for seed in SEEDS:
        w, clip, _, seg = measured(name, seed)
        v = ground_speed(w, clip.fps)
        steady = v[len(v) // 3: 2 * len(v) // 3]
        assert 2.3 < np.median(steady) < 5.2, (seed, np.median(steady))
        assert airborne(w, 0.02)[len(w) // 3: 2 * len(w) // 3].mean() > 0.1  # both feet off the floor


def test_long_walks_are_realistic_turn_gradually_and_stop():
    for seed in SEEDS:
        w, clip, _, seg = measured("walk", seed, stroll_prob=0.0)   # strolls: test_standing_styles
        assert seg.end - seg.start >= 6 * clip.fps
        v = ground_speed(w, clip.fps)
        assert 0.7 < v.max() < 2.0
        assert v[:3].max() < 0.3  # starts standing
        if seg.params.get("walks_on"):   # the clip ends while the person walks on
            assert v[-3:].min() > 0.5 and seg.end == clip.num_frames
        else:
            assert v[-3:].max() < 0.1    # ends standing
        vel = np.diff(w[:, J["pelvis"], ::2], axis=0)
        moving = np.linalg.norm(vel, axis=-1) * clip.fps > 0.5
        yaw = np.unwrap(np.arctan2(vel[:, 0], vel[:, 1]))
        rate = np.abs(np.diff(yaw)) * clip.fps
        sway_ok = rate[moving[1:] & moving[:-1]]
        assert np.percentile(sway_ok, 95) < math.radians(120)  # no sharp turns while walking
        assert not airborne(w, 0.03).any()


@pytest.mark.parametrize("name", ["walk", "jog", "run"])
def test_a_clip_may_end_with_the_person_moving_on(name):
    # real walkers leave the view walking; walk_on_prob sets how often the generator's last gait does
    for seed in SEEDS:
        on, plan_on = action_clip(name, seed, walk_on_prob=1.0)
        off, _ = action_clip(name, seed, walk_on_prob=0.0)
        seg_on, seg_off = segment_of(on, name), segment_of(off, name)
        w_on = world(on, plan_on)
        v_on = ground_speed(w_on[seg_on.start:seg_on.end], on.fps)
        if seg_on.params.get("walks_on"):
            assert v_on[-3:].min() > 0.6 * seg_on.params["speed_mps"]
        assert not seg_off.params.get("walks_on")


# ---- whole body ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["jump", "jump_forward"])
def test_jumps_leave_the_floor(name):
    for seed in SEEDS:
        w, clip, _, seg = measured(name, seed)
        up = airborne(w, 0.08)
        assert up.sum() >= 3
        pelvis = w[:, J["pelvis"], 1]
        assert pelvis.max() > pelvis[0] + 0.08
        travel = np.linalg.norm(w[-1, J["pelvis"], ::2] - w[0, J["pelvis"], ::2])
        assert (travel > 0.4) if name == "jump_forward" else (travel < 0.2)


def test_hop_is_airborne_on_one_foot():
    for seed in SEEDS:
        w, *_ = measured("hop", seed)
        up = airborne(w, 0.03)
        assert up.sum() >= 3
        gap = np.abs(w[:, J["left_ankle"], 1] - w[:, J["right_ankle"], 1])
        assert np.median(gap[len(w) // 4: 3 * len(w) // 4]) > 0.15  # one foot held up


@pytest.mark.parametrize("name,least_deg", [("spin", 300), ("turn", 80)])
def test_turning_rotates_the_shoulder_line(name, least_deg):
    for seed in SEEDS:
        w, *_ = measured(name, seed)
        line = w[:, J["left_shoulder"], ::2] - w[:, J["right_shoulder"], ::2]
        yaw = np.degrees(np.unwrap(np.arctan2(line[:, 0], line[:, 1])))
        assert abs(yaw[-1] - yaw[0]) >= least_deg
        travel = np.linalg.norm(w[-1, J["pelvis"], ::2] - w[0, J["pelvis"], ::2])
        assert travel < 0.3  # in place


def test_crawl_moves_with_the_torso_horizontal():
    for seed in SEEDS:
        w, clip, _, seg = measured("crawl", seed)
        flat = torso_tilt_deg(w) > 60
        assert flat.mean() > 0.3
        idx = np.flatnonzero(flat)
        travel = np.linalg.norm(w[idx[-1], J["pelvis"], ::2] - w[idx[0], J["pelvis"], ::2])
        assert travel > 0.3
        assert torso_tilt_deg(w)[-1] < 15  # back on the feet


def test_stretch_and_reach_up_raise_the_wrists_above_the_head():
    for name, both in (("stretch", True), ("reach_up", False)):
        for seed in SEEDS:
            w, *_ = measured(name, seed)
            above = w[:, [J["left_wrist"], J["right_wrist"]], 1] > w[:, [J["head"]], 1]
            assert (above.all(axis=1) if both else above.any(axis=1)).any(), (name, seed)


def test_dance_bounces_rhythmically():
    for seed in SEEDS:
        w, clip, *_ = measured("dance", seed)
        y = w[:, J["pelvis"], 1] - np.convolve(w[:, J["pelvis"], 1], np.ones(15) / 15, mode="same")
        core = y[15:-15]
        crossings = np.count_nonzero(np.diff(np.sign(core)) > 0) / (len(core) / clip.fps)  # per second
        assert 1.0 < crossings < 3.0 and np.ptp(core) > 0.02


# ---- postures -----------------------------------------------------------------------------------------

def test_lie_down_ends_horizontal_on_the_floor_face_up():
    for seed in SEEDS:
        w, clip, plan, _ = measured("lie_down", seed)
        assert torso_tilt_deg(w)[0] < 15 and torso_tilt_deg(w)[-1] > 75
        assert w[-1, J["pelvis"], 1] < 0.3
        nose_above = w[-1, J["neck_nose"], 1] - w[-1, J["thorax"], 1]
        assert nose_above > 0.0  # face up: the nose is above the chest line


@pytest.mark.parametrize("name", ["get_up_face_up", "get_up_face_down"])
def test_get_up_ends_upright(name):
    for seed in SEEDS:
        w, *_ = measured(name, seed)
        assert torso_tilt_deg(w)[0] > 75 and torso_tilt_deg(w)[-1] < 15
        assert w[-1, J["head"], 1] > 1.3


def test_fall_drops_fast_to_lying_face_down():
    for seed in SEEDS:
        w, clip, *_ = measured("fall", seed)
        head = w[:, J["head"], 1]
        down = np.flatnonzero(head < 0.4)
        assert len(down) and down[0] / clip.fps < 1.6
        assert torso_tilt_deg(w)[-1] > 75
        assert w[-1, J["neck_nose"], 1] < w[-1, J["head"], 1] + 0.05  # face down


@pytest.mark.parametrize("name", ["squat", "crouch", "kneel"])
def test_lowering_postures_go_down_and_come_back(name):
    for seed in SEEDS:
        w, clip, plan, _ = measured(name, seed)
        pelvis = w[:, J["pelvis"], 1]
        assert pelvis.min() < pelvis[0] - (0.2 * plan.body.height if name != "kneel" else 0.25)
        assert abs(pelvis[-1] - pelvis[0]) < 0.03
        if name == "kneel":
            knees = w[:, [J["left_knee"], J["right_knee"]], 1].min(axis=1)
            assert knees.min() < 0.12  # a knee on the floor


# ---- gestures -----------------------------------------------------------------------------------------

def test_clap_brings_the_wrists_together_repeatedly():
    for seed in SEEDS:
        w, clip, _, seg = measured("clap", seed)
        d = np.linalg.norm(w[:, J["left_wrist"]] - w[:, J["right_wrist"]], axis=-1)
        together = d < 0.1
        meetings = np.count_nonzero(np.diff(together.astype(int)) == 1)
        assert meetings >= 3 and d.max() > 0.25


def test_nod_and_head_shake_move_the_head_not_the_trunk():
    for seed in SEEDS:
        for name in ("nod", "head_shake"):
            w, *_ = measured(name, seed)
            side = w[:, J["left_shoulder"]] - w[:, J["right_shoulder"]]
            side /= np.linalg.norm(side, axis=-1, keepdims=True)
            facing = np.cross(side, np.array([0.0, 1.0, 0.0]))  # body forward in the floor plane
            if name == "nod":  # the head top tips forward and back
                signal = np.sum((w[:, J["head"]] - w[:, J["neck_nose"]]) * facing, axis=-1)
            else:  # the nose swings from side to side
                signal = np.sum((w[:, J["neck_nose"]] - w[:, J["thorax"]]) * side, axis=-1)
            signal = signal - np.median(signal)
            peaks = np.count_nonzero((signal[1:-1] > signal[:-2]) & (signal[1:-1] >= signal[2:])
                                     & (np.abs(signal[1:-1]) > 0.01))
            assert peaks >= 2, (name, seed)
            assert torso_tilt_deg(w).max() < 12


def test_bow_bends_the_trunk_and_returns():
    for seed in SEEDS:
        w, *_ = measured("bow", seed)
        tilt = torso_tilt_deg(w)
        assert tilt.max() > 20 and tilt[-1] < 10


# ---- objects and combat --------------------------------------------------------------------------------

def test_carry_and_push_walk_with_the_hands_in_front():
    for name in ("carry", "push"):
        for seed in SEEDS:
            w, clip, *_ = measured(name, seed)
            mid = slice(len(w) // 3, 2 * len(w) // 3)
            assert np.median(ground_speed(w, clip.fps)[mid]) > 0.3
            fwd = w[:, J["thorax"]] - w[:, J["pelvis"]]
            hip = w[:, J["left_hip"]] - w[:, J["right_hip"]]
            facing = np.cross(hip, np.array([0.0, 1.0, 0.0]))  # body forward in the floor plane
            facing /= np.linalg.norm(facing, axis=-1, keepdims=True)
            for wr in ("left_wrist", "right_wrist"):
                ahead = np.sum((w[:, J[wr]] - w[:, J["pelvis"]]) * facing, axis=-1)
                assert np.median(ahead[mid]) > 0.2, (name, seed)
            if name == "push":
                assert np.median(torso_tilt_deg(w)[mid]) > 12
            del fwd


def test_throw_and_punch_move_the_hand_fast():
    for name, least in (("throw", 4.0), ("punch", 3.0)):
        for seed in SEEDS:
            w, clip, *_ = measured(name, seed)
            v = np.linalg.norm(np.diff(w[:, [J["left_wrist"], J["right_wrist"]]], axis=0), axis=-1) * clip.fps
            assert v.max() > least, (name, seed, v.max())
    for seed in SEEDS:  # a punch straightens the arm
        w, clip, plan, _ = measured("punch", seed)
        reach = max(np.linalg.norm(w[:, J[f"{s}_wrist"]] - w[:, J[f"{s}_shoulder"]], axis=-1).max()
                    for s in ("left", "right"))
        assert reach > 0.93 * (plan.body.upper_arm + plan.body.forearm)


def test_kick_raises_an_ankle_above_its_knee_fast():
    for seed in SEEDS:
        w, clip, *_ = measured("kick", seed)
        ok = False
        for s in ("left", "right"):
            above = w[:, J[f"{s}_ankle"], 1] > w[:, J[f"{s}_knee"], 1]
            rise = np.diff(w[:, J[f"{s}_ankle"], 1]) * clip.fps
            ok |= bool(above.any() and rise.max() > 2.0)
        assert ok, seed


# ---- the pose estimator's clip-constant errors ---------------------------------------------------------

def _bone_lengths(joints):
    """(T, 17, 3) -> (T, len(BONES)) metres."""
    return np.stack([np.linalg.norm(joints[:, a] - joints[:, b], axis=-1) for a, b in BONES], axis=-1)


def test_estimator_bias_changes_the_skeleton_per_clip_not_the_truth():
    """With the bias the noisy skeleton's proportions and torso direction differ from the exact body's by a
    clip-constant amount (beyond the white jitter); the exact joints, the root and the clip's frames are those
    of the same seed without it."""
    plain = dict(jitter_base_m=0.0, jitter_per_m=0.0, outlier_frame_prob=0.0, dropout_prob=0.0,
                 root_depth_noise_range=(0.0, 0.0), wobble_per_m_range=(0.0, 0.0))
    ratios, tilts = [], []
    for seed in range(12):
        off = generate_clip(seed, broad_config(pose_tilt_std_deg=0.0, pose_scale_range=(1.0, 1.0),
                                               joint_bias_std_m=0.0, vary_proportions=False, head_at_eyes_prob=0.0,
                                               **plain))
        on = generate_clip(seed, broad_config(**plain))
        np.testing.assert_array_equal(on.joints_clean, off.joints_clean)
        np.testing.assert_allclose(on.joints[:, J["pelvis"]], off.joints[:, J["pelvis"]], atol=1e-5)
        np.testing.assert_allclose(off.joints, off.joints_clean, atol=1e-5)   # no noise at all without the bias
        ratio = _bone_lengths(on.joints) / _bone_lengths(on.joints_clean)   # (T, bones)
        ratios.append(float(np.median(ratio)))
        torso = lambda j: j[:, J["thorax"]] - j[:, J["pelvis"]]     # noqa: E731
        a, b = torso(on.joints), torso(on.joints_clean)
        cos = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
        tilts.append(float(np.degrees(np.arccos(np.clip(np.median(cos), -1, 1)))))
    ratios, tilts = np.array(ratios), np.array(tilts)
    assert ratios.min() < 0.95 and ratios.max() < 1.25 and np.ptp(ratios) > 0.05   # proportions differ per clip
    assert np.median(tilts) > 2.0 and tilts.max() < 60.0                          # torsos turned, by a few degrees
    with pytest.raises(ValueError):
        SynthConfig(pose_scale_range=(1.1, 0.9))


def test_metric_root_error_moves_the_whole_skeleton_along_the_camera_ray():
    """Per frame the skeleton shifts rigidly along the ray through the exact pelvis, by a Gaussian error whose std
    is the configured fraction of the distance; off by default."""
    assert SynthConfig().root_depth_noise_range == (0.0, 0.0)
    plain = dict(jitter_base_m=0.0, jitter_per_m=0.0, outlier_frame_prob=0.0, dropout_prob=0.0,
                 wobble_per_m_range=(0.0, 0.0))
    fractions = []
    for seed in range(6):
        off = generate_clip(seed, broad_config(**plain, root_depth_noise_range=(0.0, 0.0)))
        on = generate_clip(seed, broad_config(**plain, root_depth_noise_range=(0.03, 0.03)))
        np.testing.assert_array_equal(on.joints_clean, off.joints_clean)
        shift = on.joints.astype(np.float64) - off.joints                      # (T, 17, 3)
        np.testing.assert_allclose(shift, shift[:, :1].repeat(17, axis=1), atol=1e-4)  # rigid: one shift per frame
        pelvis = on.joints_clean[:, J["pelvis"]].astype(np.float64)
        distance = np.linalg.norm(pelvis, axis=1)
        ray = pelvis / distance[:, None]
        along = (shift[:, 0] * ray).sum(1)
        np.testing.assert_allclose(shift[:, 0], along[:, None] * ray, atol=1e-4)   # along the ray only
        fractions.append(along / distance)
    assert np.std(np.concatenate(fractions)) == pytest.approx(0.03, rel=0.1)
    with pytest.raises(ValueError):
        SynthConfig(root_depth_noise_range=(0.05, 0.01))


def test_estimator_wobble_is_slow_largest_at_the_wrists_and_off_by_default():
    """The slow per-joint error: std per metre of depth as configured at the wrists, less at the thorax, none at
    the root; AR(1) with the configured correlation time; the exact joints untouched; off by default."""
    assert SynthConfig().wobble_per_m_range == (0.0, 0.0)
    plain = dict(jitter_base_m=0.0, jitter_per_m=0.0, outlier_frame_prob=0.0, dropout_prob=0.0,
                 root_depth_noise_range=(0.0, 0.0))
    wrists, thorax, lag1 = [], [], []
    for seed in range(6):
        off = generate_clip(seed, broad_config(**plain, wobble_per_m_range=(0.0, 0.0)))
        on = generate_clip(seed, broad_config(**plain, wobble_per_m_range=(0.01, 0.01), wobble_time_constant_s=0.3))
        np.testing.assert_array_equal(on.joints_clean, off.joints_clean)
        error = on.joints.astype(np.float64) - off.joints                             # (T, 17, 3) m
        np.testing.assert_allclose(error[:, J["pelvis"]], 0.0, atol=1e-6)
        depth = on.joints_clean[..., 2].astype(np.float64)[..., None]               # (T, 17, 1) m
        per_m = error / depth
        wrists.append(per_m[:, [J["left_wrist"], J["right_wrist"]]].reshape(len(per_m), -1))
        thorax.append(per_m[:, J["thorax"]])
        x = wrists[-1] - wrists[-1].mean(0)
        lag1.append(float((x[1:] * x[:-1]).sum() / (x * x).sum()))
    assert np.std(np.concatenate(wrists)) == pytest.approx(0.01, rel=0.2)
    assert np.std(np.concatenate(thorax)) == pytest.approx(0.01 * 0.3, rel=0.25)
    assert np.mean(lag1) == pytest.approx(math.exp(-1.0 / (30.0 * 0.3)), abs=0.05)   # white noise: ~0
    with pytest.raises(ValueError):
        SynthConfig(wobble_per_m_range=(0.02, 0.01))


def test_arm_carriage_raises_or_stills_the_arms_of_walkers_and_standers():
    """The same scene with arm_carriage_prob 1 vs 0 (its own random stream, so the plan is otherwise the same):
    every walking/standing segment carries its arms; a carried wrist is higher in the middle of the segment (a
    pocket, a phone, crossed arms...) or, for a bag in the hand, swings less; the intents are unchanged."""
    plain = dict(jitter_base_m=0.0, jitter_per_m=0.0, outlier_frame_prob=0.0, dropout_prob=0.0,
                 pose_tilt_std_deg=0.0, pose_scale_range=(1.0, 1.0), joint_bias_std_m=0.0, vary_proportions=False,
                 head_at_eyes_prob=0.0, stand_style_prob=0.0)   # a stand's own arm styles are not carriages
    styles = set()
    for seed in range(30):
        off = generate_clip(seed, broad_config(arm_carriage_prob=0.0, **plain))
        on = generate_clip(seed, broad_config(arm_carriage_prob=1.0, **plain))
        plan = plan_scene(seed, broad_config(arm_carriage_prob=0.0, **plain))
        np.testing.assert_array_equal(on.intent, off.intent)
        w_on, w_off = world(on, plan), world(off, plan)
        for seg in on.segments:
            carriage = seg.params.get("arm_carriage")
            assert (carriage is not None) == (seg.name in ("stand", "walk_towards", "walk_past", "walk_away", "walk"))
            if carriage is None or seg.end - seg.start < 2 * on.fps:
                continue
            styles.add(carriage["style"])
            mid = slice(seg.start + int(0.7 * on.fps), seg.end - int(0.7 * on.fps))   # past the 0.5 s ramps
            for side in carriage["arms"]:
                wrist = J["left_wrist" if side == "l" else "right_wrist"]
                up_on = (w_on[mid, wrist, 1] - w_on[mid, J["pelvis"], 1])
                up_off = (w_off[mid, wrist, 1] - w_off[mid, J["pelvis"], 1])
                if carriage["style"] == "relaxed":   # any arm pose, hanging included
                    continue
                if carriage["style"] == "bag_in_hand":
                    if seg.name != "stand":   # a standing arm does not swing anyway
                        assert up_on.std() < up_off.std(), (seed, seg.name)
                else:
                    assert up_on.mean() > up_off.mean() + 0.05, (seed, seg.name, carriage["style"])
    assert len(styles) >= 4


def test_estimated_proportions_scale_each_bone_group_by_one_factor_per_clip():
    """vary_proportions: every bone's length is its exact length times one factor per clip and bone group, within
    the group's range; head_at_eyes_prob 1: the head joint lies on the nose-head-top line at the eyes."""
    from llamo_ros.data.motion_synth.config import ESTIMATED_PROPORTIONS, EYES_ALONG_HEAD
    plain = dict(jitter_base_m=0.0, jitter_per_m=0.0, outlier_frame_prob=0.0, dropout_prob=0.0,
                 pose_tilt_std_deg=0.0, pose_scale_range=(1.0, 1.0), joint_bias_std_m=0.0)
    factors = {}
    for seed in range(6):
        clip = generate_clip(seed, broad_config(vary_proportions=True, head_at_eyes_prob=1.0, **plain))
        ratio = _bone_lengths(clip.joints) / _bone_lengths(clip.joints_clean)            # (T, bones)
        np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:1], ratio.shape), rtol=1e-4)   # constant in time
        by_child = {child: ratio[0, i] for i, (_, child) in enumerate(BONES)}
        for group, (names, (lo, hi)) in ESTIMATED_PROPORTIONS.items():
            values = [by_child[J[n]] for n in names]
            assert np.ptp(values) < 1e-4, group                                          # one factor per group
            if group != "head":
                assert lo - 1e-4 <= values[0] <= hi + 1e-4, group
                factors.setdefault(group, []).append(values[0])
        assert EYES_ALONG_HEAD[0] - 1e-4 <= by_child[J["head"]] <= EYES_ALONG_HEAD[1] + 1e-4
    assert all(np.ptp(v) > 0.01 for v in factors.values())                               # drawn per clip
