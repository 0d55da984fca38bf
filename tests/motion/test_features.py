import numpy as np
import pytest

from llamo_ros.motion import features as F
from llamo_ros.skeleton import NUM_JOINTS
from motion_fixtures import walking_skeleton


def test_layout_and_shape():
    x = F.motion_features(walking_skeleton(90), None, 30.0)
    assert x.shape == (30, F.NUM_FEATURES) and x.dtype == np.float32  # 2.97 s -> 30 frames at 10 Hz
    x = F.motion_features(walking_skeleton(200), None, 30.0)
    assert x.shape == (F.MAX_FRAMES, F.NUM_FEATURES)
    x = F.motion_features(walking_skeleton(20), None, 30.0, num_frames=32)
    assert x.shape == (32, F.NUM_FEATURES)
    assert x[:, F.VALID].sum() == 7 and x[-1, F.VALID] == 1 and x[0, F.VALID] == 0


def test_facing_and_velocity():
    # Facing the camera (yaw = pi), walking towards it at 1 m/s.
    x = F.motion_features(walking_skeleton(90, yaw=np.pi), None, 30.0)
    np.testing.assert_allclose(x[-1, F.FACING], [0.0, -1.0], atol=1e-5)
    np.testing.assert_allclose(x[-1, F.ROOT_VEL], [0.0, 0.0, -1.0], atol=1e-4)
    # Pose is facing-normalised: same local pose whatever the yaw.
    y = F.motion_features(walking_skeleton(90, yaw=0.7), None, 30.0)
    np.testing.assert_allclose(x[:, F.POSE], y[:, F.POSE], atol=1e-5)
    assert F.facing_angle(walking_skeleton(2, yaw=0.7))[0] == pytest.approx(0.7, abs=1e-5)


def test_missing_joints_are_filled_and_masked():
    j = walking_skeleton(90)
    j[40:60, 13] = np.nan          # left wrist lost for a while
    j[:, 10] = np.nan              # head never seen
    j[50, 0] = np.nan              # pelvis lost once: from the hips
    x = F.motion_features(j, None, 30.0)
    assert np.isfinite(x).all()
    mask = x[:, F.MASK]
    assert mask[:, 10].sum() == 0 and mask[:, 0].sum() == mask.shape[0] - 1
    assert 0 < mask[:, 13].sum() < mask.shape[0]


@pytest.mark.parametrize("bad", [np.full((30, NUM_JOINTS, 3), np.nan, np.float32),
                                 np.zeros((0, NUM_JOINTS, 3), np.float32)])
def test_nan_only_or_empty_window_raises(bad):
    with pytest.raises(ValueError):
        F.motion_features(bad, None, 30.0)


def test_zero_confidence_counts_as_missing():
    j = walking_skeleton(30)
    with pytest.raises(ValueError, match="no observed joint"):
        F.motion_features(j, np.zeros((30, NUM_JOINTS), np.float32), 30.0)


def test_a_pitched_camera_sees_the_body_as_a_level_one_does():
    """A person standing with the right arm held out, seen by a level camera and by one pitched 30 deg down at the
    same place: the body's channels (pose, facing) are the level camera's; the root's stay in each camera's frame."""
    from descriptor_fixtures import place, standing, to_camera
    from llamo_ros.skeleton import JOINT_INDEX as J

    world = place(standing(64, heading=np.pi + 0.6), x=1.5, z=4.0)       # facing the camera, turned 0.6 rad
    shoulder = world[:, J["right_shoulder"]]
    world[:, J["right_elbow"]] = shoulder + [0.1, 0.0, -0.27]            # arm held out towards the camera
    world[:, J["right_wrist"]] = shoulder + [0.2, 0.0, -0.55]
    level, _ = to_camera(world, pitch_deg=0.0, height_m=2.0)
    pitched, _ = to_camera(world, pitch_deg=30.0, height_m=2.0)
    a, b = F.motion_features(level, None, 30.0), F.motion_features(pitched, None, 30.0)
    np.testing.assert_allclose(a[:, F.POSE], b[:, F.POSE], atol=2e-3)
    np.testing.assert_allclose(a[:, F.FACING], b[:, F.FACING], atol=2e-3)
    assert np.abs(a[:, F.ROOT_POS] - b[:, F.ROOT_POS]).max() > 0.3       # the root is where each camera sees it
    # without levelling, the pitched camera sees the arm (and the whole body) tilted by 30 deg
    c = F.motion_features(pitched, None, 30.0, level=False)
    assert np.abs(a[:, F.POSE] - c[:, F.POSE]).max() > 0.2
    np.testing.assert_allclose(F.level_rotation(F.window_up(pitched)) @ [0.0, -np.cos(0.5236), -np.sin(0.5236)],
                               [0.0, -1.0, 0.0], atol=1e-3)
