"""The domain-gap probe (`benchmark.domain_gap`): feature swaps between real and generated windows."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llamo_ros.benchmark.domain_gap import (
    FEATURE_GROUPS, JOINT_GROUPS, generated_feature_windows, joint_columns, p_other, swap_table, swapped,
)
from llamo_ros.motion import features as F
from llamo_ros.motion.intents import INTENT_INDEX

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "vtest_windows.npz")   # 10 real vtest.avi windows


def _real_features() -> np.ndarray:
    fps = float(FIXTURE["fps"])
    return np.stack([F.motion_features(j, c, fps, num_frames=32) for j, c in
                     zip(FIXTURE["joints"], FIXTURE["confidence"])]).astype(np.float32)


def test_swapped_takes_exactly_the_named_channels():
    a, b = np.zeros((2, 32, F.NUM_FEATURES), np.float32), np.ones((2, 32, F.NUM_FEATURES), np.float32)
    cols = joint_columns(JOINT_GROUPS["arms"])
    out = swapped(a, b, cols)
    assert out[..., cols].min() == 1 and np.delete(out, cols, axis=-1).max() == 0 and a.max() == 0
    assert len(cols) == 12 and set(cols) <= set(range(F.POSE.start, F.POSE.stop))


def test_swap_table_on_real_vtest_windows_with_the_shipped_model():
    """Generated windows are walkers and standers only; the feature groups cover every channel but VALID; the
    table's unswapped entry is the generated windows' own p(other) share, over the same sampled windows."""
    from llamo_ros.behavior.behavior_model import default_checkpoint_dir
    from llamo_ros.language.api import load_motion_model

    generated, intent = generated_feature_windows(clips=3)
    assert set(intent) <= {INTENT_INDEX[k] for k in ("approaching", "passing_by", "leaving", "standing_idle")}
    covered = np.concatenate([np.arange(s.start, s.stop) for s in FEATURE_GROUPS.values()])
    assert sorted(covered) == list(range(F.VALID.start))
    model = load_motion_model(default_checkpoint_dir()).eval()
    real = _real_features()
    table = swap_table(model, real, generated)
    n = min(len(real), len(generated))
    assert all(0.0 <= a <= 1.0 and 0.0 <= b <= 1.0 for a, b in table.values()) and len(table) == 1 + 6 + 5
    everything = np.arange(F.NUM_FEATURES)
    rng = np.random.default_rng(0)
    r, g = real[rng.choice(len(real), n, replace=False)], generated[rng.choice(len(generated), n, False)]
    np.testing.assert_allclose(p_other(model, swapped(r, g, everything)), p_other(model, g), atol=1e-5)
    assert table["none"][1] == float((p_other(model, g) >= 0.5).mean())


def test_fluctuation_tells_smooth_from_white_motion_and_its_size():
    """`fluctuation` on constructed windows: an AR(1) wobble of known std and correlation, white jitter (lag-1 ~0),
    a joint that does not move (0); and real vtest.avi wrists move more than their shoulders."""
    from llamo_ros.benchmark.domain_gap import FLUCTUATION_GROUPS, fluctuation

    rng = np.random.default_rng(0)
    n, t, keep = 400, 32, 0.7
    ar = np.empty((n, t, F.NUM_FEATURES))
    ar[:, 0] = rng.normal(size=(n, F.NUM_FEATURES))
    for i in range(1, t):
        ar[:, i] = keep * ar[:, i - 1] + np.sqrt(1 - keep ** 2) * rng.normal(size=(n, F.NUM_FEATURES))
    std, lag1 = fluctuation(0.05 * ar, FLUCTUATION_GROUPS["wrists"])
    assert std == pytest.approx(0.05 * 0.85, rel=0.2)        # about the window's own mean: a little under 0.05
    assert lag1 == pytest.approx(keep, abs=0.12)
    std, lag1 = fluctuation(0.05 * rng.normal(size=(n, t, F.NUM_FEATURES)), FLUCTUATION_GROUPS["wrists"])
    assert std == pytest.approx(0.05, rel=0.1) and abs(lag1) < 0.1
    assert fluctuation(np.ones((n, t, F.NUM_FEATURES)), FLUCTUATION_GROUPS["thorax"])[0] == 0.0
    real = _real_features()
    assert fluctuation(real, FLUCTUATION_GROUPS["wrists"])[0] > fluctuation(real, FLUCTUATION_GROUPS["shoulders"])[0]
