"""Shared tiny parts for motion-model tests: a tiny Llama and a word-level tokenizer built locally."""
from __future__ import annotations

import torch

torch.set_num_threads(1)
