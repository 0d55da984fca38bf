"""Shared tiny parts for motion-model tests: a tiny Llama and a word-level tokenizer built locally."""
from __future__ import annotations

import numpy as np
import pytest
import torch

torch.set_num_threads(1)

WORDS = ("a person is walking waving sitting standing the towards away from camera hand left right "
         "what doing ? . describe yes no").split()
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<empty_output>"]


@pytest.fixture
def tiny_tokenizer():
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIALS + ["[UNK]", "user", "assistant", "\n", " "] + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"<\|im_start\|>|<\|im_end\|>|<empty_output>|\n| |\?|\."),
                                             behavior="isolated")
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>")
    fast.add_special_tokens({"additional_special_tokens": SPECIALS[1:]})
    return fast


@pytest.fixture
def tiny_llm(tiny_tokenizer):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tiny_tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                      tie_word_embeddings=True, pad_token_id=tiny_tokenizer.pad_token_id,
                      eos_token_id=tiny_tokenizer.eos_token_id, bos_token_id=1)
    return LlamaForCausalLM(cfg).eval()


def walking_skeleton(T: int = 90, fps: float = 30.0, speed=(0.0, 0.0, -1.0), yaw: float = np.pi) -> np.ndarray:
    """A rigid T-pose-ish skeleton translating at `speed` m/s, facing angle `yaw` (pi = facing the camera)."""
    from llamo_ros.skeleton import NUM_JOINTS
    rng = np.random.default_rng(0)
    base = rng.normal(scale=0.1, size=(NUM_JOINTS, 3))
    base[0] = 0.0
    base[4] = [-0.1, 0.0, 0.0]  # left hip at -x in the body frame (facing +z, back to the camera)
    base[1] = [0.1, 0.0, 0.0]   # right hip
    c, s = np.cos(yaw), np.sin(yaw)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])  # maps body +z to (sin yaw, 0, cos yaw)
    body = base @ rot.T
    t = np.arange(T)[:, None] / fps
    root = np.array([0.0, 0.0, 4.0]) + t * np.asarray(speed)
    return (body[None] + root[:, None]).astype(np.float32)
