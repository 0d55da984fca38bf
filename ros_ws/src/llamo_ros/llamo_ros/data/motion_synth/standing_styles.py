"""How people stand about: weight on one leg, a shuffle or a turn on the spot, looking around, talking with
their hands, hands on the hips.

The plain `locomotion._stand` is a 1-3 s, 0.25 Hz sway: far more static and uniform than real people standing
about, and a model trained on it called the standing and slow people of vtest.avi "other" in 16-34 % of their
windows (2 % for walkers). With probability `SynthConfig.stand_style_prob` a stand gets 1-2 of STYLES and lasts
STYLED_STAND_S; it stays the action "stand" (intent standing_idle): the root moves a few cm only (< 0.3 m/s),
no hand goes above the shoulders or is held out forward (no wave, point or hand-over). The `arm_carriage` was
planned first and keeps the arms it holds: an arm style moves only a free arm (the other hand of a phone or a bag),
and is not drawn when the carriage holds both.
Angles follow `body.POSE_KEYS` (radians); offsets are metres in the body's frame (left, forward).
"""
from __future__ import annotations

import math

import numpy as np

from llamo_ros.data.motion_synth.body import BodyModel, _keyframes, _ramp_envelope, smoothstep

STYLES = ("weight_shift", "shuffle", "look_around", "talking", "hands_on_hips")
ARM_STYLES = frozenset({"talking", "hands_on_hips"})
STYLED_STAND_S = (1.0, 6.0)   # a styled stand lasts this long (never shorter than planned: a filling stand fills)
RAMP_S = 0.5                  # the styles fade in and out over this time at the stand's ends (neutral joins)
EDGE_S = 0.6                  # discrete events (a leg switch, a step, a turn) happen this far inside the stand
HANDS_FORWARD_MAX_M = 0.22    # a talking hand stays this close in front of the chest (hand-over reaches >= 0.3 m)


def _event_times(duration: float, gap_s: tuple[float, float], length_s: float, rng: np.random.Generator) -> list:
    """Start times (s) of events length_s long, gap_s apart, all inside [EDGE_S, duration - EDGE_S]."""
    times, t = [], EDGE_S + float(rng.uniform(0.0, gap_s[0]))
    while t + length_s <= duration - EDGE_S:
        times.append(t)
        t += length_s + float(rng.uniform(*gap_s))
    return times


# ---- planning: each style's parameters for a stand of `duration` s ----

def _plan_weight_shift(duration: float, rng: np.random.Generator) -> dict:
    # relaxed stance (contrapposto): the pelvis 3-6 cm over the stance foot, the free knee bent 0.15-0.35 rad,
    # the weight changing legs every 2-6 s in ~0.5 s (postural sway studies of quiet standing)
    transition = float(rng.uniform(0.4, 0.6))
    return {"offset_m": float(rng.uniform(0.03, 0.06)), "knee": float(rng.uniform(0.15, 0.35)),
            "lean": float(rng.uniform(0.015, 0.04)), "first": float(rng.choice([-1.0, 1.0])),
            "transition_s": transition, "switches": _event_times(duration, (2.0, 6.0), transition, rng)}


def _plan_shuffle(duration: float, rng: np.random.Generator) -> dict:
    # every 1.5-4 s a small step (one foot lifted 3-8 cm and moved 10-25 cm, the other follows) or a partial turn
    # on the spot (15-40 deg); the feet stay within 0.2 m of where they stood and the facing within 45 deg
    events, place, facing = [], np.zeros(2), 0.0
    t = EDGE_S + float(rng.uniform(0.0, 1.5))
    while True:
        if rng.uniform() < 0.6:
            half_s = float(rng.uniform(0.7, 1.0))          # each foot's move; root 1.5 x d/2 / half_s < 0.3 m/s
            length = 2 * half_s + 0.2
            if t + length > duration - EDGE_S:
                break
            angle = float(rng.choice([0.5 * math.pi, -0.5 * math.pi, 0.0, math.pi], p=[0.3, 0.3, 0.2, 0.2]))
            d = float(rng.uniform(0.10, 0.25)) * np.array([math.sin(angle), math.cos(angle)])  # (left, forward) m
            if np.linalg.norm(place + d) > 0.2:
                d = -d                                       # step back towards where they stood
            place = place + d
            lead = "l" if d[0] > 1e-9 else "r" if d[0] < -1e-9 else str(rng.choice(["l", "r"]))
            events.append({"kind": "step", "t0": t, "half_s": half_s, "step": d.tolist(), "lead": lead,
                           "lift_m": float(rng.uniform(0.03, 0.08))})
        else:
            turn_s = float(rng.uniform(0.8, 1.5))
            length = turn_s
            if t + length > duration - EDGE_S:
                break
            deg = float(rng.uniform(15.0, 40.0) * rng.choice([-1.0, 1.0]))
            if abs(facing + deg) > 45.0:
                deg = -deg
            facing += deg
            events.append({"kind": "turn", "t0": t, "turn_s": turn_s, "turn_deg": deg,
                           "lift_m": float(rng.uniform(0.02, 0.04))})
        t += length + float(rng.uniform(1.5, 4.0))
    return {"events": events}


