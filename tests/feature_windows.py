"""Random motion-feature windows for runtime tests (a plain module: `from conftest import` depends on which
test folder's conftest pytest imported first)."""
from __future__ import annotations

import numpy as np


def random_windows(batch: int, frames: int, seed: int = 0) -> np.ndarray:
    """(batch, frames, 80) float32 standard-normal features with the VALID flag (channel 79) set."""
    x = np.random.default_rng(seed).standard_normal((batch, frames, 80)).astype(np.float32)
    x[..., 79] = 1.0  # VALID
    return x
