"""TensorRT runtime of the motion model: a serialized engine run on CUDA tensors through torch.

No pycuda / cuda-python: torch owns the device memory and the stream; TensorRT's name-based tensor
API (set_input_shape / set_tensor_address / execute_async_v3, the same in TensorRT 10 and 11) runs it.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from llamo_ros.runtime import tensorrt_compat as compat
from llamo_ros.runtime.motion_runtime import INPUT_NAME, OUTPUT_NAMES, check_features


class TensorRTMotionRuntime:
    """A motion-model engine on `device`; (B, T, 80) float32 numpy -> (probs (B, 10), path (B, 20, 3))."""

    def __init__(self, engine_path: str | os.PathLike, device: str = "cuda:0"):
        import torch

        self._trt = trt = compat.import_tensorrt()
        self.device = torch.device(device)
        self.engine_path = Path(engine_path)
        self._logger = trt.Logger(trt.Logger.WARNING)
        self._runtime = trt.Runtime(self._logger)
        self.engine = self._runtime.deserialize_cuda_engine(self.engine_path.read_bytes())
        if self.engine is None:
            raise RuntimeError(f"TensorRT {trt.__version__} could not load {engine_path} (built for another "
                               "GPU or TensorRT version?)")
        self.context = self.engine.create_execution_context()
        names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
        if set(names) != {INPUT_NAME, *OUTPUT_NAMES}:
            raise ValueError(f"{engine_path}: unexpected I/O tensors {names}")
        self._dtypes = {n: compat.torch_dtype(trt, self.engine.get_tensor_dtype(n)) for n in names}
        self.name = f"tensorrt:{trt.__version__}:{torch.cuda.get_device_name(self.device)}"

    def __call__(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import torch

        x = torch.from_numpy(check_features(features)).to(self.device, self._dtypes[INPUT_NAME])
        with torch.cuda.device(self.device):
            stream = torch.cuda.current_stream(self.device)
            if not self.context.set_input_shape(INPUT_NAME, tuple(x.shape)):
                raise ValueError(f"features {tuple(x.shape)} outside the engine's optimisation profile")
            self.context.set_tensor_address(INPUT_NAME, x.data_ptr())
            outputs = {}
            for name in OUTPUT_NAMES:
                shape = tuple(self.context.get_tensor_shape(name))
                outputs[name] = torch.empty(shape, dtype=self._dtypes[name], device=self.device)
                self.context.set_tensor_address(name, outputs[name].data_ptr())
            if not self.context.execute_async_v3(stream.cuda_stream):
                raise RuntimeError("TensorRT execute_async_v3 failed")
            stream.synchronize()
        return (outputs[OUTPUT_NAMES[0]].float().cpu().numpy(), outputs[OUTPUT_NAMES[1]].float().cpu().numpy())
