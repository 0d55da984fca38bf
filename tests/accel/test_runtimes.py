"""Runtimes behind one call signature: PyTorch vs onnxruntime parity, selection and its log."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from feature_windows import random_windows
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.runtime import MotionRuntime, MotionRuntimeConfig, select_motion_runtime
from llamo_ros.runtime.onnx_runtime import OnnxMotionRuntime, OnnxRuntimeOptions
from llamo_ros.runtime.torch_runtime import TorchMotionRuntime

# State tolerance for ORT vs PyTorch (both fp32, different kernels/fusions): absolute on probabilities
# (in [0, 1]) and on the path (metres; 1e-4 m = 0.1 mm).
ATOL_PROBS, ATOL_PATH = 1e-5, 1e-4


@pytest.fixture(scope="module")
def torch_rt(small_model):
    return TorchMotionRuntime(small_model)


@pytest.fixture(scope="module")
def ort_rt(small_onnx):
    return OnnxMotionRuntime(small_onnx, OnnxRuntimeOptions(threads=1))


def test_runtimes_satisfy_protocol(torch_rt, ort_rt):
    assert isinstance(torch_rt, MotionRuntime) and isinstance(ort_rt, MotionRuntime)
    assert torch_rt.name == "torch:cpu" and ort_rt.name == "onnxruntime:CPUExecutionProvider"


@pytest.mark.parametrize("batch", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("frames", [4, 16, 32, 64])
def test_onnxruntime_matches_pytorch(torch_rt, ort_rt, batch, frames):
    x = random_windows(batch, frames, seed=batch * 100 + frames)
    p_ref, path_ref = torch_rt(x)
    p, path = ort_rt(x)
    assert p.shape == (batch, NUM_INTENTS) and path.shape == (batch, 20, 3)
    assert p.dtype == np.float32 and path.dtype == np.float32
    np.testing.assert_allclose(p, p_ref, atol=ATOL_PROBS, rtol=0)
    np.testing.assert_allclose(path, path_ref, atol=ATOL_PATH, rtol=0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_onnxruntime_matches_pytorch_on_generated_motion(torch_rt, ort_rt, real_windows):
    p_ref, path_ref = torch_rt(real_windows)
    p, path = ort_rt(real_windows)
    np.testing.assert_allclose(p, p_ref, atol=ATOL_PROBS, rtol=0)
    np.testing.assert_allclose(path, path_ref, atol=ATOL_PATH, rtol=0)
    assert np.abs(path_ref).max() > 0.01  # the comparison covers a real, non-zero path


def test_parity_check_can_fail(small_model, ort_rt):
    """A slightly different model must NOT pass the parity tolerance (the test is not vacuous)."""
    import copy

    import torch
    other = copy.deepcopy(small_model)
    with torch.no_grad():
        other.intent_head.net[-1].bias[0] += 0.01
    p_other, _ = TorchMotionRuntime(other)(random_windows(2, 32))
    p, _ = ort_rt(random_windows(2, 32))
    assert np.abs(p - p_other).max() > ATOL_PROBS


def test_input_contract(ort_rt, torch_rt):
    for rt in (ort_rt, torch_rt):
        with pytest.raises(ValueError, match=r"\(B, T, 80\)"):
            rt(np.zeros((32, 80), np.float32))
        with pytest.raises(ValueError):
            rt(np.zeros((1, 32, 79), np.float32))
    # float64 input is accepted and converted
    p, _ = ort_rt(random_windows(1, 32).astype(np.float64))
    assert p.dtype == np.float32


def test_ort_threads_option_is_applied(small_onnx):
    rt = OnnxMotionRuntime(small_onnx, OnnxRuntimeOptions(threads=1))
    assert rt.session.get_session_options().intra_op_num_threads == 1
    with pytest.raises(ValueError):
        OnnxRuntimeOptions(threads=-1)


def test_selection_falls_back_and_logs_why(small_model, small_onnx, caplog):
    caplog.set_level(logging.INFO, logger="llamo_ros.runtime")
    rt = select_motion_runtime(onnx_path=str(small_onnx), model=small_model, threads=1)
    text = caplog.text
    try:
        import tensorrt  # noqa: F401
        trt_present = True
    except Exception:
        trt_present = False
    if not trt_present:
        assert rt.name.startswith("onnxruntime:")
        assert "tensorrt skipped: tensorrt not installed" in text
    assert f"using {rt.name}" in text


def test_selection_reaches_torch_and_reports_every_reason(small_model, caplog):
    caplog.set_level(logging.INFO, logger="llamo_ros.runtime")
    rt = select_motion_runtime(model=small_model)  # no ONNX: onnxruntime cannot start
    assert rt.name == "torch:cpu"
    assert "onnxruntime skipped: no onnx_path given" in caplog.text
    with pytest.raises(RuntimeError, match="tensorrt: .*onnxruntime: no onnx_path.*torch: no model"):
        select_motion_runtime()


def test_selection_skips_a_broken_onnx(small_model, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="llamo_ros.runtime")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx file")
    rt = select_motion_runtime(MotionRuntimeConfig(onnx_path=str(bad), model=small_model))
    assert rt.name == "torch:cpu"
    assert "onnxruntime skipped: failed to start" in caplog.text


def test_preference_is_validated():
    with pytest.raises(ValueError):
        MotionRuntimeConfig(preference=("openvino",))
