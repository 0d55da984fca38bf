"""The encoder's invariance fine-tuning (`training.invariant_encoder`): paired windows and the distillation loss."""
from __future__ import annotations

import copy

import numpy as np
import torch

from llamo_ros.motion import features as F
from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel
from llamo_ros.training.invariant_encoder import distillation_loss, paired_features, teacher_tokens


def test_paired_windows_differ_only_in_the_joints_not_the_root():
    """Same clips, same windows: the pose channels differ in every window; the root channels only in windows where
    the pelvis was lost and the wobbling hips stood in for it (the wobble leaves the pelvis alone)."""
    plain, wobbly = paired_features(0, 1, 1)
    assert plain.shape == wobbly.shape and len(plain) > 0
    root = np.r_[F.ROOT_POS.start:F.ROOT_VEL.stop, F.VALID.start]
    same_root = (plain[..., root] - wobbly[..., root]).abs().amax(dim=(1, 2)) < 1e-5        # (N,)
    assert same_root.float().mean() > 0.25   # a window loses the pelvis for a few frames ~ every other time
    assert bool(((plain[..., F.POSE] - wobbly[..., F.POSE]).abs().amax(dim=(1, 2)) > 0.01).all())


def test_distillation_pulls_wobbly_tokens_to_the_teachers_tokens_of_the_plain_window():
    """Zero for the teacher itself on identical windows, positive with the wobble; a few optimiser steps lower it
    for a student that starts away from the teacher, while the teacher stays frozen."""
    torch.manual_seed(0)
    plain, wobbly = paired_features(0, 1, 1)
    plain, wobbly = plain[:64], wobbly[:64]
    model = MotionModel(MotionEncoderConfig()).eval()
    teacher = copy.deepcopy(model.encoder).requires_grad_(False)
    target = teacher_tokens(teacher, plain)
    scale = float(target.var())
    with torch.no_grad():
        assert distillation_loss(teacher, plain, plain, target, scale).item() < 1e-10
        assert distillation_loss(teacher, plain, wobbly, target, scale).item() > 1e-4
        for p in model.encoder.parameters():
            p.add_(0.05 * torch.randn_like(p))
        before = distillation_loss(model.encoder, plain, wobbly, target, scale).item()
    frozen = [p.clone() for p in teacher.parameters()]
    opt = torch.optim.Adam(model.encoder.parameters(), lr=1e-3)
    for _ in range(30):
        loss = distillation_loss(model.encoder, plain, wobbly, target, scale)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        after = distillation_loss(model.encoder, plain, wobbly, target, scale).item()
    assert after < 0.7 * before
    assert all(torch.equal(a, b) for a, b in zip(frozen, teacher.parameters()))
