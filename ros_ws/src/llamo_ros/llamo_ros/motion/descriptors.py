"""Kinematic motion descriptors: measurable facts (with units) about one H36M-17 window.

Like PoseScript / MotionScript posecodes, extended to motion: locomotion, posture, vertical root
motion, whole-body rotation and per-limb facts, computed with vectorised numpy from joints in metres
in the camera optical frame (REP-103: x right, y down, z forward), confidences and NaN for lost joints.
Captions and action rules (`llamo_ros.motion.action_rules`) are built on these facts, so a caption is
only as true as what is measured here.

Gravity ("up") in the camera frame: the camera may be pitched down (robot heads, CCTV), so up is not
-y. With `camera_pitch_deg` given, up = (0, -cos p, -sin p). Otherwise it is estimated from the body:
the mean direction ankles -> head of the frames where the body is straight (spine and legs within
`straight_body_deg` of each other, knees straight), with the camera roll assumed zero (the estimate is
projected onto the camera's y-z plane) and the pitch clipped to `pitch_range_deg`. How it fails: in a
window where the person never stands straight (sitting, lying, crawling, bent all along), it falls
back to `default_pitch_deg`; a person leaning consistently (e.g. walking up a slope) tilts the
estimate by the lean.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import param
from llamo_ros.skeleton import JOINT_INDEX as J

POSTURES = ("upright", "bent", "crouched", "sitting", "kneeling", "lying", "upside_down")


@dataclass(frozen=True)
class DescriptorConfig:
    """Thresholds of the motion descriptors (lengths relative to the leg length L = thigh + shank)."""

    velocity_span_s: float = param(0.5, "time span of the central difference for root velocity, s (averages gait sway)")
    moving_speed_mps: float = param(0.3, "ground speed above which the person is locomoting, m/s")
    run_speed_mps: float = param(2.3, "ground speed above which locomotion is running, m/s")
    towards_cone_deg: float = param(45.0, "motion within this angle of the line of sight counts as towards / away, deg")
    default_pitch_deg: float = param(10.0, "camera pitch used when up cannot be estimated from the body, deg (down positive)")
    pitch_range_deg: tuple = param((-15.0, 45.0), "range the estimated camera pitch is clipped to, deg")
    ground_fit_min_depth_m: float = param(1.0, "pelvis depth range above which up is fitted to the level pelvis path instead, m")
    straight_body_deg: float = param(20.0, "spine and legs within this angle: a straight (standing) frame for up estimation, deg")
    airborne_clearance_m: float = param(0.07, "both ankles this far above the floor: airborne, m")
    min_airborne_s: float = param(0.1, "shortest airborne phase counted as a jump, s")
    max_yaw_step_deg: float = param(45.0, "facing change per frame above which it is a left-right confusion, not a turn, deg")
    bent_torso_deg: float = param(35.0, "torso inclination above which an upright-legged body is bent, deg")
    lying_torso_deg: float = param(60.0, "torso inclination above which a low body is lying, deg")
    upside_down_deg: float = param(120.0, "torso inclination above which the body is upside down, deg")
    low_pelvis_ratio: float = param(0.75, "pelvis lower than this times L above the floor: not standing")
    floor_pelvis_ratio: float = param(0.35, "pelvis lower than this times L: on the floor (a fall ends there)")
    lying_pelvis_ratio: float = param(0.5, "pelvis lower than this times L: low enough to lie")
    kneel_knee_ratio: float = param(0.2, "a knee lower than this times L above the floor: kneeling")
    sit_offset_ratio: float = param(0.45, "pelvis this far (times L) behind the feet horizontally: sitting, not crouching")
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
    fact_share: float = param(0.3, "share of valid frames for a per-frame fact (hand above head...) to hold in the window")


@dataclass
class LimbFacts:
    """Per-limb facts of one window; shares are fractions of valid frames in [0, 1]."""

    above_head: float = 0.0        # share of frames with the wrist above the head top
    raised: float = 0.0            # share of frames with the wrist above the shoulder
    reach_forward_m: float = 0.0   # largest wrist distance in front of the thorax along the body's forward axis, m
    at_face: float = 0.0           # share of frames with the wrist within face_radius_m of the nose
    at_chest: float = 0.0          # share of frames with the wrist near and in front of the chest
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
    turn_rate_dps: float           # mean absolute yaw rate of the body's facing, deg/s
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


# ---------------------------------------------------------------------------------------------

def _fill_nan(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over time (axis 0) of NaNs, per trailing element; edges held."""
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    t = np.arange(flat.shape[0])
    out = flat.copy()
    for c in np.flatnonzero(np.isnan(flat).any(axis=0)):
        ok = ~np.isnan(flat[:, c])
        out[:, c] = np.interp(t, t[ok], flat[ok, c]) if ok.any() else 0.0
    return out.reshape(x.shape)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.degrees(np.arccos(np.clip(np.sum(_unit(a) * _unit(b), axis=-1), -1.0, 1.0)))


