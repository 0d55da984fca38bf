"""AMASS motions (SMPL / SMPL-H parameters) -> SMPL joints via `smplx` -> H36M-17 MotionClip.

Optional extra. `smplx` and the SMPL model files are under a NON-COMMERCIAL licence, so `smplx` is
imported only inside the functions that need it; nothing else in llamo_ros depends on it.

AMASS npz: poses (T, 156) SMPL-H or (T, 72) SMPL axis-angle, trans (T, 3) metres, betas (16,) or
(10,), gender ('male' | 'female' | 'neutral'), mocap_framerate (Hz). The world is z up.
Body models: `<model_dir>/SMPL_<GENDER>.npz` with the SMPL arrays (v_template, shapedirs, posedirs,
J_regressor, weights, kintree_table, f), read with allow_pickle=False and handed to smplx as a
ready data structure, so smplx never unpickles anything. Only the first 22 joints are used; they
depend only on body pose, so SMPL-H hand poses are dropped and SMPL's two hand joints get zero pose.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llamo_ros.data.babel import BabelSequence, intent_per_frame
from llamo_ros.data.intent_keywords import locomotion_intent
from llamo_ros.data.motion_clip import ActionSegment, MotionClip
from llamo_ros.data.humanml3d import estimate_body_height
from llamo_ros.data.smpl_skeleton import smpl22_to_h36m17, z_up_to_y_up
from llamo_ros.data.virtual_camera import VirtualCamera, yup_to_camera
from llamo_ros.motion.intents import INTENT_INDEX
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

SMPL_MODEL_KEYS = ("v_template", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table", "f")
SMPL_VERTEX_COUNT = 6890
_SMPLX_MISSING = ("amass_smplx needs the optional 'smplx' package (non-commercial licence): "
                  "pip install smplx --no-deps, and SMPL model files (SMPL_NEUTRAL.npz, ...) from smpl.is.tue.mpg.de")


@dataclass
class AmassConfig:
    model_dir: str | Path                  # folder with SMPL_NEUTRAL.npz (and optionally SMPL_MALE/FEMALE.npz)
    target_fps: float | None = 30.0        # keep every k-th frame to get close to this rate; None: keep all
    camera: VirtualCamera = field(default_factory=VirtualCamera)
    chunk_frames: int = 512                # frames per body-model call (bounds memory: vertices are (chunk, V, 3))

    def __post_init__(self) -> None:
        if self.target_fps is not None and not self.target_fps > 0:
            raise ValueError(f"target_fps must be positive or None, got {self.target_fps}")
        if self.chunk_frames < 1:
            raise ValueError("chunk_frames must be >= 1")


def _import_smplx():
    try:
        import smplx  # noqa: PLC0415 - lazy on purpose: non-commercial licence, optional extra
        from smplx.utils import Struct  # noqa: PLC0415
    except ImportError as error:
        raise ImportError(_SMPLX_MISSING) from error
    return smplx, Struct


def _model_file(model_dir: Path, gender: str) -> Path:
    for name in (gender.upper(), "NEUTRAL"):
        path = model_dir / f"SMPL_{name}.npz"
        if path.exists():
            return path
    raise FileNotFoundError(f"no SMPL_{gender.upper()}.npz or SMPL_NEUTRAL.npz in {model_dir}")


def load_smpl_model(model_file: str | Path, num_betas: int, batch_size: int):
    """A `smplx.SMPL` built from an npz of SMPL arrays (no pickle)."""
    smplx, Struct = _import_smplx()
    with np.load(model_file, allow_pickle=False) as data:
        missing = [k for k in SMPL_MODEL_KEYS if k not in data]
        if missing:
            raise ValueError(f"{model_file}: missing SMPL arrays {missing}")
        arrays = {k: data[k] for k in SMPL_MODEL_KEYS}
    n_vertices = arrays["v_template"].shape[0]
    # smplx adds keypoints from fixed vertex ids of the 6890-vertex mesh; other meshes (tests) point
    # them at vertex 0; we never use those extra keypoints
    vertex_ids = None if n_vertices == SMPL_VERTEX_COUNT else {k: 0 for k in smplx.vertex_ids.vertex_ids["smplh"]}
    return smplx.SMPL(model_path=str(model_file), data_struct=Struct(**arrays), vertex_ids=vertex_ids,
                      num_betas=min(num_betas, arrays["shapedirs"].shape[-1]), batch_size=batch_size)


def _gender(value) -> str:
    g = value.item() if isinstance(value, np.ndarray) else value
    g = g.decode() if isinstance(g, bytes) else str(g)
    return g.strip().lower() or "neutral"


def amass_smpl_joints(npz_path: str | Path, model_dir: str | Path, chunk_frames: int = 512) -> tuple[np.ndarray, float]:
    """(joints (T, 22, 3) SMPL body joints, z-up world, metres; mocap frame rate Hz) for an AMASS file."""
    import torch  # noqa: PLC0415 - only this optional path needs torch

    with np.load(npz_path, allow_pickle=False) as data:
        poses = np.asarray(data["poses"], dtype=np.float32)          # (T, 156 | 72)
        trans = np.asarray(data["trans"], dtype=np.float32)          # (T, 3)
        betas = np.asarray(data["betas"], dtype=np.float32).ravel()  # (16 | 10,)
        gender = _gender(data["gender"]) if "gender" in data else "neutral"
        fps = float(data["mocap_framerate"]) if "mocap_framerate" in data else float(data["mocap_frame_rate"])
    if poses.ndim != 2 or poses.shape[1] < 66 or poses.shape[1] % 3:
        raise ValueError(f"{npz_path}: poses must be (T, 72 or 156), got {poses.shape}")
    if trans.shape != (len(poses), 3):
        raise ValueError(f"{npz_path}: trans must be (T, 3), got {trans.shape}")
    t = len(poses)
    body_pose = np.zeros((t, 69), dtype=np.float32)                  # SMPL: 23 joints x 3
    body_pose[:, :63] = poses[:, 3:66]                               # the 21 body joints shared by SMPL and SMPL-H
    model = load_smpl_model(_model_file(Path(model_dir), gender), len(betas), min(chunk_frames, t))
    nb = model.num_betas
    out = np.empty((t, 22, 3), dtype=np.float64)
    with torch.no_grad():
        for a in range(0, t, chunk_frames):
            b = min(t, a + chunk_frames)
            n = b - a
            result = model(
                betas=torch.from_numpy(np.repeat(betas[None, :nb], n, axis=0)),
                global_orient=torch.from_numpy(poses[a:b, :3].copy()),
                body_pose=torch.from_numpy(body_pose[a:b]),
                transl=torch.from_numpy(trans[a:b]),
            )
            out[a:b] = result.joints[:, :22].double().numpy()
    return out, fps


def _frame_step(fps: float, target_fps: float | None) -> int:
    return 1 if target_fps is None else max(1, int(round(fps / target_fps)))


def load_amass_clip(npz_path: str | Path, config: AmassConfig, babel: BabelSequence | None = None) -> MotionClip:
    """An AMASS motion as a MotionClip in the virtual camera's optical frame.

    Intent: from `babel` labels when given (its walking segments resolved from the root track as
    seen by the camera), otherwise one locomotion label from the root track ('#intent_motion' in
    `source`).
    """
    smpl22, fps = amass_smpl_joints(npz_path, config.model_dir, config.chunk_frames)
    step = _frame_step(fps, config.target_fps)
    h36m_yup = smpl22_to_h36m17(z_up_to_y_up(smpl22[::step]))       # (T', 17, 3)
    joints = yup_to_camera(h36m_yup, config.camera)                  # (T', 17, 3)
    clip_fps = fps / step
    t = len(joints)
    pelvis = joints[:, JOINT_INDEX["pelvis"]]
    source = f"amass:{Path(npz_path).name}"
    segments: list[ActionSegment] = []
    if babel is not None:
        relabelled = BabelSequence(sid=babel.sid, feat_p=babel.feat_p, duration_s=t / clip_fps, fps=clip_fps)
        for s in babel.segments:  # BABEL segment frames -> this clip's frames
            a = min(t, int(round(s.start * clip_fps / babel.fps)))
            b = min(t, max(a + 1, int(round(s.end * clip_fps / babel.fps))))
            params = dict(s.params)
            if params.get("intent") is None and params.get("locomotion") and b - a > 1:
                params["intent"] = locomotion_intent(pelvis[a:b], clip_fps)
            segments.append(ActionSegment(name=s.name, start=a, end=b, params=params))
        relabelled.segments = segments
        intent = intent_per_frame(relabelled)[:t]
        intent = np.pad(intent, (0, t - len(intent)), mode="edge") if len(intent) < t else intent
        source += f"#babel={babel.sid}"
    else:
        intent = np.full(t, INTENT_INDEX[locomotion_intent(pelvis, clip_fps)], dtype=np.int64)
        source += "#intent_motion"
    joints32 = joints.astype(np.float32)
    return MotionClip(
        joints=joints32, confidence=np.ones((t, NUM_JOINTS), dtype=np.float32), fps=clip_fps,
        intent=intent.astype(np.int64), joints_clean=joints32.copy(),
        caption=babel.segments[0].name if babel is not None and babel.segments else "",
        segments=segments, body_height=estimate_body_height(h36m_yup), source=source,
    )
