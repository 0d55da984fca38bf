"""Procedural human motion for human-robot interaction: skeletons, per-frame intents, captions, QA.

Pipeline, one small function per step:
  1. `plan_scene`: from a seed, sample a body (height -> bone lengths), a camera (height, pitch,
     the person's bearing and distance) and a sequence of actions that is physically possible
     (posture: sitting only after standing, walks that stay in front of the camera).
  2. Each action is a function of local time that returns joint angles ("pose parameters").
     Every action starts and ends in the neutral pose of its posture (standing or seated), and
     turns the body with a smoothstep, so consecutive actions join without jumps.
  3. `_forward_kinematics`: angles -> H36M-17 joints in a world frame (metres, y up), with fixed
     bone lengths, the pelvis height set so the lower ankle stays on the floor.
  4. `_world_to_camera`: world -> camera optical frame (REP-103: x right, y down, z forward).
  5. `_corrupt`: pose-estimator-like noise on `joints` (distance-dependent jitter, dropped joints as
     NaN with confidence 0, outlier frames); `joints_clean` stays exact.
  6. Captions and question-answer pairs from the same parameters, several templates per fact.

World frame: right-handed, metres, y up, floor at y = 0, camera at (0, camera_height, 0) looking
along +z (tilted down by the pitch). A body facing heading h (radians) faces (sin h, 0, cos h); its
left is (cos h, 0, -sin h). Seen from the camera, world +x is image LEFT (camera x = -world x).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from llamo_ros.data.motion_clip import ActionSegment, MotionClip
from llamo_ros.motion.intents import INTENT_INDEX, INTENT_LABELS
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

# Action name (ActionSegment.name) -> intent label (INTENT_LABELS).
ACTION_INTENT: dict[str, str] = {
    "walk_towards": "approaching",
    "walk_past": "passing_by",
    "walk_away": "leaving",
    "stand": "standing_idle",
    "wave": "waving",
    "point": "pointing",
    "hand_over": "handing_over",
    "sit_down": "sitting_down",
    "stand_up": "standing_up",
    "pick_up": "picking_up",
}
ACTIONS: tuple[str, ...] = tuple(ACTION_INTENT)

# Intent label -> phrases that count as naming that intent in a caption. Every caption clause for an
# action contains one of its intent's phrases and no other intent's phrase, so an evaluator can score
# generated text by substring match (lower-case).
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "approaching": ("walks towards", "walks toward", "approaches"),
    "passing_by": ("walks past", "passes by"),
    "leaving": ("walks away", "leaves"),
    "standing_idle": ("stands still", "stands idle"),
    "waving": ("waves",),
    "pointing": ("points",),
    "handing_over": ("hands over", "holds out"),
    "sitting_down": ("sits down",),
    "standing_up": ("stands up", "gets up"),
    "picking_up": ("picks up",),
}
assert set(ACTION_WORDS) == set(INTENT_LABELS) == set(ACTION_INTENT.values())

# Speed words: walking slower than 1.0 m/s is "slow", faster than 1.6 m/s is "fast".
SLOW_BELOW_MPS = 1.0
FAST_ABOVE_MPS = 1.6


def speed_word(speed_mps: float) -> str:
    """'slow', 'normal' or 'fast' for a walking speed in m/s."""
    if speed_mps < SLOW_BELOW_MPS:
        return "slow"
    if speed_mps > FAST_ABOVE_MPS:
        return "fast"
    return "normal"


@dataclass
class SynthConfig:
    """Ranges the generator samples from; (lo, hi) tuples are uniform ranges."""

    fps: float = 30.0                                   # output frame rate, Hz
    duration_range_s: tuple[float, float] = (4.0, 10.0)  # target clip length; whole actions are kept, so a clip may run over by one action
    max_actions: int = 3                                # at most this many actions per clip (a filling "stand" may be added)
    body_height_range_m: tuple[float, float] = (1.50, 1.95)  # standing height of the person
    walk_speed_range_mps: tuple[float, float] = (0.6, 2.0)   # steady walking speed
    camera_distance_range_m: tuple[float, float] = (1.5, 8.0)  # horizontal camera-person distance at the start
    camera_height_range_m: tuple[float, float] = (0.8, 1.8)    # camera above the floor
    camera_pitch_range_deg: tuple[float, float] = (-5.0, 20.0)  # camera tilt, positive looks down
    bearing_range_deg: tuple[float, float] = (-25.0, 25.0)  # the person's start direction from the optical axis (camera yaw relative to the person)
    jitter_base_m: float = 0.008                        # Gaussian jitter std at 0 m depth
    jitter_per_m: float = 0.004                         # extra jitter std per metre of depth
    dropout_prob: float = 0.01                          # per joint and frame: probability a dropout burst starts
    dropout_burst_frames: tuple[int, int] = (1, 8)      # length of a dropout burst, frames (inclusive range)
    outlier_frame_prob: float = 0.01                    # per frame: probability of an estimator blunder (left-right swap or displaced joints)
    seated_start_prob: float = 0.12                     # probability that a clip starts seated (so it opens with "stand_up")
    action_weights: dict[str, float] = field(default_factory=dict)  # relative sampling weight per action name (default 1.0)

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        for name in ("duration_range_s", "body_height_range_m", "walk_speed_range_mps",
                     "camera_distance_range_m", "camera_height_range_m", "camera_pitch_range_deg",
                     "bearing_range_deg", "dropout_burst_frames"):
            lo, hi = getattr(self, name)
            if not lo <= hi:
                raise ValueError(f"{name} must be (lo, hi) with lo <= hi, got {(lo, hi)}")
        if self.duration_range_s[0] <= 0:
            raise ValueError("duration_range_s must be positive")
        if self.max_actions < 1:
            raise ValueError(f"max_actions must be >= 1, got {self.max_actions}")
        if not (1.0 <= self.body_height_range_m[0] and self.body_height_range_m[1] <= 2.3):
            raise ValueError(f"body_height_range_m must lie in [1.0, 2.3] m, got {self.body_height_range_m}")
        if not (0.2 <= self.walk_speed_range_mps[0] and self.walk_speed_range_mps[1] <= 3.0):
            raise ValueError(f"walk_speed_range_mps must lie in [0.2, 3.0], got {self.walk_speed_range_mps}")
        if self.camera_distance_range_m[0] < 1.0:
            raise ValueError("camera_distance_range_m must start at >= 1.0 m")
        if self.camera_height_range_m[0] <= 0:
            raise ValueError("camera_height_range_m must be positive")
        if not (-60 <= self.camera_pitch_range_deg[0] and self.camera_pitch_range_deg[1] <= 60):
            raise ValueError("camera_pitch_range_deg must lie in [-60, 60]")
        if not (-60 <= self.bearing_range_deg[0] and self.bearing_range_deg[1] <= 60):
            raise ValueError("bearing_range_deg must lie in [-60, 60]")
        if self.jitter_base_m < 0 or self.jitter_per_m < 0:
            raise ValueError("jitter must be >= 0")
        for name in ("dropout_prob", "outlier_frame_prob", "seated_start_prob"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability, got {p}")
        if self.dropout_burst_frames[0] < 1:
            raise ValueError("dropout_burst_frames must be >= 1")
        for name, w in self.action_weights.items():
            if name not in ACTION_INTENT:
                raise ValueError(f"unknown action {name!r} in action_weights; known: {ACTIONS}")
            if w < 0:
                raise ValueError(f"action weight must be >= 0, got {name}={w}")


# ----------------------------------------------------------------------------------------------
# Body model
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BodyModel:
    """Bone lengths in metres, from standing height with anthropometric ratios (Drillis & Contini)."""

    height: float
    hip_half_width: float    # pelvis -> each hip
    thigh: float             # hip -> knee
    shank: float             # knee -> ankle
    ankle_height: float      # ankle above the floor when the foot is flat
    spine_lower: float       # pelvis -> spine
    spine_upper: float       # spine -> thorax
    neck: float              # thorax -> neck_nose
    head: float              # neck_nose -> head top
    shoulder_half_width: float  # thorax -> each shoulder
    upper_arm: float         # shoulder -> elbow
    forearm: float           # elbow -> wrist (H36M has no hand joint)


def body_from_height(height_m: float, rng: np.random.Generator | None = None) -> BodyModel:
    """Bone lengths for a person `height_m` tall; `rng` adds +-4 % individual proportions."""
    def scale(ratio: float) -> float:
        jitter = 1.0 + (rng.uniform(-0.04, 0.04) if rng is not None else 0.0)
        return float(ratio * height_m * jitter)
    return BodyModel(
        height=float(height_m), hip_half_width=scale(0.075), thigh=scale(0.245), shank=scale(0.246),
        ankle_height=0.039 * height_m, spine_lower=scale(0.144), spine_upper=scale(0.144),
        neck=scale(0.092), head=scale(0.09), shoulder_half_width=scale(0.10),
        upper_arm=scale(0.186), forearm=scale(0.146),
    )


# Pose parameters: per-frame angles in radians, all (T,).
POSE_KEYS: tuple[str, ...] = (
    "heading",        # pelvis yaw in the world (0 faces +z)
    "twist",          # trunk yaw relative to the pelvis, positive turns to the left
    "bend",           # trunk forward bend from vertical
    "lean",           # trunk sideways lean, positive to the left
    "head_pitch",     # head forward tilt relative to the trunk
    "hip_flex_l", "hip_flex_r",    # thigh swung forward from vertical (negative: backward)
    "hip_abd_l", "hip_abd_r",      # thigh swung outwards
    "knee_l", "knee_r",            # knee flexion, >= 0 (shank swings backward)
    "arm_elev_l", "arm_elev_r",    # upper arm raised from hanging (pi/2 horizontal, pi straight up; negative: behind)
    "arm_azim_l", "arm_azim_r",    # plane of the raise: 0 forward, pi/2 outwards to the side, negative across the body
    "elbow_l", "elbow_r",          # elbow flexion, >= 0
    "elbow_hint_l", "elbow_hint_r",  # direction the forearm bends to: 0 up, pi/2 forward (trunk frame)
    "foot_plant",     # not an angle: weight in [0, 1] of keeping the feet over the anchor (0 while walking)
)

STANDING_POSE: dict[str, float] = {
    "foot_plant": 1.0, "twist": 0.0, "bend": 0.03, "lean": 0.0, "head_pitch": 0.1,
    "hip_flex_l": 0.02, "hip_flex_r": 0.02, "hip_abd_l": 0.04, "hip_abd_r": 0.04,
    "knee_l": 0.05, "knee_r": 0.05, "arm_elev_l": 0.08, "arm_elev_r": 0.08,
    "arm_azim_l": 0.6, "arm_azim_r": 0.6, "elbow_l": 0.2, "elbow_r": 0.2,
    "elbow_hint_l": math.pi / 2, "elbow_hint_r": math.pi / 2,
}
SEATED_POSE: dict[str, float] = {
    **STANDING_POSE, "bend": 0.1, "hip_flex_l": 1.55, "hip_flex_r": 1.55, "hip_abd_l": 0.12,
    "hip_abd_r": 0.12, "knee_l": 1.5, "knee_r": 1.5, "arm_elev_l": 0.35, "arm_elev_r": 0.35,
    "arm_azim_l": 0.1, "arm_azim_r": 0.1, "elbow_l": 1.0, "elbow_r": 1.0,
}
KNEE_MAX_RAD = math.radians(150.0)   # joint limits the actions stay within
ELBOW_MAX_RAD = math.radians(150.0)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero slope at both ends; x is clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _ramp_envelope(t: np.ndarray, duration: float, rise: float, fall: float) -> np.ndarray:
    """1 in the middle of [0, duration], smoothstep up over `rise` s and down over `fall` s."""
    return smoothstep(t / rise) * smoothstep((duration - t) / fall)


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _pose_from(base: dict[str, float], n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, v, dtype=np.float64) for k, v in base.items()}


def _blend_into(pose: dict[str, np.ndarray], target: dict[str, float | np.ndarray], weight: np.ndarray) -> None:
    """pose[k] <- (1 - weight) * pose[k] + weight * target[k], for the keys in target."""
    for k, v in target.items():
        pose[k] = (1.0 - weight) * pose[k] + weight * v


def _turn(t: np.ndarray, heading_from: float, heading_to: float) -> np.ndarray:
    """Heading over time: turns by the shortest way, slower for bigger turns."""
    delta = _wrap(heading_to - heading_from)
    turn_s = 0.4 + 0.5 * abs(delta) / math.pi
    return heading_from + delta * smoothstep(t / turn_s)


# ----------------------------------------------------------------------------------------------
# Actions: each maps local time t (n,) seconds to pose parameters, plus the root's horizontal
# velocity (n, 2) in world (x, z), m/s. They all start and end in STANDING_POSE or SEATED_POSE.
# ----------------------------------------------------------------------------------------------

WALK_RAMP_S = 0.6  # start/stop time of a walk; the steady speed holds in between


def gait_parameters(speed_mps: float, body: BodyModel) -> tuple[float, float, float]:
    """(step length m, step frequency Hz, hip swing amplitude rad) for walking at `speed_mps`.

    Step length grows with height and the square root of speed (fits adult gait: about 0.72 m and
    1.85 steps/s at 1.35 m/s for a 1.75 m person).
    """
    step_m = 0.415 * body.height * math.sqrt(speed_mps / 1.35)
    step_hz = speed_mps / step_m
    leg = body.thigh + body.shank
    amplitude = math.asin(min(0.9, step_m / (2.0 * leg)))
    return step_m, step_hz, amplitude


def _walk(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    speed = p["speed_mps"]
    direction = math.radians(p["heading_deg"])
    _, step_hz, amp = gait_parameters(speed, body)
    env = _ramp_envelope(t, dur, WALK_RAMP_S, WALK_RAMP_S)        # (n,)
    phase = 2 * math.pi * (step_hz / 2.0) * t + p["phase0"]       # (n,) one stride = two steps
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, direction) - 0.05 * env * np.sin(phase)  # pelvis rotation
    swing_knee = min(1.2, 0.9 * (0.6 + 0.4 * speed / 1.4))
    arm_amp = 0.8 * amp
    for side, ph in (("l", phase), ("r", phase + math.pi)):
        gait = {
            f"hip_flex_{side}": 0.03 + amp * np.sin(ph),
            # swing phase (thigh moving forward, cos > 0) flexes the knee; stance stays nearly straight
            f"knee_{side}": 0.08 + swing_knee * np.maximum(0.0, np.cos(ph + 0.3)) ** 2,
            f"hip_abd_{side}": 0.03,
            # arms swing opposite to the leg on the same side
            f"arm_elev_{side}": -arm_amp * np.sin(ph),
            f"arm_azim_{side}": 0.0,
            f"elbow_{side}": 0.3 + 0.15 * np.maximum(0.0, -np.sin(ph)),
            "foot_plant": 0.0,  # the root moves at the walking speed; the feet step around it
        }
        _blend_into(pose, gait, env)
    _blend_into(pose, {"twist": 0.1 * np.sin(phase), "bend": 0.04 + 0.04 * speed}, env)
    velocity = speed * env[:, None] * np.array([math.sin(direction), math.cos(direction)])  # (n, 2)
    return pose, velocity


def _stand(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, 0.5, 0.5)
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    sway = 2 * math.pi * 0.25 * t + p["phase0"]  # slow weight shift
    _blend_into(pose, {"lean": 0.025 * np.sin(sway), "head_pitch": 0.1 + 0.06 * np.sin(0.7 * sway),
                       "hip_abd_l": 0.04 + 0.02 * np.sin(sway), "hip_abd_r": 0.04 - 0.02 * np.sin(sway)}, env)
    return pose, np.zeros((n, 2))


def _wave(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    raise_s = p["raise_s"]
    s = p["hand"][0]
    env = _ramp_envelope(t, dur, raise_s, raise_s)
    in_waves = (t >= raise_s) & (t <= raise_s + p["count"] / p["freq_hz"])
    # exactly `count` side-to-side forearm swings in the frontal plane; raised cosine: starts and ends at
    # 0 with zero slope, so the arm neither jumps nor adds a half wave at either end
    osc = np.where(in_waves, 0.5 - 0.5 * np.cos(2 * math.pi * p["freq_hz"] * (t - raise_s)), 0.0)  # (n,) in [0, 1]
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    _blend_into(pose, {f"arm_elev_{s}": math.radians(p["elevation_deg"]), f"arm_azim_{s}": 1.35,
                       f"elbow_{s}": 1.1 + 0.9 * osc, f"elbow_hint_{s}": 0.0}, env)
    return pose, np.zeros((n, 2))


def _point(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    s = p["hand"][0]
    env = _ramp_envelope(t, dur, 0.6, 0.6)
    outwards = (p["direction"] == "left") == (p["hand"] == "left")
    if p["direction"] == "forward":
        azim, twist = 0.1, 0.0
    elif outwards:
        azim, twist = 1.35, 0.0
    else:  # across the body: the trunk turns towards the target, the arm crosses a little
        azim, twist = -0.5, 0.5 if p["direction"] == "left" else -0.5
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    _blend_into(pose, {f"arm_elev_{s}": math.radians(p["elevation_deg"]), f"arm_azim_{s}": azim,
                       f"elbow_{s}": 0.08, f"elbow_hint_{s}": 0.0, "twist": twist}, env)
    return pose, np.zeros((n, 2))


def _hand_over(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, 0.7, 0.7)
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    sides = ("l", "r") if p["hand"] == "both" else (p["hand"][0],)
    target: dict[str, float] = {"bend": 0.12}
    for s in sides:  # upper arm forward-down, forearm raised: the hand ends at chest height
        target |= {f"arm_elev_{s}": math.radians(p["elevation_deg"]),
                   f"arm_azim_{s}": 0.25 if p["hand"] != "both" else 0.05,
                   f"elbow_{s}": 0.75, f"elbow_hint_{s}": 0.0}
    _blend_into(pose, target, env)
    return pose, np.zeros((n, 2))


def _sit_transition(progress: np.ndarray, lean_peak: float) -> dict[str, np.ndarray]:
    """Standing (progress 0) -> seated (progress 1), leaning forward half-way to shift the weight."""
    w = smoothstep(progress)
    pose = _pose_from(STANDING_POSE, len(progress))
    _blend_into(pose, {k: v for k, v in SEATED_POSE.items()}, w)
    pose["bend"] = pose["bend"] + lean_peak * np.sin(math.pi * w)
    pose["head_pitch"] = pose["head_pitch"] - 0.3 * np.sin(math.pi * w)  # keeps looking ahead
    return pose


def _sit_down(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    pose = _sit_transition(t / p["duration_s"], 0.45)
    pose["heading"] = np.full(len(t), heading0)
    return pose, np.zeros((len(t), 2))


def _stand_up(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    pose = _sit_transition(1.0 - t / p["duration_s"], 0.6)
    pose["heading"] = np.full(len(t), heading0)
    return pose, np.zeros((len(t), 2))


def _pick_up(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    n, dur = len(t), p["duration_s"]
    env = _ramp_envelope(t, dur, p["bend_s"], p["bend_s"])
    if p["style"] == "crouch":  # knees and hips deeply flexed, trunk half bent
        target = {"hip_flex_l": 1.75, "hip_flex_r": 1.75, "knee_l": 2.25, "knee_r": 2.25, "bend": 0.75,
                  "hip_abd_l": 0.2, "hip_abd_r": 0.2}
    else:  # stoop: knees half bent, trunk bent far forward (the upper trunk past horizontal)
        target = {"hip_flex_l": 0.5, "hip_flex_r": 0.5, "knee_l": 1.2, "knee_r": 1.2, "bend": 1.95}
    target["head_pitch"] = 0.3
    sides = ("l", "r") if p["hand"] == "both" else (p["hand"][0],)
    for s in sides:  # the arm points at the floor: world-down is elevation == bend in the trunk frame
        target |= {f"arm_elev_{s}": target["bend"] + 0.1, f"arm_azim_{s}": 0.15, f"elbow_{s}": 0.1,
                   f"elbow_hint_{s}": math.pi / 2}
    pose = _pose_from(STANDING_POSE, n)
    pose["heading"] = np.full(n, heading0)
    _blend_into(pose, target, env)
    return pose, np.zeros((n, 2))


ACTION_FUNCTIONS = {
    "walk_towards": _walk, "walk_past": _walk, "walk_away": _walk, "stand": _stand, "wave": _wave,
    "point": _point, "hand_over": _hand_over, "sit_down": _sit_down, "stand_up": _stand_up,
    "pick_up": _pick_up,
}


# ----------------------------------------------------------------------------------------------
# Forward kinematics and camera
# ----------------------------------------------------------------------------------------------

_UP = np.array([0.0, 1.0, 0.0])


def _yaw_axes(yaw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(forward, left) unit vectors (T, 3) for a world yaw (T,)."""
    zeros = np.zeros_like(yaw)
    forward = np.stack([np.sin(yaw), zeros, np.cos(yaw)], axis=-1)   # (T, 3)
    left = np.stack([np.cos(yaw), zeros, -np.sin(yaw)], axis=-1)     # (T, 3) = up x forward
    return forward, left