def up_from_pitch(pitch_deg: float) -> np.ndarray:
    """Up (anti-gravity) in the optical frame of a camera without roll pitched down by pitch_deg."""
    p = np.radians(pitch_deg)
    return np.array([0.0, -np.cos(p), -np.sin(p)])


def estimate_up(j: np.ndarray, cfg: DescriptorConfig) -> tuple[np.ndarray, bool]:
    """(up (3,), from_body) from the straight-body frames of filled joints j (T, 17, 3)."""
    ankles = 0.5 * (j[:, J["left_ankle"]] + j[:, J["right_ankle"]])
    hips = j[:, J["pelvis"]]
    spine = j[:, J["thorax"]] - hips
    legs = hips - ankles
    knee_l = _angle_deg(j[:, J["left_hip"]] - j[:, J["left_knee"]], j[:, J["left_ankle"]] - j[:, J["left_knee"]])
    knee_r = _angle_deg(j[:, J["right_hip"]] - j[:, J["right_knee"]], j[:, J["right_ankle"]] - j[:, J["right_knee"]])
    straight = (_angle_deg(spine, legs) < cfg.straight_body_deg) & (np.minimum(knee_l, knee_r) > 150.0)
    if straight.sum() < 3:
        return up_from_pitch(cfg.default_pitch_deg), False
    body = _unit(j[straight, J["head"]] - ankles[straight]).mean(axis=0)
    pitch = np.degrees(np.arctan2(-body[2], -body[1]))  # roll assumed zero: only the y-z plane counts
    if not np.isfinite(pitch) or -body[1] <= 0:  # "up" pointing down the image: not a standing body
        return up_from_pitch(cfg.default_pitch_deg), False
    return up_from_pitch(float(np.clip(pitch, *cfg.pitch_range_deg))), True


