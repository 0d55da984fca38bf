"""RTMDet outside OpenMMLab: letterbox pre-processing and numpy decoding of the raw head outputs.

Reimplements, for the RTMDet person detector of `mmpose_backend` (mmdet 3.3.0,
``rtmdet_m_640-8xb32_coco-person.py``), what mmdet does around the network so that the exported
graph (``export/export_mmpose.py``: raw per-level class logits and box distances) runs on
onnxruntime with no OpenMMLab at run time. Checked against ``mmdet.apis.inference_detector`` and
``RTMDetHead.predict_by_feat`` by tests/pose/test_rtmdet_decode.py.

Pre-processing (mmdet test pipeline + ``DetDataPreprocessor``): ``Resize(scale=(640, 640),
keep_ratio=True)`` = bilinear resize by ``640 / longest side`` with sizes rounded half up,
``Pad(size=(640, 640), pad_val=114)`` on the bottom and right, BGR channel order (the detector was
trained on BGR and the preprocessor does not swap), ``(x - mean) / std``.

Post-processing (``BaseDenseHead._predict_by_feat_single`` and ``_bbox_post_process``): per stride
level, sigmoid scores, keep scores > ``score_threshold``, best ``nms_pre``; prior points at
``(column * stride, row * stride)`` (``MlvlPointGenerator``, offset 0); boxes = point -/+ the
(left, top, right, bottom) distances, clamped to the padded input; rescaled to the original image by
the per-axis resize factors; boxes of width or height <= ``min_box_size`` dropped; greedy NMS
(IoU > ``iou_threshold`` suppresses, mmcv's ``nms``); best ``max_per_image``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import param
from llamo_ros.pose.tracker import box_iou

STRIDES = (8, 16, 32)                        # feature-map strides of the three head levels, pixels
MEAN_BGR = np.array([103.53, 116.28, 123.675], np.float32)
STD_BGR = np.array([57.375, 57.12, 58.395], np.float32)
PAD_VALUE = 114                              # grey of mmdet's Pad for the detector input


@dataclass
class RTMDetDecodeConfig:
    """The detector's test_cfg (values of ``rtmdet_m_640-8xb32_coco-person.py``)."""

    score_threshold: float = param(0.05, "sigmoid score a point needs to become a candidate box (strictly above)")
    nms_pre: int = param(1000, "candidates kept per stride level before NMS (best scores)")
    iou_threshold: float = param(0.6, "a box whose IoU with a better box exceeds this is suppressed")
    max_per_image: int = param(100, "boxes returned at most")
    min_box_size: float = param(0.0, "boxes need width and height above this, original-image pixels")

    def __post_init__(self):
        if not 0.0 <= self.iou_threshold <= 1.0:
            raise ValueError(f"iou_threshold must be in [0, 1], got {self.iou_threshold}")
        if self.nms_pre <= 0 or self.max_per_image <= 0:
            raise ValueError("nms_pre and max_per_image must be positive")


def letterbox(image_rgb: np.ndarray, input_size: int = 640) -> tuple[np.ndarray, np.ndarray]:
    """RGB uint8 image (H, W, 3) -> network input (1, 3, S, S) float32 and resize factors (2,).

    The factors are (new_width / width, new_height / height): mmdet keeps both because rounding the
    resized size makes them differ slightly, and boxes are mapped back with each axis's own factor.
    """
    import cv2

    height, width = image_rgb.shape[:2]
    scale = input_size / max(height, width)
    new_w, new_h = int(width * scale + 0.5), int(height * scale + 0.5)
    resized = cv2.resize(np.ascontiguousarray(image_rgb[:, :, ::-1]), (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    padded = np.full((input_size, input_size, 3), PAD_VALUE, np.uint8)
    padded[:new_h, :new_w] = resized
    x = (padded.astype(np.float32) - MEAN_BGR) / STD_BGR        # (S, S, 3) BGR
    factors = np.array([new_w / width, new_h / height], np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]), factors


def raw_output_names(strides=STRIDES) -> list[str]:
    """Output names of the exported detector graph: per-level class logits, then per-level box distances."""
    return [f"cls_logits_s{s}" for s in strides] + [f"box_distances_s{s}" for s in strides]


@functools.lru_cache(maxsize=None)
def grid_points(height: int, width: int, stride: int) -> np.ndarray:
    """Prior points (H * W, 2) = (x, y) input pixels of a stride level, row-major like the head's output.

    Cached (the grid of a fixed input size never changes) and read-only: callers index it, which copies.
    """
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32) * stride, np.arange(height, dtype=np.float32) * stride)
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    points.flags.writeable = False
    return points