def _trunk_axes(yaw, bend, lean):
    """(up, forward, left) of a trunk: yaw about world up, bend forward about left, lean sideways."""
    f1, l1 = _yaw_axes(yaw)
    b, c = bend[:, None], lean[:, None]
    u2 = np.cos(b) * _UP + np.sin(b) * f1     # (T, 3)
    f2 = np.cos(b) * f1 - np.sin(b) * _UP     # (T, 3)
    u3 = np.cos(c) * u2 + np.sin(c) * l1      # (T, 3)
    l3 = np.cos(c) * l1 - np.sin(c) * u2      # (T, 3)
    return u3, f2, l3


def _forward_kinematics(body: BodyModel, pose: dict[str, np.ndarray], anchor_xz: np.ndarray) -> np.ndarray:
    """Pose parameters (T,) each and the root's horizontal anchor (T, 2) -> joints (T, 17, 3), world, y up.

    Every joint is its parent plus a unit direction times a fixed bone length, so bone lengths are
    constant by construction. The pelvis is lowered so the lower ankle sits `ankle_height` above the
    floor, and shifted so the feet stay over the anchor (the body sits back when sitting down).
    """
    t = len(anchor_xz)
    J = JOINT_INDEX
    joints = np.zeros((t, NUM_JOINTS, 3))  # pelvis at the origin first
    fwd, left = _yaw_axes(pose["heading"])

    def leg_directions(side: str, sign: float):
        hf, kf, ab = (pose[f"{k}_{side}"][:, None] for k in ("hip_flex", "knee", "hip_abd"))
        outward = sign * left
        thigh = np.cos(ab) * (-np.cos(hf) * _UP + np.sin(hf) * fwd) + np.sin(ab) * outward       # (T, 3)
        shank = np.cos(ab) * (-np.cos(hf - kf) * _UP + np.sin(hf - kf) * fwd) + np.sin(ab) * outward  # (T, 3)
        return thigh, shank

    for side, sign, (hip, knee, ankle) in (("l", 1.0, ("left_hip", "left_knee", "left_ankle")),
                                           ("r", -1.0, ("right_hip", "right_knee", "right_ankle"))):
        thigh, shank = leg_directions(side, sign)
        joints[:, J[hip]] = sign * body.hip_half_width * left
        joints[:, J[knee]] = joints[:, J[hip]] + body.thigh * thigh
        joints[:, J[ankle]] = joints[:, J[knee]] + body.shank * shank

    # trunk: the lower spine takes half of the bend, twist and lean
    u_lo, _, _ = _trunk_axes(pose["heading"] + 0.5 * pose["twist"], 0.5 * pose["bend"], 0.5 * pose["lean"])
    u_t, f_t, l_t = _trunk_axes(pose["heading"] + pose["twist"], pose["bend"], pose["lean"])
    joints[:, J["spine"]] = body.spine_lower * u_lo
    joints[:, J["thorax"]] = joints[:, J["spine"]] + body.spine_upper * u_t
    neck_tilt = 0.25  # the nose sits in front of the thorax
    hp = pose["head_pitch"][:, None]
    joints[:, J["neck_nose"]] = joints[:, J["thorax"]] + body.neck * (math.cos(neck_tilt) * u_t + math.sin(neck_tilt) * f_t)
    joints[:, J["head"]] = joints[:, J["neck_nose"]] + body.head * (np.cos(hp) * u_t + np.sin(hp) * f_t)

    for side, sign, (shoulder, elbow, wrist) in (("l", 1.0, ("left_shoulder", "left_elbow", "left_wrist")),
                                                 ("r", -1.0, ("right_shoulder", "right_elbow", "right_wrist"))):
        e, a, k, h = (pose[f"{key}_{side}"][:, None] for key in ("arm_elev", "arm_azim", "elbow", "elbow_hint"))
        outward = sign * l_t
        upper = -np.cos(e) * u_t + np.sin(e) * (np.cos(a) * f_t + np.sin(a) * outward)  # (T, 3) unit
        hint = np.cos(h) * u_t + np.sin(h) * f_t                                           # (T, 3)
        hint_perp = hint - np.sum(hint * upper, axis=-1, keepdims=True) * upper
        norm = np.linalg.norm(hint_perp, axis=-1, keepdims=True)
        # hint parallel to the upper arm (never reached by the actions): bend outwards instead
        hint_perp = np.where(norm > 1e-6, hint_perp / np.maximum(norm, 1e-12), outward)
        forearm = np.cos(k) * upper + np.sin(k) * hint_perp                               # (T, 3) unit
        joints[:, J[shoulder]] = joints[:, J["thorax"]] + body.shoulder_half_width * outward
        joints[:, J[elbow]] = joints[:, J[shoulder]] + body.upper_arm * upper
        joints[:, J[wrist]] = joints[:, J[elbow]] + body.forearm * forearm

    ankles = joints[:, [J["left_ankle"], J["right_ankle"]]]  # (T, 2, 3) relative to the pelvis
    pelvis_height = body.ankle_height - ankles[:, :, 1].min(axis=1)  # (T,)
    feet_forward = np.sum(ankles.mean(axis=1) * fwd, axis=-1) * pose["foot_plant"]  # (T,) mean foot ahead of the pelvis
    root = np.zeros((t, 3))
    root[:, 0] = anchor_xz[:, 0] - feet_forward * fwd[:, 0]
    root[:, 2] = anchor_xz[:, 1] - feet_forward * fwd[:, 2]
    root[:, 1] = pelvis_height
    return joints + root[:, None, :]


