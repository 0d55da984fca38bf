"""Rendering a scene plan to camera-frame joints, and pose-estimator-like corruption."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_clip import ActionSegment
from llamo_ros.data.motion_synth.actions import ACTION_FUNCTIONS
from llamo_ros.data.motion_synth.body import POSE_KEYS
from llamo_ros.data.motion_synth.config import SynthConfig
from llamo_ros.data.motion_synth.kinematics import _forward_kinematics, world_to_camera
from llamo_ros.data.motion_synth.scene import ScenePlan
from llamo_ros.motion.intents import INTENT_INDEX


def _render(plan: ScenePlan, fps: float):
    """Plan -> (clean joints (T, 17, 3) camera frame, intent (T,), segments)."""
    poses, velocities, segments, intents = [], [], [], []
    heading = math.radians(plan.start_heading_deg)
    start = 0
    for name, params in plan.actions:
        n = max(2, int(round(params["duration_s"] * fps)))
        t = np.arange(n) / fps                                        # (n,) seconds
        pose, velocity = ACTION_FUNCTIONS[name](t, params, plan.body, heading)
        heading = float(pose["heading"][-1])
        poses.append(pose)
        velocities.append(velocity)
        intents.append(np.full(n, INTENT_INDEX[params["intent"]], dtype=np.int64))
        segments.append(ActionSegment(name=name, start=start, end=start + n,
                                      params={k: v for k, v in params.items() if k not in ("phase0",)}))
        start += n
    pose = {k: np.concatenate([p[k] for p in poses]) for k in POSE_KEYS}
    velocity = np.concatenate(velocities)                              # (T, 2) m/s
    anchor = np.asarray(plan.start_xz) + np.cumsum(velocity, axis=0) / fps - velocity[0] / fps  # (T, 2)
    world = _forward_kinematics(plan.body, pose, anchor)               # (T, 17, 3)
    return world_to_camera(world, plan.camera), np.concatenate(intents), segments


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
    joints[lost] = np.nan
    confidence[lost] = 0.0
    return joints.astype(np.float32), confidence.astype(np.float32)
