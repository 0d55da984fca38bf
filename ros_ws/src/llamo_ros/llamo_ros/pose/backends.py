"""`create_backend`: a `PoseBackend` by name ("mediapipe", "mmpose", "onnx"); heavy imports are lazy."""
from __future__ import annotations

from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PoseBackend

BACKEND_NAMES = ("mediapipe", "mmpose", "onnx")


def create_backend(name: str, root_config: MetricRootConfig | None = None, max_persons: int = DEFAULT_MAX_PERSONS,
                   min_detection_confidence: float = 0.5, device: str = "cpu", model_dir: str = "",
                   checkpoints: dict[str, str] | None = None, detection_tiles_per_frame: int = 2) -> PoseBackend:
    """Build a backend. ``model_dir``: ONNX files (onnx); ``checkpoints``: detector/pose2d/lifter
    checkpoint paths (mmpose; missing ones mean random weights, for tests only);
    ``detection_tiles_per_frame``: MediaPipe detector windows per image (see MediaPipeConfig)."""
    if name == "mediapipe":
        from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig

        return MediaPipeBackend(MediaPipeConfig(max_persons=max_persons,
                                                min_detection_confidence=min_detection_confidence,
                                                detection_tiles_per_frame=detection_tiles_per_frame), root_config)
    if name == "mmpose":
        from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig

        cfg = MMPoseConfig(device=device, max_persons=max_persons, detection_threshold=min_detection_confidence,
                           **{f"{k}_checkpoint": v for k, v in (checkpoints or {}).items()})
        return MMPoseBackend(cfg, root_config)
    if name == "onnx":
        from llamo_ros.pose.onnx_backend import OnnxPoseBackend, OnnxPoseConfig

        return OnnxPoseBackend(OnnxPoseConfig(model_dir=model_dir, max_persons=max_persons,
                                              detection_threshold=min_detection_confidence), root_config)
    raise ValueError(f"unknown pose backend {name!r}; known: {', '.join(BACKEND_NAMES)}")
