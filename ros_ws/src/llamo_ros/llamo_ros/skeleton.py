"""The canonical skeleton every backend converts to: Human3.6M 17 joints (H36M-17).

Joint order and parents follow the Human3.6M convention used by VideoPose3D and MotionBERT, so
lifters trained on it consume our 2D keypoints directly. 3D coordinates are metres in the camera
optical frame (REP-103: x right, y down, z forward) unless a function says otherwise.
"""
from __future__ import annotations

LAYOUT_NAME = "h36m17"

JOINT_NAMES: tuple[str, ...] = (
    "pelvis",          # 0  root: midpoint of the hips
    "right_hip",       # 1
    "right_knee",      # 2
    "right_ankle",     # 3
    "left_hip",        # 4
    "left_knee",       # 5
    "left_ankle",      # 6
    "spine",           # 7  midpoint of pelvis and thorax
    "thorax",          # 8  midpoint of the shoulders
    "neck_nose",       # 9
    "head",            # 10 top of the head
    "left_shoulder",   # 11
    "left_elbow",      # 12
    "left_wrist",      # 13
    "right_shoulder",  # 14
    "right_elbow",     # 15
    "right_wrist",     # 16
)
NUM_JOINTS = len(JOINT_NAMES)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

# Parent of each joint in the kinematic tree (-1 for the root).
PARENTS: tuple[int, ...] = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)

# Bones as (parent, child) pairs, in joint order.
BONES: tuple[tuple[int, int], ...] = tuple((p, c) for c, p in enumerate(PARENTS) if p >= 0)

# Left/right joint pairs, for mirroring and for left-right swap checks.
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = ((4, 1), (5, 2), (6, 3), (11, 14), (12, 15), (13, 16))

ROOT = JOINT_INDEX["pelvis"]
