"""Training and evaluation sets from the procedural generator (`llamo_ros.data.motion_synth`).

Seeds split the data: train seeds [0, n), validation seeds from VAL_SEED0, test seeds from TEST_SEED0 -
never overlapping. Two generators: the default ten-action one (`default_training_config()`: `SynthConfig()` with
the pose estimator's systematic errors, `ESTIMATOR_BIAS`, carried arms, `PEDESTRIAN_ARMS`, and people standing
about or strolling, `PEDESTRIAN_STANDING`) and the broad one
(`broad_training_config()`: every catalogue action except HELDOUT_ACTIONS, realistic cameras, long walks),
whose clips use seeds offset by BROAD_SEED_OFFSET. HELDOUT_ACTIONS are never trained on: the
`heldout_actions` split measures how the model describes and flags motion it has never seen.
Two kinds of samples:
  motion windows   windows every 0.5 s of multi-action clips; intent at "now", future path (encoder + heads)
  language samples 3.2 s windows inside one action with a caption and QA pairs:
                   - "generator" captions (the shipped checkpoint until 2026-11-29): one window per
                     SINGLE-action default clip, ending at its last frame, with the generator's caption
                   - "descriptors" captions: measured on the window's exact joints by the kinematic
                     descriptors (`motion.captions`): the action is named only where its rule holds, else the
                     caption says the action is unclear; the body's movement always. True on any motion.
`heldout_config("body_view")` changes bodies and viewpoints beyond the training ranges.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from llamo_ros.data.motion_clip import MotionClip
from llamo_ros.data.motion_synth import (
    ALL_ACTIONS, ESTIMATOR_BIAS, ESTIMATOR_WOBBLE, METRIC_ROOT_NOISE, PEDESTRIAN_ARMS, PEDESTRIAN_STANDING, SynthConfig,
    broad_config, generate_clip, with_estimator_wobble,
)
from llamo_ros.motion.captions import caption_for, qa_for
from llamo_ros.motion.descriptors import MotionDescriptors, describe_motion
from llamo_ros.motion.windows import WINDOW_FRAMES, MotionSample, clip_windows, window_at
from llamo_ros.pose.person_pose import RootSource
from llamo_ros.pose.root_filter import RootFilter
from llamo_ros.skeleton import JOINT_INDEX, ROOT
from llamo_ros.motion.features import FEATURE_RATE_HZ

VAL_SEED0 = 1_000_000
TEST_SEED0 = 2_000_000
LANGUAGE_SEED_OFFSET = 500_000  # language clips use their own seeds, so they differ from the motion clips
BROAD_SEED_OFFSET = 3_000_000   # broad-generator clips: seeds of their own
WINDOW_S = WINDOW_FRAMES / FEATURE_RATE_HZ  # 3.2 s

# Actions never trained on, one or two per family, so the held-out split measures generalisation to new
# motion: the model should describe the body's movement and flag the action as unknown ("other").
HELDOUT_ACTIONS: tuple[str, ...] = ("hop", "kick", "crawl", "clap", "throw", "head_shake")
TRAIN_ACTIONS: tuple[str, ...] = tuple(a for a in ALL_ACTIONS if a not in HELDOUT_ACTIONS)


def default_training_config() -> SynthConfig:
    """The default ten-action generator with what real skeletons show and its exact clips lack: the pose
    estimator's clip-constant errors (orientation, scale, per-joint offsets), arms held while walking, people
    standing about and strolling."""
    return SynthConfig(**ESTIMATOR_BIAS, **PEDESTRIAN_ARMS, **PEDESTRIAN_STANDING)


def broad_training_config(**overrides) -> SynthConfig:
    """The broad generator restricted to TRAIN_ACTIONS."""
    return broad_config(**{"actions": TRAIN_ACTIONS, **overrides})


SPLITS = ("seeds", "body_view", "broad", "heldout_actions")


def heldout_config(kind: str, language: bool = False) -> SynthConfig:
    """'seeds': the default generator; 'body_view': taller/shorter bodies, wider bearings, other cameras;
    'broad': the broad training generator (unseen seeds); 'heldout_actions': only HELDOUT_ACTIONS and
    standing between them."""
    base = dict(max_actions=1, duration_range_s=(1.0, 3.0)) if language else {}
    if kind == "seeds":
        return SynthConfig(**base)
    if kind == "body_view":
        return SynthConfig(body_height_range_m=(1.95, 2.15), bearing_range_deg=(25.0, 40.0),
                           camera_height_range_m=(1.8, 2.2), camera_pitch_range_deg=(20.0, 30.0), **base)
    if kind == "broad":
        return broad_training_config()
    if kind == "heldout_actions":
        return broad_config(actions=HELDOUT_ACTIONS + ("stand",), action_weights={"stand": 0.3})
    raise ValueError(f"unknown held-out set {kind!r}: one of {SPLITS}")


def split_seed0(kind: str, seed0: int) -> int:
    """First seed of a split: the broad generator's splits use their own seeds."""
    return seed0 + BROAD_SEED_OFFSET if kind in ("broad", "heldout_actions") else seed0


