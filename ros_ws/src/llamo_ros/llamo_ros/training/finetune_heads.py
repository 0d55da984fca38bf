"""Fine-tune a task head (path or intent) on frozen motion tokens, e.g. on the broad generator's realistic
locomotion or pose-estimator noise.

    python -m llamo_ros.training.finetune_heads --head path --init out/stage2 --out out/final [--broad-clips 2500]
    python -m llamo_ros.training.finetune_heads --head intent --init out/final --out out/final2
    python -m llamo_ros.training.finetune_heads --head path_temperature --init out/final2 --out out/final3

`--modes M` replaces the head by one proposing M paths, `--history-frames h` by one that also reads the root's
track over the last h frames (see `motion.encoder.PathHead`). The encoder and the
other head stay frozen, so the motion tokens - and the projector and LoRA trained on them - stay valid: this
can follow stage 2. The tokens of every training window are computed once (no dropout), then only the head's
MLP trains, with the stage-1 loss (path: masked L1 relative to the pelvis now, winner-takes-all over modes, on
windows whose roots are tracked as the pose stage tracks them, `training.data.training_clip`;
intent: cross-entropy with 0.05 label smoothing, then the temperature is refitted on validation windows).
Why: the generator's runs used to last 2.5-5 s, so 64 % of running windows slowed to a stop within 2 s and
the path head learned that runners stop. (The intent head was tried the same way, on clips with a wandering
root range error and front/back swaps added to the noise: on vtest.avi "other" rose from 20 to 28 % of
track-frames and the held-out OOD AUROC fell, so that head was not shipped.) `--estimator-wobble`
trains on clips with the pose estimator's slow per-joint error: an intent head fine-tuned so flagged fewer real
walkers and fewer held-out actions as `other` (AUROC 0.868 -> 0.846); `training.invariant_encoder` teaches the
encoder instead.
`--head path_temperature` trains nothing: it fits the path head's `path_mode_temperature` (how its modes are
mixed into the published path, `motion.encoder.fit_path_mode_temperature`) on the validation windows.
Copies every file of --init to --out and replaces motion_model.safetensors (and config.json); the log and
curves are <head>_log.jsonl and <head>_curves.png.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch
from tqdm import tqdm

import torch.nn.functional as F

from llamo_ros.motion.encoder import (MotionModel, PathHead, constant_velocity_path, fit_path_mode_temperature,
                                     path_loss, pool_tokens)
from llamo_ros.language.model import MotionLLMConfig
from llamo_ros.motion.windows import collate
from llamo_ros.training import checkpoint as ckpt
from llamo_ros.training.data import VAL_SEED0, batch_indices, head_windows
from llamo_ros.training.stage1 import plot_curves

FINETUNE_SEED_OFFSET = 7_000_000  # clips of their own, unseen by stage 1


def encode(model: MotionModel, windows: list, batch: int = 512) -> dict[str, torch.Tensor]:
    """Pooled tokens (B, 2D), the path head's inputs (B, I), constant-velocity paths (B, H, 3), true paths and
    masks of `windows`."""
    data = collate(windows)
    pooled, path_inputs, cv = [], [], []
    with torch.inference_mode():
        for i in range(0, len(windows), batch):
            x = torch.from_numpy(data["features"][i:i + batch])
            tokens = model.encoder(x)
            pooled.append(pool_tokens(tokens))
            path_inputs.append(model.path_head.inputs(tokens, x))
            cv.append(constant_velocity_path(x, model.path_head.steps, model.path_head.cv_window_frames))
    return {"pooled": torch.cat(pooled), "path_inputs": torch.cat(path_inputs), "cv": torch.cat(cv),
            "path": torch.from_numpy(data["path"]),
            "mask": torch.from_numpy(data["path_mask"]), "intent": torch.from_numpy(data["intent"])}


def finetune_arguments(doc: str, clips: int, broad_clips: int, steps: int, batch: int,
                       lr: float) -> argparse.ArgumentParser:
    """The command line every fine-tuning of a checkpoint shares, with these defaults."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", required=True, help="checkpoint dir (stage 1 or stage 2 output, or a release)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--clips", type=int, default=clips, help="default-generator clips")
    ap.add_argument("--broad-clips", type=int, default=broad_clips, help="broad-generator clips")
    ap.add_argument("--steps", type=int, default=steps)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    return ap


def start(args: argparse.Namespace) -> tuple[MotionLLMConfig, MotionModel]:
    """Threads and seed set; the --init checkpoint's config and motion model."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    config = MotionLLMConfig.from_json((Path(args.init) / "config.json").read_text())
    model = MotionModel(config.encoder)
    ckpt.load_module(model, Path(args.init) / "motion_model.safetensors")
    return config, model


def save_beside(init: Path, out: Path, config: MotionLLMConfig, model: MotionModel) -> None:
    """`out`: every file of the `init` checkpoint, with this config and motion model."""
    out.mkdir(parents=True, exist_ok=True)
    for name in init.iterdir():
        if name.is_file() and name.name not in ("log.jsonl",):
            shutil.copyfile(name, out / name.name)
    (out / "config.json").write_text(config.to_json())
    ckpt.save_tensors(out / "motion_model.safetensors", model.state_dict())


def descend(loss: torch.Tensor, opt: torch.optim.Optimizer, sched, params: list) -> None:
    """One optimiser step on `loss`, gradients clipped to norm 1, then the schedule's step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    sched.step()


