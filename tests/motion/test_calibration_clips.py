"""The int8 calibration clips of the inference API (`language.api.calibration_clips`, no training import) are
exactly the language validation samples of `training.data` that calibrated the shipped quantisation."""
from __future__ import annotations

import numpy as np


def test_calibration_clips_equal_the_training_validation_samples():
    from llamo_ros.language.api import CALIBRATION_WINDOWS, calibration_clips
    from llamo_ros.training.data import VAL_SEED0, language_samples

    ours = calibration_clips(CALIBRATION_WINDOWS)
    theirs = language_samples(VAL_SEED0, CALIBRATION_WINDOWS)
    assert len(ours) == len(theirs) == CALIBRATION_WINDOWS
    for (features, caption), sample in zip(ours, theirs):
        np.testing.assert_array_equal(features, sample.window.features)
        assert caption == sample.caption
