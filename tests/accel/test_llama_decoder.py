"""LlamaDecoder (the lean KV-cached forward used for descriptions, answers and the LLM benchmark) against HF."""
from __future__ import annotations

import threading

import pytest
import torch
import torch.nn as nn
from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

from llamo_ros.language.decode import decoder_for, generate_greedy, greedy_decode
from llamo_ros.language.llama_decoder import ConcatLinear, LlamaDecoder, fuse_linears, unsupported_reason
from llamo_ros.language.quantization import FullRangeDynamicLinear


@pytest.fixture
def llama():
    """A random 3-layer Llama with grouped-query attention and weights large enough for decisive argmaxes."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=97, hidden_size=48, intermediate_size=80, num_hidden_layers=3,
                      num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=128,
                      initializer_range=0.3, tie_word_embeddings=True, pad_token_id=0, eos_token_id=None,
                      bos_token_id=None)
    return LlamaForCausalLM(cfg).eval()


def _quantized(layers, qconfig, mapping=None):
    holder = nn.Sequential(*layers)
    kwargs = {"mapping": mapping} if mapping else {}
    q = quantize_dynamic(holder, {str(i): qconfig for i in range(len(layers))}, dtype=torch.qint8, **kwargs)
    return list(q)


def test_fused_fp32_linear_is_exact_and_shares_memory():
    torch.manual_seed(0)
    layers = [nn.Linear(16, n, bias=False) for n in (8, 4, 4)]
    x = torch.randn(3, 5, 16)
    with torch.no_grad():
        expected = torch.cat([m(x) for m in layers], dim=-1)
        fused = fuse_linears(layers)
        assert type(fused) is nn.Linear and fused.weight.shape == (16, 16)
        torch.testing.assert_close(fused(x), expected, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(torch.cat([m(x) for m in layers], dim=-1), expected, rtol=0, atol=0)
    # the separate layers now read the fused weight: memory is not doubled, and an edit shows in both
    assert layers[1].weight.untyped_storage().data_ptr() == fused.weight.untyped_storage().data_ptr()
    with torch.no_grad():
        layers[2].weight.zero_()
    assert bool((fused.weight[12:] == 0).all())


@pytest.mark.parametrize("mapping", [None, {nn.Linear: FullRangeDynamicLinear}], ids=["reduced", "full-range"])
def test_fused_per_channel_int8_is_exact(mapping):
    torch.manual_seed(1)
    layers = _quantized([nn.Linear(32, n, bias=False) for n in (16, 8, 8)], per_channel_dynamic_qconfig, mapping)
    fused = fuse_linears(layers)
    assert type(fused) is type(layers[0])
    x = torch.randn(4, 32) * 3
    assert torch.equal(fused(x), torch.cat([m(x) for m in layers], dim=-1))  # bit for bit


def test_layers_that_cannot_be_stacked_stay_separate():
    torch.manual_seed(2)
    per_tensor = _quantized([nn.Linear(8, 4, bias=False), nn.Linear(8, 4, bias=False)], default_dynamic_qconfig)
    biased = [nn.Linear(8, 4), nn.Linear(8, 4)]
    mixed = [nn.Linear(8, 4, bias=False)] + per_tensor[:1]
    x = torch.randn(2, 8)
    for layers in (per_tensor, biased, mixed):
        fused = fuse_linears(layers)
        assert isinstance(fused, ConcatLinear)
        with torch.no_grad():
            assert torch.equal(fused(x), torch.cat([m(x) for m in layers], dim=-1))


@torch.no_grad()
def test_prefill_and_steps_match_hf_logits(llama):
    decoder = LlamaDecoder(llama)
    ids = torch.randint(1, 97, (2, 7))
    cache, logits = decoder.prefill(llama.get_input_embeddings()(ids), max_new_tokens=5)
    ref = llama(input_ids=ids, use_cache=True)
    torch.testing.assert_close(logits, ref.logits[:, -1], rtol=1e-5, atol=1e-5)
    past = ref.past_key_values
    for _ in range(5):
        nxt = logits.argmax(-1)
        logits = decoder.step(nxt, cache)
        ref = llama(input_ids=nxt[:, None], past_key_values=past, use_cache=True)
        past = ref.past_key_values
        torch.testing.assert_close(logits, ref.logits[:, -1], rtol=1e-5, atol=1e-5)
    assert cache.length == 12 == cache.capacity
    with pytest.raises(ValueError, match="cache is full"):
        decoder.step(nxt, cache)


def test_greedy_decode_paths_agree_with_hf_generate(llama):
    ids = torch.randint(1, 97, (1, 9))
    lean = greedy_decode(llama, ids, 10)
    hf_loop = greedy_decode(llama, ids, 10, llama_decoder=False)
    ref = llama.generate(ids, max_new_tokens=10, min_new_tokens=10, do_sample=False)[0, 9:].tolist()
    assert lean.tokens == hf_loop.tokens == [ref]
    assert lean.logits.shape == (1, 10, 97) and lean.steps == 10 and lean.tokens_per_s > 0
    torch.testing.assert_close(lean.logits, hf_loop.logits, rtol=1e-4, atol=1e-4)
    assert decoder_for(llama) is decoder_for(llama)            # built once per LLM


@torch.no_grad()
def test_left_padded_batch_equals_each_sequence_alone_and_hf(llama):
    embed = llama.get_input_embeddings()
    prompts = [torch.randint(1, 97, (n,)) for n in (9, 4, 6)]
    L = max(len(p) for p in prompts)
    ids = torch.zeros(3, L, dtype=torch.long)
    att = torch.zeros(3, L, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, L - len(p):], att[i, L - len(p):] = p, 1
    batch = generate_greedy(decoder_for(llama), embed(ids), att, max_new_tokens=8, keep_logits=True)
    assert not torch.isnan(batch.logits).any()
    for i, p in enumerate(prompts):
        alone = generate_greedy(decoder_for(llama), embed(p[None]), None, max_new_tokens=8, keep_logits=True)
        assert batch.tokens[i] == alone.tokens[0]
        torch.testing.assert_close(batch.logits[i], alone.logits[0], rtol=1e-4, atol=1e-4)
    ref = llama.generate(inputs_embeds=embed(ids), attention_mask=att, max_new_tokens=8, min_new_tokens=8,
                         do_sample=False)
    assert batch.tokens == ref.tolist()


def test_generation_stops_at_eos_per_sequence_and_on_request(llama):
    embed = llama.get_input_embeddings()
    ids = torch.randint(1, 97, (2, 5))
    free = generate_greedy(decoder_for(llama), embed(ids), max_new_tokens=6)
    eos = free.tokens[0][2]                                      # the first sequence's third token
    got = generate_greedy(decoder_for(llama), embed(ids), max_new_tokens=6, eos_ids=(eos,))
    first_eos = free.tokens[0].index(eos)
    assert got.tokens[0] == free.tokens[0][:first_eos + 1]
    cut = free.tokens[1].index(eos) + 1 if eos in free.tokens[1] else 6
    assert got.tokens[1] == free.tokens[1][:cut]
    stop = threading.Event()
    stop.set()
    assert generate_greedy(decoder_for(llama), embed(ids), max_new_tokens=6, stop=stop).steps == 1


def test_unsupported_llms_are_named_and_fall_back_to_hf(tiny_tokenizer):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    qwen = Qwen2ForCausalLM(Qwen2Config(vocab_size=len(tiny_tokenizer), hidden_size=32, intermediate_size=64,
                                        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                        max_position_embeddings=64, initializer_range=0.3)).eval()
    assert "bias" in unsupported_reason(qwen)
    with pytest.raises(ValueError, match="bias"):
        LlamaDecoder(qwen)
    ids = torch.randint(1, len(tiny_tokenizer), (1, 6))
    assert decoder_for(qwen) is None
    got = greedy_decode(qwen, ids, 5)                            # HF's forward, not LlamaDecoder
    ref = qwen.generate(ids, max_new_tokens=5, min_new_tokens=5, do_sample=False, pad_token_id=0)[0, 6:].tolist()
    assert got.tokens == [ref]


def test_int8_llm_runs_through_the_fused_decoder(llama, tiny_tokenizer):
    from llamo_ros.language.quantization import quantize_llm

    act_max = {name: torch.ones(m.in_features) for name, m in llama.named_modules() if isinstance(m, nn.Linear)}
    q = quantize_llm(llama, "cpu", "int8", act_max=act_max)
    layer = decoder_for(q).layers[0]
    assert isinstance(layer.qkv, torch.ao.nn.quantized.dynamic.Linear)    # fused, not a ConcatLinear
    ids = torch.randint(1, 97, (1, 8))
    lean, hf = greedy_decode(q, ids, 6), greedy_decode(q, ids, 6, llama_decoder=False)
    # same int8 layers; only fp32 rounding before each activation quantisation differs
    torch.testing.assert_close(lean.logits[0, 0], hf.logits[0, 0], rtol=0.05, atol=0.05)
