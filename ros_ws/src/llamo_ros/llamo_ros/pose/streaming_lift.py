"""The second half of both top-down backends (mmpose, onnx): one frame's COCO-17 keypoints per person box
-> metric H36M-17 `PersonPose`s, lifting each person over their own recent 2D history.

People are followed from one call to the next by box overlap, so each keeps a 2D history for the
27-frame lifter; the current frame sits at the window's centre and the future half repeats it (no delay).
"""
from __future__ import annotations

from collections import deque
from typing import Callable

import numpy as np

from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.keypoint_layouts import coco17_to_h36m17
from llamo_ros.pose.metric_root import MetricRootConfig, place_person
from llamo_ros.pose.person_pose import PersonPose
from llamo_ros.pose.tracker import box_iou
from llamo_ros.skeleton import NUM_JOINTS

LIFTER_RECEPTIVE_FIELD = 27   # frames the 27-frame TCN consumes for one output frame


def lifter_window(history, current: np.ndarray, history_frames: int) -> np.ndarray:
    """(27, 17, 2) lifter input: the last ``history_frames`` (<= 13) of ``history`` left-padded with
    its oldest frame, ``current`` at the centre, the future half edge-padded with ``current``."""
    half = LIFTER_RECEPTIVE_FIELD // 2
    past = list(history)[-history_frames:] if history_frames > 0 else []
    past = [past[0]] * (half - len(past)) + past if past else [current] * half
    return np.stack(past[-half:] + [current] * (half + 1))


def continue_histories(boxes: np.ndarray, previous: list, min_iou: float, maxlen: int) -> list[deque]:
    """For each box (pixels), the 2D history of last call's best-overlapping person (IoU >= ``min_iou``,
    each used once), or a new empty history. ``previous``: [(bbox (4,), deque)]."""
    histories, unused = [], list(range(len(previous)))
    for box in boxes:
        ious = box_iou(np.asarray(box)[None], np.array([previous[i][0] for i in unused]).reshape(-1, 4))[0]
        if len(ious) and ious.max() >= min_iou:
            histories.append(previous[unused.pop(int(np.argmax(ious)))][1])
        else:
            histories.append(deque(maxlen=max(1, maxlen)))
    return histories


class StreamingLift:
    """Per-stream state and work shared by the top-down backends; `lift` is the backend's own lifter:
    (N, 27, 17, 2) normalised H36M 2D windows -> (N, 17, 3) pelvis-relative metres, optical axes."""

    def __init__(self, lift: Callable[[np.ndarray], np.ndarray], history_frames: int, association_iou: float,
                 root_config: MetricRootConfig) -> None:
        self.lift, self.history_frames, self.association_iou = lift, history_frames, association_iou
        self.root_config = root_config
        # Last call's people: (bbox (4,), deque of normalised H36M 2D keypoints (17, 2)).
        self.previous: list[tuple[np.ndarray, deque]] = []

    def reset(self) -> None:
        """Forget every person's 2D history (call between unrelated images or streams)."""
        self.previous = []

    def __call__(self, coco: np.ndarray, boxes: np.ndarray, scores: np.ndarray, image_size: tuple[int, int],
                 intrinsics: CameraIntrinsics | None, depth: np.ndarray | None) -> list[PersonPose]:
        """coco (N, 17, 3) u, v px + confidence per box (N, 4) px -> N metric people, camera optical frame."""
        width, height = image_size
        uv, conf = coco17_to_h36m17(coco[..., :2], coco[..., 2])
        normalised = (uv - np.array([width / 2.0, height / 2.0], np.float32)) / (width / 2.0)
        histories = continue_histories(boxes, self.previous, self.association_iou, self.history_frames)
        relative = (self.lift(np.stack([lifter_window(h, n, self.history_frames)
                                        for h, n in zip(histories, normalised)]))
                    if len(boxes) else np.zeros((0, NUM_JOINTS, 3), np.float32))
        persons = []
        for i, box in enumerate(boxes):
            histories[i].append(normalised[i])
            keypoints_2d = np.concatenate([uv[i], np.clip(conf[i], 0.0, 1.0)[:, None]], axis=1)
            joints, root, source = place_person(relative[i], keypoints_2d, (width, height), intrinsics, depth,
                                                self.root_config)
            persons.append(PersonPose(bbox=np.clip(box, 0, [width, height, width, height]), score=float(scores[i]),
                                      keypoints_2d=keypoints_2d, keypoints_3d=joints,
                                      keypoint_3d_confidence=np.clip(conf[i], 0.0, 1.0), root_position=root,
                                      root_source=source))
        self.previous = [(boxes[i], histories[i]) for i in range(len(boxes))]
        return persons
