"""`OnnxPoseBackend`: the mmpose backend's RTMDet, RTMPose-m and VideoPose3D on onnxruntime, numpy pre/post.

Models written by ``export/export_mmpose.py`` (TorchScript exporter, opset 17) into ``model_dir``:
``rtmdet-m_640_person.onnx``, ``rtmpose-m_256x192.onnx`` and ``videopose3d_27f.onnx``. No torch and
no OpenMMLab at run time (tests/pose/test_onnx_backend.py checks ``sys.modules``).

**Person boxes** (pixels, x_min, y_min, x_max, y_max) come from, in order: the ``boxes`` argument of
`estimate` (an upstream detector or a test); else ``box_source``: "rtmdet" = the exported RTMDet-m
person detector with `rtmdet_decode` (mmdet's letterbox, score threshold, top-k, box decoding and
NMS in numpy); "mediapipe" = the BlazePose person detector that ships in the mediapipe wheel, run on
the whole frame and on 224 px tiles (`MediaPipeBackend`'s detection stage), each detection's upright
square body ROI used as the box; "whole_image" = the whole image as one person (tests/diagnostics
only); "auto" (default) = "rtmdet" when its file is in ``model_dir``, else "mediapipe" (models
exported before the detector was).

**2D (same maths as mmpose's top-down pipeline for RTMPose-m, checked against
``inference_topdown`` by tests/pose/test_onnx_backend.py):** box centre and size x1.25 padding
(``GetBBoxCenterScale``), size widened to the 192:256 aspect (``TopdownAffine._fix_aspect_ratio``),
``cv2.warpAffine`` bilinear crop with mmpose's 3-point warp matrix, RGB mean/std normalisation,
SimCC argmax per axis (score = the smaller of the two maxima; location -1 where score <= 0),
divided by ``simcc_split_ratio`` = 2, mapped back to image pixels with
``kp / input_size * scale + centre - scale / 2``. Flip test is inside the exported graph.

**3D** as in `MMPoseBackend`: per-person 27-frame window (13 past frames, current at the centre,
future edge-padded), metric root by `metric_root.place_person`; metres in the camera optical frame.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import nested, param
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PersonPose, checked_rgb_image
from llamo_ros.pose.rtmdet_decode import STRIDES, RTMDetDecodeConfig, decode, letterbox, raw_output_names
from llamo_ros.pose.streaming_lift import StreamingLift
from llamo_ros.skeleton import NUM_JOINTS

DETECTOR_FILE = "rtmdet-m_640_person.onnx"
POSE2D_FILE = "rtmpose-m_256x192.onnx"
LIFTER_FILE = "videopose3d_27f.onnx"
INPUT_SIZE = (192, 256)                      # RTMPose-m crop, (width, height) pixels
SIMCC_SPLIT_RATIO = 2.0                      # SimCC bins per crop pixel
BBOX_PADDING = 1.25                          # mmpose GetBBoxCenterScale default
MEAN_RGB = np.array([123.675, 116.28, 103.53], np.float32)
STD_RGB = np.array([58.395, 57.12, 57.375], np.float32)
BOX_SOURCES = ("auto", "rtmdet", "mediapipe", "whole_image")


@dataclass
class OnnxPoseConfig:
    """Settings of `OnnxPoseBackend` (pixels are pixels of the input image); pose node parameters
    ``onnx.<field>`` (``onnx.rtmdet.<field>``)."""

    model_dir: str = param("models/onnx", "folder with the ONNX files written by export/export_mmpose.py")
    max_persons: int = param(DEFAULT_MAX_PERSONS, "people (best detector scores) measured per image at most")
    detection_threshold: float = param(0.5, "the box source's score needed to keep a person, in [0, 1] (after "
                                            "rtmdet's own thresholds)")
    box_source: str = param("auto", "person boxes from: auto (rtmdet if its file is in model_dir, else "
                                    "mediapipe), rtmdet, mediapipe, whole_image (tests only)")
    rtmdet: RTMDetDecodeConfig = nested(RTMDetDecodeConfig)   # RTMDet's test_cfg (score threshold, NMS)
    threads: int = param(1, "onnxruntime intra-op threads per session")
    lifter_history: int = param(13, "past frames of a person fed to the lifter (0..13)")
    association_iou: float = param(0.3, "box IoU with the last image's person to continue their 2D history")

    def __post_init__(self):
        if self.box_source not in BOX_SOURCES:
            raise ValueError(f"unknown box_source {self.box_source!r}; known: {', '.join(BOX_SOURCES)}")

    def resolved_box_source(self) -> str:
        """``box_source`` with "auto" replaced by "rtmdet" if its ONNX file exists, else "mediapipe"."""
        if self.box_source != "auto":
            return self.box_source
        return "rtmdet" if os.path.isfile(os.path.join(self.model_dir, DETECTOR_FILE)) else "mediapipe"


def _third_point(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    direction = a - b
    return b + np.array([-direction[1], direction[0]], dtype=np.float32)


def crop_transform(box: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Box (4,) pixels -> (centre (2,), scale (2,) = crop size in image pixels, 2x3 image->crop warp)."""
    import cv2

    x0, y0, x1, y1 = np.asarray(box, np.float32)
    center = np.array([(x0 + x1) * 0.5, (y0 + y1) * 0.5], np.float32)
    w, h = (x1 - x0) * BBOX_PADDING, (y1 - y0) * BBOX_PADDING
    aspect = INPUT_SIZE[0] / INPUT_SIZE[1]
    scale = np.array([w, w / aspect] if w > h * aspect else [h * aspect, h], np.float32)
    dst_w, dst_h = INPUT_SIZE
    src = np.zeros((3, 2), np.float32)
    dst = np.zeros((3, 2), np.float32)
    src[0], src[1] = center, center + np.array([scale[0] * -0.5, 0.0], np.float32)
    dst[0], dst[1] = [dst_w * 0.5, dst_h * 0.5], [dst_w * 0.5 - dst_w * 0.5, dst_h * 0.5]
    src[2], dst[2] = _third_point(src[0], src[1]), _third_point(dst[0], dst[1])
    return center, scale, cv2.getAffineTransform(src, dst)


