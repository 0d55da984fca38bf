"""The mmpose models as the graphs `export/export_mmpose.py` exports and `benchmark.pose` times (torch modules).

Each wraps an OpenMMLab model and returns plain tensors: no data samples, no post-processing, so the traced
ONNX graph holds exactly the network (`onnx_backend` does the rest in numpy).
"""
from __future__ import annotations

import torch


class RTMPoseSimCC(torch.nn.Module):
    """RTMPose backbone + neck + RTMCC head -> (simcc_x, simcc_y), optionally with flip test."""

    def __init__(self, model, flip_test: bool = True):
        super().__init__()
        self.model = model
        self.flip_test = flip_test
        self.register_buffer("flip_indices", torch.tensor(model.dataset_meta["flip_indices"], dtype=torch.long),
                             persistent=False)

    def forward(self, image: torch.Tensor):
        simcc_x, simcc_y = self.model.head(self.model.extract_feat(image))
        if not self.flip_test:
            return simcc_x, simcc_y
        flip_x, flip_y = self.model.head(self.model.extract_feat(image.flip(3)))
        flip_x = flip_x[:, self.flip_indices].flip(-1)
        flip_y = flip_y[:, self.flip_indices]
        return (simcc_x + flip_x) * 0.5, (simcc_y + flip_y) * 0.5


class RTMDetRawHead(torch.nn.Module):
    """RTMDet backbone + neck + head -> per-level (class logits..., box distances...), no post-processing."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        cls_logits, box_distances = self.model.bbox_head(self.model.extract_feat(image))
        return (*cls_logits, *box_distances)


class VideoPoseLifter(torch.nn.Module):
    """VideoPose3D TCN backbone + temporal regression head -> (B, 17, 3)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, keypoints_2d: torch.Tensor) -> torch.Tensor:
        return self.model.head(self.model.backbone(keypoints_2d))
