"""Whole-body family: jumping (in place, forward), hopping, turning and spinning in place, stretching,
dance-like rhythmic motion, crawling."""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import (
    EXTENDED_POSE, STANDING_POSE, _blend_into, _extended_pose, _flight_lift, _keyframes, _ramp_envelope,
    _style, _turn, smoothstep,
)
from llamo_ros.data.motion_synth.postures import ALL_FOURS_POSE, HALF_KNEEL_POSE, KNEEL_POSE

BASE = {**STANDING_POSE, **EXTENDED_POSE}
JUMP_CROUCH = {"hip_flex_l": 0.9, "hip_flex_r": 0.9, "knee_l": 1.5, "knee_r": 1.5, "bend": 0.55,
               "arm_elev_l": -0.6, "arm_elev_r": -0.6, "elbow_l": 0.2, "elbow_r": 0.2}
JUMP_AIR = {"hip_flex_l": 0.15, "hip_flex_r": 0.15, "knee_l": 0.25, "knee_r": 0.25, "bend": 0.05,
            "arm_elev_l": 2.3, "arm_elev_r": 2.3, "elbow_l": 0.3, "elbow_r": 0.3}
CROUCH_S, PUSH_S, LAND_S = 0.45, 0.25, 0.4  # crouch, push-off on the floor, landing absorption of a jump


def jump_flight_s(height_m: float) -> float:
    """Time in the air, seconds, of a jump whose feet rise height_m."""
    return 2.0 * math.sqrt(2.0 * height_m / 9.81)


def _jump(t, p, body, heading0):
    """`count` two-footed jumps: crouch with the arms back, take off, fly (ballistic), land with bent knees.

    With distance_m > 0 each jump travels that far along the heading while airborne (jump forward).
    """
    n = len(t)
    flight = jump_flight_s(p["height_m"])
    cycle = CROUCH_S + PUSH_S + flight + LAND_S
    frames = [(0.0, {})]
    lift = np.zeros(n)
    airborne = np.zeros(n, dtype=bool)
    pitch_fwd = 0.25 if p["distance_m"] > 0 else 0.0
    for i in range(p["count"]):
        t0 = 0.2 + i * cycle
        off = t0 + CROUCH_S + PUSH_S  # take-off: the legs extend on the floor first, the arms swing up
        frames += [(t0 + CROUCH_S, JUMP_CROUCH | {"pitch": pitch_fwd}),
                   (off, JUMP_AIR | {"arm_elev_l": 1.6, "arm_elev_r": 1.6, "knee_l": 0.1, "knee_r": 0.1,
                                     "hip_flex_l": 0.05, "hip_flex_r": 0.05, "pitch": 0.5 * pitch_fwd}),
                   (off + 0.5 * flight, JUMP_AIR),
                   (off + flight, JUMP_AIR | {"knee_l": 0.3, "knee_r": 0.3, "hip_flex_l": 0.25, "hip_flex_r": 0.25,
                                              "arm_elev_l": 1.4, "arm_elev_r": 1.4}),
                   (off + flight + 0.5 * LAND_S, JUMP_CROUCH | {"arm_elev_l": 0.6, "arm_elev_r": 0.6}),
                   (t0 + cycle, {})]
        lift += _flight_lift(t, off, flight)
        airborne |= (t > off) & (t < off + flight)
    pose = _keyframes(t, frames, BASE)
    pose["lift"] = lift
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    direction = math.radians(p["heading_deg"])
    speed = p["distance_m"] / flight
    velocity = (speed * airborne)[:, None] * np.array([math.sin(direction), math.cos(direction)])
    return pose, velocity


def _hop(t, p, body, heading0):
    """`count` small hops on one foot, the other foot held up behind."""
    n = len(t)
    s, o = ("l", "r") if p["foot"] == "left" else ("r", "l")
    flight = jump_flight_s(p["height_m"])
    stance = p["stance_s"]
    hold = {f"hip_flex_{o}": 0.35, f"knee_{o}": 1.5, "arm_elev_l": 0.35, "arm_elev_r": 0.35, "arm_azim_l": 1.0,
            "arm_azim_r": 1.0, "elbow_l": 0.6, "elbow_r": 0.6}
    frames = [(0.0, {}), (0.5, hold)]
    lift = np.zeros(n)
    for i in range(p["count"]):
        t0 = 0.5 + i * (stance + flight)
        frames += [(t0 + stance, hold | {f"knee_{s}": 0.6, f"hip_flex_{s}": 0.35, "bend": 0.2}),
                   (t0 + stance + 0.5 * flight, hold | {f"knee_{s}": 0.1, f"hip_flex_{s}": 0.05}),
                   (t0 + stance + flight, hold | {f"knee_{s}": 0.3, f"hip_flex_{s}": 0.15})]
        lift += _flight_lift(t, t0 + stance, flight)
    frames += [(p["duration_s"], {})]
    pose = _keyframes(t, frames, BASE)
    pose["lift"] = lift
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    return pose, np.zeros((n, 2))