def preprocess(image_rgb: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crops (N, 3, 256, 192) float32 normalised RGB, centres (N, 2), scales (N, 2) in pixels."""
    import cv2

    crops, centers, scales = [], [], []
    for box in boxes:
        center, scale, warp = crop_transform(box)
        crop = cv2.warpAffine(image_rgb, warp, INPUT_SIZE, flags=cv2.INTER_LINEAR).astype(np.float32)
        crops.append(((crop - MEAN_RGB) / STD_RGB).transpose(2, 0, 1))
        centers.append(center)
        scales.append(scale)
    return np.stack(crops), np.stack(centers), np.stack(scales)


def decode_simcc(simcc_x: np.ndarray, simcc_y: np.ndarray, centers: np.ndarray,
                 scales: np.ndarray) -> np.ndarray:
    """SimCC logits (N, K, Wx), (N, K, Wy) -> (N, K, 3) u, v image pixels and score (raw max logit)."""
    locs = np.stack([simcc_x.argmax(-1), simcc_y.argmax(-1)], axis=-1).astype(np.float32)
    scores = np.minimum(simcc_x.max(-1), simcc_y.max(-1)).astype(np.float32)
    locs[scores <= 0.0] = -1.0
    keypoints = locs / SIMCC_SPLIT_RATIO
    keypoints = (keypoints / np.array(INPUT_SIZE, np.float32) * scales[:, None] + centers[:, None]
                 - 0.5 * scales[:, None])
    return np.concatenate([keypoints, scores[..., None]], axis=-1)


class RTMDetOnnx:
    """RTMDet person detector: the exported raw graph on onnxruntime + `rtmdet_decode` in numpy."""

    def __init__(self, path: str, options, config: RTMDetDecodeConfig | None = None):
        import onnxruntime as ort

        if not os.path.isfile(path):
            raise FileNotFoundError(f"RTMDet detector {path} missing: run export/export_mmpose.py --out-dir "
                                    f"{os.path.dirname(path) or '.'} (or set box_source to 'mediapipe')")
        self.config = config or RTMDetDecodeConfig()
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.input_size = int(self.session.get_inputs()[0].shape[2])    # square input side, pixels
        self._outputs = raw_output_names()
        missing = set(self._outputs) - {o.name for o in self.session.get_outputs()}
        if missing:
            raise ValueError(f"{path} lacks the raw RTMDet outputs {sorted(missing)}; re-export with "
                             "export/export_mmpose.py")

    def __call__(self, image_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4) image pixels, scores (N,), labels (N,), best first, after NMS."""
        x, resize_factors = letterbox(image_rgb, self.input_size)
        outputs = self.session.run(self._outputs, {"image": x})
        levels = len(STRIDES)
        return decode([o[0] for o in outputs[:levels]], [o[0] for o in outputs[levels:]], resize_factors,
                      self.input_size, self.config)


class OnnxPoseBackend:
    """`PoseBackend` running exported RTMDet + RTMPose-m + VideoPose3D with onnxruntime (module docstring)."""

    def __init__(self, config: OnnxPoseConfig | None = None, root_config: MetricRootConfig | None = None):
        import onnxruntime as ort

        self.config = config or OnnxPoseConfig()
        self.root_config = root_config or MetricRootConfig()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.config.threads
        options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        folder = self.config.model_dir
        self.pose2d = ort.InferenceSession(os.path.join(folder, POSE2D_FILE), options, providers=providers)
        self.lifter = ort.InferenceSession(os.path.join(folder, LIFTER_FILE), options, providers=providers)
        self.box_source = self.config.resolved_box_source()
        self._rtmdet = self._mediapipe = None
        if self.box_source == "rtmdet":
            self._rtmdet = RTMDetOnnx(os.path.join(self.config.model_dir, DETECTOR_FILE), options, self.config.rtmdet)
        elif self.box_source == "mediapipe":
            from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig

            self._mediapipe = MediaPipeBackend(MediaPipeConfig(
                min_detection_confidence=self.config.detection_threshold, track_between_frames=False,
                detection_tiles_per_frame=0))
        self._stream = StreamingLift(self.lift, self.config.lifter_history, self.config.association_iou,
                                     self.root_config)

    def reset(self) -> None:
        """Forget every person's 2D history (call between unrelated images or streams)."""
        self._stream.reset()

    def dropped(self, persons: list[PersonPose]) -> None:
        """Nothing to stop: people are detected anew in every image; a 2D history only feeds the lifter and
        ends when its box is not found again."""

    def close(self) -> None:
        """Close the MediaPipe box source (its threads) and drop the onnxruntime sessions."""
        if self._mediapipe is not None:
            self._mediapipe.close()
        self.pose2d = self.lifter = self._rtmdet = self._mediapipe = None

    def detect(self, image_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Person boxes (N, 4) pixels and scores (N,) from ``box_source``, at most ``max_persons``."""
        height, width = image_rgb.shape[:2]
        if self._rtmdet is not None:
            boxes, scores, labels = self._rtmdet(image_rgb)
            keep = (labels == 0) & (scores >= self.config.detection_threshold)   # class 0 = person
            n = self.config.max_persons   # decode returns them best first
            return boxes[keep][:n], scores[keep][:n]
        if self._mediapipe is None:
            return np.array([[0, 0, width, height]], np.float32), np.ones(1, np.float32)
        rois = self._mediapipe.detect_people(image_rgb)[: self.config.max_persons]
        boxes = [[r.cx - r.side / 2, r.cy - r.side / 2, r.cx + r.side / 2, r.cy + r.side / 2] for r in rois]
        boxes = np.clip(np.array(boxes, np.float32).reshape(-1, 4), 0, [width, height, width, height])
        return boxes, np.ones(len(boxes), np.float32)   # the detector's ROI list carries no score

    def keypoints_2d(self, image_rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """COCO-17 keypoints (N, 17, 3): u, v pixels and SimCC score, one per box."""
        if len(boxes) == 0:
            return np.zeros((0, 17, 3), np.float32)
        crops, centers, scales = preprocess(image_rgb, boxes)
        simcc_x, simcc_y = self.pose2d.run(None, {"image": crops})
        return decode_simcc(simcc_x, simcc_y, centers, scales)

    def lift(self, windows: np.ndarray) -> np.ndarray:
        """(N, 27, 17, 2) normalised H36M 2D windows -> (N, 17, 3) pelvis-relative metres, optical axes."""
        n, t = windows.shape[:2]
        x = np.ascontiguousarray(windows.transpose(0, 2, 3, 1).reshape(n, NUM_JOINTS * 2, t), dtype=np.float32)
        return self.lifter.run(None, {"keypoints_2d": x})[0].reshape(n, NUM_JOINTS, 3)

    def estimate(self, image_rgb: np.ndarray, intrinsics: CameraIntrinsics | None = None,
                 depth: np.ndarray | None = None, boxes: np.ndarray | None = None) -> list[PersonPose]:
        image = checked_rgb_image(image_rgb)
        height, width = image.shape[:2]
        if boxes is None:
            boxes, scores = self.detect(image)
        else:
            boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
            scores = np.ones(len(boxes), np.float32)
        coco = self.keypoints_2d(image, boxes)
        return self._stream(coco, boxes, scores, (width, height), intrinsics, depth)
