"""Where real skeletons differ from generated ones, as the intent head sees it.

    python -m llamo_ros.benchmark.domain_gap OUT_BAG [--checkpoint DIR ...] [--clips 40] [--wobble]

OUT_BAG: an output bag of `llamo replay` (e.g. of the whole vtest.avi: real pedestrians who only walk or stand).
Its tracks are cut into 3.2 s windows (`descriptor_check.real_windows`, identity switches skipped) and labelled
by the net speed of their root. For each checkpoint it prints p(other) >= 0.5 per speed band, and then swaps
parts of the motion features between real standing (walking) windows and generated standing (walking) windows
of the broad generator seen from a CCTV-like camera: a part whose swap moves p(other) most is where the real
data lie outside what the model was trained on. Feature groups (`motion.features`: pose, mask, facing, root
position / relative / velocity) and joint groups of the pose.
(On 2026-11-29 this found the arms: real elbows and wrists put into generated standing windows raised p(other)
>= 0.5 from 21 % to 71 %; the generator's people had let their arms hang.)
It also prints how much and how smoothly each joint moves relative to the pelvis in real and generated windows
(`fluctuation`): real MediaPipe joints err smoothly and most at the wrists, the generator's jitter is white and
alike for every joint, which `SynthConfig.wobble_per_m_range` models (`--wobble`: generated windows with
`ESTIMATOR_WOBBLE`).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from llamo_ros.motion import features as F
from llamo_ros.skeleton import JOINT_INDEX

SPEED_BANDS = ((0.0, 0.2), (0.2, 0.6), (0.6, 1.0), (1.0, 9.0))   # m/s, net root speed over the window
FEATURE_GROUPS = {"pose": F.POSE, "mask": F.MASK, "facing": F.FACING, "root_pos": F.ROOT_POS,
                  "root_rel": F.ROOT_REL, "root_vel": F.ROOT_VEL}
JOINT_GROUPS = {"legs": ("right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle"),
                "arms": ("left_elbow", "left_wrist", "right_elbow", "right_wrist"),
                "shoulders": ("left_shoulder", "right_shoulder"), "head": ("neck_nose", "head"),
                "torso": ("spine", "thorax")}
FLUCTUATION_GROUPS = {"wrists": ("left_wrist", "right_wrist"), "elbows": ("left_elbow", "right_elbow"),
                      "ankles": ("left_ankle", "right_ankle"), "knees": ("left_knee", "right_knee"),
                      "shoulders": ("left_shoulder", "right_shoulder"), "head": ("neck_nose", "head"),
                      "thorax": ("thorax",)}


def real_feature_windows(bag: Path) -> tuple[np.ndarray, np.ndarray]:
    """-> (motion features (N, 32, C) of every real window of the bag's tracks, net root speed (N,) m/s)."""
    from llamo_ros.benchmark.descriptor_check import _root_speed, read_skeleton_tracks, real_windows

    tracks, fps = read_skeleton_tracks(bag)
    feats, speeds = [], []
    for _, _, joints, confidence, switched in real_windows(tracks, fps):
        if not switched:
            feats.append(F.motion_features(joints, confidence, fps, num_frames=32))
            speeds.append(_root_speed(joints, fps))
    return np.stack(feats).astype(np.float32), np.array(speeds)


def generated_feature_windows(clips: int, seed0: int = 900_000, wobble: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """-> (features (N, 32, C), true intent (N,)) of broad-generator walking and standing clips at 10 Hz, seen
    from 3-6 m high, 20-35 degrees down, 9-16 m away (like vtest.avi's camera); with `wobble` the estimator's
    slow per-joint error too (`ESTIMATOR_WOBBLE`)."""
    from llamo_ros.data.motion_synth import ESTIMATOR_WOBBLE, broad_config, generate_clip
    from llamo_ros.motion.windows import clip_windows, collate

    config = broad_config(actions=("stand", "walk"), camera_distance_range_m=(9.0, 16.0), fps=10.0,
                          camera_height_range_m=(3.0, 6.0), camera_pitch_range_deg=(20.0, 35.0),
                          walk_speed_range_mps=(0.4, 1.6), duration_range_s=(8.0, 14.0),
                          **(ESTIMATOR_WOBBLE if wobble else {}))
    windows = [w for seed in range(seed0, seed0 + clips) for w in clip_windows(generate_clip(seed, config))]
    data = collate(windows)
    return data["features"], data["intent"]


def fluctuation(features: np.ndarray, names) -> tuple[float, float]:
    """(median over windows of the std about the window's mean (m), median lag-1 autocorrelation) of the named
    joints' pelvis-relative positions (POSE channels) in (N, T, C) windows at 10 Hz: how much and how smoothly
    they move, the estimator's error included (white jitter: lag-1 ~0)."""
    x = features[..., F.POSE][..., joint_columns(names) - F.POSE.start].astype(np.float64)   # (N, T, 3k) m
    x = x - x.mean(axis=1, keepdims=True)
    std = np.sqrt((x ** 2).mean(axis=(1, 2)))                                               # (N,)
    lag1 = (x[:, 1:] * x[:, :-1]).sum(axis=(1, 2)) / np.maximum((x ** 2).sum(axis=(1, 2)), 1e-12)
    return float(np.median(std)), float(np.median(lag1))


def p_other(model, features: np.ndarray) -> np.ndarray:
    """(N,) calibrated p(other) of the motion model on (N, T, C) features."""
    import torch

    from llamo_ros.motion.intents import with_appended_intents

    with torch.inference_mode():
        probs = model.intent_head(model.encoder(torch.from_numpy(features))).softmax(-1).numpy()
    return with_appended_intents(probs)[:, -1]


def swapped(into: np.ndarray, source: np.ndarray, columns) -> np.ndarray:
    """`into` (N, T, C) with `columns` of the channel axis taken from `source` (N, T, C)."""
    out = into.copy()
    out[..., columns] = source[..., columns]
    return out


def joint_columns(names) -> np.ndarray:
    """POSE channels (x, y, z) of the named joints."""
    return np.concatenate([np.arange(3 * JOINT_INDEX[n], 3 * JOINT_INDEX[n] + 3) for n in names])


def swap_table(model, real: np.ndarray, generated: np.ndarray, seed: int = 0) -> dict[str, tuple[float, float]]:
    """{part: (p(other) >= 0.5 share of real windows with that part generated, of generated windows with that
    part real)} over equally many windows of each; "none" is the unswapped pair."""
    rng = np.random.default_rng(seed)
    n = min(len(real), len(generated))
    real, generated = real[rng.choice(len(real), n, replace=False)], generated[rng.choice(len(generated), n, False)]
    share = lambda x: float((p_other(model, x) >= 0.5).mean())   # noqa: E731
    table = {"none": (share(real), share(generated))}
    parts = {**FEATURE_GROUPS, **{name: joint_columns(joints) for name, joints in JOINT_GROUPS.items()}}
    for name, columns in parts.items():
        table[name] = (share(swapped(real, generated, columns)), share(swapped(generated, real, columns)))
    return table


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bag", type=Path, help="output bag of `llamo replay` with /llamo/persons")
    ap.add_argument("--checkpoint", nargs="+", default=[None], help="checkpoint dirs (default: the shipped one)")
    ap.add_argument("--clips", type=int, default=40, help="generated walking/standing clips")
    ap.add_argument("--wobble", action="store_true", help="generated windows with the estimator's slow error")
    args = ap.parse_args(argv)
    import torch

    from llamo_ros.behavior.behavior_model import default_checkpoint_dir
    from llamo_ros.language.api import load_motion_model
    from llamo_ros.motion.intents import INTENT_INDEX

    torch.set_num_threads(1)
    real, speeds = real_feature_windows(args.bag)
    generated, intent = generated_feature_windows(args.clips, wobble=args.wobble)
    standing = intent == INTENT_INDEX["standing_idle"]
    result = {"fluctuation": {}}
    for kind, r, g in (("standing", real[speeds < 0.3], generated[standing]),
                       ("walking", real[speeds >= 0.8], generated[~standing])):
        result["fluctuation"][kind] = {name: (fluctuation(r, joints), fluctuation(g, joints))
                                       for name, joints in FLUCTUATION_GROUPS.items()}
        print(f"{kind}: joints relative to the pelvis, std about the window mean (m) and lag-1 autocorrelation, "
              f"real ({len(r)} windows) | generated ({len(g)})")
        for name, ((rs, rl), (gs, gl)) in result["fluctuation"][kind].items():
            print(f"  {name:10s} {rs:.3f} m {rl:5.2f} | {gs:.3f} m {gl:5.2f}")
    for checkpoint in args.checkpoint:
        checkpoint = checkpoint or str(default_checkpoint_dir())
        model = load_motion_model(checkpoint).eval()
        p = p_other(model, real)
        bands = {f"{lo:g}-{hi:g} m/s": (int(((speeds >= lo) & (speeds < hi)).sum()),
                                        float((p[(speeds >= lo) & (speeds < hi)] >= 0.5).mean()))
                 for lo, hi in SPEED_BANDS}
        swaps = {"standing": swap_table(model, real[speeds < 0.3], generated[standing]),
                 "walking": swap_table(model, real[speeds >= 0.8], generated[~standing])}
        result[checkpoint] = {"real_windows": len(real), "p_other_ge_0.5": float((p >= 0.5).mean()),
                              "by_speed": bands, "swaps": swaps}
        print(f"{checkpoint}: {len(real)} real windows, p(other) >= 0.5 in {(p >= 0.5).mean():.1%}")
        for band, (n, share) in bands.items():
            print(f"  {band:>10}: {n:4d} windows, p(other) >= 0.5 in {share:.1%}")
        for kind, table in swaps.items():
            print(f"  {kind}: p(other) >= 0.5 of real windows with one part generated | generated with it real")
            for part, (a, b) in table.items():
                print(f"    {part:10s} {a:6.1%} | {b:6.1%}")
    return result


if __name__ == "__main__":
    main()
