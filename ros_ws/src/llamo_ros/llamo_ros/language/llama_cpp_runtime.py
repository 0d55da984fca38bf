"""Greedy decoding of a GGUF causal LM through llama.cpp, with embeddings as input (motion tokens).

The prompt goes in as llama.cpp multimodal models feed it: a list of segments, each either text token ids
or a (N, n_embd) float32 block of input embeddings (the projector's motion tokens), decoded batch after
batch into one sequence with continuous positions; only the last position of the last segment asks for
logits. Generation is greedy with the torch path's stop rules (first id in `eos_ids`, `max_new_tokens`, or
the step after `stop` is set).

Binding: the CPU (or CUDA 12.6) module of the `llama-cpp-cffi` wheel (CFFI API mode, manylinux_2_28, glibc >=
2.27), chosen by measurement (docs/benchmarks.md): llama-cpp-python is source-only (~17 min build on 2 cores) and
llama-cpp-py-sync's wheel, although tagged manylinux2014, needs glibc 2.38. The module is loaded directly
from the installed `llama` package folder so that none of that package's Python (and its heavy
requirements: transformers pins, numba, vulkan) is imported. Where the wheel does not serve (Jetson: aarch64 +
CUDA), tools/build_llama_cpp.sh builds llama.cpp and a module of the same API; $LLAMO_LLAMA_CPP_MODULE names it.
"""
from __future__ import annotations

import glob
import importlib.util
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_BINDINGS: dict[str, tuple] = {}       # kind ("cpu" / "cuda") -> (lib, ffi)
_BINDING_ERRORS: dict[str, str] = {}   # kind -> why it does not load
_BINDING_FILES: dict[str, str] = {}    # kind -> the module file loaded
_LOG_CALLBACKS = []                    # cffi callbacks must outlive the library's use of them
log = logging.getLogger("llamo_ros.llama_cpp")
MODULE_ENV = "LLAMO_LLAMA_CPP_MODULE"  # path of a CFFI module built here (tools/build_llama_cpp_cuda.sh), e.g. Jetson
# "1": llama.cpp logs to stderr itself, no Python callback in its way (a crash inside the native library then shows
# how far it got; on the lent H200 the CUDA build died in llama_model_load_from_file with no line logged)
NATIVE_LOGS_ENV = "LLAMO_LLAMA_CPP_NATIVE_LOGS"


def _module_files(kind: str) -> list[str]:
    """Candidate modules, best first: $LLAMO_LLAMA_CPP_MODULE, a build of tools/build_llama_cpp.sh in the cache
    (~/.cache/llamo_ros/llama_cpp/module-<kind>*), the llama-cpp-cffi wheel's."""
    # a module named in the environment replaces the others for both kinds; a CPU-only build then fails the CUDA
    # kind's GPU-offload check, with that reason
    if os.environ.get(MODULE_ENV):
        return [os.environ[MODULE_ENV]]
    from llamo_ros.language.llm import cache_dir

    built = str(cache_dir() / "llama_cpp" / ("module-cpu-native" if kind == "cpu" else "module-cuda-sm*"))
    found = sorted(glob.glob(os.path.join(built, "_llama_cpp_native.*.so")))
    spec = importlib.util.find_spec("llama")
    if spec is None or not spec.submodule_search_locations:
        return found
    pattern = "_llama_cpp_cpu.*.so" if kind == "cpu" else "_llama_cpp_cuda_*.so"
    return found + sorted(f for folder in spec.submodule_search_locations
                          for f in glob.glob(os.path.join(folder, pattern)))


def load_binding(cuda: bool = False):
    """(lib, ffi) of llama.cpp's C API (its CUDA build with `cuda`), or raise ImportError saying why not."""
    kind = "cuda" if cuda else "cpu"
    if kind in _BINDINGS:
        return _BINDINGS[kind]
    if kind in _BINDING_ERRORS:
        raise ImportError(_BINDING_ERRORS[kind])
    found = _module_files(kind)
    if not found:
        _BINDING_ERRORS[kind] = (f"llama.cpp binding missing: no {kind} module of the 'llama-cpp-cffi' wheel"
                                 + (f" and no {MODULE_ENV}" if cuda else "") + " (make setup-llama-cpp)")
        raise ImportError(_BINDING_ERRORS[kind])
    reasons = []
    for path in found:   # the first candidate that loads here wins
        try:
            name = "llama." + Path(path).name.split(".")[0]   # its PyInit_ name; the package is never imported
            mod_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(mod_spec)
            mod_spec.loader.exec_module(module)
            if cuda and not module.lib.llama_supports_gpu_offload():
                raise ImportError("built without GPU offload")
            break
        except Exception as e:   # wrong glibc / ABI / no cffi / no CUDA driver: there, but cannot run here
            reasons.append(f"{path} does not load: {type(e).__name__}: {e}")
    else:
        _BINDING_ERRORS[kind] = "llama.cpp binding " + "; ".join(reasons)
        raise ImportError(_BINDING_ERRORS[kind])
    module.lib.llama_backend_init()
    if os.environ.get(NATIVE_LOGS_ENV) != "1":
        _route_logs(module.lib, module.ffi)
    _BINDINGS[kind] = (module.lib, module.ffi)
    _BINDING_FILES[kind] = path
    return _BINDINGS[kind]


