"""One action at a time: clips of a single catalogue action (for tests) and a PNG contact sheet of all.

    python -m llamo_ros.data.motion_synth.showcase out/motion_synth_actions.png
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from llamo_ros.data.motion_clip import MotionClip
from llamo_ros.data.motion_synth.catalogue import ALL_ACTIONS, CATALOGUE
from llamo_ros.data.motion_synth.config import broad_config
from llamo_ros.data.motion_synth.scene import ScenePlan, plan_scene

# The action that brings a standing person into the posture an action starts in.
INTO_POSTURE = {"seated": "sit_down", "lying_face_up": "lie_down", "lying_face_down": "fall"}


def action_clip(name: str, seed: int, **overrides) -> tuple[MotionClip, ScenePlan]:
    """A broad-config clip of `name` alone (after the action that reaches its start posture, if any).

    Returns the clip and its plan (camera, body) so that a caller can go back to the world frame.
    """
    from llamo_ros.data.motion_synth import generate_clip
    before = INTO_POSTURE.get(CATALOGUE[name].start_posture)
    actions = (before, name) if before else (name,)
    cfg = broad_config(actions=actions, max_actions=len(actions), duration_range_s=(60.0, 60.0),
                       seated_start_prob=0.0, **overrides)
    return generate_clip(seed, cfg), plan_scene(seed, cfg)


def segment_of(clip: MotionClip, name: str):
    """The first segment called `name` (KeyError if absent)."""
    for seg in clip.segments:
        if seg.name == name:
            return seg
    raise KeyError(f"{name} not in {[s.name for s in clip.segments]}")


def contact_sheet(path: Path, seed: int = 0, frames: int = 8) -> Path:
    """PNG: one row per action (seed + row, so cameras vary), `frames` evenly spaced camera-view stick figures."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from llamo_ros.skeleton import BONES
    fig, axes = plt.subplots(len(ALL_ACTIONS), frames, figsize=(frames * 1.4, len(ALL_ACTIONS) * 1.6))
    for row, name in enumerate(ALL_ACTIONS):
        clip, plan = action_clip(name, seed + row)
        seg = segment_of(clip, name)
        j = clip.joints_clean[seg.start:seg.end].astype(np.float64)
        uv = j[..., :2] / j[..., 2:3]                               # normalised image coordinates
        lo, hi = np.nanmin(uv, axis=(0, 1)), np.nanmax(uv, axis=(0, 1))
        pad = 0.1 * max(hi - lo)
        for col, f in enumerate(np.linspace(0, len(j) - 1, frames).astype(int)):
            ax = axes[row, col]
            for p, c in BONES:
                colour = "tab:blue" if "left" in _joint_name(c) else "tab:red" if "right" in _joint_name(c) else "k"
                ax.plot(uv[f, [p, c], 0], uv[f, [p, c], 1], color=colour, lw=1.2)
            ax.set_xlim(lo[0] - pad, hi[0] + pad)
            ax.set_ylim(hi[1] + pad, lo[1] - pad)  # image y down
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(name, fontsize=7)
            ax.set_title(f"{f / clip.fps:.1f}s", fontsize=6)
        axes[row, -1].text(1.05, 0.5, f"cam {plan.camera.height_m:.1f} m / {plan.camera.pitch_deg:.0f} deg",
                           transform=axes[row, -1].transAxes, fontsize=6, va="center")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def _joint_name(index: int) -> str:
    from llamo_ros.skeleton import JOINT_INDEX
    return {v: k for k, v in JOINT_INDEX.items()}[index]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=Path, nargs="?", default=Path("out/motion_synth_actions.png"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(contact_sheet(args.png, args.seed))


if __name__ == "__main__":
    main()
