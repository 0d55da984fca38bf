"""Posture-transition family: sitting down, standing up, squatting, crouching, kneeling, lying down, getting up,
falling."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    EXTENDED_POSE, SEATED_POSE, STANDING_POSE, BodyModel, _blend_into, _keyframes, _pose_from, _style, smoothstep,
)


def _sit_transition(progress: np.ndarray, lean_peak: float) -> dict[str, np.ndarray]:
    """Standing (progress 0) -> seated (progress 1), leaning forward half-way to shift the weight."""
    w = smoothstep(progress)
    pose = _pose_from(STANDING_POSE, len(progress))
    _blend_into(pose, {k: v for k, v in SEATED_POSE.items()}, w)
    pose["bend"] = pose["bend"] + lean_peak * np.sin(math.pi * w)
    pose["head_pitch"] = pose["head_pitch"] - 0.3 * np.sin(math.pi * w)  # keeps looking ahead
    return pose


def _sit_down(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    pose = _sit_transition(t / p["duration_s"], 0.45)
    pose["heading"] = np.full(len(t), heading0)
    return pose, np.zeros((len(t), 2))


def _stand_up(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    pose = _sit_transition(1.0 - t / p["duration_s"], 0.6)
    pose["heading"] = np.full(len(t), heading0)
    return pose, np.zeros((len(t), 2))


# ---- broad generator: squat, crouch, kneel, lie down, get up from the floor, fall ----
# Whole-body pitch: +pi/2 lies face down, -pi/2 face up. With the thigh angle hip_flex - pitch held, the
# legs keep their direction in the world while the trunk tips (the keyframes below rely on it).

BASE = {**STANDING_POSE, **EXTENDED_POSE}
SQUAT_POSE = {"hip_flex_l": 1.75, "hip_flex_r": 1.75, "knee_l": 2.2, "knee_r": 2.2, "bend": 0.45,
              "hip_abd_l": 0.15, "hip_abd_r": 0.15, "arm_elev_l": 1.45, "arm_elev_r": 1.45, "arm_azim_l": 0.1,
              "arm_azim_r": 0.1, "elbow_l": 0.1, "elbow_r": 0.1}
CROUCH_POSE = {"hip_flex_l": 2.0, "hip_flex_r": 2.0, "knee_l": 2.5, "knee_r": 2.5, "bend": 0.85, "hip_abd_l": 0.25,
               "hip_abd_r": 0.25, "arm_elev_l": 0.9, "arm_elev_r": 0.9, "elbow_l": 0.5, "elbow_r": 0.5,
               "head_pitch": -0.3}
HALF_KNEEL_POSE = {"hip_flex_l": 1.6, "knee_l": 1.8,  # the front shank leans back a little: the rear knee touches down
                   "hip_flex_r": 0.0, "knee_r": 1.57, "bend": 0.05,
                   "arm_elev_l": 0.3, "elbow_l": 1.2}
KNEEL_POSE = {"hip_flex_l": 0.0, "knee_l": 1.57, "hip_flex_r": 0.0, "knee_r": 1.57, "bend": 0.05}
ALL_FOURS_POSE = {"pitch": 1.45, "hip_flex_l": 1.45, "hip_flex_r": 1.45, "knee_l": 1.57, "knee_r": 1.57,
                  "arm_elev_l": 1.45, "arm_elev_r": 1.45, "arm_azim_l": 0.05, "arm_azim_r": 0.05, "elbow_l": 0.1,
                  "elbow_r": 0.1, "bend": 0.0, "head_pitch": -0.6}
FLOOR_SIT_POSE = {"hip_flex_l": 1.45, "hip_flex_r": 1.45, "knee_l": 0.4, "knee_r": 0.4, "bend": 0.15,
                  "arm_elev_l": -0.45, "arm_elev_r": -0.45, "elbow_l": 0.1, "elbow_r": 0.1}
LYING_FACE_UP_POSE = {"pitch": -math.pi / 2, "hip_flex_l": 0.05, "hip_flex_r": 0.05, "knee_l": 0.1, "knee_r": 0.1,
                      "bend": 0.0, "head_pitch": 0.25, "arm_elev_l": 0.15, "arm_elev_r": 0.15, "arm_azim_l": 1.2,
                      "arm_azim_r": 1.2, "elbow_l": 0.2, "elbow_r": 0.2}
LYING_FACE_DOWN_POSE = {"pitch": math.pi / 2, "hip_flex_l": 0.05, "hip_flex_r": 0.05, "knee_l": 0.15, "knee_r": 0.15,
                        "bend": 0.0, "head_pitch": -0.4, "arm_elev_l": 2.4, "arm_elev_r": 2.4, "arm_azim_l": 0.6,
                        "arm_azim_r": 0.6, "elbow_l": 1.3, "elbow_r": 1.3, "elbow_hint_l": 0.0, "elbow_hint_r": 0.0}


def _still(t: np.ndarray, heading0: float, frames, pose_base=None):
    pose = _keyframes(t, frames, pose_base or BASE)
    pose["heading"] = np.full(len(t), heading0)
    return pose, np.zeros((len(t), 2))


def _squat(t, p, body, heading0):
    """`count` squats: hips and knees flex deeply with the arms forward for balance, then straighten."""
    amplitude, _ = _style(p)
    down = {k: v * (amplitude if k.startswith(("hip_flex", "knee")) else 1.0) for k, v in SQUAT_POSE.items()}
    down["knee_l"] = down["knee_r"] = min(down["knee_l"], 2.5)
    rep = p["rep_s"]
    frames = [(0.0, {})]
    for i in range(p["count"]):
        frames += [(i * rep + 0.5 * rep, down), ((i + 1) * rep, {})]
    return _still(t, heading0, frames)


def _crouch(t, p, body, heading0):
    """Goes down into a deep crouch, stays low, and rises."""
    d, h = p["down_s"], p["hold_s"]
    return _still(t, heading0, [(0.0, {}), (d, CROUCH_POSE), (d + h, CROUCH_POSE), (2 * d + h, {})])


def _kneel(t, p, body, heading0):
    """Kneels on one knee (or then both), stays, and gets back up through the half kneel."""
    d, h = p["down_s"], p["hold_s"]
    if p["style"] == "one_knee":
        frames = [(0.0, {}), (d, HALF_KNEEL_POSE), (d + h, HALF_KNEEL_POSE), (2 * d + h, {})]
    else:
        frames = [(0.0, {}), (d, HALF_KNEEL_POSE), (1.5 * d, KNEEL_POSE), (1.5 * d + h, KNEEL_POSE),
                  (2.0 * d + h, HALF_KNEEL_POSE), (3.0 * d + h, {})]
    return _still(t, heading0, frames)


def _lie_down(t, p, body, heading0):
    """Standing -> squat -> sitting on the floor -> lying on the back (ends lying face up)."""
    T = p["duration_s"]
    return _still(t, heading0, [(0.0, {}), (0.3 * T, SQUAT_POSE | {"arm_elev_l": 0.4, "arm_elev_r": 0.4}),
                                (0.6 * T, FLOOR_SIT_POSE), (0.95 * T, LYING_FACE_UP_POSE)])


def _get_up_face_up(t, p, body, heading0):
    """Lying on the back -> sits up -> tucks the feet in -> stands (ends standing)."""
    T = p["duration_s"]
    return _still(t, heading0, [(0.0, LYING_FACE_UP_POSE),
                                (0.35 * T, FLOOR_SIT_POSE | {"arm_elev_l": 0.6, "arm_elev_r": 0.6}),
                                (0.65 * T, SQUAT_POSE), (T, {})], BASE)


def _get_up_face_down(t, p, body, heading0):
    """Lying face down -> pushes up onto hands and knees -> half kneel -> stands (ends standing)."""
    T = p["duration_s"]
    return _still(t, heading0, [(0.0, LYING_FACE_DOWN_POSE), (0.35 * T, ALL_FOURS_POSE), (0.55 * T, KNEEL_POSE),
                                (0.75 * T, HALF_KNEEL_POSE), (T, {})])


def _fall(t, p, body, heading0):
    """Topples forward about the feet, accelerating, catches itself on the arms, and lies face down."""
    n = len(t)
    f = p["fall_s"]
    pose = _still(t, heading0, [(0.0, {}),
                                (0.4 * f, {"knee_l": 0.5, "knee_r": 0.6, "hip_flex_l": 0.4, "hip_flex_r": 0.3,
                                           "arm_elev_l": 1.6, "arm_elev_r": 1.7, "elbow_l": 0.3, "elbow_r": 0.3}),
                                (f + 0.4, LYING_FACE_DOWN_POSE)])[0]
    x = np.clip(t / f, 0.0, 1.0)
    pose["pitch"] = (math.pi / 2 - 0.05) * x * x + 0.05 * smoothstep((t - f) / 0.4)  # free fall: angle grows ~t^2
    return pose, np.zeros((n, 2))