def _turn_in_place(t, p, body, heading0):
    """Turns on the spot by turn_deg (a spin when |turn_deg| >= 360), stepping round with small steps."""
    n, dur = len(t), p["duration_s"]
    amplitude, _ = _style(p)
    pose = _extended_pose(n, heading0)
    progress = smoothstep(t / dur)
    pose["heading"] = heading0 + math.radians(p["turn_deg"]) * progress
    env = _ramp_envelope(t, dur, 0.25, 0.25)
    steps = np.sin(2 * math.pi * p["step_hz"] * t)
    spin = abs(p["turn_deg"]) >= 360
    arms = 0.6 if spin else 0.1  # arms out a little for balance in a spin
    _blend_into(pose, {"knee_l": 0.1 + 0.5 * amplitude * np.maximum(0, steps),
                       "knee_r": 0.1 + 0.5 * amplitude * np.maximum(0, -steps),
                       "hip_flex_l": 0.05 + 0.3 * np.maximum(0, steps),
                       "hip_flex_r": 0.05 + 0.3 * np.maximum(0, -steps),
                       "arm_elev_l": arms, "arm_elev_r": arms, "arm_azim_l": 1.2, "arm_azim_r": 1.2}, env)
    return pose, np.zeros((n, 2))


def _stretch(t, p, body, heading0):
    """Both arms straight up overhead, a lean to each side, then back down."""
    T = p["duration_s"]
    amplitude, _ = _style(p)
    up = {"arm_elev_l": 2.95, "arm_elev_r": 2.95, "arm_azim_l": 0.15, "arm_azim_r": 0.15, "elbow_l": 0.05,
          "elbow_r": 0.05, "bend": -0.08, "head_pitch": -0.2}
    lean = 0.3 * amplitude
    pose = _keyframes(t, [(0.0, {}), (0.2 * T, up), (0.4 * T, up | {"lean": lean}), (0.6 * T, up | {"lean": -lean}),
                          (0.75 * T, up), (T, {})], BASE)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"]))
    return pose, np.zeros((len(t), 2))


def _dance(t, p, body, heading0):
    """Rhythmic motion on a beat: knees bounce every beat, hips sway and arms swing every two beats."""
    n, dur = len(t), p["duration_s"]
    amplitude, _ = _style(p)
    env = _ramp_envelope(t, dur, 0.5, 0.5)
    beat = 2 * math.pi * p["beat_hz"] * t
    half = 0.5 * beat + p["phase0"]
    pose = _extended_pose(n, heading0)
    pose["heading"] = _turn(t, heading0, math.radians(p["heading_deg"])) + 0.25 * amplitude * env * np.sin(half)
    a = amplitude
    _blend_into(pose, {
        "knee_l": 0.15 + 0.35 * a * (0.5 - 0.5 * np.cos(beat)), "knee_r": 0.15 + 0.35 * a * (0.5 - 0.5 * np.cos(beat)),
        "hip_flex_l": 0.1 + 0.2 * a * (0.5 - 0.5 * np.cos(beat)),
        "hip_flex_r": 0.1 + 0.2 * a * (0.5 - 0.5 * np.cos(beat)),
        "hip_abd_l": 0.08 + 0.08 * np.sin(half), "hip_abd_r": 0.08 - 0.08 * np.sin(half),
        "lean": 0.12 * a * np.sin(half), "twist": 0.25 * a * np.sin(half + 0.5),
        "arm_elev_l": 1.3 + 0.8 * a * np.sin(half), "arm_elev_r": 1.3 - 0.8 * a * np.sin(half),
        "arm_azim_l": 0.8, "arm_azim_r": 0.8, "elbow_l": 1.2 + 0.3 * np.cos(beat), "elbow_r": 1.2 - 0.3 * np.cos(beat),
        "elbow_hint_l": 0.0, "elbow_hint_r": 0.0, "head_pitch": 0.1 + 0.1 * np.cos(beat),
    }, env)
    return pose, np.zeros((n, 2))


def _crawl(t, p, body, heading0):
    """Gets down on hands and knees, crawls (diagonal limbs together) along the heading, gets back up."""
    T = p["duration_s"]
    d = p["down_s"]
    c0, c1 = 2 * d, T - 2 * d  # crawling between these times
    pose = _keyframes(t, [(0.0, {}), (d, KNEEL_POSE), (2 * d, ALL_FOURS_POSE), (c1, ALL_FOURS_POSE),
                          (c1 + 0.8 * d, KNEEL_POSE), (c1 + 1.3 * d, HALF_KNEEL_POSE), (T, {})], BASE)
    env = _ramp_envelope(t - c0, c1 - c0, 0.4, 0.4) * ((t >= c0) & (t <= c1))
    ph = 2 * math.pi * p["stride_hz"] * (t - c0)
    amp = 0.25
    pose["hip_flex_l"] += amp * env * np.sin(ph)
    pose["arm_elev_r"] += amp * env * np.sin(ph)        # diagonal pairs move together
    pose["hip_flex_r"] += amp * env * np.sin(ph + math.pi)
    pose["arm_elev_l"] += amp * env * np.sin(ph + math.pi)
    pose["elbow_l"] += 0.3 * env * np.maximum(0, np.sin(ph))
    pose["elbow_r"] += 0.3 * env * np.maximum(0, -np.sin(ph))
    direction = math.radians(p["heading_deg"])
    pose["heading"] = _turn(t, heading0, direction)
    velocity = (p["speed_mps"] * env)[:, None] * np.array([math.sin(direction), math.cos(direction)])
    return pose, velocity
