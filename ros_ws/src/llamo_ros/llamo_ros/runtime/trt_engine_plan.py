"""What a TensorRT engine of the motion model is built from: shape profile and precision plan.

Pure data and decisions (no tensorrt import), so every choice is tested on machines without a GPU.

Precision plan per TensorRT version (see `tensorrt_compat`):

    precision  TensorRT 10 (JetPack)                         TensorRT 11 (strongly typed)
    fp32       fp32 ONNX                                     fp32 ONNX
    fp16       fp32 ONNX + BuilderFlag.FP16                  fp16 ONNX (fp16_onnx.convert_to_fp16)
    int8       fp32 ONNX + INT8 + FP16 flags + entropy       Q/DQ ONNX from NVIDIA ModelOpt (made on the
               calibrator fed with recorded motion windows   GPU machine; calibration windows from here)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from llamo_ros.motion.features import NUM_FEATURES
from llamo_ros.runtime.motion_runtime import INPUT_NAME
from llamo_ros.runtime.tensorrt_compat import tensorrt_features

PRECISIONS = ("fp32", "fp16", "int8")
ONNX_VARIANTS = ("fp32", "fp16", "qdq")  # which ONNX the TensorRT parser reads


@dataclass(frozen=True)
class ShapeProfile:
    """Dynamic-shape optimisation profile of the `features` input (B, T, 80); T in frames at 10 Hz."""

    min_batch: int = 1      # smallest batch (tracked persons per call) the engine accepts
    opt_batch: int = 1      # batch the kernels are tuned for (one person is the common case)
    max_batch: int = 8      # largest batch
    min_window: int = 4     # shortest window, frames (one motion token = patch_size frames)
    opt_window: int = 32    # tuned window: the model's standard 3.2 s window
    max_window: int = 64    # longest window, frames (max_tokens * patch_size = 16 * 4)
    patch_size: int = 4     # the encoder's frames per token: windows must be multiples of it

    def __post_init__(self) -> None:
        if not 1 <= self.min_batch <= self.opt_batch <= self.max_batch:
            raise ValueError(f"need 1 <= min_batch <= opt_batch <= max_batch, got {self.batches}")
        if not 1 <= self.min_window <= self.opt_window <= self.max_window:
            raise ValueError(f"need 1 <= min_window <= opt_window <= max_window, got {self.windows}")
        bad = [w for w in self.windows if w % self.patch_size]
        if bad:
            raise ValueError(f"windows {bad} are not multiples of patch_size {self.patch_size}")

    @property
    def batches(self) -> tuple[int, int, int]:
        return self.min_batch, self.opt_batch, self.max_batch

    @property
    def windows(self) -> tuple[int, int, int]:
        return self.min_window, self.opt_window, self.max_window

    def input_shapes(self) -> dict[str, tuple[tuple[int, int, int], ...]]:
        """{input name: (min shape, opt shape, max shape)} as IOptimizationProfile.set_shape takes them."""
        return {INPUT_NAME: tuple((b, w, NUM_FEATURES) for b, w in zip(self.batches, self.windows))}

    def accepts(self, shape: tuple[int, ...]) -> bool:
        """Whether a features array of `shape` (B, T, 80) is inside this profile."""
        b, t, c = shape
        return (c == NUM_FEATURES and self.min_batch <= b <= self.max_batch
                and self.min_window <= t <= self.max_window and t % self.patch_size == 0)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PrecisionPlan:
    """How one precision is obtained on one TensorRT version."""

    precision: str                  # requested precision: "fp32", "fp16" or "int8"
    tensorrt_version: str           # the TensorRT version this plan is for
    onnx_variant: str               # ONNX the parser reads: "fp32", "fp16" (converted here), "qdq" (ModelOpt)
    strongly_typed: bool            # network created STRONGLY_TYPED (types of the ONNX decide precision)
    builder_flags: tuple[str, ...]  # BuilderFlag names to set (TensorRT 10 only), e.g. ("FP16", "INT8")
    needs_calibrator: bool          # INT8 entropy calibration from motion windows (TensorRT 10 only)

    def to_dict(self) -> dict:
        return asdict(self)


def plan_precision(precision: str, tensorrt_version: str) -> PrecisionPlan:
    """The precision plan for `precision` on TensorRT `tensorrt_version` (table in the module doc)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    features = tensorrt_features(tensorrt_version)
    if features.precision_flags:  # TensorRT 10: weakly typed fp32 ONNX, precision by builder flags
        flags = {"fp32": (), "fp16": ("FP16",), "int8": ("FP16", "INT8")}[precision]
        return PrecisionPlan(precision, features.version, "fp32", strongly_typed=False, builder_flags=flags,
                             needs_calibrator=precision == "int8")
    variant = {"fp32": "fp32", "fp16": "fp16", "int8": "qdq"}[precision]
    return PrecisionPlan(precision, features.version, variant, strongly_typed=True, builder_flags=(),
                         needs_calibrator=False)
