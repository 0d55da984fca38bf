"""End-to-end numbers on real video: replay throughput, image-to-intent latency and the outputs' stability and
accuracy (`stability_report`) on vtest.avi."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from llamo_ros.data.sample_media import sample_path
from llamo_ros.data.video_bag import VideoBagConfig, write_video_bag


def replay_benchmark(frames: int = 0, describe: bool = False, backend: str = "mediapipe") -> dict:
    """Replay the first `frames` frames of vtest.avi (10 fps; 0: all 795) with the default pipeline.

    Returns camera seconds, wall seconds, the real-time factor (camera s / wall s, >= 1 keeps up) and the
    per-frame image-to-intent latency p50/p95 in ms (from the pose stage taking the image to its intents:
    pose + tracking + intents + writing, descriptions when enabled), and each pipeline stage's busy time in ms
    per frame (the stages overlap: the busiest one sets the pace), and under "stability" the numbers of
    `llamo report` on the output bag (intent flips, implausible intents, root jitter, FDE, tracks).
    """
    from dataclasses import asdict

    from llamo_ros.replay.stability_report import stability_report
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.stage import BehaviorStage
    from llamo_ros.messages.pose_frames import PoseConfig
    from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig

    with tempfile.TemporaryDirectory() as tmp:
        bag = Path(tmp) / "vtest"
        write_video_bag(sample_path("vtest.avi"), bag, VideoBagConfig(max_frames=frames))
        stage = BehaviorStage(load_behavior_model())
        replay = BagReplay(ReplayConfig(describe=describe),
                           PoseConfig(backend=backend, min_box_height_to_width=1.0), stage,
                           on_event=lambda _: None, progress=False)
        report = replay.run(bag, Path(tmp) / "out")
        stability = asdict(stability_report(Path(tmp) / "out"))
    lat = np.array(report.frame_latency_s) * 1e3
    return {"frames": report.images_read, "camera_s": report.bag_duration_s, "wall_s": report.wall_time_s,
            "realtime_factor": report.realtime_factor, "persons_per_frame": report.persons / max(1, report.images_read),
            "image_to_intent_p50_ms": float(np.percentile(lat, 50)),
            "image_to_intent_p95_ms": float(np.percentile(lat, 95)), "descriptions": report.descriptions,
            "stage_ms_per_frame": {k: 1e3 * v / max(1, report.images_read) for k, v in report.stage_busy_s.items()},
            "stability": stability}


def compressed_vs_raw(frames: int = 0, codec: str = "jpeg", jpeg_quality: int = 95, out_dir: Path | None = None,
                      on_event=print) -> dict:
    """People per frame of vtest.avi replayed from a raw bag and from a compressed (JPEG/PNG) bag of it.

    Both replays run the demo's pose settings and the intents (no descriptions), one after the other.
    Returns per-bag persons and wall seconds, the relative difference of the person totals (the target:
    within 2 %), the share of frames with the same number of people, and the mean |difference| per frame.
    `python -m llamo_ros.benchmark.replay [FRAMES] [jpeg|png] [QUALITY]` prints it.
    """
    from rclpy.serialization import deserialize_message
    from rosbags.rosbag2 import Reader

    from llamo_msgs.msg import Person3DArray
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.stage import BehaviorStage
    from llamo_ros.messages.pose_frames import PoseConfig
    from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig

    def people(bag: Path) -> dict[int, int]:
        with Reader(bag) as reader:
            conns = [c for c in reader.connections if c.topic == "/llamo/persons"]
            return {t: len(deserialize_message(raw, Person3DArray).persons)
                    for _, t, raw in reader.messages(connections=conns)}

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(out_dir) if out_dir is not None else Path(tmp)
        model = load_behavior_model()
        result: dict = {"frames": 0, "codec": codec, "jpeg_quality": jpeg_quality}
        counts = {}
        for name, compressed in (("raw", ""), (codec, codec)):
            bag = root / f"vtest_{name}"
            write_video_bag(sample_path("vtest.avi"), bag, VideoBagConfig(max_frames=frames, compressed=compressed,
                                                                           jpeg_quality=jpeg_quality))
            size = sum(f.stat().st_size for f in bag.iterdir())
            replay = BagReplay(ReplayConfig(describe=False),
                               PoseConfig(min_box_height_to_width=1.0), BehaviorStage(model),
                               on_event=lambda _: None, progress=True)
            report = replay.run(bag, root / f"out_{name}")
            counts[name] = people(root / f"out_{name}")
            result[name] = {"bag_mb": size / 1e6, "images": report.images_read, "dropped": report.images_dropped,
                            "persons": report.persons, "wall_s": report.wall_time_s}
            on_event(f"{name}: {result[name]}")
        raw, comp = counts["raw"], counts[codec]
        stamps = sorted(set(raw) | set(comp))
        diff = np.array([comp.get(t, 0) - raw.get(t, 0) for t in stamps])
        total_raw = sum(raw.values())
        result.update(frames=len(stamps),
                      persons_relative_difference=(sum(comp.values()) - total_raw) / max(1, total_raw),
                      frames_with_same_count=float(np.mean(diff == 0)) if len(diff) else 1.0,
                      mean_abs_count_difference=float(np.mean(np.abs(diff))) if len(diff) else 0.0)
    return result


if __name__ == "__main__":
    import json
    import sys

    import torch

    torch.set_num_threads(1)
    argv = sys.argv[1:]
    print(json.dumps(compressed_vs_raw(int(argv[0]) if argv else 0, argv[1] if len(argv) > 1 else "jpeg",
                                       int(argv[2]) if len(argv) > 2 else 95), indent=2))
