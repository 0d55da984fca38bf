"""MotionClips -> training samples for the motion encoder, its heads and the language model.

A sample is "now" = frame t of a clip:
  features  (T, C)  `motion_features` of the clip up to and including t (T = WINDOW_FRAMES at 10 Hz,
                    front-padded with VALID = 0 near the clip start)
  intent    int     the clip's intent label at t
  path      (H, 3)  future pelvis positions at t + 0.1 s ... t + H * 0.1 s relative to the pelvis at t,
                    camera frame, metres (from `joints_clean` when the clip has it), H = PATH_HORIZON
  path_mask (H,)    1 where that future time is inside the clip
  hand      int     HANDS index of the hand the action at t uses (wave, point, hand over, pick up), or
                    NO_HAND; a training target that makes the motion tokens keep left from right
  caption, qa       the clip's text (captions describe the clip, which our generated clips keep short)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llamo_ros.motion.clip import MotionClip
from llamo_ros.motion.features import FEATURE_RATE_HZ, MAX_FRAMES, fill_missing, motion_features
from llamo_ros.skeleton import ROOT

HANDS = ("right", "left", "both")  # body-relative: the person's own right/left
NO_HAND = -1                       # the action at "now" uses no particular hand (or the clip has no segments)
WINDOW_FRAMES = MAX_FRAMES  # 32 frames at 10 Hz = 3.2 s
PATH_HORIZON = 20           # 2 s at 10 Hz


@dataclass
class MotionSample:
    features: np.ndarray          # (T, C) float32
    intent: int                   # index into INTENT_LABELS
    path: np.ndarray              # (H, 3) float32, metres, camera frame, relative to the pelvis now
    path_mask: np.ndarray         # (H,) float32
    caption: str = ""
    qa: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""
    frame: int = 0
    hand: int = NO_HAND           # index into HANDS, or NO_HAND


def active_hand(clip: MotionClip, t: int) -> int:
    """HANDS index of the hand used by the action segment that contains frame t, else NO_HAND."""
    for segment in clip.segments:
        if segment.start <= t < segment.end:
            hand = segment.params.get("hand")
            return HANDS.index(hand) if hand in HANDS else NO_HAND
    return NO_HAND


def window_at(clip: MotionClip, t: int, window_frames: int = WINDOW_FRAMES,
              horizon: int = PATH_HORIZON) -> MotionSample:
    """The sample whose "now" is frame t of `clip`."""
    if not 0 <= t < clip.num_frames:
        raise ValueError(f"frame {t} outside clip of {clip.num_frames} frames")
    span = int(np.ceil((window_frames - 1) * clip.fps / FEATURE_RATE_HZ))
    start = max(0, t - span)
    feats = motion_features(clip.joints[start:t + 1], clip.confidence[start:t + 1], clip.fps,
                            num_frames=window_frames)
    ref = clip.joints_clean if clip.joints_clean is not None else fill_missing(clip.joints, clip.confidence)[0]
    root = ref[:, ROOT].astype(np.float64)                                   # (T_clip, 3)
    future = t + np.arange(1, horizon + 1) * clip.fps / FEATURE_RATE_HZ      # (H,) in clip frames
    mask = (future <= clip.num_frames - 1).astype(np.float32)
    future = np.clip(future, 0, clip.num_frames - 1)
    lo = np.floor(future).astype(int)
    hi = np.minimum(lo + 1, clip.num_frames - 1)
    w = (future - lo)[:, None]
    path = (1 - w) * root[lo] + w * root[hi] - root[t]                       # (H, 3)
    return MotionSample(features=feats, intent=int(clip.intent[t]), path=path.astype(np.float32),
                        path_mask=mask, caption=clip.caption, qa=list(clip.qa), source=clip.source, frame=t,
                        hand=active_hand(clip, t))


def clip_windows(clip: MotionClip, stride_s: float = 0.5, min_history_s: float = 1.0,
                 window_frames: int = WINDOW_FRAMES, horizon: int = PATH_HORIZON) -> list[MotionSample]:
    """Samples every `stride_s` seconds from `min_history_s` into the clip to its last frame."""
    first = int(round(min_history_s * clip.fps))
    stride = max(1, int(round(stride_s * clip.fps)))
    return [window_at(clip, t, window_frames, horizon) for t in range(min(first, clip.num_frames - 1),
                                                                      clip.num_frames, stride)]


def collate(samples: list[MotionSample]) -> dict[str, np.ndarray]:
    """Stack samples into arrays: features (B, T, C), intent (B,), path (B, H, 3), path_mask (B, H), hand (B,)."""
    return {
        "features": np.stack([s.features for s in samples]).astype(np.float32),
        "intent": np.array([s.intent for s in samples], dtype=np.int64),
        "path": np.stack([s.path for s in samples]).astype(np.float32),
        "path_mask": np.stack([s.path_mask for s in samples]).astype(np.float32),
        "hand": np.array([s.hand for s in samples], dtype=np.int64),
    }
