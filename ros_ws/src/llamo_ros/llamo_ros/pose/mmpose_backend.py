"""`MMPoseBackend`: RTMDet person detector -> RTMPose-m 2D (COCO-17) -> VideoPose3D lifter -> metres.

Stages (all OpenMMLab models, built from the configs that ship inside the mmpose wheel):

1. **Detection**: RTMDet-m person (``demo/mmdetection_cfg/rtmdet_m_640-8xb32_coco-person.py``),
   640x640 letterboxed input; boxes with score >= ``detection_threshold``, best ``max_persons``.
2. **2D keypoints**: top-down RTMPose-m (``rtmpose-m_8xb256-420e_coco-256x192.py``) on each box via
   ``mmpose.apis.inference_topdown`` (bbox padded x1.25, affine crop to 192x256, SimCC decoding),
   COCO-17 keypoints in input-image pixels, converted to H36M-17 with `coco17_to_h36m17`.
3. **3D lifting**: VideoPose3D (TCN, 27-frame receptive field, supervised on Human3.6M,
   ``video-pose-lift_tcn-27frm-supv_8xb128-160e_h36m.py``). Why this lifter and window: it is the
   smallest published multi-frame VideoPose3D (27 frames ~ 0.9 s at 30 fps; 243 frames would be
   8 s of history to fill and 9x the compute) and its temporal context removes much of the
   per-frame depth ambiguity of single-frame lifters. It was trained non-causally (the output frame
   is the window centre), so to stream with zero latency the backend puts the *current* frame at
   the centre: ``lifter_history`` = 13 past frames of the same person on the left, and the future
   half edge-padded with the current frame -- exactly what mmpose's ``extract_pose_sequence`` does at
   the end of a sequence. People are associated between calls by box IoU (this backend's own short
   memory; `PersonTracker` assigns the ids downstream). A new person starts with a window of copies
   of their current frame, i.e. a single-frame lift. Input normalisation is mmpose's
   ``VideoPoseLifting`` codec: ``(uv - (w/2, h/2)) / (w/2)`` in input-image pixels; output is
   pelvis-relative metres in Human3.6M camera axes, which are the REP-103 optical frame (x right,
   y down, z forward).
4. **Metric root**: `metric_root.place_person` (depth, else the 1.70 m height prior), as the
   MediaPipe backend does; `PersonPose.keypoints_3d` are metres in the camera optical frame.

Checkpoints: each ``*_checkpoint`` file is first checked by `weight_manifest.verify_checkpoint`
(sha256 against ``models/external_weights.yaml``, else the 8-hex prefix in OpenMMLab's file name),
then read with ``torch.load(path, map_location="cpu", weights_only=True)`` (tensors and plain
containers only, no pickled code) and its ``state_dict``
copied in with ``mmengine.runner.load_state_dict``; mmengine's own ``load_checkpoint`` is not used
because it calls ``torch.load`` without ``weights_only``. An empty path leaves random weights
(tests only: the outputs are then meaningless, but shapes, layouts and timings are real).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import param
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PersonPose, checked_rgb_image
from llamo_ros.pose.streaming_lift import StreamingLift
from llamo_ros.skeleton import NUM_JOINTS

DETECTOR_CONFIG = "demo/mmdetection_cfg/rtmdet_m_640-8xb32_coco-person.py"
POSE2D_CONFIG = "configs/body_2d_keypoint/rtmpose/coco/rtmpose-m_8xb256-420e_coco-256x192.py"
LIFTER_CONFIG = "configs/body_3d_keypoint/video_pose_lift/h36m/video-pose-lift_tcn-27frm-supv_8xb128-160e_h36m.py"


def mmpose_config_path(relative: str) -> str:
    """Absolute path of a config shipped inside the mmpose wheel (``mmpose/.mim/<relative>``)."""
    import mmpose

    return os.path.join(os.path.dirname(mmpose.__file__), ".mim", relative)


@dataclass
class MMPoseConfig:
    """Settings of `MMPoseBackend` (pixels are pixels of the input image); pose node parameters
    ``mmpose.<field>``."""

    device: str = param("cpu", "torch device of all three models, e.g. cpu or cuda:0")
    max_persons: int = param(DEFAULT_MAX_PERSONS, "people (best detector scores) measured per image at most")
    detection_threshold: float = param(0.5, "RTMDet person score needed to keep a box, in [0, 1]")
    detector_checkpoint: str = param("", "RTMDet-m person .pth; empty = random weights (tests only)")
    pose2d_checkpoint: str = param("", "RTMPose-m COCO 256x192 .pth; empty = random weights (tests only)")
    lifter_checkpoint: str = param("", "VideoPose3D 27-frame .pth; empty = random weights (tests only)")
    lifter_history: int = param(13, "past frames of a person fed to the lifter (0..13); the future half of the "
                                    "27-frame window is the current frame")
    association_iou: float = param(0.3, "box IoU with the last image's person to continue their 2D history")
    # With random detector weights the boxes are noise; this lets the 2D and lifter stages run on a real image.
    whole_image_as_person: bool = param(False, "tests and diagnostics only: skip the detector, the whole image "
                                               "is one person box (score 1); never for deployment")


def _load_weights(model, path: str) -> None:
    """Copy the state dict in ``path`` into ``model`` (torch.load with weights_only=True), after
    `weight_manifest.verify_checkpoint` (full sha256 if the manifest knows it, else the file name's prefix)."""
    if not path:
        return
    import torch
    from mmengine.runner import load_state_dict

    from llamo_ros.pose.weight_manifest import load_weight_manifest, verify_checkpoint

    verify_checkpoint(path, load_weight_manifest())

    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else checkpoint
    load_state_dict(model, {k[7:] if k.startswith("module.") else k: v for k, v in state.items()}, strict=False)


def build_detector(checkpoint: str = "", device: str = "cpu"):
    """The RTMDet-m person detector (an mmdet ``RTMDet``) from the config in the mmpose wheel."""
    from mmengine.config import Config

    from llamo_ros.pose.mmpose_runtime import import_mmpose_apis

    _, det_apis = import_mmpose_apis()
    from mmpose.utils import adapt_mmdet_pipeline

    # 'mmdet.'-scoped transforms: the detector pipeline is built while mmpose is the default scope
    detector = det_apis.init_detector(adapt_mmdet_pipeline(Config.fromfile(mmpose_config_path(DETECTOR_CONFIG))),
                                      None, device=device)
    _load_weights(detector, checkpoint)
    return detector


class MMPoseBackend:
    """`PoseBackend` with RTMDet + RTMPose-m + streaming VideoPose3D (see the module docstring)."""

    def __init__(self, config: MMPoseConfig | None = None, root_config: MetricRootConfig | None = None):
        from llamo_ros.pose.mmpose_runtime import import_mmpose_apis

        self.config = config or MMPoseConfig()
        self.root_config = root_config or MetricRootConfig()
        self._pose_apis, self._det_apis = import_mmpose_apis()
        device = self.config.device
        self.detector = None
        if not self.config.whole_image_as_person:
            self.detector = build_detector(self.config.detector_checkpoint, device)
        self.pose2d = self._pose_apis.init_model(mmpose_config_path(POSE2D_CONFIG), None, device=device)
        _load_weights(self.pose2d, self.config.pose2d_checkpoint)
        self.lifter = self._pose_apis.init_model(mmpose_config_path(LIFTER_CONFIG), None, device=device)
        _load_weights(self.lifter, self.config.lifter_checkpoint)
        self.lifter.eval()
        self._stream = StreamingLift(self.lift, self.config.lifter_history, self.config.association_iou,
                                     self.root_config)

    def reset(self) -> None:
        """Forget every person's 2D history (call between unrelated images or streams)."""
        self._stream.reset()

    def dropped(self, persons: list[PersonPose]) -> None:
        """Nothing to stop: people are detected anew in every image; a 2D history only feeds the lifter and
        ends when its box is not found again."""

    def close(self) -> None:
        """Drop the models (torch modules hold no threads or files; their memory goes with them)."""
        self.detector = self.pose2d = self.lifter = None

    def detect(self, image_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Person boxes (N, 4) pixels and scores (N,), best first, at most ``max_persons``."""
        height, width = image_bgr.shape[:2]
        if self.detector is None:
            return np.array([[0, 0, width, height]], np.float32), np.ones(1, np.float32)
        result = self._det_apis.inference_detector(self.detector, image_bgr).pred_instances
        boxes, scores = result.bboxes.cpu().numpy(), result.scores.cpu().numpy()
        keep = (result.labels.cpu().numpy() == 0) & (scores >= self.config.detection_threshold)
        boxes, scores = boxes[keep], scores[keep]
        order = np.argsort(-scores)[: self.config.max_persons]
        return boxes[order].astype(np.float32), scores[order].astype(np.float32)

    def keypoints_2d(self, image_bgr: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """RTMPose-m COCO-17 keypoints (N, 17, 3): u, v pixels and score, one per box."""
        if len(boxes) == 0:
            return np.zeros((0, 17, 3), np.float32)
        samples = self._pose_apis.inference_topdown(self.pose2d, image_bgr, boxes, bbox_format="xyxy")
        out = []
        for sample in samples:
            inst = sample.pred_instances
            out.append(np.concatenate([inst.keypoints[0], inst.keypoint_scores[0][:, None]], axis=1))
        return np.asarray(out, dtype=np.float32)

    def lift(self, windows: np.ndarray) -> np.ndarray:
        """(N, 27, 17, 2) normalised H36M 2D windows -> (N, 17, 3) pelvis-relative metres, optical axes."""
        import torch

        n, t = windows.shape[:2]
        x = torch.from_numpy(np.ascontiguousarray(windows.transpose(0, 2, 3, 1).reshape(n, NUM_JOINTS * 2, t)))
        x = x.to(next(self.lifter.parameters()).device)
        with torch.no_grad():
            out = self.lifter.head(self.lifter.backbone(x))
        return out.reshape(n, NUM_JOINTS, 3).cpu().numpy().astype(np.float32)

    def estimate(self, image_rgb: np.ndarray, intrinsics: CameraIntrinsics | None = None,
                 depth: np.ndarray | None = None) -> list[PersonPose]:
        image = checked_rgb_image(image_rgb)
        height, width = image.shape[:2]
        bgr = np.ascontiguousarray(image[:, :, ::-1])   # both OpenMMLab pipelines expect BGR arrays
        boxes, scores = self.detect(bgr)
        coco = self.keypoints_2d(bgr, boxes)
        return self._stream(coco, boxes, scores, (width, height), intrinsics, depth)
