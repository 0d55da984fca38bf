"""Locomotion family: walking (towards, past, away) and standing."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    STANDING_POSE, BodyModel, _blend_into, _pose_from, _ramp_envelope, _turn,
)

WALK_RAMP_S = 0.6  # start/stop time of a walk; the steady speed holds in between


def gait_parameters(speed_mps: float, body: BodyModel) -> tuple[float, float, float]:
    """(step length m, step frequency Hz, hip swing amplitude rad) for walking at `speed_mps`.

    Step length grows with height and the square root of speed (fits adult gait: about 0.72 m and
    1.85 steps/s at 1.35 m/s for a 1.75 m person).
    """
    step_m = 0.415 * body.height * math.sqrt(speed_mps / 1.35)
    step_hz = speed_mps / step_m
    leg = body.thigh + body.shank
    amplitude = math.asin(min(0.9, step_m / (2.0 * leg)))
    return step_m, step_hz, amplitude


def _walk(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    speed = p["speed_mps"]
    direction = math.radians(p["heading_deg"])
    _, step_hz, amp = gait_parameters(speed, body)
    env = _ramp_envelope(t, dur, WALK_RAMP_S, WALK_RAMP_S)        # (n,)
    phase = 2 * math.pi * (step_hz / 2.0) * t + p["phase0"]       # (n,) one stride = two steps
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, direction) - 0.05 * env * np.sin(phase)  # pelvis rotation
    swing_knee = min(1.2, 0.9 * (0.6 + 0.4 * speed / 1.4))
    arm_amp = 0.8 * amp
    for side, ph in (("l", phase), ("r", phase + math.pi)):
        gait = {
            f"hip_flex_{side}": 0.03 + amp * np.sin(ph),
            # swing phase (thigh moving forward, cos > 0) flexes the knee; stance stays nearly straight
            f"knee_{side}": 0.08 + swing_knee * np.maximum(0.0, np.cos(ph + 0.3)) ** 2,
            f"hip_abd_{side}": 0.03,
            # arms swing opposite to the leg on the same side
            f"arm_elev_{side}": -arm_amp * np.sin(ph),
            f"arm_azim_{side}": 0.0,
            f"elbow_{side}": 0.3 + 0.15 * np.maximum(0.0, -np.sin(ph)),
            "foot_plant": 0.0,  # the root moves at the walking speed; the feet step around it
        }
        _blend_into(pose, gait, env)
    _blend_into(pose, {"twist": 0.1 * np.sin(phase), "bend": 0.04 + 0.04 * speed}, env)
    velocity = speed * env[:, None] * np.array([math.sin(direction), math.cos(direction)])  # (n, 2)
    return pose, velocity


def _stand(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, 0.5, 0.5)
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    sway = 2 * math.pi * 0.25 * t + p["phase0"]  # slow weight shift
    _blend_into(pose, {"lean": 0.025 * np.sin(sway), "head_pitch": 0.1 + 0.06 * np.sin(0.7 * sway),
                       "hip_abd_l": 0.04 + 0.02 * np.sin(sway), "hip_abd_r": 0.04 - 0.02 * np.sin(sway)}, env)
    return pose, np.zeros((n, 2))
