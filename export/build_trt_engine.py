"""Build (or fetch from the cache) a TensorRT engine of the exported motion model.

    python export/build_trt_engine.py --onnx out/motion_encoder.onnx --precision fp16
    python export/build_trt_engine.py --onnx out/motion_encoder.onnx --precision int8 --calibration-npy windows.npy
    python export/build_trt_engine.py --onnx out/motion_encoder.onnx --plan-only            # no TensorRT needed
    python export/build_trt_engine.py --onnx out/motion_encoder.onnx --write-fp16 out/motion_encoder.fp16.onnx
    python export/build_trt_engine.py --write-calibration out/calib.npy                     # for ModelOpt (TRT 11 int8)

TensorRT 10 (JetPack): precision by builder flags, INT8 via an entropy calibrator fed with motion windows.
TensorRT 11: strongly typed; fp16 from a converted fp16 ONNX, INT8 from a Q/DQ ONNX made with NVIDIA
ModelOpt on the GPU machine (--qdq-onnx), e.g.
    python -m modelopt.onnx.quantization --onnx_path out/motion_encoder.onnx --quantize_mode int8 \
        --calibration_data out/calib.npy --output_path out/motion_encoder.qdq.onnx
Engines are cached under ~/.cache/llamo_ros/trt_engines/<gpu>/trt-<version>/<onnx sha>-<precision>-<profile>/
with a metadata JSON next to each; the engine path is printed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_ws" / "src" / "llamo_ros"))

from llamo_ros.runtime.trt_engine_plan import PRECISIONS, ShapeProfile, plan_precision  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", help="fp32 ONNX from export/export_motion_encoder.py")
    ap.add_argument("--precision", choices=PRECISIONS, default="fp16")
    ap.add_argument("--batch", type=int, nargs=3, default=[1, 1, 8], metavar=("MIN", "OPT", "MAX"))
    ap.add_argument("--window", type=int, nargs=3, default=[4, 32, 64], metavar=("MIN", "OPT", "MAX"),
                    help="window length in frames at 10 Hz (multiples of 4)")
    ap.add_argument("--calibration-npy", help="recorded (N, T, 80) float32 windows for INT8 (default: generated)")
    ap.add_argument("--calibration-windows", type=int, default=512, help="generated INT8 calibration windows")
    ap.add_argument("--qdq-onnx", help="TensorRT 11 INT8: Q/DQ ONNX from NVIDIA ModelOpt")
    ap.add_argument("--cache-dir", help="engine cache root (default ~/.cache/llamo_ros/trt_engines)")
    ap.add_argument("--plan-only", action="store_true", help="print the precision plans for TensorRT 10 and 11")
    ap.add_argument("--write-fp16", metavar="OUT", help="only write the fp16 ONNX (TensorRT 11 fp16 input)")
    ap.add_argument("--write-calibration", metavar="OUT", help="only write generated calibration windows (.npy)")
    args = ap.parse_args(argv)
    profile = ShapeProfile(*args.batch, *args.window)

    if args.write_calibration:
        import numpy as np
        from llamo_ros.runtime.calibration import synthetic_windows
        windows = synthetic_windows(args.calibration_windows, profile.opt_window)
        Path(args.write_calibration).parent.mkdir(parents=True, exist_ok=True)
        np.save(args.write_calibration, windows)
        print(f"{args.write_calibration}: {windows.shape} {windows.dtype}")
        return 0
    if not args.onnx:
        ap.error("--onnx is required")
    if args.plan_only:
        plans = {v: plan_precision(args.precision, v).to_dict() for v in ("10.3.0", "11.0.0")}
        print(json.dumps({"profile": profile.input_shapes(), "plans": plans}, indent=2))
        return 0
    if args.write_fp16:
        from llamo_ros.runtime.fp16_onnx import write_fp16_onnx
        print(write_fp16_onnx(args.onnx, args.write_fp16))
        return 0

    from llamo_ros.runtime.tensorrt_compat import BackendUnavailable
    from llamo_ros.runtime.trt_engine_build import EngineBuildConfig, engine_for
    config = EngineBuildConfig(precision=args.precision, profile=profile, calibration_npy=args.calibration_npy,
                               calibration_windows=args.calibration_windows, qdq_onnx=args.qdq_onnx,
                               cache_root=args.cache_dir)
    try:
        print(engine_for(args.onnx, config))
    except BackendUnavailable as exc:
        print(f"cannot build a TensorRT engine here: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
