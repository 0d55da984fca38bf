"""Evaluate a checkpoint on held-out generated data; writes a JSON report, a confusion PNG and prints a table.

    python -m llamo_ros.training.evaluate --checkpoint models/motion_llm_demo --out out/eval.json \
        [--text-baseline out/text_baseline | --no-text-baseline] [--int8] [--clips 150] [--lang 64]
        [--llm-runtime torch|llama_cpp|auto] [--gguf-type q8_0|q4_1|f32]
        [--splits seeds,body_view,broad,heldout_actions] [--generator-roots] [--vtest]

Splits (test seeds, never used in training):
  seeds            the default ten-action generator
  body_view        the same actions, unseen body sizes (1.95-2.15 m) and viewpoints (bearing 25-40 deg,
                   camera 1.8-2.2 m high, pitch 20-30 deg)
  broad            the broad generator's training actions (realistic cameras, long walks, runs...)
  heldout_actions  only `training.data.HELDOUT_ACTIONS` (never trained on), standing between them
  Intents and paths are measured on roots tracked as the pose stage tracks them (`training.data.training_clip`:
  broad and heldout_actions with the metric root's error along the ray, all through the pipeline's RootFilter);
  `--generator-roots`: on the generator's own roots, as releases before 2026-11-29 were measured.
Metrics:
  intent      macro-F1 over the split's true classes (and over true or predicted ones; and over "settled" windows,
              at least SETTLED_S into their action, with the count of standing_idle false positives at onset),
              accuracy, ECE (15 bins) before/after temperature scaling; a confusion
              matrix (broad split) in the PNG
  path        ADE/FDE at 1 s and 2 s (m) vs constant velocity with 0.3 s and 1 s velocity windows; "steady":
              windows inside a walk/jog/run whose speed over the next 2 s stays within 20 % of the last second's
  unknown     on heldout_actions windows at least 1 s into a held-out action: mean probability of "other",
              the share whose most likely intent is "other", the mean top probability of the named intents, and
              the OOD AUROC of p(other) against broad-split windows whose true intent is a named one, at least 1 s
              into their action too (`ood_negatives`; `*_all_named`: against every such window)
  captions    on single-action clips (seeds, body_view) and windows inside one action (broad, heldout_actions),
              references measured by the kinematic descriptors on the exact joints (`motion.captions`):
              wrong-action rate (the caption names an action whose rule the measured motion does not support),
              action match (names exactly the actions the reference names), unclear rate (names no action),
              action-word accuracy against the generator's intent (seeds, body_view: the earlier metric),
              BLEU-4 and ROUGE-L against the reference
  qa          normalised exact match on the first two QA pairs of each sample (which action, speed/moving)
  published   the same unknown-motion and caption numbers for what the behaviour stage publishes with its default
              checks, measured on the window's noisy joints: intents weighed by the kinematic gesture and
              plain-motion checks (`behavior.kinematic_evidence`), captions passed through the description guard
              (`behavior.description_guard`)
  text baseline  the same caption metrics for the same LLM given `skeleton_as_text` instead of motion tokens
  vtest (--vtest)  real pedestrians: vtest.avi replayed through the whole pipeline with this checkpoint (intents,
              no descriptions), then `llamo report` on the output bag: intent flips, implausible intents, and
              the published path's FDE against the real later positions, paired with constant velocity
              (0.3 s and 1 s windows) at the same predictions, on the whole clip and on its last 30 s
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from llamo_ros.behavior.description_guard import guard_description
from llamo_ros.data.motion_synth import ACTION_INTENT, ACTION_WORDS, ESTIMATOR_WOBBLE
from llamo_ros.language.api import MotionLanguageModel
from llamo_ros.language.model import DEFAULT_INSTRUCTION, MotionLLM, MotionLLMConfig, skeleton_as_text
from llamo_ros.motion.action_rules import named_actions, supported_actions
from llamo_ros.motion.encoder import constant_velocity_path
from llamo_ros.motion.intents import INTENT_INDEX, INTENT_LABELS, NUM_INTENTS, OTHER, with_appended_intents
from llamo_ros.motion.windows import MotionSample, clip_windows, collate
from llamo_ros.skeleton import ROOT
from llamo_ros.training import metrics as M
from llamo_ros.training.data import (
    HELDOUT_ACTIONS, LANGUAGE_SEED_OFFSET, TEST_SEED0, LanguageSample, _single_action_clips, described_sample,
    described_samples, heldout_config, split_seed0, training_clip, window_start,
)

SPLITS = ("seeds", "body_view", "broad", "heldout_actions")
LOCOMOTION = ("walk", "jog", "run", "walk_towards", "walk_past", "walk_away")
CV_WINDOWS = {"0.3s": 3, "1s": 10}   # constant-velocity baselines: velocity window name -> frames at 10 Hz
SETTLED_S = 0.5   # intent windows this long into their action or more are "settled" (intent_macro_f1_settled), s


@dataclass
class EvalWindow:
    sample: MotionSample
    action: str        # the action at the window's end ("" between actions)
    into_s: float      # how long that action has been going on, s
    steady: bool       # inside a walk/jog/run that keeps its speed (within 20 %) over the next 2 s
    joints: np.ndarray | None = None      # (T, 17, 3) the window's noisy joints at the clip rate (keep_joints)
    confidence: np.ndarray | None = None  # (T, 17)
    fps: float = 30.0


def eval_windows(split: str, clips: int, keep_joints: bool = False, tracked_roots: bool = True,
                 wobble: bool = False) -> list[EvalWindow]:
    """Windows every 0.5 s of `clips` test clips of the split, with the action they show (and their noisy
    joints with `keep_joints`, for the behaviour stage's checks); roots tracked as the pose stage tracks them, or
    the generator's own with `tracked_roots` False (`training.data.training_clip`); with `wobble` the joints
    carry the estimator's slow per-joint error too (`data.motion_synth.ESTIMATOR_WOBBLE`)."""
    config = heldout_config(split)
    if wobble:
        config = dataclasses.replace(config, **ESTIMATOR_WOBBLE)
    out = []
    for seed in range(split_seed0(split, TEST_SEED0), split_seed0(split, TEST_SEED0) + clips):
        clip = training_clip(seed, config, tracked_roots)
        root = clip.joints_clean[:, ROOT].astype(np.float64)
        fps = clip.fps
        for s in clip_windows(clip):
            seg = next((g for g in clip.segments if g.start <= s.frame < g.end), None)
            steady = False
            t, sec = s.frame, int(round(fps))
            if seg is not None and seg.name in LOCOMOTION and t - sec >= seg.start and t + 2 * sec < seg.end:
                past = np.linalg.norm(root[t] - root[t - sec])
                future = np.linalg.norm(root[t + 2 * sec] - root[t + sec])
                steady = past > 0.5 and abs(future / past - 1) < 0.2
            w = EvalWindow(s, seg.name if seg else "", (t - seg.start) / fps if seg else 0.0, steady, fps=fps)
            if keep_joints:
                lo = window_start(t, fps)
                w.joints, w.confidence = clip.joints[lo:t + 1].astype(np.float32), clip.confidence[lo:t + 1]
            out.append(w)
    return out


def eval_motion(mlm: MotionLanguageModel, windows: list[EvalWindow]) -> tuple[dict, dict]:
    """Intent and path metrics of one split; also returns the raw arrays for the cross-split numbers."""
    data = collate([w.sample for w in windows])
    x = torch.from_numpy(data["features"]).to(mlm.device)
    with torch.inference_mode():
        tokens = mlm.motion.encoder(x)
        raw = mlm.motion.intent_head(tokens, calibrated=False)
        probs = (raw / mlm.motion.intent_head.temperature).softmax(-1).cpu().numpy()
        path = mlm.motion.path_head(tokens, x).cpu().numpy()
        cv = {name: constant_velocity_path(x, mlm.motion.path_head.steps, k).cpu().numpy()
              for name, k in CV_WINDOWS.items()}
    probs = with_appended_intents(probs)   # a checkpoint from before "other" never says so
    pred = probs.argmax(1)
    onset = np.array([w.into_s < SETTLED_S for w in windows])
    settled = ~onset
    idle = INTENT_INDEX["standing_idle"]
    idle_false = (pred == idle) & (data["intent"] != idle)                   # (B,) wrongly called standing_idle
    out = {"windows": int(len(pred)),
           "intent_macro_f1": M.macro_f1(pred, data["intent"], NUM_INTENTS, true_classes_only=True),
           "intent_macro_f1_incl_absent": M.macro_f1(pred, data["intent"], NUM_INTENTS),
           # onset windows left out: a 3.2 s window that ends 0.3 s into a sit-down shows mostly standing
           "intent_macro_f1_settled": M.macro_f1(pred[settled], data["intent"][settled], NUM_INTENTS,
                                                 true_classes_only=True),
           "standing_idle_false_positives_at_onset": int((onset & idle_false).sum()),
           "standing_idle_false_positives": int(idle_false.sum()),
           "intent_accuracy": float((pred == data["intent"]).mean()),
           "intent_ece": M.expected_calibration_error(probs, data["intent"]),
           "intent_ece_uncalibrated": M.expected_calibration_error(raw.softmax(-1).cpu().numpy(), data["intent"])
           if raw.shape[1] == NUM_INTENTS else float("nan")}
    for secs, n in ((1, 10), (2, 20)):
        ade, fde = M.ade_fde(path, data["path"], data["path_mask"], n)
        out.update({f"ade_{secs}s": ade, f"fde_{secs}s": fde})
        for name, c in cv.items():
            cade, cfde = M.ade_fde(c, data["path"], data["path_mask"], n)
            out.update({f"cv{name}_ade_{secs}s": cade, f"cv{name}_fde_{secs}s": cfde})
        out[f"ade_{secs}s_vs_cv1s"] = ade / out[f"cv1s_ade_{secs}s"]
    steady = np.array([w.steady for w in windows])
    out["steady_windows"] = int(steady.sum())
    if steady.any():
        ade, fde = M.ade_fde(path[steady], data["path"][steady], data["path_mask"][steady], 20)
        cade, cfde = M.ade_fde(cv["1s"][steady], data["path"][steady], data["path_mask"][steady], 20)
        out.update({"steady_ade_2s": ade, "steady_cv1s_ade_2s": cade, "steady_ade_2s_vs_cv1s": ade / cade,
                    "steady_fde_2s": fde, "steady_cv1s_fde_2s": cfde})
    return out, {"probs": probs, "true": data["intent"], "pred": pred}


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Area under the ROC curve of scores: P(a positive scores above a negative), ties counted half."""
    if not len(positive) or not len(negative):
        return float("nan")
    scores = np.concatenate([positive, negative])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):          # average ranks of ties
        tie = scores == value
        ranks[tie] = ranks[tie].mean()
    return float((ranks[:len(positive)].sum() - len(positive) * (len(positive) + 1) / 2)
                 / (len(positive) * len(negative)))


def published_probs(windows: list[EvalWindow], probs: np.ndarray) -> np.ndarray:
    """(B, K) probabilities as the behaviour stage publishes them before temporal filtering: weighed by the
    kinematic checks on each window's noisy joints (BehaviorConfig defaults)."""
    from llamo_ros.behavior.engine import BehaviorConfig
    from llamo_ros.behavior.kinematic_evidence import checks_due, motion_likelihood, weigh

    config = BehaviorConfig()
    out = probs.copy()
    for i, w in enumerate(windows):
        due = checks_due(probs[i], config)
        if any(due):
            out[i] = weigh(probs[i], motion_likelihood(w.joints, w.confidence, w.fps, *due))
    return out


OOD_MIN_INTO_S = 1.0   # windows scored for unknown motion end at least this long into their action, s


def ood_negatives(true: np.ndarray, into_s: np.ndarray, min_into_s: float = OOD_MIN_INTO_S) -> np.ndarray:
    """(B,) bool: the in-vocabulary windows the OOD AUROC scores against held-out actions: a named true intent
    and, like the held-out windows, at least `min_into_s` s into their action. A 3.2 s window 0.3 s into a
    wave after a dance shows mostly the dance; held to the same rule, both sides show their own action."""
    return (true != OTHER) & (into_s >= min_into_s)


def unknown_motion(heldout: list[EvalWindow], heldout_raw: dict, broad_raw: dict | None, key: str = "probs") -> dict:
    """How the heads treat held-out actions: p(other), top named-intent probability, OOD AUROC (negatives:
    `ood_negatives`; `*_all_named`: every named broad window, the rule of releases before 2026-11-29 23:00)."""
    keep = np.array([w.action in HELDOUT_ACTIONS and w.into_s >= OOD_MIN_INTO_S for w in heldout])
    probs = heldout_raw[key][keep]
    out = {"heldout_windows": int(keep.sum()),
           "p_other_mean": float(probs[:, OTHER].mean()),
           "predicted_other_share": float((probs.argmax(1) == OTHER).mean()),
           "top_named_intent_p_mean": float(probs[:, :OTHER].max(1).mean()),
           "top_named_intent_p_ge_0.8_share": float((probs[:, :OTHER].max(1) >= 0.8).mean())}
    if broad_raw is not None:
        negatives = ood_negatives(broad_raw["true"], broad_raw["into_s"])
        for suffix, rows in (("", negatives), ("_all_named", broad_raw["true"] != OTHER)):
            named = broad_raw[key][rows]
            out[f"ood_auroc_p_other{suffix}"] = auroc(probs[:, OTHER], named[:, OTHER])
            out[f"ood_auroc_max_named_p{suffix}"] = auroc(-probs[:, :OTHER].max(1), -named[:, :OTHER].max(1))
        out["ood_negative_windows"] = int(negatives.sum())
    return out


def language_eval_samples(split: str, n: int) -> list[LanguageSample]:
    """Caption references measured by the descriptors: single-action clips (seeds, body_view) or windows inside
    one action (broad, heldout_actions; standing left out of the held-out split)."""
    if split in ("seeds", "body_view"):
        rng = np.random.default_rng(TEST_SEED0)
        return [described_sample(c.window_clip, c.window_clip.num_frames - 1, c.action, rng)
                for c in _single_action_clips(TEST_SEED0, n, heldout_config(split, language=True))]
    skip = ("stand",) if split == "heldout_actions" else ()
    return described_samples(split_seed0(split, TEST_SEED0) + LANGUAGE_SEED_OFFSET, n, heldout_config(split),
                             skip_actions=skip)


def eval_language(lm: MotionLLM, samples: list[LanguageSample], text: bool, split: str, batch: int = 8,
                  max_new_tokens: int = 48) -> dict:
    def run(prompts, feats, what):
        outs = []
        for i in tqdm(range(0, len(prompts), batch), desc=f"{split} {what}", leave=False):
            f = None if text else torch.from_numpy(np.stack(feats[i:i + batch]))
            outs += lm.generate(f, prompts[i:i + batch], max_new_tokens)
        return outs

    feats = [s.window.features for s in samples]
    prefix = [skeleton_as_text(f) + "\n" if text else "" for f in feats]
    captions = run([p + DEFAULT_INSTRUCTION for p in prefix], feats, "captions")
    qa = [(i, q, a) for i, s in enumerate(samples) for q, a in s.qa[:2]]
    answers = run([prefix[i] + q for i, q, _ in qa], [feats[i] for i, _, _ in qa], "QA")
    refs = [s.caption for s in samples]
    named = [named_actions(c) for c in captions]
    wrong = [bool(n - supported_actions(s.descriptors)) for n, s in zip(named, samples)]
    published = [guard_description(c, *s.noisy).text if s.noisy else c for c, s in zip(captions, samples)]
    wrong_published = [bool(named_actions(c) - supported_actions(s.descriptors)) for c, s in zip(published, samples)]
    match = [n == named_actions(r) for n, r in zip(named, refs)]
    out = {"captions": len(captions), "wrong_action_rate": float(np.mean(wrong)),
           "published_wrong_action_rate": float(np.mean(wrong_published)),
           "published_replaced_rate": float(np.mean([a != b for a, b in zip(captions, published)])),
           "action_match": float(np.mean(match)), "unclear_rate": float(np.mean([not n for n in named])),
           "bleu4": M.bleu4(captions, refs), "rouge_l": M.rouge_l(captions, refs),
           "mean_caption_words": float(np.mean([len(c.split()) for c in captions])),
           "qa_pairs": len(qa),
           "qa_accuracy": float(np.mean([M.normalize_answer(g) == M.normalize_answer(a)
                                         for g, (_, _, a) in zip(answers, qa)])) if qa else float("nan")}
    if split in ("seeds", "body_view"):
        out["action_word_accuracy"] = float(np.mean([M.names_action(c, ACTION_INTENT[s.action], ACTION_WORDS)
                                                     for c, s in zip(captions, samples)]))
    if split == "heldout_actions":
        per: dict[str, Counter] = {}
        for n, s in zip(named, samples):
            per.setdefault(s.action, Counter()).update(sorted(n) or ["(no action: unclear)"])
        out["named_per_heldout_action"] = {a: dict(c.most_common()) for a, c in sorted(per.items())}
        out["names_true_action_rate"] = float(np.mean([s.action in n for n, s in zip(named, samples)]))
    out["examples"] = [{"action": samples[i].action, "reference": refs[i], "caption": captions[i]}
                       for i in range(min(6, len(refs)))]
    out["examples_qa"] = [{"q": q, "a_ref": a, "a": g} for g, (_, q, a) in list(zip(answers, qa))[:4]]
    return out


def text_baseline_lm(mlm: MotionLanguageModel, baseline_dir: str | None) -> MotionLLM:
    """The same LLM with the text baseline's LoRA (or none: zero-shot)."""
    from llamo_ros.language.llm import load_llm

    llm, tok = load_llm(mlm.llm_dir, mlm.device)
    lm = MotionLLM(MotionLLMConfig.from_json(mlm.config.to_json()), llm, tok)
    if baseline_dir:
        from safetensors.torch import load_file
        from llamo_ros.training.stage2 import LoraParams, add_lora
        add_lora(lm)
        LoraParams(lm.llm).load_state_dict(load_file(str(Path(baseline_dir) / "lora.safetensors")))
        lm.llm = lm.llm.merge_and_unload()
    return lm.to(mlm.device).eval()


def eval_vtest(checkpoint: str, work: Path, last_s: float = 30.0, max_frames: int = 0) -> dict:
    """Replay vtest.avi with `checkpoint` (intents only) and report stability and paths (whole, last `last_s`)."""
    import shutil
    import subprocess
    import sys

    from llamo_ros.data.sample_media import sample_path
    from llamo_ros.replay.stability_report import ReportConfig, stability_report

    in_bag, out_bag = work / "vtest_bag", work / "vtest_out_bag"
    for bag in (in_bag, out_bag):
        shutil.rmtree(bag, ignore_errors=True)
    cli = [sys.executable, "-m", "llamo_ros.cli"]
    subprocess.run(cli + ["record-video", str(sample_path("vtest.avi")), str(in_bag), "--max-frames", str(max_frames)],
                   check=True)
    subprocess.run(cli + ["replay", str(in_bag), str(out_bag), "--checkpoint", str(checkpoint), "--no-describe",
                          "--min-box-height-to-width", "1.0"], check=True)
    whole = stability_report(out_bag)
    duration_s = _bag_duration_s(out_bag)
    late = stability_report(out_bag, ReportConfig(from_s=max(0.0, duration_s - last_s)))
    print(whole.table())
    print(f"-- last {last_s:g} s --\n{late.table()}")
    from dataclasses import asdict
    return {"whole": asdict(whole), f"last_{last_s:g}s": asdict(late), "duration_s": duration_s}


def _bag_duration_s(bag: Path) -> float:
    from rosbags.highlevel import AnyReader
    with AnyReader([bag]) as reader:
        return (reader.end_time - reader.start_time) * 1e-9


def plot_confusion(report: dict, raw: dict[str, dict], png: Path) -> None:
    """Row-normalised intent confusion on the broad split, and the held-out actions' predicted intents."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = []
    if "broad" in raw:
        cm = np.zeros((NUM_INTENTS, NUM_INTENTS))
        np.add.at(cm, (raw["broad"]["true"], raw["broad"]["pred"]), 1)
        panels.append(("broad split: true intent -> predicted", cm, list(INTENT_LABELS)))
    if "heldout_actions" in raw:
        acts = list(HELDOUT_ACTIONS)
        cm = np.zeros((len(acts), NUM_INTENTS))
        for a, p, keep in zip(raw["heldout_actions"]["actions"], raw["heldout_actions"]["pred"],
                              raw["heldout_actions"]["keep"]):
            if keep:
                cm[acts.index(a), p] += 1
        panels.append(("held-out actions (never trained) -> predicted intent", cm, acts))
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 6.5), squeeze=False)
    for ax, (title, cm, rows) in zip(axes[0], panels):
        norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(NUM_INTENTS), INTENT_LABELS, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        for i in range(norm.shape[0]):
            for j in range(norm.shape[1]):
                if norm[i, j] >= 0.01:
                    ax.text(j, i, f"{norm[i, j]:.2f}", ha="center", va="center", fontsize=6,
                            color="white" if norm[i, j] > 0.5 else "black")
        ax.set_title(title, fontsize=10)
    fig.suptitle(f"{report['checkpoint']}: intents on held-out test clips (rows sum to 1)", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", default="out/eval.json", help="JSON report; the confusion PNG goes beside it")
    ap.add_argument("--text-baseline", default=None, help="stage2 --text-baseline output dir (else zero-shot)")
    ap.add_argument("--clips", type=int, default=150, help="test clips per split for intents/paths")
    ap.add_argument("--lang", type=int, default=64, help="caption samples per split")
    ap.add_argument("--splits", default=",".join(SPLITS))
    ap.add_argument("--no-language", action="store_true")
    ap.add_argument("--no-text-baseline", action="store_true", help="skip the text baseline (it is the slow part)")
    ap.add_argument("--int8", action="store_true", help="the motion model's LLM quantised as the robot runs it")
    ap.add_argument("--llm-runtime", default="torch", choices=("auto", "llama_cpp", "torch"),
                    help="what generates captions and answers (llama_cpp: the checkpoint's GGUF export)")
    ap.add_argument("--gguf-type", default="q4_1_lora8", help="GGUF export llama.cpp runs (q4_1_lora8, q8_0, q4_1, "
                                                              "f32)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--generator-roots", action="store_true",
                    help="intents and paths on the generator's own roots, not tracked as the pose stage tracks them "
                         "(how releases before 2026-11-29 were measured)")
    ap.add_argument("--estimator-wobble", action="store_true",
                    help="intents and paths on clips with the estimator's slow per-joint error (ESTIMATOR_WOBBLE)")
    ap.add_argument("--vtest", action="store_true", help="also replay vtest.avi (real pedestrians) with the checkpoint")
    ap.add_argument("--vtest-frames", type=int, default=0, help="frames of vtest.avi to replay (0: all)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    from llamo_ros.language.llm_runtime import LlamaCppConfig
    mlm = MotionLanguageModel.load(args.checkpoint, device=args.device, quantize_int8=args.int8,
                                   llm_runtime=args.llm_runtime, llama_cpp=LlamaCppConfig(gguf_type=args.gguf_type))
    report = {"checkpoint": args.checkpoint, "int8": args.int8, "llm_runtime": mlm.llm_runtime,
              "roots": "generator" if args.generator_roots else "tracked", "estimator_wobble": args.estimator_wobble,
              "gguf_type": args.gguf_type if mlm.llm_runtime == "llama_cpp" else None,
              "heldout_action_names": list(HELDOUT_ACTIONS),
              "text_baseline": None if args.no_text_baseline else args.text_baseline or "untrained (zero-shot)"}
    splits = args.splits.split(",")
    raw: dict[str, dict] = {}
    baseline = None
    for split in splits:
        ood = split in ("broad", "heldout_actions")
        windows = eval_windows(split, args.clips, keep_joints=ood, tracked_roots=not args.generator_roots,
                               wobble=args.estimator_wobble)
        r, raw[split] = {}, None
        r["motion"], raw[split] = eval_motion(mlm, windows)
        raw[split]["into_s"] = np.array([w.into_s for w in windows])
        if ood:
            raw[split]["published"] = published_probs(windows, raw[split]["probs"])
            for w in windows:
                w.joints = w.confidence = None
        if split == "heldout_actions":
            raw[split]["actions"] = [w.action for w in windows]
            raw[split]["keep"] = [w.action in HELDOUT_ACTIONS and w.into_s >= 1.0 for w in windows]
            raw[split]["windows"] = windows
        if not args.no_language:
            samples = language_eval_samples(split, args.lang)
            r["language"] = eval_language(mlm.generator, samples, text=False, split=split)
            if not args.no_text_baseline and split in ("seeds", "body_view"):
                baseline = baseline or text_baseline_lm(mlm, args.text_baseline)
                r["text_baseline"] = eval_language(baseline, samples, text=True, split=split)
        report[split] = r
        print(f"{split}: done at {time.time() - t0:.0f} s")
    if "heldout_actions" in raw:
        report["heldout_actions"]["unknown"] = unknown_motion(raw["heldout_actions"]["windows"],
                                                              raw["heldout_actions"], raw.get("broad"))
        report["heldout_actions"]["unknown_published"] = unknown_motion(
            raw["heldout_actions"]["windows"], raw["heldout_actions"], raw.get("broad"), key="published")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.vtest:
        report["vtest"] = eval_vtest(args.checkpoint, out.parent, max_frames=args.vtest_frames)
    report["wall_s"] = time.time() - t0
    out.write_text(json.dumps(report, indent=2))
    plot_confusion(report, raw, out.with_suffix(".png"))
    print_table(report, splits)
    print(f"report: {out}, confusion: {out.with_suffix('.png')} ({report['wall_s']:.0f} s)")


def print_table(report: dict, splits: list[str]) -> None:
    def row(name, values):
        print(f"{name:34s}" + "".join(f"{v:12.3f}" if isinstance(v, (int, float)) else f"{'-':>12s}" for v in values))

    print(f"{'metric':34s}" + "".join(f"{s:>12s}" for s in splits))
    for k in ("intent_macro_f1", "intent_macro_f1_settled", "standing_idle_false_positives",
              "standing_idle_false_positives_at_onset", "intent_accuracy", "intent_ece", "ade_1s", "cv1s_ade_1s",
              "ade_2s", "cv0.3s_ade_2s", "cv1s_ade_2s", "fde_2s", "cv1s_fde_2s", "ade_2s_vs_cv1s",
              "steady_ade_2s_vs_cv1s"):
        row(k, [report[s]["motion"].get(k) for s in splits])
    for part in ("language", "text_baseline"):
        if any(part in report[s] for s in splits):
            for k in ("wrong_action_rate", "published_wrong_action_rate", "published_replaced_rate", "action_match",
                      "unclear_rate", "action_word_accuracy", "bleu4", "rouge_l",
                      "qa_accuracy", "mean_caption_words"):
                row(f"{part}.{k}", [report[s].get(part, {}).get(k) for s in splits])
    for part in ("unknown", "unknown_published"):
        for k, v in report.get("heldout_actions", {}).get(part, {}).items():
            print(f"{part + '.' + k:44s}{v:12.3f}")


if __name__ == "__main__":
    main()