@dataclass(frozen=True)
class CameraPose:
    """A static camera at (0, height_m, 0) in the world, looking along +z, tilted down by pitch."""

    height_m: float
    pitch_deg: float  # positive looks down

    def rotation(self) -> np.ndarray:
        """(3, 3) world -> optical frame rotation; rows are the optical x (right), y (down), z (forward)."""
        th = math.radians(self.pitch_deg)
        z_c = np.array([0.0, -math.sin(th), math.cos(th)])
        x_c = np.array([-1.0, 0.0, 0.0])  # right of a camera looking along +z with y up
        y_c = np.cross(z_c, x_c)
        return np.stack([x_c, y_c, z_c])


def world_to_camera(points: np.ndarray, camera: CameraPose) -> np.ndarray:
    """World points (..., 3), y up -> camera optical frame (..., 3): x right, y down, z forward."""
    centre = np.array([0.0, camera.height_m, 0.0])
    return (points - centre) @ camera.rotation().T


# ----------------------------------------------------------------------------------------------
# Scene planning
# ----------------------------------------------------------------------------------------------

@dataclass
class ScenePlan:
    """Everything sampled for one clip; rendering it is deterministic."""

    body: BodyModel
    camera: CameraPose
    start_xz: tuple[float, float]     # world (x, z) of the person at the start, metres
    start_heading_deg: float
    actions: list[tuple[str, dict]]   # (action name, params incl. duration_s and intent)


