"""The kinematic checks of intents (`behavior.kinematic_evidence`: gestures, "other" on plain motion,
transitions) off and on, in one run: on real pedestrians and on generated clips.

    python -m llamo_ros.benchmark.kinematic_checks OUT_BAG [--clips 60]

OUT_BAG: an output bag of `llamo replay` (its `/llamo/persons`, e.g. of the whole vtest.avi); only the behaviour
stage runs again, on exactly those people. Prints, per setting (`SETTINGS`): the share of track-frames whose
filtered intent is outside {approaching, passing_by, leaving, standing_idle} (and with p >= 0.5, issue #13's
target), which ones, intent flips per track-second, ms per frame; and on generated clips (seeds 5000...) the
per-frame accuracy of the filtered intent and the recall of the checked gestures and transitions.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from llamo_ros.behavior.engine import BehaviorConfig, BehaviorEngine
from llamo_ros.behavior.kinematic_evidence import GESTURE_INDICES, TRANSITION_INDICES
from llamo_ros.motion.intents import INTENT_LABELS

PEDESTRIAN_INTENTS = {"approaching", "passing_by", "leaving", "standing_idle"}
# name -> BehaviorConfig fields: no check, the checks before transitions were checked, the defaults
SETTINGS: dict[str, dict] = {
    "no_checks": dict(check_gestures=False, check_plain_motion=False, check_transitions=False),
    "gestures_and_other": dict(check_transitions=False),
    "defaults": {},
}


def persons_frames(bag: Path, topic: str = "/llamo/persons") -> list[tuple[int, list]]:
    """[(stamp ns, [(track id, joints (17, 3), confidence (17,))])] of an output bag, read with its own types."""
    from rosbags.highlevel import AnyReader

    frames = []
    with AnyReader([Path(bag)]) as reader:
        for conn, _, raw in reader.messages(connections=[c for c in reader.connections if c.topic == topic]):
            msg = reader.deserialize(raw, conn.msgtype)
            tracks = []
            for p in msg.persons:
                joints = np.array([[k.position.x, k.position.y, k.position.z] for k in p.keypoints_3d], np.float32)
                confidence = np.array([k.confidence for k in p.keypoints_3d], np.float32)
                lost = ~np.isfinite(joints).all(1) | ~(confidence > 0)
                joints[lost], confidence[lost] = np.nan, 0.0
                tracks.append((int(p.track_id), joints, confidence))
            frames.append((msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec, tracks))
    return frames


def on_pedestrians(model, frames: list, config: BehaviorConfig) -> dict:
    engine = BehaviorEngine(model, config)
    n = implausible = confident = flips = 0
    which: Counter = Counter()
    last, first, span = {}, {}, {}
    start = time.perf_counter()
    for stamp, tracks in frames:
        intents, _ = engine.update(stamp, tracks)
        for r in intents:
            n += 1
            label = INTENT_LABELS[r.most_likely]
            if label not in PEDESTRIAN_INTENTS:
                implausible += 1
                if r.probabilities[r.most_likely] >= 0.5:
                    confident += 1
                    which[label] += 1
            flips += r.track_id in last and last[r.track_id] != r.most_likely
            last[r.track_id] = r.most_likely
            first.setdefault(r.track_id, stamp)
            span[r.track_id] = (stamp - first[r.track_id]) * 1e-9
    return {"track_frames": n, "implausible_share": implausible / max(1, n),
            "implausible_confident_share": confident / max(1, n), "confident_implausible": dict(which),
            "flips_per_track_second": flips / max(1e-9, sum(span.values())),
            "ms_per_frame": 1e3 * (time.perf_counter() - start) / max(1, len(frames))}


def on_generated(model, clips: list, config: BehaviorConfig, rate_hz: float = 10.0) -> dict:
    ok = n = gesture_ok = gestures = transition_ok = transitions = 0
    for clip in clips:
        engine = BehaviorEngine(model, config)
        step = max(1, int(round(clip.fps / rate_hz)))
        for f in range(0, clip.num_frames, step):
            intents, _ = engine.update(10**9 + int(f * 1e9 / clip.fps), [(1, clip.joints[f], clip.confidence[f])])
            if not intents or f < clip.fps:   # the first second: not enough history to judge
                continue
            truth, said = int(clip.intent[f]), intents[0].most_likely
            n, ok = n + 1, ok + (said == truth)
            if truth in GESTURE_INDICES:
                gestures, gesture_ok = gestures + 1, gesture_ok + (said == truth)
            if truth in TRANSITION_INDICES:
                transitions, transition_ok = transitions + 1, transition_ok + (said == truth)
    return {"frames": n, "accuracy": ok / max(1, n), "gesture_frames": gestures,
            "gesture_recall": gesture_ok / max(1, gestures), "transition_frames": transitions,
            "transition_recall": transition_ok / max(1, transitions)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bag", type=Path, help="output bag of `llamo replay` with /llamo/persons")
    ap.add_argument("--clips", type=int, default=60, help="generated clips (seeds 5000...)")
    args = ap.parse_args(argv)
    import torch

    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.data.motion_synth import generate_clip

    torch.set_num_threads(1)
    model = load_behavior_model()
    frames = persons_frames(args.bag)
    clips = [generate_clip(5000 + i) for i in range(args.clips)]
    result = {}
    for name, fields in SETTINGS.items():
        config = BehaviorConfig(**fields)
        result[name] = {"pedestrians": on_pedestrians(model, frames, config),
                        "generated": on_generated(model, clips, config)}
        print(name, result[name])
    return result


if __name__ == "__main__":
    main()
