"""People standing about (`motion_synth.standing_styles`) and strolling, measured on the output skeleton.

Each style is checked on the joints of one styled stand (world frame recovered from the plan's camera), and all
of them against the kinematic descriptors: a styled stand must still measure as standing and as nothing else a
caption or the intent evidence could name (`action_rules.supported_actions`, `kinematic_evidence.plain_motion`).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from llamo_ros.behavior.kinematic_evidence import plain_motion
from llamo_ros.data.motion_synth import (
    PEDESTRIAN_STANDING, STAND_STYLES, STROLL_SPEED_MPS, SynthConfig, broad_config, generate_clip, plan_scene,
)
from llamo_ros.data.motion_synth.arm_carriage import plan_arm_carriage
from llamo_ros.data.motion_synth.locomotion import plan_stroll
from llamo_ros.data.motion_synth.render import _corrupt, _render
from llamo_ros.data.motion_synth.standing_styles import ARM_STYLES, PLANNERS, plan_stand_styles
from llamo_ros.motion.action_rules import supported_actions
from llamo_ros.motion.descriptors import describe_motion
from llamo_ros.motion.intents import INTENT_INDEX
from llamo_ros.skeleton import JOINT_INDEX as J
from llamo_ros.training.data import default_training_config

WINDOW_S = 3.2
STAND_S = 6.0
# what a standing person's measured motion may also show: noise on the head (nod, head_shake), turning
ALLOWED_EXTRA = {"nod", "head_shake", "turn"}


def styled_stand(seed: int, styles=None, carriage: bool = False, styled: bool = True, duration: float = STAND_S):
    """A broad-config clip of one stand, `duration` s, with `styles` (default: the drawn ones), re-planned for that
    duration as `plan_stand_styles` does. Returns (clean joints (T, 17, 3) optical, noisy joints, confidence, fps,
    plan, world joints (T, 17, 3) x, y up, z)."""
    cfg = broad_config(actions=("stand",), max_actions=1, duration_range_s=(60.0, 60.0), seated_start_prob=0.0,
                       arm_carriage_prob=0.7 if carriage else 0.0, stand_style_prob=1.0)
    plan = plan_scene(seed, cfg)
    plan_arm_carriage(plan.actions, cfg.arm_carriage_prob, np.random.default_rng([seed, 3]))
    rng = np.random.default_rng([seed, 4])
    plan_stand_styles(plan.actions, 1.0, rng)
    params = plan.actions[0][1]
    params["duration_s"] = duration
    held = params.get("arm_carriage", {}).get("arms", {})
    free = tuple(s for s in ("l", "r") if s not in held) or ("l", "r")
    names = list(styles or params["stand_styles"])
    params["stand_styles"] = ({s: PLANNERS[s](duration, rng, *((free,) if s in ARM_STYLES else ())) for s in names}
                              if styled else {})
    clean, intent, _ = _render(plan, cfg.fps)
    assert (intent == INTENT_INDEX["standing_idle"]).all()
    joints, confidence = _corrupt(clean, cfg, np.random.default_rng([seed, 1]))
    world = clean @ plan.camera.rotation() + np.array([0.0, plan.camera.height_m, 0.0])
    return clean.astype(np.float32), joints, confidence, cfg.fps, plan, world


def middle(world, fps):
    """Frames past the styles' 0.5 s fade-in and before their fade-out."""
    return world[int(0.6 * fps):len(world) - int(0.6 * fps)]


def horizontal_left(world):
    """(T, 2) unit vectors (world x, z) of the body's left, from the hips."""
    v = world[:, J["left_hip"], ::2] - world[:, J["right_hip"], ::2]
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def yaw(v):
    return np.unwrap(np.arctan2(v[..., 0], v[..., 1]))


# ---- the switch ---------------------------------------------------------------------------------------

