"""OnnxPoseBackend vs mmpose PyTorch on the same random weights, real image, same person box."""
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
pytest.importorskip("onnxruntime")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "export"))

from llamo_ros.data.sample_media import load_image  # noqa: E402
from llamo_ros.pose.metric_root import MetricRootConfig  # noqa: E402

PARITY_PX = 1.0   # max |ONNX - PyTorch| per keypoint coordinate, image pixels (crop pixel = 1/2 SimCC bin)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    import torch

    from export_mmpose import LIFTER_FILE, POSE2D_FILE, export_lifter, export_pose2d
    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig

    torch.manual_seed(0)
    backend = MMPoseBackend(MMPoseConfig(whole_image_as_person=True), MetricRootConfig(min_confidence=0.0))
    out = tmp_path_factory.mktemp("onnx")
    export_pose2d(backend.pose2d, out / POSE2D_FILE, flip_test=True)
    export_lifter(backend.lifter, out / LIFTER_FILE)
    return backend, out


def test_2d_parity_with_inference_topdown(exported):
    from llamo_ros.pose.onnx_backend import OnnxPoseBackend, OnnxPoseConfig

    torch_backend, model_dir = exported
    onnx_backend = OnnxPoseBackend(OnnxPoseConfig(model_dir=str(model_dir), box_source="whole_image"))
    image = load_image("basketball2")
    worst = 0.0
    for box in ([60, 40, 330, 470], [350, 120, 600, 470], [0, 0, image.shape[1], image.shape[0]]):
        boxes = np.array([box], np.float32)
        ref = torch_backend.keypoints_2d(np.ascontiguousarray(image[:, :, ::-1]), boxes)   # mmpose inference_topdown
        got = onnx_backend.keypoints_2d(image, boxes)
        err = np.abs(got[..., :2] - ref[..., :2]).max()
        worst = max(worst, float(err))
        assert err <= PARITY_PX, f"box {box}: max 2D difference {err:.3f} px"
        np.testing.assert_allclose(got[..., 2], ref[..., 2], atol=1e-3)
        assert np.ptp(ref[..., :2]) > 10   # not a degenerate all-equal output
    print(f"\nONNX vs PyTorch RTMPose-m 2D: max difference {worst:.4f} px over 3 boxes")


def test_onnx_backend_end_to_end_matches_mmpose_backend(exported):
    from llamo_ros.pose.onnx_backend import OnnxPoseBackend, OnnxPoseConfig

    torch_backend, model_dir = exported
    onnx_backend = OnnxPoseBackend(OnnxPoseConfig(model_dir=str(model_dir), box_source="whole_image"),
                                   MetricRootConfig(min_confidence=0.0))
    image = load_image("basketball2")
    torch_backend.reset()
    ref = torch_backend.estimate(image)[0]
    start = time.perf_counter()
    got = onnx_backend.estimate(image)[0]
    print(f"\nONNX backend, whole-image box: {1000 * (time.perf_counter() - start):.0f} ms")
    assert got.layout == "h36m17" and got.keypoints_3d.shape == (17, 3)
    assert np.all(np.isfinite(got.keypoints_3d))
    np.testing.assert_allclose(got.keypoints_2d[:, :2], ref.keypoints_2d[:, :2], atol=PARITY_PX)
    # Same 2D + same lifter weights -> the same metric skeleton (lifter ONNX parity included).
    np.testing.assert_allclose(got.keypoints_3d, ref.keypoints_3d, atol=0.02)


def test_mediapipe_boxes_feed_the_onnx_pose(exported):
    from llamo_ros.pose.onnx_backend import OnnxPoseBackend, OnnxPoseConfig

    _, model_dir = exported
    backend = OnnxPoseBackend(OnnxPoseConfig(model_dir=str(model_dir), box_source="mediapipe"))
    persons = backend.estimate(load_image("basketball2"))
    assert 1 <= len(persons) <= 4   # two players on basketball2
    for p in persons:
        assert p.bbox[2] - p.bbox[0] > 50 and np.all(np.isfinite(p.keypoints_2d))
