"""SMPL body joints (the first 22 of SMPL, SMPL-H and SMPL-X) -> the canonical H36M-17 layout.

HumanML3D's `new_joints` and AMASS via a SMPL body model both give these 22 joints; every loader
converts through `smpl22_to_h36m17` so the two sources agree joint for joint.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

SMPL22_JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar",
    "right_collar", "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
)
SMPL22 = {name: i for i, name in enumerate(SMPL22_JOINT_NAMES)}

# H36M joints taken directly from a SMPL joint of the same meaning.
DIRECT_JOINTS: dict[str, str] = {
    "right_hip": "right_hip", "right_knee": "right_knee", "right_ankle": "right_ankle",
    "left_hip": "left_hip", "left_knee": "left_knee", "left_ankle": "left_ankle",
    "left_shoulder": "left_shoulder", "left_elbow": "left_elbow", "left_wrist": "left_wrist",
    "right_shoulder": "right_shoulder", "right_elbow": "right_elbow", "right_wrist": "right_wrist",
}
# The others are built, because SMPL's joints sit elsewhere:
#   pelvis    = midpoint of the SMPL hips. H36M's root is the hip midpoint; SMPL's pelvis joint is
#               several cm higher.
#   spine     = midpoint of SMPL spine1 and spine3 (mid-torso, like H36M's spine joint)
#   thorax    = midpoint of the SMPL shoulders (H36M's thorax definition)
#   neck_nose = SMPL head joint (skull base, about nose height; SMPL has no nose joint)
#   head      = SMPL head + (head - neck): extrapolated towards the crown, H36M's head is the top
HEAD_EXTRAPOLATION = 1.0


def smpl22_to_h36m17(joints: np.ndarray) -> np.ndarray:
    """(..., J >= 22, 3) SMPL joint positions -> (..., 17, 3) H36M-17, same frame and units."""
    joints = np.asarray(joints)
    if joints.shape[-2] < 22 or joints.shape[-1] != 3:
        raise ValueError(f"expected (..., >=22, 3) SMPL joints, got {joints.shape}")
    s = lambda name: joints[..., SMPL22[name], :]  # noqa: E731
    out = np.empty(joints.shape[:-2] + (NUM_JOINTS, 3), dtype=np.result_type(joints.dtype, np.float32))
    for h36m, smpl in DIRECT_JOINTS.items():
        out[..., JOINT_INDEX[h36m], :] = s(smpl)
    out[..., JOINT_INDEX["pelvis"], :] = 0.5 * (s("left_hip") + s("right_hip"))
    out[..., JOINT_INDEX["spine"], :] = 0.5 * (s("spine1") + s("spine3"))
    out[..., JOINT_INDEX["thorax"], :] = 0.5 * (s("left_shoulder") + s("right_shoulder"))
    out[..., JOINT_INDEX["neck_nose"], :] = s("head")
    out[..., JOINT_INDEX["head"], :] = s("head") + HEAD_EXTRAPOLATION * (s("head") - s("neck"))
    return out


def z_up_to_y_up(points: np.ndarray) -> np.ndarray:
    """AMASS/SMPL world frames are z up: (x, y, z) -> (x, z, -y), a proper rotation about x."""
    points = np.asarray(points)
    return np.stack([points[..., 0], points[..., 2], -points[..., 1]], axis=-1)
