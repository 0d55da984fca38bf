"""Improvised-motion family: a person moving in an unscripted way, fitting none of the named intents.

Outlier exposure for the intent head's `other` class: the model learns that motion unlike its named intents is
"other" only if it sees some. An improvisation starts standing, goes into a base posture the rig supports
(BASE_POSTURES: standing, bent forward, squatting, kneeling on one or both knees, sitting on the floor, lying face
up) along the paths of `postures` (never through hands and knees: that is the held-out crawl's posture), moves
its limbs, trunk and head along smooth random joint-angle trajectories for IMPROVISE_S, and returns to standing
the way it came. Standing and bent forward, the person may also drift slowly over the ground (at most
MAX_DRIFT_MPS, the direction changing smoothly) and turn; low on the floor the body stays on its spot (a body
moving about near the floor would imitate crawling).

Each trajectory is a sum of a few sinusoids at 0.3-2 Hz (LIMB_HZ; legs slower, LEG_HZ) about a per-clip offset,
amplitudes tens of degrees (clearly above the sway of a person standing about) and each component's amplitude
at most MAX_RATE_RAD_S / (2 pi f): the limbs move steadily, never in a snap like a throw, kick or punch.
Angles follow `body.POSE_KEYS` / `body.EXTENDED_POSE` (radians); velocities are world (x, z) m/s.
"""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    ELBOW_MAX_RAD, EXTENDED_POSE, KNEE_MAX_RAD, STANDING_POSE, BodyModel, _keyframes, _ramp_envelope, _style,
    _turn, smoothstep,
)
from llamo_ros.data.motion_synth.kinematics import _forward_kinematics
from llamo_ros.data.motion_synth.postures import (
    FLOOR_SIT_POSE, HALF_KNEEL_POSE, KNEEL_POSE, LYING_FACE_UP_POSE, SQUAT_POSE,
)
from llamo_ros.skeleton import ROOT

BASE = {**STANDING_POSE, **EXTENDED_POSE}
BENT_POSE = {"bend": 0.85, "hip_flex_l": 0.25, "hip_flex_r": 0.25, "knee_l": 0.2, "knee_r": 0.2, "head_pitch": -0.3}
# sitting on the floor leaning on the hands behind and to the sides (the rig's FLOOR_SIT_POSE crosses the wrists
# behind the back, which measures as hands meeting, i.e. clapping, once they move)
SIT_ON_HANDS_POSE = FLOOR_SIT_POSE | {"arm_azim_l": -0.9, "arm_azim_r": -0.9}
LOW_SQUAT_POSE = {k: v for k, v in SQUAT_POSE.items() if not k.startswith(("arm_", "elbow_"))}  # arms improvise
# Base posture -> the keyframe poses from standing into it (each reached after one transition step); the way back
# is the same path reversed. Lying face down is left out: the rig reaches it only by falling or through hands and
# knees (`postures._get_up_face_down`).
BASE_POSTURES: dict[str, tuple[dict, ...]] = {
    "standing": (),
    "bent": (BENT_POSE,),
    "squat": (LOW_SQUAT_POSE,),
    "half_kneel": (HALF_KNEEL_POSE,),
    "kneel": (HALF_KNEEL_POSE, KNEEL_POSE),
    "floor_sit": (LOW_SQUAT_POSE, SIT_ON_HANDS_POSE),
    "lying_face_up": (LOW_SQUAT_POSE, SIT_ON_HANDS_POSE, LYING_FACE_UP_POSE),
}
POSTURE_WEIGHTS = {"standing": 0.25, "bent": 0.15, "squat": 0.12, "half_kneel": 0.12, "kneel": 0.12,
                   "floor_sit": 0.12, "lying_face_up": 0.12}
DRIFTING = frozenset({"standing", "bent"})   # postures that may move over the ground
IMPROVISE_S = (2.0, 5.0)    # the improvised part, s
STEP_S = (0.8, 1.2)         # one transition step between keyframe postures, s
RAMP_S = 0.5                # the improvisation fades in and out over this time (joins the still postures smoothly)
LIMB_HZ = (0.3, 2.0)        # frequencies of the arm, trunk and head trajectories
LEG_HZ = (0.3, 1.0)         # legs move slower: fast leg swings would be kicks
MAX_RATE_RAD_S = 2.0        # each sinusoid's peak angular rate, rad/s: steady, not the snap of a throw or punch
MAX_DRIFT_MPS = 0.6         # root drift speed at most
MAX_TURN_RAD = 1.2          # random yaw changes about the start heading, at most

