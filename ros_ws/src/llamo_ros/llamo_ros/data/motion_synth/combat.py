"""Combat family: kicking and punching."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import EXTENDED_POSE, STANDING_POSE, _keyframes, _style, _turn

BASE = {**STANDING_POSE, **EXTENDED_POSE}
GUARD = {"arm_elev_l": 0.55, "arm_elev_r": 0.55, "arm_azim_l": -0.2, "arm_azim_r": -0.2, "elbow_l": 2.1,
         "elbow_r": 2.1, "elbow_hint_l": 0.0, "elbow_hint_r": 0.0, "knee_l": 0.2, "knee_r": 0.2, "bend": 0.1}


def _kick(t, p, body, heading0):
    """Front kick: guard, knee up (chamber), the leg snaps out to hip height or above, retracts, foot down."""
    s, o = ("l", "r") if p["foot"] == "left" else ("r", "l")
    amplitude, tempo = _style(p)
    g = 0.4 / tempo
    chamber = GUARD | {f"hip_flex_{s}": 1.55, f"knee_{s}": 2.0, "bend": -0.1, f"knee_{o}": 0.15}
    extend = GUARD | {f"hip_flex_{s}": math.radians(p["height_deg"]) * amplitude, f"knee_{s}": 0.08, "bend": -0.25,
                      f"knee_{o}": 0.15}
    pose = _keyframes(t, [(0.0, {}), (g, GUARD), (g + 0.25, chamber), (g + 0.37, extend), (g + 0.57, chamber),
                          (g + 0.87, GUARD), (p["duration_s"], {})], BASE)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    return pose, np.zeros((len(t), 2))


def _punch(t, p, body, heading0):
    """Guard, then `count` straight punches (the arm snaps out to full length and back), alternating or not."""
    amplitude, tempo = _style(p)
    g, r = 0.4 / tempo, p["rep_s"]
    frames = [(0.0, {}), (g, GUARD)]
    for i in range(p["count"]):
        s = p["hand"][0] if not p["alternate"] or i % 2 == 0 else ("l" if p["hand"][0] == "r" else "r")
        away = 1.0 if s == "r" else -1.0
        t0 = g + i * r
        frames += [(t0 + 0.13, GUARD | {f"arm_elev_{s}": 1.5, f"arm_azim_{s}": -0.15, f"elbow_{s}": 0.05,
                                         "twist": 0.3 * away * amplitude}),
                   (t0 + r, GUARD)]
    frames += [(p["duration_s"], {})]
    pose = _keyframes(t, frames, BASE)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    return pose, np.zeros((len(t), 2))
