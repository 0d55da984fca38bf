"""Bounded per-person motion history: the input of the intent heads and the language model.

Memory stays bounded however many people pass: each track keeps at most `max_frames` frames, at most
`max_tracks` tracks are kept (the longest-unseen is evicted first), and a track not updated for
`forget_after_s` seconds of source time is forgotten.
"""
from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

import numpy as np

from llamo_ros.skeleton import NUM_JOINTS
from llamo_ros.config_fields import param


@dataclass
class TrackBufferConfig:
    max_frames: int = param(96, "frames kept per track (3.2 s at 30 Hz)")
    max_tracks: int = param(64, "tracks kept at once; the longest-unseen is evicted beyond this")
    forget_after_s: float = param(2.0, "a track unseen for this long (source time) is forgotten")

    def __post_init__(self) -> None:
        if self.max_frames < 2:
            raise ValueError(f"max_frames must be >= 2, got {self.max_frames}")
        if self.max_tracks < 1:
            raise ValueError(f"max_tracks must be >= 1, got {self.max_tracks}")
        if not self.forget_after_s > 0:
            raise ValueError(f"forget_after_s must be > 0, got {self.forget_after_s}")


@dataclass
class TrackWindow:
    """One track's recent motion, oldest frame first."""

    track_id: int
    stamps_ns: np.ndarray    # (T,) int64 source image stamps, ns, increasing
    joints: np.ndarray       # (T, 17, 3) float32 metres, camera optical frame; NaN where not seen
    confidence: np.ndarray   # (T, 17) float32 in [0, 1]

    @property
    def times_s(self) -> np.ndarray:
        """(T,) float64 seconds relative to the newest frame (<= 0)."""
        return (self.stamps_ns - self.stamps_ns[-1]).astype(np.float64) * 1e-9


class TrackBuffer:
    """Recent skeletons of every tracked person, keyed by track id."""

    def __init__(self, config: TrackBufferConfig | None = None) -> None:
        self.config = config or TrackBufferConfig()
        # track id -> deque of (stamp_ns, joints (17,3), confidence (17,)); order = least recently seen first
        self._tracks: OrderedDict[int, deque] = OrderedDict()
        self.forgotten = 0  # tracks dropped by timeout or eviction, for diagnostics

    def __len__(self) -> int:
        return len(self._tracks)

    def __contains__(self, track_id: int) -> bool:
        return track_id in self._tracks

    @property
    def track_ids(self) -> list[int]:
        return list(self._tracks)

    def add(self, stamp_ns: int, track_id: int, joints: np.ndarray, confidence: np.ndarray) -> None:
        """Append one frame of one track. Frames must arrive in stamp order per track; an older or
        repeated stamp raises ValueError (replays and clock jumps must reset the buffer instead)."""
        joints = np.asarray(joints, np.float32)
        confidence = np.asarray(confidence, np.float32)
        if joints.shape != (NUM_JOINTS, 3) or confidence.shape != (NUM_JOINTS,):
            raise ValueError(f"expected joints (17, 3) and confidence (17,), got {joints.shape}, {confidence.shape}")
        frames = self._tracks.get(track_id)
        if frames is None:
            frames = self._tracks[track_id] = deque(maxlen=self.config.max_frames)
        elif frames and stamp_ns <= frames[-1][0]:
            raise ValueError(f"track {track_id}: stamp {stamp_ns} is not after the previous {frames[-1][0]}")
        frames.append((int(stamp_ns), joints, confidence))
        self._tracks.move_to_end(track_id)
        while len(self._tracks) > self.config.max_tracks:
            self._tracks.popitem(last=False)
            self.forgotten += 1

    def forget_stale(self, now_ns: int) -> list[int]:
        """Forget the tracks whose newest frame is older than forget_after_s before `now_ns`; returns their ids."""
        limit = now_ns - int(self.config.forget_after_s * 1e9)
        stale = [tid for tid, frames in self._tracks.items() if frames[-1][0] < limit]
        for tid in stale:
            del self._tracks[tid]
        self.forgotten += len(stale)
        return stale

    def window(self, track_id: int) -> TrackWindow:
        """The buffered motion of one track; KeyError naming the id when it is unknown."""
        try:
            frames = self._tracks[track_id]
        except KeyError:
            raise KeyError(f"unknown track id {track_id}; tracked now: {self.track_ids}") from None
        return TrackWindow(track_id=track_id,
                           stamps_ns=np.array([f[0] for f in frames], np.int64),
                           joints=np.stack([f[1] for f in frames]),
                           confidence=np.stack([f[2] for f in frames]))

    def clear(self) -> None:
        self._tracks.clear()
