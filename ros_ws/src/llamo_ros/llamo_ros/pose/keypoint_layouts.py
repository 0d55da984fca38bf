"""Conversions from backend keypoint layouts to the canonical H36M-17 (`llamo_ros.skeleton`).

MediaPipe Pose (33 landmarks, BlazePose topology) -> H36M-17:

====================  ==================================================================
H36M joint            MediaPipe landmarks
====================  ==================================================================
pelvis                mean(23 left_hip, 24 right_hip)
right_hip/knee/ankle  24 / 26 / 28
left_hip/knee/ankle   23 / 25 / 27
thorax                mean(11 left_shoulder, 12 right_shoulder)
spine                 mean(pelvis, thorax)
neck_nose             0 nose
head                  mean(2 left_eye, 5 right_eye)
left shoulder/elbow/wrist   11 / 13 / 15
right shoulder/elbow/wrist  12 / 14 / 16
====================  ==================================================================

COCO-17 (RTMPose, RTMDet-based top-down models) -> H36M-17 follows mmpose's own conversion for
pose lifting (pelvis = mid-hips, thorax = mid-shoulders, spine = their midpoint, head = mid-eyes,
neck_nose = nose), so VideoPose3D-style lifters trained on COCO detections get what they expect.

"head" is therefore the point between the eyes for 2D keypoints of both backends, not the top of
the head that Human3.6M's motion capture marks; lifters output the mocap head top in 3D.

Confidences of derived joints are the minimum of the joints they are made from: a midpoint is only
as trustworthy as its worst input. "Left"/"right" are the person's own sides.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

# Joints copied one-to-one: H36M index -> source index.
_MEDIAPIPE_DIRECT = {
    JOINT_INDEX["right_hip"]: 24, JOINT_INDEX["right_knee"]: 26, JOINT_INDEX["right_ankle"]: 28,
    JOINT_INDEX["left_hip"]: 23, JOINT_INDEX["left_knee"]: 25, JOINT_INDEX["left_ankle"]: 27,
    JOINT_INDEX["neck_nose"]: 0,
    JOINT_INDEX["left_shoulder"]: 11, JOINT_INDEX["left_elbow"]: 13, JOINT_INDEX["left_wrist"]: 15,
    JOINT_INDEX["right_shoulder"]: 12, JOINT_INDEX["right_elbow"]: 14, JOINT_INDEX["right_wrist"]: 16,
}
_MEDIAPIPE_MIDPOINTS = {"pelvis": (23, 24), "thorax": (11, 12), "head": (2, 5)}

_COCO_DIRECT = {
    JOINT_INDEX["right_hip"]: 12, JOINT_INDEX["right_knee"]: 14, JOINT_INDEX["right_ankle"]: 16,
    JOINT_INDEX["left_hip"]: 11, JOINT_INDEX["left_knee"]: 13, JOINT_INDEX["left_ankle"]: 15,
    JOINT_INDEX["neck_nose"]: 0,
    JOINT_INDEX["left_shoulder"]: 5, JOINT_INDEX["left_elbow"]: 7, JOINT_INDEX["left_wrist"]: 9,
    JOINT_INDEX["right_shoulder"]: 6, JOINT_INDEX["right_elbow"]: 8, JOINT_INDEX["right_wrist"]: 10,
}
_COCO_MIDPOINTS = {"pelvis": (11, 12), "thorax": (5, 6), "head": (1, 2)}


def _convert(points: np.ndarray, confidence: np.ndarray, direct: dict,
             midpoints: dict) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=np.float32)
    confidence = np.asarray(confidence, dtype=np.float32)
    out = np.zeros(points.shape[:-2] + (NUM_JOINTS, points.shape[-1]), dtype=np.float32)
    conf = np.zeros(points.shape[:-2] + (NUM_JOINTS,), dtype=np.float32)
    for dst, src in direct.items():
        out[..., dst, :] = points[..., src, :]
        conf[..., dst] = confidence[..., src]
    for name, (a, b) in midpoints.items():
        out[..., JOINT_INDEX[name], :] = 0.5 * (points[..., a, :] + points[..., b, :])
        conf[..., JOINT_INDEX[name]] = np.minimum(confidence[..., a], confidence[..., b])
    pelvis, thorax, spine = JOINT_INDEX["pelvis"], JOINT_INDEX["thorax"], JOINT_INDEX["spine"]
    out[..., spine, :] = 0.5 * (out[..., pelvis, :] + out[..., thorax, :])
    conf[..., spine] = np.minimum(conf[..., pelvis], conf[..., thorax])
    return out, conf


def mediapipe33_to_h36m17(points: np.ndarray, confidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 33, D) MediaPipe landmarks + (..., 33) confidences -> (..., 17, D), (..., 17)."""
    return _convert(points, confidence, _MEDIAPIPE_DIRECT, _MEDIAPIPE_MIDPOINTS)


def coco17_to_h36m17(points: np.ndarray, confidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 17, D) COCO keypoints + (..., 17) confidences -> (..., 17, D), (..., 17)."""
    return _convert(points, confidence, _COCO_DIRECT, _COCO_MIDPOINTS)
