"""Quantised LLM: drift vs full precision (greedy, fixed prompts), intents unchanged, device paths."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from llamo_ros.language.decode import greedy_decode
from llamo_ros.language import quantization as Q
from llamo_ros.language.quantization import quantize_llm
from llamo_ros.language.quantization_drift import DEFAULT_PROMPTS, measure_drift

def _is_int8(module) -> bool:
    return isinstance(module, torch.ao.nn.quantized.dynamic.Linear)


TINY_PROMPTS = ("describe what the person is doing .", "is the person sitting ?", "a person is waving")


def test_greedy_decode_matches_generate(tiny_llm, tiny_tokenizer):
    ids = tiny_tokenizer("a person is walking", return_tensors="pt", add_special_tokens=False)["input_ids"]
    got = greedy_decode(tiny_llm, ids, 8)
    ref = tiny_llm.generate(ids, max_new_tokens=8, min_new_tokens=8, do_sample=False, eos_token_id=None,
                            pad_token_id=0)[0, ids.shape[1]:].tolist()
    assert got.tokens == [ref] and got.logits.shape == (1, 8, len(tiny_tokenizer))
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


def test_smoothing_keeps_the_fp32_function(tiny_llm, tiny_tokenizer):
    act_max = Q.activation_maxima(tiny_llm, tiny_tokenizer)
    assert set(act_max) >= {"lm_head", "model.layers.1.mlp.down_proj"}
    assert act_max["model.layers.0.mlp.down_proj"].shape == (64,) and bool((act_max["lm_head"] > 0).all())
    smoothed = Q.smooth_llm(tiny_llm, act_max, alpha={"qkv": 0.8, "gate_up": 0.65, "down": 0.65, "lm_head": 0.5})
    ids = tiny_tokenizer("a person is waving", return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        ref, got = tiny_llm(input_ids=ids).logits, smoothed(input_ids=ids).logits
        assert not torch.equal(smoothed.model.layers[0].mlp.down_proj.weight,
                               tiny_llm.model.layers[0].mlp.down_proj.weight)
    torch.testing.assert_close(got, ref, rtol=1e-4, atol=1e-4)          # folding 1/s is exact up to rounding
    assert smoothed.lm_head.weight.data_ptr() != smoothed.model.embed_tokens.weight.data_ptr()  # untied
    torch.testing.assert_close(smoothed.model.embed_tokens.weight, tiny_llm.model.embed_tokens.weight, rtol=0, atol=0)


def test_smoothing_moves_the_outlier_into_the_weights(tiny_llm):
    """The smoothed down_proj input's max |x| over channels flattens (s = sqrt(max|x| / max|W|) at a=0.5)."""
    act_max = {n: torch.ones(m.in_features) for n, m in tiny_llm.named_modules() if isinstance(m, torch.nn.Linear)}
    act_max["model.layers.0.mlp.down_proj"][3] = 1000.0                 # one outlier channel
    smoothed = Q.smooth_llm(tiny_llm, act_max, alpha={"down": 0.5})
    before = tiny_llm.model.layers[0].mlp.down_proj.weight.detach()
    after = smoothed.model.layers[0].mlp.down_proj.weight
    s = after.detach()[:, 3] / before[:, 3]
    w = before[:, 3].abs().max()
    torch.testing.assert_close(s, torch.full_like(s, float((1000.0 / w).sqrt())), rtol=1e-5, atol=0)
    assert Q.kept_fp32(act_max) == ("model.layers.0.mlp.down_proj",)    # above KEEP_ACT_MAX: stays fp32


