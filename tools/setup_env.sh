#!/usr/bin/env bash
# One idempotent set-up of llamo_ros on a fresh Debian 12 / Python 3.11 machine, from the package
# registries alone: the virtual environment, ROS 2 Kilted wheels, the Python stack, sample media and a
# colcon build of the workspace. Each step is skipped when its inputs have not changed since it last ran.
# `--with-mmpose` also sets up the OpenMMLab stack for the mmpose backend (mmcv is built once into the wheel
# cache, 15-40 min on 2 cores); the default pipeline (MediaPipe) never needs it, so `make demo` skips it.
# `--with-smplx` installs the optional, non-commercially licensed smplx (AMASS loader and its tests).
# `--with-llama-cpp` installs the llama.cpp binding (a 320 MB wheel): describe/answer then run on llama.cpp.
# `--distro jazzy` (or LLAMO_ROS_DISTRO=jazzy) sets up ROS 2 Jazzy instead of Kilted, in its own venv
# (.venv-jazzy) and its own colcon build (ros_ws/install-jazzy), beside the default Kilted one.
set -euo pipefail
WITH_MMPOSE=0
WITH_SMPLX=0
WITH_LLAMA_CPP=0
DISTRO=${LLAMO_ROS_DISTRO:-kilted}
while [ $# -gt 0 ]; do
  case "$1" in
    --with-mmpose) WITH_MMPOSE=1 ;;
    --with-smplx) WITH_SMPLX=1 ;;
    --with-llama-cpp) WITH_LLAMA_CPP=1 ;;
    --distro) DISTRO=${2:?--distro needs kilted or jazzy}; shift ;;
    *) echo "setup: unknown option $1 (known: --with-mmpose --with-smplx --with-llama-cpp --distro kilted|jazzy)" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
REPO=$(pwd)
case "$DISTRO" in
  kilted) REQUIREMENTS=requirements/requirements.txt CONSTRAINTS=requirements/constraints.txt
          VENV=${LLAMO_VENV:-$REPO/.venv} BUILD_SUFFIX="" ;;
  jazzy)  REQUIREMENTS=requirements/jazzy.txt CONSTRAINTS=requirements/constraints-jazzy.txt
          VENV=${LLAMO_JAZZY_VENV:-$REPO/.venv-jazzy} BUILD_SUFFIX="-jazzy" ;;
  *) echo "setup: unknown ROS 2 distribution $DISTRO (kilted or jazzy)" >&2; exit 2 ;;
esac
if [ "$DISTRO" != kilted ] && [ "$WITH_MMPOSE$WITH_SMPLX$WITH_LLAMA_CPP" != 000 ]; then
  echo "setup: --with-mmpose/--with-smplx/--with-llama-cpp are for the default (Kilted) environment only" >&2; exit 2
fi
CACHE=${LLAMO_CACHE_DIR:-$HOME/.cache/llamo_ros}
PYTHON=${PYTHON:-python3.11}
STAMPS=$VENV/.llamo_stamps
mkdir -p "$CACHE"

step=0
progress() { step=$((step + 1)); printf '\n[setup %d/7] %s\n' "$step" "$*"; }
# A step's stamp holds the hash of its inputs; the step reruns only when they change.
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }
done_already() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
mark_done() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

progress "virtual environment ($VENV)"
if ! command -v "$PYTHON" >/dev/null; then
  echo "setup: $PYTHON not found; llamo_ros needs Python 3.11 (the ROS 2 Kilted wheels are cp311)" >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
h=$(inputs_hash requirements/python.txt "$REQUIREMENTS" requirements/no-deps.txt "$CONSTRAINTS")
if done_already python-stack "$h"; then
  echo "up to date"
else
  "${PIP[@]}" install --progress-bar off -q "pip<25" "setuptools<81" wheel
  progress "Python stack and ROS 2 $DISTRO wheels (about 2 min on a fresh machine)"
  "${PIP[@]}" install --progress-bar off -r "$REQUIREMENTS" -c "$CONSTRAINTS" \
    2>&1 | grep -v -e "is ignored: it is neither a file nor a directory" | grep -E "^(Successfully|ERROR|error)" || true
  "${PIP[@]}" install --progress-bar off -q --no-deps -r requirements/no-deps.txt -c "$CONSTRAINTS" \
    2>&1 | grep -v -e "is ignored: it is neither a file nor a directory" || true
  "${PIP[@]}" check >/dev/null 2>&1 || echo "note: pip check reports unmet optional dependencies (expected for --no-deps packages)"
  "$VENV/bin/python" -c "import rclpy, torch, numpy, mediapipe, ai_edge_litert, transformers, rosbags; print('imports ok: torch', torch.__version__, 'numpy', numpy.__version__)"
  mark_done python-stack "$h"
fi
[ "$step" -ge 2 ] || progress "Python stack: up to date"

progress "OpenMMLab stack for the mmpose pose backend (mmcv 2.1.0 with ops, from the wheel cache)"
WHEELS=$CACHE/wheels
mkdir -p "$WHEELS" "$CACHE/logs"
h=$(inputs_hash requirements/mmpose.txt requirements/constraints.txt)
if [ "$WITH_MMPOSE" = 0 ]; then
  echo "skipped (the default MediaPipe pipeline does not use it; 'make setup-mmpose' sets it up)"
elif done_already openmmlab "$h" && "$VENV/bin/python" -c "import mmcv.ops" 2>/dev/null; then
  echo "up to date"
