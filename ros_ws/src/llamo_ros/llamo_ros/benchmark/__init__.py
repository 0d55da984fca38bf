"""Benchmark suite: `python -m llamo_ros.benchmark` (table on stdout, JSON + PNG chart in --out).

Modules: motion (encoder + heads, PyTorch vs onnxruntime), llm (decode tokens/s and first-token latency,
fp32 vs int8, GGUF if llama-cpp-python is installed), hooks (pose fps and the end-to-end/replay slot),
report (table, JSON, chart), pose (pose backends' latency, MediaPipe settings, PyTorch vs onnxruntime),
replay (whole-pipeline bag replay on vtest.avi, compressed vs raw bags), descriptor_check and kinematic_checks.
Single-threaded by default so runs are comparable on a shared CPU.
"""
