"""Shared fixtures: an isolated ROS graph per test and an in-process rclpy node on it."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ros_harness.py, tests/ros_processes

from ros_harness import RosTestGraph  # noqa: E402


@pytest.fixture
def ros_graph(monkeypatch, tmp_path):
    """A fresh ROS domain on localhost for this test; stops its processes and cleans /dev/shm afterwards."""
    graph = RosTestGraph()
    for key in ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "FASTDDS_DEFAULT_PROFILES_FILE",
                "FASTRTPS_DEFAULT_PROFILES_FILE"):
        monkeypatch.setenv(key, graph.env[key])
    graph.log_dir = tmp_path
    yield graph
    graph.close()


@pytest.fixture
def ros_node(ros_graph):
    """An rclpy node in this process, on the test's domain, with its own context and executor.

    Yields (node, spin) where spin(timeout_sec) runs pending callbacks once.
    """
    try:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        import llamo_msgs.msg  # noqa: F401  (fails here, clearly, when the workspace is not built/sourced)
    except ImportError as exc:
        pytest.fail(f"ROS workspace not importable ({exc}); run tests with `make test` "
                    "(it sources ros_ws/install/setup.bash)")
    context = rclpy.Context()
    rclpy.init(context=context, domain_id=ros_graph.domain_id)
    node = rclpy.create_node(f"pytest_{os.getpid()}", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    yield node, (lambda timeout_sec=0.05: executor.spin_once(timeout_sec=timeout_sec))
    executor.shutdown()
    node.destroy_node()
    context.try_shutdown()


# Tiny language-model parts for CPU unit tests (like HF's LLaVA tests: hidden 32, 2 layers).
WORDS = ("a person is walking waving sitting standing the towards away from camera hand left right "
         "what doing ? . describe yes no").split()
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<empty_output>"]


@pytest.fixture
def tiny_tokenizer():
    """A word-level ChatML tokenizer built locally (no download), for tiny-LLM tests."""
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
    """A randomly initialised 2-layer Llama (hidden 32) with the tiny tokenizer's vocabulary."""
    from transformers import LlamaConfig, LlamaForCausalLM

    import torch

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tiny_tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                      tie_word_embeddings=True, pad_token_id=tiny_tokenizer.pad_token_id,
                      eos_token_id=tiny_tokenizer.eos_token_id, bos_token_id=1)
    return LlamaForCausalLM(cfg).eval()
