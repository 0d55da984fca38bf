"""Every pose backend implements the whole `PoseBackend` protocol (estimate, reset, dropped, close), and all of them
and the pose stage share one default for max_persons."""
from __future__ import annotations

import inspect

import pytest

from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PoseBackend

PROTOCOL_METHODS = ("estimate", "reset", "dropped", "close")


@pytest.mark.parametrize("module, name", [("mediapipe_backend", "MediaPipeBackend"),
                                          ("mmpose_backend", "MMPoseBackend"), ("onnx_backend", "OnnxPoseBackend")])
def test_every_backend_implements_the_protocol(module, name):
    import importlib

    cls = getattr(importlib.import_module(f"llamo_ros.pose.{module}"), name)
    for method in PROTOCOL_METHODS:
        assert method in PoseBackend.__dict__, f"PoseBackend lacks {method}"
        assert callable(cls.__dict__.get(method)), f"{name} does not implement {method}()"


def test_every_backend_setting_has_one_default_beside_its_backend():
    """Each backend's settings live in its own config (one default each), nested in PoseConfig under the backend's
    name, and the pose stage's own parameters repeat none of them."""
    from dataclasses import fields

    from llamo_ros.config_fields import described_fields
    from llamo_ros.messages.pose_frames import PoseConfig
    from llamo_ros.pose.backends import BACKEND_NAMES, create_backend
    from llamo_ros.pose.mediapipe_backend import MediaPipeConfig
    from llamo_ros.pose.mmpose_backend import MMPoseConfig
    from llamo_ros.pose.onnx_backend import OnnxPoseConfig

    configs = {"mediapipe": MediaPipeConfig, "mmpose": MMPoseConfig, "onnx": OnnxPoseConfig}
    assert {f.name: f.default_factory for f in fields(PoseConfig) if f.name in BACKEND_NAMES} == configs
    stage_own = {name for name, _, _ in described_fields(PoseConfig) if "." not in name}
    for name, cls in configs.items():
        settings = {field.split(".")[0] for field, _, _ in described_fields(cls)}   # raises if one lacks a default
        assert not stage_own & settings, f"{sorted(stage_own & settings)} set twice: PoseConfig and {cls.__name__}"
        assert cls().max_persons == DEFAULT_MAX_PERSONS
    # create_backend holds no defaults of its own: only the configs do
    assert list(inspect.signature(create_backend).parameters) == ["name", "config", "root_config", "settings"]


def test_the_pose_stage_builds_the_chosen_backend_from_its_own_settings():
    from llamo_ros.messages.pose_frames import PoseConfig, backend_from_config
    from llamo_ros.pose.mediapipe_backend import MediaPipeBackend

    config = PoseConfig(backend="mediapipe", body_height_m=1.5)
    config.mediapipe.detection_tiles_per_frame, config.mediapipe.threads = 5, 1
    config.onnx.max_persons = 1   # another backend's settings do not leak into this one
    backend = backend_from_config(config)
    try:
        assert isinstance(backend, MediaPipeBackend) and backend.config == config.mediapipe
        assert backend.config.max_persons == DEFAULT_MAX_PERSONS and backend.root_config.body_height_m == 1.5
    finally:
        backend.close()
    with pytest.raises(ValueError, match="unknown pose backend 'yolo'"):
        PoseConfig(backend="yolo")


def test_identity_has_one_owner_the_person_tracker():
    """The backend's frame-to-frame tracking only says where to look next; who is who is `PersonTracker`'s alone:
    backends leave track_id unset (-1) even while they track, and the tracker's ids stay put over frames."""
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image
    from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig
    from llamo_ros.pose.tracker import PersonTracker

    try:
        image = load_image("basketball1")
    except SampleMediaUnavailable as error:
        pytest.skip(f"sample image unavailable: {error}")
    backend, tracker = MediaPipeBackend(MediaPipeConfig(track_between_frames=True)), PersonTracker()
    try:
        ids = []
        for _ in range(3):
            persons = backend.estimate(image)
            assert len(persons) >= 2 and all(p.track_id == -1 for p in persons)
            ids.append(sorted(p.track_id for p in tracker.update(persons)))
    finally:
        backend.close()
    assert ids[0] == ids[1] == ids[2] and min(ids[0]) >= 0 and len(set(ids[0])) == len(ids[0])
