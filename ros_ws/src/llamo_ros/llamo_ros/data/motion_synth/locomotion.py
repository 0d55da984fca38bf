"""Locomotion family: walking (towards, past, away, long walks with turns and stops), standing, jogging, running,
carrying, pushing."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    GRAVITY_MPS2, STANDING_POSE, BodyModel, _blend_into, _extended_pose, _pose_from, _ramp_envelope, _style, _turn,
    smoothstep,
)

WALK_RAMP_S = 0.6  # start/stop time of a walk; the steady speed holds in between
# A slow stroll (window shopping, waiting for someone): 0.4-0.8 m/s against 1.2-1.5 m/s of a normal walk, with
# shorter steps (`gait_parameters`) and the arms swinging 30-60 % as much (SynthConfig.stroll_prob).
STROLL_SPEED_MPS = (0.4, 0.8)
STROLL_ARM_SWING = (0.3, 0.6)


def plan_stroll(probability: float, rng: np.random.Generator) -> dict:
    """With `probability`, a walk's stroll parameters {"speed_mps": m/s, "arm_swing": share of the arm swing};
    else {}. Draws nothing when the probability is 0 (clips of configs without strolls stay as they were)."""
    if probability <= 0 or rng.uniform() >= probability:
        return {}
    return {"speed_mps": float(rng.uniform(*STROLL_SPEED_MPS)), "arm_swing": float(rng.uniform(*STROLL_ARM_SWING))}


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
    arm_amp = 0.8 * amp * p.get("arm_swing", 1.0)
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


# ---- broad generator: long walks with gradual turns and stops, jogging, running, carrying, pushing ----

def _heading_profile(t: np.ndarray, p: dict) -> np.ndarray:
    """Direction of travel (n,) rad: the start direction plus gradual turns [(start s, duration s, degrees)]."""
    h = np.full(len(t), math.radians(p["heading_deg"]))
    for t0, dur, deg in p.get("turns", ()):
        h = h + math.radians(deg) * smoothstep((t - t0) / dur)
    return h


def _speed_profile(t: np.ndarray, p: dict) -> np.ndarray:
    """Ground speed (n,) m/s: ramps up over ramp_s, holds, slows to a stop over ramp_s (not with `walks_on`: the
    clip ends while the person keeps going); pauses [(start, length)]."""
    ramp = p["ramp_s"]
    env = smoothstep(t / ramp) if p.get("walks_on") else _ramp_envelope(t, p["duration_s"], ramp, ramp)
    for t0, length in p.get("stops", ()):  # a realistic stop: decelerate over ~1 s, stand, set off again
        env = env * (1.0 - smoothstep((t - t0) / ramp) * smoothstep((t0 + ramp + length + ramp - t) / ramp))
    return p["speed_mps"] * env


def _gait(t: np.ndarray, p: dict, body: BodyModel, heading0: float, running: bool):
    """Walking or running pose and root velocity along `_heading_profile` at `_speed_profile`."""
    n = len(t)
    amplitude, tempo = _style(p)
    speed = _speed_profile(t, p)                                  # (n,)
    env = speed / max(p["speed_mps"], 1e-6)                       # (n,) 0..1
    path = _heading_profile(t, p)
    v = p["speed_mps"]
    if running:  # cadence 2.5-3 steps/s, hips +-0.45..0.7 rad, a flight phase in every step
        step_hz = (2.55 + 0.12 * (v - 2.5)) * tempo
        amp, knee_swing, knee_base, arm_amp, elbow = (0.42 + 0.1 * (v - 2.5)) * amplitude, 1.7, 0.25, 0.65, 1.5
    else:
        _, step_hz, amp = gait_parameters(v, body)
        amp, knee_swing, knee_base, arm_amp, elbow = (amp, min(1.2, 0.9 * (0.6 + 0.4 * v / 1.4)), 0.08,
                                                      0.8 * amp * p.get("arm_swing", 1.0), 0.3)
    dt = np.diff(t, prepend=t[0])
    phase = p["phase0"] + np.cumsum(math.pi * step_hz * (0.25 + 0.75 * env) * dt)  # (n,) one stride = 2 pi
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, path[0]) + (path - path[0]) - 0.05 * env * np.sin(phase)
    for side, ph in (("l", phase), ("r", phase + math.pi)):
        _blend_into(pose, {
            f"hip_flex_{side}": 0.03 + amp * np.sin(ph),
            f"knee_{side}": knee_base + knee_swing * np.maximum(0.0, np.cos(ph + 0.3)) ** 2,
            f"hip_abd_{side}": 0.03, f"arm_elev_{side}": -arm_amp * np.sin(ph), f"arm_azim_{side}": 0.0,
            f"elbow_{side}": elbow + 0.15 * np.maximum(0.0, -np.sin(ph)), "foot_plant": 0.0,
        }, env)
    _blend_into(pose, {"twist": 0.1 * np.sin(phase), "bend": 0.04 + (0.08 if running else 0.04) * v}, env)
    if running:  # stance centred where a leg passes under the body; in between both feet are off the floor
        step = 1.0 / step_hz
        duty = 0.38
        frac = np.mod(phase / math.pi + duty / 2, 1.0)             # (n,) 0 at touch-down
        tau = (frac - duty) * step
        flight = (1.0 - duty) * step
        pose["lift"] = (np.where(frac > duty, 0.5 * GRAVITY_MPS2 * tau * (flight - tau), 0.0) * (env > 0.8)
                        * smoothstep((env - 0.8) / 0.2))
    velocity = speed[:, None] * np.stack([np.sin(path), np.cos(path)], axis=-1)  # (n, 2)
    return pose, velocity


def _walk_long(t, p, body, heading0):
    return _gait(t, p, body, heading0, running=False)


def _run(t, p, body, heading0):
    return _gait(t, p, body, heading0, running=True)


def _carry(t, p, body, heading0):
    """Walking with both forearms forward under a box: no arm swing."""
    pose, velocity = _gait(t, p, body, heading0, running=False)
    hold = _ramp_envelope(t, p["duration_s"], 0.5, 0.5)
    for s in ("l", "r"):
        _blend_into(pose, {f"arm_elev_{s}": 0.45, f"arm_azim_{s}": 0.15, f"elbow_{s}": 1.45,
                           f"elbow_hint_{s}": math.pi / 2}, hold)
    _blend_into(pose, {"bend": -0.04, "head_pitch": 0.2}, hold)
    return pose, velocity


def _push(t, p, body, heading0):
    """Slow walking, leaning into the push with both arms forward at chest height."""
    pose, velocity = _gait(t, p, body, heading0, running=False)
    hold = _ramp_envelope(t, p["duration_s"], 0.5, 0.5)
    for s in ("l", "r"):
        _blend_into(pose, {f"arm_elev_{s}": 1.3, f"arm_azim_{s}": 0.1, f"elbow_{s}": 0.5,
                           f"elbow_hint_{s}": 0.0}, hold)
    _blend_into(pose, {"bend": 0.35, "head_pitch": -0.1}, hold)
    return pose, velocity