def test_cpu_int8_quantises_linears_except_outlier_down_proj(tiny_llm, tiny_tokenizer):
    act_max = Q.activation_maxima(tiny_llm, tiny_tokenizer)
    act_max["model.layers.1.mlp.down_proj"][0] = 10 * Q.KEEP_ACT_MAX     # pretend layer 1 has a massive activation
    q = quantize_llm(tiny_llm, "cpu", "int8", act_max=act_max)
    modules = dict(q.named_modules())
    for name in ("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.up_proj", "model.layers.0.mlp.down_proj",
                 "lm_head"):
        assert _is_int8(modules[name]), name
    assert type(modules["model.layers.1.mlp.down_proj"]) is torch.nn.Linear   # kept fp32
    assert type(tiny_llm.model.layers[0].self_attn.q_proj) is torch.nn.Linear  # the original is untouched
    if Q.full_range_is_exact():
        assert type(modules["lm_head"]) is Q.FullRangeDynamicLinear
    r = measure_drift(tiny_llm, q, tiny_tokenizer, TINY_PROMPTS, num_tokens=6)
    assert 0.0 < r.max_logit_diff and 0.0 <= r.agreement <= 1.0
    with pytest.raises(ValueError, match="tokenizer"):
        quantize_llm(tiny_llm, "cpu", "int8")                           # calibration needs text


def test_smoothing_refuses_a_non_llama_model():
    with pytest.raises(ValueError, match="Llama-style"):
        Q.smooth_llm(torch.nn.Sequential(torch.nn.Linear(4, 4)), {})


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
    assert len(greedy_decode(q, ids, 4).tokens[0]) == 4


def _checkpoint(tmp_path, tiny_llm, tiny_tokenizer, small_model):
    from llamo_ros.language.model import MotionLLMConfig, MotionProjector
    from llamo_ros.training.checkpoint import save_tensors

    llm_dir = tmp_path / "llm"
    tiny_llm.save_pretrained(str(llm_dir), safe_serialization=True)
    tiny_tokenizer.save_pretrained(str(llm_dir))
    config = MotionLLMConfig(encoder=small_model.config, llm_hidden_size=tiny_llm.config.hidden_size,
                             projector_hidden_size=64, llm_path=str(llm_dir))
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


def test_int8_calibration_includes_motion_tokens(tmp_path, tiny_llm, tiny_tokenizer, small_model):
    from llamo_ros.language.api import MotionLanguageModel, calibration_maxima

    lm = MotionLanguageModel.load(_checkpoint(tmp_path, tiny_llm, tiny_tokenizer, small_model)).lm
    text = Q.activation_maxima(lm.llm, lm.tokenizer)
    both = calibration_maxima(lm, windows=2)
    assert set(both) == set(text)
    assert all(bool((both[k] >= text[k]).all()) for k in text)            # the motion pass only adds
    assert any(bool((both[k] > text[k]).any()) for k in text)             # ... and it did add something


@pytest.mark.slow
def test_smollm2_cpu_int8_drift_is_small():
    """Real SmolLM2-135M: the default CPU int8 recipe vs fp32 on the 6 fixed prompts, 12 greedy tokens.

    Bounds (measured 2026-11-21 on this CPU: teacher-forced top-1 88.9 %, mean |dlogit| 0.56, max 6.0, first-N
    agreement 62.5 %, first generated token equal on every prompt): teacher-forced top-1 >= 80 %, mean |dlogit|
    <= 0.8, first token equal on >= 5 of 6 prompts. The previous recipe (down_proj fp32, no smoothing, 7-bit
    activations: top-1 75 %, mean 1.85) and per-tensor int8 of every Linear (~10 % agreement) fail it.
    """
    torch.set_num_threads(1)
    from llamo_ros.language.llm import load_llm
    from llamo_ros.language.model import chat_prompt
    try:
        llm, tok = load_llm()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    q = quantize_llm(llm, "cpu", tokenizer=tok)
    report = measure_drift(llm, q, tok, DEFAULT_PROMPTS, num_tokens=12)
    print(report.summary())
    assert report.top1_agreement >= 0.80 and report.mean_logit_diff <= 0.8, report.summary()
    first = [greedy_decode(m, tok(chat_prompt(p, motion=False), return_tensors="pt", add_special_tokens=False)
                           ["input_ids"], 1).tokens[0][0] for p in DEFAULT_PROMPTS for m in (llm, q)]
    assert sum(a == b for a, b in zip(first[::2], first[1::2])) >= 5, first
