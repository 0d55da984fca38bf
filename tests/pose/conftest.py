"""Shared fixtures for the pose front-end tests."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.data.sample_media import SampleMediaUnavailable, load_video_frames
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS


@pytest.fixture(scope="session")
def vtest_frames() -> list[np.ndarray]:
    """The first 51 frames of opencv-doc's vtest.avi as RGB; the test skips where it is unavailable."""
    try:
        return load_video_frames("vtest.avi", max_frames=51)
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")


def standing_skeleton(height_m: float = 1.70) -> np.ndarray:
    """(17, 3) H36M-17 joints of a standing, camera-facing person, pelvis at the origin.

    Optical-frame axes (x right in the image, y down, z away from the camera); the person's left is
    +x. Joint heights are Drillis & Contini stature fractions, so `stature_from_bones` returns
    ``height_m`` exactly.
    """
    h = height_m
    up = lambda frac: -(frac - 0.530) * h  # noqa: E731  height fraction -> y relative to the hips
    j = np.zeros((NUM_JOINTS, 3))
    n = JOINT_INDEX
    for side, sign in (("left", 1.0), ("right", -1.0)):
        j[n[f"{side}_hip"]] = (sign * 0.095 * h, up(0.530), 0)
        j[n[f"{side}_knee"]] = (sign * 0.095 * h, up(0.530 - 0.245), 0)
        j[n[f"{side}_ankle"]] = (sign * 0.095 * h, up(0.530 - 0.491), 0)
        j[n[f"{side}_shoulder"]] = (sign * 0.129 * h, up(0.818), 0)
        j[n[f"{side}_elbow"]] = (sign * 0.140 * h, up(0.630), 0)
        j[n[f"{side}_wrist"]] = (sign * 0.145 * h, up(0.485), 0)
    j[n["thorax"]] = (0, up(0.818), 0)
    j[n["spine"]] = 0.5 * j[n["thorax"]]
    j[n["neck_nose"]] = (0, up(0.818 + 0.092), -np.sqrt(0.095 ** 2 - 0.092 ** 2) * h)
    j[n["head"]] = (0, up(0.936), -0.01 * h)
    return j


@pytest.fixture
def skeleton_170() -> np.ndarray:
    return standing_skeleton(1.70)


@pytest.fixture
def make_skeleton():
    return standing_skeleton


def calibrate_batchnorm(model, images) -> None:
    """Re-estimate every BatchNorm's running statistics on ``images`` (N, 3, H, W) float32, then eval().

    Why: freshly initialised RTMDet has BatchNorm statistics (mean 0, variance 1) that do not fit its
    random convolutions, so its features shrink to ~1e-4 and every point gets the same score to four
    digits; ranking such ties is float noise. With statistics measured on real images the random
    network's scores spread (about 0.7-0.98 on astronaut) and the top boxes are well separated.
    """
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None   # cumulative average over the calibration batch
            module.train()
    with torch.no_grad():
        model.bbox_head(model.extract_feat(torch.from_numpy(images)))
    model.eval()


@pytest.fixture(scope="session")
def exported_pose_models(tmp_path_factory):
    """(MMPoseBackend whole-image, RTMDet detector, ONNX folder): the mmpose models with random weights
    (torch seed 0) and their export by export/export_mmpose.py, once per test session."""
    pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
    pytest.importorskip("onnxruntime")
    import sys
    from pathlib import Path

    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "export"))
    from export_mmpose import DETECTOR_FILE, LIFTER_FILE, POSE2D_FILE, export_detector, export_lifter, export_pose2d

    from llamo_ros.data.sample_media import load_image
    from llamo_ros.pose.metric_root import MetricRootConfig
    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig, build_detector
    from llamo_ros.pose.rtmdet_decode import letterbox

    torch.manual_seed(0)
    backend = MMPoseBackend(MMPoseConfig(whole_image_as_person=True), MetricRootConfig(min_confidence=0.0))
    detector = build_detector()
    calibrate_batchnorm(detector, np.concatenate([letterbox(load_image(n))[0] for n in ("astronaut", "basketball2")]))
    out = tmp_path_factory.mktemp("onnx")
    export_detector(detector, out / DETECTOR_FILE)
    export_pose2d(backend.pose2d, out / POSE2D_FILE, flip_test=True)
    export_lifter(backend.lifter, out / LIFTER_FILE)
    return backend, detector, out
