"""`MotionClip`: one person's skeleton sequence with the labels generated or loaded with it.

This is the exchange format between data sources (procedural generator, HumanML3D, BABEL, AMASS)
and the motion model's windowing, features and training.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llamo_ros.skeleton import NUM_JOINTS


@dataclass
class ActionSegment:
    """One action in a clip, frames [start, end) at the clip's rate."""

    name: str                 # action name, e.g. "walk", "wave", "sit_down"
    start: int                # first frame (inclusive)
    end: int                  # last frame (exclusive)
    params: dict = field(default_factory=dict)  # generator parameters: hand, speed_mps, direction, count...


@dataclass
class MotionClip:
    """A skeleton sequence in the canonical H36M-17 layout (see `llamo_ros.skeleton`).

    Coordinates are metres in the camera optical frame (REP-103: x right, y down, z forward).
    """

    joints: np.ndarray         # (T, 17, 3) float32 observed joints; NaN where the estimator lost a joint
    confidence: np.ndarray     # (T, 17) float32 in [0, 1]; 0 where a joint is missing
    fps: float                 # frame rate of `joints`, Hz
    intent: np.ndarray         # (T,) int64 index into llamo_ros.motion.intents.INTENT_LABELS, per frame
    joints_clean: np.ndarray | None = None  # (T, 17, 3) noise-free joints when known (generated data)
    caption: str = ""          # one natural-language description of the whole clip
    qa: list[tuple[str, str]] = field(default_factory=list)  # question-answer pairs about the clip
    segments: list[ActionSegment] = field(default_factory=list)  # the actions, in time order
    body_height: float = float("nan")  # standing height of the person, metres
    source: str = ""           # where it came from, e.g. "synth:seed=3", "humanml3d:000021"

    def __post_init__(self) -> None:
        t = self.joints.shape[0]
        if self.joints.shape != (t, NUM_JOINTS, 3):
            raise ValueError(f"joints must be (T, {NUM_JOINTS}, 3), got {self.joints.shape}")
        if self.confidence.shape != (t, NUM_JOINTS):
            raise ValueError(f"confidence must be (T, {NUM_JOINTS}), got {self.confidence.shape}")
        if self.intent.shape != (t,):
            raise ValueError(f"intent must be (T,), got {self.intent.shape}")
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {self.fps}")

    @property
    def num_frames(self) -> int:
        return int(self.joints.shape[0])

    @property
    def duration(self) -> float:
        """Clip length in seconds."""
        return self.num_frames / self.fps
