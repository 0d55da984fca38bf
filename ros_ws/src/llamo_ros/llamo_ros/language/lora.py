"""The LoRA adapter of the LLM: added for stage-2 training, loaded and merged at inference (`language.api`)."""
from __future__ import annotations

import torch
import torch.nn as nn

from llamo_ros.language.model import MotionLLM
from llamo_ros.language.weights import check_tensors


class LoraParams(nn.Module):
    """View of an LLM's LoRA parameters as a module, so checkpoints hold only the adapter."""

    def __init__(self, llm: nn.Module):
        super().__init__()
        self._llm = [llm]  # not a submodule: state_dict must not include the base weights

    def state_dict(self, *args, **kwargs):
        return {n: p.detach() for n, p in self._llm[0].named_parameters() if "lora_" in n}

    def load_state_dict(self, tensors, strict: bool = True):
        params = dict(self._llm[0].named_parameters())
        check_tensors({n: tuple(v.shape) for n, v in self.state_dict().items()}, tensors, "LoRA adapter")
        with torch.no_grad():
            for n, v in tensors.items():
                params[n].copy_(v)


def add_lora(model: MotionLLM) -> None:
    """Wrap model.llm with peft LoRA adapters (config.lora_*); only the adapters are trainable."""
    from peft import LoraConfig, get_peft_model

    c = model.config
    model.llm = get_peft_model(model.llm, LoraConfig(r=c.lora_r, lora_alpha=c.lora_alpha, lora_dropout=0.05,
                                                     target_modules=list(c.lora_targets), task_type="CAUSAL_LM"))
