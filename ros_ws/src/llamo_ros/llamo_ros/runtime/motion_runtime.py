"""The `MotionRuntime` protocol: what every backend of the motion model (encoder + heads) looks like.

    probs, path = runtime(features)

features: (B, T, 80) float32 feature windows (`llamo_ros.motion.features`), T a multiple of the
          encoder's patch size (4) and at most 64 frames; B >= 1.
probs:    (B, 10) float32 intent probabilities (rows sum to 1), order of `llamo_ros.motion.intents`.
path:     (B, 20, 3) float32 future pelvis positions 0.1 s ... 2.0 s ahead, camera frame, metres.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from llamo_ros.motion.features import NUM_FEATURES

INPUT_NAME = "features"                                       # ONNX / engine input tensor
OUTPUT_NAMES = ("intent_probs", "future_path", "motion_tokens")  # ONNX / engine outputs, in order


@runtime_checkable
class MotionRuntime(Protocol):
    name: str  # backend and device, e.g. "torch:cpu", "onnxruntime:CPUExecutionProvider", "tensorrt:fp16"

    def __call__(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(B, T, 80) float32 -> (intent probabilities (B, 10), future path (B, 20, 3) metres)."""
        ...


def check_features(features) -> np.ndarray:
    """The runtime input contract: a C-contiguous (B, T, 80) float32 array, else ValueError."""
    x = np.ascontiguousarray(features, dtype=np.float32)
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < 1 or x.shape[2] != NUM_FEATURES:
        raise ValueError(f"features must be (B, T, {NUM_FEATURES}) with B, T >= 1, got {x.shape}")
    return x