def _plan_look_around(duration: float, rng: np.random.Generator) -> dict:
    # the gaze goes to a new target every 1-3 s in 0.6-1.2 s: head +-30-60 deg, the trunk following by 10-20 deg
    frames, t = [(0.0, {"head_yaw": 0.0, "twist": 0.0})], float(rng.uniform(0.3, 1.2))
    while t < duration - RAMP_S:
        move_s = float(rng.uniform(0.6, 1.2))
        sign = float(rng.choice([-1.0, 1.0]))
        head = 0.0 if rng.uniform() < 0.25 else sign * math.radians(float(rng.uniform(30.0, 60.0)))
        twist = math.copysign(math.radians(float(rng.uniform(10.0, 20.0))), head) if head else 0.0
        frames.append((t, frames[-1][1]))
        frames.append((t + move_s, {"head_yaw": head, "twist": twist}))
        t += move_s + float(rng.uniform(1.0, 3.0))
    return {"frames": frames}


def _arms(rng: np.random.Generator, free: tuple[str, ...]) -> tuple[str, ...]:
    """Both arms (40 %) or one, most often the right; of those only the `free` ones (the other one if none)."""
    drawn = ("l", "r") if rng.uniform() < 0.4 else (str(rng.choice(["r", "l"], p=[0.65, 0.35])),)
    return tuple(side for side in drawn if side in free) or free


def _plan_talking(duration: float, rng: np.random.Generator, free: tuple[str, ...] = ("l", "r")) -> dict:
    # elbows at the sides, forearms forward below the chest (elbow 0.6-1.4 rad), moving irregularly: two
    # sinusoids of 0.5-2 Hz, 0.1-0.3 rad together (conversational gesturing, McNeill's "gesture space")
    arms = {}
    for side in _arms(rng, free):
        amplitude = float(rng.uniform(0.1, 0.3))
        share = float(rng.uniform(0.3, 0.7))
        arms[side] = {"arm_elev": float(rng.uniform(-0.15, 0.05)), "arm_azim": float(rng.uniform(0.2, 0.8)),
                      "elbow": float(rng.uniform(0.6, 1.4)), "amplitudes": [amplitude * share, amplitude * (1 - share)],
                      "freqs_hz": rng.uniform(0.5, 2.0, 2).tolist(), "phases": rng.uniform(0, 2 * math.pi, 2).tolist()}
    return {"arms": arms}


def _plan_hands_on_hips(duration: float, rng: np.random.Generator, free: tuple[str, ...] = ("l", "r")) -> dict:
    # upper arm out to the side and a little back, the forearm bent down and in (hint pointing down) so the wrist
    # rests on the iliac crest, a few cm above the hip joint
    return {"arms": {side: {"arm_elev": float(rng.uniform(0.5, 0.7)), "arm_azim": float(rng.uniform(1.6, 1.95)),
                            "elbow": float(rng.uniform(1.5, 1.8)), "elbow_hint": float(rng.uniform(2.95, 3.2))}
                     for side in _arms(rng, free)}}


PLANNERS = {"weight_shift": _plan_weight_shift, "shuffle": _plan_shuffle, "look_around": _plan_look_around,
            "talking": _plan_talking, "hands_on_hips": _plan_hands_on_hips}


