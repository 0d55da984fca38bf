"""Greedy decoding with a KV cache, timed: what descriptions, answers, quantisation checks and benchmarks run.

Llama-style LLMs (SmolLM2, the default) go through `LlamaDecoder` (language/llama_decoder.py); any other HF
causal LM through its own forward with HF's cache (`greedy_decode`) or HF's generate (MotionLLM.generate).
Two numbers matter on a robot: first-token latency (prompt prefill + the first token, seconds) and the decode
rate (tokens/s of every later token).
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

import torch

from llamo_ros.language.llama_decoder import LlamaDecoder, UnsupportedLLM


@dataclass
class Generation:
    tokens: list[list[int]]        # per sequence: greedy ids, up to and including its first eos id
    logits: torch.Tensor | None    # (B, steps, V) float32 logits that chose each step's tokens, if kept
    first_token_s: float           # prompt prefill + first token, seconds
    decode_s: float                # wall time of the steps after the first, seconds
    steps: int                     # decoding steps run (the longest sequence's length)

    @property
    def tokens_per_s(self) -> float:
        """Decode steps per second after the first token (batch 1: tokens/s); 0 when only one step ran."""
        return (self.steps - 1) / self.decode_s if self.steps > 1 and self.decode_s > 0 else 0.0


_decoders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def decoder_for(llm: torch.nn.Module) -> LlamaDecoder | None:
    """The LlamaDecoder of `llm`, built on first use and kept as long as `llm` lives; None when the LLM is not
    Llama-style (`unsupported_reason`), for callers to use HF's forward instead.

    Build it after the LLM's weights are final (quantisation replaces the LLM's layers, and the decoder keeps the
    layers it was built from). Cached because the check alone reads every int8 layer's packed weight (~0.2 s).
    """
    if llm not in _decoders:
        # normal tensors even when called under inference_mode: the fused fp32 weights back the LLM's own
        # layers afterwards, and those must stay editable (smoothing, quantisation, training)
        with torch.inference_mode(False), torch.no_grad():
            try:
                _decoders[llm] = LlamaDecoder(llm)
            except UnsupportedLLM:
                _decoders[llm] = None
    return _decoders[llm]


@torch.inference_mode()
def generate_greedy(decoder: LlamaDecoder, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor | None = None,
                    max_new_tokens: int = 40, eos_ids: tuple[int, ...] = (), stop: threading.Event | None = None,
                    keep_logits: bool = False) -> Generation:
    """Greedy continuations of a LEFT-padded batch inputs_embeds (B, L, D) / attention_mask (B, L).

    A sequence ends at its first id in `eos_ids`; the batch ends when all have, after `max_new_tokens`, or after
    the current step once `stop` is set.
    """
    if max_new_tokens < 1:
        raise ValueError("max_new_tokens must be >= 1")
    B = inputs_embeds.shape[0]
    tokens: list[list[int]] = [[] for _ in range(B)]
    done, kept = [False] * B, []
    start = time.perf_counter()
    cache, logits = decoder.prefill(inputs_embeds, attention_mask, max_new_tokens - 1)   # (B, V)
    first_token_s = decode_start = 0.0
    for step in range(max_new_tokens):
        next_ids = logits.argmax(dim=-1)                                                  # (B,)
        if keep_logits:
            kept.append(logits)
        for b, token in enumerate(next_ids.tolist()):
            if not done[b]:
                tokens[b].append(token)
                done[b] = token in eos_ids
        if step == 0:
            first_token_s = time.perf_counter() - start
            decode_start = time.perf_counter()
        if all(done) or step == max_new_tokens - 1 or (stop is not None and stop.is_set()):
            break
        logits = decoder.step(next_ids, cache)
    return Generation(tokens, torch.stack(kept, dim=1) if keep_logits else None, first_token_s,
                      time.perf_counter() - decode_start if step > 0 else 0.0, step + 1)


@torch.inference_mode()
def greedy_decode(llm, input_ids: torch.Tensor, max_new_tokens: int, eos_ids: tuple[int, ...] = (),
                  llama_decoder: bool = True) -> Generation:
    """Greedy continuation of `input_ids` (1, L) by a HF causal LM, logits kept; stops at `eos_ids` if given.

    llama_decoder: run Llama-style LLMs through LlamaDecoder (False, or another architecture: HF's forward).
    """
    if input_ids.ndim != 2 or input_ids.shape[0] != 1:
        raise ValueError(f"input_ids must be (1, L), got {tuple(input_ids.shape)}")
    if max_new_tokens < 1:
        raise ValueError("max_new_tokens must be >= 1")
    decoder = decoder_for(llm) if llama_decoder else None
    if decoder is not None:
        return generate_greedy(decoder, llm.get_input_embeddings()(input_ids), None, max_new_tokens, eos_ids,
                               keep_logits=True)
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
    return Generation([tokens], torch.stack(logits)[None], first_token_s, decode_s, len(tokens))
