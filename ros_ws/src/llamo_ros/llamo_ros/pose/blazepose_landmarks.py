"""`LandmarkFit` and two runners of MediaPipe's pose landmark model (BlazePose GHUM full) in an ROI.

`LiteRtLandmarkModel` runs ``pose_landmark_full.tflite`` from the mediapipe wheel with LiteRT
(``ai-edge-litert``) and does MediaPipe's ``PoseLandmarkByRoiCpu`` pre- and post-processing in
OpenCV/numpy: the same crop (``cv2.warpPerspective`` of the rotated square ROI to 256x256, edge
pixels replicated), the same decoding (39 landmarks, sigmoid visibility, pose presence >= 0.5),
the same heatmap refinement (9x9 window of the 64x64 heatmaps) and the same projection back to the
image. It gives MediaPipe's landmarks to well under a pixel (tests/pose/test_blazepose_landmarks.py)
at about 3/4 of the time (measured interleaved on this 2-core CPU: 18.7 vs 24.4 ms per fit); the
saving is the graph's scheduling and protobuf conversion, and LiteRT's newer XNNPACK.

`GraphLandmarkModel` runs MediaPipe's own subgraph; it is the reference in tests and the fallback
when LiteRT is not installed.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

INPUT_PX = 256               # the model's square input
NUM_LANDMARKS = 39           # 33 body landmarks + 6 auxiliary ones (33, 34: ROI alignment points)
PRESENCE_THRESHOLD = 0.5     # MediaPipe's ThresholdingCalculator on the pose flag
HEATMAP_KERNEL = 9           # RefineLandmarksFromHeatmapCalculator kernel_size in mediapipe 0.10.21 (found by
                             # matching its graph exactly; the pbtxt on GitHub now says 7)
HEATMAP_MIN_CONFIDENCE = 0.5  # its min_confidence_to_refine (default)

_GRAPH = """
input_stream: "image"
input_stream: "roi"
output_stream: "landmarks"
output_stream: "world_landmarks"
output_stream: "auxiliary_landmarks"
node {
  calculator: "PoseLandmarkByRoiCpu"
  input_side_packet: "MODEL_COMPLEXITY:model_complexity"
  input_stream: "IMAGE:image"
  input_stream: "ROI:roi"
  output_stream: "LANDMARKS:landmarks"
  output_stream: "WORLD_LANDMARKS:world_landmarks"
  output_stream: "AUXILIARY_LANDMARKS:auxiliary_landmarks"
}
"""


@dataclass
class LandmarkFit:
    """One person's landmarks from one ROI."""

    image: np.ndarray      # (33, 3) float32: u, v in pixels of the input image, visibility in [0, 1]
    world: np.ndarray      # (33, 3) float32: metres, origin between the hips, axes of the image (x right,
                           # y down, z away from the camera)
    alignment: np.ndarray  # (2, 2) float32: pixels of the hip centre and of the full-body scale point
                           # (MediaPipe's auxiliary landmarks), from which the next ROI is made


def model_path(module: str = "pose_landmark", name: str = "pose_landmark_full.tflite") -> str:
    """Path of a model file bundled in the mediapipe wheel (mediapipe/modules/<module>/<name>)."""
    import mediapipe

    return os.path.join(os.path.dirname(mediapipe.__file__), "modules", module, name)


def warp_square(image: np.ndarray, cx: float, cy: float, side: float, rotation: float, size: int,
                border: int) -> np.ndarray:
    """(size, size, 3) uint8: the square of ``side`` pixels centred at (cx, cy), turned by ``rotation``
    (radians), warped upright; ``border``: cv2 border mode for pixels outside ``image``.

    MediaPipe's ImageToTensor (CPU) does exactly this (cv2.boxPoints corners, a perspective warp of the uint8
    image, bilinear), so inputs made from it match MediaPipe's bit for bit once scaled the same way.
    """
    import cv2

    corners = cv2.boxPoints(((cx, cy), (side, side), math.degrees(rotation))).astype(np.float32)
    dst = np.float32([[0, size], [0, 0], [size, 0], [size, size]])   # boxPoints order: bottom-left first
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(corners, dst), (size, size),
                               flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)


