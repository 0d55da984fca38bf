"""Training and evaluation sets from the procedural generator (`llamo_ros.data.motion_synth`).

Seeds split the data: train seeds [0, n), validation seeds from VAL_SEED0, test seeds from TEST_SEED0 -
never overlapping. Two kinds of samples:
  motion windows   windows every 0.5 s of default multi-action clips; intent at "now", future path
                   (encoder + heads)
  language samples one window per SINGLE-action clip (generator with max_actions=1; clips to which the
                   generator added a filling "stand" are skipped), ending at the clip's last frame, so the
                   3.2 s window shows the action the caption names; plus that clip's QA pairs
                   (the first QA pair repeats the caption and is dropped)
`heldout_config("body_view")` changes bodies and viewpoints beyond the training ranges.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.data.motion_synth import SynthConfig, generate_clip
from llamo_ros.motion.windows import MotionSample, clip_windows, window_at

VAL_SEED0 = 1_000_000
TEST_SEED0 = 2_000_000
LANGUAGE_SEED_OFFSET = 500_000  # language clips use their own seeds, so they differ from the motion clips


def heldout_config(kind: str, language: bool = False) -> SynthConfig:
    """'seeds': the training distribution; 'body_view': taller/shorter bodies, wider bearings, other cameras."""
    base = dict(max_actions=1, duration_range_s=(1.0, 3.0)) if language else {}
    if kind == "seeds":
        return SynthConfig(**base)
    if kind == "body_view":
        return SynthConfig(body_height_range_m=(1.95, 2.15), bearing_range_deg=(25.0, 40.0),
                           camera_height_range_m=(1.8, 2.2), camera_pitch_range_deg=(20.0, 30.0), **base)
    raise ValueError(f"unknown held-out set {kind!r}: 'seeds' or 'body_view'")


def motion_windows(seed0: int, n_clips: int, config: SynthConfig | None = None,
                   stride_s: float = 0.5) -> list[MotionSample]:
    out = []
    for seed in range(seed0, seed0 + n_clips):
        out.extend(clip_windows(generate_clip(seed, config), stride_s=stride_s))
    return out


@dataclass
class LanguageSample:
    window: MotionSample
    caption: str
    qa: list[tuple[str, str]]
    action: str  # the clip's one action (segment name)


def language_samples(seed0: int, n: int, config: SynthConfig | None = None) -> list[LanguageSample]:
    """`n` single-action samples from consecutive seeds starting at seed0 + LANGUAGE_SEED_OFFSET."""
    config = config or heldout_config("seeds", language=True)
    out, seed = [], seed0 + LANGUAGE_SEED_OFFSET
    while len(out) < n:
        clip = generate_clip(seed, config)
        seed += 1
        if len(clip.segments) != 1:
            continue
        out.append(LanguageSample(window_at(clip, clip.num_frames - 1), clip.caption, list(clip.qa[1:]),
                                  clip.segments[0].name))
    return out


def batch_indices(n: int, batch: int, step: int, seed: int) -> np.ndarray:
    """Deterministic batch for a step (so a resumed run draws the same batches)."""
    return np.random.default_rng([seed, step]).choice(n, size=min(batch, n), replace=False)
