"""Gesture family: waving and pointing."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import STANDING_POSE, BodyModel, _blend_into, _pose_from, _ramp_envelope, _turn


def _wave(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    raise_s = p["raise_s"]
    s = p["hand"][0]
    env = _ramp_envelope(t, dur, raise_s, raise_s)
    in_waves = (t >= raise_s) & (t <= raise_s + p["count"] / p["freq_hz"])
    # exactly `count` side-to-side forearm swings in the frontal plane; raised cosine: starts and ends at
    # 0 with zero slope, so the arm neither jumps nor adds a half wave at either end
    osc = np.where(in_waves, 0.5 - 0.5 * np.cos(2 * math.pi * p["freq_hz"] * (t - raise_s)), 0.0)  # (n,) in [0, 1]
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    _blend_into(pose, {f"arm_elev_{s}": math.radians(p["elevation_deg"]), f"arm_azim_{s}": 1.35,
                       f"elbow_{s}": 1.1 + 0.9 * osc, f"elbow_hint_{s}": 0.0}, env)
    return pose, np.zeros((n, 2))


def _point(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    s = p["hand"][0]
    env = _ramp_envelope(t, dur, 0.6, 0.6)
    outwards = (p["direction"] == "left") == (p["hand"] == "left")
    if p["direction"] == "forward":
        azim, twist = 0.1, 0.0
    elif outwards:
        azim, twist = 1.35, 0.0
    else:  # across the body: the trunk turns towards the target, the arm crosses a little
        azim, twist = -0.5, 0.5 if p["direction"] == "left" else -0.5
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    _blend_into(pose, {f"arm_elev_{s}": math.radians(p["elevation_deg"]), f"arm_azim_{s}": azim,
                       f"elbow_{s}": 0.08, f"elbow_hint_{s}": 0.0, "twist": twist}, env)
    return pose, np.zeros((n, 2))
