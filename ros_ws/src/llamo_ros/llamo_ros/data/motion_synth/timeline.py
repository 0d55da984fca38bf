"""The descriptor timeline (`llamo_ros.motion.descriptors.timeline`) of one generated clip, as a PNG.

    tools/ros_env.sh python -m llamo_ros.data.motion_synth.timeline --seed 3 --out out/descriptors_seed3.png
"""
from __future__ import annotations

import argparse

from llamo_ros.data.motion_synth import generate_clip
from llamo_ros.motion.descriptors.timeline import write_timeline_png


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3, help="generator seed of the clip")
    parser.add_argument("--out", default="out/descriptors_timeline.png", help="PNG path")
    args = parser.parse_args(argv)
    clip = generate_clip(args.seed)
    labels = [(s.start / clip.fps, s.end / clip.fps, s.name) for s in clip.segments]
    print(write_timeline_png(clip.joints, clip.confidence, clip.fps, args.out, clip.caption[:110], labels))


if __name__ == "__main__":
    main()
