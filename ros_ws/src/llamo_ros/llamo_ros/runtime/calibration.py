"""INT8 calibration data: representative motion windows, batched as the engine's input.

Windows come from the procedural generator (`llamo_ros.data.motion_synth.generate_clip`, the same
feature pipeline as the ROS node: `motion.windows.clip_windows`) or from a recorded .npy of real
feature windows (N, T, 80) float32 (e.g. dumped from a replayed bag). The same array feeds
    - TensorRT 10: `make_entropy_calibrator` (IInt8EntropyCalibrator2, CUDA tensors via torch);
    - TensorRT 11: NVIDIA ModelOpt's ONNX PTQ (`--calibration_data calib.npy`) on the GPU machine.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from llamo_ros.motion.features import NUM_FEATURES
from llamo_ros.runtime.motion_runtime import INPUT_NAME


def synthetic_windows(num_windows: int = 256, window_frames: int = 32, first_seed: int = 0,
                      stride_s: float = 0.5) -> np.ndarray:
    """(num_windows, window_frames, 80) float32 feature windows from generated clips, seeds first_seed, ..."""
    from llamo_ros.data.motion_synth import generate_clip
    from llamo_ros.motion.windows import clip_windows

    if num_windows < 1:
        raise ValueError(f"num_windows must be >= 1, got {num_windows}")
    out, seed = [], first_seed
    while len(out) < num_windows:
        clip = generate_clip(seed)
        out += [s.features for s in clip_windows(clip, stride_s=stride_s, window_frames=window_frames)]
        seed += 1
    return np.stack(out[:num_windows]).astype(np.float32)


def load_windows(path: str | os.PathLike) -> np.ndarray:
    """A recorded (N, T, 80) float32 .npy of feature windows (no pickles), validated."""
    windows = np.load(Path(path), allow_pickle=False)
    if windows.ndim != 3 or windows.shape[2] != NUM_FEATURES or windows.shape[0] < 1:
        raise ValueError(f"{path}: calibration windows must be (N, T, {NUM_FEATURES}), got {windows.shape}")
    if not np.isfinite(windows).all():
        raise ValueError(f"{path}: calibration windows contain NaN or inf")
    return windows.astype(np.float32, copy=False)


def calibration_batches(windows: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Full batches (batch_size, T, 80) float32 C-contiguous; a trailing partial batch is dropped
    (TensorRT calibrators have one fixed batch size)."""
    if batch_size < 1 or len(windows) < batch_size:
        raise ValueError(f"need batch_size >= 1 and at least one full batch; got {batch_size} for {len(windows)}")
    n = len(windows) // batch_size
    return [np.ascontiguousarray(windows[i * batch_size:(i + 1) * batch_size], dtype=np.float32) for i in range(n)]


def make_entropy_calibrator(trt, batches: list[np.ndarray], cache_file: str | os.PathLike | None = None):
    """A trt.IInt8EntropyCalibrator2 (TensorRT 10) that feeds `batches` from CUDA memory (torch).

    cache_file: where TensorRT's calibration table is read from / written to (skips recalibration).
    """
    import torch

    from llamo_ros.runtime.tensorrt_compat import entropy_calibrator_base

    base = entropy_calibrator_base(trt)

    class MotionEntropyCalibrator(base):
        def __init__(self):
            base.__init__(self)
            self.batches, self.index = batches, 0
            self.cache_file = Path(cache_file) if cache_file else None
            self.current = None  # keeps the CUDA tensor alive while TensorRT reads it

        def get_batch_size(self) -> int:
            return int(self.batches[0].shape[0])

        def get_batch(self, names):
            if self.index >= len(self.batches):
                return None
            assert list(names) == [INPUT_NAME], names
            self.current = torch.from_numpy(self.batches[self.index]).cuda()
            self.index += 1
            return [int(self.current.data_ptr())]

        def read_calibration_cache(self):
            if self.cache_file is not None and self.cache_file.is_file():
                return self.cache_file.read_bytes()
            return None

        def write_calibration_cache(self, cache) -> None:
            if self.cache_file is not None:
                self.cache_file.parent.mkdir(parents=True, exist_ok=True)
                self.cache_file.write_bytes(bytes(cache))

    return MotionEntropyCalibrator()