def as_tracked(clip: MotionClip, source: RootSource = RootSource.HEIGHT_PRIOR) -> MotionClip:
    """The clip's noisy joints as the pose stage publishes them: each frame's root (the pelvis, else the hip
    midpoint) filtered by the pipeline's `pose.root_filter.RootFilter` with the noise model of `source`, and the
    skeleton moved with it. Training and evaluation windows are built from these, so that the motion features
    (root position and velocity above all) are the ones the behaviour stage computes on a live track."""
    roots = RootFilter()
    joints = clip.joints.copy()                                                  # (T, 17, 3) m, optical frame
    hips = joints[:, [JOINT_INDEX["left_hip"], JOINT_INDEX["right_hip"]]].mean(axis=1)  # (T, 3), NaN if one is lost
    for t in range(clip.num_frames):
        measured = joints[t, ROOT] if np.all(np.isfinite(joints[t, ROOT])) else hips[t]
        if not np.all(np.isfinite(measured)):
            continue                                    # no root this frame: the stage publishes no skeleton either
        estimate = roots.update(0, int(round(t * 1e9 / clip.fps)), measured.astype(np.float64), source)
        if estimate is not None:
            joints[t] += (estimate.position - measured).astype(joints.dtype)
    return dataclasses.replace(clip, joints=joints)


def training_clip(seed: int, config: SynthConfig | None = None, tracked_roots: bool = True) -> MotionClip:
    """`generate_clip` as the pipeline would see it (`as_tracked`), every evaluation window comes from here; with
    `tracked_roots` False the generator's own roots instead, without the metric-root error and unfiltered.

    The path head trains on tracked roots (on vtest.avi its 2 s error went from 0.95x to 0.88x constant velocity);
    the encoder and the intent head do not: trained on tracked noisy roots, on vtest.avi the intents implausible
    for pedestrians rose from 9.3 to 13.1 % of track-frames and the held-out OOD AUROC fell from 0.86 to 0.83."""
    if not tracked_roots:
        return generate_clip(seed, dataclasses.replace(config or SynthConfig(), root_depth_noise_range=(0.0, 0.0)))
    return as_tracked(generate_clip(seed, config))


def motion_windows(seed0: int, n_clips: int, config: SynthConfig | None = None,
                   stride_s: float = 0.5, tracked_roots: bool = False) -> list[MotionSample]:
    out = []
    for seed in range(seed0, seed0 + n_clips):
        out.extend(clip_windows(training_clip(seed, config, tracked_roots), stride_s=stride_s))
    return out


def head_clip_configs(seed0: int, n_default: int, n_broad: int, tracked_roots: bool = False,
                      wobble: bool = False) -> list[tuple[int, SynthConfig]]:
    """(seed, config) of every clip of `head_windows`: `n_default` default-generator clips from seed0 and `n_broad`
    broad ones from seed0 + BROAD_SEED_OFFSET, both as trained on (`default_training_config`,
    `broad_training_config`); with `tracked_roots` the default clips get the metric-root error too, with `wobble`
    both the estimator's slow per-joint error (`ESTIMATOR_WOBBLE`)."""
    default, broad = default_training_config(), broad_training_config()
    if tracked_roots:
        default = dataclasses.replace(default, **METRIC_ROOT_NOISE)
    if wobble:
        default, broad = (dataclasses.replace(c, **ESTIMATOR_WOBBLE) for c in (default, broad))
    return ([(seed, default) for seed in range(seed0, seed0 + n_default)]
            + [(seed, broad) for seed in range(seed0 + BROAD_SEED_OFFSET, seed0 + BROAD_SEED_OFFSET + n_broad)])


def head_windows(seed0: int, n_default: int, n_broad: int, tracked_roots: bool = False,
                 wobble: bool = False) -> list[MotionSample]:
    """Windows every 0.5 s of the clips of `head_clip_configs`, roots as `training_clip` gives them."""
    return [w for seed, config in head_clip_configs(seed0, n_default, n_broad, tracked_roots, wobble)
            for w in clip_windows(training_clip(seed, config, tracked_roots), stride_s=0.5)]


def head_window_pairs(seed0: int, n_default: int, n_broad: int) -> tuple[list[MotionSample], list[MotionSample]]:
    """`head_windows` (generator roots) without and with the estimator's slow per-joint error, each clip generated
    once and the error added to it as `generate_clip` adds it (`with_estimator_wobble`)."""
    plain, wobbly = [], []
    for seed, config in head_clip_configs(seed0, n_default, n_broad):
        clip = training_clip(seed, config, tracked_roots=False)
        plain += clip_windows(clip, stride_s=0.5)
        wobbly += clip_windows(with_estimator_wobble(clip, seed, dataclasses.replace(config, **ESTIMATOR_WOBBLE)),
                               stride_s=0.5)
    return plain, wobbly


