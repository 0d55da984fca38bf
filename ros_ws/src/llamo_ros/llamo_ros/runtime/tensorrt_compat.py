"""Everything that differs between TensorRT 10 (JetPack) and TensorRT 11, in this one module.

TensorRT 10: weakly typed networks by default; precision is chosen with builder flags
    (BuilderFlag.FP16, BuilderFlag.INT8) and INT8 scales come from a calibrator
    (IInt8EntropyCalibrator2) fed with representative inputs. STRONGLY_TYPED exists but is optional.
TensorRT 11: BuilderFlag.FP16/INT8 and the INT8 calibrators are gone; every network is strongly typed,
    so precision comes from the ONNX itself: an fp16 ONNX (`llamo_ros.runtime.fp16_onnx`) or an ONNX
    with Q/DQ nodes (NVIDIA ModelOpt) for INT8.

`tensorrt` is imported only by `import_tensorrt()`, so this module (and the plans built from
`TensorRTFeatures`) work on machines without TensorRT.
"""
from __future__ import annotations

from dataclasses import dataclass

from llamo_ros.errors import BackendUnavailable   # raised here; callers may import it from this module too


@dataclass(frozen=True)
class TensorRTFeatures:
    version: str                 # tensorrt.__version__, e.g. "10.3.0" (JetPack 6) or "11.0.0"
    major: int                   # major version number
    precision_flags: bool        # BuilderFlag.FP16 / BuilderFlag.INT8 exist (TensorRT <= 10)
    int8_calibrator: bool        # IInt8EntropyCalibrator2 exists (TensorRT <= 10)
    strongly_typed_only: bool    # every network is strongly typed: precision comes from the ONNX (>= 11)


def tensorrt_features(version: str) -> TensorRTFeatures:
    """What TensorRT `version` ("10.3.0", "11.0.1.2") supports; ValueError below 10."""
    try:
        major = int(str(version).split(".")[0])
    except ValueError as exc:
        raise ValueError(f"unparseable TensorRT version {version!r}") from exc
    if major < 10:
        raise ValueError(f"TensorRT {version} is not supported (need 10 or newer)")
    legacy = major == 10
    return TensorRTFeatures(version=str(version), major=major, precision_flags=legacy, int8_calibrator=legacy,
                            strongly_typed_only=not legacy)


def import_tensorrt():
    """The `tensorrt` module, or BackendUnavailable saying why not (not installed, a stub wheel, no CUDA)."""
    try:
        import tensorrt as trt
    except Exception as exc:  # ImportError, or the PyPI stub's RuntimeError / OSError for missing libs
        raise BackendUnavailable(f"tensorrt not installed ({type(exc).__name__}: {exc})") from exc
    if not hasattr(trt, "Builder"):
        raise BackendUnavailable("tensorrt is a stub package without the TensorRT libraries")
    import torch
    if not torch.cuda.is_available():
        raise BackendUnavailable(f"tensorrt {trt.__version__} installed but CUDA is not available to torch")
    return trt


def installed_features(trt) -> TensorRTFeatures:
    """`TensorRTFeatures` of the imported tensorrt module."""
    return tensorrt_features(trt.__version__)


def create_network(trt, builder, strongly_typed: bool):
    """An explicit-batch network; STRONGLY_TYPED when asked (always on TensorRT 11)."""
    flags = 0
    if strongly_typed or installed_features(trt).strongly_typed_only:
        flags |= 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
    return builder.create_network(flags)


def apply_builder_flags(trt, config, flag_names: tuple[str, ...], calibrator=None) -> None:
    """Set BuilderFlag.<name> for each of `flag_names` and the INT8 calibrator (TensorRT 10 only)."""
    features = installed_features(trt)
    if flag_names and not features.precision_flags:
        raise ValueError(f"TensorRT {features.version} has no precision builder flags; got {flag_names}")
    for name in flag_names:
        config.set_flag(getattr(trt.BuilderFlag, name))
    if calibrator is not None:
        if not features.int8_calibrator:
            raise ValueError(f"TensorRT {features.version} has no INT8 calibrator; use a Q/DQ ONNX (ModelOpt)")
        config.int8_calibrator = calibrator


def entropy_calibrator_base(trt):
    """trt.IInt8EntropyCalibrator2, the base class of INT8 calibrators (TensorRT 10 only)."""
    if not installed_features(trt).int8_calibrator:
        raise ValueError(f"TensorRT {trt.__version__} has no INT8 calibrator; use a Q/DQ ONNX (ModelOpt)")
    return trt.IInt8EntropyCalibrator2


def set_workspace(trt, config, workspace_bytes: int) -> None:
    """Limit the builder's scratch memory to `workspace_bytes`."""
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(workspace_bytes))


def torch_dtype(trt, dtype):
    """torch dtype of a TensorRT tensor DataType (FLOAT, HALF, BF16, INT8, INT32, INT64, BOOL)."""
    import torch
    table = {"FLOAT": torch.float32, "HALF": torch.float16, "BF16": torch.bfloat16, "INT8": torch.int8,
             "INT32": torch.int32, "INT64": torch.int64, "BOOL": torch.bool}
    for name, value in table.items():
        if hasattr(trt.DataType, name) and dtype == getattr(trt.DataType, name):
            return value
    raise TypeError(f"unsupported TensorRT data type {dtype}")
