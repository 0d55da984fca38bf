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
    from llamo_ros.behavior.engine import BehaviorEngine
    from llamo_ros.nodes.pose_frames import PoseConfig
    from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig

    with tempfile.TemporaryDirectory() as tmp:
        bag = Path(tmp) / "vtest"
        write_video_bag(sample_path("vtest.avi"), bag, VideoBagConfig(max_frames=frames))
        engine = BehaviorEngine(load_behavior_model())
        replay = BagReplay(ReplayConfig(describe=describe),
                           PoseConfig(backend=backend, max_persons=8, min_box_height_to_width=1.0), engine,
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
