"""onnxruntime runtime of the exported motion model (export/export_motion_encoder.py).

Execution providers: CUDA first when this onnxruntime build has it, then CPU. onnxruntime is
imported when a runtime is created, not at module import.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from llamo_ros.runtime.motion_runtime import INPUT_NAME, OUTPUT_NAMES, check_features

PROVIDER_ORDER = ("CUDAExecutionProvider", "CPUExecutionProvider")  # preference when none are given


@dataclass
class OnnxRuntimeOptions:
    threads: int = 0                      # intra-op threads; 0 = onnxruntime's default (one per core)
    providers: tuple[str, ...] | None = None  # execution providers in order; None = CUDA then CPU if available
    graph_optimizations: bool = True      # False for fp16 models on CPU: onnxruntime crashes optimising them

    def __post_init__(self) -> None:
        if self.threads < 0:
            raise ValueError(f"threads must be >= 0, got {self.threads}")


def available_providers(wanted: tuple[str, ...] = PROVIDER_ORDER) -> list[str]:
    """The providers of `wanted` that this onnxruntime build offers, in `wanted`'s order."""
    import onnxruntime as ort
    have = set(ort.get_available_providers())
    return [p for p in wanted if p in have]


class OnnxMotionRuntime:
    """An ONNX motion model in onnxruntime; (B, T, 80) float32 -> (probs (B, 10), path (B, 20, 3))."""

    def __init__(self, onnx_path: str | os.PathLike, options: OnnxRuntimeOptions | None = None):
        import onnxruntime as ort

        self.options = options or OnnxRuntimeOptions()
        providers = list(self.options.providers) if self.options.providers else available_providers()
        if not providers:
            raise RuntimeError(f"none of the execution providers {PROVIDER_ORDER} is available")
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.options.threads
        so.inter_op_num_threads = 1
        if not self.options.graph_optimizations:
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = ort.InferenceSession(str(onnx_path), so, providers=providers)
        self.provider = self.session.get_providers()[0]
        self.name = f"onnxruntime:{self.provider}"
        inputs = [i.name for i in self.session.get_inputs()]
        if inputs != [INPUT_NAME]:
            raise ValueError(f"{onnx_path}: expected the single input {INPUT_NAME!r}, got {inputs}")
        self._outputs = list(OUTPUT_NAMES[:2])

    def __call__(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        probs, path = self.session.run(self._outputs, {INPUT_NAME: check_features(features)})
        return probs.astype(np.float32, copy=False), path.astype(np.float32, copy=False)
