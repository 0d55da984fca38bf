"""How far a quantised LLM drifts from full precision on a fixed prompt set (greedy).

    report = measure_drift(llm_fp32, llm_int8, tokenizer, DEFAULT_PROMPTS, num_tokens=16)
    print(report.summary())

Two measurements per prompt:
  free-running: both models decode greedily; we count positions i < num_tokens where their tokens agree
                (`agreement`) and the length of the common prefix (`prefix_agreement`, fraction of N).
  teacher-forced: both models score the SAME sequence (prompt + the reference's tokens) in one forward
                pass; `max_logit_diff` / `mean_logit_diff` are |logits_q - logits_ref| over those N
                positions and `top1_agreement` is how often the quantised argmax equals the reference token.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from llamo_ros.language.decode import greedy_decode
from llamo_ros.language.model import chat_prompt

DEFAULT_PROMPTS = (
    "Describe what the person is doing.",
    "A person walks towards the robot and waves. What should the robot do?",
    "Is the person sitting or standing?",
    "Summarise: a person picks up a box and walks away from the camera.",
    "Which hand does the person wave with?",
    "What is the person about to do next?",
)


@dataclass
class DriftReport:
    prompts: int              # prompts compared
    num_tokens: int           # N: generated tokens compared per prompt
    agreement: float          # free-running: fraction of the first N positions with equal tokens
    prefix_agreement: float   # free-running: mean common-prefix length / N
    top1_agreement: float     # teacher-forced: fraction of positions where the quantised argmax = reference token
    max_logit_diff: float     # teacher-forced: max |logits_q - logits_ref| over all compared positions
    mean_logit_diff: float    # teacher-forced: mean |logits_q - logits_ref|
    logit_range: float        # max |logits_ref|, to read the differences against

    def summary(self) -> str:
        return (f"{self.prompts} prompts x {self.num_tokens} tokens: first-N agreement {self.agreement:.1%}, "
                f"common prefix {self.prefix_agreement:.1%}, teacher-forced top-1 {self.top1_agreement:.1%}, "
                f"max |dlogit| {self.max_logit_diff:.3f} (mean {self.mean_logit_diff:.4f}, logits up to "
                f"{self.logit_range:.1f})")

    def to_dict(self) -> dict:
        return asdict(self)


@torch.inference_mode()
def measure_drift(reference, quantized, tokenizer, prompts=DEFAULT_PROMPTS, num_tokens: int = 16,
                  chat: bool = True) -> DriftReport:
    """Compare `quantized` against `reference` (both HF causal LMs on CPU) on `prompts` (see module doc).

    Generation is forced to `num_tokens` tokens (no early stop) so every prompt contributes N positions.
    chat: wrap each prompt in the chat template the motion-language model uses (text only, no motion).
    """
    agree = prefix = top1 = 0
    max_diff, sum_diff, count, logit_range = 0.0, 0.0, 0, 0.0
    for prompt in prompts:
        text = chat_prompt(prompt, motion=False) if chat else prompt
        ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        ref = greedy_decode(reference, ids, num_tokens).tokens[0]
        got = greedy_decode(quantized, ids, num_tokens).tokens[0]
        same = [a == b for a, b in zip(ref, got)]
        agree += sum(same)
        prefix += next((i for i, s in enumerate(same) if not s), len(same))
        forced = torch.cat([ids, torch.tensor([ref[:-1]], dtype=ids.dtype)], dim=1)
        lr = reference(input_ids=forced).logits[0, -num_tokens:].float()   # (N, V)
        lq = quantized(input_ids=forced).logits[0, -num_tokens:].float()   # (N, V)
        diff = (lq - lr).abs()
        max_diff = max(max_diff, float(diff.max()))
        sum_diff += float(diff.mean()) * num_tokens
        count += num_tokens
        top1 += int((lq.argmax(dim=-1) == torch.tensor(ref)).sum())
        logit_range = max(logit_range, float(lr.abs().max()))
    n = len(prompts) * num_tokens
    return DriftReport(prompts=len(prompts), num_tokens=num_tokens, agreement=agree / n, prefix_agreement=prefix / n,
                       top1_agreement=top1 / n, max_logit_diff=max_diff, mean_logit_diff=sum_diff / count,
                       logit_range=logit_range)
