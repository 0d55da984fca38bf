"""Compile the CFFI module of llama.cpp's C API that llamo_ros' llama.cpp runtime loads, against a llama.cpp build.

    python tools/llama_cpp_cffi_build.py --src third_party/llama.cpp --lib build/llama.cpp/bin --out out/llama_cpp
    export LLAMO_LLAMA_CPP_MODULE=out/llama_cpp/_llama_cpp_native.cpython-311-x86_64-linux-gnu.so

Used by tools/build_llama_cpp.sh, for machines the llama-cpp-cffi wheel does not serve (Jetson: aarch64 + CUDA;
other CUDA versions; a native CPU build). Only the functions language/llama_cpp_runtime.py and
language/gguf_export.py call are declared, and the parameter structs with `...;` (cffi's API mode lets the C
compiler lay them out), so the module follows llama.cpp's struct changes; the functions are those of llama.cpp
in early 2025 (llama_kv_cache_*), the API the llama-cpp-cffi 0.4.18 wheel has.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

MODULE = "_llama_cpp_native"
CDEF = """
typedef int32_t llama_token;
typedef int32_t llama_pos;
typedef int32_t llama_seq_id;
struct llama_model;
struct llama_context;
struct llama_vocab;
enum ggml_type { GGML_TYPE_F32, GGML_TYPE_F16, ... };
enum ggml_log_level { GGML_LOG_LEVEL_NONE, GGML_LOG_LEVEL_DEBUG, GGML_LOG_LEVEL_INFO, GGML_LOG_LEVEL_WARN,
                      GGML_LOG_LEVEL_ERROR, GGML_LOG_LEVEL_CONT, ... };
enum llama_ftype { LLAMA_FTYPE_ALL_F32, LLAMA_FTYPE_MOSTLY_Q8_0, LLAMA_FTYPE_MOSTLY_Q4_1, LLAMA_FTYPE_MOSTLY_Q4_K_M,
                   ... };
typedef void (*ggml_log_callback)(enum ggml_log_level level, const char * text, void * user_data);
typedef struct llama_batch {
    int32_t n_tokens;
    llama_token * token;
    float * embd;
    llama_pos * pos;
    int32_t * n_seq_id;
    llama_seq_id ** seq_id;
    int8_t * logits;
} llama_batch;
typedef struct llama_model_params { int32_t n_gpu_layers; ...; } llama_model_params;
typedef struct llama_context_params {
    uint32_t n_ctx; uint32_t n_batch; uint32_t n_ubatch; int32_t n_threads; int32_t n_threads_batch;
    enum ggml_type type_k; enum ggml_type type_v; ...;
} llama_context_params;
typedef struct llama_model_quantize_params {
    int32_t nthread; enum llama_ftype ftype; ...;
} llama_model_quantize_params;

void llama_backend_init(void);
bool llama_supports_gpu_offload(void);
const char * llama_print_system_info(void);
void llama_log_set(ggml_log_callback log_callback, void * user_data);
llama_model_params llama_model_default_params(void);
llama_context_params llama_context_default_params(void);
llama_model_quantize_params llama_model_quantize_default_params(void);
struct llama_model * llama_model_load_from_file(const char * path_model, llama_model_params params);
void llama_model_free(struct llama_model * model);
struct llama_context * llama_init_from_model(struct llama_model * model, llama_context_params params);
void llama_free(struct llama_context * ctx);
const struct llama_vocab * llama_model_get_vocab(const struct llama_model * model);
int32_t llama_model_n_embd(const struct llama_model * model);
int32_t llama_vocab_n_tokens(const struct llama_vocab * vocab);
int32_t llama_tokenize(const struct llama_vocab * vocab, const char * text, int32_t text_len, llama_token * tokens,
                       int32_t n_tokens_max, bool add_special, bool parse_special);
llama_batch llama_batch_init(int32_t n_tokens, int32_t embd, int32_t n_seq_max);
void llama_batch_free(llama_batch batch);
int32_t llama_decode(struct llama_context * ctx, llama_batch batch);
float * llama_get_logits_ith(struct llama_context * ctx, int32_t i);
void llama_kv_cache_clear(struct llama_context * ctx);
bool llama_kv_cache_seq_rm(struct llama_context * ctx, llama_seq_id seq_id, llama_pos p0, llama_pos p1);
uint32_t llama_model_quantize(const char * fname_inp, const char * fname_out,
                              const llama_model_quantize_params * params);
"""

# llama.h names its parameter structs `struct llama_..._params`; the typedefs give them the names CDEF (and the
# wheel's module, which the runtime was written against) use
PREAMBLE = """#include "llama.h"
typedef struct llama_model_params llama_model_params;
typedef struct llama_context_params llama_context_params;
typedef struct llama_model_quantize_params llama_model_quantize_params;
"""


def build(src: Path, lib_dir: Path, out: Path) -> Path:
    """Compile MODULE into `out` against llama.cpp's headers in `src` and its shared libraries in `lib_dir`."""
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(CDEF)
    lib_dir = lib_dir.resolve()
    ffi.set_source(MODULE, PREAMBLE,
                   include_dirs=[str(src / "include"), str(src / "ggml" / "include")],
                   library_dirs=[str(lib_dir)], libraries=["llama"],
                   extra_link_args=[f"-Wl,-rpath,{lib_dir}"])   # libllama / libggml* found where they were built
    out.mkdir(parents=True, exist_ok=True)
    return Path(ffi.compile(tmpdir=str(out), verbose=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True, type=Path, help="llama.cpp source checkout")
    ap.add_argument("--lib", required=True, type=Path, help="folder with the built libllama.so")
    ap.add_argument("--out", required=True, type=Path, help="where the module is written")
    args = ap.parse_args()
    path = build(args.src, args.lib, args.out)
    print(f"export LLAMO_LLAMA_CPP_MODULE={os.path.abspath(path)}")


if __name__ == "__main__":
    main()