def _dominant_frequency(x: np.ndarray, fps: float, band: tuple) -> tuple[float, float, float]:
    """(frequency Hz, amplitude std, periodicity share) of the strongest periodic component of x (T, D)."""
    k = max(1, int(round(fps / (1.5 * band[0]))))  # shorter than the slowest period: keeps more frames
    if len(x) <= k + 4:
        return 0.0, 0.0, 0.0
    # high-pass: remove a moving average one slowest period long (raises, holds, drifts)
    smooth = np.stack([np.convolve(x[:, c], np.ones(k) / k, mode="same") for c in range(x.shape[1])], 1)
    x = (x - smooth)[k // 2:len(x) - k // 2]
    amp = float(np.sqrt((x ** 2).sum(axis=1).mean()))
    n = max(len(x), int(8 * fps))  # zero-pad short windows for a finer frequency grid
    power = (np.abs(np.fft.rfft(x * np.hanning(len(x))[:, None], n=n, axis=0)) ** 2).sum(axis=1)
    freq = np.fft.rfftfreq(n, 1.0 / fps)
    inband = (freq >= band[0]) & (freq <= band[1])
    if not inband.any() or power[inband].sum() <= 0:
        return 0.0, amp, 0.0
    k = np.flatnonzero(inband)[np.argmax(power[inband])]
    width = max(1, n // len(x))  # the main lobe spans about n / T bins
    share = float(power[max(0, k - 2 * width):k + 2 * width + 1].sum() / power[inband].sum())
    return float(freq[k]), amp, share


def _peak_speed(x: np.ndarray, fps: float, half_span: int = 2) -> float:
    """Peak speed (m/s) of x (T, 3) from central differences over +-half_span frames (keeps jitter out)."""
    if len(x) <= 2 * half_span:
        return 0.0
    return float(np.linalg.norm(x[2 * half_span:] - x[:-2 * half_span], axis=1).max() * fps / (2 * half_span))


def _majority(p: np.ndarray) -> str:
    return POSTURES[int(np.bincount(p, minlength=len(POSTURES)).argmax())]


def describe_motion(joints: np.ndarray, confidence: np.ndarray, fps: float,
                    camera_pitch_deg: float | None = None,
                    config: DescriptorConfig | None = None) -> MotionDescriptors:
    """Descriptors of one window: joints (T, 17, 3) metres, optical frame; confidence (T, 17); fps Hz.

    `camera_pitch_deg` (down positive), when known, replaces the estimate of up from the body.
    """
    cfg = config or DescriptorConfig()
    joints = np.asarray(joints, dtype=np.float64)
    conf = np.asarray(confidence, dtype=np.float64)
    t_len = joints.shape[0]
    seen = np.isfinite(joints).all(axis=-1) & (conf > 0)
    j = np.where(seen[..., None], joints, np.nan)
    frame_ok = seen[:, [J["pelvis"], J["left_hip"], J["right_hip"], J["thorax"]]].all(axis=1)
    if t_len < 3 or frame_ok.sum() < max(3, 0.3 * t_len):
        return _invalid(t_len, fps)
    j = _fill_nan(j)
    if t_len >= 3:  # 3-frame temporal median: removes single-frame estimator blunders (swaps, jumps)
        j = np.median(np.stack([np.concatenate([j[:1], j[:-1]]), j, np.concatenate([j[1:], j[-1:]])]), axis=0)
    dt = 1.0 / fps

    if camera_pitch_deg is None:
        up, from_body = estimate_up(j, cfg)
        pelvis_yz = j[:, J["pelvis"], 1:]
        if np.ptp(pelvis_yz[:, 1]) >= cfg.ground_fit_min_depth_m:
            # walking in depth on flat ground: the pelvis path is level, which fixes the pitch better
            slope = np.polyfit(pelvis_yz[:, 1], pelvis_yz[:, 0], 1)[0]
            up = up_from_pitch(float(np.clip(-np.degrees(np.arctan(slope)), *cfg.pitch_range_deg)))
            from_body = True
    else:
        up, from_body = up_from_pitch(camera_pitch_deg), False
    pitch = float(np.degrees(np.arctan2(-up[2], -up[1])))
    fwd = _unit(np.array([0.0, 0.0, 1.0]) - up[2] * up)   # camera forward on the ground plane
    right = np.cross(up, fwd) * -1.0                        # camera x on the ground plane (image right)
    right = _unit(right)

    def lengths(a, b):
        return np.nanmedian(np.linalg.norm(j[:, J[a]] - j[:, J[b]], axis=-1))
    leg = 0.5 * (lengths("left_hip", "left_knee") + lengths("left_knee", "left_ankle")
                 + lengths("right_hip", "right_knee") + lengths("right_knee", "right_ankle"))
    arm = 0.5 * (lengths("left_shoulder", "left_elbow") + lengths("left_elbow", "left_wrist")
                 + lengths("right_shoulder", "right_elbow") + lengths("right_elbow", "right_wrist"))

    h = j @ up                                                # (T, 17) height along up (arbitrary origin)
    lowest = np.minimum(h[:, J["left_ankle"]], h[:, J["right_ankle"]])
    floor = float(np.percentile(np.minimum(lowest, h.min(axis=1) + 0.05), 20))  # the body rests on the floor some time
    hf = h - floor                                           # heights above the floor
    pelvis = j[:, J["pelvis"]]
    ground = np.stack([pelvis @ right, pelvis @ fwd], axis=1)  # (T, 2) image-right, camera-forward

    # -- locomotion
    span = max(1, int(round(cfg.velocity_span_s * fps / 2)))
    idx = np.arange(t_len)
    lo, hi = np.clip(idx - span, 0, t_len - 1), np.clip(idx + span, 0, t_len - 1)
    vel = (ground[hi] - ground[lo]) / np.maximum(hi - lo, 1)[:, None] * fps   # (T, 2) m/s
    speed = np.linalg.norm(vel, axis=1)
    mean_speed = float(speed.mean())
    disp = ground[-1] - ground[0]
    mean_vel = vel.mean(axis=0)
    direction, direction_deg = "none", 0.0
    if mean_speed >= cfg.moving_speed_mps and np.linalg.norm(mean_vel) > 0.5 * cfg.moving_speed_mps:
        sight = _unit(ground.mean(axis=0))                    # camera -> person on the ground
        across = np.array([sight[1], -sight[0]])              # 90 deg clockwise: image right of the sight line
        direction_deg = float(np.degrees(np.arctan2(mean_vel @ across, mean_vel @ sight)))
        a = abs(direction_deg)
        direction = ("away" if a <= cfg.towards_cone_deg else "towards" if a >= 180 - cfg.towards_cone_deg
                     else "right" if direction_deg > 0 else "left")

    # -- facing and yaw (hips and shoulders, horizontal)
    lateral = (j[:, J["right_hip"]] - j[:, J["left_hip"]]) + (j[:, J["right_shoulder"]] - j[:, J["left_shoulder"]])
    facing = np.cross(up, lateral)                            # body forward (up x right)
    face_g = np.stack([facing @ right, facing @ fwd], axis=1)
    horizontal = np.linalg.norm(face_g, axis=1) > 0.3 * np.linalg.norm(lateral, axis=1)
    kernel = max(1, int(round(0.2 * fps)))
    face_g = np.stack([np.convolve(face_g[:, c], np.ones(kernel) / kernel, mode="same") for c in range(2)], 1)
    yaw = np.unwrap(np.arctan2(face_g[:, 0], face_g[:, 1]))
    dyaw = np.diff(yaw) * horizontal[1:] * horizontal[:-1]
    dyaw[np.abs(dyaw) > np.radians(cfg.max_yaw_step_deg)] = 0.0  # a left-right confusion, not a turn
    # + counter-clockwise seen from above: with (right, fwd) axes, atan2(x, z) grows clockwise
    yaw_total = float(-np.degrees(dyaw.sum()))
    turn_rate = float(np.degrees(np.abs(dyaw).sum()) / max(dt * (t_len - 1), dt))

    # -- posture per frame
    spine = j[:, J["thorax"]] - pelvis
    incl = _angle_deg(spine, up[None])
    ph = hf[:, J["pelvis"]]
    knee_h = np.minimum(hf[:, J["left_knee"]], hf[:, J["right_knee"]])
    feet = 0.5 * (j[:, J["left_ankle"]] + j[:, J["right_ankle"]])
    offset = pelvis - feet
    offset_h = np.linalg.norm(offset - (offset @ up)[:, None] * up, axis=1)
    posture = np.zeros(t_len, dtype=np.int64)                 # upright
    low = ph < cfg.low_pelvis_ratio * leg
    posture[(incl > cfg.bent_torso_deg) & ~low] = POSTURES.index("bent")
    posture[low] = POSTURES.index("crouched")
    posture[low & (offset_h > cfg.sit_offset_ratio * leg) & (incl < cfg.lying_torso_deg)] = POSTURES.index("sitting")
    posture[low & (knee_h < cfg.kneel_knee_ratio * leg) & (ph > 0.3 * leg)
            & (incl < cfg.lying_torso_deg)] = POSTURES.index("kneeling")
    posture[(ph < cfg.lying_pelvis_ratio * leg) & (incl >= cfg.lying_torso_deg)] = POSTURES.index("lying")
    posture[incl >= cfg.upside_down_deg] = POSTURES.index("upside_down")
    edge = max(1, int(round(0.5 * fps)))
    start_p, end_p = _majority(posture[:edge]), _majority(posture[-edge:])

    # -- vertical root motion
    lowest_f = np.minimum(hf[:, J["left_ankle"]], hf[:, J["right_ankle"]])
    lowest_s = np.convolve(lowest_f, np.ones(3) / 3, mode="same") if t_len >= 3 else lowest_f
    # both feet up AND the pelvis raised: a lifted foot plus depth noise on the other is not a flight
    air = ((lowest_s > cfg.airborne_clearance_m) & (ph > np.median(ph) + 0.5 * cfg.airborne_clearance_m)
           & (ph > 0.6 * leg) & (incl < cfg.lying_torso_deg))
    edges = np.diff(np.concatenate([[0], air.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_enough = (ends - starts) * dt >= cfg.min_airborne_s
    jumps = int(long_enough.sum())
    jump_height = max((float(lowest_f[s:e].max()) for s, e in zip(starts[long_enough], ends[long_enough])), default=0.0)
    k = max(1, int(round(0.3 * fps)))
    level_change = float(ph[-k:].mean() - ph[:k].mean())
    peak_down = _peak_speed(np.stack([ph, 0 * ph, 0 * ph], 1), fps, max(1, int(round(0.1 * fps))))
    if t_len > 2 * max(1, int(round(0.1 * fps))):  # downward only: the signed version of the same difference
        hs = max(1, int(round(0.1 * fps)))
        peak_down = float(np.max(ph[:-2 * hs] - ph[2 * hs:]) * fps / (2 * hs))
    went_down = level_change < -cfg.level_change_ratio * leg
    floor_end = end_p in ("lying", "upside_down") or ph[-k:].mean() < cfg.floor_pelvis_ratio * leg
    fell = bool(went_down and floor_end and peak_down >= cfg.fall_speed_mps)
    lay_down = bool(went_down and end_p == "lying" and not fell)
    got_up = bool(start_p in ("lying", "sitting", "kneeling", "crouched") and end_p == "upright"
                  and level_change > cfg.level_change_ratio * leg * 0.6)
    sat_down = bool(start_p in ("upright", "bent") and end_p == "sitting")

    # -- rotation about horizontal axes (torso), and rolling about the spine while lying
    s_u = _unit(spine)
    lat_u = _unit(lateral)
    fwd_b = _unit(np.cross(lat_u, s_u) * -1.0)   # body front (up x right with the spine as up)
    step_axis = np.cross(s_u[:-1], s_u[1:])       # |.| = sin(step angle), direction = rotation axis
    flip = float(np.degrees(np.arcsin(np.clip(np.sum(step_axis * lat_u[:-1], axis=1), -1, 1)).sum()))
    cart = float(np.degrees(np.arcsin(np.clip(np.sum(step_axis * fwd_b[:-1], axis=1), -1, 1)).sum()))
    lying = posture == POSTURES.index("lying")
    roll_step = np.arcsin(np.clip(np.sum(np.cross(lat_u[:-1], lat_u[1:]) * s_u[:-1], axis=1), -1, 1))
    roll = float(np.degrees((roll_step * (lying[1:] & lying[:-1])).sum()))

    # -- limbs
    body_up = up
    def limb(side: str, other: str) -> LimbFacts:
        w, s = j[:, J[f"{side}_wrist"]], j[:, J[f"{side}_shoulder"]]
        reach = w - s
        ext = np.linalg.norm(reach, axis=1) > cfg.extended_ratio * arm
        along_f = np.sum(_unit(reach) * _unit(facing - (facing @ body_up)[:, None] * body_up), axis=1)
        along_l = np.abs(np.sum(_unit(reach) * lat_u, axis=1))
        chest = j[:, J["thorax"]] + 0.15 * _unit(facing)
        rel_w = w - pelvis
        rel_a = j[:, J[f"{side}_ankle"]] - pelvis
        f_hz, amp, share = _dominant_frequency(w - j[:, J["thorax"]], fps, cfg.oscillation_band_hz)
        periodic = amp >= cfg.min_oscillation_amplitude_m and share >= cfg.min_periodicity
        return LimbFacts(
            above_head=float((hf[:, J[f"{side}_wrist"]] > hf[:, J["head"]]).mean()),
            raised=float((hf[:, J[f"{side}_wrist"]] > hf[:, J[f"{side}_shoulder"]]).mean()),
            reach_forward_m=float(np.percentile(np.sum((w - j[:, J["thorax"]]) * _unit(facing), axis=1), 90)),
            at_face=float((np.linalg.norm(w - j[:, J["neck_nose"]], axis=1) < cfg.face_radius_m).mean()),
            at_chest=float(((np.linalg.norm(w - chest, axis=1) < cfg.chest_radius_m)).mean()),
            extended_forward=float((ext & (along_f > 0.8)).mean()),
            extended_sideways=float((ext & (along_l > 0.8)).mean()),
            peak_speed_mps=_peak_speed(rel_w, fps),
            oscillation_hz=f_hz if periodic else 0.0,
            oscillation_amplitude_m=amp,
            foot_above_knee=float((hf[:, J[f"{side}_ankle"]] > hf[:, J[f"{other}_knee"]]).mean()),
            foot_above_hip=float((hf[:, J[f"{side}_ankle"]] > hf[:, J["pelvis"]]).mean()),
            foot_peak_speed_mps=_peak_speed(rel_a, fps),
        )
    left, right_limb = limb("left", "right"), limb("right", "left")

    # mirrored symmetry: lateral components opposite, the others equal
    lw = j[:, J["left_wrist"]] - j[:, J["thorax"]]
    rw = j[:, J["right_wrist"]] - j[:, J["thorax"]]
    lat_c = np.sum(lw * lat_u, axis=1, keepdims=True) * lat_u
    lw_m = lw - 2 * lat_c                                     # left wrist mirrored to the right side
    a_, b_ = lw_m - lw_m.mean(0), rw - rw.mean(0)
    denom = np.sqrt((a_ ** 2).sum() * (b_ ** 2).sum())
    symmetry = float((a_ * b_).sum() / denom) if denom > 1e-6 else 0.0
    ankles_rel = (hf[:, J["left_ankle"]] - hf[:, J["right_ankle"]])[:, None]
    step_hz, step_amp, step_share = _dominant_frequency(
        np.concatenate([ankles_rel, ((j[:, J["left_ankle"]] - j[:, J["right_ankle"]]) @ np.stack([right, fwd], 1))], 1),
        fps, cfg.oscillation_band_hz)

    def periodic_hz(x: np.ndarray, min_amp: float) -> float:
        f, a, share = _dominant_frequency(x, fps, cfg.oscillation_band_hz)
        return f if (a >= min_amp and share >= 1.5 * cfg.min_periodicity) else 0.0
    nose = j[:, J["neck_nose"]] - j[:, J["thorax"]]
    hands_d = np.linalg.norm(j[:, J["left_wrist"]] - j[:, J["right_wrist"]], axis=1)
    extra = dict(
        lying_facing=("none" if not lying.any() else
                      "up" if np.median(np.sum(fwd_b[lying] * up, axis=1)) > 0 else "down"),
        lowest_wrist_m=float(min(hf[:, J["left_wrist"]].min(), hf[:, J["right_wrist"]].min())),
        hands_min_distance_m=float(hands_d.min()),
        hands_distance_hz=periodic_hz(hands_d[:, None], cfg.min_oscillation_amplitude_m),
        head_nod_hz=periodic_hz((nose @ up)[:, None], cfg.min_head_amplitude_m),
        head_shake_hz=periodic_hz(np.sum(nose * lat_u, axis=1)[:, None], cfg.min_head_amplitude_m),
    )
    return MotionDescriptors(
        **extra,
        duration_s=t_len * dt, valid=True, up_camera=up, camera_pitch_deg=pitch, up_from_body=from_body,
        leg_length_m=float(leg),
        ground_speed_mps=mean_speed, peak_ground_speed_mps=float(speed.max()),
        net_displacement_m=float(np.linalg.norm(disp)), direction=direction, direction_deg=direction_deg,
        turn_rate_dps=turn_rate,
        posture=posture, start_posture=start_p, end_posture=end_p, main_posture=_majority(posture),
        torso_inclination_deg=float(np.median(incl)), max_torso_inclination_deg=float(incl.max()),
        upside_down=bool((incl >= cfg.upside_down_deg).any()),
        pelvis_height_m=ph, airborne_s=float(air.sum() * dt), jumps=jumps, jump_height_m=jump_height,
        level_change_m=level_change, peak_down_speed_mps=peak_down, fell=fell, lay_down=lay_down,
        got_up=got_up, sat_down=sat_down,
        yaw_deg=yaw_total, turns=abs(yaw_total) >= cfg.turn_deg, spins=int(abs(yaw_total) // cfg.spin_deg),
        flip_deg=flip, cartwheel_deg=cart, roll_deg=roll,
        left=left, right=right_limb, hands_symmetry=symmetry,
        step_hz=step_hz if (step_share >= cfg.min_periodicity and step_amp >= cfg.min_oscillation_amplitude_m) else 0.0,
    )


def _invalid(t_len: int, fps: float) -> MotionDescriptors:
    return MotionDescriptors(
        duration_s=t_len / fps, valid=False, up_camera=up_from_pitch(0.0), camera_pitch_deg=0.0,
        up_from_body=False, leg_length_m=0.0, ground_speed_mps=0.0, peak_ground_speed_mps=0.0,
        net_displacement_m=0.0, direction="none", direction_deg=0.0, turn_rate_dps=0.0,
        posture=np.zeros(t_len, dtype=np.int64), start_posture="upright", end_posture="upright",
        main_posture="upright", torso_inclination_deg=0.0, max_torso_inclination_deg=0.0, upside_down=False,
        pelvis_height_m=np.zeros(t_len), airborne_s=0.0, jumps=0, jump_height_m=0.0, level_change_m=0.0,
        peak_down_speed_mps=0.0, fell=False, lay_down=False, got_up=False, sat_down=False, yaw_deg=0.0,
        turns=False, spins=0, flip_deg=0.0, cartwheel_deg=0.0, roll_deg=0.0, left=LimbFacts(),
        right=LimbFacts(), hands_symmetry=0.0, step_hz=0.0)
