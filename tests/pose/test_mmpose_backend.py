"""MMPoseBackend with random weights on a real image: the stages run, shapes/layouts/frames are right."""
import time

import numpy as np
import pytest

pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")

from llamo_ros.data.sample_media import load_image  # noqa: E402
from llamo_ros.pose.camera import CameraIntrinsics  # noqa: E402
from llamo_ros.pose.metric_root import MetricRootConfig  # noqa: E402
from llamo_ros.pose.person_pose import RootSource  # noqa: E402
from llamo_ros.skeleton import JOINT_INDEX, LAYOUT_NAME  # noqa: E402


@pytest.fixture(scope="module")
def backend():
    import torch

    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig

    # Random weights give random keypoints and a random lift; some draws have no placement in front of
    # the camera (root z <= 0 -> NaN), so the draw is fixed. Accept every keypoint in the root fit.
    torch.manual_seed(0)
    return MMPoseBackend(MMPoseConfig(whole_image_as_person=True), MetricRootConfig(min_confidence=0.0))


def test_random_weights_pipeline_shapes_and_frames(backend):
    image = load_image("basketball2")
    height, width = image.shape[:2]
    intrinsics = CameraIntrinsics.from_k([550, 0, width / 2, 0, 550, height / 2, 0, 0, 1], width, height)
    backend.reset()
    start = time.perf_counter()
    persons = backend.estimate(image, intrinsics)
    print(f"\nmmpose random weights, whole-image box, {width}x{height}: {1000 * (time.perf_counter() - start):.0f} ms")
    assert len(persons) == 1
    p = persons[0]
    assert p.layout == LAYOUT_NAME == "h36m17"
    assert p.keypoints_2d.shape == (17, 3) and p.keypoints_3d.shape == (17, 3)
    assert np.all(np.isfinite(p.keypoints_2d)) and np.all(np.isfinite(p.keypoints_3d))
    np.testing.assert_allclose(p.bbox, [0, 0, width, height])
    # 2D keypoints from the top-down crop of the whole image land inside the padded box.
    assert np.all(p.keypoints_2d[:, 0] > -0.25 * width) and np.all(p.keypoints_2d[:, 0] < 1.25 * width)
    assert np.all((p.keypoints_2d[:, 2] >= 0) & (p.keypoints_2d[:, 2] <= 1))
    # Derived H36M joints: pelvis = mid-hips.
    n = JOINT_INDEX
    np.testing.assert_allclose(p.keypoints_2d[n["pelvis"], :2],
                               0.5 * (p.keypoints_2d[n["left_hip"], :2] + p.keypoints_2d[n["right_hip"], :2]),
                               atol=1e-3)
    # Metres in the optical frame: placed in front of the camera, pelvis at root_position, 1.70 m prior.
    assert p.root_source == RootSource.HEIGHT_PRIOR
    assert p.root_position[2] > 0 and np.all(np.isfinite(p.root_position))
    np.testing.assert_allclose(p.keypoints_3d[n["pelvis"]], p.root_position, atol=1e-4)
    from llamo_ros.pose.metric_root import stature_from_bones
    assert stature_from_bones(p.keypoints_3d) == pytest.approx(1.70, rel=1e-3)


def test_lifter_history_is_streamed(backend):
    """The second call continues the same person's window, so the lift differs from a fresh one."""
    image = load_image("basketball2")
    shifted = np.roll(image, 40, axis=1)
    backend.reset()
    backend.estimate(image)
    second = backend.estimate(shifted)[0]
    assert len(backend._stream.previous[0][1]) == 2
    backend.reset()
    fresh = backend.estimate(shifted)[0]
    np.testing.assert_allclose(second.keypoints_2d, fresh.keypoints_2d, atol=1e-4)   # 2D is per frame
    rel = lambda p: p.keypoints_3d - p.root_position  # noqa: E731
    assert not np.allclose(rel(second), rel(fresh), atol=1e-6)


def test_detector_stage_runs_with_threshold(backend):
    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig

    detector_backend = MMPoseBackend(MMPoseConfig(detection_threshold=1.01, max_persons=2))
    assert detector_backend.estimate(load_image("basketball2")) == []   # nothing passes a threshold > 1
    detector_backend.config.detection_threshold = 0.0
    start = time.perf_counter()
    persons = detector_backend.estimate(load_image("basketball2"))
    print(f"\nmmpose random weights with RTMDet: {1000 * (time.perf_counter() - start):.0f} ms, {len(persons)} people")
    assert 1 <= len(persons) <= 2
    assert all(np.all(np.isfinite(p.keypoints_2d)) for p in persons)


def test_checkpoint_loads_with_weights_only(backend, tmp_path):
    """A saved {'state_dict': ...} checkpoint is loaded (torch.load weights_only=True) into a fresh model."""
    import torch

    from llamo_ros.pose.mmpose_backend import _load_weights

    from llamo_ros.pose.weight_manifest import ChecksumError, file_sha256

    unnamed = tmp_path / "lifter.pth"
    torch.save({"state_dict": backend.lifter.state_dict(), "meta": {"epoch": 1}}, unnamed)
    with pytest.raises(ChecksumError):   # no sha256 prefix in the name: cannot be verified
        _load_weights(backend.lifter, str(unnamed))
    path = unnamed.rename(tmp_path / f"lifter-{file_sha256(unnamed)[:8]}.pth")   # OpenMMLab's naming
    fresh = backend._pose_apis.init_model(backend.lifter.cfg, None, device="cpu")
    name = "backbone.expand_conv.conv.weight"
    assert not torch.equal(fresh.state_dict()[name], backend.lifter.state_dict()[name])
    _load_weights(fresh, str(path))
    for key, value in backend.lifter.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
