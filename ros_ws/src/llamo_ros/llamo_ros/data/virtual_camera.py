"""A virtual camera that views y-up motion-capture joints, giving the optical frame MotionClip uses.

Motion-capture sources (HumanML3D, AMASS) have no camera; we place one in front of the person so the
clip looks like what the robot would see: optical frame x right, y down, z forward (REP-103).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llamo_ros.skeleton import JOINT_INDEX

_UP = np.array([0.0, 1.0, 0.0])


@dataclass
class VirtualCamera:
    """Where the camera stands relative to the person's first frame (y-up world, metres)."""

    distance_m: float = 4.0   # horizontal distance from the person's first-frame pelvis
    height_m: float = 1.2     # camera height above the floor (y = 0)
    azimuth_deg: float = 0.0  # 0: in front of the person's first-frame facing; 90: on their left
    look_at_height_m: float | None = None  # height of the aimed point; None: the first-frame pelvis

    def __post_init__(self) -> None:
        if not self.distance_m > 0:
            raise ValueError(f"distance_m must be positive, got {self.distance_m}")
        if not self.height_m > 0:
            raise ValueError(f"height_m must be positive, got {self.height_m}")


def facing_direction(h36m_frame: np.ndarray) -> np.ndarray:
    """Horizontal unit forward (3,) of a y-up H36M-17 pose (17, 3): left hip -> right hip x up."""
    left = h36m_frame[JOINT_INDEX["left_hip"]] - h36m_frame[JOINT_INDEX["right_hip"]]
    left = left - (left @ _UP) * _UP
    forward = np.cross(left, _UP)  # left x up = forward in a right-handed y-up frame
    norm = np.linalg.norm(forward)
    if norm < 1e-9:
        raise ValueError("cannot tell the facing direction: the hips coincide")
    return forward / norm


def camera_pose(h36m_yup: np.ndarray, camera: VirtualCamera) -> tuple[np.ndarray, np.ndarray]:
    """(rotation (3, 3) world -> optical, centre (3,)) for a camera placed by `camera` at frame 0."""
    first = h36m_yup[0]
    pelvis = first[JOINT_INDEX["pelvis"]]
    forward = facing_direction(first)
    left = np.cross(_UP, forward)
    az = math.radians(camera.azimuth_deg)
    out = math.cos(az) * forward + math.sin(az) * left          # from the person towards the camera
    centre = np.array([pelvis[0], 0.0, pelvis[2]]) + camera.distance_m * out
    centre[1] = camera.height_m
    target = pelvis.copy()
    if camera.look_at_height_m is not None:
        target[1] = camera.look_at_height_m
    z_c = target - centre
    z_c /= np.linalg.norm(z_c)
    x_c = np.cross(z_c, _UP)
    x_c /= np.linalg.norm(x_c)
    y_c = np.cross(z_c, x_c)
    return np.stack([x_c, y_c, z_c]), centre


def yup_to_camera(h36m_yup: np.ndarray, camera: VirtualCamera) -> np.ndarray:
    """(T, 17, 3) y-up world joints (metres) -> (T, 17, 3) in the virtual camera's optical frame."""
    rotation, centre = camera_pose(h36m_yup, camera)
    return (h36m_yup - centre) @ rotation.T
