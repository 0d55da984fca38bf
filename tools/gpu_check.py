"""GPU check: the motion encoder and the LLM on CUDA (tools/gpu_check.sh runs this; see there for the set-up).

    python tools/gpu_check.py prepare --out out/gpu_check     # here: what travels to the GPU machine (~6 MB)
    python tools/gpu_check.py motion --json $OUT/motion.json  # there: the real motion model, torch fp32/fp16
    python tools/gpu_check.py llm --assets out/gpu_check --json $OUT/llm.json

The LLM part times SmolLM2-135M's architecture on describe's prompt shape (3 text + 8 motion embeddings from the
real projector + 14 text positions, 32 forced tokens): torch fp16 through LlamaDecoder, and llama.cpp's CUDA
build (every layer offloaded) when tools/build_llama_cpp.sh could build it. The 93 MB SmolLM2 file does not fit
the 64 MiB that travels, so the weights are random at SmolLM2's shapes (the tokenizer and hyper-parameters come
from the shipped GGUF's metadata): speed only, no accuracy.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "ros_ws" / "src" / "llamo_ros"))
CHECKPOINT = REPO / "models" / "motion_llm_demo"
META = "smollm2_meta.gguf"
PROMPT = (3, 8, 14)   # describe's prompt: text before the motion tokens, motion tokens, text after


def prepare(out: Path) -> None:
    """Metadata-only SmolLM2 GGUF and the gguf package (pure Python) into `out`."""
    import gguf
    from gguf import GGUFReader, GGUFValueType, GGUFWriter

    from llamo_ros.language.llm import gguf_path

    out.mkdir(parents=True, exist_ok=True)
    reader = GGUFReader(str(gguf_path()))
    writer = GGUFWriter(str(out / META), "llama")
    for f in reader.fields.values():
        if f.name.startswith("GGUF.") or f.name == "general.architecture":
            continue
        sub = f.types[-1] if f.types[0] == GGUFValueType.ARRAY else None
        writer.add_key_value(f.name, f.contents(), f.types[0], sub_type=sub)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    site = out / "site"
    shutil.rmtree(site / "gguf", ignore_errors=True)
    shutil.copytree(Path(gguf.__file__).parent, site / "gguf", ignore=shutil.ignore_patterns("__pycache__"))
    print(f"prepared {out}")


def _cuda_timer(fn, repeats: int) -> float:
    import torch
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


class Rows(list):
    """Result rows, printed and written to `path` as each arrives: a crash later (a native library's segfault)
    keeps the rows before it."""

    def __init__(self, path: Path | None):
        super().__init__()
        self.path = path

    def add(self, row: dict) -> None:
        self.append(row)
        print(row, flush=True)
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self, indent=2))


def motion_parity(num_windows: int = 64) -> dict:
    """The real motion model on CUDA (fp32, fp16) against CPU fp32 on generated windows: the largest absolute
    difference of the intent probabilities and of the path (m), and how often the most likely intent agrees."""
    import torch

    from llamo_ros.language.api import load_motion_model
    from llamo_ros.runtime.calibration import synthetic_windows

    x = torch.from_numpy(synthetic_windows(num_windows, 32))                   # (W, 32, 80)
    with torch.inference_mode():
        p_cpu, path_cpu, _ = load_motion_model(CHECKPOINT, "cpu").eval()(x)
        row = {"what": "motion model CUDA vs CPU fp32", "windows": num_windows}
        cuda = load_motion_model(CHECKPOINT, "cuda")
        for dtype in (torch.float32, torch.float16):   # fp32 first: .to() converts in place
            m = cuda.to(dtype)
            p, path, _ = m(x.to("cuda", dtype))
            p, path = p.float().cpu(), path.float().cpu()
            name = str(dtype).split(".")[-1]
            row[f"{name}_max_abs_prob"] = float((p - p_cpu).abs().max())
            row[f"{name}_max_abs_path_m"] = float((path - path_cpu).abs().max())
            row[f"{name}_top_intent_agree"] = float((p.argmax(-1) == p_cpu.argmax(-1)).float().mean())
    return row


def motion(rows: Rows, repeats: int = 50) -> None:
    """p50 ms of the real motion model (encoder + heads) on CUDA, fp32 and fp16, batch 1 / 8 / 32, and its
    parity with CPU."""
    import torch

    from llamo_ros.language.api import load_motion_model

    rows.add(motion_parity())
    model = load_motion_model(CHECKPOINT, "cuda")
    for dtype in (torch.float32, torch.float16):
        m = model.to(dtype)
        for batch in (1, 8, 32):
            x = torch.randn(batch, 32, m.config.in_features, device="cuda", dtype=dtype)
            with torch.inference_mode():
                ms = _cuda_timer(lambda: m(x), repeats)
            rows.add({"what": "motion model (torch)", "dtype": str(dtype).split(".")[-1], "batch": batch,
                      "p50_ms": ms})


def _hparams(meta: Path) -> dict:
    from gguf import GGUFReader
    f = GGUFReader(str(meta)).fields
    get = lambda k: f[f"llama.{k}"].contents()  # noqa: E731
    return {"n_layer": int(get("block_count")), "n_embd": int(get("embedding_length")),
            "n_ff": int(get("feed_forward_length")), "n_head": int(get("attention.head_count")),
            "n_head_kv": int(get("attention.head_count_kv")), "vocab": int(get("vocab_size")),
            "rope_theta": float(get("rope.freq_base")), "eps": float(get("attention.layer_norm_rms_epsilon"))}


def _random_gguf(meta: Path, out: Path, hp: dict) -> Path:
    """SmolLM2-shaped F16 GGUF with random weights (std 0.02) and the shipped metadata."""
    from gguf import GGUFReader, GGUFValueType, GGUFWriter

    rng = np.random.default_rng(0)
    reader = GGUFReader(str(meta))
    writer = GGUFWriter(str(out), "llama")
    for f in reader.fields.values():
        if f.name.startswith("GGUF.") or f.name in ("general.architecture", "general.file_type"):
            continue
        sub = f.types[-1] if f.types[0] == GGUFValueType.ARRAY else None
        writer.add_key_value(f.name, f.contents(), f.types[0], sub_type=sub)
    writer.add_file_type(1)   # MOSTLY_F16
    e, ff, hd = hp["n_embd"], hp["n_ff"], hp["n_embd"] // hp["n_head"]

    def w(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float16)
    writer.add_tensor("token_embd.weight", w(hp["vocab"], e))
    writer.add_tensor("output_norm.weight", np.ones(e, np.float32))
    for i in range(hp["n_layer"]):
        for name, shape in (("attn_q", (e, e)), ("attn_k", (hp["n_head_kv"] * hd, e)),
                            ("attn_v", (hp["n_head_kv"] * hd, e)), ("attn_output", (e, e)),
                            ("ffn_gate", (ff, e)), ("ffn_up", (ff, e)), ("ffn_down", (e, ff))):
            writer.add_tensor(f"blk.{i}.{name}.weight", w(*shape))
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(e, np.float32))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(e, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def llm(assets: Path, rows: Rows, tokens: int = 32, runs: int = 5) -> None:
    """First token and decode tok/s on describe's prompt shape: torch fp16 (LlamaDecoder) and llama.cpp CUDA."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from llamo_ros.language.decode import decoder_for, generate_greedy
    from llamo_ros.language.model import MotionLLMConfig, MotionProjector
    from llamo_ros.language.weights import load_module

    hp = _hparams(assets / META)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=hp["vocab"], hidden_size=hp["n_embd"], intermediate_size=hp["n_ff"],
                         num_hidden_layers=hp["n_layer"], num_attention_heads=hp["n_head"],
                         num_key_value_heads=hp["n_head_kv"], rope_theta=hp["rope_theta"], rms_norm_eps=hp["eps"],
                         tie_word_embeddings=True, max_position_embeddings=8192)
    ckpt = MotionLLMConfig.from_json((CHECKPOINT / "config.json").read_text())
    projector = MotionProjector(ckpt)
    load_module(projector, CHECKPOINT / "projector.safetensors")
    from llamo_ros.language.api import load_motion_model
    motion_model = load_motion_model(CHECKPOINT, "cpu")
    with torch.no_grad():
        motion = projector(motion_model.encoder(torch.randn(1, ckpt.window_frames, 80)))[0]   # (8, D)
    ids = torch.randint(100, 1000, (PROMPT[0] + PROMPT[2],))
    model = LlamaForCausalLM(config).to("cuda", torch.float16).eval()
    with torch.no_grad():
        emb = model.get_input_embeddings()(ids.cuda())
        embeds = torch.cat([emb[:PROMPT[0]], motion.cuda().half(), emb[PROMPT[0]:]])[None]   # (1, 25, D)
    decoder = decoder_for(model)
    generate_greedy(decoder, embeds, None, 4)
    gens = [generate_greedy(decoder, embeds, None, tokens) for _ in range(runs)]
    rows.add({"what": "LLM torch fp16 (LlamaDecoder), random SmolLM2-shaped weights",
              "first_token_ms": float(np.median([g.first_token_s for g in gens])) * 1e3,
              "tokens_per_s": float(np.median([g.tokens_per_s for g in gens]))})
    del model, decoder
    torch.cuda.empty_cache()
    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM, binding_available
    ok, why = binding_available(cuda=True)
    if not ok:
        rows.add({"what": "LLM llama.cpp CUDA", "skipped": why})
        return
    path = _random_gguf(assets / META, assets / "smollm2_random_f16.gguf", hp)
    from llamo_ros.language.gguf_export import quantize_gguf
    variants = {"f16": path}
    try:
        variants["q8_0"] = quantize_gguf(path, assets / "smollm2_random_q8_0.gguf", "q8_0", threads=4)
    except RuntimeError as error:   # quantising is the binding's; the f16 row still stands
        print(f"q8_0 quantisation failed: {error}", flush=True)
    idl = ids.tolist()
    segments = [idl[:PROMPT[0]], motion.numpy().astype(np.float32), idl[PROMPT[0]:]]
    for name, p in variants.items():
        lm = LlamaCppLM(p, n_ctx=512, n_threads=1, n_gpu_layers=-1, cuda=True)
        lm.generate(segments, 4)
        res = [lm.generate(segments, tokens, ()) for _ in range(runs)]
        rows.add({"what": f"LLM llama.cpp CUDA {name}, all layers offloaded, random SmolLM2-shaped weights",
                  "first_token_ms": float(np.median([r.first_token_s for r in res])) * 1e3,
                  "tokens_per_s": float(np.median([r.tokens_per_s for r in res]))})
        lm.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", choices=("prepare", "motion", "llm"))
    ap.add_argument("--out", type=Path, default=REPO / "out" / "gpu_check", help="prepare: where the assets go")
    ap.add_argument("--assets", type=Path, default=REPO / "out" / "gpu_check", help="llm: prepared assets")
    ap.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = ap.parse_args()
    if args.part == "prepare":
        prepare(args.out)
        return
    rows = Rows(args.json)
    if args.part == "motion":
        motion(rows)
    else:
        llm(args.assets, rows)


if __name__ == "__main__":
    main()
