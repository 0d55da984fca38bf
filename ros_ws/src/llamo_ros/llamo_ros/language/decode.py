"""Timed greedy decoding with a KV cache, one token per step (for quantisation checks and benchmarks).

`llm.generate` hides per-token timing; this loop measures the two numbers that matter on a robot:
first-token latency (prefill of the prompt + the first token, seconds) and decode rate (tokens/s of
every later token).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch


@dataclass
class DecodeResult:
    tokens: list[int]          # generated token ids, greedy, len <= max_new_tokens (stops after an eos id)
    logits: torch.Tensor       # (len(tokens), V) float32 logits that chose each token
    first_token_s: float       # prompt prefill + first token, seconds
    decode_s: float            # wall time of the remaining len(tokens) - 1 steps, seconds

    @property
    def tokens_per_s(self) -> float:
        """Decode rate after the first token, tokens per second (0 when only one token was made)."""
        return (len(self.tokens) - 1) / self.decode_s if len(self.tokens) > 1 and self.decode_s > 0 else 0.0


@torch.inference_mode()
def greedy_decode(llm, input_ids: torch.Tensor, max_new_tokens: int, eos_ids: tuple[int, ...] = ()) -> DecodeResult:
    """Greedy continuation of `input_ids` (1, L) by a Hugging Face causal LM; stops at `eos_ids` if given."""
    if input_ids.ndim != 2 or input_ids.shape[0] != 1:
        raise ValueError(f"input_ids must be (1, L), got {tuple(input_ids.shape)}")
    if max_new_tokens < 1:
        raise ValueError("max_new_tokens must be >= 1")
    tokens, logits = [], []
    start = time.perf_counter()
    out = llm(input_ids=input_ids, use_cache=True, logits_to_keep=1)  # prefill: only the last position's logits
    step = out.logits[:, -1].float()
    first_token_s = decode_start = 0.0
    for i in range(max_new_tokens):
        next_id = int(step.argmax(dim=-1))
        tokens.append(next_id)
        logits.append(step[0])
        if i == 0:
            first_token_s = time.perf_counter() - start
            decode_start = time.perf_counter()
        if next_id in eos_ids or i == max_new_tokens - 1:
            break
        out = llm(input_ids=torch.tensor([[next_id]], device=input_ids.device), past_key_values=out.past_key_values,
                  use_cache=True)
        step = out.logits[:, -1].float()
    decode_s = time.perf_counter() - decode_start if len(tokens) > 1 else 0.0
    return DecodeResult(tokens, torch.stack(logits), first_token_s, decode_s)
