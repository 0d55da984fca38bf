"""A hand-measured SMPL-22 standing pose (y up, metres, facing +z, the person's left at +x)."""
import numpy as np

SMPL22_STANDING = np.array([
    [0.00, 0.93, 0.00],    # pelvis
    [0.09, 0.85, 0.00],    # left_hip
    [-0.09, 0.85, 0.00],   # right_hip
    [0.00, 1.04, -0.01],   # spine1
    [0.10, 0.48, 0.01],    # left_knee
    [-0.10, 0.48, 0.01],   # right_knee
    [0.00, 1.17, 0.00],    # spine2
    [0.10, 0.08, -0.03],   # left_ankle
    [-0.10, 0.08, -0.03],  # right_ankle
    [0.00, 1.23, 0.01],    # spine3
    [0.11, 0.02, 0.10],    # left_foot
    [-0.11, 0.02, 0.10],   # right_foot
    [0.00, 1.45, -0.01],   # neck
    [0.07, 1.38, 0.00],    # left_collar
    [-0.07, 1.38, 0.00],   # right_collar
    [0.00, 1.55, 0.03],    # head
    [0.18, 1.40, -0.01],   # left_shoulder
    [-0.18, 1.40, -0.01],  # right_shoulder
    [0.20, 1.12, -0.02],   # left_elbow
    [-0.20, 1.12, -0.02],  # right_elbow
    [0.21, 0.87, 0.02],    # left_wrist
    [-0.21, 0.87, 0.02],   # right_wrist
])


def walking_forward(frames: int, fps: float, speed_mps: float) -> np.ndarray:
    """(frames, 22, 3): the standing pose translated along +z (its facing) at `speed_mps`."""
    t = np.arange(frames) / fps
    offset = np.zeros((frames, 1, 3))
    offset[:, 0, 2] = speed_mps * t
    return SMPL22_STANDING[None] + offset
