"""The default SynthConfig still generates the clips of the original one-file generator (commit 0ba7941).

The shipped checkpoint, its evaluation and the other generator tests were made with those clips. The
fixture was written by the ORIGINAL module (every 15th frame of seeds 0..19, captions, QA, segments),
not by the code under test. Joints are compared to 1e-6 m: the same random draws give the same clip up
to the last bit of libm's sin/cos, which may differ between CPUs; different draws differ by centimetres.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from llamo_ros.data.motion_synth import generate_clip

FIXTURE = Path(__file__).parent / "fixtures" / "motion_synth_default_0ba7941"
SEEDS = range(20)


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURE.with_suffix(".npz")) as arrays:
        data = {k: arrays[k] for k in arrays.files}
    return data, json.loads(FIXTURE.with_suffix(".json").read_text())


@pytest.mark.parametrize("seed", SEEDS)
def test_default_config_reproduces_the_original_clips(seed, reference):
    arrays, meta = reference
    clip = generate_clip(seed)
    np.testing.assert_allclose(clip.joints_clean[::15], arrays[f"clean_{seed}"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(clip.joints[::15], arrays[f"joints_{seed}"], rtol=0, atol=1e-6)  # NaN where NaN
    assert np.array_equal(clip.intent, arrays[f"intent_{seed}"])
    expected = meta[str(seed)]
    assert [[s.name, s.start, s.end] for s in clip.segments] == expected["segments"]
    assert clip.caption == expected["caption"]
    assert [list(pair) for pair in clip.qa] == expected["qa"]
