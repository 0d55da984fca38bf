"""Posture-transition family: sitting down and standing up."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import SEATED_POSE, STANDING_POSE, BodyModel, _blend_into, _pose_from, smoothstep


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
