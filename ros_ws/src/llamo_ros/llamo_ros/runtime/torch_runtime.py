"""PyTorch eager runtime of the motion model: the reference every other runtime is tested against."""
from __future__ import annotations

import os

import numpy as np
import torch

from llamo_ros.motion.encoder import MotionModel
from llamo_ros.runtime.motion_runtime import check_features


class TorchMotionRuntime:
    """MotionModel (eval mode) on `device`; (B, T, 80) float32 numpy -> (probs (B, 10), path (B, 20, 3))."""

    def __init__(self, model: MotionModel, device: str = "cpu"):
        self.model = model.to(device).eval()
        self.device = device
        self.name = f"torch:{device}"

    @classmethod
    def from_checkpoint(cls, checkpoint_dir: str | os.PathLike, device: str = "cpu") -> "TorchMotionRuntime":
        """From a checkpoint dir (config.json + motion_model.safetensors)."""
        from llamo_ros.language.api import load_motion_model
        return cls(load_motion_model(checkpoint_dir, device), device)

    @torch.inference_mode()
    def __call__(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = torch.from_numpy(check_features(features)).to(self.device)
        probs, path, _ = self.model(x)
        return probs.float().cpu().numpy(), path.float().cpu().numpy()
