"""Body model (bone lengths from height), pose parameters, neutral poses and time-blending helpers."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BodyModel:
    """Bone lengths in metres, from standing height with anthropometric ratios (Drillis & Contini)."""

    height: float
    hip_half_width: float    # pelvis -> each hip
    thigh: float             # hip -> knee
    shank: float             # knee -> ankle
    ankle_height: float      # ankle above the floor when the foot is flat
    spine_lower: float       # pelvis -> spine
    spine_upper: float       # spine -> thorax
    neck: float              # thorax -> neck_nose
    head: float              # neck_nose -> head top
    shoulder_half_width: float  # thorax -> each shoulder
    upper_arm: float         # shoulder -> elbow
    forearm: float           # elbow -> wrist (H36M has no hand joint)


def body_from_height(height_m: float, rng: np.random.Generator | None = None) -> BodyModel:
    """Bone lengths for a person `height_m` tall; `rng` adds +-4 % individual proportions."""
    def scale(ratio: float) -> float:
        jitter = 1.0 + (rng.uniform(-0.04, 0.04) if rng is not None else 0.0)
        return float(ratio * height_m * jitter)
    return BodyModel(
        height=float(height_m), hip_half_width=scale(0.075), thigh=scale(0.245), shank=scale(0.246),
        ankle_height=0.039 * height_m, spine_lower=scale(0.144), spine_upper=scale(0.144),
        neck=scale(0.092), head=scale(0.09), shoulder_half_width=scale(0.10),
        upper_arm=scale(0.186), forearm=scale(0.146),
    )


# Pose parameters: per-frame angles in radians, all (T,).
POSE_KEYS: tuple[str, ...] = (
    "heading",        # pelvis yaw in the world (0 faces +z)
    "twist",          # trunk yaw relative to the pelvis, positive turns to the left
    "bend",           # trunk forward bend from vertical
    "lean",           # trunk sideways lean, positive to the left
    "head_pitch",     # head forward tilt relative to the trunk
    "hip_flex_l", "hip_flex_r",    # thigh swung forward from vertical (negative: backward)
    "hip_abd_l", "hip_abd_r",      # thigh swung outwards
    "knee_l", "knee_r",            # knee flexion, >= 0 (shank swings backward)
    "arm_elev_l", "arm_elev_r",    # upper arm raised from hanging (pi/2 horizontal, pi straight up; negative: behind)
    "arm_azim_l", "arm_azim_r",    # plane of the raise: 0 forward, pi/2 outwards to the side, negative across the body
    "elbow_l", "elbow_r",          # elbow flexion, >= 0
    "elbow_hint_l", "elbow_hint_r",  # direction the forearm bends to: 0 up, pi/2 forward (trunk frame)
    "foot_plant",     # not an angle: weight in [0, 1] of keeping the feet over the anchor (0 while walking)
)

STANDING_POSE: dict[str, float] = {
    "foot_plant": 1.0, "twist": 0.0, "bend": 0.03, "lean": 0.0, "head_pitch": 0.1,
    "hip_flex_l": 0.02, "hip_flex_r": 0.02, "hip_abd_l": 0.04, "hip_abd_r": 0.04,
    "knee_l": 0.05, "knee_r": 0.05, "arm_elev_l": 0.08, "arm_elev_r": 0.08,
    "arm_azim_l": 0.6, "arm_azim_r": 0.6, "elbow_l": 0.2, "elbow_r": 0.2,
    "elbow_hint_l": math.pi / 2, "elbow_hint_r": math.pi / 2,
}
SEATED_POSE: dict[str, float] = {
    **STANDING_POSE, "bend": 0.1, "hip_flex_l": 1.55, "hip_flex_r": 1.55, "hip_abd_l": 0.12,
    "hip_abd_r": 0.12, "knee_l": 1.5, "knee_r": 1.5, "arm_elev_l": 0.35, "arm_elev_r": 0.35,
    "arm_azim_l": 0.1, "arm_azim_r": 0.1, "elbow_l": 1.0, "elbow_r": 1.0,
}
KNEE_MAX_RAD = math.radians(150.0)   # joint limits the actions stay within
ELBOW_MAX_RAD = math.radians(150.0)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero slope at both ends; x is clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _ramp_envelope(t: np.ndarray, duration: float, rise: float, fall: float) -> np.ndarray:
    """1 in the middle of [0, duration], smoothstep up over `rise` s and down over `fall` s."""
    return smoothstep(t / rise) * smoothstep((duration - t) / fall)


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _pose_from(base: dict[str, float], n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, v, dtype=np.float64) for k, v in base.items()}


def _blend_into(pose: dict[str, np.ndarray], target: dict[str, float | np.ndarray], weight: np.ndarray) -> None:
    """pose[k] <- (1 - weight) * pose[k] + weight * target[k], for the keys in target."""
    for k, v in target.items():
        pose[k] = (1.0 - weight) * pose[k] + weight * v


def _turn(t: np.ndarray, heading_from: float, heading_to: float) -> np.ndarray:
    """Heading over time: turns by the shortest way, slower for bigger turns."""
    delta = _wrap(heading_to - heading_from)
    turn_s = 0.4 + 0.5 * abs(delta) / math.pi
    return heading_from + delta * smoothstep(t / turn_s)


# Whole-body channels of the broad generator. A pose without them is placed by the original rule (the
# lower ankle on the floor), so the default clips stay what they were.
EXTENDED_POSE: dict[str, float] = {
    "pitch": 0.0,     # whole body tipped forward about its left axis (pi/2: face down, -pi/2: face up)
    "roll": 0.0,      # whole body tipped to its left about its forward axis
    "lift": 0.0,      # metres the lowest body point is above its floor contact (airborne > 0)
    "head_yaw": 0.0,  # head turned to the left relative to the trunk
}
EXTENDED_KEYS: tuple[str, ...] = tuple(EXTENDED_POSE)


def _keyframes(t: np.ndarray, frames: list[tuple[float, dict[str, float]]],
               base: dict[str, float]) -> dict[str, np.ndarray]:
    """Pose over time through keyframes [(time s, partial pose)], smoothstep between neighbours.

    Keys missing in a keyframe take `base`'s value; before the first and after the last keyframe the
    pose holds.
    """
    keys = set(base) | {k for _, f in frames for k in f}
    full = [(ft, {k: f.get(k, base[k]) for k in keys}) for ft, f in frames]
    pose = {k: np.full(len(t), full[0][1][k], dtype=np.float64) for k in keys}
    for (t0, a), (t1, b) in zip(full, full[1:], strict=False):
        w = smoothstep((t - t0) / max(t1 - t0, 1e-6))
        active = t >= t0
        for k in keys:
            pose[k] = np.where(active, a[k] + (b[k] - a[k]) * w, pose[k])
    return pose


def _extended_pose(n: int, heading0: float, base: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """A (n,)-per-key pose of `base` (default standing) with the whole-body channels, facing heading0 rad."""
    pose = _pose_from({**(base or STANDING_POSE), **EXTENDED_POSE}, n)
    pose["heading"] = np.full(n, heading0, dtype=np.float64)
    return pose


def _style(p: dict) -> tuple[float, float]:
    """(amplitude, tempo) factors of an action's style; 1.0 each when the planner drew none."""
    return float(p.get("amplitude", 1.0)), float(p.get("tempo", 1.0))


GRAVITY_MPS2 = 9.81


def _flight_lift(t: np.ndarray, t0: float, flight_s: float) -> np.ndarray:
    """Ballistic height (n,) metres of a flight starting at t0 and lasting flight_s; 0 outside it."""
    tau = t - t0
    return np.where((tau > 0) & (tau < flight_s), 0.5 * GRAVITY_MPS2 * tau * (flight_s - tau), 0.0)
