import math
import time

import numpy as np
import pytest
import torch

from llamo_ros.motion.encoder import (MotionEncoderConfig, MotionModel, constant_velocity_path,
                                     fit_path_mode_temperature)
from llamo_ros.motion.features import NUM_FEATURES, ROOT_VEL, VALID
from llamo_ros.motion.intents import NUM_INTENTS


def tiny_config(**kw):
    return MotionEncoderConfig(n_embd=32, n_layer=2, n_head=4, **kw)


def test_config_validation():
    with pytest.raises(ValueError, match="divisible"):
        MotionEncoderConfig(n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="patch_size"):
        MotionEncoderConfig(patch_size=0)
    with pytest.raises(ValueError, match="dropout"):
        MotionEncoderConfig(dropout=1.5)


def test_shapes_and_dynamic_length():
    torch.manual_seed(0)
    model = MotionModel(tiny_config()).eval()
    for B, T in [(1, 32), (3, 16), (2, 4)]:
        probs, path, tokens = model(torch.randn(B, T, NUM_FEATURES))
        assert probs.shape == (B, NUM_INTENTS) and path.shape == (B, 20, 3) and tokens.shape == (B, T // 4, 32)
        torch.testing.assert_close(probs.sum(-1), torch.ones(B))


def test_path_head_starts_at_constant_velocity():
    model = MotionModel(tiny_config()).eval()
    x = torch.zeros(1, 32, NUM_FEATURES)
    x[..., VALID] = 1.0
    x[..., ROOT_VEL] = torch.tensor([0.5, 0.0, -1.0])
    _, path, _ = model(x)
    torch.testing.assert_close(path[0, -1], torch.tensor([1.0, 0.0, -2.0]))  # 2 s ahead
    steps = torch.arange(1, 21, dtype=torch.float32).view(1, -1, 1) / 10
    torch.testing.assert_close(constant_velocity_path(x, steps), path)


def test_path_prior_averages_velocity_over_the_configured_window():
    # a root jittering +-0.4 m/s around 1 m/s: the 1 s prior sees the mean, the 0.3 s prior the jitter
    x = torch.zeros(1, 32, NUM_FEATURES)
    x[..., VALID] = 1.0
    x[0, :, ROOT_VEL.start] = 1.0 + 0.4 * torch.tensor([(-1.0) ** k for k in range(32)])
    steps = torch.ones(1, 1, 1)
    assert constant_velocity_path(x, steps, 10)[0, 0, 0].item() == pytest.approx(1.0)
    assert constant_velocity_path(x, steps, 3)[0, 0, 0].item() == pytest.approx(1.0 - 0.4 / 3)
    model = MotionModel(MotionEncoderConfig(n_embd=32, n_head=2, n_layer=1, cv_window_frames=10)).eval()
    _, path, _ = model(x)
    assert path[0, 9, 0].item() == pytest.approx(1.0)  # zero-initialised residual: the 1 s prior, 1 s ahead


def test_temperature_fit_reduces_nll():
    model = MotionModel(tiny_config())
    torch.manual_seed(0)
    labels = torch.randint(0, 10, (200,))
    pred = torch.where(torch.rand(200) < 0.3, torch.randint(0, 10, (200,)), labels)  # 70 % right
    logits = torch.nn.functional.one_hot(pred, 10).float() * 10.0 + torch.randn(200, 10)  # overconfident
    before = torch.nn.functional.cross_entropy(logits, labels)
    t = model.fit_temperature(logits, labels)
    after = torch.nn.functional.cross_entropy(logits / t, labels)
    assert t > 1.0 and after < before


def test_latency_default_config_under_5ms():
    torch.set_num_threads(1)
    model = MotionModel(MotionEncoderConfig()).eval()
    x = torch.randn(1, 32, NUM_FEATURES)
    with torch.inference_mode():
        for _ in range(10):
            model(x)
        times = []
        for _ in range(100):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    ms = float(np.median(times)) * 1e3  # median: robust to other processes on this shared CPU
    assert ms < 5.0, f"{ms:.2f} ms"


@pytest.mark.slow
def test_onnx_export_matches_pytorch(tmp_path):
    """ONNX (onnxruntime, CPU) vs PyTorch eager: atol 1e-4 on probabilities, paths and tokens."""
    import onnxruntime as ort

    from llamo_ros.runtime.motion_onnx import export_motion_onnx

    torch.manual_seed(0)
    # the shipped head layout: three modes mixed at temperature 0.3, the root's track read over 20 frames (windows
    # of 4 and 16 pad it)
    model = MotionModel(MotionEncoderConfig(path_modes=3, path_history_frames=20, path_mode_temperature=0.3)).eval()
    torch.nn.init.normal_(model.path_head.net[-1].weight, std=0.1)  # residuals that depend on the inputs
    path = export_motion_onnx(model, tmp_path / "enc.onnx")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    for B, T in [(1, 32), (4, 32), (3, 16), (7, 64), (1, 4)]:
        x = torch.randn(B, T, NUM_FEATURES)
        with torch.no_grad():
            ref = model(x)
        got = sess.run(None, {"features": x.numpy()})
        for r, g in zip(ref, got):
            assert g.shape == tuple(r.shape)
            np.testing.assert_allclose(g, r.numpy(), atol=1e-4, rtol=1e-4)


def test_multi_mode_path_head_returns_its_most_likely_mode_and_trains_the_winner():
    from llamo_ros.motion.encoder import PathHead, path_loss, pool_tokens
    torch.manual_seed(0)
    config = MotionEncoderConfig(n_embd=32, n_head=2, n_layer=1, path_modes=3)
    head = PathHead(config).eval()
    tokens, features = torch.randn(4, 8, 32), torch.zeros(4, 32, NUM_FEATURES)
    residuals, logits = head.hypotheses(pool_tokens(tokens))
    assert residuals.shape == (4, 3, 20, 3) and logits.shape == (4, 3)
    best = logits.argmax(-1)
    torch.testing.assert_close(head(tokens, features), residuals[torch.arange(4), best])  # zero velocity: cv = 0
    # winner-takes-all: only the mode closest to the target gets the L1 gradient
    target = residuals[:, 1].detach() * 1.01  # nearest to mode 1 by far
    loss = path_loss(head, pool_tokens(tokens), torch.zeros(4, 20, 3), target, torch.ones(4, 20))
    loss.backward()
    grad = head.net[-1].weight.grad[:3 * 20 * 3].view(3, 20 * 3, -1).abs().sum(dim=(1, 2))
    assert grad[1] > 0 and grad[0] == 0 and grad[2] == 0


def _two_mode_head(logits: tuple[float, float]):
    """A two-mode head whose modes are constant: +1 m and -1 m along x at every point, with these logits."""
    from llamo_ros.motion.encoder import PathHead
    head = PathHead(MotionEncoderConfig(n_embd=32, n_head=2, n_layer=1, path_modes=2)).eval()
    with torch.no_grad():
        head.net[-1].weight.zero_()
        residuals = torch.zeros(2, 20, 3)
        residuals[0, :, 0], residuals[1, :, 0] = 1.0, -1.0
        head.net[-1].bias.copy_(torch.cat([residuals.flatten(), torch.tensor(logits)]))
    return head


def test_path_head_mixes_its_modes_by_their_tempered_probabilities():
    from llamo_ros.motion.encoder import pool_tokens
    head = _two_mode_head((math.log(3.0), 0.0))   # p = 0.75 / 0.25
    tokens, features = torch.randn(2, 8, 32), torch.zeros(2, 32, NUM_FEATURES)  # zero velocity: cv = 0
    with torch.no_grad():
        assert torch.allclose(head(tokens, features)[..., 0], torch.ones(2, 20))          # T = 0: the likelier mode
        head.mode_temperature = 1.0                                                        # 0.75 - 0.25
        assert torch.allclose(head(tokens, features)[..., 0], torch.full((2, 20), 0.5), atol=1e-6)
        head.mode_temperature = 0.5                                                        # 9:1 -> 0.9 - 0.1
        assert torch.allclose(head(tokens, features)[..., 0], torch.full((2, 20), 0.8), atol=1e-6)
        assert torch.all(head(tokens, features)[..., 1:] == 0)
    # the fit: equal logits and the futures mostly on the mode argmax does not pick -> hedge (error 1 m instead
    # of 1.5 m); the likelier mode always right -> no hedging
    inputs = pool_tokens(tokens).repeat(2, 1)                                             # (4, 64)
    mask, cv = torch.ones(4, 20), torch.zeros(4, 20, 3)
    split = torch.zeros(4, 20, 3)
    split[:1, :, 0], split[1:, :, 0] = 1.0, -1.0
    fitted, errors = fit_path_mode_temperature(_two_mode_head((0.0, 0.0)), inputs, cv, split, mask,
                                               grid=(0.0, 0.5, 1.0))
    assert fitted == 0.5          # any T > 0 gives the mean, 0 m; the smallest
    assert errors[0.0] == pytest.approx(1.5) and errors[1.0] == pytest.approx(1.0)
    always_first = torch.zeros(4, 20, 3)
    always_first[..., 0] = 1.0
    assert fit_path_mode_temperature(head, inputs, cv, always_first, mask, grid=(0.0, 0.5, 1.0))[0] == 0.0
    with pytest.raises(ValueError, match="path_mode_temperature"):
        MotionEncoderConfig(path_mode_temperature=-1.0)


def test_path_head_reads_the_roots_track_over_its_history_frames():
    from llamo_ros.motion.encoder import ROOT_TRACK, PathHead
    from llamo_ros.motion.features import POSE
    torch.manual_seed(0)
    head = PathHead(MotionEncoderConfig(n_embd=32, n_head=2, n_layer=1, path_history_frames=10)).eval()
    torch.nn.init.normal_(head.net[-1].weight, std=0.1)
    tokens, features = torch.randn(2, 8, 32), torch.randn(2, 32, NUM_FEATURES)
    inputs = head.inputs(tokens, features)
    assert inputs.shape == (2, 64 + 10 * 12)
    torch.testing.assert_close(inputs[:, 64:].view(2, 10, 12), features[:, -10:, ROOT_TRACK])
    moved = features.clone()
    moved[:, -1, ROOT_VEL] += 1.0     # the root's latest velocity: the residual sees it (besides the prior)
    assert not torch.allclose(head.hypotheses(head.inputs(tokens, moved))[0], head.hypotheses(inputs)[0])
    posed = features.clone()
    posed[:, :, POSE] += 1.0          # the pose reaches the head only through the tokens
    torch.testing.assert_close(head.inputs(tokens, posed), inputs)
    older = features.clone()
    older[:, :-10, ROOT_TRACK] += 1.0  # frames before the history window are not read
    torch.testing.assert_close(head.inputs(tokens, older), inputs)
    short = head.inputs(tokens, features[:, -4:])  # a 4-frame window: front-padded with zeros (VALID = 0)
    assert torch.all(short[:, 64:].view(2, 10, 12)[:, :6] == 0)
    torch.testing.assert_close(short[:, 64:].view(2, 10, 12)[:, 6:], features[:, -4:, ROOT_TRACK])
