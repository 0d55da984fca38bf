"""`PersonDetection` and two runners of MediaPipe's pose detector (BlazePose, 224x224 input) on an image.

`LiteRtPoseDetector` runs ``pose_detection.tflite`` from the mediapipe wheel with LiteRT and does
MediaPipe's ``PoseDetectionCpu`` pre- and post-processing in OpenCV/numpy: the letterboxed 224x224
input in [-1, 1] (zero border), box and keypoint decoding against the 2254 SSD anchors, sigmoid
scores >= 0.5, weighted non-maximum suppression (IoU > 0.3) and letterbox removal. It gives the
graph's detections (tests/pose/test_blazepose_detector.py) in less time (measured interleaved on
this CPU: 12.1 vs 14.3 ms per 224 px tile). `GraphPoseDetector` runs MediaPipe's own subgraph; it is
the reference in tests and the fallback when LiteRT is not installed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llamo_ros.pose.blazepose_landmarks import model_path, warp_square

INPUT_PX = 224
NUM_ANCHORS = 2254
MIN_SCORE = 0.5            # TensorsToDetectionsCalculator min_score_thresh in mediapipe 0.10.21 (found by
                           # matching its graph exactly; the pbtxt on GitHub says 0.2)
SCORE_CLIP = 100.0         # its score_clipping_thresh
NMS_MIN_IOU = 0.3          # NonMaxSuppressionCalculator min_suppression_threshold (weighted, IoU)

_GRAPH = """
input_stream: "image"
output_stream: "detections"
node { calculator: "PoseDetectionCpu" input_stream: "IMAGE:image" output_stream: "DETECTIONS:detections" }
"""


@dataclass
class PersonDetection:
    """One detected person, coordinates in [0, 1] of the image the detector was given."""

    score: float                  # detector confidence in [0, 1]
    hip_center: tuple[float, float]   # keypoint 0: mid-hip centre (x, y)
    body_extent: tuple[float, float]  # keypoint 1: full-body size and rotation point (x, y)


def ssd_anchor_centers() -> np.ndarray:
    """(2254, 2) anchor centres (x, y) in [0, 1], in the model's output order.

    MediaPipe's SsdAnchorsCalculator with the pose detector's options: 5 layers with strides 8, 16, 32, 32,
    32 (layers of equal stride share one grid), 2 anchors per layer and cell (aspect ratio 1 and the
    interpolated scale), fixed anchor size (width = height = 1), centres at cell middles.
    """
    centers = []
    for stride, per_cell in ((8, 2), (16, 2), (32, 6)):
        side = math.ceil(INPUT_PX / stride)
        y, x = np.mgrid[0:side, 0:side]
        cell = np.stack([(x + 0.5) / side, (y + 0.5) / side], axis=-1).reshape(-1, 2)
        centers.append(np.repeat(cell, per_cell, axis=0))
    out = np.concatenate(centers).astype(np.float32)
    assert out.shape == (NUM_ANCHORS, 2)
    return out


def letterbox(image: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """(224, 224, 3) float32 model input in [-1, 1] and the (horizontal, vertical) padding fractions.

    The image is scaled to fit 224x224 keeping its aspect ratio, centred, the rest zero (-1 after scaling):
    MediaPipe's ImageToTensor with keep_aspect_ratio and BORDER_ZERO, done the same way (the uint8 image
    warped with ``cv2.warpPerspective``, then scaled), so the inputs match bit for bit.
    """
    import cv2

    height, width = image.shape[:2]
    side = float(max(width, height))   # the image's box padded to a square around its centre
    pad_x, pad_y = (1.0 - width / side) / 2.0, (1.0 - height / side) / 2.0
    if width == height == INPUT_PX:
        crop = image   # a 224 px tile: the warp would be the identity
    else:
        crop = warp_square(image, width / 2.0, height / 2.0, side, 0.0, INPUT_PX, cv2.BORDER_CONSTANT)
    return crop.astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0), (pad_x, pad_y)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, keypoints: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """MediaPipe's weighted non-maximum suppression: [(score, keypoints (K, 2))], best first.

    ``boxes`` (N, 4) xmin, ymin, xmax, ymax. The best remaining detection and every remaining one whose IoU
    with it exceeds 0.3 are merged: keypoints averaged weighted by score, the best one's score kept.
    """
    order = list(np.argsort(-scores, kind="stable"))
    area = np.maximum(0.0, boxes[:, 2] - boxes[:, 0]) * np.maximum(0.0, boxes[:, 3] - boxes[:, 1])
    out = []
    while order:
        best, rest = order[0], np.array(order)
        ix = np.maximum(0.0, np.minimum(boxes[rest, 2], boxes[best, 2]) - np.maximum(boxes[rest, 0], boxes[best, 0]))
        iy = np.maximum(0.0, np.minimum(boxes[rest, 3], boxes[best, 3]) - np.maximum(boxes[rest, 1], boxes[best, 1]))
        inter = ix * iy
        union = area[rest] + area[best] - inter
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
        merged = rest[iou > NMS_MIN_IOU]
        weights = scores[merged]
        out.append((float(scores[best]), (keypoints[merged] * weights[:, None, None]).sum(0) / weights.sum()))
        order = [i for i, m in zip(order, iou > NMS_MIN_IOU) if not m]
    return out


class LiteRtPoseDetector:
    """MediaPipe's pose detector run with LiteRT on one thread; one instance per calling thread."""

    def __init__(self, path: str | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_path=path or model_path("pose_detection", "pose_detection.tflite"),
                                        num_threads=1)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = {int(np.prod(d["shape"])): d["index"] for d in self._interpreter.get_output_details()}
        self._boxes, self._scores = outputs[NUM_ANCHORS * 12], outputs[NUM_ANCHORS]
        self._anchors = ssd_anchor_centers()

    def close(self) -> None:
        """Nothing to release; here for symmetry with the graph."""

    def detect(self, image: np.ndarray) -> list[PersonDetection]:
        """People in uint8 RGB ``image`` (any size), best first; coordinates in [0, 1] of ``image``."""
        x, (pad_x, pad_y) = letterbox(image)
        it = self._interpreter
        it.set_tensor(self._input, x[None])
        it.invoke()   # releases the GIL: one model per thread runs in parallel
        logits = np.clip(it.get_tensor(self._scores).reshape(-1), -SCORE_CLIP, SCORE_CLIP)
        scores = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        keep = scores >= MIN_SCORE
        if not keep.any():
            return []
        raw = it.get_tensor(self._boxes).reshape(NUM_ANCHORS, 12)[keep].astype(np.float64) / INPUT_PX
        anchors = self._anchors[keep]
        center = raw[:, 0:2] + anchors          # anchors have size 1: offsets are in input fractions
        half = raw[:, 2:4] / 2.0
        boxes = np.concatenate([center - half, center + half], axis=1)
        keypoints = raw[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]
        # undo the letterbox: [0, 1] of the padded square -> [0, 1] of the image
        scale = np.array([1.0 - 2 * pad_x, 1.0 - 2 * pad_y])
        out = []
        for score, kps in weighted_nms(boxes, scores[keep], keypoints):
            kps = (kps - [pad_x, pad_y]) / scale
            out.append(PersonDetection(score, (float(kps[0, 0]), float(kps[0, 1])),
                                       (float(kps[1, 0]), float(kps[1, 1]))))
        return out


class GraphPoseDetector:
    """MediaPipe's own ``PoseDetectionCpu`` subgraph; one instance per calling thread."""

    def __init__(self) -> None:
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase

        self._graph = SolutionBase(graph_config=text_format.Parse(_GRAPH, calculator_pb2.CalculatorGraphConfig()))

    def close(self) -> None:
        self._graph.close()

    def detect(self, image: np.ndarray) -> list[PersonDetection]:
        """People in uint8 RGB ``image`` (any size); coordinates in [0, 1] of ``image``."""
        out = []
        for detection in self._graph.process({"image": image}).detections or []:
            kp = detection.location_data.relative_keypoints
            score = float(detection.score[0]) if detection.score else 0.0
            out.append(PersonDetection(score, (kp[0].x, kp[0].y), (kp[1].x, kp[1].y)))
        return out
