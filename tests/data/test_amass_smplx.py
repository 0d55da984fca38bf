"""AMASS -> smplx -> H36M-17, with a small SMPL-format body model written by the test."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from llamo_ros.data.babel import BabelSequence
from llamo_ros.data.motion_clip import ActionSegment
from llamo_ros.data.smpl_skeleton import smpl22_to_h36m17, z_up_to_y_up
from llamo_ros.data.virtual_camera import yup_to_camera
from llamo_ros.motion.intents import INTENT_INDEX
from llamo_ros.skeleton import JOINT_INDEX as J

from smpl_fixture import SMPL22_STANDING

torch = pytest.importorskip("torch")
pytest.importorskip("smplx", reason="optional extra 'smplx' (non-commercial licence) is not installed")
from llamo_ros.data.amass_smplx import AmassConfig, amass_smpl_joints, load_amass_clip  # noqa: E402

SMPL_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def body_model(tmp_path):
    """SMPL_NEUTRAL.npz with 48 vertices: two per joint, the joint regressed as their mean."""
    rng = np.random.default_rng(0)
    joints_zup = np.concatenate([z_up_to_y_up_inverse(SMPL22_STANDING),
                                 z_up_to_y_up_inverse(SMPL22_STANDING[[20, 21]]
                                                      + [[0.02, -0.08, 0], [-0.02, -0.08, 0]])])  # (24, 3)
    offsets = rng.normal(0, 0.02, size=(24, 3))
    v_template = np.concatenate([joints_zup + offsets, joints_zup - offsets])  # (48, 3): joint = mean of the pair
    j_regressor = np.zeros((24, 48))
    j_regressor[np.arange(24), np.arange(24)] = 0.5
    j_regressor[np.arange(24), np.arange(24) + 24] = 0.5
    weights = np.zeros((48, 24))
    weights[np.arange(48), np.arange(48) % 24] = 1.0
    model = dict(
        v_template=v_template, shapedirs=rng.normal(0, 0.01, size=(48, 3, 10)),
        posedirs=np.zeros((48, 3, 207)), J_regressor=j_regressor, weights=weights,
        kintree_table=np.array([[2**32 - 1 if p < 0 else p for p in SMPL_PARENTS], list(range(24))], dtype=np.int64),
        f=np.array([[0, 1, 2], [2, 3, 4]], dtype=np.int64),
    )
    np.savez(tmp_path / "SMPL_NEUTRAL.npz", **model)
    return tmp_path, model


def z_up_to_y_up_inverse(points):
    """y-up (x, y, z) -> z-up (x, -z, y): the inverse of smpl_skeleton.z_up_to_y_up."""
    points = np.asarray(points, dtype=np.float64)
    return np.stack([points[..., 0], -points[..., 2], points[..., 1]], axis=-1)


def write_amass(path, poses, trans, betas=None, fps=60.0):
    np.savez(path, poses=poses, trans=trans, betas=np.zeros(16) if betas is None else betas,
             gender=np.array("male"), mocap_framerate=np.array(fps))
    return path


def test_zero_pose_gives_the_regressed_template_joints(body_model, tmp_path):
    model_dir, model = body_model
    path = write_amass(tmp_path / "a_poses.npz", np.zeros((4, 156)), np.zeros((4, 3)))
    joints, fps = amass_smpl_joints(path, model_dir)  # no SMPL_MALE.npz: falls back to neutral
    assert fps == 60.0 and joints.shape == (4, 22, 3)
    expected = (model["J_regressor"] @ model["v_template"])[:22]
    np.testing.assert_allclose(joints[0], expected, atol=1e-5)
    np.testing.assert_allclose(joints[3], expected, atol=1e-5)


def test_translation_moves_the_root_and_betas_change_the_shape(body_model, tmp_path):
    model_dir, model = body_model
    t = 5
    trans = np.zeros((t, 3))
    trans[:, 0] = 0.25 * np.arange(t)
    betas = np.zeros(16)
    betas[0] = 2.0
    joints, _ = amass_smpl_joints(write_amass(tmp_path / "b.npz", np.zeros((t, 72)), trans, betas), model_dir)
    np.testing.assert_allclose(joints[:, 0] - joints[0, 0], trans - trans[0], atol=1e-5)
    shaped = model["v_template"] + model["shapedirs"] @ betas[:10]
    np.testing.assert_allclose(joints[0], (model["J_regressor"] @ shaped)[:22] + trans[0], atol=1e-5)


def test_global_orientation_rotates_about_the_root(body_model, tmp_path):
    model_dir, _ = body_model
    poses = np.zeros((2, 72))
    poses[1, 2] = np.pi / 2  # 90 degrees about z (up)
    joints, _ = amass_smpl_joints(write_amass(tmp_path / "c.npz", poses, np.zeros((2, 3))), model_dir)
    rel0, rel1 = joints[0] - joints[0, 0], joints[1] - joints[1, 0]
    rz = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(rel1, rel0 @ rz.T, atol=1e-5)


def test_body_pose_bends_the_knee_and_hand_poses_are_ignored(body_model, tmp_path):
    model_dir, _ = body_model
    smplh = np.zeros((2, 156))
    smplh[1, 4 * 3] = 1.0          # left knee (joint 4) about x
    smplh[1, 66:] = 0.5            # SMPL-H hand joints: must not matter
    smpl = np.zeros((2, 72))
    smpl[1, 4 * 3] = 1.0
    a, _ = amass_smpl_joints(write_amass(tmp_path / "h.npz", smplh, np.zeros((2, 3))), model_dir)
    b, _ = amass_smpl_joints(write_amass(tmp_path / "s.npz", smpl, np.zeros((2, 3))), model_dir)
    np.testing.assert_allclose(a, b, atol=1e-6)
    moved = np.linalg.norm(a[1] - a[0], axis=-1)
    assert moved[7] > 0.1 and moved[10] > 0.1  # left ankle and foot swing
    assert moved[[0, 1, 2, 3, 4, 5, 8]].max() < 1e-6  # the rest of the leg chain and the right leg stay
    # bone length knee -> ankle unchanged by the rotation
    assert np.linalg.norm(a[1, 7] - a[1, 4]) == pytest.approx(np.linalg.norm(a[0, 7] - a[0, 4]), abs=1e-6)


def test_clip_in_camera_frame_with_babel_labels(body_model, tmp_path):
    model_dir, model = body_model
    t = 120  # 2 s at 60 Hz, walking 1 m/s along the person's facing (SMPL faces +y in z-up)
    trans = np.zeros((t, 3))
    trans[:, 1] = -np.arange(t) / 60.0  # y-up +z = z-up -y
    path = write_amass(tmp_path / "walk.npz", np.zeros((t, 156)), trans)
    babel = BabelSequence(sid="9", feat_p="walk.npz", duration_s=2.0, fps=30.0, segments=[
        ActionSegment("walk", 0, 45, {"intent": None, "locomotion": True}),
        ActionSegment("wave", 45, 60, {"intent": "waving", "locomotion": False}),
    ])
    clip = load_amass_clip(path, AmassConfig(model_dir=model_dir, target_fps=30.0), babel)
    assert clip.fps == 30.0 and clip.num_frames == 60 and clip.source == "amass:walk.npz#babel=9"
    rest = (model["J_regressor"] @ model["v_template"])[None, :22]  # trans[0] is zero
    expected = yup_to_camera(smpl22_to_h36m17(z_up_to_y_up(rest)), AmassConfig(model_dir=model_dir).camera)
    np.testing.assert_allclose(clip.joints[0], expected[0], atol=1e-4)
    assert clip.joints[0, J["head"], 1] < clip.joints[0, J["left_ankle"], 1]  # y down
    assert clip.joints[0, J["left_hip"], 0] > clip.joints[0, J["right_hip"], 0]  # faces the camera
    assert (clip.intent[:45] == INTENT_INDEX["approaching"]).all()
    assert (clip.intent[45:] == INTENT_INDEX["waving"]).all()
    assert clip.segments[0].params["intent"] == "approaching"
    no_labels = load_amass_clip(path, AmassConfig(model_dir=model_dir, target_fps=None))
    assert no_labels.num_frames == 120 and no_labels.source.endswith("#intent_motion")
    assert (no_labels.intent == INTENT_INDEX["approaching"]).all()


def test_missing_smplx_raises_a_clear_import_error(body_model, tmp_path, monkeypatch):
    model_dir, _ = body_model
    path = write_amass(tmp_path / "d.npz", np.zeros((2, 72)), np.zeros((2, 3)))
    monkeypatch.setitem(sys.modules, "smplx", None)  # makes `import smplx` fail
    with pytest.raises(ImportError, match="non-commercial"):
        amass_smpl_joints(path, model_dir)


def test_amass_module_does_not_import_smplx_at_top_level():
    import ast
    import llamo_ros.data.amass_smplx as module
    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = ({a.name for n in top_imports for a in n.names}
             | {n.module for n in top_imports if isinstance(n, ast.ImportFrom)})
    assert not any(name and name.startswith("smplx") for name in names)
