"""Every pose backend implements the whole `PoseBackend` protocol (estimate, reset, close), and all of them
and the pose stage share one default for max_persons."""
from __future__ import annotations

import inspect

import pytest

from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PoseBackend

PROTOCOL_METHODS = ("estimate", "reset", "close")


@pytest.mark.parametrize("module, name", [("mediapipe_backend", "MediaPipeBackend"),
                                          ("mmpose_backend", "MMPoseBackend"), ("onnx_backend", "OnnxPoseBackend")])
def test_every_backend_implements_reset_and_close(module, name):
    import importlib

    cls = getattr(importlib.import_module(f"llamo_ros.pose.{module}"), name)
    for method in PROTOCOL_METHODS:
        assert method in PoseBackend.__dict__, f"PoseBackend lacks {method}"
        assert callable(cls.__dict__.get(method)), f"{name} does not implement {method}()"


def test_one_default_for_max_persons():
    from llamo_ros.messages.pose_frames import PoseConfig
    from llamo_ros.pose.backends import create_backend
    from llamo_ros.pose.mediapipe_backend import MediaPipeConfig
    from llamo_ros.pose.mmpose_backend import MMPoseConfig
    from llamo_ros.pose.onnx_backend import OnnxPoseConfig

    defaults = {PoseConfig().max_persons, MediaPipeConfig().max_persons, MMPoseConfig().max_persons,
                OnnxPoseConfig().max_persons, inspect.signature(create_backend).parameters["max_persons"].default}
    assert defaults == {DEFAULT_MAX_PERSONS}
