"""How pedestrians hold their arms while they walk or stand: hands in pockets, a phone, a bag, crossed arms.

Real people rarely let both arms hang and swing freely: on vtest.avi most pedestrians hold their wrists at or
above the pelvis, and a model trained on hanging arms only called them "other" (swapping just the real elbows
and wrists into generated standing windows raised p(other) >= 0.5 from 21 % to 71 %). Each walking or standing
segment therefore carries its arms in one of CARRIAGES with probability `SynthConfig.arm_carriage_prob`;
the intent stays that of the locomotion. Joint angles follow `body.POSE_KEYS` (elevation from hanging, plane
of the raise, elbow flexion, the direction the forearm bends to).
"""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import STANDING_POSE, _ramp_envelope

# Actions whose arms are free to be carried: plain walking and standing (the intent is the locomotion's).
CARRYING_ACTIONS = ("stand", "walk_towards", "walk_past", "walk_away", "walk")

# Per arm: (arm_elev rad, arm_azim rad, elbow rad) ranges; "both"/"one"/"either": which arms hold it.
CARRIAGES: dict[str, tuple[str, dict[str, tuple[float, float]]]] = {
    "pockets": ("both", {"arm_elev": (0.05, 0.3), "arm_azim": (0.2, 0.8), "elbow": (0.5, 1.0)}),
    "phone": ("one", {"arm_elev": (0.15, 0.45), "arm_azim": (-0.5, 0.0), "elbow": (1.6, 2.2)}),
    "hands_in_front": ("both", {"arm_elev": (0.2, 0.45), "arm_azim": (-0.8, -0.3), "elbow": (0.9, 1.5)}),
    "arms_crossed": ("both", {"arm_elev": (0.35, 0.6), "arm_azim": (-1.1, -0.8), "elbow": (1.9, 2.3)}),
    "behind_back": ("both", {"arm_elev": (-0.45, -0.2), "arm_azim": (0.2, 0.6), "elbow": (0.8, 1.3)}),
    "bag_strap": ("one", {"arm_elev": (0.1, 0.3), "arm_azim": (0.0, 0.4), "elbow": (2.0, 2.4)}),
    "bag_in_hand": ("one", {"arm_elev": (0.05, 0.15), "arm_azim": (0.8, 1.3), "elbow": (0.0, 0.15)}),
    # anything else a relaxed arm may do, so that no single arm pose marks a pedestrian (or a gesture)
    "relaxed": ("either", {"arm_elev": (-0.4, 0.7), "arm_azim": (-1.1, 1.3), "elbow": (0.0, 2.4)}),
}
SWING_KEPT = (0.0, 0.5)  # share of the gait's arm swing left on a carried arm (a bag or a pocket damps it)
RAMP_S = 0.5        # the arms reach (and leave) their carriage over this time at the segment's ends


def plan_arm_carriage(actions: list[tuple[str, dict]], probability: float, rng: np.random.Generator) -> None:
    """Give each walking/standing action of a scene plan an `arm_carriage` parameter with `probability`:
    {"style": name, "arms": {"l"/"r": {pose key: angle rad}}, "swing_kept": share, "head_pitch": rad or absent}.
    Draws nothing when the probability is 0 (clips of configs without it stay as they were)."""
    if probability <= 0:
        return
    for name, params in actions:
        if name not in CARRYING_ACTIONS or rng.uniform() >= probability:
            continue
        style = str(rng.choice(list(CARRIAGES)))
        which, ranges = CARRIAGES[style]
        if which == "either":
            which = str(rng.choice(["both", "one"]))
        sides = ("l", "r") if which == "both" else (str(rng.choice(["r", "l"], p=[0.7, 0.3])),)
        arms = {side: {k: float(rng.uniform(*r)) for k, r in ranges.items()} for side in sides}
        params["arm_carriage"] = {"style": style, "arms": arms, "swing_kept": float(rng.uniform(*SWING_KEPT))}
        if style == "phone":   # looking at it
            params["arm_carriage"]["head_pitch"] = float(rng.uniform(0.3, 0.6))


def apply_arm_carriage(pose: dict[str, np.ndarray], t: np.ndarray, params: dict) -> None:
    """Blend the action's `arm_carriage` (if any) into its pose over time `t` (n,) s, in place: the carried arm
    takes the held angles, keeping a share (drawn from SWING_KEPT) of its swing about the standing pose."""
    carriage = params.get("arm_carriage")
    if not carriage:
        return
    w = _ramp_envelope(t, params["duration_s"], RAMP_S, RAMP_S)               # (n,) 0..1
    for side, angles in carriage["arms"].items():
        for key, held in angles.items():
            k = f"{key}_{side}"
            swing = pose[k] - STANDING_POSE[k]
            pose[k] = (1.0 - w) * pose[k] + w * (held + carriage["swing_kept"] * swing)
        pose[f"elbow_hint_{side}"] = (1.0 - w) * pose[f"elbow_hint_{side}"] + w * math.pi / 2  # forearm forward
    if "head_pitch" in carriage:
        pose["head_pitch"] = (1.0 - w) * pose["head_pitch"] + w * carriage["head_pitch"]
