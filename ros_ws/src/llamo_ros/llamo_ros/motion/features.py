"""Motion features: one person's skeleton window -> a (T, C) float32 array the motion encoder reads.

Input: the canonical H36M-17 skeleton (`llamo_ros.skeleton`) in metres in the camera optical frame
(x right, y DOWN, z forward), with NaN where the estimator lost a joint, at any frame rate.
The camera may be pitched down (robot heads, CCTV): the body's channels (pose, facing) are computed as a level
camera at the same place would see the body (`level_rotation`), with up estimated from the window's own
straight-body frames (`motion.descriptors.estimate_up`; a level camera is assumed when no frame is straight).
Why: the encoder was trained on cameras pitched -5 to 35 deg; on cameras pitched 20-30 deg at bearings of 25-40
deg (the `body_view` test split) an arm held out to point looked like a wave from above, and intent macro-F1 fell
from 0.906 to 0.891; with the body levelled 0.903 (seeds 0.908, broad 0.836 from 0.829, held-out OOD AUROC 0.903
from 0.902; 2026-11-30, the release checkpoint unchanged). The root's channels stay in the camera frame: levelled
too, the path head (trained on them as they were) erred more on steady walks (0.815x constant velocity, not 0.790x).

Processing:
1. Missing joints are filled: a missing pelvis from the hip midpoint, then every joint linearly in time
   from the frames where it was seen (held constant beyond the first/last sighting), and a joint never
   seen in the window sits at the pelvis. Their mask entry is 0. An empty window, or one in which no
   joint is ever seen, raises ValueError.
2. The window is resampled to FEATURE_RATE_HZ (10 Hz) by linear interpolation at times
   t_end, t_end - 0.1 s, ... going back; the last feature frame is the last input frame ("now").
   At most `num_frames` frames (default MAX_FRAMES = 32, i.e. 3.2 s) are kept. With `num_frames`
   given, the output has exactly that many frames: times before the window's start repeat the first
   frame and have VALID = 0 (front padding), so batches of fixed length can be built from clip starts.
3. Pose: joints relative to the pelvis, levelled (see above), rotated about the vertical axis by the facing
   angle of the LAST frame so that the person faces +z (away from the camera) at "now" - turning within the
   window stays visible. The facing comes from the hips: forward = (left_hip - right_hip) x up, up = (0, -1, 0)
   in the levelled frame.
4. What facing-normalisation removes is given back as features: per-frame facing angle relative to the
   camera (sin, cos; angle 0 = facing away from the camera, pi = facing the camera), the pelvis
   position in the camera frame, its position relative to "now", and its velocity, so that
   approaching / leaving / passing by remain separable.

Feature layout per frame (C = NUM_FEATURES = 80), channel slices as constants below:
    POSE      [0:51)   17 x (x, y, z) pelvis-relative, facing-normalised joints, metres
    MASK      [51:68)  17 per-joint observation mask (1 seen at this frame, 0 filled in)
    FACING    [68:70)  sin, cos of the per-frame facing angle about the vertical axis (levelled camera)
    ROOT_POS  [70:73)  pelvis in the camera frame, metres, z divided by ROOT_Z_SCALE (5 m)
    ROOT_REL  [73:76)  pelvis relative to the pelvis at "now", camera frame, metres
    ROOT_VEL  [76:79)  pelvis velocity in the camera frame, m/s (backward difference; frame 0 copies frame 1)
    VALID     [79:80)  1 for real frames, 0 for front padding
"""
from __future__ import annotations

import numpy as np

from llamo_ros.motion.descriptors import DescriptorConfig, estimate_up
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS, ROOT

FEATURE_RATE_HZ = 10.0   # resampled rate of every feature window
MAX_FRAMES = 32          # default window: 3.2 s at 10 Hz
ROOT_Z_SCALE = 5.0       # depth normaliser for ROOT_POS

POSE = slice(0, 3 * NUM_JOINTS)
MASK = slice(POSE.stop, POSE.stop + NUM_JOINTS)
FACING = slice(MASK.stop, MASK.stop + 2)
ROOT_POS = slice(FACING.stop, FACING.stop + 3)
ROOT_REL = slice(ROOT_POS.stop, ROOT_POS.stop + 3)
ROOT_VEL = slice(ROOT_REL.stop, ROOT_REL.stop + 3)
VALID = slice(ROOT_VEL.stop, ROOT_VEL.stop + 1)
NUM_FEATURES = VALID.stop
assert NUM_FEATURES == 80

_LHIP, _RHIP = JOINT_INDEX["left_hip"], JOINT_INDEX["right_hip"]
_UP = np.array([0.0, -1.0, 0.0])
_GRAVITY = DescriptorConfig()   # how up is estimated from straight-body frames (straight_body_deg, pitch range)


def facing_angle(joints: np.ndarray) -> np.ndarray:
    """(..., 17, 3) joints -> (...,) facing angle about the camera's vertical axis, radians.

    0 means facing +z (away from the camera), pi facing the camera, +pi/2 facing +x (image right).
    """
    hips = joints[..., _LHIP, :] - joints[..., _RHIP, :]   # (..., 3)
    forward = np.cross(hips, _UP)                           # (..., 3)
    return np.arctan2(forward[..., 0], forward[..., 2])


def rotate_about_vertical(points: np.ndarray, angle: np.ndarray | float) -> np.ndarray:
    """Rotate (..., 3) points by -angle about the camera y axis: a direction at `angle` maps to +z."""
    c, s = np.cos(angle), np.sin(angle)
    c, s = np.asarray(c)[..., None], np.asarray(s)[..., None]
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([x * c[..., 0] - z * s[..., 0], y, x * s[..., 0] + z * c[..., 0]], axis=-1)


