"""IntentFilter on generated intent sequences: real changes are followed within 1 s, flicker is not."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.engine import BehaviorConfig
from llamo_ros.motion.intent_filter import IntentFilter
from llamo_ros.motion.intents import INTENT_INDEX, NUM_INTENTS

A, B = INTENT_INDEX["passing_by"], INTENT_INDEX["approaching"]


def _filter() -> IntentFilter:
    c = BehaviorConfig()   # the defaults the nodes and the replay run with
    return IntentFilter(NUM_INTENTS, c.intent_dwell_s, c.intent_evidence_s, c.intent_probability_floor)


def _window(k: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Heads' output for a window of intent k: about p on k, the rest spread randomly over the others."""
    rest = rng.dirichlet(np.ones(NUM_INTENTS - 1)) * (1 - p)
    return np.insert(rest, k, p)


@pytest.mark.parametrize("p", [0.5, 0.65, 0.8, 0.95])
@pytest.mark.parametrize("rate_hz", [10.0, 30.0, "irregular"])
def test_a_step_change_of_intent_is_followed_within_one_second(p, rate_hz):
    rng = np.random.default_rng(3)
    f = _filter()
    steps = (rng.uniform(0.03, 0.2, 400) if rate_hz == "irregular" else np.full(400, 1 / rate_hz))
    stamps = (np.cumsum(steps) * 1e9).astype(np.int64)
    change = int(np.searchsorted(stamps, 5e9))           # the raw intent changes at 5 s
    filtered = []
    for i, ns in enumerate(stamps[: change + 80]):
        filtered.append(int(np.argmax(f.update(1, int(ns), _window(A if i < change else B, p, rng)))))
    assert filtered[change - 1] == A
    followed = next(i for i in range(change, len(filtered)) if filtered[i] == B)
    assert (stamps[followed] - stamps[change]) * 1e-9 <= 1.0
    assert all(k == B for k in filtered[followed:]), "the filtered intent must stay with the new intent"


@pytest.mark.parametrize("blip_frames", [1, 2, 3])
def test_flicker_of_a_few_frames_does_not_change_the_filtered_intent(blip_frames):
    rng = np.random.default_rng(4)
    f = _filter()
    flips_raw = flips_filtered = 0
    prev_raw = prev_filtered = None
    for i in range(300):   # 10 Hz, 30 s; every second a confident blip of another intent
        k = B if i % 10 < blip_frames and i > 20 else A
        raw = _window(k, 0.9, rng)
        filtered = f.update(1, i * 100_000_000, raw)
        flips_raw += prev_raw is not None and int(np.argmax(raw)) != prev_raw
        flips_filtered += prev_filtered is not None and int(np.argmax(filtered)) != prev_filtered
        prev_raw, prev_filtered = int(np.argmax(raw)), int(np.argmax(filtered))
    assert flips_raw >= 50 and flips_filtered == 0


def test_irregular_spacing_composes_exactly():
    # with uninformative windows only the transition acts: two gaps of 0.1 s equal one of 0.2 s
    start = np.full(NUM_INTENTS, 0.01)
    start[A] = 1 - 0.01 * (NUM_INTENTS - 1)
    flat = np.full(NUM_INTENTS, 1 / NUM_INTENTS)
    one, two = _filter(), _filter()
    one.update(1, 0, start), two.update(1, 0, start)
    two.update(1, 100_000_000, flat)
    np.testing.assert_allclose(two.update(1, 200_000_000, flat), one.update(1, 200_000_000, flat), rtol=1e-6)
    # and the belief relaxes towards the prior (uniform) as the gap grows
    assert _belief_after(10.0)[A] < _belief_after(1.0)[A] < _belief_after(0.1)[A]


def _belief_after(gap_s: float) -> np.ndarray:
    f = _filter()
    start = np.full(NUM_INTENTS, 0.01)
    start[A] = 1 - 0.01 * (NUM_INTENTS - 1)
    f.update(1, 0, start)
    return f.update(1, int(gap_s * 1e9), np.full(NUM_INTENTS, 1 / NUM_INTENTS))


def test_tracks_are_independent_forgotten_and_restarted_on_a_clock_reset():
    f = _filter()
    rng = np.random.default_rng(5)
    for i in range(30):
        f.update(1, i * 100_000_000, _window(A, 0.9, rng))
    fresh = _window(B, 0.7, rng)
    # a new track starts from its first window (floored), not from track 1's belief
    np.testing.assert_allclose(f.update(2, 5 * 10**9, fresh), np.maximum(fresh, 0.01) / np.maximum(fresh, 0.01).sum(),
                               rtol=1e-6)
    f.forget(1)
    assert 1 not in f
    np.testing.assert_allclose(f.update(1, 10**9, fresh), np.maximum(fresh, 0.01) / np.maximum(fresh, 0.01).sum(),
                               rtol=1e-6)
    # a stamp that is not after the previous one (bag loop) restarts the track
    np.testing.assert_allclose(f.update(1, 10**9, _window(A, 0.99, rng))[A], 0.99 / (0.99 + 9 * 0.01), rtol=0.02)


def test_bad_settings_and_inputs_raise():
    with pytest.raises(ValueError):
        IntentFilter(NUM_INTENTS, dwell_s=0.0)
    with pytest.raises(ValueError):
        IntentFilter(NUM_INTENTS, floor=0.5)
    with pytest.raises(ValueError):
        _filter().update(1, 0, np.ones(3) / 3)
