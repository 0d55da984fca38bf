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


def test_one_default_for_max_persons():
    from llamo_ros.messages.pose_frames import PoseConfig
    from llamo_ros.pose.backends import create_backend
    from llamo_ros.pose.mediapipe_backend import MediaPipeConfig
    from llamo_ros.pose.mmpose_backend import MMPoseConfig
    from llamo_ros.pose.onnx_backend import OnnxPoseConfig

    defaults = {PoseConfig().max_persons, MediaPipeConfig().max_persons, MMPoseConfig().max_persons,
                OnnxPoseConfig().max_persons, inspect.signature(create_backend).parameters["max_persons"].default}
    assert defaults == {DEFAULT_MAX_PERSONS}


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