@dataclass
class LanguageSample:
    window: MotionSample
    caption: str
    qa: list[tuple[str, str]]
    action: str  # the action at the window's end (segment name)
    descriptors: MotionDescriptors | None = None  # measured on the window's exact joints ("descriptors" captions)
    noisy: tuple | None = None  # (joints (T, 17, 3) m, confidence (T, 17), fps): the window as a pose estimator saw it


def language_samples(seed0: int, n: int, config: SynthConfig | None = None) -> list[LanguageSample]:
    """`n` single-action samples from consecutive seeds starting at seed0 + LANGUAGE_SEED_OFFSET."""
    return [LanguageSample(window_at(c.window_clip, c.window_clip.num_frames - 1), c.window_clip.caption,
                           list(c.window_clip.qa[1:]), c.action) for c in _single_action_clips(seed0, n, config)]


def window_start(t: int, fps: float) -> int:
    """First frame of the WINDOW_S window that ends at frame t of a clip at `fps` Hz."""
    return max(0, t - int(round(WINDOW_S * fps)) + 1)


def _descriptors_at(clip: MotionClip, t: int) -> MotionDescriptors:
    """Descriptors of the 3.2 s window ending at frame t, from the clip's exact joints."""
    start = window_start(t, clip.fps)
    joints = clip.joints_clean[start:t + 1]
    return describe_motion(joints, np.ones(joints.shape[:2], np.float32), clip.fps)


# Generator action name -> the action rule (`motion.action_rules`) that names it, where they differ.
RULE_OF_ACTION = {"jump": "jump_in_place"}


def described_sample(clip: MotionClip, t: int, action: str, rng: np.random.Generator) -> LanguageSample:
    """The window ending at frame t with a descriptor caption and QA (brief: short enough to say quickly)."""
    d = _descriptors_at(clip, t)
    rule = RULE_OF_ACTION.get(action, action)
    caption = caption_for(d, rule, rng, brief=True)
    qa = qa_for(d, rule, rng, brief=True)[1:]  # the first pair asks for the caption again
    start = window_start(t, clip.fps)
    noisy = (clip.joints[start:t + 1].astype(np.float32), clip.confidence[start:t + 1], clip.fps)
    return LanguageSample(window_at(clip, t), caption, qa, action, d, noisy)


def described_samples(seed0: int, n: int, config: SynthConfig, skip_actions: tuple[str, ...] = (),
                      min_action_s: float = 0.8) -> list[LanguageSample]:
    """`n` descriptor-captioned windows, one per action segment of clips from consecutive seeds.

    The window ends inside the segment: at its last frame for an action shorter than the window, else at a
    random frame at least a window's length into it (long walks: steady walking, not only their ends).
    """
    out, seed = [], seed0
    while len(out) < n:
        clip = training_clip(seed, config, tracked_roots=False)
        rng = np.random.default_rng([seed, 7])
        seed += 1
        for seg in clip.segments:
            if seg.name in skip_actions or seg.end - seg.start < min_action_s * clip.fps:
                continue
            earliest = min(seg.end - 1, seg.start + int(round(WINDOW_S * clip.fps)) - 1)
            t = int(rng.integers(earliest, seg.end))
            out.append(described_sample(clip, t, seg.name, rng))
            if len(out) == n:
                break
    return out


def language_training_samples(captions: str, seed0: int, n_default: int, n_broad: int) -> list[LanguageSample]:
    """The language samples stage 1 and stage 2 train on: 'generator' (n_default generator-captioned default
    clips) or 'descriptors' (`descriptor_language_samples`)."""
    if captions == "generator":
        return language_samples(seed0, n_default)
    if captions == "descriptors":
        return descriptor_language_samples(seed0, n_default, n_broad)
    raise ValueError(f"captions must be 'generator' or 'descriptors', got {captions!r}")


def descriptor_language_samples(seed0: int, n_default: int, n_broad: int) -> list[LanguageSample]:
    """Training language samples: single-action default clips (as the generator captions used) and windows
    of broad-generator clips, all with descriptor captions."""
    rng = np.random.default_rng(seed0)
    default = [described_sample(s.window_clip, s.window_clip.num_frames - 1, s.action, rng)
               for s in _single_action_clips(seed0, n_default)]
    broad = described_samples(seed0 + LANGUAGE_SEED_OFFSET + BROAD_SEED_OFFSET, n_broad, broad_training_config())
    return default + broad


@dataclass
class _SingleActionClip:
    window_clip: MotionClip
    action: str


def _single_action_clips(seed0: int, n: int, config: SynthConfig | None = None) -> list[_SingleActionClip]:
    config = config or heldout_config("seeds", language=True)
    out, seed = [], seed0 + LANGUAGE_SEED_OFFSET
    while len(out) < n:
        clip = training_clip(seed, config, tracked_roots=False)
        seed += 1
        if len(clip.segments) == 1:
            out.append(_SingleActionClip(clip, clip.segments[0].name))
    return out


def batch_indices(n: int, batch: int, step: int, seed: int) -> np.ndarray:
    """Deterministic batch for a step (so a resumed run draws the same batches)."""
    return np.random.default_rng([seed, step]).choice(n, size=min(batch, n), replace=False)
