"""`create_backend`: a `PoseBackend` by name ("mediapipe", "mmpose", "onnx"); heavy imports are lazy."""
from __future__ import annotations

import dataclasses

from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.person_pose import PoseBackend

BACKEND_NAMES = ("mediapipe", "mmpose", "onnx")


def create_backend(name: str, config=None, root_config: MetricRootConfig | None = None, **settings) -> PoseBackend:
    """Backend `name` with `config`, its own settings (`MediaPipeConfig`, `MMPoseConfig`, `OnnxPoseConfig`;
    None: their defaults), with `settings` (fields of that config, e.g. max_persons=4) replaced."""
    if name == "mediapipe":
        from llamo_ros.pose.mediapipe_backend import MediaPipeBackend as Backend, MediaPipeConfig as Config
    elif name == "mmpose":
        from llamo_ros.pose.mmpose_backend import MMPoseBackend as Backend, MMPoseConfig as Config
    elif name == "onnx":
        from llamo_ros.pose.onnx_backend import OnnxPoseBackend as Backend, OnnxPoseConfig as Config
    else:
        raise ValueError(f"unknown pose backend {name!r}; known: {', '.join(BACKEND_NAMES)}")
    return Backend(dataclasses.replace(config if config is not None else Config(), **settings), root_config)
