"""Up (anti-gravity) direction in the camera optical frame, from a known camera pitch or from the body.

The camera may be pitched down (robot heads, CCTV), so up is not -y. With the pitch known, up =
(0, -cos p, -sin p). Otherwise it is estimated from the frames where the body is straight (spine and
legs within `straight_body_deg`, knees straight): the mean direction ankles -> head, with the camera
roll assumed zero (only the y-z plane counts) and the pitch clipped to `pitch_range_deg`. When the
pelvis moves >= `ground_fit_min_depth_m` in depth, the level pelvis path (flat ground) fixes the pitch
instead, which is more precise for walks. How it fails: a window where the person never stands
straight (sitting, lying, crawling, bent throughout) falls back to `default_pitch_deg`; a consistent
lean (walking up a slope, a hunched posture) tilts the estimate by the lean; a rolled camera is not
modelled.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.motion.descriptors.config import DescriptorConfig
from llamo_ros.motion.descriptors.signals import angle_deg, unit
from llamo_ros.skeleton import JOINT_INDEX as J


def up_from_pitch(pitch_deg: float) -> np.ndarray:
    """Up (anti-gravity) in the optical frame of a camera without roll pitched down by pitch_deg."""
    p = np.radians(pitch_deg)
    return np.array([0.0, -np.cos(p), -np.sin(p)])


def estimate_up(j: np.ndarray, cfg: DescriptorConfig) -> tuple[np.ndarray, bool]:
    """(up (3,), from_body) from the straight-body frames of filled joints j (T, 17, 3)."""
    ankles = 0.5 * (j[:, J["left_ankle"]] + j[:, J["right_ankle"]])
    hips = j[:, J["pelvis"]]
    spine = j[:, J["thorax"]] - hips
    legs = hips - ankles
    knee_l = angle_deg(j[:, J["left_hip"]] - j[:, J["left_knee"]], j[:, J["left_ankle"]] - j[:, J["left_knee"]])
    knee_r = angle_deg(j[:, J["right_hip"]] - j[:, J["right_knee"]], j[:, J["right_ankle"]] - j[:, J["right_knee"]])
    straight = (angle_deg(spine, legs) < cfg.straight_body_deg) & (np.minimum(knee_l, knee_r) > 150.0)
    if straight.sum() < 3:
        return up_from_pitch(cfg.default_pitch_deg), False
    body = unit(j[straight, J["head"]] - ankles[straight]).mean(axis=0)
    pitch = np.degrees(np.arctan2(-body[2], -body[1]))  # roll assumed zero: only the y-z plane counts
    if not np.isfinite(pitch) or -body[1] <= 0:  # "up" pointing down the image: not a standing body
        return up_from_pitch(cfg.default_pitch_deg), False
    return up_from_pitch(float(np.clip(pitch, *cfg.pitch_range_deg))), True


def level_path_up(pelvis: np.ndarray, cfg: DescriptorConfig) -> np.ndarray | None:
    """Up from a pelvis path (T, 3) that moves in depth on flat ground, or None if it moves too little."""
    yz = pelvis[:, 1:]
    if np.ptp(yz[:, 1]) < cfg.ground_fit_min_depth_m:
        return None
    slope = np.polyfit(yz[:, 1], yz[:, 0], 1)[0]   # y = a + slope z on a level path: slope = -tan(pitch)
    return up_from_pitch(float(np.clip(-np.degrees(np.arctan(slope)), *cfg.pitch_range_deg)))
