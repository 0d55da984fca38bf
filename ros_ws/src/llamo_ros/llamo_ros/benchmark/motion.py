"""Motion encoder + heads latency: PyTorch eager vs onnxruntime (vs TensorRT where present), same inputs."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from llamo_ros.benchmark.timing import time_call


def motion_model(checkpoint_dir: str | None):
    """The shipped checkpoint's MotionModel, or a freshly initialised default-config one."""
    from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel
    if checkpoint_dir:
        from llamo_ros.language.api import load_motion_model
        return load_motion_model(checkpoint_dir), f"checkpoint {checkpoint_dir}"
    import torch
    torch.manual_seed(0)
    return MotionModel(MotionEncoderConfig()).eval(), "freshly initialised default MotionEncoderConfig"


def bench_motion(model, batches=(1, 2, 4, 8), windows=(32, 64), threads: int = 1, repeats: int = 200,
                 onnx_path: str | None = None, engine_path: str | None = None) -> list[dict]:
    """Rows {backend, batch, window, p50_ms, ..., speedup_vs_torch} for every backend, batch and window."""
    import torch

    from llamo_ros.runtime.motion_onnx import export_motion_onnx
    from llamo_ros.runtime.onnx_runtime import OnnxMotionRuntime, OnnxRuntimeOptions
    from llamo_ros.runtime.torch_runtime import TorchMotionRuntime

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        if onnx_path is None:
            onnx_path = str(export_motion_onnx(model, Path(tmp) / "motion.onnx"))
        runtimes = {"torch": TorchMotionRuntime(model),
                    "onnxruntime": OnnxMotionRuntime(onnx_path, OnnxRuntimeOptions(threads=threads))}
        if engine_path:
            from llamo_ros.runtime.trt_runtime import TensorRTMotionRuntime
            runtimes["tensorrt"] = TensorRTMotionRuntime(engine_path)
        max_window = model.config.patch_size * model.config.max_tokens
        rows = []
        rng = np.random.default_rng(0)
        for window in windows:
            if window > max_window or window % model.config.patch_size:
                continue
            for batch in batches:
                x = rng.standard_normal((batch, window, 80)).astype(np.float32)
                base = None
                for name, rt in runtimes.items():
                    stats = time_call(lambda: rt(x), repeats)
                    base = base or stats["p50_ms"]
                    rows.append({"backend": name, "runtime": rt.name, "batch": batch, "window": window, **stats,
                                 "speedup_vs_torch": base / stats["p50_ms"]})
    return rows
