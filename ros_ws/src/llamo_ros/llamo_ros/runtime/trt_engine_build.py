"""ONNX -> serialized TensorRT engine of the motion model (needs tensorrt and CUDA).

    path = engine_for(onnx_path, precision="fp16")   # cached by GPU, TensorRT version, ONNX sha256

The precision plan (`trt_engine_plan.plan_precision`) decides which ONNX the parser reads and which
builder flags / calibrator are used; `tensorrt_compat` applies them for the installed version.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path


from llamo_ros.runtime import calibration, tensorrt_compat as compat
from llamo_ros.runtime.engine_cache import EngineCache, EngineKey, EngineMetadata, file_sha256
from llamo_ros.runtime.trt_engine_plan import PrecisionPlan, ShapeProfile, plan_precision

log = logging.getLogger("llamo_ros.runtime")


@dataclass
class EngineBuildConfig:
    precision: str = "fp16"                 # "fp32", "fp16" or "int8" (see trt_engine_plan)
    profile: ShapeProfile = field(default_factory=ShapeProfile)  # dynamic batch / window ranges
    workspace_bytes: int = 1 << 30          # builder scratch memory limit, bytes
    calibration_npy: str | None = None      # INT8 (TensorRT 10): recorded (N, T, 80) windows; None = generated
    calibration_windows: int = 512          # INT8: generated windows when no .npy is given
    calibration_batch: int = 8              # INT8: calibrator batch size (<= profile.max_batch)
    qdq_onnx: str | None = None             # INT8 (TensorRT 11): Q/DQ ONNX made by NVIDIA ModelOpt
    cache_root: str | None = None           # engine cache root; None = ~/.cache/llamo_ros/trt_engines


def parse_onnx_variant(plan: PrecisionPlan, onnx_path: Path, config: EngineBuildConfig, work_dir: Path) -> Path:
    """The ONNX file the TensorRT parser reads for `plan` (converting to fp16 when the plan says so)."""
    if plan.onnx_variant == "fp32":
        return onnx_path
    if plan.onnx_variant == "fp16":
        from llamo_ros.runtime.fp16_onnx import write_fp16_onnx
        return write_fp16_onnx(onnx_path, work_dir / (onnx_path.stem + ".fp16.onnx"))
    if not config.qdq_onnx:
        raise ValueError(f"INT8 on TensorRT {plan.tensorrt_version} needs a Q/DQ ONNX from NVIDIA ModelOpt "
                         "(qdq_onnx); make it on the GPU machine from calibration windows, see docs/benchmarks.md")
    return Path(config.qdq_onnx)


def build_serialized_engine(trt, onnx_path: Path, plan: PrecisionPlan, config: EngineBuildConfig,
                            calibrator=None) -> bytes:
    """Parse `onnx_path` and build an engine with `plan` and the config's profile; returns its bytes."""
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = compat.create_network(trt, builder, plan.strongly_typed)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx_path)):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise RuntimeError(f"TensorRT could not parse {onnx_path}: {errors}")
    builder_config = builder.create_builder_config()
    compat.set_workspace(trt, builder_config, config.workspace_bytes)
    profile = builder.create_optimization_profile()
    for name, (lo, opt, hi) in config.profile.input_shapes().items():
        profile.set_shape(name, lo, opt, hi)
    builder_config.add_optimization_profile(profile)
    if calibrator is not None:
        builder_config.set_calibration_profile(profile)
    compat.apply_builder_flags(trt, builder_config, plan.builder_flags, calibrator)
    serialized = builder.build_serialized_network(network, builder_config)
    if serialized is None:
        raise RuntimeError(f"TensorRT failed to build an engine from {onnx_path} ({plan})")
    return bytes(serialized)


def engine_for(onnx_path: str | os.PathLike, config: EngineBuildConfig | None = None) -> Path:
    """The cached engine for `onnx_path` on this GPU + TensorRT, building it on a miss; returns its path."""
    import torch

    config = config or EngineBuildConfig()
    trt = compat.import_tensorrt()
    onnx_path = Path(onnx_path)
    plan = plan_precision(config.precision, trt.__version__)
    key = EngineKey(torch.cuda.get_device_name(), trt.__version__, file_sha256(onnx_path), config.precision,
                    config.profile)
    cache = EngineCache(config.cache_root)
    cached = cache.lookup(key)
    if cached is not None:
        log.info("tensorrt: engine cache hit %s", cached)
        return cached
    work = cache.entry_dir(key)
    work.mkdir(parents=True, exist_ok=True)
    source = parse_onnx_variant(plan, onnx_path, config, work)
    calibrator, calib_note = None, ""
    if plan.needs_calibrator:
        windows = (calibration.load_windows(config.calibration_npy) if config.calibration_npy else
                   calibration.synthetic_windows(config.calibration_windows, config.profile.opt_window))
        batches = calibration.calibration_batches(windows, min(config.calibration_batch, config.profile.max_batch))
        calibrator = calibration.make_entropy_calibrator(trt, batches, work / "calibration.cache")
        calib_note = f"{config.calibration_npy or 'motion_synth'}: {len(batches)} x {batches[0].shape}"
    log.info("tensorrt: building %s engine from %s (plan %s)", config.precision, source, plan)
    start = time.perf_counter()
    engine = build_serialized_engine(trt, source, plan, config, calibrator)
    meta = EngineMetadata.describe(key, plan, onnx_path=str(onnx_path), calibration=calib_note,
                                   build_seconds=round(time.perf_counter() - start, 2))
    return cache.store(key, engine, meta)



