"""Quantised LLM: drift vs full precision (greedy, fixed prompts), intents unchanged, device paths."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from llamo_ros.language.decode import greedy_decode
from llamo_ros.language.quantization import quantize_llm
from llamo_ros.language.quantization_drift import DEFAULT_PROMPTS, measure_drift

def _is_int8(module) -> bool:
    return "quantized.dynamic" in type(module).__module__


TINY_PROMPTS = ("describe what the person is doing .", "is the person sitting ?", "a person is waving")


def test_greedy_decode_matches_generate(tiny_llm, tiny_tokenizer):
    ids = tiny_tokenizer("a person is walking", return_tensors="pt", add_special_tokens=False)["input_ids"]
    got = greedy_decode(tiny_llm, ids, 8)
    ref = tiny_llm.generate(ids, max_new_tokens=8, min_new_tokens=8, do_sample=False, eos_token_id=None,
                            pad_token_id=0)[0, ids.shape[1]:].tolist()
    assert got.tokens == ref and got.logits.shape == (8, len(tiny_tokenizer))
    assert got.first_token_s > 0 and got.tokens_per_s > 0


def test_drift_of_a_model_against_itself_is_zero(tiny_llm, tiny_tokenizer):
    r = measure_drift(tiny_llm, tiny_llm, tiny_tokenizer, TINY_PROMPTS, num_tokens=6)
    assert (r.agreement, r.prefix_agreement, r.top1_agreement, r.max_logit_diff) == (1.0, 1.0, 1.0, 0.0)


def test_drift_detects_a_changed_model(tiny_llm, tiny_tokenizer):
    other = copy.deepcopy(tiny_llm)
    with torch.no_grad():
        for p in other.parameters():
            p.add_(torch.randn_like(p) * 0.5)
    r = measure_drift(tiny_llm, other, tiny_tokenizer, TINY_PROMPTS, num_tokens=6)
    assert r.max_logit_diff > 0.1 and r.agreement < 1.0


def test_cpu_int8_quantises_linears_except_kept(tiny_llm, tiny_tokenizer):
    q = quantize_llm(tiny_llm, "cpu", "int8")
    modules = dict(q.named_modules())
    assert _is_int8(modules["model.layers.0.self_attn.q_proj"]) and _is_int8(modules["model.layers.1.mlp.up_proj"])
    assert type(modules["model.layers.0.mlp.down_proj"]) is torch.nn.Linear   # kept fp32
    assert type(tiny_llm.model.layers[0].self_attn.q_proj) is torch.nn.Linear  # the original is untouched
    r = measure_drift(tiny_llm, q, tiny_tokenizer, TINY_PROMPTS, num_tokens=6)
    assert 0.0 < r.max_logit_diff and 0.0 <= r.agreement <= 1.0


def test_cpu_int4_and_unknown_modes_are_refused(tiny_llm):
    with pytest.raises(ValueError, match="CUDA"):
        quantize_llm(tiny_llm, "cpu", "int4")
    with pytest.raises(ValueError):
        quantize_llm(tiny_llm, "cpu", "fp8")


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["int8", "int4"])
def test_cuda_weight_only_quantisation(tiny_llm, tiny_tokenizer, mode):
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available: the torchao / bitsandbytes weight-only paths need a GPU")
    from llamo_ros.runtime.tensorrt_compat import BackendUnavailable
    try:
        q = quantize_llm(copy.deepcopy(tiny_llm), "cuda", mode)
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    ids = tiny_tokenizer("a person is walking", return_tensors="pt", add_special_tokens=False)["input_ids"].cuda()
    assert len(greedy_decode(q, ids, 4).tokens) == 4


def _checkpoint(tmp_path, tiny_llm, tiny_tokenizer, small_model):
    from llamo_ros.language.model import MotionLLMConfig, MotionProjector
    from llamo_ros.training.checkpoint import save_tensors

    llm_dir = tmp_path / "llm"
    tiny_llm.save_pretrained(str(llm_dir), safe_serialization=True)
    tiny_tokenizer.save_pretrained(str(llm_dir))
    config = MotionLLMConfig(encoder=small_model.config, llm_hidden_size=tiny_llm.config.hidden_size, projector_hidden_size=64,
                             llm_path=str(llm_dir))
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(config.to_json())
    save_tensors(ckpt / "motion_model.safetensors", small_model.state_dict())
    torch.manual_seed(1)
    save_tensors(ckpt / "projector.safetensors", MotionProjector(config).state_dict())
    return ckpt


def test_int8_llm_leaves_intents_exactly_equal(tmp_path, tiny_llm, tiny_tokenizer, small_model, real_windows):
    from llamo_ros.language.api import MotionLanguageModel

    ckpt = _checkpoint(tmp_path, tiny_llm, tiny_tokenizer, small_model)
    full = MotionLanguageModel.load(ckpt)
    quant = MotionLanguageModel.load(ckpt, quantize_int8=True)
    assert any(_is_int8(m) for m in quant.lm.llm.modules())  # the LLM really is int8
    assert quant.describe(real_windows[0], max_new_tokens=4) is not None
    p_full, path_full = full.predict_intents(real_windows)
    p_q, path_q = quant.predict_intents(real_windows)
    np.testing.assert_array_equal(p_q, p_full)
    np.testing.assert_array_equal(path_q, path_full)
    assert not any(_is_int8(m) for m in quant.motion.modules()) and quant.lm.motion is quant.motion


@pytest.mark.slow
def test_smollm2_cpu_int8_drift_is_small():
    """Real SmolLM2-135M: per-channel int8 (down_proj fp32) vs fp32 on the fixed prompts, 12 greedy tokens.

    Threshold: >= 75 % of the first 12 tokens equal and >= 70 % teacher-forced top-1 agreement
    (measured here: ~96 % / ~85 %). Per-tensor int8 over every Linear fails this (~10 %).
    """
    torch.set_num_threads(1)
    from llamo_ros.language.llm import load_llm
    try:
        llm, tok = load_llm()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    report = measure_drift(llm, quantize_llm(llm, "cpu"), tok, DEFAULT_PROMPTS[:3], num_tokens=12)
    print(report.summary())
    assert report.agreement >= 0.75 and report.top1_agreement >= 0.70, report.summary()
