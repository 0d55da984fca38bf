"""Forward kinematics (pose parameters -> world joints) and the camera (world -> optical frame)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llamo_ros.data.motion_synth.body import BodyModel
from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS

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
    f_h = f_t
    if "head_yaw" in pose:  # the head's forward, turned about the trunk's up axis
        yaw = pose["head_yaw"][:, None]
        f_h = np.cos(yaw) * f_t + np.sin(yaw) * l_t
    joints[:, J["neck_nose"]] = joints[:, J["thorax"]] + body.neck * (math.cos(neck_tilt) * u_t
                                                                      + math.sin(neck_tilt) * f_h)
    joints[:, J["head"]] = joints[:, J["neck_nose"]] + body.head * (np.cos(hp) * u_t + np.sin(hp) * f_h)

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

    if "pitch" in pose:
        return _place_whole_body(body, pose, joints, anchor_xz, fwd, left)
    ankles = joints[:, [J["left_ankle"], J["right_ankle"]]]  # (T, 2, 3) relative to the pelvis
    pelvis_height = body.ankle_height - ankles[:, :, 1].min(axis=1)  # (T,)
    feet_forward = np.sum(ankles.mean(axis=1) * fwd, axis=-1) * pose["foot_plant"]  # (T,) mean foot ahead of the pelvis
    root = np.zeros((t, 3))
    root[:, 0] = anchor_xz[:, 0] - feet_forward * fwd[:, 0]
    root[:, 2] = anchor_xz[:, 1] - feet_forward * fwd[:, 2]
    root[:, 1] = pelvis_height
    return joints + root[:, None, :]


def _rotate(v: np.ndarray, axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rodrigues: vectors v (T, K, 3) about unit axes (T, 3) by angles (T,), right-handed."""
    k = axis[:, None, :]
    c, s_ = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    return v * c + np.cross(k, v) * s_ + k * np.sum(k * v, axis=-1, keepdims=True) * (1.0 - c)


def _floor_clearance(body: BodyModel) -> np.ndarray:
    """(17,) metres from each joint centre to the floor when that body part rests on it."""
    c = np.full(NUM_JOINTS, 0.05 * body.height / 1.75)
    J = JOINT_INDEX
    c[[J["left_ankle"], J["right_ankle"]]] = body.ankle_height
    c[[J["pelvis"], J["spine"], J["thorax"], J["left_hip"], J["right_hip"]]] = 0.10 * body.height / 1.75  # trunk depth
    c[[J["neck_nose"], J["head"], J["left_shoulder"], J["right_shoulder"]]] = 0.08 * body.height / 1.75
    c[[J["left_wrist"], J["right_wrist"]]] = 0.035 * body.height / 1.75  # hand under the wrist
    return c


def _place_whole_body(body: BodyModel, pose: dict[str, np.ndarray], joints: np.ndarray, anchor_xz: np.ndarray,
                      fwd: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Broad generator's placement: tip the body (pitch, roll about the pelvis), rest its lowest part on the floor.

    Positive pitch turns the body's up towards its forward (about its left axis); positive roll turns up
    towards the left. The pelvis height puts the lowest joint its `_floor_clearance` above the floor,
    plus `lift` (airborne). As in the default rule, `foot_plant` keeps the feet over the anchor.
    """
    J = JOINT_INDEX
    joints = _rotate(joints, fwd, -pose["roll"])
    joints = _rotate(joints, left, pose["pitch"])
    clearance = _floor_clearance(body)                                      # (17,)
    pelvis_height = np.max(clearance[None, :] - joints[:, :, 1], axis=1) + pose["lift"]  # (T,)
    ankles = joints[:, [J["left_ankle"], J["right_ankle"]]]
    feet_forward = np.sum(ankles.mean(axis=1) * fwd, axis=-1) * pose["foot_plant"]
    root = np.zeros((len(anchor_xz), 3))
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