def fit_mode_temperature(model: MotionModel, config: MotionLLMConfig, val: dict[str, torch.Tensor]) -> None:
    """Fit the path head's mode temperature on the encoded validation windows; sets it in model and config."""
    t, errors = fit_path_mode_temperature(model.path_head, val["path_inputs"], val["cv"], val["path"], val["mask"])
    print("path mode temperature: mean displacement error (m) "
          + ", ".join(f"T={k:g} {e:.4f}" for k, e in errors.items()))
    model.path_head.mode_temperature = config.encoder.path_mode_temperature = t
    print(f"path mode temperature {t:g} ({len(val['path'])} validation windows)")


def batch_loss(model: MotionModel, head: str, d: dict[str, torch.Tensor], idx) -> torch.Tensor:
    if head == "intent":
        logits = model.intent_head.net(d["pooled"][idx])                       # (B, K), uncalibrated
        return F.cross_entropy(logits, d["intent"][idx], label_smoothing=0.05)
    return path_loss(model.path_head, d["path_inputs"][idx], d["cv"][idx], d["path"][idx], d["mask"][idx])


def main(argv: list[str] | None = None) -> None:
    ap = finetune_arguments(__doc__, clips=1500, broad_clips=2500, steps=4000, batch=256, lr=1e-3)
    ap.add_argument("--head", choices=("path", "intent", "path_temperature"), default="path")
    ap.add_argument("--modes", type=int, default=0, help="path modes (a new head, trained from scratch); 0: keep")
    ap.add_argument("--cv-window-frames", type=int, default=0,
                    help="velocity window of the constant-velocity prior, frames at 10 Hz (a new head); 0: keep")
    ap.add_argument("--generator-roots", action="store_true",
                    help="path head: the generator's roots instead of tracked ones (training.data.training_clip)")
    ap.add_argument("--tracked-roots", action="store_true",
                    help="intent head: train on tracked roots (the path head always is, unless --generator-roots)")
    ap.add_argument("--estimator-wobble", action="store_true",
                    help="clips with the estimator's slow per-joint error (data.motion_synth.ESTIMATOR_WOBBLE)")
    ap.add_argument("--history-frames", type=int, default=-1,
                    help="frames of the root's track the path head reads besides the tokens (a new head); -1: keep")
    args = ap.parse_args(argv)
    init, out = Path(args.init), Path(args.out)
    config, model = start(args)
    new_modes = args.modes and args.modes != config.encoder.path_modes
    new_window = args.cv_window_frames and args.cv_window_frames != config.encoder.cv_window_frames
    new_history = args.history_frames >= 0 and args.history_frames != config.encoder.path_history_frames
    if new_modes or new_window or new_history:   # a new head: other inputs, outputs or prior
        config.encoder.path_modes = args.modes or config.encoder.path_modes
        config.encoder.cv_window_frames = args.cv_window_frames or config.encoder.cv_window_frames
        if new_history:
            config.encoder.path_history_frames = args.history_frames
        model.path_head = PathHead(config.encoder)
    model.eval()
    t0 = time.time()
    seed0 = FINETUNE_SEED_OFFSET
    tracked = not args.generator_roots if args.head != "intent" else args.tracked_roots
    val = encode(model, head_windows(VAL_SEED0 + FINETUNE_SEED_OFFSET, 100, 150, tracked, args.estimator_wobble))
    if args.head == "path_temperature":
        fit_mode_temperature(model, config, val)
        save_beside(init, out, config, model)
        return
    train = encode(model, head_windows(seed0, args.clips, args.broad_clips, tracked, args.estimator_wobble))
    print(f"{args.head} head: {len(train['path'])} training windows encoded in {time.time() - t0:.0f} s")
    head = model.path_head if args.head == "path" else model.intent_head
    params = list(head.net.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / f"{args.head}_log.jsonl"
    log_path.write_text("")
    every = torch.arange(len(val["path"]))
    for step in tqdm(range(args.steps), desc=f"{args.head} head"):
        idx = torch.from_numpy(batch_indices(len(train["path"]), args.batch, step, args.seed))
        loss = batch_loss(model, args.head, train, idx)
        descend(loss, opt, sched, params)
        if step % 100 == 0 or step + 1 == args.steps:
            with torch.no_grad():
                v = batch_loss(model, args.head, val, every).item()
            with open(log_path, "a") as f:
                f.write(json.dumps({"step": step, "time": time.time() - t0, f"{args.head}_loss": loss.item(),
                                    f"val_{args.head}_loss": v}) + "\n")
    if args.head == "intent":
        with torch.no_grad():
            t = model.fit_temperature(model.intent_head.net(val["pooled"]), val["intent"])
            acc = float((model.intent_head.net(val["pooled"]).argmax(-1) == val["intent"]).float().mean())
        print(f"validation intent accuracy {acc:.3f}, temperature {t:.3f}")
    save_beside(init, out, config, model)
    plot_curves(log_path, out / f"{args.head}_curves.png")
    print(f"{args.head} head done in {time.time() - t0:.0f} s -> {out}")


if __name__ == "__main__":
    main()
