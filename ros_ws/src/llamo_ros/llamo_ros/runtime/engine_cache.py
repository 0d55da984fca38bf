"""Cache of built TensorRT engines, each with a metadata JSON next to it describing itself.

Key: GPU name, TensorRT version, sha256 of the source ONNX - and the precision and shape profile,
since one ONNX yields different engines for each. Layout:

    <root>/<gpu-slug>/trt-<version>/<onnx sha256[:16]>-<precision>-<profile hash>/
        motion_model.engine     serialized engine (TensorRT only loads it on the same GPU model + version)
        motion_model.json       EngineMetadata: what it is, built from what, how, when

Default root: `$LLAMO_CACHE_DIR/trt_engines` (~/.cache/llamo_ros/trt_engines).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llamo_ros.runtime.motion_runtime import INPUT_NAME, OUTPUT_NAMES
from llamo_ros.runtime.trt_engine_plan import PrecisionPlan, ShapeProfile
from llamo_ros.shipped_models import file_sha256  # noqa: F401  (re-exported: engine keys hash the ONNX)

ENGINE_FILE, METADATA_FILE = "motion_model.engine", "motion_model.json"
METADATA_VERSION = 1


def default_cache_root() -> Path:
    from llamo_ros.language.llm import cache_dir
    return cache_dir() / "trt_engines"


@dataclass(frozen=True)
class EngineKey:
    """What makes two engines interchangeable."""

    gpu_name: str          # torch.cuda.get_device_name(), e.g. "NVIDIA H100 80GB HBM3", "Orin"
    tensorrt_version: str  # tensorrt.__version__
    onnx_sha256: str       # hex sha256 of the source (fp32) ONNX
    precision: str         # "fp32", "fp16" or "int8"
    profile: ShapeProfile  # dynamic-shape optimisation profile

    def profile_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.profile.to_dict(), sort_keys=True).encode()).hexdigest()[:8]

    def relative_dir(self) -> Path:
        """<gpu-slug>/trt-<version>/<sha[:16]>-<precision>-<profile hash>."""
        gpu = re.sub(r"[^a-z0-9]+", "-", self.gpu_name.lower()).strip("-") or "unknown-gpu"
        name = f"{self.onnx_sha256[:16]}-{self.precision}-{self.profile_hash()}"
        return Path(gpu) / f"trt-{self.tensorrt_version}" / name


@dataclass
class EngineMetadata:
    """The JSON next to each engine (ultralytics' idea of self-describing engines)."""

    key: dict                      # EngineKey fields (profile as a dict)
    plan: dict                     # PrecisionPlan fields: ONNX variant, strongly typed, builder flags
    input_name: str = INPUT_NAME   # engine input: features (B, T, 80) float32
    output_names: list = field(default_factory=lambda: list(OUTPUT_NAMES))  # engine outputs, in order
    onnx_path: str = ""            # the source ONNX when built (informational; the sha256 is the key)
    calibration: str = ""          # INT8: where the calibration windows came from, and how many
    build_seconds: float = 0.0     # wall time of the build, seconds
    created: str = ""              # UTC build time, ISO 8601
    metadata_version: int = METADATA_VERSION  # layout version of this JSON

    @classmethod
    def describe(cls, key: EngineKey, plan: PrecisionPlan, **kw) -> "EngineMetadata":
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return cls(key=asdict(key), plan=plan.to_dict(), created=created, **kw)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "EngineMetadata":
        return cls(**json.loads(text))

    def matches(self, key: EngineKey) -> bool:
        """Whether this metadata describes an engine built for `key`."""
        return self.metadata_version == METADATA_VERSION and self.key == asdict(key)


class EngineCache:
    """Engines under `root` by `EngineKey`; an entry counts only when its metadata matches its key."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_root()

    def entry_dir(self, key: EngineKey) -> Path:
        return self.root / key.relative_dir()

    def lookup(self, key: EngineKey) -> Path | None:
        """The cached engine path for `key`, or None (missing, or metadata describing something else)."""
        d = self.entry_dir(key)
        engine, meta = d / ENGINE_FILE, d / METADATA_FILE
        if not (engine.is_file() and meta.is_file()):
            return None
        try:
            metadata = EngineMetadata.from_json(meta.read_text())
        except (ValueError, TypeError):
            return None
        return engine if metadata.matches(key) else None

    def store(self, key: EngineKey, engine_bytes: bytes, metadata: EngineMetadata) -> Path:
        """Write engine + metadata atomically (engine first, metadata last marks the entry complete)."""
        d = self.entry_dir(key)
        d.mkdir(parents=True, exist_ok=True)
        for name, data in ((ENGINE_FILE, bytes(engine_bytes)), (METADATA_FILE, metadata.to_json().encode())):
            tmp = d / (name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, d / name)
        return d / ENGINE_FILE


def read_metadata(engine_path: str | os.PathLike) -> EngineMetadata:
    """The metadata JSON next to an engine file."""
    return EngineMetadata.from_json((Path(engine_path).parent / METADATA_FILE).read_text())
