"""Rigid transforms camera optical frame -> target frame: hand-computed cases, algebraic properties, and the
rules for vectors, covariances and per-axis standard deviations."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamo_ros.frames import FixedCameraTransform, RigidTransform, TargetFrameConfig

angles = st.tuples(*[st.floats(-math.pi, math.pi, allow_nan=False)] * 3)
offsets = st.tuples(*[st.floats(-10, 10, allow_nan=False)] * 3)


def test_a_yaw_of_90_degrees_plus_an_offset_by_hand():
    t = RigidTransform.from_rpy((1.0, -2.0, 0.5), (0.0, 0.0, math.pi / 2))
    # yaw +90 deg about z: x -> y, y -> -x
    np.testing.assert_allclose(t.apply_points([[3.0, 4.0, 5.0]]), [[1.0 - 4.0, -2.0 + 3.0, 0.5 + 5.0]], atol=1e-12)
    np.testing.assert_allclose(t.apply_vectors([3.0, 4.0, 5.0]), [-4.0, 3.0, 5.0], atol=1e-12)


def test_level_forward_camera_on_base_link_maps_optical_axes_to_rep103_body_axes():
    mount = RigidTransform.from_rpy((0.2, 0.0, 1.1), (-math.pi / 2, 0.0, -math.pi / 2))
    forward, right, down = mount.apply_vectors(np.eye(3)[[2, 0, 1]])   # optical z, x, y
    np.testing.assert_allclose(forward, [1, 0, 0], atol=1e-12)    # base_link x forward
    np.testing.assert_allclose(right, [0, -1, 0], atol=1e-12)     # y is left
    np.testing.assert_allclose(down, [0, 0, -1], atol=1e-12)      # z is up
    np.testing.assert_allclose(mount.apply_points([0.0, 0.0, 3.0]), [3.2, 0.0, 1.1], atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(rpy=angles, xyz=offsets, seed=st.integers(0, 2**31))
def test_inverse_composition_and_quaternion_round_trip(rpy, xyz, seed):
    t = RigidTransform.from_rpy(xyz, rpy)
    p = np.random.default_rng(seed).normal(0, 5, (7, 3))
    np.testing.assert_allclose(t.inverse().apply_points(t.apply_points(p)), p, atol=1e-9)
    np.testing.assert_allclose((t @ t.inverse()).rotation, np.eye(3), atol=1e-12)
    q = t.quaternion()
    assert abs(np.linalg.norm(q) - 1) < 1e-12 and q[3] >= 0
    np.testing.assert_allclose(RigidTransform.from_quaternion(xyz, q).rotation, t.rotation, atol=1e-12)
    u = RigidTransform.from_rpy(xyz[::-1], rpy[::-1])
    np.testing.assert_allclose((t @ u).apply_points(p), t.apply_points(u.apply_points(p)), atol=1e-9)


def test_half_turns_keep_their_quaternion():
    for axis in np.eye(3):
        r = RigidTransform.from_rpy((0, 0, 0), axis * math.pi)
        np.testing.assert_allclose(RigidTransform.from_quaternion((0, 0, 0), r.quaternion()).rotation, r.rotation,
                                   atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(rpy=angles, xyz=offsets, seed=st.integers(0, 2**31))
def test_covariances_and_axis_stds_follow_the_rotated_samples(rpy, xyz, seed):
    t = RigidTransform.from_rpy(xyz, rpy)
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T                                      # any covariance is A A^T
    moved = t.apply_vectors(a.T).T                     # columns of A rotated
    np.testing.assert_allclose(t.apply_covariances(cov), moved @ moved.T, atol=1e-9)
    std = rng.uniform(0.01, 2.0, 3)
    np.testing.assert_allclose(t.apply_axis_std(std), np.sqrt(np.diag(t.apply_covariances(np.diag(std ** 2)))),
                               atol=1e-12)
    # translation never moves a vector or a covariance
    shifted = RigidTransform(t.rotation, t.translation + 5.0)
    np.testing.assert_allclose(shifted.apply_covariances(cov), t.apply_covariances(cov))


def test_unset_quaternion_is_identity_and_bad_rotations_are_rejected():
    assert RigidTransform.from_quaternion((0, 0, 0), (0, 0, 0, 0)).is_identity
    with pytest.raises(ValueError, match="rotation"):
        RigidTransform(np.diag([1.0, 1.0, -1.0]), np.zeros(3))   # a mirror
    with pytest.raises(ValueError, match="non-finite"):
        RigidTransform(np.eye(3), [0, np.nan, 0])


def test_config_builds_the_fixed_transform_and_checks_its_source():
    config = TargetFrameConfig(target_frame="base_link", camera_x=1.0, camera_yaw=math.pi / 2)
    np.testing.assert_allclose(config.fixed_transform().apply_points([1.0, 0.0, 0.0]), [1.0, 1.0, 0.0], atol=1e-12)
    source = FixedCameraTransform("base_link", config.fixed_transform())
    assert source.lookup("camera_optical_frame", 123) is source.transform
    with pytest.raises(ValueError, match="target_transform"):
        TargetFrameConfig(target_transform="magic")
    with pytest.raises(ValueError, match="target_frame"):
        FixedCameraTransform("", RigidTransform.identity())


def test_the_pose_stage_gets_no_transform_a_fixed_one_or_a_clear_error():
    from llamo_ros.messages.tf2_frames import camera_to_target, tf2_available

    assert camera_to_target(TargetFrameConfig()) is None   # no target_frame: the camera optical frame
    fixed = camera_to_target(TargetFrameConfig(target_frame="base_link", target_transform="fixed", camera_z=1.0))
    assert isinstance(fixed, FixedCameraTransform) and fixed.target_frame == "base_link"
    np.testing.assert_allclose(fixed.lookup("camera_optical_frame", 0).translation, [0, 0, 1.0])
    # offline (no node) 'auto' means the fixed transform, also where tf2_ros imports
    assert isinstance(camera_to_target(TargetFrameConfig(target_frame="map")), FixedCameraTransform)
    with pytest.raises(ValueError, match="tf2_ros is not installed" if not tf2_available() else "needs a node"):
        camera_to_target(TargetFrameConfig(target_frame="map", target_transform="tf2"))
