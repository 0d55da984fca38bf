"""HumanML3D loader: `new_joints/<id>.npy` + `texts/<id>.txt` -> MotionClip (H36M-17, camera frame).

Format (HumanML3D release): `new_joints/<id>.npy` is float (T, 22, 3), SMPL-22 joint positions in
metres, y up, 20 fps, the person on the floor and facing +z at the first frame. `texts/<id>.txt`
has one caption a line: `caption#tok/POS tok/POS ...#start#end`, start/end in seconds; 0.0#0.0
means the caption covers the whole clip, otherwise only [start, end).

Intent labels are best effort (see `llamo_ros.data.intent_keywords`): caption keyword rules per
frame span; walking is resolved from the root track as seen from the virtual camera; frames no
caption labels get 'standing_idle' and the clip's `source` ends with '#intent_fallback' when no
caption matched at all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llamo_ros.data.intent_keywords import WALKING, intent_from_text, locomotion_intent
from llamo_ros.data.motion_clip import MotionClip
from llamo_ros.data.smpl_skeleton import smpl22_to_h36m17
from llamo_ros.data.virtual_camera import VirtualCamera, yup_to_camera
from llamo_ros.motion.intents import INTENT_INDEX
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

HUMANML3D_FPS = 20.0
FALLBACK_INTENT = "standing_idle"


@dataclass
class HumanML3DConfig:
    fps: float = HUMANML3D_FPS   # rate of the stored joints (HumanML3D: 20 Hz)
    camera: VirtualCamera = field(default_factory=VirtualCamera)  # where the robot would stand

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")


@dataclass
class HumanML3DText:
    caption: str
    tokens: list[str]   # "word/POS" tokens as stored
    start_s: float      # 0.0 with end_s 0.0: the whole clip
    end_s: float

    @property
    def whole_clip(self) -> bool:
        return self.start_s == 0.0 and self.end_s == 0.0


def read_texts(path: str | Path) -> list[HumanML3DText]:
    """Parse a HumanML3D `texts/<id>.txt` file; malformed lines raise ValueError."""
    texts = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("#")
        if len(parts) != 4:
            raise ValueError(f"{path}:{number}: expected 'caption#tokens#start#end', got {line!r}")
        caption, tokens, start, end = parts
        start_s, end_s = float(start), float(end)
        texts.append(HumanML3DText(caption=caption.strip(), tokens=tokens.split(),
                                   start_s=0.0 if math.isnan(start_s) else start_s,
                                   end_s=0.0 if math.isnan(end_s) else end_s))
    return texts


def list_motion_ids(root: str | Path) -> list[str]:
    """Ids that have both a joints file and a text file under `root`, sorted."""
    root = Path(root)
    return sorted(p.stem for p in (root / "new_joints").glob("*.npy") if (root / "texts" / f"{p.stem}.txt").exists())


def estimate_body_height(h36m_yup: np.ndarray) -> float:
    """Standing height (m) from y-up joints (T, 17, 3): 95th-percentile head height over the floor."""
    floor = np.nanmin(h36m_yup[:, [JOINT_INDEX["left_ankle"], JOINT_INDEX["right_ankle"]], 1]) - 0.05
    return float(np.nanpercentile(h36m_yup[:, JOINT_INDEX["head"], 1], 95) - floor)


def label_frames(texts: list[HumanML3DText], joints_camera: np.ndarray, fps: float) -> tuple[np.ndarray, bool]:
    """Per-frame intent (T,) int64 from caption spans, and whether any caption gave a label."""
    t = len(joints_camera)
    labels: list[str | None] = [None] * t
    matched = False
    # whole-clip captions first, then timed ones on top (they are more specific)
    for text in sorted(texts, key=lambda x: not x.whole_clip):
        intent = intent_from_text(text.caption)
        if intent is None:
            continue
        if text.whole_clip:
            if matched:
                continue  # the first matching whole-clip caption decides the clip's label
            a, b = 0, t
        else:
            a, b = max(0, int(round(text.start_s * fps))), min(t, int(round(text.end_s * fps)))
            if b <= a:
                continue
        if intent == WALKING:
            intent = locomotion_intent(joints_camera[a:b, JOINT_INDEX["pelvis"]], fps)
        labels[a:b] = [intent] * (b - a)
        matched = True
    intent_array = np.array([INTENT_INDEX[lbl or FALLBACK_INTENT] for lbl in labels], dtype=np.int64)
    return intent_array, matched


def convert_smpl22_motion(smpl22_yup: np.ndarray, camera: VirtualCamera) -> tuple[np.ndarray, np.ndarray]:
    """(T, 22, 3) y-up SMPL joints -> (H36M-17 y-up (T, 17, 3), H36M-17 camera frame (T, 17, 3))."""
    h36m_yup = smpl22_to_h36m17(smpl22_yup).astype(np.float64)
    return h36m_yup, yup_to_camera(h36m_yup, camera)


def load_humanml3d_clip(root: str | Path, motion_id: str, config: HumanML3DConfig | None = None) -> MotionClip:
    """One HumanML3D motion as a MotionClip in the virtual camera's optical frame (metres)."""
    cfg = config or HumanML3DConfig()
    root = Path(root)
    raw = np.load(root / "new_joints" / f"{motion_id}.npy", allow_pickle=False)
    if raw.ndim != 3 or raw.shape[1:] != (22, 3):
        raise ValueError(f"{motion_id}: expected new_joints of shape (T, 22, 3), got {raw.shape}")
    if not np.isfinite(raw).all():
        raise ValueError(f"{motion_id}: joints contain NaN or inf")
    texts = read_texts(root / "texts" / f"{motion_id}.txt")
    h36m_yup, joints = convert_smpl22_motion(raw, cfg.camera)
    intent, matched = label_frames(texts, joints, cfg.fps)
    source = f"humanml3d:{motion_id}" + ("" if matched else "#intent_fallback")
    joints32 = joints.astype(np.float32)
    return MotionClip(
        joints=joints32, confidence=np.ones((len(joints), NUM_JOINTS), dtype=np.float32), fps=cfg.fps,
        intent=intent, joints_clean=joints32.copy(), caption=texts[0].caption if texts else "",
        qa=[], segments=[], body_height=estimate_body_height(h36m_yup), source=source,
    )


def load_humanml3d(root: str | Path, ids: list[str] | None = None,
                   config: HumanML3DConfig | None = None) -> list[MotionClip]:
    """Clips for `ids` (default: all ids with joints and texts under `root`)."""
    return [load_humanml3d_clip(root, i, config) for i in (ids if ids is not None else list_motion_ids(root))]
