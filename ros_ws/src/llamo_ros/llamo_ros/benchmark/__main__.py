"""python -m llamo_ros.benchmark [--quick] [--skip-llm] [--with-pose] [--out out/bench]

Prints tables (ratios side by side from the same run), writes <out>/benchmarks.json and
<out>/benchmarks.png. Single-threaded (--threads 1) by default for stable comparisons.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from llamo_ros.benchmark import hooks, report
from llamo_ros.benchmark.llm import bench_llm
from llamo_ros.benchmark.motion import bench_motion, motion_model


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out/bench", help="directory for benchmarks.json and benchmarks.png")
    ap.add_argument("--checkpoint", default=None, help="motion checkpoint dir (default models/motion_llm_demo if "
                                                       "present, else a freshly initialised model)")
    ap.add_argument("--onnx", help="exported motion ONNX (default: export the model now)")
    ap.add_argument("--engine", help="TensorRT engine to include (GPU machines)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--windows", type=int, nargs="+", default=[32, 64])
    ap.add_argument("--repeats", type=int, default=200, help="timed motion calls per cell")
    ap.add_argument("--llm-tokens", type=int, default=32)
    ap.add_argument("--llm-runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="few repeats, short decode (smoke test)")
    ap.add_argument("--skip-llm", action="store_true")
    ap.add_argument("--with-pose", action="store_true", help="include llamo_ros.benchmark.pose numbers")
    ap.add_argument("--replay-frames", type=int, default=-1,
                    help="frames of vtest.avi for the end-to-end replay numbers (-1: the whole video, 795 frames; "
                         "0: skip)")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.llm_tokens, args.llm_runs = 20, 8, 1
        args.replay_frames = 50 if args.replay_frames < 0 else args.replay_frames
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    checkpoint = args.checkpoint
    if checkpoint is None and Path("models/motion_llm_demo/config.json").is_file():
        checkpoint = "models/motion_llm_demo"
    model, model_note = motion_model(checkpoint)
    results = {"title": f"llamo_ros benchmarks - {platform.processor() or platform.machine()}, "
                        f"{args.threads} thread(s), {time.strftime('%Y-%m-%d %H:%M')}",
               "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "threads": args.threads},
               "motion_model": model_note}
    results["motion"] = bench_motion(model, args.batches, args.windows, args.threads, args.repeats, args.onnx,
                                     args.engine)
    print(report.motion_table(results["motion"]))
    if not args.skip_llm:
        results["llm"] = bench_llm(args.llm_tokens, args.llm_runs, args.threads)
        print()
        print(report.llm_table(results["llm"]))
    if args.with_pose:
        results["pose"] = hooks.pose_fps()
        print("\npose:", results["pose"])
    if args.replay_frames:
        results["end_to_end"] = hooks.end_to_end(max(args.replay_frames, 0))
        print("\nend to end (vtest.avi replay):", results["end_to_end"])
    out = Path(args.out)
    json_path = report.write_json(results, out / "benchmarks.json")
    chart_path = report.write_chart(results, out / "benchmarks.png")
    print(f"\n{json_path}\n{chart_path}")
    return results


if __name__ == "__main__":
    main()