def test_without_the_switch_clips_are_bit_identical_and_no_stream_is_drawn():
    """Default SynthConfig = stand_style_prob 0 = stroll_prob 0, bit for bit (that the default clips are still the
    original generator's is test_motion_synth_default_compat), and at probability 0 the planners draw nothing."""
    for seed in range(4):
        a, b = generate_clip(seed), generate_clip(seed, SynthConfig(stand_style_prob=0.0, stroll_prob=0.0))
        np.testing.assert_array_equal(a.joints_clean, b.joints_clean)
        np.testing.assert_array_equal(a.joints, b.joints)
        assert a.caption == b.caption
        off = generate_clip(seed, broad_config(stand_style_prob=0.0, stroll_prob=0.0))
        assert not any("stand_styles" in s.params or "arm_swing" in s.params for s in off.segments)
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    actions = [("stand", {"duration_s": 2.0})]
    plan_stand_styles(actions, 0.0, rng)
    assert plan_stroll(0.0, rng) == {}
    assert rng.bit_generator.state == state and actions == [("stand", {"duration_s": 2.0})]


def test_the_switch_changes_the_stands_only_and_is_on_where_the_arms_are():
    assert SynthConfig().stand_style_prob == 0.0 and SynthConfig().stroll_prob == 0.0
    for name, value in PEDESTRIAN_STANDING.items():
        assert getattr(broad_config(), name) == value and getattr(default_training_config(), name) == value
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            SynthConfig(stand_style_prob=bad)
        with pytest.raises(ValueError):
            SynthConfig(stroll_prob=bad)
    seen = 0
    for seed in range(40):   # styles on or off: the same scene, carriages and strolls (their own streams)
        on = generate_clip(seed, broad_config(stand_style_prob=1.0))
        off = generate_clip(seed, broad_config(stand_style_prob=0.0))
        assert [s.name for s in on.segments] == [s.name for s in off.segments]
        for a, b in zip(on.segments, off.segments, strict=True):
            if a.name == "stand":
                seen += 1
                assert a.params["stand_styles"] and a.end - a.start >= b.end - b.start
                assert (on.intent[a.start:a.end] == INTENT_INDEX["standing_idle"]).all()
            else:
                assert a.params == b.params
        first = on.segments[0]
        if first.name != "stand":   # nothing changes before the first stand
            np.testing.assert_array_equal(on.joints_clean[:first.end], off.joints_clean[:first.end])
    assert seen >= 10


# ---- each style by construction ------------------------------------------------------------------------

def test_weight_shift_moves_the_pelvis_over_one_leg_and_bends_the_other_knee():
    for seed in range(6):
        *_, fps, plan, world = styled_stand(seed, ["weight_shift"])
        w, still = middle(world, fps), middle(styled_stand(seed, styled=False)[-1], fps)

        def over_feet(w):   # (T,) m the pelvis is left of the feet's midpoint
            feet = 0.5 * (w[:, J["left_ankle"], ::2] + w[:, J["right_ankle"], ::2])
            return np.sum((w[:, J["pelvis"], ::2] - feet) * horizontal_left(w), axis=-1)
        shift = over_feet(w) - over_feet(still)      # the plain stand's sway slides the feet by ~2 cm
        assert 0.028 <= np.abs(shift).max() <= 0.062, (seed, np.abs(shift).max())
        for ankle in ("left_ankle", "right_ankle"):   # the feet stay where they stand (the sway slides them ~2 cm)
            assert np.ptp(w[:, J[ankle], ::2], axis=0).max() < 0.04
        knees = {}
        for side in ("left", "right"):
            thigh = w[:, J[f"{side}_knee"]] - w[:, J[f"{side}_hip"]]
            shank = w[:, J[f"{side}_ankle"]] - w[:, J[f"{side}_knee"]]
            cos = np.sum(thigh * shank, -1) / np.linalg.norm(thigh, axis=-1) / np.linalg.norm(shank, axis=-1)
            knees[side] = np.arccos(np.clip(cos, -1, 1))
        bent = np.maximum(knees["left"], knees["right"])
        straight = np.minimum(knees["left"], knees["right"])
        assert 0.14 <= bent.max() <= 0.42 and np.median(straight) < 0.12, (seed, bent.max())
        loaded_left = shift > 0.01   # the pelvis over the left foot: the right knee is the bent one
        if loaded_left.any():
            assert np.median(knees["right"][loaded_left]) > np.median(knees["left"][loaded_left])


