"""Skeleton motions whose truth is known by construction, for the descriptor and caption tests.

World frame: metres, y up, floor at y = 0, the person facing -z (towards a camera at the origin that
looks along +z); `to_camera` renders through a camera `height_m` high pitched `pitch_deg` down.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.data.motion_synth import CameraPose, world_to_camera
from llamo_ros.skeleton import JOINT_INDEX as J

FPS = 30.0

# Standing template (1.75 m person) facing +z, person's left at +x; y up, feet on the floor.
_T = {
    "pelvis": (0.0, 0.95, 0.0), "right_hip": (-0.10, 0.95, 0.0), "right_knee": (-0.10, 0.52, 0.0),
    "right_ankle": (-0.10, 0.08, 0.0), "left_hip": (0.10, 0.95, 0.0), "left_knee": (0.10, 0.52, 0.0),
    "left_ankle": (0.10, 0.08, 0.0), "spine": (0.0, 1.20, 0.0), "thorax": (0.0, 1.45, 0.0),
    "neck_nose": (0.0, 1.60, 0.05), "head": (0.0, 1.75, 0.0), "left_shoulder": (0.18, 1.45, 0.0),
    "left_elbow": (0.20, 1.17, 0.0), "left_wrist": (0.21, 0.92, 0.0), "right_shoulder": (-0.18, 1.45, 0.0),
    "right_elbow": (-0.20, 1.17, 0.0), "right_wrist": (-0.21, 0.92, 0.0),
}
STAND = np.array([_T[n] for n in sorted(_T, key=lambda n: J[n])])  # (17, 3)


def rot_y(angle: np.ndarray) -> np.ndarray:
    """(T, 3, 3) rotations about world up by angle (rad), counter-clockwise seen from above."""
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def rot_x(angle: np.ndarray) -> np.ndarray:
    """(T, 3, 3) rotations about world x (the person's left-right axis) by angle (rad)."""
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def frames(n: int) -> np.ndarray:
    return np.arange(n) / FPS


def standing(n: int, heading: float = np.pi) -> np.ndarray:
    """(n, 17, 3) world; heading pi faces -z, towards the camera."""
    return np.einsum("tij,kj->tki", rot_y(np.full(n, heading)), STAND)


def lowered(world: np.ndarray, drop_m: np.ndarray | float) -> np.ndarray:
    """(T, 17, 3) world with everything above the knees `drop_m` (scalar or (T, 1)) lower and the knees bent
    forward with it: at 0.55 m a crouch, the pelvis 0.40 m above the floor and above the feet."""
    out = world.copy()
    upper = [J[k] for k in ("pelvis", "left_hip", "right_hip", "spine", "thorax", "neck_nose", "head",
                            "left_shoulder", "left_elbow", "left_wrist",
                            "right_shoulder", "right_elbow", "right_wrist")]
    out[:, upper, 1] -= drop_m
    for side in ("left", "right"):
        out[:, J[f"{side}_knee"]] += np.array([0, -0.2, -0.3]) * np.asarray(drop_m) / 0.55
    return out


def place(world: np.ndarray, x: float = 0.0, z: float = 4.0) -> np.ndarray:
    return world + np.array([x, 0.0, z])


def to_camera(world: np.ndarray, pitch_deg: float = 0.0, height_m: float = 1.2):
    """(joints (T, 17, 3) optical frame, confidence (T, 17) ones)."""
    cam = world_to_camera(world, CameraPose(height_m=height_m, pitch_deg=pitch_deg))
    return cam, np.ones(cam.shape[:2])


# Whole motions (world frame), shared by the caption and description-guard tests.
def jumping(n=96):
    t = frames(n)
    lift = np.zeros(n)
    for t0 in (0.6, 1.5, 2.4):
        tau = (t - t0) / 0.45
        lift += np.where((tau > 0) & (tau < 1), 1.0 * tau * (1 - tau), 0.0)
    return place(standing(n)) + np.array([0, 1.0, 0]) * lift[:, None, None]


def walking_towards(n=96, speed=1.4):
    return place(standing(n), z=6.0) - np.array([0, 0, speed]) * frames(n)[:, None, None]


def lying_still(n=96):
    flat = np.einsum("ij,kj->ki", rot_x(np.array([-np.pi / 2]))[0], STAND) + np.array([0, 0.12, 0])
    return place(np.repeat(flat[None], n, axis=0))
