"""`MediaPipeBackend`: MediaPipe Pose (BlazePose GHUM, legacy solution API), several people.

MediaPipe's legacy pose solution tracks one person. Several people are found by *detect and
mask*: run it on the frame, blank that person's (padded) box, run again, up to ``max_persons``
times or until nothing is found. The person detector is thus MediaPipe's own BlazePose detector,
which ships inside the wheel (no download) and is far better on people than OpenCV's HOG people
detector (on basketball1.png HOG missed the right-hand person, returned a false box on the wall
and took 150-240 ms, against ~35 ms per MediaPipe pass). Costs: ~33 ms per found person plus one
~15 ms pass that finds nothing (2-core CPU). Limitation: a person mostly hidden behind the box of
someone found earlier is lost.

The 3D skeleton comes from MediaPipe's world landmarks (metres, origin between the hips, axes
aligned with the image: x right, y down, z away from the camera), placed in the camera optical
frame by `metric_root.place_person`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.keypoint_layouts import mediapipe33_to_h36m17
from llamo_ros.pose.metric_root import MetricRootConfig, place_person
from llamo_ros.pose.person_pose import PersonPose


@dataclass
class MediaPipeConfig:
    """Settings of `MediaPipeBackend`."""

    max_persons: int = 4                   # detect-and-mask passes at most
    min_detection_confidence: float = 0.5  # BlazePose detector threshold
    min_keypoint_confidence: float = 0.5   # landmarks below this do not shape the person's box
    mask_padding: float = 0.15             # fraction of box size added on each side before masking
    model_complexity: int = 1              # 1 = pose_landmark_full, the model bundled in the wheel


class MediaPipeBackend:
    """`PoseBackend` running MediaPipe Pose on CPU."""

    def __init__(self, config: MediaPipeConfig | None = None, root_config: MetricRootConfig | None = None):
        import mediapipe as mp

        self.config = config or MediaPipeConfig()
        self.root_config = root_config or MetricRootConfig()
        # static_image_mode: detect every frame; tracking mode would follow the masked person.
        self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=self.config.model_complexity,
                                            enable_segmentation=False,
                                            min_detection_confidence=self.config.min_detection_confidence)

    def close(self) -> None:
        self._pose.close()

    def estimate(self, image_rgb: np.ndarray, intrinsics: CameraIntrinsics | None = None,
                 depth: np.ndarray | None = None) -> list[PersonPose]:
        image = np.ascontiguousarray(image_rgb, dtype=np.uint8)
        if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got shape {image.shape}")
        height, width = image.shape[:2]
        work = image.copy()
        persons = []
        for _ in range(self.config.max_persons):
            result = self._pose.process(work)
            if result.pose_landmarks is None or result.pose_world_landmarks is None:
                break
            image_lm = np.array([(lm.x * width, lm.y * height, lm.visibility)
                                 for lm in result.pose_landmarks.landmark], dtype=np.float32)
            world_lm = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks.landmark], dtype=np.float32)
            person = self._person(image_lm, world_lm, (width, height), intrinsics, depth)
            persons.append(person)
            self._mask(work, person.bbox)
        return persons

    def _person(self, image_lm, world_lm, image_size, intrinsics, depth) -> PersonPose:
        width, height = image_size
        conf33 = np.clip(image_lm[:, 2], 0.0, 1.0)
        # Landmarks outside the image are MediaPipe's guesses; keep them, but not as confident.
        inside = (image_lm[:, 0] >= 0) & (image_lm[:, 0] < width) & (image_lm[:, 1] >= 0) & (image_lm[:, 1] < height)
        conf33 = np.where(inside, conf33, np.minimum(conf33, 0.2))
        uv, conf = mediapipe33_to_h36m17(image_lm[:, :2], conf33)
        rel, _ = mediapipe33_to_h36m17(world_lm, conf33)
        keypoints_2d = np.concatenate([uv, conf[:, None]], axis=1)
        joints, root, source = place_person(rel, keypoints_2d, image_size, intrinsics, depth, self.root_config)
        seen = conf33 >= self.config.min_keypoint_confidence
        pts = image_lm[seen if seen.sum() >= 2 else np.argsort(-conf33)[:2], :2]
        bbox = np.array([pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()], dtype=np.float32)
        bbox = np.clip(bbox, 0, [width, height, width, height])
        return PersonPose(bbox=bbox, score=float(np.mean(conf33)), keypoints_2d=keypoints_2d, keypoints_3d=joints,
                          keypoint_3d_confidence=conf, root_position=root, root_source=source)

    def _mask(self, work: np.ndarray, bbox: np.ndarray) -> None:
        x0, y0, x1, y1 = bbox
        pad_x, pad_y = self.config.mask_padding * (x1 - x0), self.config.mask_padding * (y1 - y0)
        h, w = work.shape[:2]
        work[int(max(0, y0 - pad_y)):int(min(h, y1 + pad_y)) + 1, int(max(0, x0 - pad_x)):int(min(w, x1 + pad_x)) + 1] = 0
