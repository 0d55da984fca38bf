"""The behaviour stage runs intents through the selected motion runtime (onnxruntime on this machine),
exported once per checkpoint into a cache, and agrees with the PyTorch model."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.behavior_model import intent_runtime_for, load_behavior_model
from llamo_ros.data.motion_synth import generate_clip
from llamo_ros.motion.track_buffer import TrackWindow

pytest.importorskip("onnxruntime")


def _windows(n: int = 6) -> list[TrackWindow]:
    out = []
    for seed in range(n):
        clip = generate_clip(seed)
        t = np.arange(60)
        out.append(TrackWindow(track_id=seed, stamps_ns=(t * 1e9 / clip.fps).astype(np.int64), joints=clip.joints[t],
                               confidence=clip.confidence[t]))
    return out


@pytest.fixture(scope="module")
def models():
    return load_behavior_model(intent_runtime="auto"), load_behavior_model(intent_runtime="torch")


def test_auto_selects_onnxruntime_and_matches_pytorch(models):
    auto, torch_model = models
    assert auto.intent_runtime is not None and auto.intent_runtime.name.startswith("onnxruntime")
    assert torch_model.intent_runtime is None
    windows = _windows()
    p_ort, path_ort = auto.predict_intents(windows)
    p_pt, path_pt = torch_model.predict_intents(windows)
    assert np.isfinite(p_ort).all() and p_ort.shape == p_pt.shape
    np.testing.assert_allclose(p_ort, p_pt, atol=1e-4)      # probabilities
    np.testing.assert_allclose(path_ort, path_pt, atol=1e-4)  # metres
    assert (p_ort.argmax(1) == p_pt.argmax(1)).all()


def test_export_is_cached_per_checkpoint(tmp_path, monkeypatch):
    import shutil

    from llamo_ros.behavior.behavior_model import default_checkpoint_dir
    from llamo_ros.runtime.motion_onnx import cached_motion_onnx

    checkpoint = tmp_path / "ckpt"
    shutil.copytree(default_checkpoint_dir(), checkpoint)
    first = cached_motion_onnx(checkpoint, tmp_path / "cache")
    stamp = first.stat().st_mtime_ns
    assert cached_motion_onnx(checkpoint, tmp_path / "cache") == first and first.stat().st_mtime_ns == stamp
    config = checkpoint / "config.json"
    config.write_text(config.read_text().replace('"dropout": 0.1', '"dropout": 0.2'))  # another checkpoint
    assert cached_motion_onnx(checkpoint, tmp_path / "cache") != first
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]   # no export left half-written


def test_unknown_runtime_is_refused_and_a_missing_forced_backend_fails_loudly(tmp_path):
    from llamo_ros.behavior.behavior_model import default_checkpoint_dir

    with pytest.raises(ValueError, match="intent_runtime"):
        intent_runtime_for(tmp_path, "openvino", "cpu")
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="tensorrt not installed"):
            intent_runtime_for(default_checkpoint_dir(), "tensorrt", "cpu")
    else:
        pytest.skip("TensorRT is installed here: forcing it must work, which tests/accel covers")
