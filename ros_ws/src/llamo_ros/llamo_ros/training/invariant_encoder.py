"""Fine-tune the motion encoder to ignore the pose estimator's slow per-joint error, keeping its tokens.

    python -m llamo_ros.training.invariant_encoder --init models/motion_llm_demo --out out/invariant [--steps 3000]

Real skeletons (MediaPipe on people 10-17 m away in vtest.avi) err smoothly and most at the wrists; the generator's
jitter is white (`SynthConfig.wobble_per_m_range`). Fine-tuned on clips with that error, the intent head alone
flagged fewer real walkers as `other` but also fewer held-out actions (its OOD AUROC fell 0.868 -> 0.846): on the
frozen tokens a wobbling wrist and an arm action look alike. Here the encoder itself learns the invariance, by
distillation from its own frozen copy (the teacher):
    loss = |student(wobbly window) - teacher(same window without the error)|^2
         + |student(window without the error) - teacher(same window)|^2          (tokens, mean over B, 8, D)
divided by the teacher tokens' variance. The two windows come from one generated clip, the error added as
`generate_clip` adds it (`with_estimator_wobble`), so everything else is identical. Since the targets are the
teacher's tokens, the intent and path heads, the projector and the LoRA adapter read what they were trained on
and stay as they are.
Copies every file of --init to --out and replaces motion_model.safetensors; logs invariant_log.jsonl and
invariant_curves.png.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import torch
from tqdm import tqdm

from llamo_ros.motion.windows import collate
from llamo_ros.training.data import VAL_SEED0, batch_indices, head_window_pairs
from llamo_ros.training.finetune_heads import FINETUNE_SEED_OFFSET, descend, finetune_arguments, save_beside, start
from llamo_ros.training.stage1 import plot_curves


def paired_features(seed0: int, n_default: int, n_broad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(features without the estimator's slow error, the same windows with it), each (N, T, C)."""
    plain, wobbly = (collate(windows)["features"] for windows in head_window_pairs(seed0, n_default, n_broad))
    return torch.from_numpy(plain), torch.from_numpy(wobbly)


def teacher_tokens(encoder: torch.nn.Module, features: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """(N, 8, D) tokens of the frozen encoder."""
    with torch.inference_mode():
        return torch.cat([encoder(features[i:i + batch]) for i in range(0, len(features), batch)])


def distillation_loss(student: torch.nn.Module, plain: torch.Tensor, wobbly: torch.Tensor, target: torch.Tensor,
                      scale: float) -> torch.Tensor:
    """Both terms of the module docstring for one batch: (B, T, C) windows, (B, 8, D) teacher tokens."""
    return (((student(wobbly) - target) ** 2).mean() + ((student(plain) - target) ** 2).mean()) / scale


def main(argv: list[str] | None = None) -> None:
    ap = finetune_arguments(__doc__, clips=1000, broad_clips=1000, steps=3000, batch=128, lr=2e-4)
    args = ap.parse_args(argv)
    init, out = Path(args.init), Path(args.out)
    config, model = start(args)
    model.eval()                                   # no dropout: the tokens are matched exactly
    teacher = copy.deepcopy(model.encoder).requires_grad_(False)
    t0 = time.time()
    plain, wobbly = paired_features(FINETUNE_SEED_OFFSET, args.clips, args.broad_clips)
    val_plain, val_wobbly = paired_features(VAL_SEED0 + FINETUNE_SEED_OFFSET, 60, 90)
    target, val_target = teacher_tokens(teacher, plain), teacher_tokens(teacher, val_plain)
    scale = float(target.var())
    print(f"invariant encoder: {len(plain)} window pairs encoded in {time.time() - t0:.0f} s")
    params = list(model.encoder.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "invariant_log.jsonl"
    log_path.write_text("")
    for step in tqdm(range(args.steps), desc="invariant encoder"):
        idx = torch.from_numpy(batch_indices(len(plain), args.batch, step, args.seed))
        loss = distillation_loss(model.encoder, plain[idx], wobbly[idx], target[idx], scale)
        descend(loss, opt, sched, params)
        if step % 100 == 0 or step + 1 == args.steps:
            with torch.no_grad():
                v = [distillation_loss(model.encoder, val_plain[i:i + 512], val_wobbly[i:i + 512],
                                       val_target[i:i + 512], scale).item() for i in range(0, len(val_plain), 512)]
            with open(log_path, "a") as f:
                f.write(json.dumps({"step": step, "time": time.time() - t0, "invariant_loss": loss.item(),
                                    "val_invariant_loss": sum(v) / len(v)}) + "\n")
    save_beside(init, out, config, model)
    plot_curves(log_path, out / "invariant_curves.png")
    print(f"invariant encoder done in {time.time() - t0:.0f} s -> {out}")


if __name__ == "__main__":
    main()
