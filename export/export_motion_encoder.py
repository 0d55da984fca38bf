"""Export the motion encoder + intent/path heads to ONNX (dynamo exporter, opset 18).

    python export/export_motion_encoder.py --checkpoint models/motion_llm_demo --out out/motion_encoder.onnx

Inputs:  features (B, T, 80) float32, dynamic B and T (T a multiple of patch_size, T/patch <= max_tokens)
Outputs: intent_probs (B, 10), future_path (B, H, 3), motion_tokens (B, T/patch, D)
Without --checkpoint a randomly initialised default-config model is exported (for pipeline tests).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_ws" / "src" / "llamo_ros"))

from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel  # noqa: E402


def export(model: MotionModel, out: str | Path) -> Path:
    """Write `model` to ONNX at `out` with dynamic batch and window length; returns the path."""
    model = model.eval()
    cfg = model.config
    example = torch.randn(2, 2 * cfg.patch_size * 2, cfg.in_features)
    batch = torch.export.Dim("batch", min=1, max=1024)
    patches = torch.export.Dim("patches", min=1, max=cfg.max_tokens)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (example,), str(out), dynamo=True, opset_version=18,
        input_names=["features"], output_names=["intent_probs", "future_path", "motion_tokens"],
        dynamic_shapes={"features": {0: batch, 1: cfg.patch_size * patches}},
        optimize=True, verbose=False,
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="a checkpoint dir (config.json + motion_model.safetensors)")
    ap.add_argument("--out", default="out/motion_encoder.onnx")
    args = ap.parse_args()
    if args.checkpoint:
        from llamo_ros.language.api import load_motion_model
        model = load_motion_model(args.checkpoint)
    else:
        model = MotionModel(MotionEncoderConfig())
    print(export(model, args.out))


if __name__ == "__main__":
    main()
