"""LLM decode speed: tokens/s after the first token and first-token latency, fp32 vs int8 (same prompt)."""
from __future__ import annotations

import numpy as np

PROMPT = "Describe what the person is doing: they walk towards the robot and wave with the right hand."


def bench_llm(num_tokens: int = 32, runs: int = 3, threads: int = 1, llm_dir: str | None = None) -> list[dict]:
    """Rows {variant, tokens_per_s, first_token_ms, speedup_vs_fp32, drift, ...}.

    Variants: fp32 and int8 (quantize_llm, the one the nodes use) through LlamaDecoder (what describe/answer
    run), the same two through Hugging Face's forward (its per-step overhead, for reference), the rejected
    per-tensor int8 of every Linear, all on a text prompt; then bench_motion_prompt's rows (describe's prompt with
    motion tokens: torch fp32 / int8 vs the checkpoint's GGUF exports on llama.cpp). speedup_vs_fp32 compares with
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
    rows += bench_motion_prompt(num_tokens, runs, threads)
    return rows


GGUF_TYPES = ("f32", "q8_0", "q4_1", "q4_1_lora8")   # the checkpoint's GGUF exports compared (language/gguf_export.py)


def _drift(ref: list[tuple[list[int], np.ndarray]], got: list[tuple[list[int], np.ndarray]]) -> dict:
    """DriftReport fields from (free-running greedy tokens, teacher-forced logits (N, V) on the reference's tokens)
    per case, reference first (quantization_drift's measures, here over motion prompts too)."""
    n = sum(len(t) for t, _ in ref)
    agree = sum(sum(a == b for a, b in zip(rt, gt)) for (rt, _), (gt, _) in zip(ref, got))
    prefix = sum(next((i for i, (a, b) in enumerate(zip(rt, gt)) if a != b), len(rt))
                 for (rt, _), (gt, _) in zip(ref, got))
    diffs = [np.abs(gl - rl) for (_, rl), (_, gl) in zip(ref, got)]
    top1 = sum(int((gl.argmax(-1) == np.asarray(rt)).sum()) for (rt, _), (_, gl) in zip(ref, got))
    return {"prompts": len(ref), "num_tokens": len(ref[0][0]), "agreement": agree / n, "prefix_agreement": prefix / n,
            "top1_agreement": top1 / n, "max_logit_diff": float(max(d.max() for d in diffs)),
            "mean_logit_diff": float(np.mean([d.mean() for d in diffs])),
            "logit_range": float(max(np.abs(rl).max() for _, rl in ref))}


def bench_motion_prompt(num_tokens: int = 32, runs: int = 3, threads: int = 1, checkpoint: str | None = None,
                        drift_windows: int = 6, drift_tokens: int = 12) -> list[dict]:
    """describe's real prompt with the checkpoint's motion tokens: torch fp32 / int8 vs each GGUF type on llama.cpp.

    Same token ids and motion embeddings for every row; torch splices the embeddings (LlamaDecoder), llama.cpp
    takes them through its batch embeddings input (text before, motion, text after). Timed interleaved, forced to
    `num_tokens` tokens. `drift` vs torch fp32 over `drift_windows` calibration clips (describe prompt + motion)
    and quantization_drift's 6 text prompts, `drift_tokens` greedy tokens each. No GGUF rows (and a note)
    without the llama.cpp binding.
    """
    import torch

    from llamo_ros.behavior.behavior_model import default_checkpoint_dir
    from llamo_ros.language.api import MotionLanguageModel, calibration_clips
    from llamo_ros.language.decode import decoder_for, generate_greedy
    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM, binding_available, segments_around
    from llamo_ros.language.model import DEFAULT_INSTRUCTION, chat_prompt
    from llamo_ros.language.quantization_drift import DEFAULT_PROMPTS

    torch.set_num_threads(threads)
    checkpoint = checkpoint or str(default_checkpoint_dir())
    fp32 = MotionLanguageModel.load(checkpoint, llm_runtime="torch").lm
    int8 = MotionLanguageModel.load(checkpoint, llm_runtime="torch", quantize_int8=True).lm
    clips = calibration_clips(max(drift_windows, 1))
    cases = []   # (inputs_embeds (1, L, D), llama.cpp segments); the first is the timed prompt
    with torch.no_grad():
        for features, _ in clips:
            ids, _, _ = fp32.tokenize([DEFAULT_INSTRUCTION])
            feats = torch.as_tensor(features)[None]
            motion = fp32.motion_embeddings(feats)[0].numpy()                # (N, D)
            cases.append((fp32.embed(ids, feats), segments_around(ids[0].tolist(), fp32.placeholder, motion)))
        for prompt in DEFAULT_PROMPTS:
            ids = fp32.tokenizer(chat_prompt(prompt, motion=False), add_special_tokens=False)["input_ids"]
            cases.append((fp32.llm.get_input_embeddings()(torch.tensor([ids])), [ids]))
    prompt_len = int(cases[0][0].shape[1])

    def torch_runner(lm):
        decoder = decoder_for(lm.llm)

        def greedy(case, n):
            g = generate_greedy(decoder, case[0], None, n)
            return g.tokens[0], g

        def forced(case, tokens):
            with torch.no_grad():
                emb = torch.cat([case[0], lm.llm.get_input_embeddings()(torch.tensor([tokens[:-1]]))], dim=1)
                return lm.llm(inputs_embeds=emb).logits[0, -len(tokens):].float().numpy()
        return greedy, forced

    variants = {"torch fp32 (LlamaDecoder)": torch_runner(fp32),
                "torch int8 (quantize_llm, LlamaDecoder)": torch_runner(int8)}
    ok, why = binding_available()
    gguf = {}
    if ok:
        from llamo_ros.language.gguf_export import cached_gguf
        paths = cached_gguf(checkpoint, types=GGUF_TYPES)
        for quant in GGUF_TYPES:
            lm = gguf[quant] = LlamaCppLM(paths[quant], n_ctx=512, n_threads=threads)
            variants[f"gguf {quant} (llama.cpp)"] = (
                lambda case, n, lm=lm: (lambda r: (r.tokens, r))(lm.generate(case[1], n, ())),
                lambda case, tokens, lm=lm: lm.score(case[1], tokens))
    for greedy, _ in variants.values():
        greedy(cases[0], 4)                                                   # warm-up
    timed = {name: [] for name in variants}
    for _ in range(runs):
        for name, (greedy, _) in variants.items():
            timed[name].append(greedy(cases[0], num_tokens)[1])
    reference = None
    rows = []
    for name, (greedy, forced) in variants.items():
        drift_cases = cases[:drift_windows] + cases[len(clips):]
        tokens = [greedy(case, drift_tokens)[0] for case in drift_cases]
        if reference is None:
            reference = [(t, forced(c, t)) for t, c in zip(tokens, drift_cases)]
        got = [(t, forced(c, r)) for t, (r, _), c in zip(tokens, reference, drift_cases)]
        tps = [r.tokens_per_s for r in timed[name]]
        rows.append({"variant": f"{name}, describe prompt + motion", "tokens_per_s": float(np.median(tps)),
                     "first_token_ms": float(np.median([r.first_token_s for r in timed[name]])) * 1e3,
                     "prompt_tokens": prompt_len, "new_tokens": num_tokens, "runs": runs,
                     "drift": None if name.startswith("torch fp32") else _drift(reference, got)})
    base = rows[1]   # torch int8: what the targets compare with
    for r in rows:
        r["speedup_vs_fp32"] = r["tokens_per_s"] / rows[0]["tokens_per_s"]
        r["speedup_vs_int8"] = r["tokens_per_s"] / base["tokens_per_s"]
        r["first_token_vs_int8"] = r["first_token_ms"] / base["first_token_ms"]
    for lm in gguf.values():
        lm.close()
    if not ok:
        rows.append({"variant": f"gguf rows skipped: {why}", "tokens_per_s": float("nan"),
                     "first_token_ms": float("nan"), "speedup_vs_fp32": float("nan")})
    return rows
