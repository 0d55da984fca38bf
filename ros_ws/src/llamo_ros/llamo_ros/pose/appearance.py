"""A person's look, for telling two people apart where their boxes meet: the colour of the torso.

When two people cross in the image, the pose backend's region can slide from one onto the other while the box
hardly moves (on vtest.avi a track went from a woman in a white coat to a man in black within 0.2 s, 0.26 box
diagonals), and the track, its root and its path then belong to someone else: the behaviour stage described such
tracks as leaping or running. Clothing colour changes little from frame to frame for one person and a lot between
two, so the tracker refuses a match whose torso colour is far from the track's.

The descriptor is a hue x saturation x value histogram (8 x 4 x 4 bins, normalised) of the pixels inside the
quadrilateral of the shoulders and hips; the distance is the Bhattacharyya distance (0: same distribution, 1: no
overlap). Illumination changes shift value and saturation, hence their coarse bins.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.skeleton import JOINT_INDEX

TORSO = tuple(JOINT_INDEX[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip"))  # polygon order
BINS = (8, 4, 4)                 # hue, saturation, value
MIN_TORSO_PIXELS = 30            # a smaller torso (far away, side-on) gives no descriptor
MIN_KEYPOINT_CONFIDENCE = 0.3    # the torso's corners must be at least this sure


def torso_colour(image_rgb: np.ndarray, keypoints_2d: np.ndarray) -> np.ndarray | None:
    """(128,) float32 normalised HSV histogram of the torso, or None when the torso is too small or unsure.

    image_rgb: (H, W, 3) uint8 RGB; keypoints_2d: (17, 3) u, v pixels and confidence (H36M-17 order)."""
    import cv2

    corners = np.asarray(keypoints_2d, np.float64)[list(TORSO)]
    if not np.all(np.isfinite(corners)) or corners[:, 2].min() < MIN_KEYPOINT_CONFIDENCE:
        return None
    height, width = image_rgb.shape[:2]
    x0, y0 = np.floor(corners[:, :2].min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners[:, :2].max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    crop = np.ascontiguousarray(image_rgb[y0:y1, x0:x1])
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners[:, :2] - [x0, y0]).astype(np.int32), 1)
    if int(mask.sum()) < MIN_TORSO_PIXELS:
        return None
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], mask, list(BINS), [0, 180, 0, 256, 0, 256]).ravel()
    return (hist / hist.sum()).astype(np.float32)


def appearance_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) Bhattacharyya distances in [0, 1] between (N, K) and (M, K) normalised histograms (`torso_colour`)."""
    overlap = np.sqrt(np.clip(a, 0, None)) @ np.sqrt(np.clip(b, 0, None)).T      # (N, M) Bhattacharyya coefficient
    return np.sqrt(1.0 - np.clip(overlap, 0.0, 1.0))


def appearance_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance in [0, 1] of two normalised histograms (`torso_colour`)."""
    return float(appearance_distances(np.atleast_2d(a), np.atleast_2d(b))[0, 0])
