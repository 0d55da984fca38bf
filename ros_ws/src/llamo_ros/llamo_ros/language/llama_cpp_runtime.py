"""Greedy decoding of a GGUF causal LM through llama.cpp, with embeddings as input (motion tokens).

The prompt goes in as llama.cpp multimodal models feed it: a list of segments, each either text token ids
or a (N, n_embd) float32 block of input embeddings (the projector's motion tokens), decoded batch after
batch into one sequence with continuous positions; only the last position of the last segment asks for
logits. Generation is greedy with the torch path's stop rules (first id in `eos_ids`, `max_new_tokens`, or
the step after `stop` is set).

Binding: the CPU module of the `llama-cpp-cffi` wheel (CFFI API mode, manylinux_2_28, glibc >= 2.27), chosen
by measurement (docs/benchmarks.md): llama-cpp-python is source-only (~17 min build on 2 cores) and
llama-cpp-py-sync's wheel, although tagged manylinux2014, needs glibc 2.38. The module is loaded directly
from the installed `llama` package folder so that none of that package's Python (and its heavy
requirements: transformers pins, numba, vulkan) is imported.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_BINDING = None
_BINDING_ERROR: str | None = None


def load_binding():
    """(lib, ffi) of llama.cpp's C API, or raise ImportError saying why it is unavailable."""
    global _BINDING, _BINDING_ERROR
    if _BINDING is not None:
        return _BINDING
    if _BINDING_ERROR is not None:
        raise ImportError(_BINDING_ERROR)
    spec = importlib.util.find_spec("llama")
    if spec is None or not spec.submodule_search_locations:
        _BINDING_ERROR = "llama.cpp binding missing: the 'llama-cpp-cffi' wheel is not installed"
        raise ImportError(_BINDING_ERROR)
    found = []
    for folder in spec.submodule_search_locations:
        found += glob.glob(os.path.join(folder, "_llama_cpp_cpu.*.so"))
    if not found:
        where = list(spec.submodule_search_locations)
        _BINDING_ERROR = f"llama.cpp binding missing: no _llama_cpp_cpu module in {where}"
        raise ImportError(_BINDING_ERROR)
    try:
        mod_spec = importlib.util.spec_from_file_location("llama._llama_cpp_cpu", found[0])
        module = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
    except Exception as e:   # wrong glibc / ABI: the binding is there but cannot run here
        _BINDING_ERROR = f"llama.cpp binding {found[0]} does not load: {e}"
        raise ImportError(_BINDING_ERROR) from e
    module.lib.llama_backend_init()
    _BINDING = (module.lib, module.ffi)
    return _BINDING


def binding_available() -> tuple[bool, str]:
    """(True, where) when the llama.cpp binding loads, else (False, why not); for runtime selection logs."""
    try:
        load_binding()
    except ImportError as e:
        return False, str(e)
    return True, "llama.cpp via llama-cpp-cffi (CPU module)"


@dataclass
class LlamaCppResult:
    tokens: list[int]          # greedy ids, up to and including the first eos id
    first_token_s: float       # prefill of all segments + the first greedy id, s
    decode_s: float            # the remaining steps, s

    def tokens_per_s(self) -> float:
        """Decode rate after the first token, tokens/s."""
        n = len(self.tokens) - 1
        return n / self.decode_s if n > 0 and self.decode_s > 0 else 0.0


