"""`llamo`: command line of llamo_ros (`python -m llamo_ros.cli` or the `llamo` entry point)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _record_video(args: argparse.Namespace) -> int:
    from llamo_ros.data.video_bag import VideoBagConfig, write_video_bag

    n = write_video_bag(Path(args.video), Path(args.bag),
                        VideoBagConfig(max_frames=args.max_frames, storage=args.storage,
                                       horizontal_fov_deg=args.fov_deg))
    print(f"wrote {n} frames of {args.video} to {args.bag}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llamo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record-video", help="record a video file as a rosbag2 of Image + CameraInfo")
    rec.add_argument("video", help="input video file (anything OpenCV reads)")
    rec.add_argument("bag", help="output bag folder (must not exist)")
    rec.add_argument("--max-frames", type=int, default=0, help="stop after this many frames (0: all)")
    rec.add_argument("--storage", choices=("sqlite3", "mcap"), default="sqlite3")
    rec.add_argument("--fov-deg", type=float, default=60.0, help="assumed horizontal field of view (deg)")
    rec.set_defaults(run=_record_video)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