def _wrap_deg(angle: float) -> float:
    return float((angle + 180.0) % 360.0 - 180.0)


def _facing_camera_deg(xz: np.ndarray, rng: np.random.Generator) -> float:
    """Heading that faces the camera at the origin, within +-20 degrees."""
    return _wrap_deg(math.degrees(math.atan2(-xz[0], -xz[1])) + float(rng.uniform(-20, 20)))


def _walk_end(xz: np.ndarray, heading_deg: float, speed: float, duration: float) -> np.ndarray:
    h = math.radians(heading_deg)
    return xz + speed * (duration - WALK_RAMP_S) * np.array([math.sin(h), math.cos(h)])


def _in_front(xz: np.ndarray, cfg: SynthConfig) -> bool:
    """Inside a comfortable working area: 1.6 m .. far end + 2 m away, within +-40 deg of the axis.

    1.6 m leaves room for a forward bend or a reach after the walk without touching the camera.
    """
    dist = float(np.hypot(*xz))
    return (xz[1] > 0 and 1.6 <= dist <= cfg.camera_distance_range_m[1] + 2.0
            and abs(math.degrees(math.atan2(xz[0], xz[1]))) <= 40.0)


def _plan_walk(name: str, xz: np.ndarray, cfg: SynthConfig, rng: np.random.Generator) -> dict | None:
    """Walk parameters that keep the person in front of the camera, or None if there is no room."""
    speed = float(rng.uniform(*cfg.walk_speed_range_mps))
    to_camera = math.degrees(math.atan2(-xz[0], -xz[1]))
    if name == "walk_towards":
        heading = to_camera + rng.uniform(-20, 20)
    elif name == "walk_away":
        heading = to_camera + 180 + rng.uniform(-20, 20)
    else:  # across the view (along the camera's x axis, world -+x), towards the optical axis
        heading = (-90.0 if xz[0] > 0 else 90.0) + rng.uniform(-15, 15)
    duration = float(rng.uniform(2.5, 5.0))
    while duration >= 2.0:
        path = [_walk_end(xz, heading, speed, d) for d in np.linspace(WALK_RAMP_S, duration, 6)]
        if all(_in_front(p, cfg) for p in path):
            return {"speed_mps": round(speed, 1), "heading_deg": _wrap_deg(heading), "duration_s": duration,
                    "phase0": float(rng.uniform(0, 2 * math.pi))}
        duration -= 0.25
    return None