def test_shuffle_steps_or_turns_on_the_spot_slowly():
    moved = turned = 0
    for seed in range(10):
        *_, fps, plan, world = styled_stand(seed, ["shuffle"])
        events = plan.actions[0][1]["stand_styles"]["shuffle"]["events"]
        pelvis = world[:, J["pelvis"], ::2]
        k = int(0.2 * fps)
        speed = np.linalg.norm(pelvis[k:] - pelvis[:-k], axis=-1) / (k / fps)
        assert speed.max() < 0.3, seed
        assert np.linalg.norm(pelvis - pelvis[0], axis=-1).max() < 0.3
        ankles = world[:, [J["left_ankle"], J["right_ankle"]], 1]
        lift = ankles.max(axis=1) - ankles.min()
        if any(e["kind"] == "step" for e in events):
            moved += 1
            assert np.linalg.norm(pelvis - pelvis[0], axis=-1).max() > 0.04
            assert 0.025 < lift.max() < 0.1, (seed, lift.max())
        if any(e["kind"] == "turn" for e in events):
            turned += 1
            assert 10 < np.degrees(np.ptp(yaw(horizontal_left(world)))) < 95
    assert moved and turned


def test_look_around_turns_the_head_far_and_the_trunk_a_little():
    for seed in range(6):
        *_, fps, plan, world = styled_stand(seed, ["look_around"])
        gaze = world[:, J["neck_nose"], ::2] - world[:, J["thorax"], ::2]
        shoulders = world[:, J["left_shoulder"], ::2] - world[:, J["right_shoulder"], ::2]
        hips = horizontal_left(world)
        head = np.degrees(yaw(gaze) - yaw(shoulders) + math.pi / 2)           # 0: looking straight ahead
        head = (head + 180) % 360 - 180
        trunk = np.degrees(yaw(shoulders) - yaw(hips))
        if np.abs(head).max() < 5:    # the one drawn target was straight ahead
            continue
        assert 25 <= np.abs(head).max() <= 65, (seed, np.abs(head).max())
        assert 7 <= np.abs(trunk).max() <= 22, (seed, np.abs(trunk).max())


def test_talking_moves_the_forearms_below_the_chest():
    for seed in range(8):
        *_, fps, plan, world = styled_stand(seed, ["talking"])
        arms = plan.actions[0][1]["stand_styles"]["talking"]["arms"]
        w = middle(world, fps)
        facing = np.cross(w[:, J["left_hip"]] - w[:, J["right_hip"]], [0.0, 1.0, 0.0])   # (T, 3) forward
        facing /= np.linalg.norm(facing, axis=-1, keepdims=True)
        for side in ("left", "right"):
            wrist = world[:, J[f"{side}_wrist"]]
            assert (wrist[:, 1] < world[:, J[f"{side}_shoulder"], 1] - 0.15).all()     # never near the shoulder
            if side[0] not in arms:
                continue
            rel = w[:, J[f"{side}_wrist"]] - w[:, J["thorax"]]
            assert 0.01 < np.linalg.norm(np.std(rel, axis=0)) < 0.08, seed              # moving, not waving
            assert np.sum(rel * facing, axis=-1).max() < 0.28, seed                      # never held out forward
            assert (w[:, J[f"{side}_wrist"], 1] > w[:, J["pelvis"], 1] - 0.05).mean() > 0.5  # forearm raised


