"""A PNG timeline of the descriptors along one clip (sliding windows), for looking rather than reading.

For a generated clip: tools/ros_env.sh python -m llamo_ros.data.motion_synth.timeline --seed 3 --out out/t.png
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from llamo_ros.motion.descriptors.describe import describe_motion
from llamo_ros.motion.descriptors.facts import POSTURES


def sliding_descriptors(joints: np.ndarray, confidence: np.ndarray, fps: float,
                        window_s: float = 3.2, hop_s: float = 0.4) -> list[tuple[float, object]]:
    """(window centre s, MotionDescriptors) for windows of window_s every hop_s along a clip."""
    n, hop = max(3, int(round(window_s * fps))), max(1, int(round(hop_s * fps)))
    return [((s + n / 2) / fps, describe_motion(joints[s:s + n], confidence[s:s + n], fps))
            for s in range(0, max(1, joints.shape[0] - n + 1), hop)]


def write_timeline_png(joints: np.ndarray, confidence: np.ndarray, fps: float, path: str | Path,
                       title: str = "", labels: list[tuple[float, float, str]] = ()) -> Path:
    """Plot speed, yaw, jumps, hand frequencies and posture per window; `labels`: (start s, end s, name)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from llamo_ros.motion.action_rules import PRIORITY, supported_actions

    rows = sliding_descriptors(joints, confidence, fps)
    t = np.array([c for c, _ in rows])
    ds = [d for _, d in rows]
    fig, ax = plt.subplots(4, 1, figsize=(10, 8), sharex=True)
    ax[0].plot(t, [d.ground_speed_mps for d in ds], label="ground speed (m/s)")
    ax[0].plot(t, [d.jump_height_m * 5 for d in ds], label="jump height x5 (m)")
    ax[0].legend(loc="upper right", fontsize=8)
    ax[1].plot(t, [d.yaw_deg for d in ds], label="yaw over window (deg)")
    ax[1].plot(t, [d.max_torso_inclination_deg for d in ds], label="max torso inclination (deg)")
    ax[1].legend(loc="upper right", fontsize=8)
    ax[2].plot(t, [d.left.oscillation_hz for d in ds], "o-", ms=3, label="left hand Hz")
    ax[2].plot(t, [d.right.oscillation_hz for d in ds], "o-", ms=3, label="right hand Hz")
    ax[2].legend(loc="upper right", fontsize=8)
    ax[3].plot(t, [POSTURES.index(d.main_posture) for d in ds], "s", ms=4)
    ax[3].set_yticks(range(len(POSTURES)), POSTURES, fontsize=7)
    ax[3].set_ylim(-0.5, len(POSTURES) + 3.5)
    for c, d in rows:
        named = next((a for a in PRIORITY if a in supported_actions(d)), "unclear")
        ax[3].annotate(named, (c, len(POSTURES) + 3.3), rotation=90, fontsize=6, ha="center", va="top")
    for start, end, name in labels:
        for a in ax:
            a.axvspan(start, end, alpha=0.06, color="gray")
        ax[0].annotate(name, ((start + end) / 2, 0), fontsize=7, ha="center")
    ax[3].set_xlabel("window centre (s)")
    fig.suptitle(title or "motion descriptors, 3.2 s windows every 0.4 s (bottom: action the rules support)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
