"""Place a root-relative 3D skeleton in the camera optical frame, in metres.

Backends give a skeleton relative to the pelvis (MediaPipe world landmarks, VideoPose3D output)
plus 2D keypoints. This module finds the pelvis position ``t`` (REP-103 optical frame: x right,
y down, z forward) in two ways:

**Height prior** (`place_with_height_prior`). The relative skeleton is rescaled so its standing
height is ``body_height_m`` (1.70 m by default), estimated from bone lengths so it works for
sitting or bending people. Then ``t`` is the linear least-squares solution of the pinhole
equations ``u_i = fx (X_i + tx) / (Z_i + tz) + cx`` (and the same for v) over all keypoints whose
2D confidence passes ``min_confidence``, weighted by confidence. Because distance is proportional
to the assumed size, the error is the body-height spread: adults' stature has SD ~7 cm per sex and
~10 cm pooled, so a 1.70 m prior is within about +/-6% of distance for 2 in 3 adults and +/-10-15%
for 19 in 20 (children: much worse, distance overestimated). Pose errors of the relative skeleton
add a few %. Without CameraInfo a default field of view is used (`camera.DEFAULT_HORIZONTAL_FOV_DEG`)
and the result is flagged; the focal-length error then scales the distance too (about +/-20% for a
real FOV between 50 and 70 degrees).

**Depth** (`place_with_depth`). The median depth over torso keypoints (hips, shoulders, pelvis,
spine, thorax; small windows around each) of an aligned depth image gives the torso *surface*
distance; the pelvis joint lies ``torso_half_depth_m`` (0.10 m) behind it. The height-prior
solution is then scaled about the camera centre so its pelvis has that depth: scaling about the
optical centre leaves every 2D projection unchanged, and the skeleton takes the person's true
size. The error is the depth sensor's (RealSense D435 ~2% at 3 m) plus the torso-thickness
assumption (+/-5 cm); a constant plane at 3.2 m gives a root at 3.30 m.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.skeleton import JOINT_INDEX

# Stature fractions (Drillis & Contini 1966): hip joint 0.530 H, shoulder 0.818 H, ankle 0.039 H,
# nose ~0.91 H. The bone chain ankle-knee-hip + pelvis-spine-thorax + thorax-nose spans
# (0.530 - 0.039) + (0.818 - 0.530) + ~0.095 (the nose is forward of the neck) = 0.874 H.
_CHAIN_FRACTION_OF_STATURE = 0.874
_TORSO_JOINTS = tuple(JOINT_INDEX[n] for n in ("pelvis", "spine", "thorax", "left_hip", "right_hip",
                                                "left_shoulder", "right_shoulder"))


@dataclass
class MetricRootConfig:
    """How root-relative skeletons are placed in metres (see the module docstring)."""

    body_height_m: float = 1.70          # assumed standing height of every person, metres
    min_confidence: float = 0.3          # 2D keypoints below this are ignored by the fit
    torso_half_depth_m: float = 0.10     # pelvis joint behind the torso surface the depth sees
    depth_window_px: int = 5             # side of the square window sampled around each torso keypoint
    min_depth_m: float = 0.1             # depth readings outside [min, max] are treated as missing
    max_depth_m: float = 20.0


def stature_from_bones(joints: np.ndarray) -> float:
    """Standing height (same unit as ``joints``) estimated from H36M-17 bone lengths."""
    j = np.asarray(joints, dtype=np.float64)
    n = JOINT_INDEX

    def length(a: str, b: str) -> float:
        return float(np.linalg.norm(j[n[a]] - j[n[b]]))

    legs = 0.5 * (length("left_hip", "left_knee") + length("left_knee", "left_ankle")
                  + length("right_hip", "right_knee") + length("right_knee", "right_ankle"))
    trunk = length("pelvis", "spine") + length("spine", "thorax") + length("thorax", "neck_nose")
    return (legs + trunk) / _CHAIN_FRACTION_OF_STATURE


def fit_root_translation(joints_rel: np.ndarray, keypoints_2d: np.ndarray, intrinsics: CameraIntrinsics,
                         min_confidence: float = 0.3) -> np.ndarray | None:
    """Translation t (3,) such that ``joints_rel + t`` projects onto ``keypoints_2d``; None if unsolvable.

    ``joints_rel``: (17, 3) metres, optical-frame axes. ``keypoints_2d``: (17, 3) u, v, confidence.
    """
    rel = np.asarray(joints_rel, dtype=np.float64)
    kp = np.asarray(keypoints_2d, dtype=np.float64)
    use = (kp[:, 2] >= min_confidence) & np.all(np.isfinite(rel), axis=1) & np.all(np.isfinite(kp[:, :2]), axis=1)
    if use.sum() < 2:
        return None
    rel, kp = rel[use], kp[use]
    du, dv, w = kp[:, 0] - intrinsics.cx, kp[:, 1] - intrinsics.cy, np.sqrt(kp[:, 2])
    zeros, fx, fy = np.zeros_like(du), np.full_like(du, intrinsics.fx), np.full_like(du, intrinsics.fy)
    # fx (X + tx) - du (Z + tz) = 0  ->  fx tx - du tz = du Z - fx X ; likewise for y.
    a = np.concatenate([np.stack([fx, zeros, -du], 1), np.stack([zeros, fy, -dv], 1)]) * np.concatenate([w, w])[:, None]
    b = np.concatenate([du * rel[:, 2] - intrinsics.fx * rel[:, 0],
                        dv * rel[:, 2] - intrinsics.fy * rel[:, 1]]) * np.concatenate([w, w])
    t, *_ = np.linalg.lstsq(a, b, rcond=None)
    if not np.all(np.isfinite(t)) or t[2] <= 0:
        return None
    return t


def place_with_height_prior(joints_rel: np.ndarray, keypoints_2d: np.ndarray, intrinsics: CameraIntrinsics,
                            config: MetricRootConfig = MetricRootConfig()) -> tuple[np.ndarray, np.ndarray] | None:
    """Scale ``joints_rel`` (17, 3) to the prior height and place it; -> (joints (17, 3), root (3,)) or None."""
    stature = stature_from_bones(joints_rel)
    if not np.isfinite(stature) or stature <= 1e-6:
        return None
    rel = np.asarray(joints_rel, dtype=np.float64) * (config.body_height_m / stature)
    rel = rel - rel[JOINT_INDEX["pelvis"]]
    t = fit_root_translation(rel, keypoints_2d, intrinsics, config.min_confidence)
    if t is None:
        return None
    return rel + t, t


def torso_depth(depth: np.ndarray, keypoints_2d: np.ndarray,
                config: MetricRootConfig = MetricRootConfig()) -> float | None:
    """Median valid depth (metres) in windows around confident torso keypoints; None if no reading."""
    h, w = depth.shape[:2]
    half = max(0, config.depth_window_px // 2)
    samples = []
    for j in _TORSO_JOINTS:
        u, v, c = keypoints_2d[j]
        if c < config.min_confidence or not (np.isfinite(u) and np.isfinite(v)):
            continue
        ui, vi = int(round(u)), int(round(v))
        if not (0 <= ui < w and 0 <= vi < h):
            continue
        patch = depth[max(0, vi - half):vi + half + 1, max(0, ui - half):ui + half + 1].astype(np.float64).ravel()
        samples.append(patch[np.isfinite(patch) & (patch >= config.min_depth_m) & (patch <= config.max_depth_m)])
    values = np.concatenate(samples) if samples else np.empty(0)
    return float(np.median(values)) if values.size else None


def place_with_depth(joints_rel: np.ndarray, keypoints_2d: np.ndarray, intrinsics: CameraIntrinsics,
                     depth: np.ndarray, config: MetricRootConfig = MetricRootConfig()
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """Place using the aligned depth image (metres); None when depth has no reading on the torso."""
    placed = place_with_height_prior(joints_rel, keypoints_2d, intrinsics, config)
    surface = torso_depth(depth, keypoints_2d, config)
    if placed is None or surface is None:
        return None
    joints, root = placed
    scale = (surface + config.torso_half_depth_m) / root[2]
    return joints * scale, root * scale


def place_person(joints_rel: np.ndarray, keypoints_2d: np.ndarray, image_size: tuple[int, int],
                 intrinsics: CameraIntrinsics | None, depth: np.ndarray | None,
                 config: MetricRootConfig = MetricRootConfig()):
    """Best available placement -> (joints (17, 3), root (3,), `RootSource`); NaNs when impossible.

    Order: depth (if given and it has torso readings), else height prior with ``intrinsics``, else
    height prior with the default field of view for ``image_size`` = (width, height).
    """
    from llamo_ros.pose.person_pose import RootSource

    if intrinsics is None or not intrinsics.is_valid():
        intrinsics = CameraIntrinsics.from_fov(*image_size)
    if depth is not None:
        placed = place_with_depth(joints_rel, keypoints_2d, intrinsics, depth, config)
        if placed is not None:
            return placed[0], placed[1], RootSource.DEPTH
    placed = place_with_height_prior(joints_rel, keypoints_2d, intrinsics, config)
    if placed is not None:
        source = RootSource.HEIGHT_PRIOR_ASSUMED_FOV if intrinsics.assumed else RootSource.HEIGHT_PRIOR
        return placed[0], placed[1], source
    nan = np.full((17, 3), np.nan)
    return nan, np.full(3, np.nan), RootSource.NONE
