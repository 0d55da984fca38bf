"""Shared fixtures for the acceleration tests: one small freshly initialised MotionModel and its ONNX.

The export (dynamo, ~10 s) happens once per session. The model is small but has every op of the
default one (patch conv, attention blocks, both heads, dynamic batch and window).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "export"))

SMALL = dict(n_embd=64, n_layer=2, n_head=4, dropout=0.0)


@pytest.fixture(scope="session")
def small_model():
    from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel
    torch.manual_seed(0)
    model = MotionModel(MotionEncoderConfig(**SMALL)).eval()
    # A non-trivial path residual (the PathHead's last layer starts at zero) so the path is really compared.
    with torch.no_grad():
        model.path_head.net[-1].weight.normal_(std=0.05)
    return model


@pytest.fixture(scope="session")
def small_onnx(small_model, tmp_path_factory):
    from llamo_ros.runtime.motion_onnx import export_motion_onnx
    return export_motion_onnx(small_model, tmp_path_factory.mktemp("onnx") / "motion_small.onnx")


@pytest.fixture(scope="session")
def real_windows():
    """(16, 32, 80) float32 windows from generated clips (the features the node computes)."""
    from llamo_ros.runtime.calibration import synthetic_windows
    return synthetic_windows(16, 32)
