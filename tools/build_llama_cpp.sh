#!/usr/bin/env bash
# Build llama.cpp from source and the CFFI module of its C API that llamo_ros' llama.cpp runtime loads
# (LLAMO_LLAMA_CPP_MODULE), where the prebuilt llama-cpp-cffi wheel does not serve:
#   Jetson Orin (aarch64 + CUDA, compute capability 8.7: no aarch64 wheel after 0.3.1, none with CUDA),
#   another CUDA version or GPU, or a CPU build for this CPU (the wheel's CPU module stops at AVX2).
#
#   tools/build_llama_cpp.sh --cuda --arch 87          # Jetson Orin (JetPack 6: CUDA 12.6, gcc 11)
#   tools/build_llama_cpp.sh --cuda --arch 90          # H100 / H200
#   tools/build_llama_cpp.sh                           # CPU, -march=native
#   The runtime finds the module in the default --out (~/.cache/llamo_ros/llama_cpp/module-<kind>) by itself;
#   elsewhere: export LLAMO_LLAMA_CPP_MODULE=<printed path>. The behaviour node's llm_runtime auto / llama_cpp
#   then uses it; on device cuda:0 it offloads every layer (LlamaCppConfig.n_gpu_layers = -1).
#
# Source: --src DIR (a llama.cpp checkout), else llama.cpp as vendored in the llama-cpp-python 0.3.7 sdist on PyPI
# (66 MB; only its vendor/llama.cpp is used): the C API of the llama-cpp-cffi 0.4.18 wheel the runtime was written
# against (llama_kv_cache_*, early 2025). CPU build: ~2 min on 2 cores (only the llama target).
# CMake flags: shared libraries, no tests/examples/server/curl; --cuda adds -DGGML_CUDA=ON
# -DCMAKE_CUDA_ARCHITECTURES=<arch>. A CUDA build compiles ggml-cuda's kernels for that one architecture only:
# expect minutes on 16 cores, most of an hour on a Jetson Orin's 8-12 (use --jobs to bound memory: ~1.5 GB/job).
set -euo pipefail
SDIST=llama-cpp-python==0.3.7   # vendors llama.cpp of 2025-02 (llama_kv_cache_* API)
CUDA=0 ARCH=87 SRC="" JOBS=$(env -u OMP_NUM_THREADS nproc) SOURCE_ONLY=0   # nproc obeys OMP_NUM_THREADS: not wanted here
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LLAMO_CACHE_DIR:-$HOME/.cache/llamo_ros}/llama_cpp
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) CUDA=1 ;;
    --arch) ARCH=${2:?--arch needs a compute capability, e.g. 87}; shift ;;
    --src) SRC=${2:?--src needs a folder}; shift ;;
    --out) OUT=${2:?--out needs a folder}; shift ;;
    --jobs) JOBS=${2:?--jobs needs a number}; shift ;;
    --source-only) SOURCE_ONLY=1 ;;   # fetch the pinned source into $OUT/src and stop (tools/gpu_check.sh prepare)
    *) echo "build_llama_cpp: unknown option $1 (--cuda --arch N --src DIR --out DIR --jobs N --source-only)" >&2; exit 2 ;;
  esac
  shift
done
KIND=$([ "$CUDA" = 1 ] && echo "cuda-sm$ARCH" || echo cpu-native)
BUILD=$OUT/build-$KIND
if [ -z "$SRC" ]; then
  SRC=$OUT/src/vendor/llama.cpp
  if [ ! -f "$SRC/include/llama.h" ]; then
    mkdir -p "$OUT/src"
    "$PYTHON" -m pip --disable-pip-version-check download -q --no-deps --no-binary :all: "$SDIST" -d "$OUT/src" \
      2>&1 | grep -v "is ignored" || true
    tar -xzf "$OUT"/src/llama_cpp_python-*.tar.gz -C "$OUT/src" --strip-components=1 --wildcards '*/vendor/llama.cpp'
  fi
fi
[ "$SOURCE_ONLY" = 1 ] && { echo "$SRC"; exit 0; }
FLAGS=(-DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
       -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_COMMON=OFF -DLLAMA_CURL=OFF)
if [ "$CUDA" = 1 ]; then
  command -v nvcc >/dev/null || { echo "build_llama_cpp: --cuda needs nvcc (CUDA toolkit) on PATH" >&2; exit 1; }
  # GGML_NATIVE off: the CPU side is only the host part of a CUDA run; keeps the build portable across hosts
  FLAGS+=(-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DGGML_NATIVE=OFF)
else
  FLAGS+=(-DGGML_NATIVE=ON)
fi
echo "build_llama_cpp: $KIND from $SRC into $BUILD ($JOBS jobs)"
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$SRC" -B "$BUILD" "${GEN[@]}" "${FLAGS[@]}" >/dev/null
cmake --build "$BUILD" --target llama -j "$JOBS"
"$PYTHON" -c "import cffi" 2>/dev/null || "$PYTHON" -m pip --disable-pip-version-check install -q "cffi>=1.17" 2>&1 \
  | grep -v "is ignored" || true
"$PYTHON" "$REPO/tools/llama_cpp_cffi_build.py" --src "$SRC" --lib "$BUILD/bin" --out "$OUT/module-$KIND"
