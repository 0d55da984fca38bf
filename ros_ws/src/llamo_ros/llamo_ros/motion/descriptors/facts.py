"""What the descriptors report: `MotionDescriptors` for a window, `LimbFacts` per side, posture names."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POSTURES = ("upright", "bent", "crouched", "sitting", "kneeling", "lying", "upside_down")
LOW_POSTURES = ("crouched", "sitting", "kneeling", "lying")  # off one's feet: where getting up starts


@dataclass
class LimbFacts:
    """Per-limb facts of one window; shares are fractions of valid frames in [0, 1]."""

    above_head: float = 0.0        # share of frames with the wrist above the head top
    raised: float = 0.0            # share of frames with the wrist above the shoulder
    reach_forward_m: float = 0.0   # largest wrist distance in front of the thorax along the body's forward axis, m
    at_face: float = 0.0           # share of frames with the wrist within face_radius_m of the nose
    at_chest: float = 0.0          # share of frames with the wrist near and in front of the chest
    # median wrist height along the trunk: its offset from the pelvis projected on pelvis->thorax, over that
    # length (0: at the pelvis, as a hanging arm; 1: at the thorax); the body's own axis, so a wrong
    # camera pitch does not lift a hanging hand
    trunk_height: float = 0.0
    extended_forward: float = 0.0  # share of frames with the arm extended along the body's forward axis
    extended_sideways: float = 0.0  # share of frames with the arm extended along the body's lateral axis
    peak_speed_mps: float = 0.0    # peak wrist speed relative to the pelvis, m/s
    oscillation_hz: float = 0.0    # dominant frequency of periodic wrist motion, Hz (0: not periodic)
    oscillation_amplitude_m: float = 0.0  # std of the wrist's body-relative motion, m
    foot_above_knee: float = 0.0   # share of frames with the ankle above the other knee
    foot_above_hip: float = 0.0    # share of frames with the ankle above the hips
    foot_peak_speed_mps: float = 0.0  # peak ankle speed relative to the pelvis, m/s


@dataclass
class MotionDescriptors:
    """What the body measurably does in one window. Angles in degrees, lengths in metres, times in s."""

    duration_s: float              # window length, s
    valid: bool                    # False if too few frames had a body to measure (all other fields 0)
    up_camera: np.ndarray          # (3,) unit up (anti-gravity) vector in the camera optical frame
    camera_pitch_deg: float        # camera pitch implied by up_camera, deg (down positive)
    up_from_body: bool             # True if up_camera was estimated from straight-body frames
    leg_length_m: float            # thigh + shank, m (the body scale of all ratios)
    # locomotion
    ground_speed_mps: float        # mean horizontal root speed, m/s
    peak_ground_speed_mps: float   # peak (smoothed) horizontal root speed, m/s
    net_displacement_m: float      # horizontal root displacement first -> last frame, m
    direction: str                 # "towards", "away", "left", "right" (image sides) or "none" if not moving
    direction_deg: float           # motion vs the line of sight: 0 away, 180 towards, +90 to image right, deg
    turn_rate_dps: float           # peak net yaw rate of the body's facing over turn_rate_span_s, deg/s
    # posture (per frame, then window)
    posture: np.ndarray            # (T,) index into POSTURES per frame
    start_posture: str             # majority posture of the first 0.5 s
    end_posture: str               # majority posture of the last 0.5 s
    main_posture: str              # most frequent posture
    torso_inclination_deg: float   # median angle of pelvis -> thorax from up, deg
    max_torso_inclination_deg: float  # maximum of it, deg
    upside_down: bool              # some frames have the torso inclined > upside_down_deg
    # vertical root motion
    pelvis_height_m: np.ndarray    # (T,) pelvis above the estimated floor, m
    airborne_s: float              # total time with both feet off the floor, s
    jumps: int                     # number of airborne phases of at least min_airborne_s
    jump_height_m: float           # highest rise of the lower ankle above the floor during a jump, m
    level_change_m: float          # pelvis height last 0.3 s minus first 0.3 s, m (negative: went down)
    peak_down_speed_mps: float     # peak downward pelvis speed, m/s
    fell: bool                     # went down to the floor fast (peak_down_speed >= fall_speed_mps)
    lay_down: bool                 # went down to lying without falling
    got_up: bool                   # started low (lying / sitting / kneeling / crouched) and ended upright
    sat_down: bool                 # started upright, ended sitting
    # whole-body rotation
    yaw_deg: float                 # total signed yaw of the facing, + = counter-clockwise seen from above, deg
    turns: bool                    # |yaw| >= turn_deg
    spins: int                     # full turns, floor(|yaw| / spin_deg)
    flip_deg: float                # total rotation of the torso about the body's left-right axis, deg
    cartwheel_deg: float           # total rotation of the torso about the body's front-back axis, deg
    roll_deg: float                # total rotation about the spine while lying, deg
    # limbs
    left: LimbFacts                # left arm and left leg
    right: LimbFacts               # right arm and right leg
    hands_symmetry: float          # correlation of mirrored left/right wrist motion, -1..1 (1: symmetric)
    step_hz: float                 # dominant frequency of the ankles' alternation, Hz (0: none)
    lying_facing: str = "none"     # "up" / "down": the chest's side while lying (majority), "none" if not lying
    lowest_wrist_m: float = 0.0    # lowest wrist height above the floor in the window, m
    hands_min_distance_m: float = 0.0  # closest the two wrists come, m
    hands_distance_hz: float = 0.0  # frequency of the wrists approaching and parting (clapping), Hz (0: none)
    head_nod_hz: float = 0.0       # frequency of the nose's up-down motion relative to the thorax, Hz (0: none)
    head_shake_hz: float = 0.0     # frequency of the nose's side-to-side motion relative to the thorax, Hz (0: none)