def _plan_action(name: str, xz: np.ndarray, heading_deg: float, cfg: SynthConfig,
                 rng: np.random.Generator) -> dict | None:
    """Sampled parameters for one action (None if it does not fit here)."""
    if name in ("walk_towards", "walk_past", "walk_away"):
        return _plan_walk(name, xz, cfg, rng)
    hand = str(rng.choice(["right", "left"], p=[0.65, 0.35]))  # most people use the right hand
    if name == "stand":
        return {"duration_s": float(rng.uniform(1.0, 3.0)), "phase0": float(rng.uniform(0, 2 * math.pi)),
                "heading_deg": _wrap_deg(heading_deg + float(rng.uniform(-15, 15)))}
    if name == "wave":
        count, freq = int(rng.integers(1, 5)), float(rng.uniform(1.5, 2.5))
        raise_s = float(rng.uniform(0.45, 0.7))
        return {"hand": hand, "count": count, "freq_hz": round(freq, 2), "raise_s": raise_s,
                "elevation_deg": float(rng.uniform(85, 125)), "heading_deg": _facing_camera_deg(xz, rng),
                "duration_s": 2 * raise_s + count / round(freq, 2)}
    if name == "point":
        direction = str(rng.choice(["left", "right", "forward"]))
        if direction != "forward" and rng.uniform() < 0.75:
            hand = direction  # usually the hand on that side
        return {"hand": hand, "direction": direction, "elevation_deg": float(rng.uniform(75, 100)),
                "heading_deg": _facing_camera_deg(xz, rng), "duration_s": 1.2 + float(rng.uniform(1.0, 2.0))}
    if name == "hand_over":
        hand = "both" if rng.uniform() < 0.25 else hand
        return {"hand": hand, "elevation_deg": float(rng.uniform(45, 65)),
                "heading_deg": _facing_camera_deg(xz, rng), "duration_s": 1.4 + float(rng.uniform(0.8, 1.5))}
    if name in ("sit_down", "stand_up"):
        return {"duration_s": float(rng.uniform(1.6, 2.6))}
    if name == "pick_up":
        bend_s = float(rng.uniform(0.9, 1.3))
        return {"hand": "both" if rng.uniform() < 0.3 else hand, "style": str(rng.choice(["crouch", "stoop"])),
                "bend_s": bend_s, "duration_s": 2 * bend_s + float(rng.uniform(0.3, 0.8))}
    raise ValueError(f"unknown action {name!r}")


