"""Rendering a scene plan to camera-frame joints, and pose-estimator-like corruption."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_clip import ActionSegment
from llamo_ros.data.motion_synth.actions import ACTION_FUNCTIONS
from llamo_ros.data.motion_synth.arm_carriage import apply_arm_carriage
from llamo_ros.data.motion_synth.body import EXTENDED_KEYS, EXTENDED_POSE, POSE_KEYS
from llamo_ros.data.motion_synth.catalogue import BY_DIRECTION
from llamo_ros.data.motion_synth.config import EYES_ALONG_HEAD, ESTIMATED_PROPORTIONS, SynthConfig
from llamo_ros.data.motion_synth.kinematics import _forward_kinematics, world_to_camera
from llamo_ros.data.motion_synth.scene import ScenePlan
from llamo_ros.data.motion_synth.standing_styles import apply_stand_styles
from llamo_ros.motion.features import facing_angle, rotate_about_vertical
from llamo_ros.motion.intents import INTENT_INDEX, OTHER
from llamo_ros.skeleton import JOINT_INDEX, PARENTS, ROOT

# Intent index of frames whose action fits none of the named intents: "other".
NO_INTENT = OTHER


def _render(plan: ScenePlan, fps: float):
    """Plan -> (clean joints (T, 17, 3) camera frame, intent (T,), segments)."""
    poses, velocities, segments, intents = [], [], [], []
    heading = math.radians(plan.start_heading_deg)
    start = 0
    for name, params in plan.actions:
        n = max(2, int(round(params["duration_s"] * fps)))
        t = np.arange(n) / fps                                        # (n,) seconds
        pose, velocity = ACTION_FUNCTIONS[name](t, params, plan.body, heading)
        apply_arm_carriage(pose, t, params)
        styled = apply_stand_styles(pose, t, params, plan.body, fps)
        if styled is not None:
            velocity = velocity + styled
        heading = float(pose["heading"][-1])
        poses.append(pose)
        velocities.append(velocity)
        label = params["intent"]
        intents.append(np.full(n, NO_INTENT if label is None else INTENT_INDEX.get(label, -1), dtype=np.int64))
        segments.append(ActionSegment(name=name, start=start, end=start + n,
                                      params={k: v for k, v in params.items() if k not in ("phase0",)}))
        start += n
    keys = POSE_KEYS
    if any("pitch" in p for p in poses):  # broad actions in the clip: every segment gets the whole-body channels
        keys = POSE_KEYS + EXTENDED_KEYS
        poses = [{**{k: np.full(len(p["heading"]), v) for k, v in EXTENDED_POSE.items()}, **p} for p in poses]
    elif any("head_yaw" in p for p in poses):  # a styled stand looks around (`standing_styles`)
        keys = POSE_KEYS + ("head_yaw",)
        poses = [{"head_yaw": np.zeros(len(p["heading"])), **p} for p in poses]
    pose = {k: np.concatenate([p[k] for p in poses]) for k in keys}
    velocity = np.concatenate(velocities)                              # (T, 2) m/s
    anchor = np.asarray(plan.start_xz) + np.cumsum(velocity, axis=0) / fps - velocity[0] / fps  # (T, 2)
    world = _forward_kinematics(plan.body, pose, anchor)               # (T, 17, 3)
    intent = np.concatenate(intents)
    for seg in segments:
        if seg.params["intent"] == BY_DIRECTION:
            intent[seg.start:seg.end] = direction_intents(world[seg.start:seg.end, 0, ::2], velocity[seg.start:seg.end])
    return world_to_camera(world, plan.camera), intent, segments


def direction_intents(position_xz: np.ndarray, velocity_xz: np.ndarray) -> np.ndarray:
    """Per-frame intent (n,) of locomotion from world position and velocity (n, 2), camera at the origin.

    Under 0.3 m/s: standing_idle; moving mostly (> 60 deg cone) towards the camera: approaching; away:
    leaving; otherwise passing_by.
    """
    speed = np.linalg.norm(velocity_xz, axis=-1)
    radial = np.sum(velocity_xz * position_xz, axis=-1) / np.maximum(np.linalg.norm(position_xz, axis=-1), 1e-6)
    out = np.full(len(speed), INTENT_INDEX["passing_by"], dtype=np.int64)
    out[radial < -0.5 * speed] = INTENT_INDEX["approaching"]
    out[radial > 0.5 * speed] = INTENT_INDEX["leaving"]
    out[speed < 0.3] = INTENT_INDEX["standing_idle"]
    return out


def _corrupt(clean: np.ndarray, cfg: SynthConfig, rng: np.random.Generator):
    """Pose-estimator-like errors. Returns (joints (T, 17, 3) with NaN where lost, confidence (T, 17))."""
    t, j, _ = clean.shape
    depth = np.clip(clean[..., 2], 0.5, None)                          # (T, 17) metres
    sigma = cfg.jitter_base_m + cfg.jitter_per_m * depth               # (T, 17)
    joints = clean + rng.normal(size=clean.shape) * sigma[..., None]
    confidence = np.clip(0.97 - 0.03 * depth + rng.normal(0, 0.04, size=(t, j)), 0.3, 1.0)

    for f in np.flatnonzero(rng.uniform(size=t) < cfg.outlier_frame_prob):
        if rng.uniform() < 0.5:  # left-right confusion, a classic estimator blunder
            for a, b in ((1, 4), (2, 5), (3, 6), (11, 14), (12, 15), (13, 16)):
                joints[f, [a, b]] = joints[f, [b, a]]
        else:  # a few joints jump away
            picked = rng.choice(j, size=int(rng.integers(1, 4)), replace=False)
            offset = rng.normal(size=(len(picked), 3))
            offset *= rng.uniform(0.15, 0.5, size=(len(picked), 1)) / np.linalg.norm(offset, axis=1, keepdims=True)
            joints[f, picked] += offset
            confidence[f, picked] *= 0.7

    lost = np.zeros((t, j), dtype=bool)
    starts = np.argwhere(rng.uniform(size=(t, j)) < cfg.dropout_prob)  # (K, 2) frame, joint
    for f, joint in starts:
        length = int(rng.integers(cfg.dropout_burst_frames[0], cfg.dropout_burst_frames[1] + 1))
        lost[f:f + length, joint] = True
    joints = _estimator_bias(joints, clean, cfg, rng)
    joints[lost] = np.nan
    confidence[lost] = 0.0
    return joints.astype(np.float32), confidence.astype(np.float32)


def metric_root_error(joints: np.ndarray, clean: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> np.ndarray:
    """(T, 17, 3) joints moved per frame along the camera ray through the exact pelvis by a Gaussian error of
    std `root_depth_noise_range` (drawn per clip) times the distance: the metric root's frame-to-frame error
    (`SynthConfig.root_depth_noise_range`). Draws nothing when that is off."""
    if tuple(cfg.root_depth_noise_range) == (0.0, 0.0):
        return joints
    pelvis = clean[:, ROOT].astype(np.float64)                                    # (T, 3)
    distance = np.linalg.norm(pelvis, axis=1, keepdims=True)                      # (T, 1)
    error = rng.normal(0.0, rng.uniform(*cfg.root_depth_noise_range), (len(pelvis), 1)) * distance  # (T, 1) m
    return (joints + (error * pelvis / np.maximum(distance, 1e-6))[:, None, :]).astype(joints.dtype)


# Per joint, the slow error's std relative to the wrists' (`SynthConfig.wobble_per_m_range`): from MediaPipe's
# skeletons of people standing in vtest.avi, each joint's std about its mean relative to the pelvis (wrists 0.11 m,
# elbows 0.076, ankles 0.058, head 0.053, shoulders and knees 0.04, thorax 0.025).
WOBBLE_JOINT_FACTOR = {"left_wrist": 1.0, "right_wrist": 1.0, "left_elbow": 0.6, "right_elbow": 0.6,
                       "left_ankle": 0.5, "right_ankle": 0.5, "head": 0.45, "neck_nose": 0.45}
WOBBLE_OTHER_FACTOR = 0.3  # every other joint's (the root: none, its error is the root estimator's)


def estimator_wobble(joints: np.ndarray, clean: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> np.ndarray:
    """(T, 17, 3) joints plus a slowly varying error per joint and axis: an AR(1) process with correlation time
    `wobble_time_constant_s` whose std is a per-clip draw from `wobble_per_m_range` times the joint's exact depth
    (m) times `WOBBLE_JOINT_FACTOR` (`with_estimator_wobble` calls it only when that range is on)."""
    factor = np.full(joints.shape[1], WOBBLE_OTHER_FACTOR)
    for name, f in WOBBLE_JOINT_FACTOR.items():
        factor[JOINT_INDEX[name]] = f
    factor[ROOT] = 0.0
    sigma = rng.uniform(*cfg.wobble_per_m_range) * np.clip(clean[..., 2], 0.5, None) * factor   # (T, 17) m
    keep = math.exp(-1.0 / (cfg.fps * cfg.wobble_time_constant_s))  # AR(1) coefficient per frame
    shocks = rng.normal(size=joints.shape) * math.sqrt(1.0 - keep ** 2)                          # (T, 17, 3)
    unit = np.empty_like(shocks)
    unit[0] = rng.normal(size=shocks.shape[1:])                    # stationary from the first frame: std 1
    for t in range(1, len(shocks)):
        unit[t] = keep * unit[t - 1] + shocks[t]
    return (joints + unit * sigma[..., None]).astype(joints.dtype)


def _estimator_bias(joints: np.ndarray, clean: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> np.ndarray:
    """A monocular estimator's clip-constant errors on (T, 17, 3) camera-frame joints: the skeleton rotated about
    its exact pelvis by a pitch and a roll, scaled, its bone proportions changed (`_proportions`) and each joint
    offset in the body's frame (turning with the exact body `clean`). Draws nothing for what is off, so clips of
    configs without them stay as they were."""
    if cfg.pose_tilt_std_deg == 0 and tuple(cfg.pose_scale_range) == (1.0, 1.0) and cfg.joint_bias_std_m == 0:
        return _proportions(joints, cfg, rng)
    pitch, roll = np.radians(rng.normal(0.0, cfg.pose_tilt_std_deg, 2) * (1.0, 0.5))
    cp, sp, cr, sr = np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    rot = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]]) @ np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    scale = rng.uniform(*cfg.pose_scale_range)
    offsets = rng.normal(0.0, 1.0, (joints.shape[1], 3)) * rng.uniform(0.0, cfg.joint_bias_std_m)  # (17, 3)
    offsets[ROOT] = 0.0                                    # the root's own error is the root estimator's
    facing = facing_angle(clean)                                                   # (T,) rad
    offsets = rotate_about_vertical(np.broadcast_to(offsets, joints.shape), -facing[:, None])  # (T, 17, 3)
    pelvis = clean[:, ROOT, None]                                                  # (T, 1, 3)
    joints = pelvis + (joints - pelvis) @ rot.T * scale
    return _proportions(joints, cfg, rng) + offsets


def _proportions(joints: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> np.ndarray:
    """(T, 17, 3) joints with each bone's length scaled by its group's factor (ESTIMATED_PROPORTIONS, drawn per
    clip) and, with `head_at_eyes_prob`, the head joint moved down to the eyes; children move with parents."""
    if not cfg.vary_proportions and cfg.head_at_eyes_prob == 0:
        return joints
    factor = np.ones(len(PARENTS))
    if cfg.vary_proportions:
        for names, (lo, hi) in ESTIMATED_PROPORTIONS.values():
            factor[[JOINT_INDEX[n] for n in names]] = rng.uniform(lo, hi)
    if rng.uniform() < cfg.head_at_eyes_prob:
        factor[JOINT_INDEX["head"]] = rng.uniform(*EYES_ALONG_HEAD)
    out = joints.copy()
    for child, parent in enumerate(PARENTS):   # parents come before their children
        if parent >= 0:
            out[:, child] = out[:, parent] + factor[child] * (joints[:, child] - joints[:, parent])
    return out