def plan_stand_styles(actions: list[tuple[str, dict]], probability: float, rng: np.random.Generator) -> None:
    """Give each "stand" of a scene plan, with `probability`, a `stand_styles` parameter {style: its parameters}
    of 1-2 STYLES (at most one arm style, on the arms an `arm_carriage` leaves free) and a duration drawn from
    STYLED_STAND_S (at least the planned one). Draws nothing when the probability is 0 (clips stay as they were)."""
    if probability <= 0:
        return
    for name, params in actions:
        if name != "stand" or rng.uniform() >= probability:
            continue
        held = params.get("arm_carriage", {}).get("arms", {})
        free = tuple(side for side in ("l", "r") if side not in held)
        choices = [s for s in STYLES if free or s not in ARM_STYLES]
        picked = [str(rng.choice(choices))]
        if rng.uniform() < 0.5:
            rest = [s for s in choices if s not in picked and not (s in ARM_STYLES and picked[0] in ARM_STYLES)]
            picked.append(str(rng.choice(rest)))
        params["duration_s"] = max(params["duration_s"], float(rng.uniform(*STYLED_STAND_S)))
        params["stand_styles"] = {s: PLANNERS[s](params["duration_s"], rng, *((free,) if s in ARM_STYLES else ()))
                                  for s in picked}


# ---- rendering ----

def _leg_length(body: BodyModel) -> float:
    return body.thigh + body.shank


def _lift_knee(lift_m: np.ndarray, body: BodyModel) -> np.ndarray:
    """Knee flexion (n,) rad that raises the ankle by lift_m with the hip flexed by half of it (foot under the hip)."""
    return 2.0 * np.arccos(np.clip(1.0 - lift_m / _leg_length(body), -1.0, 1.0))


def _place_feet(pose: dict, feet: dict[str, np.ndarray], lift: dict[str, np.ndarray], body: BodyModel) -> None:
    """Move each foot by its offset (n, 2) (left, forward) m from its standing place under the hip, lifted by
    lift (n,) m, through the hip and knee angles."""
    leg = _leg_length(body)
    for side, outward in (("l", 1.0), ("r", -1.0)):
        knee = _lift_knee(lift[side], body)
        outwards = np.sin(pose[f"hip_abd_{side}"]) + outward * feet[side][:, 0] / leg
        pose[f"hip_abd_{side}"] = np.arcsin(np.clip(outwards, -1.0, 1.0))
        forward = np.arcsin(np.clip(feet[side][:, 1] / leg, -1.0, 1.0))
        pose[f"hip_flex_{side}"] = pose[f"hip_flex_{side}"] + forward + knee / 2
        pose[f"knee_{side}"] = pose[f"knee_{side}"] + knee


def _weight_shift(t, p, body, env, pose, root, feet, lift) -> None:
    s = np.full(len(t), p["first"])                                 # +1: weight on the left leg
    for k, t0 in enumerate(p["switches"]):
        s = s - 2.0 * p["first"] * (-1) ** k * smoothstep((t - t0) / p["transition_s"])
    shift = p["offset_m"] * s * env                                 # (n,) pelvis to the left, m
    root[:, 0] += shift
    for side, sign in (("l", 1.0), ("r", -1.0)):
        feet[side][:, 0] -= shift                                    # the feet stay where they are
        free = 0.5 * (1.0 - sign * s) * env                           # (n,) 1 while this leg is unloaded
        pose[f"knee_{side}"] = pose[f"knee_{side}"] + p["knee"] * free
        pose[f"hip_flex_{side}"] = pose[f"hip_flex_{side}"] + 0.5 * p["knee"] * free
    # the rig's hips stay level, so the pelvis cannot drop on the free side; the shoulders tilt over the stance
    # leg instead, as the spine makes up for that drop
    pose["lean"] = pose["lean"] + p["lean"] * s * env


