"""RootFilter on a generated noisy walk: smooth root, velocity within 10 % of the truth, outliers gated, gaps
bridged; and the pose stage's per-person application (skeleton moves with the root)."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.pose.person_pose import PersonPose, RootSource
from llamo_ros.pose.root_filter import RootFilter, RootFilterSettings

RATE_HZ = 10.0
VELOCITY = np.array([1.2, 0.0, -0.5])    # m/s: across the image and towards the camera, 1.3 m/s


def _walk(n: int, seed: int = 0, noise_fraction: float = 0.05):
    """True roots of a straight walk starting 12 m away, and measurements with height-prior-like noise: 5 % of
    the distance along the ray, 1 % across (like metric_root's frame-to-frame error)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE_HZ
    truth = np.array([-3.0, 0.3, 12.0]) + t[:, None] * VELOCITY
    measured = []
    for p in truth:
        ray = p / np.linalg.norm(p)
        d = np.linalg.norm(p)
        noise = rng.normal(0, 0.01 * d, 3)
        noise += ray * rng.normal(0, noise_fraction * d) - ray * (ray @ noise)
        measured.append(p + noise)
    return (t * 1e9).astype(np.int64) + 10**18, truth, np.array(measured)


def _second_difference_rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.sum((x[2:] - 2 * x[1:-1] + x[:-2]) ** 2, axis=1)))) * RATE_HZ ** 2


def test_a_noisy_straight_walk_gives_a_smooth_root_and_the_velocity_within_10_percent():
    stamps, truth, measured = _walk(100)
    f = RootFilter()
    out = [f.update(1, int(s), m, RootSource.HEIGHT_PRIOR) for s, m in zip(stamps, measured)]
    filtered = np.array([e.position for e in out])
    velocity = np.array([e.velocity for e in out])
    assert _second_difference_rms(filtered) < 0.2 * _second_difference_rms(measured)
    # position error after convergence: well below the measurement's
    err_f = np.linalg.norm(filtered[30:] - truth[30:], axis=1).mean()
    err_m = np.linalg.norm(measured[30:] - truth[30:], axis=1).mean()
    assert err_f < 0.5 * err_m
    # velocity over the last 5 s: its mean within 10 % of the true velocity vector's length, and each frame's
    # within 20 % RMS (0.6 m of noise per frame at 12 m leaves some in a causal estimate)
    true_speed = np.linalg.norm(VELOCITY)
    assert np.linalg.norm(velocity[50:].mean(axis=0) - VELOCITY) < 0.10 * true_speed
    assert np.sqrt(np.mean(np.sum((velocity[50:] - VELOCITY) ** 2, axis=1))) < 0.20 * true_speed
    # the covariance is what the filter believes: positive definite and much tighter than one measurement
    cov = out[-1].covariance
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    assert np.trace(cov) < 0.3 * np.trace(f.measurement_covariance(measured[-1], RootSource.HEIGHT_PRIOR))


def test_an_outlier_frame_is_gated():
    stamps, truth, measured = _walk(60, seed=1, noise_fraction=0.02)
    measured[40] = truth[40] + np.array([0.0, 0.0, 4.0])   # a 4 m jump along the ray for one frame
    f = RootFilter()
    out = [f.update(1, int(s), m, RootSource.HEIGHT_PRIOR) for s, m in zip(stamps, measured)]
    assert out[40].gated and f.gated == 1
    assert np.linalg.norm(out[40].position - truth[40]) < 0.3
    assert not out[41].gated and np.linalg.norm(out[41].position - truth[41]) < 0.3


def test_a_person_who_really_moved_restarts_the_track_after_repeated_rejections():
    stamps, truth, measured = _walk(40, seed=2, noise_fraction=0.02)
    moved = truth[20:] + np.array([5.0, 0.0, 0.0])         # from frame 20 on, a different place (an id switch)
    f = RootFilter(RootFilterSettings(max_rejected=3))
    out = [f.update(1, int(s), m, RootSource.HEIGHT_PRIOR)
           for s, m in zip(stamps, np.concatenate([measured[:20], moved]))]
    assert [e.gated for e in out[20:23]] == [True, True, False]
    assert np.linalg.norm(out[25].position - moved[5]) < 0.5