# Channel -> (offset range, amplitude range), radians. Arms and head improvise in every posture; the trunk where
# the body is off the floor; the legs where their posture leaves them free (channels set per posture below).
# Arm offsets are the arm's angles (the arms leave the posture's carriage); the others' add to the posture's.
# Elbows stay bent beyond ~65 degrees (ELBOW_MIN_RAD), hands mostly below the shoulders, arms never across the body:
# straight arms held forward or sideways read as pointing or handing over, raised hands moving back and forth as
# waving, hands meeting in front as clapping (`motion.action_rules`).
ARM_CHANNELS = {"arm_elev": ((0.2, 1.1), (0.4, 0.9)), "arm_azim": ((0.5, 1.3), (0.3, 0.7)),
                "elbow": ((1.3, 1.9), (0.3, 0.6)), "elbow_hint": ((0.3, 1.3), (0.3, 0.6))}
# Standing, a forearm held forward reads as handing over (the wrist >= 0.3 m in front of the chest), a straight
# arm held out as pointing (elbow under ~65 degrees) and a hand raised and moving as waving: the arms move about
# the body's sides (azimuth ~pi/2), below the shoulders, the elbows bent, the forearms bending up and back.
UPRIGHT_ARM_CHANNELS = {"arm_elev": ((0.45, 0.8), (0.2, 0.35)), "arm_azim": ((1.2, 1.8), (0.2, 0.4)),
                        "elbow": ((1.15, 1.45), (0.15, 0.3)), "elbow_hint": ((-0.5, -0.1), (0.1, 0.2))}
# ... and the upper arms stay this far from hanging: a forearm bending "up" along a hanging upper arm has no
# defined direction (`kinematics` flips it outwards), and the wrist would jump
UPRIGHT_ARM_ELEV_MIN_RAD = 0.4
ELBOW_MIN_RAD = 1.15  # the elbows stay bent beyond this: a straighter arm held out reads as pointing
ARM_KEYS = tuple(ARM_CHANNELS)
HEAD_CHANNELS = {"head_pitch": ((0.0, 0.0), (0.15, 0.3)), "head_yaw": ((0.0, 0.0), (0.3, 0.6))}
# a trunk twisted far brings the arm at one side forward (handing over): twists stay moderate
TRUNK_CHANNELS = {"twist": ((0.0, 0.0), (0.1, 0.3)), "lean": ((0.0, 0.0), (0.1, 0.25)),
                  "bend": ((0.0, 0.0), (0.1, 0.3))}
LEG_CHANNELS: dict[str, dict[str, tuple[tuple[float, float], tuple[float, float]]]] = {
    "standing": {"hip_flex": ((0.0, 0.1), (0.15, 0.35)), "knee": ((0.1, 0.3), (0.2, 0.5)),
                 "hip_abd": ((0.0, 0.1), (0.05, 0.15))},
    "bent": {"knee": ((0.0, 0.2), (0.1, 0.3))},
    "squat": {"hip_abd": ((0.0, 0.1), (0.05, 0.15))},
    "half_kneel": {},
    "kneel": {},
    "floor_sit": {"knee": ((0.3, 1.0), (0.3, 0.6)), "hip_abd": ((0.0, 0.2), (0.1, 0.2))},
    "lying_face_up": {"hip_flex": ((0.2, 0.6), (0.2, 0.5)), "knee": ((0.3, 1.0), (0.3, 0.7)),
                      "hip_abd": ((0.0, 0.2), (0.1, 0.2))},
}
ON_THE_FLOOR = frozenset({"floor_sit", "lying_face_up"})  # the trunk rests: no twist, lean or bend improvised
# Joint limits the improvised angles are clipped to (radians): the rig's knee and elbow limits (elbows bent at
# least ELBOW_MIN_RAD), arms from a little behind the body to above the shoulder, never across the body.
LIMITS = {"arm_elev": (-0.5, 2.6), "arm_azim": (0.0, 2.0), "elbow": (ELBOW_MIN_RAD, ELBOW_MAX_RAD),
          "elbow_hint": (-0.7, 1.6),
          "knee": (0.0, KNEE_MAX_RAD), "hip_flex": (-0.4, 2.2), "hip_abd": (-0.1, 0.5), "twist": (-0.8, 0.8),
          "lean": (-0.4, 0.4), "bend": (-0.3, 1.4), "head_pitch": (-0.7, 0.8), "head_yaw": (-1.0, 1.0)}


