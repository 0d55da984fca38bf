"""Evaluate a checkpoint on held-out generated data; writes a JSON report and prints a table.

    python -m llamo_ros.training.evaluate --checkpoint models/motion_llm_demo --out out/eval.json \
        [--text-baseline out/text_baseline | --no-text-baseline] [--int8] [--clips 150] [--lang 64]
        [--splits seeds,body_view]

Splits (test seeds from TEST_SEED0, never used in training): "seeds" = the training distribution with
unseen seeds; "body_view" = unseen body sizes (1.95-2.15 m) and viewpoints (bearing 25-40 deg, camera
1.8-2.2 m high, pitch 20-30 deg). Metrics:
  intent      macro-F1, accuracy, ECE (15 bins) before/after temperature scaling
  path        ADE/FDE at 1 s and 2 s (m) vs the constant-velocity baseline (same velocity estimate as the
              path head's prior: mean pelvis velocity over the last 0.3 s)
  captions    action-word accuracy (ACTION_WORDS phrase of the true intent and no other intent's), BLEU-4,
              ROUGE-L vs the generator's caption
  qa          normalised exact-match accuracy on the clip's QA pairs (hand, speed, direction, ...)
  text baseline  the same metrics for the same LLM given `skeleton_as_text` instead of motion tokens;
              trained with stage2 --text-baseline if given, else the untrained (zero-shot) LLM
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from llamo_ros.data.motion_synth import ACTION_INTENT, ACTION_WORDS
from llamo_ros.language.api import MotionLanguageModel
from llamo_ros.language.model import DEFAULT_INSTRUCTION, MotionLLM, MotionLLMConfig, skeleton_as_text
from llamo_ros.motion.encoder import constant_velocity_path
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.motion.windows import collate
from llamo_ros.training import metrics as M
from llamo_ros.training.data import TEST_SEED0, heldout_config, language_samples, motion_windows


def eval_motion(mlm: MotionLanguageModel, clips: int, split: str) -> dict:
    data = collate(motion_windows(TEST_SEED0, clips, heldout_config(split)))
    x = torch.from_numpy(data["features"]).to(mlm.device)
    with torch.inference_mode():
        tokens = mlm.motion.encoder(x)
        raw = mlm.motion.intent_head(tokens, calibrated=False)
        probs = (raw / mlm.motion.intent_head.temperature).softmax(-1).cpu().numpy()
        path = mlm.motion.path_head(tokens, x).cpu().numpy()
        cv = constant_velocity_path(x, mlm.motion.path_head.steps).cpu().numpy()
    pred = probs.argmax(1)
    out = {"windows": int(len(pred)),
           "intent_macro_f1": M.macro_f1(pred, data["intent"], NUM_INTENTS),
           "intent_accuracy": float((pred == data["intent"]).mean()),
           "intent_ece": M.expected_calibration_error(probs, data["intent"]),
           "intent_ece_uncalibrated": M.expected_calibration_error(raw.softmax(-1).cpu().numpy(), data["intent"])}
    for secs, n in ((1, 10), (2, 20)):
        ade, fde = M.ade_fde(path, data["path"], data["path_mask"], n)
        cade, cfde = M.ade_fde(cv, data["path"], data["path_mask"], n)
        out.update({f"ade_{secs}s": ade, f"fde_{secs}s": fde, f"cv_ade_{secs}s": cade, f"cv_fde_{secs}s": cfde,
                    f"ade_{secs}s_vs_cv": ade / cade})
    return out


def eval_language(lm: MotionLLM, samples, text: bool, batch: int = 8, max_new_tokens: int = 48) -> dict:
    def run(prompts, feats):
        outs = []
        for i in range(0, len(prompts), batch):
            f = None if text else torch.from_numpy(np.stack(feats[i:i + batch]))
            outs += lm.generate(f, prompts[i:i + batch], max_new_tokens)
        return outs

    feats = [s.window.features for s in samples]
    prefix = [skeleton_as_text(f) + "\n" if text else "" for f in feats]
    captions = run([p + DEFAULT_INSTRUCTION for p in prefix], feats)
    qa_idx = [i for i, s in enumerate(samples) if s.qa]
    answers = run([prefix[i] + samples[i].qa[0][0] for i in qa_idx], [feats[i] for i in qa_idx])
    refs = [s.caption for s in samples]
    words = [M.names_action(c, ACTION_INTENT[s.action], ACTION_WORDS) for c, s in zip(captions, samples)]
    qa_ok = [M.normalize_answer(a) == M.normalize_answer(samples[i].qa[0][1]) for a, i in zip(answers, qa_idx)]
    return {"captions": len(captions), "action_word_accuracy": float(np.mean(words)),
            "bleu4": M.bleu4(captions, refs), "rouge_l": M.rouge_l(captions, refs),
            "qa_pairs": len(qa_ok), "qa_accuracy": float(np.mean(qa_ok)) if qa_ok else float("nan"),
            "examples": [{"caption_ref": refs[i], "caption": captions[i]} for i in range(min(4, len(refs)))]
            + [{"q": samples[i].qa[0][0], "a_ref": samples[i].qa[0][1], "a": a} for a, i in list(zip(answers, qa_idx))[:4]]}


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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", default="out/eval.json")
    ap.add_argument("--text-baseline", default=None, help="stage2 --text-baseline output dir (else zero-shot)")
    ap.add_argument("--clips", type=int, default=150, help="test clips per split for intents/paths")
    ap.add_argument("--lang", type=int, default=64, help="single-action test clips per split for captions/QA")
    ap.add_argument("--splits", default="seeds,body_view")
    ap.add_argument("--no-language", action="store_true")
    ap.add_argument("--no-text-baseline", action="store_true", help="skip the text baseline (it is the slow part)")
    ap.add_argument("--int8", action="store_true", help="the motion model's LLM quantised as the robot runs it")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    mlm = MotionLanguageModel.load(args.checkpoint, device=args.device, quantize_int8=args.int8)
    report = {"checkpoint": args.checkpoint, "int8": args.int8,
              "text_baseline": None if args.no_text_baseline else args.text_baseline or "untrained (zero-shot)"}
    baseline = None
    for split in args.splits.split(","):
        r = {"motion": eval_motion(mlm, args.clips, split)}
        if not args.no_language:
            samples = language_samples(TEST_SEED0, args.lang, heldout_config(split, language=True))
            r["language"] = eval_language(mlm.lm, samples, text=False)
            if not args.no_text_baseline:
                baseline = baseline or text_baseline_lm(mlm, args.text_baseline)
                r["text_baseline"] = eval_language(baseline, samples, text=True)
        report[split] = r
    report["wall_s"] = time.time() - t0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))

    keys = ["intent_macro_f1", "intent_accuracy", "intent_ece", "intent_ece_uncalibrated", "ade_1s", "cv_ade_1s",
            "ade_2s", "cv_ade_2s", "fde_2s", "cv_fde_2s", "ade_2s_vs_cv"]
    splits = [s for s in args.splits.split(",")]
    print(f"{'metric':34s}" + "".join(f"{s:>12s}" for s in splits))
    for k in keys:
        print(f"{k:34s}" + "".join(f"{report[s]['motion'][k]:12.3f}" for s in splits))
    if not args.no_language:
        for part in ("language",) + (() if args.no_text_baseline else ("text_baseline",)):
            for k in ("action_word_accuracy", "bleu4", "rouge_l", "qa_accuracy"):
                print(f"{part + '.' + k:34s}" + "".join(f"{report[s][part][k]:12.3f}" for s in splits))
    print(f"report: {args.out} ({report['wall_s']:.0f} s)")


if __name__ == "__main__":
    main()
