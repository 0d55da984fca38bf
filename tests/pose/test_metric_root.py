"""Metric placement: height prior, depth, default field of view (synthetic, exact ground truth)."""
import numpy as np
import pytest

from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.metric_root import (fit_root_translation, place_person,
                                        place_with_depth, place_with_height_prior, stature_from_bones)
from llamo_ros.pose.person_pose import RootSource

K = CameraIntrinsics(fx=525.0, fy=525.0, cx=319.5, cy=239.5, width=640, height=480)


def observe(joints_cam: np.ndarray, intrinsics: CameraIntrinsics = K) -> np.ndarray:
    """Perfect 2D keypoints (17, 3) of camera-frame joints, confidence 1."""
    return np.concatenate([intrinsics.project(joints_cam), np.ones((17, 1))], axis=1)


def test_stature_from_bones_matches_construction(make_skeleton):
    for h in (1.55, 1.70, 1.90):
        assert stature_from_bones(make_skeleton(h)) == pytest.approx(h, rel=1e-6)


def test_translation_fit_is_exact_for_a_perfect_observation(skeleton_170):
    t_true = np.array([0.4, -0.1, 3.7])
    t = fit_root_translation(skeleton_170, observe(skeleton_170 + t_true), K)
    np.testing.assert_allclose(t, t_true, atol=1e-9)


def test_translation_fit_ignores_low_confidence_outliers(skeleton_170):
    t_true = np.array([-0.3, 0.2, 2.5])
    kp = observe(skeleton_170 + t_true)
    kp[3, :2] += 80.0   # a wild ankle...
    kp[3, 2] = 0.1      # ...that the detector was unsure about
    np.testing.assert_allclose(fit_root_translation(skeleton_170, kp, K), t_true, atol=1e-9)


@pytest.mark.parametrize("true_height", [1.55, 1.70, 1.85])
def test_height_prior_error_is_the_height_ratio(make_skeleton, true_height):
    """A person of true height H seen with a 1.70 m prior is placed at distance * 1.70 / H.

    This is the documented error model: the 5-95% adult stature range 1.52-1.88 m maps to about
    -10%..+12% of distance.
    """
    t_true = np.array([0.2, 0.3, 4.0])
    true = make_skeleton(true_height)
    # The backend's relative skeleton has an arbitrary scale (here 0.8x); the prior fixes it.
    joints, root = place_with_height_prior(0.8 * true, observe(true + t_true), K)
    expected = t_true * 1.70 / true_height
    np.testing.assert_allclose(root, expected, rtol=1e-6)
    np.testing.assert_allclose(K.project(joints), K.project(true + t_true), atol=1e-6)
    assert abs(root[2] / t_true[2] - 1) == pytest.approx(abs(1.70 / true_height - 1), abs=1e-6)


def test_depth_plane_recovers_distance_and_true_size(make_skeleton):
    """Constant depth plane at 3.2 m: pelvis at 3.2 + 0.10 m (torso half-depth), within 1 cm."""
    true = make_skeleton(1.85)
    t_true = np.array([0.3, 0.1, 3.3])
    depth = np.full((480, 640), 3.2, dtype=np.float32)
    depth[:50] = np.nan     # missing readings are ignored
    depth[:, :40] = 0.0
    joints, root = place_with_depth(true, observe(true + t_true), K, depth)
    np.testing.assert_allclose(root, t_true, atol=0.01)
    assert stature_from_bones(joints - root) == pytest.approx(1.85, abs=0.01)


def test_place_person_source_and_fallbacks(skeleton_170):
    kp = observe(skeleton_170 + [0, 0, 3.0])
    _, _, source = place_person(skeleton_170, kp, (640, 480), K, None)
    assert source is RootSource.HEIGHT_PRIOR
    _, root, source = place_person(skeleton_170, kp, (640, 480), K, np.full((480, 640), np.nan, np.float32))
    assert source is RootSource.HEIGHT_PRIOR  # depth without readings falls back
    _, root_depth, source = place_person(skeleton_170, kp, (640, 480), K, np.full((480, 640), 2.9, np.float32))
    assert source is RootSource.DEPTH and root_depth[2] == pytest.approx(3.0, abs=1e-3)
    _, root_fov, source = place_person(skeleton_170, kp, (640, 480), None, None)
    assert source is RootSource.HEIGHT_PRIOR_ASSUMED_FOV
    # The default 60 deg FOV has fx = 554 px instead of 525: distance scales by 554/525.
    assert root_fov[2] / root[2] == pytest.approx(CameraIntrinsics.from_fov(640, 480).fx / K.fx, rel=0.01)
    _, root_none, source = place_person(skeleton_170, np.zeros((17, 3)), (640, 480), K, None)
    assert source is RootSource.NONE and np.isnan(root_none).all()


def test_default_fov_intrinsics_are_flagged():
    k = CameraIntrinsics.from_fov(640, 480, 60.0)
    assert k.assumed and k.fx == pytest.approx(320 / np.tan(np.radians(30)))
    assert not CameraIntrinsics.from_k([500, 0, 320, 0, 500, 240, 0, 0, 1], 640, 480).assumed
