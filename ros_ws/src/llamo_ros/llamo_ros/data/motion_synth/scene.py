"""Scene planning: body, camera, start position and a physically possible action sequence from a seed."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llamo_ros.data.motion_synth.body import BodyModel, body_from_height
from llamo_ros.data.motion_synth.config import ACTION_INTENT, ACTIONS, SynthConfig, speed_word
from llamo_ros.data.motion_synth.kinematics import CameraPose
from llamo_ros.data.motion_synth.locomotion import WALK_RAMP_S, plan_stroll

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
    stroll = plan_stroll(cfg.stroll_prob, rng)
    speed = stroll.get("speed_mps", speed)
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
                    "phase0": float(rng.uniform(0, 2 * math.pi)),
                    **({"arm_swing": stroll["arm_swing"]} if stroll else {})}
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
    """Sample the body, camera, start position and action sequence for `seed` (deterministic).

    The original ten actions without the view check are planned exactly as before (the shipped model's
    clips); any other config goes through `_plan_scene_broad`.
    """
    cfg = config or SynthConfig()
    if cfg.actions != ACTIONS or cfg.keep_in_view:
        return _plan_scene_broad(seed, cfg)
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
    return _finished_plan(body, camera, start_xz, start_heading, actions,
                          total < target_s and not seated and actions[-1][0] != "stand",
                          target_s - total, xz, heading, cfg, rng)


def _finished_plan(body, camera, start_xz, start_heading, actions: list, fill: bool, missing_s: float, xz,
                   heading, cfg: SynthConfig, rng: np.random.Generator) -> ScenePlan:
    """The plan, with a standing action filling the clip up to its target length when `fill`."""
    if fill:
        params = _plan_action("stand", xz, heading, cfg, rng)
        params["duration_s"] = max(1.0, missing_s)
        params["intent"] = ACTION_INTENT["stand"]
        actions.append(("stand", params))
    plan = ScenePlan(body=body, camera=camera, start_xz=(float(start_xz[0]), float(start_xz[1])),
                     start_heading_deg=float(start_heading), actions=actions)
    _describe_walks(plan)
    return plan

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


# ----------------------------------------------------------------------------------------------
# Broad generator: posture-chained actions from the catalogue, every joint kept in the camera's view
# ----------------------------------------------------------------------------------------------

PLAN_CHECK_FPS = 10.0  # rate at which a planned action is rendered to check that it stays in view


def _in_view(joints_cam: np.ndarray, cfg: SynthConfig) -> bool:
    """All joints (..., 3), optical frame, at least 0.5 m in front and inside 95 % of the field of view."""
    tx, ty = (math.tan(math.radians(f) / 2) * 0.95 for f in cfg.camera_fov_deg)
    z = joints_cam[..., 2]
    return bool((z > 0.5).all() and (np.abs(joints_cam[..., 0]) < tx * z).all()
                and (np.abs(joints_cam[..., 1]) < ty * z).all())


def _simulate(name: str, params: dict, body: BodyModel, camera: CameraPose, xz: np.ndarray, heading_deg: float):
    """Render one action alone at a low rate: (end xz (2,), end heading deg, joints (n, 17, 3) optical frame)."""
    from llamo_ros.data.motion_synth.body import EXTENDED_POSE
    from llamo_ros.data.motion_synth.catalogue import CATALOGUE
    from llamo_ros.data.motion_synth.kinematics import _forward_kinematics, world_to_camera
    fps = PLAN_CHECK_FPS
    n = max(2, int(round(params["duration_s"] * fps)))
    t = np.arange(n) / fps
    pose, velocity = CATALOGUE[name].pose(t, params, body, math.radians(heading_deg))
    pose = {**{k: np.full(n, v) for k, v in EXTENDED_POSE.items()}, **pose}
    anchor = xz + np.cumsum(velocity, axis=0) / fps - velocity[0] / fps
    world = _forward_kinematics(body, pose, anchor)
    return anchor[-1] + velocity[-1] / fps, math.degrees(float(pose["heading"][-1])), world_to_camera(world, camera)


def _standing_pose_in_view(body: BodyModel, camera: CameraPose, xz: np.ndarray, cfg: SynthConfig) -> bool:
    _, _, joints = _simulate("stand", {"duration_s": 0.2, "phase0": 0.0, "heading_deg": 0.0}, body, camera, xz, 0.0)
    return _in_view(joints, cfg)


def _sample_params(name: str, xz: np.ndarray, heading_deg: float, cfg: SynthConfig,
                   rng: np.random.Generator) -> dict | None:
    from llamo_ros.data.motion_synth.catalogue import CATALOGUE
    spec = CATALOGUE[name]
    if spec.plan is None:  # one of the original ten
        params = _plan_action(name, xz, heading_deg, cfg, rng)
    else:
        hand = str(rng.choice(["right", "left"], p=[0.65, 0.35]))
        params = spec.plan(xz, heading_deg, cfg, rng, hand)
    if params is not None:
        params["intent"] = spec.intent
    return params


WALKS_ON_ACTIONS = ("walk", "jog", "run")  # gaits that may end the clip without stopping (SynthConfig.walk_on_prob)


def _plan_scene_broad(seed: int, cfg: SynthConfig) -> ScenePlan:
    """Like the original planner, for any catalogue actions: postures chain, the person stays in view."""
    from llamo_ros.data.motion_synth.catalogue import CATALOGUE
    rng = np.random.default_rng([int(seed), 0])
    body = body_from_height(float(rng.uniform(*cfg.body_height_range_m)), rng)
    height = float(rng.uniform(*cfg.camera_height_range_m))
    target_s = float(rng.uniform(*cfg.duration_range_s))
    weights = {a: float(cfg.action_weights.get(a, 1.0)) for a in cfg.actions}
    for _scene_try in range(10):  # a new camera and start when not even the first action fits there
        for attempt in range(40):  # a camera and a start position that sees the whole standing person
            pitch = float(rng.uniform(*cfg.camera_pitch_range_deg)) if attempt < 20 else cfg.camera_pitch_range_deg[0]
            camera = CameraPose(height_m=height, pitch_deg=pitch)
            dist = float(rng.uniform(*cfg.camera_distance_range_m))
            bearing = math.radians(float(rng.uniform(*cfg.bearing_range_deg)))
            xz = np.array([dist * math.sin(bearing), dist * math.cos(bearing)])
            if not cfg.keep_in_view or _standing_pose_in_view(body, camera, xz, cfg):
                break
        seated_ok = any(CATALOGUE[a].start_posture == "seated" and weights[a] > 0 for a in cfg.actions)
        posture = "seated" if rng.uniform() < cfg.seated_start_prob and seated_ok else "standing"
        heading = float(rng.uniform(-180, 180))
        start_xz, start_heading = xz.copy(), heading
        actions: list[tuple[str, dict]] = []
        total = 0.0
        while len(actions) < cfg.max_actions and total < target_s:
            candidates = [a for a in cfg.actions if weights[a] > 0 and CATALOGUE[a].start_posture == posture
                          and (not actions or a != actions[-1][0])]
            chosen = None
            while candidates and chosen is None:
                w = np.array([weights[a] for a in candidates])
                name = str(rng.choice(candidates, p=w / w.sum()))
                if not actions and CATALOGUE[name].faces_camera:
                    heading = start_heading = _facing_camera_deg(xz, rng)
                for _ in range(3):  # a few draws of the parameters before giving the action up here
                    params = _sample_params(name, xz, heading, cfg, rng)
                    if params is None:
                        break
                    end_xz, end_heading, joints = _simulate(name, params, body, camera, xz, heading)
                    if not cfg.keep_in_view or _in_view(joints, cfg):
                        chosen = (name, params, end_xz, end_heading)
                        break
                if chosen is None:
                    candidates.remove(name)
            if chosen is None:
                break
            xz_before_last, heading_before_last = xz, heading
            name, params, xz, heading = chosen
            actions.append((name, params))
            posture = CATALOGUE[name].end_posture
            total += params["duration_s"]
        if actions:
            break
    if not actions:
        raise RuntimeError(f"seed {seed}: no action fits the config")
    name, params = actions[-1]
    if name in WALKS_ON_ACTIONS and rng.uniform() < cfg.walk_on_prob:
        # Real walkers leave the view walking: without this every walk ends in a stop, and a path model
        # trained on it predicts that steady walkers slow down.
        on = {**params, "walks_on": True}
        if not cfg.keep_in_view or _in_view(
                _simulate(name, on, body, camera, xz_before_last, heading_before_last)[2], cfg):
            actions[-1] = (name, on)
            return _finished_plan(body, camera, start_xz, start_heading, actions, False, 0.0, xz, heading, cfg, rng)
    return _finished_plan(body, camera, start_xz, start_heading, actions,
                          total < target_s and posture == "standing" and actions[-1][0] != "stand"
                          and "stand" in cfg.actions, target_s - total, xz, heading, cfg, rng)
