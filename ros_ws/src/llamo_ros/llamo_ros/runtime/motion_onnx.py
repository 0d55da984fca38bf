"""ONNX export of the motion model (encoder + intent/path heads), and a cache of the exports of checkpoints.

    path = export_motion_onnx(model, "out/motion_encoder.onnx")   # what export/export_motion_encoder.py runs
    path = cached_motion_onnx("models/motion_llm_demo")             # exported once per checkpoint, then reused

Inputs:  features (B, T, 80) float32, dynamic B and T (T a multiple of patch_size, T/patch <= max_tokens)
Outputs: intent_probs (B, 10), future_path (B, H, 3), motion_tokens (B, T/patch, D)
Cache: `$LLAMO_CACHE_DIR/motion_onnx/<sha256 of config.json + motion_model.safetensors>[:16].onnx`
(~/.cache/llamo_ros/...), so a retrained checkpoint gets a new export and TensorRT engines (keyed by the
ONNX hash) follow it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import torch

from llamo_ros.motion.encoder import MotionModel
from llamo_ros.runtime.motion_runtime import INPUT_NAME, OUTPUT_NAMES

log = logging.getLogger("llamo_ros.runtime")
CHECKPOINT_FILES = ("config.json", "motion_model.safetensors")  # what an export depends on


def export_motion_onnx(model: MotionModel, out: str | os.PathLike) -> Path:
    """Write `model` to ONNX at `out` (dynamo exporter, opset 18, dynamic batch and window); returns the path."""
    model = model.eval()
    cfg = model.config
    example = torch.randn(2, 2 * cfg.patch_size * 2, cfg.in_features)
    batch = torch.export.Dim("batch", min=1, max=1024)
    patches = torch.export.Dim("patches", min=1, max=cfg.max_tokens)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (example,), str(out), dynamo=True, opset_version=18,
        input_names=[INPUT_NAME], output_names=list(OUTPUT_NAMES),
        dynamic_shapes={INPUT_NAME: {0: batch, 1: cfg.patch_size * patches}},
        optimize=True, verbose=False,
    )
    return out


def checkpoint_key(checkpoint_dir: str | os.PathLike) -> str:
    """16 hex digits of the sha256 over the checkpoint files an export depends on."""
    h = hashlib.sha256()
    for name in CHECKPOINT_FILES:
        h.update(name.encode())
        h.update((Path(checkpoint_dir) / name).read_bytes())
    return h.hexdigest()[:16]


def cached_motion_onnx(checkpoint_dir: str | os.PathLike, cache_root: str | os.PathLike | None = None) -> Path:
    """The checkpoint's ONNX export: from the cache, else exported now (seconds, once) and cached."""
    from llamo_ros.language.api import load_motion_model
    from llamo_ros.language.llm import cache_dir

    root = Path(cache_root) if cache_root is not None else cache_dir() / "motion_onnx"
    path = root / f"{checkpoint_key(checkpoint_dir)}.onnx"
    if path.is_file():
        return path
    log.info("exporting %s to ONNX (once) at %s", checkpoint_dir, path)
    root.mkdir(parents=True, exist_ok=True)
    # Exported beside the target and renamed: a crash mid-export must not leave a half file in the cache.
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        written = export_motion_onnx(load_motion_model(checkpoint_dir), Path(tmp) / path.name)
        data = written.with_name(written.name + ".data")  # weights the exporter may store beside the graph,
        if data.exists():                                  # referenced by this file name: moved first
            data.replace(path.with_name(data.name))
        written.replace(path)
    return path