def distances_to_boxes(points: np.ndarray, distances: np.ndarray, max_size: tuple[int, int]) -> np.ndarray:
    """Points (N, 2) and (left, top, right, bottom) distances (N, 4) -> boxes (N, 4) x1 y1 x2 y2 pixels,
    clamped to ``max_size`` = (width, height) of the padded input."""
    boxes = np.concatenate([points - distances[:, :2], points + distances[:, 2:]], axis=1)
    width, height = max_size
    return np.clip(boxes, 0, np.array([width, height, width, height], np.float32)).astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression: indices of the kept boxes (N, 4) pixels, best score first."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(best)
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def decode(cls_logits: list[np.ndarray], box_distances: list[np.ndarray], resize_factors: np.ndarray,
           input_size: int = 640, config: RTMDetDecodeConfig | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw head outputs of one image -> boxes (N, 4) original-image pixels, scores (N,), labels (N,).

    ``cls_logits[i]`` (C, H_i, W_i) and ``box_distances[i]`` (4, H_i, W_i) input pixels are level i
    (stride ``STRIDES[i]``) of the exported graph, batch dimension removed.
    """
    config = config or RTMDetDecodeConfig()
    if len(cls_logits) != len(STRIDES) or len(box_distances) != len(STRIDES):
        raise ValueError(f"expected {len(STRIDES)} levels, got {len(cls_logits)} and {len(box_distances)}")
    level_boxes, level_scores, level_labels = [], [], []
    for logits, distances, stride in zip(cls_logits, box_distances, STRIDES):
        num_classes, height, width = logits.shape
        if distances.shape != (4, height, width) or height * stride != input_size:
            raise ValueError(f"stride {stride}: logits {logits.shape} and distances {distances.shape} do not fit "
                             f"a {input_size} px input")
        scores = 1.0 / (1.0 + np.exp(-logits.reshape(num_classes, -1).T.astype(np.float32)))   # (H*W, C)
        point_idx, labels = np.nonzero(scores > config.score_threshold)     # row-major: point, then class
        candidate = scores[point_idx, labels]
        # Why per level: mmdet picks each level's best nms_pre before concatenating the levels.
        best = np.argsort(-candidate, kind="stable")[: config.nms_pre]
        point_idx, labels, candidate = point_idx[best], labels[best], candidate[best]
        points = grid_points(height, width, stride)[point_idx]
        level_boxes.append(distances_to_boxes(points, distances.reshape(4, -1).T[point_idx], (input_size, input_size)))
        level_scores.append(candidate)
        level_labels.append(labels)
    boxes, scores, labels = np.concatenate(level_boxes), np.concatenate(level_scores), np.concatenate(level_labels)
    # Back to the original image: each axis by its own resize factor (padding is bottom/right only).
    boxes = boxes * np.tile(1.0 / np.asarray(resize_factors, np.float32), 2)
    wide_enough = (((boxes[:, 2] - boxes[:, 0]) > config.min_box_size)
                   & ((boxes[:, 3] - boxes[:, 1]) > config.min_box_size))
    boxes, scores, labels = boxes[wide_enough], scores[wide_enough], labels[wide_enough]
    if len(boxes) == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    # Why the offset: one NMS pass per class, done as mmcv's batched_nms does (classes never overlap).
    offsets = labels.astype(np.float32) * (boxes.max() + 1.0)
    keep = nms(boxes + offsets[:, None], scores, config.iou_threshold)[: config.max_per_image]
    return boxes[keep].astype(np.float32), scores[keep].astype(np.float32), labels[keep]