class LlamaCppLM:
    """One GGUF model and one single-sequence context (not thread-safe: one generation at a time)."""

    def __init__(self, gguf: str | os.PathLike, n_ctx: int = 1024, n_threads: int | None = None,
                 n_gpu_layers: int = 0):
        self.lib, self.ffi = load_binding()
        lib = self.lib
        path = Path(gguf)
        if not path.is_file():
            raise FileNotFoundError(f"GGUF file {path} missing")
        mp = lib.llama_model_default_params()
        mp.n_gpu_layers = n_gpu_layers   # -1 / large: all layers on the GPU of a CUDA build
        self.model = lib.llama_model_load_from_file(str(path).encode(), mp)
        if self.model == self.ffi.NULL:
            raise RuntimeError(f"llama.cpp could not load {path}")
        self.vocab = lib.llama_model_get_vocab(self.model)
        self.n_embd = int(lib.llama_model_n_embd(self.model))
        self.n_vocab = int(lib.llama_vocab_n_tokens(self.vocab))
        self.n_ctx = n_ctx
        threads = n_threads or max(1, (os.cpu_count() or 1))
        cp = lib.llama_context_default_params()
        # n_batch covers the whole context so a prompt is one decode per segment
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, n_ctx, n_ctx
        cp.n_threads, cp.n_threads_batch = threads, threads
        self.ctx = lib.llama_init_from_model(self.model, cp)
        if self.ctx == self.ffi.NULL:
            lib.llama_model_free(self.model)
            raise RuntimeError(f"llama.cpp could not create a context of {n_ctx} positions")
        self._lock = threading.Lock()

    def close(self) -> None:
        """Free the context and the model."""
        if getattr(self, "ctx", None) is not None:
            self.lib.llama_free(self.ctx)
            self.lib.llama_model_free(self.model)
            self.ctx = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def tokenize(self, text: str, add_special: bool = False) -> list[int]:
        """Token ids of `text`, special tokens (<|im_start|> ...) parsed."""
        raw = text.encode()
        cap = len(raw) + 16
        buf = self.ffi.new("llama_token[]", cap)
        n = self.lib.llama_tokenize(self.vocab, raw, len(raw), buf, cap, add_special, True)
        if n < 0:
            raise RuntimeError(f"llama_tokenize needs {-n} slots")
        return [int(buf[i]) for i in range(n)]

    def _decode(self, pos0: int, tokens: list[int] | None = None, embd: np.ndarray | None = None,
                want_logits: bool = False) -> None:
        lib = self.lib
        n = len(tokens) if tokens is not None else int(embd.shape[0])
        batch = lib.llama_batch_init(n, 0 if tokens is not None else self.n_embd, 1)
        try:
            if tokens is not None:
                for i, t in enumerate(tokens):
                    batch.token[i] = t
            else:
                data = np.ascontiguousarray(embd, dtype=np.float32)
                self.ffi.memmove(batch.embd, data.tobytes(), data.nbytes)
            for i in range(n):
                batch.pos[i] = pos0 + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = 0
            batch.logits[n - 1] = 1 if want_logits else 0
            batch.n_tokens = n
            rc = lib.llama_decode(self.ctx, batch)
            if rc != 0:
                raise RuntimeError(f"llama_decode failed ({rc}) at position {pos0}")
        finally:
            lib.llama_batch_free(batch)

    def last_logits(self) -> np.ndarray:
        """(V,) float32 logits of the last position that asked for them."""
        p = self.lib.llama_get_logits_ith(self.ctx, -1)
        return np.frombuffer(self.ffi.buffer(p, self.n_vocab * 4), np.float32).copy()

    def prefill(self, segments: list) -> int:
        """Clear the cache and decode `segments` (token-id lists and (N, n_embd) arrays); returns positions used.

        Raises ValueError if the prompt leaves no room in the context (the caller's prompt is too long).
        """
        sizes = [len(s) if isinstance(s, (list, tuple)) else int(np.asarray(s).shape[0]) for s in segments]
        if sum(sizes) == 0:
            raise ValueError("empty prompt")
        if sum(sizes) >= self.n_ctx:
            raise ValueError(f"prompt of {sum(sizes)} positions does not fit the llama.cpp context of "
                             f"{self.n_ctx} (leave room for at least one generated token)")
        self.lib.llama_kv_cache_clear(self.ctx)
        last = max(i for i, n in enumerate(sizes) if n > 0)
        pos = 0
        for i, (seg, n) in enumerate(zip(segments, sizes)):
            if n == 0:
                continue
            if isinstance(seg, (list, tuple)):
                self._decode(pos, tokens=list(seg), want_logits=i == last)
            else:
                arr = np.asarray(seg, dtype=np.float32)
                if arr.ndim != 2 or arr.shape[1] != self.n_embd:
                    raise ValueError(f"embeddings must be (N, {self.n_embd}), got {arr.shape}")
                self._decode(pos, embd=arr, want_logits=i == last)
            pos += n
        return pos

    def generate(self, segments: list, max_new_tokens: int = 40, eos_ids: tuple[int, ...] = (),
                 stop: threading.Event | None = None) -> LlamaCppResult:
        """Greedy continuation of the prompt `segments`; same stop rules as language.decode.generate_greedy."""
        import time

        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be >= 1")
        with self._lock:
            t0 = time.perf_counter()
            pos = self.prefill(segments)
            max_new_tokens = min(max_new_tokens, self.n_ctx - pos)
            out = [int(np.argmax(self.last_logits()))]
            t1 = time.perf_counter()
            while (out[-1] not in eos_ids and len(out) < max_new_tokens
                   and not (stop is not None and stop.is_set())):
                self._decode(pos, tokens=[out[-1]], want_logits=True)
                pos += 1
                out.append(int(np.argmax(self.last_logits())))
            return LlamaCppResult(out, t1 - t0, time.perf_counter() - t1)