def _start_position(first: str, cfg: SynthConfig, rng: np.random.Generator) -> np.ndarray:
    lo, hi = cfg.camera_distance_range_m
    if first == "walk_towards":
        lo = max(lo, min(hi, 4.0))     # room to approach
    elif first == "walk_away":
        hi = min(hi, max(lo, 3.5))     # room to leave
    dist = float(rng.uniform(lo, hi))
    bearing = math.radians(float(rng.uniform(*cfg.bearing_range_deg)))
    return np.array([dist * math.sin(bearing), dist * math.cos(bearing)])


def plan_scene(seed: int, config: SynthConfig | None = None) -> ScenePlan:
    """Sample the body, camera, start position and action sequence for `seed` (deterministic)."""
    cfg = config or SynthConfig()
    rng = np.random.default_rng([int(seed), 0])  # stream 0: scene; corruption and language use 1, 2
    body = body_from_height(float(rng.uniform(*cfg.body_height_range_m)), rng)
    camera = CameraPose(height_m=float(rng.uniform(*cfg.camera_height_range_m)),
                        pitch_deg=float(rng.uniform(*cfg.camera_pitch_range_deg)))
    target_s = float(rng.uniform(*cfg.duration_range_s))
    weights = {a: float(cfg.action_weights.get(a, 1.0)) for a in ACTIONS}

    seated = rng.uniform() < cfg.seated_start_prob and weights["stand_up"] > 0
    actions: list[tuple[str, dict]] = []
    xz = None
    heading = float(rng.uniform(-180, 180))
    total = 0.0
    while len(actions) < cfg.max_actions and total < target_s:
        if seated:
            candidates = ["stand_up"]
        else:
            candidates = [a for a in ACTIONS if a != "stand_up" and weights[a] > 0
                          and (not actions or a != actions[-1][0])]
        params = None
        while candidates and params is None:
            w = np.array([weights[a] for a in candidates])
            name = str(rng.choice(candidates, p=w / w.sum()))
            if xz is None:  # the first action decides where the person starts
                xz = _start_position(name, cfg, rng)
                if name.startswith("walk") or name in ("wave", "point", "hand_over"):
                    heading = _facing_camera_deg(xz, rng)
                start_xz, start_heading = xz.copy(), heading
            params = _plan_action(name, xz, heading, cfg, rng)
            if params is None:
                candidates.remove(name)
        if params is None:
            break
        params["intent"] = ACTION_INTENT[name]
        actions.append((name, params))
        if name.startswith("walk"):
            xz = _walk_end(xz, params["heading_deg"], params["speed_mps"], params["duration_s"])
        heading = params.get("heading_deg", heading)
        seated = (name == "sit_down") or (seated and name != "stand_up")
        total += params["duration_s"]
    if not actions:
        raise RuntimeError(f"seed {seed}: no action fits the config")  # only with all weights 0
    if total < target_s and not seated and actions[-1][0] != "stand":
        params = _plan_action("stand", xz, heading, cfg, rng)
        params["duration_s"] = max(1.0, target_s - total)
        params["intent"] = ACTION_INTENT["stand"]
        actions.append(("stand", params))
    plan = ScenePlan(body=body, camera=camera, start_xz=(float(start_xz[0]), float(start_xz[1])),
                     start_heading_deg=float(start_heading), actions=actions)
    _describe_walks(plan)
    return plan


