"""Procedural human motion for human-robot interaction: skeletons, per-frame intents, captions, QA.

Pipeline, one small function per step, one module per concept:
  1. `scene.plan_scene`: from a seed, sample a body (`body`: height -> bone lengths), a camera
     (height, pitch, the person's bearing and distance) and a sequence of actions that is physically
     possible (`catalogue`: each action's start and end posture; walks that stay in front of the camera).
  2. Each action is a function of local time that returns joint angles ("pose parameters"), one module
     per family: `locomotion`, `gestures`, `objects`, `postures`, `whole_body`, `combat`, `improvised`.
     Every action starts and ends in the neutral pose of its posture, and turns the body with a
     smoothstep, so consecutive actions join without jumps.
  3. `kinematics._forward_kinematics`: angles -> H36M-17 joints in a world frame (metres, y up), with
     fixed bone lengths, the pelvis height set so the lower ankle stays on the floor (broad actions:
     the whole body tips by pitch/roll and its lowest part rests on the floor, plus an airborne lift).
  4. `kinematics.world_to_camera`: world -> camera optical frame (REP-103: x right, y down, z forward).
  5. `render._corrupt`: pose-estimator-like noise on `joints` (distance-dependent jitter, dropped joints
     as NaN with confidence 0, outlier frames); `joints_clean` stays exact.
  6. `language`: captions (`caption_clip`, the seam for other caption rules) and question-answer pairs
     from the same parameters, several templates per fact.

`SynthConfig()` generates the original ten actions exactly as the one-file generator did (the shipped
checkpoint was trained on them); `broad_config()` opts into all `ALL_ACTIONS` with realistic cameras,
bodies, speeds and styles. Frames of actions that fit no intent carry `NO_INTENT` (the `other` intent).

World frame: right-handed, metres, y up, floor at y = 0, camera at (0, camera_height, 0) looking
along +z (tilted down by the pitch). A body facing heading h (radians) faces (sin h, 0, cos h); its
left is (cos h, 0, -sin h). Seen from the camera, world +x is image LEFT (camera x = -world x).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from llamo_ros.data.motion_clip import MotionClip
from llamo_ros.data.motion_synth.actions import ACTION_FUNCTIONS
from llamo_ros.data.motion_synth.arm_carriage import plan_arm_carriage
from llamo_ros.data.motion_synth.standing_styles import STYLES as STAND_STYLES, plan_stand_styles
from llamo_ros.data.motion_synth.catalogue import ALL_ACTIONS, BY_DIRECTION, CATALOGUE, FAMILIES, POSTURES, ActionSpec
from llamo_ros.data.motion_synth.body import (
    ELBOW_MAX_RAD, KNEE_MAX_RAD, POSE_KEYS, SEATED_POSE, STANDING_POSE, BodyModel, body_from_height, smoothstep,
)
from llamo_ros.data.motion_synth.config import (
    ACTION_INTENT, ACTION_WORDS, ACTIONS, ESTIMATOR_BIAS, ESTIMATOR_WOBBLE, FAST_ABOVE_MPS, METRIC_ROOT_NOISE,
    PEDESTRIAN_ARMS, PEDESTRIAN_STANDING, SLOW_BELOW_MPS, SynthConfig, broad_config, speed_word,
)
from llamo_ros.data.motion_synth.kinematics import CameraPose, _forward_kinematics, world_to_camera
from llamo_ros.data.motion_synth.language import (
    CLAUSES, GERUNDS, HAND_PHRASES, NUMBER_WORDS, POINT_DIRECTIONS, SUBJECTS, _caption, _clause, _qa, caption_clip,
)
from llamo_ros.data.motion_synth.locomotion import STROLL_SPEED_MPS, WALK_RAMP_S, gait_parameters
from llamo_ros.data.motion_synth.render import (
    NO_INTENT, _corrupt, _render, direction_intents, estimator_wobble, metric_root_error,
)
from llamo_ros.data.motion_synth.scene import ScenePlan, plan_scene

def generate_clip(seed: int, config: SynthConfig | None = None) -> MotionClip:
    """One synthetic clip, fully determined by `seed` (and the config).

    Joints are metres in the camera optical frame (x right, y down, z forward); `joints` carries
    estimator-like noise and NaN dropouts, `joints_clean` the exact skeleton.
    """
    cfg = config or SynthConfig()
    plan = plan_scene(seed, cfg)
    plan_arm_carriage(plan.actions, cfg.arm_carriage_prob, np.random.default_rng([int(seed), 3]))
    # after the carriage: arm styles take only the arms it leaves free; stream 4: its own draws
    plan_stand_styles(plan.actions, cfg.stand_style_prob, np.random.default_rng([int(seed), 4]))
    clean, intent, segments = _render(plan, cfg.fps)
    joints, confidence = _corrupt(clean, cfg, np.random.default_rng([int(seed), 1]))
    joints = metric_root_error(joints, clean, cfg, np.random.default_rng([int(seed), 5]))  # stream 5: its own
    language_rng = np.random.default_rng([int(seed), 2])
    caption = caption_clip(segments, language_rng)
    clip = MotionClip(
        joints=joints, confidence=confidence, fps=float(cfg.fps), intent=intent,
        joints_clean=clean.astype(np.float32), caption=caption, qa=_qa(segments, caption, language_rng),
        segments=segments, body_height=plan.body.height, source=f"synth:seed={int(seed)}",
    )
    return with_estimator_wobble(clip, seed, cfg)


def with_estimator_wobble(clip: MotionClip, seed: int, config: SynthConfig) -> MotionClip:
    """The clip generated from `seed` with `config`'s slow per-joint error added (`render.estimator_wobble`, stream
    6: its own draws), as `generate_clip(seed, config)` adds it; the clip itself when that is off. Lost joints stay
    NaN."""
    if tuple(config.wobble_per_m_range) == (0.0, 0.0):
        return clip
    rng = np.random.default_rng([int(seed), 6])
    return dataclasses.replace(clip, joints=estimator_wobble(clip.joints, clip.joints_clean, config, rng))


def generate_clips(seeds, config: SynthConfig | None = None) -> list[MotionClip]:
    """`generate_clip` for each seed in `seeds` (an iterable of ints)."""
    return [generate_clip(int(s), config) for s in seeds]
