"""MediaPipe backend on real photographs (scikit-image and OpenCV's sample data).

Person regions were drawn by looking at each image and are stated as fractions of the image
(x0, y0, x1, y1); generous margins, since a region is "where the person is", not a tight box.
"""
import numpy as np
import pytest

from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.person_pose import PersonPose, PoseBackend, RootSource
from llamo_ros.skeleton import JOINT_INDEX as J

pytest.importorskip("mediapipe")

# image -> list of (region, front_facing) for every person that must be found.
PEOPLE = {
    "astronaut": [((0.02, 0.02, 0.72, 1.0), True)],
    "camera": [((0.0, 0.10, 0.85, 1.0), False)],        # profile, arms reaching to the camera
    "basketball1": [((0.04, 0.15, 0.27, 1.0), True), ((0.66, 0.03, 1.0, 1.0), False)],
    "basketball2": [((0.04, 0.15, 0.28, 1.0), True), ((0.65, 0.03, 1.0, 1.0), False)],
    "messi5": [((0.10, 0.15, 0.86, 1.0), False)],        # twisting, face turned away
}
BONE_RANGES_M = {   # generous adult ranges, metres
    ("left_hip", "left_knee"): (0.3, 0.6), ("right_hip", "right_knee"): (0.3, 0.6),
    ("left_knee", "left_ankle"): (0.25, 0.55), ("right_knee", "right_ankle"): (0.25, 0.55),
    ("left_shoulder", "left_elbow"): (0.18, 0.45), ("right_shoulder", "right_elbow"): (0.18, 0.45),
    ("left_elbow", "left_wrist"): (0.15, 0.40), ("right_elbow", "right_wrist"): (0.15, 0.40),
    ("left_shoulder", "right_shoulder"): (0.25, 0.50), ("left_hip", "right_hip"): (0.15, 0.40),
}


@pytest.fixture(scope="module")
def backend():
    from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig

    # Photographs: every call independent, every detector window scanned.
    b = MediaPipeBackend(MediaPipeConfig(detection_tiles_per_frame=0, track_between_frames=False))
    yield b
    b.close()


def image_or_skip(name):
    try:
        return load_image(name)
    except SampleMediaUnavailable as error:
        pytest.skip(f"sample image unavailable: {error}")


def region_px(region, image):
    h, w = image.shape[:2]
    return np.array(region) * [w, h, w, h]


def overlap_of(bbox, region):
    """Fraction of ``bbox``'s area inside ``region``."""
    ix = max(0.0, min(bbox[2], region[2]) - max(bbox[0], region[0]))
    iy = max(0.0, min(bbox[3], region[3]) - max(bbox[1], region[1]))
    return ix * iy / max(1e-6, (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]))


def test_backend_satisfies_protocol(backend):
    assert isinstance(backend, PoseBackend)


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_people_found_where_they_are(backend, name):
    image = image_or_skip(name)
    persons = backend.estimate(image)
    assert len(persons) >= len(PEOPLE[name])
    for region, front_facing in PEOPLE[name]:
        box = region_px(region, image)
        best = max(persons, key=lambda p: overlap_of(p.bbox, box))
        assert overlap_of(best.bbox, box) > 0.8, (name, best.bbox, box)
        kp = best.keypoints_2d
        confident = kp[:, 2] > 0.5
        assert confident.sum() >= 6
        x0, y0, x1, y1 = best.bbox
        inside_bbox = (kp[:, 0] >= x0 - 1) & (kp[:, 0] <= x1 + 1) & (kp[:, 1] >= y0 - 1) & (kp[:, 1] <= y1 + 1)
        assert inside_bbox[confident].all()
        inside_region = (kp[:, 0] >= box[0]) & (kp[:, 0] <= box[2]) & (kp[:, 1] >= box[1]) & (kp[:, 1] <= box[3])
        assert inside_region[confident].mean() >= 0.9, (name, kp[confident & ~inside_region])
        if front_facing:  # the person's left shoulder appears on the image's right
            assert kp[J["left_shoulder"], 0] > kp[J["right_shoulder"], 0]
            assert kp[J["left_hip"], 0] > kp[J["right_hip"], 0] or kp[J["left_hip"], 2] < 0.5


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_3d_skeleton_is_human_sized(backend, name):
    image = image_or_skip(name)
    for person in backend.estimate(image):
        assert isinstance(person, PersonPose) and person.keypoints_3d.shape == (17, 3)
        assert person.root_source is RootSource.HEIGHT_PRIOR_ASSUMED_FOV
        assert 0.5 < person.root_position[2] < 10.0
        np.testing.assert_allclose(person.keypoints_3d[J["pelvis"]], person.root_position, atol=1e-5)
        checked = 0
        for (a, b), (lo, hi) in BONE_RANGES_M.items():
            if min(person.keypoint_3d_confidence[J[a]], person.keypoint_3d_confidence[J[b]]) < 0.5:
                continue  # MediaPipe guesses hidden or out-of-image limbs; judge only seen bones
            checked += 1
            length = np.linalg.norm(person.keypoints_3d[J[a]] - person.keypoints_3d[J[b]])
            assert lo <= length <= hi, (name, a, b, length)
        assert checked >= 2   # the astronaut portrait shows shoulders and one upper arm


def test_depth_plane_gives_metric_root(backend):
    """Real image + synthetic aligned depth plane at 3.2 m: pelvis at 3.30 m (+0.10 m torso) +/- 2 cm."""
    image = image_or_skip("basketball1")
    k = CameraIntrinsics(fx=525.0, fy=525.0, cx=319.5, cy=239.5, width=640, height=480)
    depth = np.full((480, 640), 3.2, np.float32)
    persons = backend.estimate(image, k, depth)
    assert len(persons) == 2
    for p in persons:
        assert p.root_source is RootSource.DEPTH
        assert p.root_position[2] == pytest.approx(3.30, abs=0.02)
        # back-projection of the 2D pelvis at the recovered depth lands on the root
        u, v = k.project(p.root_position)
        assert abs(u - p.keypoints_2d[J["pelvis"], 0]) < 40 and abs(v - p.keypoints_2d[J["pelvis"], 1]) < 40
    left = min(persons, key=lambda p: p.bbox[0])
    assert left.root_position[0] < 0   # the left-hand person is left of the optical axis


def test_with_intrinsics_but_no_depth_uses_height_prior(backend):
    image = image_or_skip("astronaut")
    k = CameraIntrinsics.from_k([600, 0, 256, 0, 600, 256, 0, 0, 1], 512, 512)
    (person,) = backend.estimate(image, k)
    assert person.root_source is RootSource.HEIGHT_PRIOR


def test_no_person_in_an_empty_image(backend):
    assert backend.estimate(np.full((240, 320, 3), 127, np.uint8)) == []


def test_rejects_malformed_images(backend):
    with pytest.raises(ValueError):
        backend.estimate(np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(ValueError):
        backend.estimate(np.zeros((10, 10), np.uint8))
