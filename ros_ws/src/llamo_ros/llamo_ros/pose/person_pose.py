"""`PersonPose` (one detected person, canonical H36M-17) and the `PoseBackend` protocol."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.skeleton import LAYOUT_NAME, NUM_JOINTS

DEFAULT_MAX_PERSONS = 8   # most people a backend estimates per image unless told otherwise (every backend, the node)


class RootSource(str, enum.Enum):
    """How `PersonPose.root_position` (metric pelvis position) was obtained."""

    DEPTH = "depth"                                  # aligned depth image + CameraInfo K
    HEIGHT_PRIOR = "height_prior"                    # CameraInfo K + 1.70 m body-height prior
    HEIGHT_PRIOR_ASSUMED_FOV = "height_prior_assumed_fov"  # no CameraInfo: default field of view
    NONE = "none"                                    # not computed (no 3D skeleton)


@dataclass
class PersonPose:
    """One person in one image, in the canonical H36M-17 layout (`llamo_ros.skeleton`).

    Image coordinates are pixels of the input image (u right, v down), the same pixels that
    CameraInfo's K maps to. 3D coordinates are metres in the camera optical frame (REP-103: x right,
    y down, z forward).
    """

    bbox: np.ndarray            # (4,) float32 x_min, y_min, x_max, y_max in pixels
    score: float                # person detection score in [0, 1]
    keypoints_2d: np.ndarray    # (17, 3) float32 u, v (pixels), confidence in [0, 1]
    keypoints_3d: np.ndarray    # (17, 3) float32 metres, camera optical frame (root_position added)
    keypoint_3d_confidence: np.ndarray  # (17,) float32 in [0, 1]
    root_position: np.ndarray   # (3,) float32 pelvis in metres, camera optical frame; NaN if unknown
    root_source: RootSource = RootSource.NONE
    track_id: int = -1          # set by `PersonTracker`; -1 = untracked
    layout: str = LAYOUT_NAME
    # set by `RootFilter` (NaN when the root is not filtered): the root before filtering (3,) m, the root's
    # velocity (3,) m/s and position covariance (3, 3) m^2, all in the camera optical frame
    measured_root: np.ndarray = field(default_factory=lambda: np.full(3, np.nan, np.float32))
    root_velocity: np.ndarray = field(default_factory=lambda: np.full(3, np.nan, np.float32))
    root_covariance: np.ndarray = field(default_factory=lambda: np.full((3, 3), np.nan, np.float32))

    def __post_init__(self) -> None:
        self.bbox = np.asarray(self.bbox, dtype=np.float32).reshape(4)
        self.keypoints_2d = np.asarray(self.keypoints_2d, dtype=np.float32).reshape(NUM_JOINTS, 3)
        self.keypoints_3d = np.asarray(self.keypoints_3d, dtype=np.float32).reshape(NUM_JOINTS, 3)
        self.keypoint_3d_confidence = np.asarray(self.keypoint_3d_confidence, dtype=np.float32).reshape(NUM_JOINTS)
        self.root_position = np.asarray(self.root_position, dtype=np.float32).reshape(3)
        self.root_source = RootSource(self.root_source)


@runtime_checkable
class PoseBackend(Protocol):
    """Anything that turns one RGB image into metric 3D skeletons.

    ``image_rgb``: (H, W, 3) uint8 RGB. ``intrinsics``: the camera's K (None: a default field of
    view is assumed and the result flagged `RootSource.HEIGHT_PRIOR_ASSUMED_FOV`). ``depth``:
    (H, W) float32 metres aligned to the image (0 or NaN = no reading), or None.
    """

    def estimate(self, image_rgb: np.ndarray, intrinsics: CameraIntrinsics | None = None,
                 depth: np.ndarray | None = None) -> list[PersonPose]:
        ...

    def reset(self) -> None:
        """Forget every per-stream state (tracked people, 2D histories): the next image starts a new stream."""

    def dropped(self, persons: list[PersonPose]) -> None:
        """The stage dropped ``persons`` (of the last `estimate`'s result, by identity) from its output: a backend
        that tracks people between images stops following those it started tracking in that call."""

    def close(self) -> None:
        """Release threads and model sessions; the backend is not used afterwards."""


def checked_rgb_image(image_rgb: np.ndarray) -> np.ndarray:
    """The `PoseBackend.estimate` input as a contiguous (H, W, 3) uint8 array; ValueError otherwise."""
    image = np.ascontiguousarray(image_rgb, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got shape {image.shape}")
    return image