# ----------------------------------------------------------------------------------------------
# Rendering, corruption, language
# ----------------------------------------------------------------------------------------------

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


NUMBER_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}
SUBJECTS = ("A person", "Someone", "The person", "A pedestrian")
HAND_PHRASES = {"right": "the right hand", "left": "the left hand", "both": "both hands"}
POINT_DIRECTIONS = {"left": ("to their left", "to the left"), "right": ("to their right", "to the right"),
                    "forward": ("straight ahead", "forward")}
GERUNDS = {"walk_towards": "walking towards the camera", "walk_past": "walking past",
           "walk_away": "walking away", "stand": "standing still", "wave": "waving",
           "point": "pointing", "hand_over": "handing something over", "sit_down": "sitting down",
           "stand_up": "standing up", "pick_up": "picking something up"}


def _speed_phrase(p: dict, rng: np.random.Generator) -> str:
    word = speed_word(p["speed_mps"])
    adverb = {"slow": "slowly", "normal": "at a normal pace", "fast": "quickly"}[word]
    return str(rng.choice([adverb, f"at about {p['speed_mps']:.1f} m/s",
                           f"{adverb}, at about {p['speed_mps']:.1f} m/s"]))


def _clause(name: str, p: dict, rng: np.random.Generator) -> str:
    """Third-person verb phrase for one action; contains one of ACTION_WORDS[intent]."""
    pick = lambda options: str(rng.choice(options))  # noqa: E731
    if name == "walk_towards":
        return f"{pick(['walks towards the camera', 'approaches the camera', 'walks toward the robot'])} {_speed_phrase(p, rng)}"
    if name == "walk_past":
        d = p["direction"].replace("_", " ")
        return pick([f"walks past from {d}", f"passes by, moving from {d}", f"walks past the robot from {d}"]) + " " + _speed_phrase(p, rng)
    if name == "walk_away":
        return f"{pick(['walks away from the camera', 'walks away', 'leaves, walking away from the robot'])} {_speed_phrase(p, rng)}"
    if name == "stand":
        return pick(["stands still", "stands idle for a moment", f"stands still for about {p['duration_s']:.0f} seconds"])
    hand = HAND_PHRASES.get(p.get("hand", ""), "")
    if name == "wave":
        times = NUMBER_WORDS[p["count"]]
        return pick([f"waves {times} with {hand}", f"waves {hand} {times}", f"raises {hand} and waves {times}"])
    if name == "point":
        where = pick(POINT_DIRECTIONS[p["direction"]])
        arm = hand.replace("hand", "arm")
        return pick([f"points {where} with {hand}", f"raises {arm} and points {where}", f"points with {hand} {where}"])
    if name == "hand_over":
        return pick([f"hands over an object with {hand}", f"reaches forward at chest height and hands over something with {hand}",
                     f"holds out {hand} at chest height, as if to hand something over"])
    if name == "sit_down":
        return pick(["sits down", "sits down on a chair", "lowers themself and sits down"])
    if name == "stand_up":
        return pick(["stands up", "stands up from the chair", "gets up from the seat"])
    if name == "pick_up":
        how = "crouches down" if p["style"] == "crouch" else "bends over"
        return pick([f"{how} and picks up something from the floor with {hand}", f"picks up an object from the floor with {hand}",
                     f"{how} and picks up an object"])
    raise ValueError(name)