def crop_roi(image: np.ndarray, cx: float, cy: float, side: float, rotation: float) -> np.ndarray:
    """(256, 256, 3) float32 model input in [0, 1]: the ROI of uint8 RGB ``image`` warped upright, edge
    pixels replicated."""
    import cv2

    crop = warp_square(image, cx, cy, side, rotation, INPUT_PX, cv2.BORDER_REPLICATE)
    return crop.astype(np.float32) * np.float32(1.0 / 255.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def refine_from_heatmap(xy: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """Landmarks ``xy`` (N, 2, in [0, 1] of the crop) moved to the sigmoid-weighted mean of their 9x9
    heatmap window where that window is confident (max >= 0.5); ``heatmap``: (64, 64, N) logits."""
    h, w, n = heatmap.shape
    half = (HEATMAP_KERNEL - 1) // 2
    cols = np.trunc(xy[:, 0] * w).astype(np.int64)    # truncated toward zero, like the C++ cast
    rows = np.trunc(xy[:, 1] * h).astype(np.int64)
    offsets = np.arange(-half, half + 1)
    r, c = rows[:, None] + offsets, cols[:, None] + offsets                      # (N, K) window rows, columns
    # the window is cut at the heatmap's edges (cells outside count as confidence 0)
    inside = ((r >= 0) & (r < h))[:, :, None] & ((c >= 0) & (c < w))[:, None, :]  # (N, K, K)
    logits = heatmap[np.clip(r, 0, h - 1)[:, :, None], np.clip(c, 0, w - 1)[:, None, :], np.arange(n)[:, None, None]]
    conf = np.where(inside, _sigmoid(logits.astype(np.float64)), 0.0)
    total = conf.sum(axis=(1, 2))
    # MediaPipe's bounds test compares the column with the height where it means the row, so a point just
    # below the crop (row 64-67: feet) is refined from the window's rows still inside; kept as it is
    refine = (cols >= 0) & (cols < w) & (rows >= 0) & (cols < h) & (conf.max(axis=(1, 2)) >= HEATMAP_MIN_CONFIDENCE) \
        & (total > 0)
    safe_total = np.where(total > 0, total, 1.0)
    out = xy.copy()
    out[refine, 0] = ((conf * c[:, None, :]).sum(axis=(1, 2)) / safe_total)[refine] / w
    out[refine, 1] = ((conf * r[:, :, None]).sum(axis=(1, 2)) / safe_total)[refine] / h
    return out


class LiteRtLandmarkModel:
    """MediaPipe's pose landmark model run with LiteRT; one instance per calling thread.

    ``threads``: XNNPACK threads of one fit. The results do not depend on it (bit for bit, tested); two
    threads make one fit ~1.4x faster, two one-thread models side by side make two fits ~1.9x faster.
    """

    def __init__(self, path: str | None = None, threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_path=path or model_path(), num_threads=threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        # outputs by size, not by name or order: landmarks 195, pose flag 1, segmentation, heatmap, world 117
        outputs = {int(np.prod(d["shape"])): d["index"] for d in self._interpreter.get_output_details()}
        self._landmarks, self._flag = outputs[NUM_LANDMARKS * 5], outputs[1]
        self._heatmap, self._world = outputs[64 * 64 * NUM_LANDMARKS], outputs[NUM_LANDMARKS * 3]

    def close(self) -> None:
        """Nothing to release (the interpreter goes with the object); here for symmetry with the graph."""

    def fit(self, image: np.ndarray, cx: float, cy: float, side: float, rotation: float) -> LandmarkFit | None:
        """Landmarks of the person in the ROI (pixels, radians) of uint8 RGB ``image``; None if nobody."""
        it = self._interpreter
        it.set_tensor(self._input, crop_roi(image, cx, cy, side, rotation)[None])
        it.invoke()   # releases the GIL: one model per thread runs in parallel
        if float(it.get_tensor(self._flag).reshape(-1)[0]) < PRESENCE_THRESHOLD:
            return None
        raw = it.get_tensor(self._landmarks).reshape(NUM_LANDMARKS, 5)
        xy = refine_from_heatmap(raw[:, :2] / INPUT_PX, it.get_tensor(self._heatmap)[0])
        # crop [0, 1] -> image pixels: about the ROI centre, rotated, scaled by the ROI side
        cos, sin = math.cos(rotation), math.sin(rotation)
        x, y = xy[:, 0] - 0.5, xy[:, 1] - 0.5
        u = (cos * x - sin * y) * side + cx
        v = (sin * x + cos * y) * side + cy
        visibility = _sigmoid(raw[:33, 3])
        world = it.get_tensor(self._world).reshape(NUM_LANDMARKS, 3)[:33]
        world_x = cos * world[:, 0] - sin * world[:, 1]
        world_y = sin * world[:, 0] + cos * world[:, 1]
        return LandmarkFit(image=np.stack([u[:33], v[:33], visibility], axis=1).astype(np.float32),
                           world=np.stack([world_x, world_y, world[:, 2]], axis=1).astype(np.float32),
                           alignment=np.stack([u[33:35], v[33:35]], axis=1).astype(np.float32))


class GraphLandmarkModel:
    """MediaPipe's own ``PoseLandmarkByRoiCpu`` subgraph; one instance per calling thread."""

    def __init__(self, model_complexity: int = 1) -> None:
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase

        config = text_format.Parse(_GRAPH, calculator_pb2.CalculatorGraphConfig())
        self._graph = SolutionBase(graph_config=config, side_inputs={"model_complexity": model_complexity})

    def close(self) -> None:
        self._graph.close()

    def fit(self, image: np.ndarray, cx: float, cy: float, side: float, rotation: float) -> LandmarkFit | None:
        """Landmarks of the person in the ROI (pixels, radians) of uint8 RGB ``image``; None if nobody."""
        from mediapipe.framework.formats import rect_pb2

        height, width = image.shape[:2]
        rect = rect_pb2.NormalizedRect(x_center=cx / width, y_center=cy / height, width=side / width,
                                       height=side / height, rotation=rotation)
        result = self._graph.process({"image": image, "roi": rect})
        if result.landmarks is None or result.world_landmarks is None or result.auxiliary_landmarks is None:
            return None   # pose presence below 0.5: nobody in this ROI
        lms, aux = result.landmarks.landmark, result.auxiliary_landmarks.landmark
        return LandmarkFit(
            image=np.array([(lm.x * width, lm.y * height, lm.visibility) for lm in lms], dtype=np.float32),
            world=np.array([(lm.x, lm.y, lm.z) for lm in result.world_landmarks.landmark], dtype=np.float32),
            alignment=np.array([(a.x * width, a.y * height) for a in aux[:2]], dtype=np.float32))
