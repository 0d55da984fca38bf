"""OnnxPoseBackend vs mmpose PyTorch on the same random weights, real image, same person box."""
import sys
import time

import numpy as np
import pytest

pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
pytest.importorskip("onnxruntime")

from llamo_ros.data.sample_media import load_image  # noqa: E402
from llamo_ros.pose.metric_root import MetricRootConfig  # noqa: E402

PARITY_PX = 1.0   # max |ONNX - PyTorch| per keypoint coordinate, image pixels (crop pixel = 1/2 SimCC bin)


@pytest.fixture(scope="module")
def exported(exported_pose_models):
    backend, _, out = exported_pose_models
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


def test_box_source_auto_prefers_the_exported_detector(exported, tmp_path):
    from llamo_ros.pose.onnx_backend import OnnxPoseConfig

    _, model_dir = exported
    assert OnnxPoseConfig(model_dir=str(model_dir)).resolved_box_source() == "rtmdet"
    assert OnnxPoseConfig(model_dir=str(tmp_path)).resolved_box_source() == "mediapipe"   # exported before RTMDet
    import onnxruntime as ort

    from llamo_ros.pose.onnx_backend import DETECTOR_FILE, RTMDetOnnx

    with pytest.raises(FileNotFoundError, match="export_mmpose.py"):
        RTMDetOnnx(str(tmp_path / DETECTOR_FILE), ort.SessionOptions())
    with pytest.raises(ValueError, match="unknown box_source"):
        OnnxPoseConfig(box_source="yolo")


# Run in a fresh interpreter: the default onnx chain on a real image, then report what got imported.
_OPENMMLAB_FREE_RUN = """
import json, sys
import numpy as np
from llamo_ros.data.sample_media import load_image
from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.onnx_backend import OnnxPoseBackend, OnnxPoseConfig
backend = OnnxPoseBackend(OnnxPoseConfig(model_dir=sys.argv[1], max_persons=4), MetricRootConfig(min_confidence=0.0))
persons = backend.estimate(load_image("astronaut"))
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "mmcv", "mmdet", "mmpose", "mmengine", "mediapipe"})
print(json.dumps({"box_source": backend.box_source, "heavy": heavy,
                  "boxes": [p.bbox.tolist() for p in persons],
                  "finite_2d": [bool(np.all(np.isfinite(p.keypoints_2d))) for p in persons],
                  "finite_3d": [bool(np.all(np.isfinite(p.keypoints_3d))) for p in persons]}))
"""


def test_default_onnx_chain_runs_without_openmmlab(exported):
    """detector -> RTMPose -> lifter from the exported files alone: torch and OpenMMLab never imported."""
    import json
    import subprocess

    _, model_dir = exported
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _OPENMMLAB_FREE_RUN, str(model_dir)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nonnx chain in a fresh process: {time.perf_counter() - start:.1f} s, boxes {report['boxes']}")
    assert report["box_source"] == "rtmdet"
    assert report["heavy"] == []
    # Random detector weights still score the best astronaut boxes above 0.5 (BatchNorm calibrated on it).
    # A random lift may have no placement in front of the camera (NaN 3D, as in test_mmpose_backend).
    assert 1 <= len(report["boxes"]) <= 4 and all(report["finite_2d"]) and any(report["finite_3d"])