def _caption(segments: list[ActionSegment], rng: np.random.Generator) -> str:
    clauses = [_clause(s.name, s.params, rng) for s in segments]
    subject = str(rng.choice(SUBJECTS))
    if len(clauses) == 1:
        return f"{subject} {clauses[0]}."
    style = int(rng.integers(3))
    if style == 0:
        body = ", then ".join(clauses[:-1]) + (", and finally " if len(clauses) > 2 else ", then ") + clauses[-1]
        return f"{subject} {body}."
    if style == 1:
        return f"{subject} {clauses[0]}. " + " ".join(f"After that, the person {c}." for c in clauses[1:])
    return f"{subject} first {clauses[0]}, " + ", ".join(f"and then {c}" for c in clauses[1:]) + "."


def _qa(segments: list[ActionSegment], caption: str, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Question-answer pairs about hands, directions, speeds, counts and what comes next."""
    pick = lambda options: str(rng.choice(options))  # noqa: E731
    qa = [(pick(["What does the person do?", "Describe the person's motion.", "What is happening?"]), caption)]
    for i, s in enumerate(segments):
        p, doing = s.params, GERUNDS[s.name]
        if s.name.startswith("walk"):
            v, word = p["speed_mps"], speed_word(p["speed_mps"])
            qa.append((pick([f"How fast is the person {doing}?", f"What is the walking speed while {doing}?"]),
                       pick([f"About {v:.1f} m/s, a {word} pace.", f"{word.capitalize()}, about {v:.1f} m/s."])))
            where = {"walk_towards": "Towards the camera, coming closer.", "walk_away": "Away from the camera.",
                     "walk_past": f"Across the view, from {p['direction'].replace('_', ' ')}."}[s.name]
            qa.append((pick(["In which direction is the person walking?", "Where is the person walking?"]), where))
        if s.name == "wave":
            qa.append((pick(["Which hand does the person wave with?", "Which hand is used to wave?"]),
                       f"{HAND_PHRASES[p['hand']].capitalize()}."))
            qa.append((pick(["How many times does the person wave?", "How often does the person wave the hand?"]),
                       f"{NUMBER_WORDS[p['count']].capitalize()}."))
        if s.name == "point":
            qa.append((pick(["Which hand does the person point with?", "Which hand is raised to point?"]),
                       f"{HAND_PHRASES[p['hand']].capitalize()}."))
            qa.append((pick(["Where does the person point?", "In which direction does the person point?"]),
                       f"{POINT_DIRECTIONS[p['direction']][0].capitalize()}."))
        if s.name in ("hand_over", "pick_up"):
            qa.append((f"Which hand does the person use for {doing}?", f"{HAND_PHRASES[p['hand']].capitalize()}."))
        if i + 1 < len(segments):
            nxt = segments[i + 1]
            qa.append((pick([f"What does the person do after {doing}?", f"What happens next after {doing}?"]),
                       f"The person {_clause(nxt.name, nxt.params, rng)}."))
    return qa


def _describe_walks(plan: ScenePlan) -> None:
    """Add image-relative direction words to walk params ("left_to_right" as seen by the camera)."""
    rot = plan.camera.rotation()
    for name, p in plan.actions:
        if name == "walk_past":
            h = math.radians(p["heading_deg"])
            x_cam = float(rot[0] @ np.array([math.sin(h), 0.0, math.cos(h)]))
            p["direction"] = "left_to_right" if x_cam > 0 else "right_to_left"
        elif name == "walk_towards":
            p["direction"] = "towards_camera"
        elif name == "walk_away":
            p["direction"] = "away_from_camera"
        if name.startswith("walk"):
            p["speed_word"] = speed_word(p["speed_mps"])


def generate_clip(seed: int, config: SynthConfig | None = None) -> MotionClip:
    """One synthetic clip, fully determined by `seed` (and the config).

    Joints are metres in the camera optical frame (x right, y down, z forward); `joints` carries
    estimator-like noise and NaN dropouts, `joints_clean` the exact skeleton.
    """
    cfg = config or SynthConfig()
    plan = plan_scene(seed, cfg)
    clean, intent, segments = _render(plan, cfg.fps)
    joints, confidence = _corrupt(clean, cfg, np.random.default_rng([int(seed), 1]))
    language_rng = np.random.default_rng([int(seed), 2])
    caption = _caption(segments, language_rng)
    return MotionClip(
        joints=joints, confidence=confidence, fps=float(cfg.fps), intent=intent,
        joints_clean=clean.astype(np.float32), caption=caption, qa=_qa(segments, caption, language_rng),
        segments=segments, body_height=plan.body.height, source=f"synth:seed={int(seed)}",
    )


def generate_clips(seeds, config: SynthConfig | None = None) -> list[MotionClip]:
    """`generate_clip` for each seed in `seeds` (an iterable of ints)."""
    return [generate_clip(int(s), config) for s in seeds]
