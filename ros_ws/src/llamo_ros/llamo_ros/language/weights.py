"""Strict safetensors loading for inference: every key present, none extra, same shapes, or a ValueError that
names the offending key. (Saving and resumable train state are `llamo_ros.training.checkpoint`'s.)"""
from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file


def check_tensors(expected: dict[str, tuple], tensors: dict[str, torch.Tensor], what: str) -> None:
    """ValueError naming the first missing/unexpected key or shape mismatch of `tensors` vs {key: shape}."""
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise ValueError(f"{what}: checkpoint does not match the model: missing keys {missing[:5]}, "
                         f"unexpected keys {unexpected[:5]}")
    for key, value in tensors.items():
        if tuple(value.shape) != tuple(expected[key]):
            raise ValueError(f"{what}: shape mismatch for key {key!r}: checkpoint {tuple(value.shape)}, "
                             f"model {tuple(expected[key])}")


def check_and_load(module: nn.Module, tensors: dict[str, torch.Tensor], what: str) -> None:
    """Load `tensors` into `module` exactly: every key present, no extra key, same shapes; else ValueError."""
    check_tensors({k: tuple(v.shape) for k, v in module.state_dict().items()}, tensors, what)
    module.load_state_dict(tensors, strict=True)


def load_module(module: nn.Module, path: str | os.PathLike) -> None:
    """Strictly load a .safetensors file into `module` (see check_and_load)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint file {path} does not exist")
    check_and_load(module, load_file(str(path)), str(path))