def _shuffle(t, p, body, env, pose, root, feet, lift) -> None:
    for e in p["events"]:
        if e["kind"] == "turn":
            w = smoothstep((t - e["t0"]) / e["turn_s"])
            pose["heading"] = pose["heading"] + math.radians(e["turn_deg"]) * w
            for side, t_lift in (("l", e["t0"]), ("r", e["t0"] + 0.5 * e["turn_s"])):  # small steps round
                u = (t - t_lift) / (0.5 * e["turn_s"])
                lift[side] += e["lift_m"] * np.where((u > 0) & (u < 1), np.sin(math.pi * np.clip(u, 0, 1)), 0.0)
            continue
        d = np.asarray(e["step"])
        trail = "r" if e["lead"] == "l" else "l"
        for k, (moving, still) in enumerate(((e["lead"], trail), (trail, e["lead"]))):
            t0 = e["t0"] + k * (e["half_s"] + 0.2)
            u = (t - t0) / e["half_s"]
            w = smoothstep(u)[:, None]                               # (n, 1)
            root[:] += 0.5 * d * w                                   # the pelvis stays between the feet
            feet[moving] += 0.5 * d * w                              # the moving foot goes d past the pelvis...
            feet[still] -= 0.5 * d * w                               # ...the standing one stays put in the world
            lift[moving] += e["lift_m"] * np.where((u > 0) & (u < 1), np.sin(math.pi * np.clip(u, 0, 1)), 0.0)


def _look_around(t, p, body, env, pose, root, feet, lift) -> None:
    gaze = _keyframes(t, [(ft, f) for ft, f in p["frames"]], {"head_yaw": 0.0, "twist": 0.0})
    pose["head_yaw"] = pose.get("head_yaw", np.zeros(len(t))) + gaze["head_yaw"] * env
    pose["twist"] = pose["twist"] + gaze["twist"] * env


def _talking(t, p, body, env, pose, root, feet, lift) -> None:
    for side, a in p["arms"].items():
        wobble = sum(amp * np.sin(2 * math.pi * f * t + ph)
                     for amp, f, ph in zip(a["amplitudes"], a["freqs_hz"], a["phases"], strict=True))  # (n,) rad
        # the hand in front of the chest: upper arm's reach + forearm * sin(elbow) <= HANDS_FORWARD_MAX_M
        room = (HANDS_FORWARD_MAX_M - body.upper_arm * max(0.0, math.sin(a["arm_elev"]))) / body.forearm
        top = math.asin(min(1.0, room)) if room < 1.0 else math.pi / 2
        elbow = np.minimum(a["elbow"] + wobble, top)
        target = {f"arm_elev_{side}": a["arm_elev"] + 0.3 * wobble, f"arm_azim_{side}": a["arm_azim"],
                  f"elbow_{side}": elbow, f"elbow_hint_{side}": math.pi / 2}
        for k, v in target.items():
            pose[k] = (1.0 - env) * pose[k] + env * v


def _hands_on_hips(t, p, body, env, pose, root, feet, lift) -> None:
    for side, a in p["arms"].items():
        for key, v in a.items():
            k = f"{key}_{side}"
            pose[k] = (1.0 - env) * pose[k] + env * v


APPLIERS = {"weight_shift": _weight_shift, "shuffle": _shuffle, "look_around": _look_around,
            "talking": _talking, "hands_on_hips": _hands_on_hips}


def apply_stand_styles(pose: dict[str, np.ndarray], t: np.ndarray, params: dict, body: BodyModel,
                       fps: float) -> np.ndarray | None:
    """Blend the stand's `stand_styles` (if any) into its pose over time `t` (n,) s, in place, and return the root
    velocity (n, 2) m/s (world x, z) they add (None without styles): the pelvis's shift over the stance foot and the
    shuffle's steps, turned into the world by the per-frame heading."""
    styles = params.get("stand_styles")
    if not styles:
        return None
    n = len(t)
    env = _ramp_envelope(t, params["duration_s"], RAMP_S, RAMP_S)              # (n,) 0..1
    root = np.zeros((n, 2))                                                    # (left, forward) m, body frame
    feet = {"l": np.zeros((n, 2)), "r": np.zeros((n, 2))}                      # offsets from under the hips
    lift = {"l": np.zeros(n), "r": np.zeros(n)}                                # m
    for style in STYLES:                                                       # a fixed order: reproducible
        if style in styles:
            APPLIERS[style](t, styles[style], body, env, pose, root, feet, lift)
    _place_feet(pose, feet, lift, body)
    step = np.diff(root, axis=0, prepend=root[:1]) * fps                      # (n, 2) body-frame m/s
    h = pose["heading"]
    left = np.stack([np.cos(h), -np.sin(h)], axis=-1)                          # world (x, z) of the body's left
    forward = np.stack([np.sin(h), np.cos(h)], axis=-1)
    return step[:, :1] * left + step[:, 1:] * forward