def test_hands_on_hips_rest_the_wrists_on_the_hips_with_the_elbows_out():
    for seed in range(6):
        *_, fps, plan, world = styled_stand(seed, ["hands_on_hips"])
        w = middle(world, fps)
        for side in plan.actions[0][1]["stand_styles"]["hands_on_hips"]["arms"]:
            name = {"l": "left", "r": "right"}[side]
            wrist, hip = w[:, J[f"{name}_wrist"]], w[:, J[f"{name}_hip"]]
            assert np.linalg.norm(wrist - hip, axis=-1).max() < 0.17, seed
            assert (wrist[:, 1] > hip[:, 1]).all()                                     # on the hip, not hanging
            out = lambda j: np.abs(np.sum((w[:, J[j], ::2] - w[:, J["thorax"], ::2]) * horizontal_left(w), -1))  # noqa: E731
            assert (out(f"{name}_elbow") > out(f"{name}_shoulder") + 0.07).all(), seed


# ---- what the descriptors measure -------------------------------------------------------------------------

def measure_windows(seeds, styled: bool, carriage: bool):
    """Supported actions of the 3.2 s windows starting 0.5, 1.4 and 2.3 s into 6 s stands: (clean, noisy) lists."""
    clean_sets, noisy_sets = [], []
    for seed in seeds:
        clean, noisy, confidence, fps, *_ = styled_stand(seed, carriage=carriage, styled=styled)
        n = int(WINDOW_S * fps)
        for start in (0.5, 1.4, 2.3):
            s = slice(int(start * fps), int(start * fps) + n)
            clean_sets.append(supported_actions(describe_motion(clean[s], np.ones(clean[s].shape[:2]), fps)))
            noisy_sets.append(supported_actions(describe_motion(noisy[s], confidence[s], fps)))
    return clean_sets, noisy_sets


def test_styled_stands_still_measure_as_standing_and_nothing_else():
    """40 seeds x 3 windows, no arm carriage (so that the arm styles come up): on the exact joints every window
    supports "stand" and nothing but head noise or a turn (measured: 120/120 stand, 120/120 plain motion); on the
    noisy joints the styles cost at most a few points of "stand" / plain motion (measured: stand 0.99 vs 1.0,
    plain 0.88 vs 0.88 without styles)."""
    seeds = range(40)
    clean, noisy = measure_windows(seeds, styled=True, carriage=False)
    for supported in clean:
        assert "stand" in supported and not supported - {"stand"} - ALLOWED_EXTRA, supported
        assert plain_motion(supported)
    _, noisy_plain = measure_windows(seeds, styled=False, carriage=False)
    share = lambda sets, f: np.mean([f(s) for s in sets])  # noqa: E731
    assert share(noisy, lambda s: "stand" in s) >= 0.95
    assert share(noisy, plain_motion) >= share(noisy_plain, plain_motion) - 0.05


def test_every_style_comes_up_in_the_broad_generator():
    styles = set()
    for seed in range(60):
        for seg in generate_clip(seed, broad_config()).segments:
            styles |= set(seg.params.get("stand_styles", ()))
    assert styles == set(STAND_STYLES)


# ---- strolls ------------------------------------------------------------------------------------------------

def test_a_share_of_the_broad_walks_are_slow_strolls():
    strolls, walks = [], []
    for seed in range(120):
        clip = generate_clip(seed, broad_config())
        for seg in clip.segments:
            if seg.name in ("walk", "walk_towards", "walk_past", "walk_away"):
                (strolls if "arm_swing" in seg.params else walks).append(seg.params["speed_mps"])
                if "arm_swing" in seg.params and seg.end - seg.start > 4 * clip.fps:
                    plan = plan_scene(seed, broad_config())
                    w = clip.joints_clean @ plan.camera.rotation()
                    pelvis = w[seg.start:seg.end, J["pelvis"], ::2]
                    k = int(clip.fps)
                    speed = np.linalg.norm(pelvis[k:] - pelvis[:-k], axis=-1)   # m over 1 s
                    assert 0.3 < speed.max() < 0.9, (seed, seg.params["speed_mps"], speed.max())
    share = len(strolls) / (len(strolls) + len(walks))
    assert 0.1 < share < 0.45, share
    assert STROLL_SPEED_MPS[0] <= min(strolls) and max(strolls) <= STROLL_SPEED_MPS[1]
    assert 0.8 <= min(walks) and max(walks) <= 1.8