else
  if ! ls "$WHEELS"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    # mmcv 2.1.0 is source-only on PyPI; its compiled ops (nms, ...) take 15-40 min on 2 cores: build once
    echo "building mmcv 2.1.0 with ops into $WHEELS (15-40 min, once per machine); log: $CACHE/logs/mmcv-build.log"
    "${PIP[@]}" install -q ninja 2>&1 | grep -v "is ignored" || true
    ( while sleep 60; do printf '  mmcv build: %s compiled objects\n' "$(find /tmp -path '*mmcv*' -name '*.o' 2>/dev/null | wc -l)"; done ) &
    ticker=$!
    MMCV_WITH_OPS=1 MAX_JOBS=2 "${PIP[@]}" wheel --no-deps --no-build-isolation -w "$WHEELS" mmcv==2.1.0 \
      > "$CACHE/logs/mmcv-build.log" 2>&1 || { kill $ticker; tail -20 "$CACHE/logs/mmcv-build.log"; exit 1; }
    kill $ticker
  fi
  "${PIP[@]}" install -q --no-deps "$(ls "$WHEELS"/mmcv-2.1.0-*.whl | head -1)"
  "${PIP[@]}" install -q --no-deps -r requirements/mmpose.txt -c requirements/constraints.txt 2>&1 | grep -v "is ignored" || true
  PYTHONPATH=ros_ws/src/llamo_ros "$VENV/bin/python" -c "from llamo_ros.pose.mmpose_runtime import import_mmpose_apis; import_mmpose_apis(); print('mmpose importable')"
  mark_done openmmlab "$h"
fi

if [ "$WITH_SMPLX" = 1 ]; then
  # optional extra under a non-commercial licence: only the AMASS/SMPL loader and its tests use it
  "${PIP[@]}" install --progress-bar off -q -r requirements/smplx.txt -c requirements/constraints.txt
fi

if [ "$WITH_LLAMA_CPP" = 1 ]; then
  # llama.cpp runtime of the LLM: the prebuilt wheel (320 MB download: 6 s on this host's mirror, no build), then,
  # where cmake and a C++ compiler exist, llama.cpp built for this CPU (~2 min on 2 cores): on AVX-512 hosts it
  # runs 2x the wheel's AVX2 module (docs/benchmarks.md) and the runtime prefers it
  h=$(inputs_hash requirements/llama-cpp.txt tools/build_llama_cpp.sh tools/llama_cpp_cffi_build.py \
    models/motion_llm_demo/config.json models/motion_llm_demo/lora.safetensors)
  if done_already llama-cpp "$h"; then
    echo "llama.cpp binding: up to date"
  else
    "${PIP[@]}" install --progress-bar off -q --no-deps -r requirements/llama-cpp.txt 2>&1 | grep -v "is ignored" || true
    if command -v cmake >/dev/null && command -v c++ >/dev/null; then
      PYTHON="$VENV/bin/python" LLAMO_CACHE_DIR=$CACHE bash tools/build_llama_cpp.sh > "$CACHE/logs/llama-cpp-build.log" 2>&1 \
        || { tail -20 "$CACHE/logs/llama-cpp-build.log"; echo "llama.cpp native build failed: the wheel's module is used"; }
    else
      echo "llama.cpp native build skipped (no cmake or C++ compiler): the wheel's AVX2 module is used"
    fi
    PYTHONPATH=ros_ws/src/llamo_ros LLAMO_CACHE_DIR=$CACHE "$VENV/bin/python" -c "from llamo_ros.language.llama_cpp_runtime import binding_available as b; ok, why = b(); print('llama.cpp binding:', why); raise SystemExit(0 if ok else 1)"
    # the shipped checkpoint's GGUF export now, so that the first node start does not pay for it (~30 s, once)
    OMP_NUM_THREADS=1 LLAMO_CACHE_DIR=$CACHE "$VENV/bin/python" export/export_gguf.py --cache 2>&1 | grep -v -i warn | tail -2
    mark_done llama-cpp "$h"
  fi
fi

progress "rewrite the ROS wheels' build-machine include paths"
"$VENV/bin/python" tools/fix_rosidl_include_paths.py

progress "sample media of real people (Debian opencv-doc: basketball, messi, vtest.avi)"
LLAMO_OPENCV_DOC_DIR=${LLAMO_OPENCV_DOC_DIR:-$CACHE/opencv-doc} PYTHONPATH=ros_ws/src/llamo_ros \
  "$VENV/bin/python" -m llamo_ros.data.sample_media

progress "colcon build of ros_ws (ROS 2 $DISTRO: ros_ws/install$BUILD_SUFFIX)"
# The installed package carries launch/ and models/ too, so they are inputs of the build.
h=$(cd ros_ws/src && find . -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
h="$h-$(find launch models -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum | sha256sum | cut -c1-16 || true)"
if done_already colcon "$h" && [ -f "ros_ws/install$BUILD_SUFFIX/setup.bash" ]; then
  echo "up to date"
else
  (
    cd ros_ws
    export AMENT_PREFIX_PATH=$VENV CMAKE_PREFIX_PATH=$VENV
    "$VENV/bin/colcon" --log-base "log$BUILD_SUFFIX" build --build-base "build$BUILD_SUFFIX" \
      --install-base "install$BUILD_SUFFIX" --event-handlers console_direct- console_start_end+ \
      --cmake-args -DPython3_EXECUTABLE="$VENV/bin/python" -DBUILD_TESTING=OFF
  )
  mark_done colcon "$h"
fi

progress "check"
bash -c "source ros_ws/install$BUILD_SUFFIX/setup.bash && '$VENV/bin/python' -c 'import llamo_ros, llamo_msgs.msg; print(\"llamo_ros\", llamo_ros.__version__, \"and llamo_msgs importable\")'"
echo "setup: done"