def _route_logs(lib, ffi) -> None:
    """llama.cpp's messages (~190 lines per model load on stderr) to Python logging: warnings and errors as
    such, the rest at debug level."""
    @ffi.callback("ggml_log_callback")
    def forward(level, text, _user):
        # the context-length note is no warning for us: the prompt + answer budget is n_ctx by design
        if level >= lib.GGML_LOG_LEVEL_WARN and b"n_ctx_per_seq" not in ffi.string(text):
            log.warning("%s", ffi.string(text).decode(errors="replace").rstrip())
        elif log.isEnabledFor(logging.DEBUG):
            log.debug("%s", ffi.string(text).decode(errors="replace").rstrip())

    _LOG_CALLBACKS.append(forward)
    lib.llama_log_set(forward, ffi.NULL)


def binding_available(cuda: bool = False) -> tuple[bool, str]:
    """(True, what) when the llama.cpp binding (its CUDA build with `cuda`) loads, else (False, why not)."""
    try:
        load_binding(cuda)
    except ImportError as e:
        return False, str(e)
    kind = "cuda" if cuda else "cpu"
    path = _BINDING_FILES[kind]
    what = "llama-cpp-cffi wheel" if "_llama_cpp_native" not in Path(path).name else "tools/build_llama_cpp.sh"
    return True, f"{kind.upper()} module of the {what} ({path})"


@dataclass
class LlamaCppResult:
    tokens: list[int]          # greedy ids, up to and including the first eos id
    first_token_s: float       # prefill of all segments + the first greedy id, s
    decode_s: float            # the remaining steps, s

    @property
    def tokens_per_s(self) -> float:
        """Decode rate after the first token, tokens/s."""
        n = len(self.tokens) - 1
        return n / self.decode_s if n > 0 and self.decode_s > 0 else 0.0