def _components(rng: np.random.Generator, amplitude: float, hz: tuple[float, float]) -> list[list[float]]:
    """3 sinusoids [amplitude rad, frequency Hz, phase rad] whose amplitudes sum to `amplitude`, each capped so
    that its angular rate stays under MAX_RATE_RAD_S. Comparable weights: no single frequency dominates, so the
    motion is not periodic like a wave or a clap."""
    weights = rng.dirichlet(np.full(3, 3.0))
    out = []
    for w in weights:
        f = float(rng.uniform(*hz))
        out.append([min(float(w * amplitude), MAX_RATE_RAD_S / (2 * math.pi * f)), f,
                    float(rng.uniform(0, 2 * math.pi))])
    return out


def _channels(posture: str, rng: np.random.Generator) -> dict[str, dict]:
    """Pose key -> {"offset": rad, "waves": components} of one improvisation in `posture`."""
    specs: list[tuple[str, tuple, tuple, tuple]] = []
    arms = UPRIGHT_ARM_CHANNELS if posture == "standing" else ARM_CHANNELS
    for side in ("l", "r"):
        specs += [(f"{k}_{side}", off, amp, LIMB_HZ) for k, (off, amp) in arms.items()]
        specs += [(f"{k}_{side}", off, amp, LEG_HZ) for k, (off, amp) in LEG_CHANNELS[posture].items()]
    specs += [(k, off, amp, LIMB_HZ) for k, (off, amp) in HEAD_CHANNELS.items()]
    if posture not in ON_THE_FLOOR:
        specs += [(k, off, amp, LIMB_HZ) for k, (off, amp) in TRUNK_CHANNELS.items()]
    return {key: {"offset": float(rng.uniform(*off)),
                  "waves": _components(rng, float(rng.uniform(*amp)), hz)}
            for key, off, amp, hz in specs}


def plan_improvise(rng: np.random.Generator, hand: str) -> dict:
    """Parameters of one improvisation (the catalogue's `_in_place` adds heading and style; no hand leads).

    Draws the base posture, the transition and improvisation times, the channels' trajectories and, standing or
    bent forward, the ground drift: speed 0-MAX_DRIFT_MPS, its direction (rad, relative to the heading) changing
    smoothly at `drift_turn_hz`; and the yaw changes (`turn_rad` over the improvisation, at most MAX_TURN_RAD).
    """
    names = list(POSTURE_WEIGHTS)
    posture = str(rng.choice(names, p=np.array([POSTURE_WEIGHTS[n] for n in names])))
    steps = len(BASE_POSTURES[posture])
    step_s = float(rng.uniform(*STEP_S))
    hold = float(rng.uniform(*IMPROVISE_S))
    drifts = posture in DRIFTING and rng.uniform() < 0.6
    return {"posture": posture, "step_s": step_s, "improvise_s": hold,
            "duration_s": 2 * steps * step_s + hold + 0.2,
            "channels": _channels(posture, rng),
            "drift_mps": float(rng.uniform(0.1, MAX_DRIFT_MPS)) if drifts else 0.0,
            "drift_dir": float(rng.uniform(-math.pi, math.pi)),
            "drift_turn_hz": float(rng.uniform(0.1, 0.4)), "drift_phase": float(rng.uniform(0, 2 * math.pi)),
            # on the floor the body keeps its heading: turning it would swing the pelvis round the feet over the floor
            "turn_rad": 0.0 if posture in ON_THE_FLOOR else float(rng.uniform(-MAX_TURN_RAD, MAX_TURN_RAD)),
            "sway_rad": 0.0 if posture in ON_THE_FLOOR else float(rng.uniform(0.0, 0.4)),
            "sway_hz": float(rng.uniform(0.2, 0.5))}


