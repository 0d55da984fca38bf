"""The action catalogue: every action's family, intent, postures, pose function and parameter sampler.

Postures ("standing", "seated", "lying_face_up", "lying_face_down") are what an action needs at its start
and leaves at its end, so that `plan_scene` chains only physically possible sequences. `intent` is an
`INTENT_LABELS` label, None for motion that fits no intent (the `other` intent), or
`BY_DIRECTION` for locomotion whose intent per frame follows its direction relative to the camera.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from llamo_ros.data.motion_synth import combat, gestures, improvised, locomotion, objects, postures, whole_body
from llamo_ros.data.motion_synth.config import ACTION_INTENT, ACTIONS

BY_DIRECTION = "by_direction"
POSTURES = ("standing", "seated", "lying_face_up", "lying_face_down")


@dataclass(frozen=True)
class ActionSpec:
    """One action of the generator."""

    family: str           # locomotion, gesture, object, posture, whole_body, combat, improvised
    intent: str | None    # INTENT_LABELS label, None (fits no intent) or BY_DIRECTION
    start_posture: str    # one of POSTURES
    end_posture: str
    pose: Callable        # (t (n,) s, params, body, heading0 rad) -> (pose parameters, root velocity (n, 2) m/s)
    plan: Callable | None  # (xz, heading_deg, cfg, rng, hand) -> params or None; None: the original planner
    faces_camera: bool = False  # as the first action, the person starts facing the camera


def _facing(xz, rng) -> float:
    return float((math.degrees(math.atan2(-xz[0], -xz[1])) + rng.uniform(-25, 25) + 180.0) % 360.0 - 180.0)


def _styled(cfg, rng) -> dict:
    return {"amplitude": float(rng.uniform(*cfg.style_amplitude_range)),
            "tempo": float(rng.uniform(*cfg.style_tempo_range))}


def _travel_heading(xz, rng) -> float:
    """A direction of travel: towards, away from, across or oblique to the camera, uniformly."""
    return float(rng.uniform(-180, 180))


def _plan_gait(speed_range: tuple[float, float], duration: tuple[float, float], turns: bool, stops: bool,
               strolls: bool = False):
    def plan(xz, heading_deg, cfg, rng, hand):
        dur = float(rng.uniform(*duration))
        p = {"speed_mps": round(float(rng.uniform(*speed_range)), 2), "heading_deg": _travel_heading(xz, rng),
             "duration_s": dur, "ramp_s": float(rng.uniform(0.6, 1.1)), "phase0": float(rng.uniform(0, 2 * math.pi)),
             **_styled(cfg, rng), "turns": [], "stops": []}
        if strolls:  # a slow stroll instead (SynthConfig.stroll_prob); draws nothing when that is 0
            stroll = locomotion.plan_stroll(cfg.stroll_prob, rng)
            p.update({**stroll, "speed_mps": round(stroll["speed_mps"], 2)} if stroll else {})
        if turns:  # gradual turns: 20-90 degrees over 1.5-4 s, i.e. at most ~45 deg/s
            for _ in range(int(rng.integers(0, 3))):
                t0 = float(rng.uniform(1.0, max(1.5, dur - 3.0)))
                p["turns"].append((t0, float(rng.uniform(1.5, 4.0)), float(rng.choice([-1, 1]) * rng.uniform(20, 90))))
        if stops and rng.uniform() < 0.35 and dur > 7.0:  # a stop in the middle: stand 0.5-2 s, walk on
            p["stops"].append((float(rng.uniform(2.5, dur - 4.5)), float(rng.uniform(0.5, 2.0))))
        return p
    return plan


def _gait_speed(name):
    return lambda cfg: {"walk": cfg.walk_speed_range_mps, "jog": cfg.jog_speed_range_mps,
                        "run": cfg.run_speed_range_mps, "carry": (0.7, 1.3), "push": (0.4, 0.9)}[name]


def _plan_moving(name, duration, turns=False, stops=False):
    def plan(xz, heading_deg, cfg, rng, hand):
        return _plan_gait(_gait_speed(name)(cfg), duration, turns, stops, strolls=name == "walk")(
            xz, heading_deg, cfg, rng, hand)
    return plan


def _in_place(extra: Callable[[np.random.Generator, str], dict]):
    """Planner of an action done on the spot, facing roughly the camera; extra(rng, hand) adds its parameters."""
    def plan(xz, heading_deg, cfg, rng, hand):
        p = {"heading_deg": _facing(xz, rng), **_styled(cfg, rng)}
        p.update(extra(rng, hand))
        return p
    return plan


def _clap(rng, hand):
    count, freq, raise_s = int(rng.integers(3, 9)), round(float(rng.uniform(1.5, 3.0)), 2), float(rng.uniform(0.4, 0.6))
    return {"count": count, "freq_hz": freq, "raise_s": raise_s, "duration_s": 2 * raise_s + count / freq}


def _head(rng, hand):
    count, freq = int(rng.integers(2, 5)), round(float(rng.uniform(1.2, 2.2)), 2)
    return {"count": count, "freq_hz": freq, "duration_s": count / freq + float(rng.uniform(0.3, 0.8))}


def _jump(forward: bool):
    def extra(rng, hand):
        h = float(rng.uniform(0.15, 0.45))
        count = int(rng.integers(1, 4))
        flight = whole_body.jump_flight_s(h)
        return {"height_m": h, "count": count, "distance_m": float(rng.uniform(0.6, 1.4)) if forward else 0.0,
                "duration_s": 0.4 + count * (whole_body.CROUCH_S + whole_body.PUSH_S + flight + whole_body.LAND_S)}
    return extra


def _hop(rng, hand):
    h, stance, count = float(rng.uniform(0.08, 0.18)), float(rng.uniform(0.2, 0.3)), int(rng.integers(2, 6))
    return {"foot": hand, "height_m": h, "stance_s": stance, "count": count,
            "duration_s": 1.0 + count * (stance + whole_body.jump_flight_s(h))}


def _turn(spin: bool):
    def extra(rng, hand):
        deg = float(rng.uniform(360, 720) if spin else rng.uniform(90, 200)) * float(rng.choice([-1, 1]))
        dur = abs(deg) / float(rng.uniform(300, 500) if spin else rng.uniform(90, 160))
        return {"turn_deg": deg, "duration_s": max(0.8, dur), "step_hz": float(rng.uniform(1.5, 2.5))}
    return extra


def _crawl(rng, hand):
    crawl_s = float(rng.uniform(2.0, 5.0))
    down = float(rng.uniform(0.7, 1.0))
    return {"down_s": down, "speed_mps": float(rng.uniform(0.3, 0.6)), "stride_hz": float(rng.uniform(0.7, 1.1)),
            "duration_s": 4 * down + crawl_s}


def _plan_crawl(xz, heading_deg, cfg, rng, hand):
    p = _crawl(rng, hand)
    p["heading_deg"] = _travel_heading(xz, rng)
    return p | _styled(cfg, rng)


CATALOGUE: dict[str, ActionSpec] = {
    # the original ten: planned by scene._plan_action, so the default clips are unchanged
    "walk_towards": ActionSpec("locomotion", "approaching", "standing", "standing", locomotion._walk, None, True),
    "walk_past": ActionSpec("locomotion", "passing_by", "standing", "standing", locomotion._walk, None, True),
    "walk_away": ActionSpec("locomotion", "leaving", "standing", "standing", locomotion._walk, None, True),
    "stand": ActionSpec("locomotion", "standing_idle", "standing", "standing", locomotion._stand, None),
    "wave": ActionSpec("gesture", "waving", "standing", "standing", gestures._wave, None, True),
    "point": ActionSpec("gesture", "pointing", "standing", "standing", gestures._point, None, True),
    "hand_over": ActionSpec("object", "handing_over", "standing", "standing", objects._hand_over, None, True),
    "sit_down": ActionSpec("posture", "sitting_down", "standing", "seated", postures._sit_down, None),
    "stand_up": ActionSpec("posture", "standing_up", "seated", "standing", postures._stand_up, None),
    "pick_up": ActionSpec("object", "picking_up", "standing", "standing", objects._pick_up, None),
    # locomotion
    "walk": ActionSpec("locomotion", BY_DIRECTION, "standing", "standing", locomotion._walk_long,
                       _plan_moving("walk", (6.0, 15.0), turns=True, stops=True)),
    "jog": ActionSpec("locomotion", BY_DIRECTION, "standing", "standing", locomotion._run,
                      _plan_moving("jog", (5.0, 12.0), turns=True)),
    "run": ActionSpec("locomotion", BY_DIRECTION, "standing", "standing", locomotion._run,
                      _plan_moving("run", (5.0, 10.0), turns=True)),
    # gestures
    "clap": ActionSpec("gesture", None, "standing", "standing", gestures._clap, _in_place(_clap), True),
    "nod": ActionSpec("gesture", None, "standing", "standing", gestures._nod, _in_place(_head), True),
    "head_shake": ActionSpec("gesture", None, "standing", "standing", gestures._head_shake, _in_place(_head), True),
    "bow": ActionSpec("gesture", None, "standing", "standing", gestures._bow, _in_place(
        lambda rng, hand: {"depth_deg": float(rng.uniform(30, 65)), "duration_s": float(rng.uniform(2.0, 3.2))}), True),
    # object interaction
    "carry": ActionSpec("object", None, "standing", "standing", locomotion._carry,
                        _plan_moving("carry", (3.0, 7.0), turns=True)),
    "push": ActionSpec("object", None, "standing", "standing", locomotion._push, _plan_moving("push", (3.0, 6.0))),
    "throw": ActionSpec("object", None, "standing", "standing", objects._throw, _in_place(
        lambda rng, hand: {"hand": hand, "windup_s": float(rng.uniform(0.5, 0.8)),
                           "duration_s": float(rng.uniform(2.0, 2.8))})),
    "reach_up": ActionSpec("object", None, "standing", "standing", objects._reach_up, _in_place(
        lambda rng, hand: {"hand": "both" if rng.uniform() < 0.4 else hand,
                           "elevation_deg": float(rng.uniform(160, 175)),
                           "duration_s": float(rng.uniform(2.0, 3.5))})),
    # postures
    "squat": ActionSpec("posture", None, "standing", "standing", postures._squat, _in_place(
        lambda rng, hand: (lambda c, r: {"count": c, "rep_s": r, "duration_s": c * r + 0.3})(
            int(rng.integers(1, 4)), float(rng.uniform(1.6, 2.4))))),
    "crouch": ActionSpec("posture", "picking_up", "standing", "standing", postures._crouch, _in_place(
        lambda rng, hand: (lambda d, h: {"down_s": d, "hold_s": h, "duration_s": 2 * d + h + 0.3})(
            float(rng.uniform(0.8, 1.2)), float(rng.uniform(1.0, 3.0))))),
    "kneel": ActionSpec("posture", None, "standing", "standing", postures._kneel, _in_place(
        lambda rng, hand: (lambda d, h, s: {"down_s": d, "hold_s": h, "style": s,
                                            "duration_s": (2 * d if s == "one_knee" else 3 * d) + h + 0.3})(
            float(rng.uniform(0.9, 1.3)), float(rng.uniform(1.0, 3.0)), str(rng.choice(["one_knee", "both_knees"]))))),
    "lie_down": ActionSpec("posture", None, "standing", "lying_face_up", postures._lie_down, _in_place(
        lambda rng, hand: {"duration_s": float(rng.uniform(3.0, 4.5))})),
    "get_up_face_up": ActionSpec("posture", "standing_up", "lying_face_up", "standing", postures._get_up_face_up,
                                 _in_place(lambda rng, hand: {"duration_s": float(rng.uniform(2.5, 4.0))})),
    "get_up_face_down": ActionSpec("posture", "standing_up", "lying_face_down", "standing", postures._get_up_face_down,
                                   _in_place(lambda rng, hand: {"duration_s": float(rng.uniform(2.8, 4.5))})),
    "fall": ActionSpec("posture", None, "standing", "lying_face_down", postures._fall, _in_place(
        lambda rng, hand: (lambda f: {"fall_s": f, "duration_s": f + 0.4 + float(rng.uniform(0.6, 1.5))})(
            float(rng.uniform(0.7, 1.0))))),
    # whole body
    "jump": ActionSpec("whole_body", None, "standing", "standing", whole_body._jump, _in_place(_jump(False))),
    "jump_forward": ActionSpec("whole_body", None, "standing", "standing", whole_body._jump, _in_place(_jump(True))),
    "hop": ActionSpec("whole_body", None, "standing", "standing", whole_body._hop, _in_place(_hop)),
    "turn": ActionSpec("whole_body", None, "standing", "standing", whole_body._turn_in_place, _in_place(_turn(False))),
    "spin": ActionSpec("whole_body", None, "standing", "standing", whole_body._turn_in_place, _in_place(_turn(True))),
    "stretch": ActionSpec("whole_body", None, "standing", "standing", whole_body._stretch, _in_place(
        lambda rng, hand: {"duration_s": float(rng.uniform(3.0, 5.0))})),
    "dance": ActionSpec("whole_body", None, "standing", "standing", whole_body._dance, _in_place(
        lambda rng, hand: {"beat_hz": float(rng.uniform(1.6, 2.4)), "phase0": float(rng.uniform(0, 2 * math.pi)),
                           "duration_s": float(rng.uniform(3.0, 7.0))})),
    "crawl": ActionSpec("whole_body", None, "standing", "standing", whole_body._crawl, _plan_crawl),
    # combat
    "kick": ActionSpec("combat", None, "standing", "standing", combat._kick, _in_place(
        lambda rng, hand: {"foot": hand, "height_deg": float(rng.uniform(100, 125)),
                           "duration_s": float(rng.uniform(1.8, 2.4))})),
    "punch": ActionSpec("combat", None, "standing", "standing", combat._punch, _in_place(
        lambda rng, hand: (lambda c, r: {"hand": hand, "count": c, "rep_s": r, "alternate": bool(rng.uniform() < 0.5),
                                         "duration_s": 0.4 + c * r + 0.6})(
            int(rng.integers(1, 5)), float(rng.uniform(0.35, 0.5))))),
    # improvised: unscripted motion in a base posture, none of the named intents (outlier exposure for "other")
    "improvise": ActionSpec("improvised", None, "standing", "standing", improvised._improvise,
                            _in_place(improvised.plan_improvise)),
}
ALL_ACTIONS: tuple[str, ...] = tuple(CATALOGUE)
FAMILIES: tuple[str, ...] = ("locomotion", "gesture", "object", "posture", "whole_body", "combat", "improvised")
assert ALL_ACTIONS[:len(ACTIONS)] == ACTIONS and all(CATALOGUE[a].intent == ACTION_INTENT[a] for a in ACTIONS)
