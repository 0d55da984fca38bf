#!/usr/bin/env bash
# GPU check: the motion encoder and the LLM on CUDA, on a bare CUDA machine with PyTorch preinstalled and no
# package registry (e.g. the lent H200: Python 3.12, CUDA torch, transformers, safetensors; numpy 2.x). Budget:
# under 8 min. Writes $OUT/gpu_check/{motion,llm}.json (OUT defaults to out/) and a log.
#
#   here:  tools/gpu_check.sh prepare     # out/gpu_check: SmolLM2 metadata GGUF, the gguf package, llama.cpp's
#                                         # source and the cffi wheels for cp312 (~8 MB; carry: ["out/gpu_check"])
#   there: tools/gpu_check.sh             # 1 motion model (torch fp32/fp16), 2 LLM torch fp16,
#                                         # 3 llama.cpp CUDA build (<= 270 s, skipped visibly without nvcc),
#                                         # 4 LLM llama.cpp CUDA, every layer offloaded
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ASSETS=$REPO/out/gpu_check
PY=${PYTHON:-python3}
if [ "${1:-}" = prepare ]; then
  set -e
  PY=$REPO/.venv/bin/python
  PYTHONPATH=$REPO/ros_ws/src/llamo_ros "$PY" "$REPO/tools/gpu_check.py" prepare --out "$ASSETS"
  SRC=${LLAMO_CACHE_DIR:-$HOME/.cache/llamo_ros}/llama_cpp/src/vendor/llama.cpp
  [ -f "$SRC/include/llama.h" ] || PYTHON=$PY bash "$REPO/tools/build_llama_cpp.sh" --source-only   # PyPI sdist
  tar -czf "$ASSETS/llama_cpp_src.tgz" -C "$SRC" include ggml src cmake CMakeLists.txt
  "$PY" -m pip --disable-pip-version-check download -q --no-deps --only-binary :all: --python-version 3.12 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 -d "$ASSETS/wheels" cffi==2.1.1 pycparser==3.12 \
    2>&1 | grep -v "is ignored" || true
  du -sh "$ASSETS"
  exit 0
fi
RESULTS=${OUT:-$REPO/out}/gpu_check
mkdir -p "$RESULTS"
exec > >(tee "$RESULTS/gpu_check.log") 2>&1
start=$(date +%s)
step() { printf '\n[gpu_check %s, %ss] %s\n' "$1" "$(( $(date +%s) - start ))" "$2"; }
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 LLAMO_CACHE_DIR=$RESULTS/cache
export PYTHONPATH=$REPO/ros_ws/src/llamo_ros:$ASSETS/site
[ -f "$ASSETS/smollm2_meta.gguf" ] || { echo "gpu_check: $ASSETS missing: run 'tools/gpu_check.sh prepare' here first"; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA'; print('torch', torch.__version__, 'CUDA', torch.version.cuda, torch.cuda.get_device_name(0), 'cc', torch.cuda.get_device_capability(0))" \
  || { echo "gpu_check: SKIPPED: PyTorch sees no CUDA device"; exit 0; }

step 1/4 "motion model on CUDA (real checkpoint; torch fp32 / fp16; batch 1, 8, 32)"
timeout 60 "$PY" "$REPO/tools/gpu_check.py" motion --json "$RESULTS/motion.json" || echo "motion: FAILED ($?)"

step 2/4 "cffi for the llama.cpp module (carried wheels)"
"$PY" -c "import cffi" 2>/dev/null || "$PY" -m pip install -q --no-index --find-links "$ASSETS/wheels" \
  --target "$ASSETS/site" cffi pycparser || echo "cffi: install from the carried wheels FAILED"

step 3/4 "llama.cpp CUDA build for this GPU (llama target only; bounded to 270 s)"
ARCH=$("$PY" -c "import torch; a, b = torch.cuda.get_device_capability(0); print(f'{a}{b}')")
BUILD_OUT=$RESULTS/llama_cpp
if command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=$PATH:/usr/local/cuda/bin
  mkdir -p "$BUILD_OUT/src" && tar -xzf "$ASSETS/llama_cpp_src.tgz" -C "$BUILD_OUT/src"
  if timeout 270 env PYTHON="$PY" bash "$REPO/tools/build_llama_cpp.sh" --cuda --arch "$ARCH" --src "$BUILD_OUT/src" \
       --out "$BUILD_OUT" --jobs "$(env -u OMP_NUM_THREADS nproc)" > "$RESULTS/llama_cpp_build.log" 2>&1; then
    export LLAMO_LLAMA_CPP_MODULE=$(ls "$BUILD_OUT"/module-cuda-sm"$ARCH"/_llama_cpp_native.*.so | head -1)
    echo "built: $LLAMO_LLAMA_CPP_MODULE"
  else
    echo "llama.cpp CUDA build FAILED or took over 270 s (tail of $RESULTS/llama_cpp_build.log):"
    tail -5 "$RESULTS/llama_cpp_build.log"
  fi
else
  echo "SKIPPED: no nvcc (CUDA toolkit) on this machine: the llama.cpp rows will say so"
fi

step 4/4 "LLM on CUDA: torch fp16 (LlamaDecoder) and llama.cpp CUDA, describe's prompt shape with 8 motion embeddings"
timeout 120 "$PY" "$REPO/tools/gpu_check.py" llm --assets "$ASSETS" --json "$RESULTS/llm.json"
rc=$?
if [ "$rc" != 0 ]; then
  # again with llama.cpp logging natively (no Python log callback), so that the crash point shows: on the first
  # H200 (CUDA 13.0) the load segfaulted before any line reached Python
  echo "llm: FAILED ($rc); again with LLAMO_LLAMA_CPP_NATIVE_LOGS=1 (llama.cpp's own log, last 40 lines):"
  LLAMO_LLAMA_CPP_NATIVE_LOGS=1 timeout 120 "$PY" "$REPO/tools/gpu_check.py" llm --assets "$ASSETS" \
    --json "$RESULTS/llm_native_logs.json" > "$RESULTS/llm_native_logs.log" 2>&1
  echo "llm (native logs): rc $?"
  tail -40 "$RESULTS/llm_native_logs.log"
fi
step done "results in $RESULTS"
