"""Automatic runtime selection: TensorRT -> onnxruntime (CUDA, then CPU) -> PyTorch.

    runtime = select_motion_runtime(MotionRuntimeConfig(onnx_path=..., checkpoint_dir=...))

Each backend in `preference` is tried in order; the first that starts is returned. The logger
"llamo_ros.runtime" says which one runs and why each earlier one was skipped, e.g.
    motion runtime: tensorrt skipped: tensorrt not installed (ModuleNotFoundError: No module named 'tensorrt')
    motion runtime: onnxruntime uses CPUExecutionProvider (CUDAExecutionProvider not available)
    motion runtime: using onnxruntime:CPUExecutionProvider
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from llamo_ros.runtime.motion_runtime import MotionRuntime
from llamo_ros.runtime.tensorrt_compat import BackendUnavailable
from llamo_ros.runtime.trt_engine_plan import ShapeProfile

log = logging.getLogger("llamo_ros.runtime")
BACKENDS = ("tensorrt", "onnxruntime", "torch")


@dataclass
class MotionRuntimeConfig:
    preference: tuple[str, ...] = BACKENDS  # backends to try, in order
    checkpoint_dir: str | None = None  # checkpoint dir (config.json + motion_model.safetensors) for PyTorch
    model: object | None = None        # an in-memory MotionModel for PyTorch (instead of checkpoint_dir)
    onnx_path: str | None = None       # exported ONNX (export/export_motion_encoder.py) for onnxruntime/TensorRT
    engine_path: str | None = None     # a prebuilt TensorRT engine; None = build/cache one from onnx_path
    precision: str = "fp16"            # TensorRT precision when building: fp32 / fp16 / int8
    profile: ShapeProfile = field(default_factory=ShapeProfile)  # TensorRT dynamic-shape profile
    threads: int = 0                   # onnxruntime intra-op / torch threads; 0 = library default
    device: str = "cpu"                # torch device for the PyTorch fallback ("cuda" when available)

    def __post_init__(self) -> None:
        unknown = [b for b in self.preference if b not in BACKENDS]
        if unknown or not self.preference:
            raise ValueError(f"preference must be a non-empty subset of {BACKENDS}, got {self.preference}")


def _tensorrt(config: MotionRuntimeConfig) -> MotionRuntime:
    from llamo_ros.runtime.tensorrt_compat import import_tensorrt
    from llamo_ros.runtime.trt_runtime import TensorRTMotionRuntime

    import_tensorrt()  # BackendUnavailable with the reason first, before looking at paths
    engine = config.engine_path
    if engine is None:
        if config.onnx_path is None:
            raise BackendUnavailable("no engine_path and no onnx_path to build an engine from")
        from llamo_ros.runtime.trt_engine_build import EngineBuildConfig, engine_for
        engine = engine_for(config.onnx_path, EngineBuildConfig(precision=config.precision, profile=config.profile))
    return TensorRTMotionRuntime(engine)


def _onnxruntime(config: MotionRuntimeConfig) -> MotionRuntime:
    if config.onnx_path is None:
        raise BackendUnavailable("no onnx_path given")
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailable(f"onnxruntime not installed ({exc})") from exc
    from llamo_ros.runtime.onnx_runtime import (PROVIDER_ORDER, OnnxMotionRuntime, OnnxRuntimeOptions,
                                                available_providers)

    have = available_providers()
    missing = [p for p in PROVIDER_ORDER if p not in have]
    runtime = OnnxMotionRuntime(config.onnx_path, OnnxRuntimeOptions(threads=config.threads))
    if missing:
        log.info("motion runtime: onnxruntime uses %s (%s not available)", runtime.provider, ", ".join(missing))
    return runtime


def _torch(config: MotionRuntimeConfig) -> MotionRuntime:
    from llamo_ros.runtime.torch_runtime import TorchMotionRuntime

    if config.threads:
        import torch
        torch.set_num_threads(config.threads)
    if config.model is not None:
        return TorchMotionRuntime(config.model, config.device)
    if config.checkpoint_dir is None:
        raise BackendUnavailable("no model and no checkpoint_dir given")
    return TorchMotionRuntime.from_checkpoint(config.checkpoint_dir, config.device)


_STARTERS = {"tensorrt": _tensorrt, "onnxruntime": _onnxruntime, "torch": _torch}


def select_motion_runtime(config: MotionRuntimeConfig | None = None, **overrides) -> MotionRuntime:
    """The first backend of `config.preference` that starts here; RuntimeError listing every reason if none.

    Keyword overrides replace config fields: select_motion_runtime(onnx_path="enc.onnx", model=m).
    A backend that is unavailable (BackendUnavailable) is skipped with its reason; any other error while
    starting one (a corrupt engine, an ONNX with the wrong inputs) is logged with its type and skipped too.
    """
    if config is None:
        config = MotionRuntimeConfig(**overrides)
    elif overrides:
        from dataclasses import replace
        config = replace(config, **overrides)
    reasons = []
    for backend in config.preference:
        try:
            runtime = _STARTERS[backend](config)
        except BackendUnavailable as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 - a failing backend must not stop the fallback chain
            reason = f"failed to start ({type(exc).__name__}: {exc})"
        else:
            log.info("motion runtime: using %s", runtime.name)
            return runtime
        log.info("motion runtime: %s skipped: %s", backend, reason)
        reasons.append(f"{backend}: {reason}")
    raise RuntimeError("no motion runtime could start: " + "; ".join(reasons))
