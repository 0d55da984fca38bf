"""Stage 2 (instruction tuning): LoRA on the LLM + the projector, on captions and QA pairs.

    python -m llamo_ros.training.stage2 --init out/stage1 --out out/stage2 [--device cpu] [--steps 60]
    python -m llamo_ros.training.stage2 --init out/stage1 --out out/text_baseline --text-baseline
    python -m llamo_ros.training.stage2 --init models/motion_llm_demo --out out/realigned --continue-lora --steps 100

The motion encoder and heads stay frozen (copied from --init). `--text-baseline` trains the LLaMo ablation
instead: the same LLM and LoRA, but the window is given as text (`skeleton_as_text`), no motion tokens.
Resumes from <out>/last/. Output <out>/: config.json, motion_model.safetensors, projector.safetensors,
lora.safetensors, log.jsonl, curves.png.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from llamo_ros.language.lora import LoraParams, add_lora
from llamo_ros.language.model import MotionLLM, MotionLLMConfig, skeleton_as_text
from llamo_ros.training import checkpoint as ckpt
from llamo_ros.training.data import batch_indices, language_training_samples
from llamo_ros.training.stage1 import log, plot_curves

DESCRIBE_PROMPTS = ("Describe what the person is doing.", "What is the person doing?", "What does the person do?")


def instruction_data(samples, text_baseline: bool, rng: np.random.Generator, caption_repeats: int = 1,
                     max_qa: int | None = None):
    """(sample index, prompt, answer) triples: `caption_repeats` caption tasks per sample (different prompts)
    plus its QA pairs (the first `max_qa`: descriptor QA asks the action first, then speed or staying put)."""
    items = []
    for i, s in enumerate(samples):
        prefix = skeleton_as_text(s.window.features) + "\n" if text_baseline else ""
        for prompt in rng.choice(DESCRIBE_PROMPTS, size=min(caption_repeats, len(DESCRIBE_PROMPTS)), replace=False):
            items.append((i, prefix + str(prompt), s.caption))
        for q, a in s.qa[:max_qa]:
            items.append((i, prefix + q, a))
    return items


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", required=True, help="stage-1 output dir")
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--llm-dir", default=None)
    ap.add_argument("--lang-samples", type=int, default=600, help="single-action default-generator clips")
    ap.add_argument("--captions", default="descriptors", choices=("descriptors", "generator"))
    ap.add_argument("--lang-broad", type=int, default=0, help="broad-generator language windows (descriptors)")
    ap.add_argument("--caption-repeats", type=int, default=1, help="caption tasks per sample (different prompts)")
    ap.add_argument("--max-qa", type=int, default=None, help="QA pairs per sample (default: all)")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--text-baseline", action="store_true")
    ap.add_argument("--continue-lora", action="store_true",
                    help="start from --init's LoRA adapter (a release re-aligned to a changed encoder), not a new one")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    init, out = Path(args.init), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from llamo_ros.language.llm import load_llm

    config = MotionLLMConfig.from_json((init / "config.json").read_text())
    llm, tokenizer = load_llm(args.llm_dir or config.llm_path, args.device)
    for p in llm.parameters():
        p.requires_grad_(False)
    model = MotionLLM(config, llm, tokenizer)
    ckpt.load_module(model.motion, init / "motion_model.safetensors")
    ckpt.load_module(model.projector, init / "projector.safetensors")
    add_lora(model)
    model.to(args.device)
    for p in model.motion.parameters():
        p.requires_grad_(False)
    lora = LoraParams(model.llm)
    if args.continue_lora:
        ckpt.load_module(lora, init / "lora.safetensors")
    params = [p for n, p in model.llm.named_parameters() if "lora_" in n]
    assert params and all(p.requires_grad for p in params)
    if not args.text_baseline:
        params += list(model.projector.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    modules = {"projector": model.projector, "lora": lora}
    state = ckpt.load_train_state(out, modules, opt) or {"step": 0}
    samples = language_training_samples(args.captions, 0, args.lang_samples, args.lang_broad)
    items = instruction_data(samples, args.text_baseline, np.random.default_rng(args.seed), args.caption_repeats,
                             args.max_qa)
    feats = np.stack([s.window.features for s in samples])
    print(f"stage2{' (text baseline)' if args.text_baseline else ''}: {len(items)} instruction pairs, "
          f"starting at step {state['step']}")
    t0 = time.time()
    model.llm.train()
    model.projector.train()
    for step in tqdm(range(state["step"], args.steps), desc="stage2", initial=state["step"], total=args.steps):
        lr = args.lr * min(1.0, (step + 1) / 5) * (0.1 + 0.9 * (1 - step / args.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = batch_indices(len(items), args.batch, step, args.seed)
        batch = [items[i] for i in idx]
        x = None if args.text_baseline else torch.from_numpy(feats[[b[0] for b in batch]]).to(args.device)
        loss = model.lm_loss(x, [b[1] for b in batch], [b[2] for b in batch])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        log(out, {"step": step, "time": time.time() - t0, "lm_loss": loss.item()})
        if (step + 1) % 10 == 0 or step + 1 == args.steps:
            ckpt.save_train_state(out, modules, opt, {"step": step + 1})
    config.llm_path = args.llm_dir or config.llm_path
    (out / "config.json").write_text(config.to_json())
    shutil.copyfile(init / "motion_model.safetensors", out / "motion_model.safetensors")
    ckpt.save_tensors(out / "projector.safetensors", model.projector.state_dict())
    ckpt.save_tensors(out / "lora.safetensors", lora.state_dict(), {"text_baseline": args.text_baseline})
    plot_curves(out / "log.jsonl", out / "curves.png")
    print(f"stage2 done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
