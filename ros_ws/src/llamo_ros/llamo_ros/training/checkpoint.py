"""Safetensors-only checkpoints: strict loading that names the offending key, and resumable train state.

Never pickle: tensors go to .safetensors files, everything else (step, config, RNG seeds) to JSON.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

# strict loading lives with the inference code that needs it; re-exported for the training scripts
from llamo_ros.language.weights import check_and_load, check_tensors, load_module  # noqa: F401


def save_tensors(path: str | os.PathLike, tensors: dict[str, torch.Tensor], metadata: dict | None = None) -> None:
    """Write tensors (made contiguous, on CPU) atomically to a .safetensors file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, str(tmp),
              metadata={k: str(v) for k, v in (metadata or {}).items()})
    os.replace(tmp, path)


def optimizer_tensors(opt: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    """Flatten an optimizer's per-parameter state into named tensors (param i, state name)."""
    out = {}
    for i, p in enumerate(p for g in opt.param_groups for p in g["params"]):
        for name, value in opt.state.get(p, {}).items():
            out[f"{i}.{name}"] = value if torch.is_tensor(value) else torch.tensor(value)
    return out


def load_optimizer_tensors(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor]) -> None:
    params = [p for g in opt.param_groups for p in g["params"]]
    for key, value in tensors.items():
        i, name = key.split(".", 1)
        p = params[int(i)]
        if name != "step" and value.shape != p.shape:
            raise ValueError(f"optimizer state {key!r} has shape {tuple(value.shape)}, parameter {tuple(p.shape)}")
        opt.state[p][name] = value.to(p.device)


def save_train_state(out: str | os.PathLike, modules: dict[str, nn.Module], opt: torch.optim.Optimizer,
                     state: dict) -> None:
    """<out>/last/: one <name>.safetensors per module (trainable parameters + buffers), optimizer, state.json."""
    last = Path(out) / "last"
    for name, module in modules.items():
        save_tensors(last / f"{name}.safetensors", module.state_dict())
    save_tensors(last / "optimizer.safetensors", optimizer_tensors(opt))
    tmp = last / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, last / "state.json")


def load_train_state(out: str | os.PathLike, modules: dict[str, nn.Module], opt: torch.optim.Optimizer) -> dict | None:
    """Resume from <out>/last/ if it exists; returns its state.json dict (or None for a fresh run)."""
    last = Path(out) / "last"
    if not (last / "state.json").is_file():
        return None
    for name, module in modules.items():
        load_module(module, last / f"{name}.safetensors")
    load_optimizer_tensors(opt, load_file(str(last / "optimizer.safetensors")))
    return json.loads((last / "state.json").read_text())
