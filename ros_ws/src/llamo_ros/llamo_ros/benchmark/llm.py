"""LLM decode speed: tokens/s after the first token and first-token latency, fp32 vs int8 (same prompt)."""
from __future__ import annotations

import numpy as np

PROMPT = "Describe what the person is doing: they walk towards the robot and wave with the right hand."


def bench_llm(num_tokens: int = 32, runs: int = 3, threads: int = 1, llm_dir: str | None = None) -> list[dict]:
    """Rows {variant, tokens_per_s, first_token_ms, speedup_vs_fp32, drift, ...}.

    Variants: fp32 and int8 (quantize_llm, the one the nodes use) through LlamaDecoder (what describe/answer
    run), the same two through Hugging Face's forward (its per-step overhead, for reference), the rejected
    per-tensor int8 of every Linear, and GGUF when llama-cpp-python is installed. speedup_vs_fp32 compares with
    fp32 on the same forward path. Variants are timed interleaved (run r of every variant, then run r + 1), so
    load changes on a shared CPU hit them alike. `drift`: measure_drift against fp32 on DEFAULT_PROMPTS, 12
    greedy tokens (once per quantised model).
    """
    import torch

    from llamo_ros.language.decode import greedy_decode
    from llamo_ros.language.llm import load_llm
    from llamo_ros.language.model import chat_prompt
    from llamo_ros.language.quantization import quantize_llm
    from llamo_ros.language.quantization_drift import DEFAULT_PROMPTS, measure_drift

    torch.set_num_threads(threads)
    llm, tok = load_llm(llm_dir)
    ids = tok(chat_prompt(PROMPT, motion=False), return_tensors="pt", add_special_tokens=False)["input_ids"]
    int8 = quantize_llm(llm, "cpu", "int8", tokenizer=tok)
    per_tensor = torch.ao.quantization.quantize_dynamic(llm, {torch.nn.Linear}, dtype=torch.qint8)
    variants = {  # name: (model, through LlamaDecoder, fp32 row it is compared with)
        "fp32": (llm, True, "fp32"),
        "int8 (smoothed, per-channel; quantize_llm)": (int8, True, "fp32"),
        "fp32, HF forward": (llm, False, "fp32, HF forward"),
        "int8, HF forward": (int8, False, "fp32, HF forward"),
        "int8 (per-tensor, all Linear; rejected: garbles text)": (per_tensor, True, "fp32"),
    }
    for model, lean, _ in variants.values():
        greedy_decode(model, ids, 4, llama_decoder=lean)  # warm-up (and builds each LlamaDecoder once)
    results = {name: [] for name in variants}
    for _ in range(runs):
        for name, (model, lean, _) in variants.items():
            results[name].append(greedy_decode(model, ids, num_tokens, llama_decoder=lean))
    tps = {name: float(np.median([r.tokens_per_s for r in results[name]])) for name in variants}
    rows, drifts = [], {}
    for name, (model, lean, base) in variants.items():
        if model is not llm and id(model) not in drifts:
            drifts[id(model)] = measure_drift(llm, model, tok, DEFAULT_PROMPTS, num_tokens=12).to_dict()
        first = float(np.median([r.first_token_s for r in results[name]])) * 1e3
        rows.append({"variant": name, "tokens_per_s": tps[name], "first_token_ms": first,
                     "prompt_tokens": int(ids.shape[1]), "new_tokens": num_tokens, "llama_decoder": lean,
                     "speedup_vs_fp32": tps[name] / tps[base], "drift": drifts.get(id(model))})
    rows += bench_gguf(num_tokens, threads, tps["fp32"])
    return rows


def bench_gguf(num_tokens: int, threads: int, fp32_tps: float | None) -> list[dict]:
    """The SmolLM2 Q4_1 GGUF through llama-cpp-python, when it is installed (else no rows)."""
    try:
        from llama_cpp import Llama
    except ImportError:
        return []
    import time

    from llamo_ros.language.llm import gguf_path
    llm = Llama(model_path=str(gguf_path()), n_threads=threads, verbose=False)
    start = time.perf_counter()
    first = None
    n = 0
    for _ in llm.create_completion(PROMPT, max_tokens=num_tokens, temperature=0.0, stream=True):
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    tps = (n - 1) / (end - first) if n > 1 else 0.0
    return [{"variant": "gguf Q4_1 (llama.cpp)", "tokens_per_s": tps, "first_token_ms": (first - start) * 1e3,
             "new_tokens": n, "speedup_vs_fp32": tps / fp32_tps if fp32_tps else float("nan")}]