def test_missed_frames_are_bridged_by_prediction():
    stamps, truth, measured = _walk(60, seed=3, noise_fraction=0.02)
    f = RootFilter()
    for s, m in zip(stamps[:40], measured[:40]):
        f.update(1, int(s), m, RootSource.HEIGHT_PRIOR)
    bridged = [f.update(1, int(s), None) for s in stamps[40:45]]      # 0.5 s unseen
    assert all(e.gated for e in bridged)
    assert np.linalg.norm(bridged[-1].position - truth[44]) < 0.4
    # uncertainty grows while unseen
    assert np.trace(bridged[-1].covariance) > np.trace(bridged[0].covariance)
    after = f.update(1, int(stamps[45]), measured[45], RootSource.HEIGHT_PRIOR)
    assert not after.gated and np.linalg.norm(after.position - truth[45]) < 0.4
    # unseen longer than max_gap_s: the track restarts from the measurement
    late = f.update(1, int(stamps[45] + 2e9), measured[59], RootSource.HEIGHT_PRIOR)
    np.testing.assert_allclose(late.position, measured[59])
    assert np.all(late.velocity == 0)


def test_measurement_noise_grows_with_distance_and_with_the_root_source():
    f = RootFilter()
    near, far = np.array([0.0, 0.0, 2.0]), np.array([0.0, 0.0, 8.0])
    cov = f.measurement_covariance
    assert cov(far, RootSource.HEIGHT_PRIOR)[2, 2] == pytest.approx(16 * cov(near, RootSource.HEIGHT_PRIOR)[2, 2])
    assert cov(far, RootSource.DEPTH)[2, 2] < cov(far, RootSource.HEIGHT_PRIOR)[2, 2] \
        < cov(far, RootSource.HEIGHT_PRIOR_ASSUMED_FOV)[2, 2]
    assert cov(far, RootSource.HEIGHT_PRIOR)[0, 0] < 0.1 * cov(far, RootSource.HEIGHT_PRIOR)[2, 2]  # along the ray


def test_filter_persons_moves_the_skeleton_with_the_root():
    stamps, truth, measured = _walk(30, seed=4)
    f = RootFilter()
    offsets = np.random.default_rng(0).normal(0, 0.3, (17, 3)).astype(np.float32)
    for s, m in zip(stamps, measured):
        person = PersonPose(bbox=[0, 0, 10, 20], score=0.9, keypoints_2d=np.zeros((17, 3)),
                            keypoints_3d=m + offsets, keypoint_3d_confidence=np.ones(17), root_position=m,
                            root_source=RootSource.HEIGHT_PRIOR_ASSUMED_FOV, track_id=3)
        f.filter_persons(int(s), [person])
    np.testing.assert_allclose(person.measured_root, measured[-1], atol=1e-5)
    np.testing.assert_allclose(person.keypoints_3d - person.root_position, offsets, atol=1e-4)
    assert np.linalg.norm(person.root_position - truth[-1]) < np.linalg.norm(measured[-1] - truth[-1]) + 0.3
    assert np.all(np.isfinite(person.root_velocity)) and person.root_covariance.shape == (3, 3)
    untracked = PersonPose(bbox=[0, 0, 1, 2], score=0.9, keypoints_2d=np.zeros((17, 3)), keypoints_3d=np.zeros((17, 3)),
                           keypoint_3d_confidence=np.zeros(17), root_position=np.full(3, np.nan))
    f.filter_persons(int(stamps[-1]) + 1, [untracked])   # no 3D: left alone
    assert np.all(np.isnan(untracked.root_velocity))
