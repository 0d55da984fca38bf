"""Gesture family: waving, pointing, clapping, nodding, shaking the head, bowing."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    STANDING_POSE, BodyModel, _blend_into, _extended_pose, _pose_from, _ramp_envelope, _style, _turn,
)


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


# ---- broad generator: clap, nod, head shake, bow ----

def _clap(t, p, body, heading0):
    """Hands brought together in front of the chest `count` times (the wrists meet, then part)."""
    n, dur = len(t), p["duration_s"]
    raise_s = p["raise_s"]
    env = _ramp_envelope(t, dur, raise_s, raise_s)
    active = (t >= raise_s) & (t <= raise_s + p["count"] / p["freq_hz"])
    apart = np.where(active, 0.5 + 0.5 * np.cos(2 * math.pi * p["freq_hz"] * (t - raise_s)), 1.0)  # 0 when together
    amplitude, _ = _style(p)
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    for s in ("l", "r"):
        _blend_into(pose, {f"arm_elev_{s}": 0.95, f"arm_azim_{s}": CLAP_AZIM_TOGETHER + (0.55 * amplitude) * apart,
                           f"elbow_{s}": 1.6, f"elbow_hint_{s}": 0.0}, env)
    return pose, np.zeros((n, 2))


# upper-arm azimuth (rad) that brings the wrists ~7 cm apart (palms together), elbows at 1.6 rad
CLAP_AZIM_TOGETHER = -0.35


def _nod(t, p, body, heading0):
    """The head tips forward and back `count` times."""
    n = len(t)
    amplitude, _ = _style(p)
    active = t <= p["count"] / p["freq_hz"]
    osc = np.where(active, 0.5 - 0.5 * np.cos(2 * math.pi * p["freq_hz"] * t), 0.0)
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    pose["head_pitch"] = pose["head_pitch"] + 0.35 * amplitude * osc
    return pose, np.zeros((n, 2))


def _head_shake(t, p, body, heading0):
    """The head turns left and right `count` times."""
    n = len(t)
    amplitude, _ = _style(p)
    active = t <= p["count"] / p["freq_hz"]
    env = np.sin(math.pi * np.clip(t / (p["count"] / p["freq_hz"]), 0, 1))
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    pose["head_yaw"] = np.where(active, 0.6 * amplitude * np.sqrt(env) * np.sin(2 * math.pi * p["freq_hz"] * t), 0.0)
    return pose, np.zeros((n, 2))


def _bow(t, p, body, heading0):
    """The trunk bends forward from the hips, holds, and comes back up."""
    n, dur = len(t), p["duration_s"]
    amplitude, tempo = _style(p)
    env = _ramp_envelope(t, dur, 0.7 / tempo, 0.7 / tempo)
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    depth = math.radians(p["depth_deg"]) * amplitude
    _blend_into(pose, {"bend": depth, "hip_flex_l": 0.25 * depth, "hip_flex_r": 0.25 * depth, "head_pitch": 0.35,
                       "arm_elev_l": 0.25 * depth, "arm_elev_r": 0.25 * depth}, env)
    return pose, np.zeros((n, 2))
