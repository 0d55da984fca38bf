"""HumanML3D loader on files written here in the release format."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.data.humanml3d import (
    HumanML3DConfig, list_motion_ids, load_humanml3d, load_humanml3d_clip, read_texts,
)
from llamo_ros.data.virtual_camera import VirtualCamera
from llamo_ros.motion.intents import INTENT_INDEX
from llamo_ros.skeleton import BONES, JOINT_INDEX as J

from smpl_fixture import SMPL22_STANDING, walking_forward


def write_motion(root, motion_id, joints, lines):
    (root / "new_joints").mkdir(exist_ok=True)
    (root / "texts").mkdir(exist_ok=True)
    np.save(root / "new_joints" / f"{motion_id}.npy", joints.astype(np.float32))
    (root / "texts" / f"{motion_id}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def dataset(tmp_path):
    write_motion(tmp_path, "000001", walking_forward(60, 20.0, 1.0), [
        "a person walks forward.#a/DET person/NOUN walk/VERB forward/ADV#0.0#0.0",
        "someone walks straight ahead#someone/PRON walk/VERB straight/ADV ahead/ADV#0.0#0.0",
    ])
    still = np.repeat(SMPL22_STANDING[None], 80, axis=0)
    write_motion(tmp_path, "000002", still, [
        "a man stands still and then waves.#a/DET man/NOUN stand/VERB still/ADV#0.0#0.0",
        "the person waves with the right hand#the/DET person/NOUN wave/VERB#1.0#3.0",
    ])
    write_motion(tmp_path, "000003", still[:30], ["a person does a handstand#a/DET person/NOUN do/VERB#0.0#0.0"])
    (tmp_path / "new_joints" / "000004.npy").write_bytes(b"")  # no text file: not listed
    return tmp_path


def test_reads_ids_and_captions(dataset):
    assert list_motion_ids(dataset) == ["000001", "000002", "000003"]
    texts = read_texts(dataset / "texts" / "000002.txt")
    assert [t.caption for t in texts] == ["a man stands still and then waves.", "the person waves with the right hand"]
    assert texts[0].whole_clip and not texts[1].whole_clip
    assert (texts[1].start_s, texts[1].end_s) == (1.0, 3.0)
    assert texts[0].tokens[1] == "man/NOUN"


def test_malformed_text_line_raises(tmp_path):
    (tmp_path / "bad.txt").write_text("caption without fields\n")
    with pytest.raises(ValueError):
        read_texts(tmp_path / "bad.txt")


def test_camera_frame_geometry(dataset):
    clip = load_humanml3d_clip(dataset, "000002")
    assert clip.fps == 20.0 and clip.num_frames == 80 and clip.source == "humanml3d:000002"
    first = clip.joints[0].astype(np.float64)
    pelvis_yup = 0.5 * (SMPL22_STANDING[1] + SMPL22_STANDING[2])  # H36M root: the hip midpoint
    # default camera: 4 m in front at 1.2 m height, aimed at the first-frame pelvis
    expected_depth = np.hypot(4.0, 1.2 - pelvis_yup[1])
    np.testing.assert_allclose(first[J["pelvis"]], [0.0, 0.0, expected_depth], atol=1e-5)
    assert first[J["head"], 1] < first[J["neck_nose"], 1] < first[J["thorax"], 1] < first[J["left_ankle"], 1]  # y down
    assert first[J["left_hip"], 0] > first[J["right_hip"], 0]  # facing the camera: their left on image right
    assert first[J["left_wrist"], 0] > first[J["right_wrist"], 0]
    # a rigid transform: bone lengths as in the y-up source
    src = {"left_knee": 4, "left_ankle": 7, "left_elbow": 18, "left_wrist": 20}
    for child, parent in (("left_ankle", "left_knee"), ("left_wrist", "left_elbow")):
        want = np.linalg.norm(SMPL22_STANDING[src[child]] - SMPL22_STANDING[src[parent]])
        assert np.linalg.norm(first[J[child]] - first[J[parent]]) == pytest.approx(want, abs=1e-5)
    assert 1.5 < clip.body_height < 1.9
    assert (clip.confidence == 1).all() and np.array_equal(clip.joints, clip.joints_clean)
    lengths = np.stack([np.linalg.norm(clip.joints[:, c] - clip.joints[:, p], axis=-1) for p, c in BONES], 1)
    assert lengths.min() > 0.05


def test_walking_forward_approaches_the_camera(dataset):
    clip = load_humanml3d_clip(dataset, "000001")
    z = clip.joints[:, J["pelvis"], 2]
    assert z[-1] == pytest.approx(z[0] - 2.95 * 4.0 / np.hypot(4.0, 1.2 - 0.85), abs=0.2)  # ~3 m closer
    assert (clip.intent == INTENT_INDEX["approaching"]).all()
    assert clip.caption == "a person walks forward."


def test_camera_on_the_side_sees_walking_forward_as_passing_by(dataset):
    cfg = HumanML3DConfig(camera=VirtualCamera(distance_m=5.0, azimuth_deg=90.0))
    clip = load_humanml3d_clip(dataset, "000001", cfg)
    assert (clip.intent == INTENT_INDEX["passing_by"]).all()
    d = clip.joints[-1, J["pelvis"]] - clip.joints[0, J["pelvis"]]
    # camera on the person's left, looking at them: walking forward moves to the image left
    assert d[0] < -2.5


def test_timed_captions_label_their_frames(dataset):
    clip = load_humanml3d_clip(dataset, "000002")
    assert (clip.intent[:20] == INTENT_INDEX["standing_idle"]).all()
    assert (clip.intent[20:60] == INTENT_INDEX["waving"]).all()
    assert (clip.intent[60:] == INTENT_INDEX["standing_idle"]).all()


def test_unmatched_caption_falls_back_and_says_so(dataset):
    clips = load_humanml3d(dataset)
    fallback = clips[2]
    assert fallback.source == "humanml3d:000003#intent_fallback"
    assert (fallback.intent == INTENT_INDEX["standing_idle"]).all()
    assert not clips[0].source.endswith("#intent_fallback")


def test_wrong_shape_is_rejected(tmp_path):
    write_motion(tmp_path, "x", np.zeros((5, 24, 3)), ["a#b#0.0#0.0"])
    with pytest.raises(ValueError):
        load_humanml3d_clip(tmp_path, "x")
