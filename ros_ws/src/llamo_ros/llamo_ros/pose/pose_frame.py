"""`PoseFrame`: one image's tracked people as the pose stage hands them on, in core types.

The pose node publishes it as messages (`messages.pose_frames`); in one process (the composed node) the
behaviour stage reads it directly, through `tracks`, with no message in between.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from llamo_ros.frames import RigidTransform
from llamo_ros.pose.person_pose import PersonPose, RootSource
from llamo_ros.skeleton import LAYOUT_NAME, NUM_JOINTS


@dataclass
class PoseFrame:
    """The tracked people of one image (camera optical frame) and where the stage publishes them."""

    stamp_ns: int                    # the image's stamp, ns
    header: Any                      # the image's header (opaque here: std_msgs/Header in the node and replay)
    image_size: tuple[int, int]      # (width, height), pixels
    persons: list[PersonPose]        # tracked (track_id set), metres in the camera optical frame
    frame_id: str                    # the frame the outputs are published in (the image's, or a target frame)
    camera_to_frame: RigidTransform | None = None   # camera optical frame -> frame_id; None: they are the same

    def tracks(self) -> tuple[list[tuple[int, np.ndarray, np.ndarray]], list[str]]:
        """[(track_id, joints (17, 3) float32 m camera optical frame, confidence (17,) float32)], problems.

        What the behaviour stage reads, the same values a Person3DArray of this frame carries: joints without a
        3D estimate (confidence 0, non-finite coordinates, no metric root) are NaN with confidence 0; people whose
        skeleton is not the canonical layout are skipped and named in `problems`.
        """
        tracks, problems = [], []
        for p in self.persons:
            if p.layout != LAYOUT_NAME or len(p.keypoints_3d) != NUM_JOINTS:
                problems.append(f"track {p.track_id}: skeleton {p.layout!r} with {len(p.keypoints_3d)} joints, "
                                f"expected {LAYOUT_NAME!r} with {NUM_JOINTS}")
                continue
            has_3d = p.root_source is not RootSource.NONE
            joints = np.array(p.keypoints_3d, np.float32) if has_3d else np.zeros((NUM_JOINTS, 3), np.float32)
            confidence = np.array(p.keypoint_3d_confidence, np.float32) if has_3d else np.zeros(NUM_JOINTS, np.float32)
            lost = ~np.isfinite(joints).all(axis=1) | ~(confidence > 0)
            joints[lost] = np.nan
            confidence[lost] = 0.0
            tracks.append((max(0, int(p.track_id)), joints, confidence))   # ids as a Person3D carries them
        return tracks, problems