class LlamaCppLM:
    """One GGUF model and one single-sequence context (not thread-safe: one generation at a time)."""

    def __init__(self, gguf: str | os.PathLike, n_ctx: int = 1024, n_threads: int | None = None,
                 n_gpu_layers: int = 0, n_ubatch: int | None = None, kv_type: str = "f16", cuda: bool = False):
        """n_ubatch: positions per compute step of a prompt segment (default n_ctx: one step per segment);
        kv_type: "f16" (llama.cpp's default) or "f32" KV cache (strict parity checks);
        cuda: the CUDA build, layers offloaded per n_gpu_layers (-1: all)."""
        if kv_type not in ("f16", "f32"):
            raise ValueError(f"kv_type must be f16 or f32, got {kv_type!r}")
        self.lib, self.ffi = load_binding(cuda)
        lib = self.lib
        path = Path(gguf)
        if not path.is_file():
            raise FileNotFoundError(f"GGUF file {path} missing")
        mp = lib.llama_model_default_params()
        mp.n_gpu_layers = 10_000 if n_gpu_layers < 0 else n_gpu_layers   # large: every layer on the GPU
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
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, n_ctx, n_ubatch or n_ctx
        cp.type_k = cp.type_v = lib.GGML_TYPE_F32 if kv_type == "f32" else lib.GGML_TYPE_F16
        cp.n_threads, cp.n_threads_batch = threads, threads
        self.ctx = lib.llama_init_from_model(self.model, cp)
        if self.ctx == self.ffi.NULL:
            lib.llama_model_free(self.model)
            raise RuntimeError(f"llama.cpp could not create a context of {n_ctx} positions")
        self._lock = threading.Lock()
        self.path = str(path)
        self._prefix: list[int] = []   # leading prompt tokens whose KV is held (prefill reuses them)
        self._token_embd = None        # (memory-mapped rows, GGML type) of token_embd, read on first use

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
                want_logits: bool = False, all_logits: bool = False) -> None:
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
                batch.logits[i] = 1 if all_logits else 0
            batch.logits[n - 1] = 1 if want_logits or all_logits else 0
            batch.n_tokens = n
            rc = lib.llama_decode(self.ctx, batch)
            if rc != 0:
                raise RuntimeError(f"llama_decode failed ({rc}) at position {pos0}")
        finally:
            lib.llama_batch_free(batch)

    def logits_at(self, i: int) -> np.ndarray:
        """(V,) float32 logits of the i-th position of the last decoded batch that asked for them (-1: last)."""
        p = self.lib.llama_get_logits_ith(self.ctx, i)
        return np.frombuffer(self.ffi.buffer(p, self.n_vocab * 4), np.float32).copy()

    def score(self, segments: list, tokens: list[int]) -> np.ndarray:
        """Teacher-forced logits (len(tokens), V): row k predicts tokens[k] after the prompt and tokens[:k]."""
        with self._lock:
            pos = self.prefill(segments)
            rows = [self.last_logits()]
            if len(tokens) > 1:
                if pos + len(tokens) - 1 > self.n_ctx:
                    raise ValueError("prompt + scored tokens do not fit the context")
                self._decode(pos, tokens=list(tokens[:-1]), all_logits=True)
                rows += [self.logits_at(i) for i in range(len(tokens) - 1)]
            return np.stack(rows)

    def last_logits(self) -> np.ndarray:
        """(V,) float32 logits of the last position that asked for them."""
        p = self.lib.llama_get_logits_ith(self.ctx, -1)
        return np.frombuffer(self.ffi.buffer(p, self.n_vocab * 4), np.float32).copy()

    def embed_tokens(self, ids: list[int]) -> np.ndarray:
        """(len(ids), n_embd) float32 rows of the GGUF's token embedding, dequantised as llama.cpp's get_rows does."""
        if self._token_embd is None:
            from gguf import GGUFReader

            tensor = next(t for t in GGUFReader(self.path).tensors if t.name == "token_embd.weight")
            self._token_embd = (tensor.data, tensor.tensor_type)   # memory-mapped: rows are read on demand
        from gguf.quants import dequantize

        data, kind = self._token_embd
        return dequantize(np.asarray(data[np.asarray(ids, dtype=np.int64)]), kind).astype(np.float32)

    def prefill(self, segments: list) -> int:
        """Decode the prompt `segments` (token-id lists and (N, n_embd) arrays) into a fresh sequence; returns the
        positions used.

        Two savings, each a whole pass over the weights on a CPU: the KV of a leading token run equal to the
        previous prompt's (the chat header before the motion tokens) is kept, and once a prompt has embeddings,
        everything after the kept prefix goes in as ONE embeddings batch (text rows from the GGUF's own
        token_embd, so the numbers are the token path's).
        Raises ValueError if the prompt leaves no room in the context (the caller's prompt is too long).
        """
        sizes = [len(s) if isinstance(s, (list, tuple)) else int(np.asarray(s).shape[0]) for s in segments]
        total = sum(sizes)
        if total == 0:
            raise ValueError("empty prompt")
        if total >= self.n_ctx:
            raise ValueError(f"prompt of {total} positions does not fit the llama.cpp context of "
                             f"{self.n_ctx} (leave room for at least one generated token)")
        for seg in segments:
            if not isinstance(seg, (list, tuple)):
                shape = np.shape(seg)
                if len(shape) != 2 or shape[1] != self.n_embd:
                    raise ValueError(f"embeddings must be (N, {self.n_embd}), got {shape}")
        head = list(segments[0]) if isinstance(segments[0], (list, tuple)) else []
        keep = 0
        while keep < min(len(head), len(self._prefix), total - 1) and head[keep] == self._prefix[keep]:
            keep += 1
        self._prefix = []   # what the KV holds is unknown until this prefill succeeds
        if keep:
            self.lib.llama_kv_cache_seq_rm(self.ctx, 0, keep, -1)
        else:
            self.lib.llama_kv_cache_clear(self.ctx)
        rest = [list(segments[0])[keep:] if i == 0 and head else s for i, s in enumerate(segments)]
        rest = [s for s in rest if len(s)]
        if len(rest) > 1 and any(not isinstance(s, (list, tuple)) for s in rest):
            rest = [np.concatenate([self.embed_tokens(s) if isinstance(s, (list, tuple)) else
                                    np.asarray(s, dtype=np.float32) for s in rest])]
        pos = keep
        for i, seg in enumerate(rest):
            last = i == len(rest) - 1
            if isinstance(seg, (list, tuple)):
                self._decode(pos, tokens=list(seg), want_logits=last)
            else:
                self._decode(pos, embd=np.asarray(seg, dtype=np.float32), want_logits=last)
            pos += len(seg)
        self._prefix = head
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


def segments_around(ids: list[int], placeholder: int, embeds: np.ndarray) -> list:
    """Prompt ids with one run of N placeholder ids + embeddings (N, D) -> [ids before, embeds, ids after].

    Raises ValueError unless the placeholders are exactly N and contiguous (the count check of `model.splice`).
    """
    at = [i for i, t in enumerate(ids) if t == placeholder]
    n = int(np.asarray(embeds).shape[0])
    if len(at) != n or (at and at[-1] - at[0] != n - 1):
        raise ValueError(f"motion tokens and placeholders do not match: {n} motion tokens, placeholders at {at}")
    if not at:
        return [list(ids)]
    return [list(ids[:at[0]]), np.asarray(embeds, dtype=np.float32), list(ids[at[-1] + 1:])]
