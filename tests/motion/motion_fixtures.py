"""Skeleton sequences shared by the motion tests (plain functions; fixtures live in conftest.py)."""
from __future__ import annotations

import numpy as np


def walking_skeleton(T: int = 90, fps: float = 30.0, speed=(0.0, 0.0, -1.0), yaw: float = np.pi) -> np.ndarray:
    """A rigid T-pose-ish skeleton translating at `speed` m/s, facing angle `yaw` (pi = facing the camera)."""
    from llamo_ros.skeleton import NUM_JOINTS
    rng = np.random.default_rng(0)
    base = rng.normal(scale=0.1, size=(NUM_JOINTS, 3))
    base[0] = 0.0
    base[4] = [-0.1, 0.0, 0.0]  # left hip at -x in the body frame (facing +z, back to the camera)
    base[1] = [0.1, 0.0, 0.0]   # right hip
    c, s = np.cos(yaw), np.sin(yaw)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])  # maps body +z to (sin yaw, 0, cos yaw)
    body = base @ rot.T
    t = np.arange(T)[:, None] / fps
    root = np.array([0.0, 0.0, 4.0]) + t * np.asarray(speed)
    return (body[None] + root[:, None]).astype(np.float32)
