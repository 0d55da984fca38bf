"""`describe_motion`: the kinematic motion descriptors of one H36M-17 window.

Like PoseScript / MotionScript posecodes, extended to motion: locomotion, posture, vertical root
motion, whole-body rotation and per-limb facts, computed with vectorised numpy from joints in metres
in the camera optical frame (REP-103: x right, y down, z forward), confidences and NaN for lost joints.
Heights are along the up direction of `gravity` above a per-frame floor: the level the lower ankle rests
on before and after each frame (see the comments at the floor, the airborne phases and the yaw for how
distant, noisy real skeletons are kept from producing jumps and turns). About 2.7 ms per 3.2 s window at 30 fps.
"""
from __future__ import annotations

import numpy as np

from llamo_ros.motion.descriptors.config import DescriptorConfig
from llamo_ros.motion.descriptors.facts import LOW_POSTURES, POSTURES, LimbFacts, MotionDescriptors
from llamo_ros.motion.descriptors.gravity import estimate_up, level_path_up, up_from_pitch
from llamo_ros.motion.descriptors.signals import (
    angle_deg, dominant_frequency, fill_nan, jitter_std, peak_speed, true_runs, two_sided_floor, unit,
)
from llamo_ros.skeleton import JOINT_INDEX as J


def _rise_seen_across_sight(pelvis: np.ndarray, up: np.ndarray, s0: int, e0: int, rise: float, k: int) -> bool:
    """A flight lifts the body across the line of sight (it shows in the image); a depth error of a monocular
    root moves it only along the line of sight, which, with the camera pitched down, also looks like a rise.
    The pelvis during the flight (s0:e0), against the straight line between its mean over the k frames before
    and after, must have moved across the sight line along up at least half as much as a rise of `rise` would."""
    pre, post = pelvis[max(0, s0 - k):s0], pelvis[e0:e0 + k]
    if not len(pre) or not len(post):
        return True                                          # cut by the window's edge: nothing to compare with
    t_pre, t_post = max(0, s0 - k) + (len(pre) - 1) / 2, e0 + (len(post) - 1) / 2
    w = ((np.arange(s0, e0) - t_pre) / (t_post - t_pre))[:, None]
    moved = (pelvis[s0:e0] - ((1 - w) * pre.mean(0) + w * post.mean(0))).mean(0)
    sight = unit(pelvis[s0:e0].mean(0))
    across = up - (up @ sight) * sight                         # up's part the camera sees across its sight line
    norm = float(np.linalg.norm(across))
    return norm < 0.2 or float(moved @ across) / norm >= 0.5 * rise * norm


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
    # H36M's pelvis is the hips' midpoint (and the thorax the shoulders'): refill them from those where lost
    for centre, (a, b) in ((J["pelvis"], (J["left_hip"], J["right_hip"])),
                           (J["thorax"], (J["left_shoulder"], J["right_shoulder"]))):
        lost = ~seen[:, centre] & seen[:, a] & seen[:, b]
        j[lost, centre] = 0.5 * (j[lost, a] + j[lost, b])
        seen[lost, centre] = True
    frame_ok = seen[:, [J["pelvis"], J["left_hip"], J["right_hip"], J["thorax"]]].all(axis=1)
    if t_len < 3 or frame_ok.sum() < max(3, 0.3 * t_len):
        return _invalid(t_len, fps)
    j = fill_nan(j)
    if t_len >= 3:  # 3-frame temporal median: removes single-frame estimator blunders (swaps, jumps)
        j = np.median(np.stack([np.concatenate([j[:1], j[:-1]]), j, np.concatenate([j[1:], j[-1:]])]), axis=0)
    dt = 1.0 / fps

    if camera_pitch_deg is None:
        up, from_body = estimate_up(j, cfg)
        level = level_path_up(j[:, J["pelvis"]], cfg)   # walking in depth: the level path fixes the pitch better
        if level is not None:
            up, from_body = level, True
    else:
        up, from_body = up_from_pitch(camera_pitch_deg), False
    pitch = float(np.degrees(np.arctan2(-up[2], -up[1])))
    fwd = unit(np.array([0.0, 0.0, 1.0]) - up[2] * up)   # camera forward on the ground plane
    right = np.cross(up, fwd) * -1.0                        # camera x on the ground plane (image right)
    right = unit(right)

    def lengths(a, b):
        return np.nanmedian(np.linalg.norm(j[:, J[a]] - j[:, J[b]], axis=-1))
    leg = 0.5 * (lengths("left_hip", "left_knee") + lengths("left_knee", "left_ankle")
                 + lengths("right_hip", "right_knee") + lengths("right_knee", "right_ankle"))
    arm = 0.5 * (lengths("left_shoulder", "left_elbow") + lengths("left_elbow", "left_wrist")
                 + lengths("right_shoulder", "right_elbow") + lengths("right_elbow", "right_wrist"))

    h = j @ up                                                # (T, 17) height along up (arbitrary origin)
    # The floor under each frame, not one floor for the window: a monocular root (height prior) is tens of
    # centimetres off in depth, and with the camera pitched down a depth error moves the whole skeleton along
    # up, so on real distant walkers the "floor" drifts by up to half a metre within 3 s; one low percentile
    # over the window then had both feet "above the floor" for seconds (false jumps in 3/4 of the windows).
    # The resting part of the body (lower ankle, or the lowest joint while lying / upside down) is followed
    # with a two-sided floor, which a drift cannot lift above it but a flight (shorter than floor_span_s) can.
    lowest = np.minimum(np.minimum(h[:, J["left_ankle"]], h[:, J["right_ankle"]]), h.min(axis=1) + 0.05)
    span_f = max(1, int(round(cfg.floor_span_s * fps)))
    floor_t = two_sided_floor(lowest, span_f)
    k_f = max(1, int(round(0.3 * fps)))                      # smoothed for heights: the mins step with the noise
    floor = np.convolve(np.pad(floor_t, (k_f // 2, k_f - 1 - k_f // 2), mode="edge"), np.ones(k_f) / k_f, "valid")
    hf = h - floor[:, None]                                  # heights above the floor
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
        sight = unit(ground.mean(axis=0))                    # camera -> person on the ground
        across = np.array([sight[1], -sight[0]])              # 90 deg clockwise: image right of the sight line
        direction_deg = float(np.degrees(np.arctan2(mean_vel @ across, mean_vel @ sight)))
        a = abs(direction_deg)
        direction = ("away" if a <= cfg.towards_cone_deg else "towards" if a >= 180 - cfg.towards_cone_deg
                     else "right" if direction_deg > 0 else "left")

    # -- facing and yaw (hips and shoulders, horizontal)
    lateral = (j[:, J["right_hip"]] - j[:, J["left_hip"]]) + (j[:, J["right_shoulder"]] - j[:, J["left_shoulder"]])
    facing = np.cross(up, lateral)                            # body forward (up x right)
    face_g = np.stack([facing @ right, facing @ fwd], axis=1)
    # Facing of distant, noisy skeletons is unreliable in three ways, each handled here:
    # - front/back (left-right) confusions of the 2D pose flip the facing by 180 deg, for one frame or for
    #   seconds: the facing is tracked as an axis (doubled angle), blind to such flips, so only rotations
    #   below 90 deg per frame count (a 900 deg/s spin at 10 fps);
    # - seen side-on, the lifter collapses the body's depth, the shoulders and hips shrink to a few cm and
    #   the facing turns at random: frames whose horizontal width is below min_width_ratio x the window's
    #   typical width do not count;
    # - the remaining jitter: a turn must exceed yaw_jitter_sigmas x the uncertainty of the window's
    #   start-to-end yaw, else the yaw is reported as 0 (no measurable rotation).
    width = np.linalg.norm(face_g, axis=1)                   # horizontal shoulder + hip width seen, m
    reliable = ((width >= cfg.min_width_ratio * np.percentile(width, 75))
                & (width > 0.3 * np.linalg.norm(lateral, axis=1)))
    ang = np.arctan2(face_g[:, 0], face_g[:, 1])
    # walking people face where they go (or, after a front/back confusion, the opposite way): a facing axis
    # across the direction of motion is the lifter's error, not a turn
    off_motion = np.abs(np.angle(np.exp(2j * (ang - np.arctan2(vel[:, 0], vel[:, 1]))))) / 2   # (T,) rad, <= pi/2
    reliable &= ~((speed >= 0.5) & (np.degrees(off_motion) > cfg.facing_motion_deg))
    axis2 = np.stack([np.cos(2 * ang), np.sin(2 * ang)], 1) * reliable[:, None]
    kernel = max(1, int(round(0.2 * fps)))
    box = np.ones(kernel)
    weight = np.convolve(reliable.astype(float), box, mode="same")
    axis2 = (np.stack([np.convolve(axis2[:, c], box, mode="same") for c in range(2)], 1)
             / np.maximum(weight, 1e-9)[:, None])
    yaw = 0.5 * np.unwrap(np.arctan2(axis2[:, 1], axis2[:, 0]))
    counted = weight >= 0.5 * kernel
    dyaw = np.diff(yaw) * counted[1:] * counted[:-1]
    cum = np.concatenate([[0.0], np.cumsum(dyaw)])           # (T,) counted yaw since the first frame, rad
    # + counter-clockwise seen from above: with (right, fwd) axes, atan2(x, z) grows clockwise
    yaw_total = float(-np.degrees(dyaw.sum()))
    raw = 0.5 * np.unwrap(2 * ang[reliable]) if reliable.sum() >= 4 else np.zeros(4)
    yaw_sigma = float(np.degrees(jitter_std(raw)) * np.sqrt(2.0 / kernel))
    # walking people face where they go: while they walk through the window, a turn must show in their path
    # too (their root's heading in the first vs the last third) and counts only as far as both agree (same
    # sense, within path_agreement_deg once whole turns are added: a walk round a circle); a facing that turns
    # while the path goes straight is a front/back confusion resolved by the lifter rotating the body (seen on
    # vtest.avi: 190 deg of facing over a 6 deg path), a path that turns under a steady facing is root depth noise
    third = max(1, t_len // 3)
    v1, v3 = vel[:third].mean(axis=0), vel[-third:].mean(axis=0)
    if min(np.linalg.norm(v1), np.linalg.norm(v3)) >= 0.5:
        path_turn = float(-np.degrees((np.arctan2(v3[0], v3[1]) - np.arctan2(v1[0], v1[1]) + np.pi) % (2 * np.pi)
                                      - np.pi))
        facing_turn = float(-np.degrees(cum[-third:].mean() - cum[:third].mean()))  # the path's span
        path_turn += 360.0 * round((facing_turn - path_turn) / 360.0)     # the same number of whole turns
        agree = (np.sign(path_turn) == np.sign(yaw_total)
                 and abs(facing_turn - path_turn) <= cfg.path_agreement_deg)
        yaw_total = float(np.sign(yaw_total) * min(abs(yaw_total), abs(path_turn))) if agree else 0.0
    if abs(yaw_total) < cfg.yaw_jitter_sigmas * yaw_sigma:
        yaw_total, cum = 0.0, 0.0 * cum
    # peak net yaw rate over one second (a full stride: the hips' gait swing cancels)
    span_n = min(len(cum) - 1, max(1, int(round(cfg.turn_rate_span_s * fps))))
    turn_rate = float(np.degrees(np.abs(cum[span_n:] - cum[:-span_n]).max()) / (span_n * dt))

    # -- posture per frame
    spine = j[:, J["thorax"]] - pelvis
    incl = angle_deg(spine, up[None])
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
    # Airborne: the resting part above the two-sided floor (which returns to it within floor_span_s), by more
    # than the fixed clearance and than jitter_sigmas x the window's ankle-height jitter (distant, noisy
    # skeletons have 5-10 cm of it); for >= 2 frames; with the pelvis lifted too (one lifted foot plus noise on
    # the other is not a flight); and no longer than a ballistic flight that high could last (a slow bulge of
    # the whole skeleton is a depth error, not a jump).
    k_s = max(1, int(round(0.1 * fps)))
    box_s = np.ones(k_s) / k_s
    lowest_s = np.convolve(np.pad(lowest, (k_s // 2, k_s - 1 - k_s // 2), mode="edge"), box_s, "valid")
    lowest_f = lowest_s - two_sided_floor(lowest_s, span_f)
    ankle_jitter = jitter_std(h[:, [J["left_ankle"], J["right_ankle"]]]) / np.sqrt(k_s)
    clearance = max(cfg.airborne_clearance_m, cfg.jitter_sigmas * ankle_jitter)
    pelvis_s = np.convolve(np.pad(h[:, J["pelvis"]], (k_s // 2, k_s - 1 - k_s // 2), mode="edge"), box_s, "valid")
    pelvis_rise = pelvis_s - two_sided_floor(pelvis_s, span_f, 50.0)   # above its level before and after
    air = (lowest_f > clearance) & (ph > 0.6 * leg) & (incl < cfg.lying_torso_deg)
    starts, ends = true_runs(air)
    flights = []
    for s0, e0 in zip(starts, ends):
        peak = float(lowest_f[s0:e0].max())
        if ((e0 - s0) >= max(2, cfg.min_airborne_s * fps)
                and pelvis_rise[s0:e0].max() >= 0.5 * peak
                and (e0 - s0) * dt <= np.sqrt(8 * peak / 9.81) + 2 * dt
                and _rise_seen_across_sight(pelvis, up, s0, e0, float(lowest_f[s0:e0].mean()), k_s + 1)):
            flights.append((s0, e0, peak))
    jumps = len(flights)
    jump_height = max((p for _, _, p in flights), default=0.0)
    airborne_s = sum(e0 - s0 for s0, e0, _ in flights) * dt
    k = max(1, int(round(0.3 * fps)))
    level_change = float(ph[-k:].mean() - ph[:k].mean())
    peak_down = peak_speed(np.stack([ph, 0 * ph, 0 * ph], 1), fps, max(1, int(round(0.1 * fps))))
    if t_len > 2 * max(1, int(round(0.1 * fps))):  # downward only: the signed version of the same difference
        hs = max(1, int(round(0.1 * fps)))
        peak_down = float(np.max(ph[:-2 * hs] - ph[2 * hs:]) * fps / (2 * hs))
    went_down = level_change < -cfg.level_change_ratio * leg
    floor_end = end_p in ("lying", "upside_down") or ph[-k:].mean() < cfg.floor_pelvis_ratio * leg
    fell = bool(went_down and floor_end and peak_down >= cfg.fall_speed_mps)
    lay_down = bool(went_down and end_p == "lying" and not fell)
    got_up = bool(start_p in LOW_POSTURES and end_p == "upright"
                  and level_change > cfg.level_change_ratio * leg * 0.6)
    sat_down = bool(start_p in ("upright", "bent") and end_p == "sitting")

    # -- rotation about horizontal axes (torso), and rolling about the spine while lying
    s_u = unit(spine)
    lat_u = unit(lateral)
    fwd_b = unit(np.cross(lat_u, s_u) * -1.0)   # body front (up x right with the spine as up)
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
        along_f = np.sum(unit(reach) * unit(facing - (facing @ body_up)[:, None] * body_up), axis=1)
        along_l = np.abs(np.sum(unit(reach) * lat_u, axis=1))
        chest = j[:, J["thorax"]] + 0.15 * unit(facing)
        rel_w = w - pelvis
        rel_a = j[:, J[f"{side}_ankle"]] - pelvis
        f_hz, amp, share = dominant_frequency(w - j[:, J["thorax"]], fps, cfg.oscillation_band_hz)
        periodic = amp >= cfg.min_oscillation_amplitude_m and share >= cfg.min_periodicity
        return LimbFacts(
            above_head=float((hf[:, J[f"{side}_wrist"]] > hf[:, J["head"]]).mean()),
            raised=float((hf[:, J[f"{side}_wrist"]] > hf[:, J[f"{side}_shoulder"]]).mean()),
            reach_forward_m=float(np.percentile(np.sum((w - j[:, J["thorax"]]) * unit(facing), axis=1), 90)),
            at_face=float((np.linalg.norm(w - j[:, J["neck_nose"]], axis=1) < cfg.face_radius_m).mean()),
            at_chest=float(((np.linalg.norm(w - chest, axis=1) < cfg.chest_radius_m)).mean()),
            trunk_height=_median(np.sum(rel_w * spine, axis=1) / np.maximum(np.sum(spine * spine, axis=1), 1e-6)),
            extended_forward=float((ext & (along_f > 0.8)).mean()),
            extended_sideways=float((ext & (along_l > 0.8)).mean()),
            peak_speed_mps=peak_speed(rel_w, fps),
            oscillation_hz=f_hz if periodic else 0.0,
            oscillation_amplitude_m=amp,
            foot_above_knee=float((hf[:, J[f"{side}_ankle"]] > hf[:, J[f"{other}_knee"]]).mean()),
            foot_above_hip=float((hf[:, J[f"{side}_ankle"]] > hf[:, J["pelvis"]]).mean()),
            foot_peak_speed_mps=peak_speed(rel_a, fps),
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
    step_hz, step_amp, step_share = dominant_frequency(
        np.concatenate([ankles_rel, ((j[:, J["left_ankle"]] - j[:, J["right_ankle"]]) @ np.stack([right, fwd], 1))], 1),
        fps, cfg.oscillation_band_hz)

    def periodic_hz(x: np.ndarray, min_amp: float) -> float:
        f, a, share = dominant_frequency(x, fps, cfg.oscillation_band_hz)
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
        pelvis_height_m=ph, airborne_s=float(airborne_s), jumps=jumps, jump_height_m=float(jump_height),
        level_change_m=level_change, peak_down_speed_mps=peak_down, fell=fell, lay_down=lay_down,
        got_up=got_up, sat_down=sat_down,
        yaw_deg=yaw_total, turns=abs(yaw_total) >= cfg.turn_deg, spins=int(abs(yaw_total) // cfg.spin_deg),
        flip_deg=flip, cartwheel_deg=cart, roll_deg=roll,
        left=left, right=right_limb, hands_symmetry=symmetry,
        step_hz=step_hz if (step_share >= cfg.min_periodicity and step_amp >= cfg.min_oscillation_amplitude_m) else 0.0,
    )


def _median(x: np.ndarray) -> float:
    """Median of the finite values, 0 if none."""
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else 0.0


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
