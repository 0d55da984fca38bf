"""Rigid transforms between the camera optical frame and a robot frame (`target_frame`), without ROS.

The pose and motion models work in the camera optical frame (REP-103: x right, y down, z forward), the
frame they were trained in. Planners want people in `base_link`, `odom` or `map`: the nodes transform
their outputs at the edge with a `RigidTransform` (camera optical frame -> target frame at the image's
stamp), from tf2 where `tf2_ros` imports (`llamo_ros.messages.tf2_frames`) or from a fixed transform given as
parameters (`TargetFrameConfig`, `FixedCameraTransform`; PyPI wheels have no tf2_ros).

Everything here takes and returns numpy arrays: points (..., 3), free vectors such as velocities (..., 3),
covariances (..., 3, 3) and per-axis standard deviations (..., 3), so new message fields are transformed
with the same functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import param

TRANSFORM_SOURCES = ("auto", "tf2", "fixed")


class FrameLookupError(RuntimeError):
    """No camera-to-target transform is available for an image (tf2 has none at its stamp, or it timed out)."""


@dataclass(frozen=True)
class RigidTransform:
    """p_target = rotation @ p_source + translation; rotation (3, 3) orthonormal, translation (3,) in metres.

    Maps coordinates in the source frame (the camera optical frame) to the target frame; equivalently,
    it is the source frame's pose in the target frame (tf2's lookup_transform(target, source) result).
    """

    rotation: np.ndarray
    translation: np.ndarray

    def __post_init__(self) -> None:
        r = np.asarray(self.rotation, dtype=np.float64).reshape(3, 3)
        t = np.asarray(self.translation, dtype=np.float64).reshape(3)
        if not (np.isfinite(r).all() and np.isfinite(t).all()):
            raise ValueError("transform has non-finite values")
        if not np.allclose(r @ r.T, np.eye(3), atol=1e-6) or np.linalg.det(r) < 0:
            raise ValueError(f"rotation is not a proper rotation matrix:\n{r}")
        object.__setattr__(self, "rotation", r)
        object.__setattr__(self, "translation", t)

    @classmethod
    def identity(cls) -> RigidTransform:
        return cls(np.eye(3), np.zeros(3))

    @classmethod
    def from_rpy(cls, xyz=(0.0, 0.0, 0.0), rpy=(0.0, 0.0, 0.0)) -> RigidTransform:
        """From a translation (m) and roll, pitch, yaw (rad) about the fixed x, y, z axes, applied in that
        order (R = Rz(yaw) Ry(pitch) Rx(roll), as URDF and tf2's static_transform_publisher)."""
        roll, pitch, yaw = (float(a) for a in rpy)
        cr, sr, cp, sp, cy, sy = (math.cos(roll), math.sin(roll), math.cos(pitch), math.sin(pitch),
                                  math.cos(yaw), math.sin(yaw))
        r = np.array([[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
                      [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
                      [-sp, cp * sr, cp * cr]])
        return cls(r, np.asarray(xyz, dtype=np.float64))

    @classmethod
    def from_quaternion(cls, xyz, xyzw) -> RigidTransform:
        """From a translation (m) and a unit quaternion (x, y, z, w), geometry_msgs' order. An all-zero
        quaternion (an unset message field) is read as no rotation; others are normalised."""
        q = np.asarray(xyzw, dtype=np.float64)
        n = np.linalg.norm(q)
        if n == 0.0:
            return cls(np.eye(3), np.asarray(xyz, dtype=np.float64))
        x, y, z, w = q / n
        r = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                      [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                      [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
        return cls(r, np.asarray(xyz, dtype=np.float64))

    def quaternion(self) -> np.ndarray:
        """The rotation as a unit quaternion (x, y, z, w) with w >= 0."""
        r = self.rotation   # Shepperd's method: divide by the largest of 4w^2, 4x^2, 4y^2, 4z^2 (stable)
        trace = np.trace(r)
        i = int(np.argmax([trace, r[0, 0], r[1, 1], r[2, 2]]))
        if i == 0:
            w = 0.5 * math.sqrt(1.0 + trace)
            q = np.array([(r[2, 1] - r[1, 2]) / (4 * w), (r[0, 2] - r[2, 0]) / (4 * w),
                          (r[1, 0] - r[0, 1]) / (4 * w), w])
        else:
            a = i - 1                    # the largest of x, y, z
            b, c = (a + 1) % 3, (a + 2) % 3
            v = np.zeros(3)
            v[a] = 0.5 * math.sqrt(max(0.0, 1.0 + r[a, a] - r[b, b] - r[c, c]))
            v[b] = (r[b, a] + r[a, b]) / (4 * v[a])
            v[c] = (r[c, a] + r[a, c]) / (4 * v[a])
            q = np.array([*v, (r[c, b] - r[b, c]) / (4 * v[a])])
        q = q if q[3] >= 0 else -q
        return q / np.linalg.norm(q)

    @property
    def is_identity(self) -> bool:
        return bool(np.array_equal(self.rotation, np.eye(3)) and not self.translation.any())

    def inverse(self) -> RigidTransform:
        """Target frame -> source frame."""
        return RigidTransform(self.rotation.T, -self.rotation.T @ self.translation)

    def __matmul__(self, other: RigidTransform) -> RigidTransform:
        """self after other: (a @ b).apply_points(p) == a.apply_points(b.apply_points(p))."""
        return RigidTransform(self.rotation @ other.rotation, self.rotation @ other.translation + self.translation)

    def apply_points(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) positions in the source frame -> the target frame (m); NaN stays NaN."""
        p = np.asarray(points, dtype=np.float64)
        return p @ self.rotation.T + self.translation

    def apply_vectors(self, vectors: np.ndarray) -> np.ndarray:
        """(..., 3) free vectors (velocities m/s, directions, offsets) -> the target frame: rotated only."""
        return np.asarray(vectors, dtype=np.float64) @ self.rotation.T

    def apply_covariances(self, covariances: np.ndarray) -> np.ndarray:
        """(..., 3, 3) position or velocity covariances -> the target frame: R C R^T."""
        c = np.asarray(covariances, dtype=np.float64)
        return self.rotation @ c @ self.rotation.T

    def apply_axis_std(self, std: np.ndarray) -> np.ndarray:
        """(..., 3) per-axis standard deviations of independent errors -> the target frame's per-axis
        standard deviations (the exact marginals: sqrt of the diagonal of R diag(std^2) R^T)."""
        s = np.asarray(std, dtype=np.float64)
        return np.sqrt((s ** 2) @ (self.rotation ** 2).T)


@dataclass
class TargetFrameConfig:
    """Where the pose node publishes people (and the behaviour stage their future paths)."""

    target_frame: str = param("", "frame of the published persons, markers and future paths, e.g. base_link, "
                                  "odom or map; empty: the camera optical frame (the image's frame_id)")
    target_transform: str = param("auto", "where the camera-to-target transform comes from: tf2 (tf2_ros at "
                                          "the image stamp), fixed (the camera_* parameters), or auto: tf2 "
                                          "where tf2_ros imports, else fixed")
    camera_x: float = param(0.0, "fixed transform: x of the camera optical frame's origin in target_frame, m")
    camera_y: float = param(0.0, "fixed transform: y of the camera optical frame's origin in target_frame, m")
    camera_z: float = param(0.0, "fixed transform: z of the camera optical frame's origin in target_frame, m")
    camera_roll: float = param(0.0, "fixed transform: roll of the camera optical frame in target_frame, rad "
                                    "(about x, then pitch about y, then yaw about z, fixed axes as in URDF; a "
                                    "level forward camera on base_link: roll -pi/2, pitch 0, yaw -pi/2)")
    camera_pitch: float = param(0.0, "fixed transform: pitch of the camera optical frame in target_frame, rad")
    camera_yaw: float = param(0.0, "fixed transform: yaw of the camera optical frame in target_frame, rad")
    tf_timeout_s: float = param(0.05, "tf2: longest wait for the transform at an image's stamp, s; the "
                                      "image is dropped (counted) when none arrives")

    def __post_init__(self) -> None:
        if self.target_transform not in TRANSFORM_SOURCES:
            raise ValueError(f"target_transform must be one of {TRANSFORM_SOURCES}, got {self.target_transform!r}")
        if self.tf_timeout_s < 0:
            raise ValueError(f"tf_timeout_s must be >= 0, got {self.tf_timeout_s}")

    def fixed_transform(self) -> RigidTransform:
        """The camera optical frame -> target_frame transform given by the camera_* fields."""
        return RigidTransform.from_rpy((self.camera_x, self.camera_y, self.camera_z),
                                       (self.camera_roll, self.camera_pitch, self.camera_yaw))


class FixedCameraTransform:
    """The same camera-to-target transform for every image (a camera rigidly mounted on `target_frame`)."""

    def __init__(self, target_frame: str, transform: RigidTransform) -> None:
        if not target_frame:
            raise ValueError("a fixed camera transform needs a target_frame")
        self.target_frame, self.transform = target_frame, transform

    def lookup(self, camera_frame: str, stamp_ns: int) -> RigidTransform:
        """camera optical frame -> target_frame at `stamp_ns` (ns): always the fixed transform."""
        return self.transform
