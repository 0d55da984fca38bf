"""Motion-model runtimes behind one call signature, and the TensorRT engine pipeline.

Every runtime is called like the PyTorch motion model's inference API (torch2trt style):

    runtime = select_motion_runtime(MotionRuntimeConfig(onnx_path="out/motion_encoder.onnx",
                                                        checkpoint_dir="models/motion_llm_demo"))
    probs, path = runtime(features)   # (B, T, 80) float32 -> (B, 10) probabilities, (B, 20, 3) metres

Modules (one concept each):
    motion_runtime     the MotionRuntime protocol and its input contract
    torch_runtime      PyTorch eager (the reference)
    onnx_runtime       onnxruntime (CUDA then CPU execution provider)
    tensorrt_compat    the ONLY place that knows TensorRT 10 vs 11 differences; imports tensorrt lazily
    trt_runtime        a serialized TensorRT engine run on CUDA tensors via torch
    trt_engine_plan    what to build: shape profile, precision plan per TensorRT version (pure, testable)
    fp16_onnx          fp32 ONNX -> fp16 ONNX (for TensorRT 11's strongly typed networks)
    calibration        INT8 calibration windows from the procedural generator or a recorded .npy
    engine_cache       engine + metadata JSON cached by GPU name, TensorRT version and ONNX sha256
    trt_engine_build   ONNX -> serialized engine (needs tensorrt + CUDA)
    selection          select_motion_runtime: TensorRT -> onnxruntime -> PyTorch, logging why
"""
from llamo_ros.runtime.motion_runtime import MotionRuntime
from llamo_ros.runtime.selection import MotionRuntimeConfig, select_motion_runtime

__all__ = ["MotionRuntime", "MotionRuntimeConfig", "select_motion_runtime"]
