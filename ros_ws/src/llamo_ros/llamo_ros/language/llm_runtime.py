"""Which runtime generates descriptions and answers: llama.cpp (a GGUF export of the checkpoint) or PyTorch.

    runtime, why = choose_llm_runtime("auto", config, "cpu")   # ("llama_cpp", "llama.cpp binding loads: ...")

`auto` picks llama.cpp when its binding loads (and, on a CUDA device, only a CUDA build of it: a CPU llama.cpp
would leave the GPU idle), else PyTorch; `llama_cpp` insists (ImportError saying why it cannot); `torch` never
tries. The llama.cpp path (`LlamaCppMotionLM`) keeps the motion encoder and projector in PyTorch (tiny) and
feeds their embeddings to the GGUF through llama.cpp's batch embeddings input, between the prompt's text halves.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np
import torch

from llamo_ros.language.model import MotionLLMConfig, MotionProjector, placeholder_id, prompt_token_ids

LLM_RUNTIMES = ("auto", "llama_cpp", "torch")


@dataclass
class LlamaCppConfig:
    # GGUF export generated from (language/gguf_export.QUANT_TYPES); q4_1_lora8 scored like fp32 torch on the
    # evaluation splits where plain q4_1 lost 20+ QA points (docs/benchmarks.md)
    gguf_type: str = "q4_1_lora8"
    n_ctx: int = 1024           # positions per generation (prompt + answer); longer prompts are refused
    n_ubatch: int = 64          # prompt positions per compute step (first-token latency, docs/benchmarks.md)
    n_threads: int = 0          # 0: torch's intra-op thread count (what the torch path would use)
    n_gpu_layers: int = -1      # layers offloaded by a CUDA build (-1: all); ignored by the CPU build

    def __post_init__(self) -> None:
        from llamo_ros.language.gguf_export import QUANT_TYPES
        if self.gguf_type not in QUANT_TYPES:
            raise ValueError(f"gguf_type must be one of {sorted(QUANT_TYPES)}, got {self.gguf_type!r}")
        if self.n_ctx < 16 or self.n_ubatch < 1:
            raise ValueError("n_ctx must be >= 16 and n_ubatch >= 1")


def choose_llm_runtime(choice: str, config: MotionLLMConfig, device: str = "cpu") -> tuple[str, str]:
    """("llama_cpp" | "torch", why) for `choice` (auto, llama_cpp, torch); ImportError/ValueError when a forced
    llama_cpp cannot run here."""
    from llamo_ros.language.llama_cpp_runtime import binding_available

    if choice not in LLM_RUNTIMES:
        raise ValueError(f"llm_runtime must be one of {LLM_RUNTIMES}, got {choice!r}")
    if choice == "torch":
        return "torch", "llm_runtime=torch"
    if config.llm_path is not None:
        why = f"the GGUF export starts from the shipped SmolLM2, the checkpoint uses {config.llm_path}"
        if choice == "llama_cpp":
            raise ValueError(f"llm_runtime=llama_cpp: {why}")
        return "torch", why
    cuda = torch.device(device).type == "cuda"
    ok, why = binding_available(cuda=cuda)
    if ok:
        return "llama_cpp", f"llama.cpp binding loads: {why}"
    if choice == "llama_cpp":
        raise ImportError(f"llm_runtime=llama_cpp: {why}")
    return "torch", why


class LlamaCppMotionLM:
    """describe/answer through llama.cpp, with MotionLLM.generate's signature (features, prompts, ...) -> texts."""

    def __init__(self, config: MotionLLMConfig, motion, projector: MotionProjector, tokenizer,
                 gguf: str | os.PathLike, options: LlamaCppConfig | None = None, device: str = "cpu"):
        from llamo_ros.language.llama_cpp_runtime import LlamaCppLM

        options = options or LlamaCppConfig()
        self.config, self.motion, self.projector, self.tokenizer = config, motion, projector, tokenizer
        self.gguf, self.options = str(gguf), options
        self.placeholder = placeholder_id(tokenizer, None, config.placeholder_token)
        self.end_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
        cuda = torch.device(device).type == "cuda"
        self.llm = LlamaCppLM(gguf, n_ctx=options.n_ctx, n_threads=options.n_threads or torch.get_num_threads(),
                              n_gpu_layers=options.n_gpu_layers if cuda else 0, n_ubatch=options.n_ubatch,
                              cuda=cuda)
        self.name = f"llama.cpp {options.gguf_type}"

    @torch.no_grad()
    def motion_embeddings(self, features: torch.Tensor) -> np.ndarray:
        """Features (B, T, C) -> projected motion embeddings (B, N, D_llm) float32, as MotionLLM computes them."""
        return self.projector(self.motion.encoder(features)).float().cpu().numpy()

    def generate(self, features: torch.Tensor | None, prompts: list[str], max_new_tokens: int = 40,
                 stop: threading.Event | None = None) -> list[str]:
        """Greedy answers, one prompt after the other (batch 1 is what a robot runs); `stop` ends them early."""
        motion = self.motion_embeddings(features) if features is not None else None   # (B, N, D)
        eos = (self.end_id, self.tokenizer.eos_token_id)
        out = []
        for i, prompt in enumerate(prompts):
            ids = prompt_token_ids(self.tokenizer, prompt, self.config, motion=motion is not None)
            segments = self.segments(ids, motion[i] if motion is not None else None)
            tokens = self.llm.generate(segments, max_new_tokens, eos, stop).tokens
            out.append(self.tokenizer.decode(tokens, skip_special_tokens=True).strip())
            if stop is not None and stop.is_set():
                out += [""] * (len(prompts) - len(out))
                break
        return out

    def segments(self, ids: list[int], motion: np.ndarray | None) -> list:
        """Prompt ids (placeholders included) + motion embeddings (N, D) -> llama.cpp prompt segments."""
        from llamo_ros.language.llama_cpp_runtime import segments_around

        if motion is None:
            if self.placeholder in ids:
                raise ValueError("prompt has motion placeholders but no motion features were given")
            return [ids]
        return segments_around(ids, self.placeholder, motion)

    def close(self) -> None:
        """Free llama.cpp's model and context."""
        self.llm.close()
