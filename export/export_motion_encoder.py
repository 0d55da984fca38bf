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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_ws" / "src" / "llamo_ros"))

from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel  # noqa: E402
from llamo_ros.runtime.motion_onnx import export_motion_onnx  # noqa: E402


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
    print(export_motion_onnx(model, args.out))


if __name__ == "__main__":
    main()