def level_rotation(up: np.ndarray) -> np.ndarray:
    """(3, 3) rotation of optical-frame points about the camera x axis that takes `up` (unit anti-gravity
    direction, camera roll assumed zero) to (0, -1, 0): points as a level camera at the same place sees them."""
    pitch = np.arctan2(-up[2], -up[1])   # camera pitch, down positive
    c, s = np.cos(pitch), np.sin(pitch)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])


def window_up(joints: np.ndarray) -> np.ndarray:
    """(3,) up in the optical frame estimated from filled joints (T, 17, 3) m: from their straight-body frames
    (`motion.descriptors.estimate_up`), else (0, -1, 0), a level camera."""
    up, from_body = estimate_up(joints, _GRAVITY)
    return up if from_body else _UP


def fill_missing(joints: np.ndarray, confidence: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(T, 17, 3) joints with NaN -> (filled joints, mask (T, 17) float32). Raises ValueError if nothing is seen."""
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"joints must be (T, {NUM_JOINTS}, 3), got {joints.shape}")
    if joints.shape[0] == 0:
        raise ValueError("empty skeleton window (0 frames)")
    seen = np.isfinite(joints).all(axis=-1)                              # (T, 17)
    if confidence is not None:
        seen &= np.asarray(confidence) > 0
    if not seen.any():
        raise ValueError("skeleton window has no observed joint (all NaN or zero confidence)")
    out = np.where(seen[..., None], joints, np.nan)
    # Pelvis from the hip midpoint where the pelvis is lost but both hips are seen.
    hips_ok = seen[:, _LHIP] & seen[:, _RHIP] & ~seen[:, ROOT]
    out[hips_ok, ROOT] = 0.5 * (out[hips_ok, _LHIP] + out[hips_ok, _RHIP])
    have = np.isfinite(out).all(axis=-1)                                 # (T, 17)
    t = np.arange(joints.shape[0], dtype=np.float64)
    if not have[:, ROOT].any():  # no pelvis anywhere: the centroid of what is seen stands in for it
        centroid = np.nanmean(out, axis=1)                               # (T, 3)
        ok = np.isfinite(centroid).all(axis=-1)
        out[ok, ROOT] = centroid[ok]
        have[:, ROOT] = ok
    for j in [ROOT] + [j for j in range(NUM_JOINTS) if j != ROOT]:
        ok = have[:, j]
        if ok.all():
            continue
        if ok.any():
            for k in range(3):
                out[:, j, k] = np.interp(t, t[ok], out[ok, j, k])
        else:
            out[:, j] = out[:, ROOT]
    assert np.isfinite(out).all()
    return out, seen.astype(np.float32)


def motion_features(
    joints: np.ndarray,
    confidence: np.ndarray | None,
    fps: float,
    num_frames: int | None = None,
    max_frames: int = MAX_FRAMES,
    level: bool = True,
) -> np.ndarray:
    """Skeleton window (T, 17, 3) at `fps` ending "now" -> features (T', NUM_FEATURES) float32 at 10 Hz.

    T' = num_frames if given (front-padded with VALID = 0), else min(max_frames, frames the window covers).
    `level` False: the body's channels as the camera sees it (no levelling; releases before 2026-11-30).
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    filled, seen = fill_missing(joints, confidence)                      # (T, 17, 3), (T, 17)
    n_in = filled.shape[0]
    duration = (n_in - 1) / fps
    n_cover = int(np.floor(duration * FEATURE_RATE_HZ + 1e-6)) + 1
    n_out = num_frames if num_frames is not None else min(max_frames, n_cover)
    if n_out < 1:
        raise ValueError(f"num_frames must be >= 1, got {n_out}")
    # Sample times in input-frame units, oldest first; the last is the last input frame.
    src = (n_in - 1) - (np.arange(n_out)[::-1] * fps / FEATURE_RATE_HZ)  # (T',)
    valid = (src >= -1e-6).astype(np.float32)
    src = np.clip(src, 0.0, n_in - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    w = (src - lo)[:, None, None]
    pts = (1 - w) * filled[lo] + w * filled[hi]                          # (T', 17, 3)
    mask = np.where(w[:, :, 0] < 0.5, seen[lo], seen[hi])                # (T', 17) nearest sample

    root = pts[:, ROOT]                                                  # (T', 3) camera frame
    body = pts @ level_rotation(window_up(pts)).T if level else pts      # (T', 17, 3) levelled camera
    angle = facing_angle(body)                                           # (T',)
    local = rotate_about_vertical(body - body[:, ROOT:ROOT + 1], angle[-1])  # (T', 17, 3)
    vel = np.zeros_like(root)
    vel[1:] = (root[1:] - root[:-1]) * FEATURE_RATE_HZ
    vel[1:] *= valid[:-1, None]  # no velocity across the padding boundary
    if n_out > 1:
        vel[0] = vel[1]
    root_pos = root.copy()
    root_pos[:, 2] /= ROOT_Z_SCALE

    feats = np.zeros((n_out, NUM_FEATURES), dtype=np.float32)
    feats[:, POSE] = local.reshape(n_out, -1)
    feats[:, MASK] = mask * valid[:, None]
    feats[:, FACING] = np.stack([np.sin(angle), np.cos(angle)], axis=-1)
    feats[:, ROOT_POS] = root_pos
    feats[:, ROOT_REL] = root - root[-1]
    feats[:, ROOT_VEL] = vel
    feats[:, VALID] = valid[:, None]
    assert np.isfinite(feats).all()
    return feats
