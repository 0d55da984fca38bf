"""Thresholds of the motion descriptors (`DescriptorConfig`)."""
from __future__ import annotations

from dataclasses import dataclass

from llamo_ros.config_fields import param


@dataclass(frozen=True)
class DescriptorConfig:
    """Thresholds of the motion descriptors (lengths relative to the leg length L = thigh + shank)."""

    velocity_span_s: float = param(1.0, "time span of the central difference for root velocity, s (a stride: "
                                        "averages gait sway, and the depth noise of a distant monocular root, which "
                                        "over 0.5 s made a third of the standing people on vtest.avi walk at >= "
                                        "0.5 m/s)")
    moving_speed_mps: float = param(0.3, "ground speed above which the person is locomoting, m/s")
    run_speed_mps: float = param(2.3, "ground speed above which locomotion is running, m/s")
    towards_cone_deg: float = param(45.0, "motion within this angle of the line of sight counts as towards / away, deg")
    default_pitch_deg: float = param(10.0, "camera pitch used when up cannot be estimated from the body, "
                                           "deg (down positive)")
    pitch_range_deg: tuple = param((-15.0, 45.0), "range the estimated camera pitch is clipped to, deg")
    ground_fit_min_depth_m: float = param(1.0, "pelvis depth range above which up is fitted to the level pelvis path "
                                               "instead, m")
    straight_body_deg: float = param(20.0, "spine and legs within this angle: a straight (standing) frame "
                                           "for up estimation, deg")
    airborne_clearance_m: float = param(0.07, "both ankles this far above the floor: airborne, m "
                                              "(at least; raised with the window's jitter)")
    min_airborne_s: float = param(0.1, "shortest airborne phase counted as a jump, s (and at least 2 frames)")
    floor_span_s: float = param(0.7, "the floor under a frame is the lower ankle's lowest point within this time "
                                     "both before and after it, s (longer than a flight)")
    jitter_sigmas: float = param(3.0, "airborne clearance at least this many times the window's ankle-height jitter")
    turn_rate_span_s: float = param(1.0, "time span of the peak turning rate, s "
                                         "(a stride, so the gait's hip swing cancels)")
    min_width_ratio: float = param(0.6, "facing counts only in frames whose horizontal shoulder + hip width "
                                        "is at least this times the window's typical width")
    yaw_jitter_sigmas: float = param(3.0, "a turn must exceed this many times the window's yaw uncertainty")
    facing_motion_deg: float = param(45.0, "while the pelvis moves at >= 0.5 m/s, frames whose facing axis is "
                                           "further than this from the direction of motion do not count, deg "
                                           "(walkers face where they go; a lifter's side or back view does not)")
    path_agreement_deg: float = param(90.0, "a walker's facing turn and path turn agree when, whole turns added, "
                                            "they are within this angle of each other, deg (a front/back "
                                            "confusion turns the facing by about 180 deg under a straight path)")
    bent_torso_deg: float = param(35.0, "torso inclination above which an upright-legged body is bent, deg")
    lying_torso_deg: float = param(60.0, "torso inclination above which a low body is lying, deg")
    upside_down_deg: float = param(120.0, "torso inclination above which the body is upside down, deg")
    low_pelvis_ratio: float = param(0.75, "pelvis lower than this times L above the floor: not standing")
    floor_pelvis_ratio: float = param(0.35, "pelvis lower than this times L: on the floor (a fall ends there)")
    lying_pelvis_ratio: float = param(0.5, "pelvis lower than this times L: low enough to lie")
    kneel_knee_ratio: float = param(0.2, "a knee lower than this times L above the floor: kneeling")
    sit_offset_ratio: float = param(0.45, "pelvis this far (times L) behind the feet horizontally: "
                                          "sitting, not crouching")
    fall_speed_mps: float = param(1.2, "peak downward pelvis speed of a fall, m/s (lying down is slower)")
    level_change_ratio: float = param(0.35, "pelvis height change (times L) of getting down or up")
    turn_deg: float = param(60.0, "total yaw above which the body turned, deg")
    spin_deg: float = param(300.0, "total yaw above which the body spun around, deg")
    flip_deg: float = param(270.0, "rotation about a horizontal axis counted as one flip / cartwheel / roll, deg")
    face_radius_m: float = param(0.22, "a wrist this close to the face is at the face, m")
    chest_radius_m: float = param(0.22, "a wrist this close to the chest (in front of the thorax) is at the chest, m")
    extended_ratio: float = param(0.85, "shoulder-wrist distance above this times the arm length: arm extended")
    fast_limb_mps: float = param(2.5, "peak wrist or ankle speed relative to the pelvis of a fast extension, m/s")
    oscillation_band_hz: tuple = param((0.7, 4.0), "frequency band searched for periodic limb motion, Hz")
    min_oscillation_amplitude_m: float = param(0.06, "smallest oscillation amplitude (std) reported as periodic, m")
    min_head_amplitude_m: float = param(0.03, "smallest head oscillation (std) reported as a nod or shake, m")
    min_periodicity: float = param(0.35, "share of the band's power in the peak (+-1 bin) to call a motion periodic")
    fact_share: float = param(0.3, "share of valid frames for a per-frame fact (hand above head...) "
                                   "to hold in the window")