def _trajectory(t: np.ndarray, waves: list[list[float]]) -> np.ndarray:
    """(n,) sum of the sinusoids [amplitude rad, frequency Hz, phase rad] at times t s."""
    return sum((a * np.sin(2 * math.pi * f * t + ph) for a, f, ph in waves), np.zeros(len(t)))


def _improvise(t: np.ndarray, p: dict, body: BodyModel, heading0: float):
    """Standing -> base posture -> improvised limb, trunk and head motion (and drift, turns) -> standing."""
    amplitude, _ = _style(p)
    path, step, hold = BASE_POSTURES[p["posture"]], p["step_s"], p["improvise_s"]
    a = len(path) * step                 # the improvisation runs over [a, a + hold]
    frames = [(0.0, {})] + [((i + 1) * step, pose) for i, pose in enumerate(path)]
    frames += [(a + hold, path[-1] if path else {})]
    frames += [(a + hold + (i + 1) * step, pose) for i, pose in enumerate(list(path[:-1])[::-1] + [{}])]
    pose = _keyframes(t, frames, BASE)
    base = {k: v.copy() for k, v in pose.items()}  # the postures alone, without improvisation
    env = _ramp_envelope(t - a, hold, RAMP_S, RAMP_S) * ((t >= a) & (t <= a + hold))  # (n,) 0..1
    for key, ch in p["channels"].items():
        lo, hi = LIMITS[key.rsplit("_", 1)[0] if key.endswith(("_l", "_r")) else key]
        if p["posture"] == "lying_face_up" and key.startswith("arm_elev"):
            lo = 0.1  # lying on the back, an arm swung behind the body would go through the floor
        if p["posture"] == "standing" and key.startswith("arm_elev"):
            lo = UPRIGHT_ARM_ELEV_MIN_RAD
        centre = ch["offset"] if key.startswith(ARM_KEYS) else pose[key] + ch["offset"]
        target = centre + amplitude * _trajectory(t - a, ch["waves"])
        # clipping the target (not the blend) keeps the still postures at both ends exactly as they were
        pose[key] = (1.0 - env) * pose[key] + env * np.clip(target, lo, hi)
    # yaw: a smooth turn by turn_rad over the improvisation and a slow sway about it
    yaw = p["turn_rad"] * smoothstep((t - a) / max(hold, 1e-6))
    yaw = yaw + env * p["sway_rad"] * np.sin(2 * math.pi * p["sway_hz"] * (t - a))
    facing = math.radians(p["heading_deg"])
    pose["heading"] = _turn(t, heading0, facing) + yaw
    # drift over the ground: direction relative to the start heading, wandering smoothly by up to 86 degrees
    direction = facing + p["drift_dir"] + 1.5 * np.sin(2 * math.pi * p["drift_turn_hz"] * (t - a) + p["drift_phase"])
    speed = p["drift_mps"] * env
    velocity = speed[:, None] * np.stack([np.sin(direction), np.cos(direction)], axis=-1)  # (n, 2) world x, z
    if p["posture"] in ON_THE_FLOOR:
        pose["foot_plant"] = _still_pelvis(body, pose, base)
    return pose, velocity


def _feet_forward(body: BodyModel, pose: dict[str, np.ndarray]) -> np.ndarray:
    """(n,) metres the feet are ahead of the pelvis along the heading (what `foot_plant` shifts the body by)."""
    n = len(pose["heading"])
    world = _forward_kinematics(body, {**pose, "foot_plant": np.ones(n)}, np.zeros((n, 2)))  # (n, 17, 3)
    return -(world[:, ROOT, 0] * np.sin(pose["heading"]) + world[:, ROOT, 2] * np.cos(pose["heading"]))


def _still_pelvis(body: BodyModel, pose: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> np.ndarray:
    """(n,) foot_plant that keeps the pelvis of a body on the floor where the posture without improvisation puts it.

    With the feet kept over the anchor (foot_plant 1), legs moving while sitting or lying would slide the pelvis
    over the floor, a body scooting along near the floor; the pelvis rests instead and the feet move.
    """
    moving = _feet_forward(body, pose)
    still = _feet_forward(body, {**base, "heading": pose["heading"]})
    return np.where(np.abs(moving) > 0.1, still / np.where(np.abs(moving) > 0.1, moving, 1.0), 1.0)
