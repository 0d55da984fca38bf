"""Object-interaction family: handing over, picking up, throwing, reaching up
(carrying and pushing walk: locomotion)."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    EXTENDED_POSE, STANDING_POSE, BodyModel, _blend_into, _extended_pose, _keyframes, _pose_from, _ramp_envelope,
    _style, _turn,
)


def _hand_over(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, 0.7, 0.7)
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    sides = ("l", "r") if p["hand"] == "both" else (p["hand"][0],)
    target: dict[str, float] = {"bend": 0.12}
    for s in sides:  # upper arm forward-down, forearm raised: the hand ends at chest height
        target |= {f"arm_elev_{s}": math.radians(p["elevation_deg"]),
                   f"arm_azim_{s}": 0.25 if p["hand"] != "both" else 0.05,
                   f"elbow_{s}": 0.75, f"elbow_hint_{s}": 0.0}
    _blend_into(pose, target, env)
    return pose, np.zeros((n, 2))


def _pick_up(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, p["bend_s"], p["bend_s"])
    if p["style"] == "crouch":  # knees and hips deeply flexed, trunk half bent
        target = {"hip_flex_l": 1.75, "hip_flex_r": 1.75, "knee_l": 2.25, "knee_r": 2.25, "bend": 0.75,
                  "hip_abd_l": 0.2, "hip_abd_r": 0.2}
    else:  # stoop: knees half bent, trunk bent far forward (the upper trunk past horizontal)
        target = {"hip_flex_l": 0.5, "hip_flex_r": 0.5, "knee_l": 1.2, "knee_r": 1.2, "bend": 1.95}
    target["head_pitch"] = 0.3
    sides = ("l", "r") if p["hand"] == "both" else (p["hand"][0],)
    for s in sides:  # the arm points at the floor: world-down is elevation == bend in the trunk frame
        target |= {f"arm_elev_{s}": target["bend"] + 0.1, f"arm_azim_{s}": 0.15, f"elbow_{s}": 0.1,
                   f"elbow_hint_{s}": math.pi / 2}
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = np.full(n, heading0)
    _blend_into(pose, target, env)
    return pose, np.zeros((n, 2))


# ---- broad generator: throw, reach up (carry and push walk: see locomotion) ----

def _throw(t, p, body, heading0):
    """Overarm throw: wind up with the trunk turned away, whip the arm forward, follow through."""
    n = len(t)
    s = p["hand"][0]
    away = -1.0 if s == "r" else 1.0  # twist sign that turns the throwing shoulder back
    amplitude, tempo = _style(p)
    w, r = p["windup_s"], 0.18 / tempo  # release is fast
    base = {**STANDING_POSE, **EXTENDED_POSE}
    windup = {f"arm_elev_{s}": 2.5, f"arm_azim_{s}": 1.2, f"elbow_{s}": 1.7, f"elbow_hint_{s}": 0.0,
              "twist": 0.55 * away * amplitude, "bend": -0.12, "hip_flex_l" if s == "r" else "hip_flex_r": 0.35}
    release = {f"arm_elev_{s}": 1.7, f"arm_azim_{s}": 0.0, f"elbow_{s}": 0.15, f"elbow_hint_{s}": 0.0,
               "twist": -0.4 * away * amplitude, "bend": 0.35}
    follow = {f"arm_elev_{s}": 0.7, f"arm_azim_{s}": -0.6, f"elbow_{s}": 0.3, "twist": -0.45 * away, "bend": 0.3}
    pose = _keyframes(t, [(0.0, {}), (w, windup), (w + r, release), (w + r + 0.25, follow),
                          (p["duration_s"], {})], base)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    return pose, np.zeros((n, 2))


def _reach_up(t, p, body, heading0):
    """One or both arms stretched straight up as to take something from a high shelf."""
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, 0.6, 0.6)
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    sides = ("l", "r") if p["hand"] == "both" else (p["hand"][0],)
    target: dict[str, float] = {"bend": -0.06, "head_pitch": -0.35}
    for s in sides:
        target |= {f"arm_elev_{s}": math.radians(p["elevation_deg"]), f"arm_azim_{s}": 0.2, f"elbow_{s}": 0.08,
                   f"elbow_hint_{s}": math.pi / 2}
    _blend_into(pose, target, env)
    return pose, np.zeros((n, 2))
