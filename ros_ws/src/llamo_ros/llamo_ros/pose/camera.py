"""Pinhole intrinsics (from sensor_msgs/CameraInfo's K) and the default used without CameraInfo."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Horizontal field of view assumed when no CameraInfo arrives. 60 deg sits between common webcams
# (~55-70 deg) and RGB-D colour cameras (RealSense D435 colour 69 deg, Kinect v2 84 deg); a wrong
# guess scales every distance by tan(true/2)/tan(assumed/2), e.g. +/-20% for 50..70 deg.
DEFAULT_HORIZONTAL_FOV_DEG = 60.0


@dataclass(frozen=True)
class CameraIntrinsics:
    """Pinhole intrinsics in pixels of the image they belong to (no distortion model)."""

    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int
    assumed: bool = False   # True when made up from DEFAULT_HORIZONTAL_FOV_DEG, not from CameraInfo

    @classmethod
    def from_k(cls, k, width: int, height: int) -> "CameraIntrinsics":
        """From CameraInfo's row-major 3x3 K (9 numbers)."""
        k = np.asarray(k, dtype=np.float64).reshape(9)
        return cls(fx=float(k[0]), fy=float(k[4]), cx=float(k[2]), cy=float(k[5]), width=int(width), height=int(height))

    @classmethod
    def from_fov(cls, width: int, height: int,
                 horizontal_fov_deg: float = DEFAULT_HORIZONTAL_FOV_DEG) -> "CameraIntrinsics":
        """Square pixels, principal point at the image centre; flagged ``assumed``."""
        fx = 0.5 * width / math.tan(math.radians(horizontal_fov_deg) / 2.0)
        return cls(fx=fx, fy=fx, cx=width / 2.0, cy=height / 2.0, width=int(width), height=int(height), assumed=True)

    def is_valid(self) -> bool:
        return (self.fx > 0 and self.fy > 0 and self.width > 0 and self.height > 0
                and all(math.isfinite(v) for v in (self.fx, self.fy, self.cx, self.cy)))

    def back_project(self, u: np.ndarray, v: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Pixels (u, v) at depth z (metres along the optical axis) -> (..., 3) points, optical frame."""
        u, v, z = np.broadcast_arrays(np.asarray(u, np.float64), np.asarray(v, np.float64), np.asarray(z, np.float64))
        return np.stack([(u - self.cx) * z / self.fx, (v - self.cy) * z / self.fy, z], axis=-1)

    def project(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) points in the optical frame -> (..., 2) pixels."""
        p = np.asarray(points, dtype=np.float64)
        return np.stack([self.fx * p[..., 0] / p[..., 2] + self.cx, self.fy * p[..., 1] / p[..., 2] + self.cy], axis=-1)
