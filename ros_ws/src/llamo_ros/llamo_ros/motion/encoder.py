"""Motion encoder and its task heads, nanoGPT style.

MotionEncoder: features (B, T, C) at 10 Hz (see `llamo_ros.motion.features`) -> motion tokens (B, N, D),
one token per temporal patch of `patch_size` frames (N = T // patch_size; trailing frames that do not
fill a patch are dropped, so feed T as a multiple of patch_size - the default window is 32 frames ->
8 tokens). The tokens go to the LLM through the projector (`llamo_ros.language.model`) and to:
  IntentHead: pooled tokens -> intent logits (B, NUM_INTENTS), divided by a temperature fitted after
              training on held-out data (calibration; `temperature` is a buffer saved in checkpoints).
  PathHead:   pooled tokens (+ the last `path_history_frames` frames of the root channels) -> future pelvis
              path (B, H, 3) relative to the pelvis "now", camera frame, metres: a constant-velocity
              extrapolation of the input's ROOT_VEL averaged over the last `cv_window_frames` (a smoothed
              velocity: real roots jitter) plus a learned residual.

All ops (conv1d, layernorm, scaled_dot_product_attention, slicing by the dynamic token count) export
with the dynamo ONNX exporter at opset 18 with dynamic batch and window length.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from llamo_ros.motion.features import FACING, FEATURE_RATE_HZ, NUM_FEATURES, ROOT_VEL, VALID
from llamo_ros.motion.intents import NUM_INTENTS

CV_VELOCITY_FRAMES = 3  # checkpoints before 2026-11-29: the path prior's velocity is the mean over 0.3 s
# The root's track in the features: facing, pelvis position, position relative to now, velocity, valid (12 per frame)
ROOT_TRACK = slice(FACING.start, VALID.stop)


@dataclass
class MotionEncoderConfig:
    in_features: int = NUM_FEATURES   # channels per frame, the features module's layout
    patch_size: int = 4               # frames per motion token (0.4 s at 10 Hz)
    max_tokens: int = 16              # longest window in tokens (learned positions); 16 -> 6.4 s
    n_embd: int = 128                 # token width
    n_layer: int = 3                  # transformer blocks
    n_head: int = 4                   # attention heads; must divide n_embd
    dropout: float = 0.1              # dropout in attention/MLP during training
    num_intents: int = NUM_INTENTS    # intent classes (llamo_ros.motion.intents)
    path_horizon: int = 20            # future path points (2 s at 10 Hz)
    path_rate_hz: float = FEATURE_RATE_HZ  # rate of the future path points
    cv_window_frames: int = CV_VELOCITY_FRAMES  # path prior: mean root velocity over this many last frames (10 = 1 s)
    path_modes: int = 1               # future paths the path head proposes (PathHead)
    # what the head returns with several modes: 0, the most likely mode; T > 0, the modes' mean weighted by
    # softmax(logits / T) (T = 1: the expected future; smaller T leans to the likeliest), fitted by
    # `fit_path_mode_temperature`
    path_mode_temperature: float = 0.0
    # the path head also reads the root's track (ROOT_TRACK) over this many last frames, not only the tokens
    # (which are trained for intents and language and keep little of the fine root motion); 0: tokens only
    path_history_frames: int = 0

    def __post_init__(self) -> None:
        for name in ("in_features", "patch_size", "max_tokens", "n_embd", "n_layer", "n_head",
                     "num_intents", "path_horizon", "cv_window_frames", "path_modes"):
            if getattr(self, name) < 1:
                raise ValueError(f"MotionEncoderConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.path_history_frames < 0:
            raise ValueError(f"path_history_frames must be >= 0, got {self.path_history_frames}")
        if not self.path_mode_temperature >= 0:
            raise ValueError(f"path_mode_temperature must be >= 0, got {self.path_mode_temperature}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.path_rate_hz <= 0:
            raise ValueError(f"path_rate_hz must be positive, got {self.path_rate_hz}")


class SelfAttention(nn.Module):
    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.proj = nn.Linear(config.n_embd, config.n_embd)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=2)                             # 3 x (B, N, D)
        q = q.view(B, N, self.n_head, D // self.n_head).transpose(1, 2)  # (B, h, N, d)
        k = k.view(B, N, self.n_head, D // self.n_head).transpose(1, 2)  # (B, h, N, d)
        v = v.view(B, N, self.n_head, D // self.n_head).transpose(1, 2)  # (B, h, N, d)
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).reshape(B, N, D)                           # (B, N, D)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = SelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd), nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd), nn.Dropout(config.dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))  # (B, N, D)
        x = x + self.mlp(self.ln_2(x))   # (B, N, D)
        return x


class MotionEncoder(nn.Module):
    """Features (B, T, C) -> motion tokens (B, T // patch_size, n_embd)."""

    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.config = config
        # Patch embedding: one token per `patch_size` frames, non-overlapping.
        self.patch = nn.Conv1d(config.in_features, config.n_embd, config.patch_size, stride=config.patch_size)
        self.pos = nn.Parameter(torch.zeros(1, config.max_tokens, config.n_embd))
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        B, T, C = features.shape
        assert C == self.config.in_features, f"expected {self.config.in_features} feature channels, got {C}"
        x = self.patch(features.transpose(1, 2)).transpose(1, 2)  # (B, N, D)
        N = x.shape[1]
        # Right-align positions: the last token ("now") always gets the last learned position.
        x = self.drop(x + self.pos[:, self.config.max_tokens - N:])  # (B, N, D)
        for block in self.blocks:
            x = block(x)                                             # (B, N, D)
        return self.ln_f(x)                                          # (B, N, D)


def pool_tokens(tokens: torch.Tensor) -> torch.Tensor:
    """(B, N, D) -> (B, 2D): mean over tokens and the last ("now") token."""
    return torch.cat([tokens.mean(dim=1), tokens[:, -1]], dim=-1)


class IntentHead(nn.Module):
    """Motion tokens (B, N, D) -> calibrated intent logits (B, num_intents) = raw logits / temperature."""

    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2 * config.n_embd, config.n_embd), nn.GELU(),
                                 nn.Linear(config.n_embd, config.num_intents))
        self.register_buffer("temperature", torch.ones(()))  # fitted post hoc (fit_temperature)

    def forward(self, tokens: torch.Tensor, calibrated: bool = True) -> torch.Tensor:
        logits = self.net(pool_tokens(tokens))  # (B, K)
        return logits / self.temperature if calibrated else logits


class PathHead(nn.Module):
    """Motion tokens (B, N, D) + features (B, T, C) -> future pelvis path (B, H, 3), camera frame, metres.

    With `path_modes` M > 1 the head proposes M paths and a logit each: a single path trained with L1 shrinks
    towards "slowing down" whenever stopping or turning is possible, which is wrong for the common case, the
    person who keeps walking. Trained winner-takes-all (`path_loss`), each mode specialises (walk on, stop,
    turn...). It returns the most likely mode, or with `path_mode_temperature` T > 0 the modes' mean weighted
    by softmax(logits / T): a hedge between the futures the head finds likely, which errs less where it is unsure
    (vtest.avi's walkers) and, with T fitted on validation windows, not more where it is sure.
    With `path_history_frames` h > 0 the head also reads the root's track over the last h frames (`inputs`):
    on the broad generator's windows that took the 2 s ADE from 0.67x to 0.58x constant velocity (1 s window).
    """

    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.horizon = config.path_horizon
        self.modes = config.path_modes
        self.mode_temperature = config.path_mode_temperature
        self.dt = 1.0 / config.path_rate_hz
        self.cv_window_frames = config.cv_window_frames
        self.history = config.path_history_frames
        out = 3 * config.path_horizon * self.modes + (self.modes if self.modes > 1 else 0)
        n_in = 2 * config.n_embd + self.history * (ROOT_TRACK.stop - ROOT_TRACK.start)
        self.net = nn.Sequential(nn.Linear(n_in, 2 * config.n_embd), nn.GELU(),
                                 nn.Linear(2 * config.n_embd, out))
        if self.modes == 1:
            nn.init.zeros_(self.net[-1].weight)  # starts as the constant-velocity baseline
        else:
            nn.init.normal_(self.net[-1].weight, std=0.01)  # distinct modes, so that each one wins some samples
        nn.init.zeros_(self.net[-1].bias)
        steps = torch.arange(1, config.path_horizon + 1, dtype=torch.float32) * self.dt
        self.register_buffer("steps", steps.view(1, -1, 1), persistent=False)  # (1, H, 1) seconds ahead

    def forward(self, tokens: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        cv = constant_velocity_path(features, self.steps, self.cv_window_frames)  # (B, H, 3)
        residuals, logits = self.hypotheses(self.inputs(tokens, features))         # (B, M, H, 3), (B, M)
        return cv + mix_modes(residuals, logits, self.mode_temperature)           # (B, H, 3)

    def inputs(self, tokens: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        """Tokens (B, N, D), features (B, T, C) -> the head's input (B, 2D + 12h): the pooled tokens and the
        root's track over the last h = `path_history_frames` frames (windows shorter than h front-padded with
        zeros, i.e. VALID = 0)."""
        pooled = pool_tokens(tokens)                                               # (B, 2D)
        if not self.history:
            return pooled
        track = F.pad(features[:, :, ROOT_TRACK], (0, 0, self.history, 0))        # (B, h + T, 12)
        return torch.cat([pooled, track[:, -self.history:].flatten(1)], dim=-1)    # (B, 2D + 12h)

    def hypotheses(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The head's inputs (B, I) (`inputs`) -> corrections (B, M, H, 3) to the constant-velocity path (m) and
        their logits (B, M) (zeros for a single mode)."""
        B, M = inputs.shape[0], self.modes
        out = self.net(inputs)                                                     # (B, 3HM [+ M])
        residuals = out[:, :3 * self.horizon * M].view(B, M, self.horizon, 3)      # (B, M, H, 3)
        logits = out[:, 3 * self.horizon * M:] if M > 1 else out.new_zeros(B, 1)   # (B, M)
        return residuals, logits


def mix_modes(residuals: torch.Tensor, logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Modes (B, M, H, 3) and their logits (B, M) -> one path (B, H, 3): the most likely mode (temperature 0),
    else the modes weighted by softmax(logits / temperature)."""
    if temperature == 0:
        return residuals[torch.arange(residuals.shape[0]), logits.argmax(dim=-1)]
    weights = torch.softmax(logits / temperature, dim=-1)                        # (B, M)
    return (weights[:, :, None, None] * residuals).sum(dim=1)


def fit_path_mode_temperature(head: PathHead, inputs: torch.Tensor, cv: torch.Tensor, target: torch.Tensor,
                              mask: torch.Tensor, grid: tuple = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0),
                              tolerance: float = 0.005) -> tuple[float, dict[float, float]]:
    """The smallest `path_mode_temperature` of `grid` whose mean displacement error (m, Euclidean, over the valid
    points) on validation windows is within `tolerance` (relative) of the least: hedge between the modes only
    as far as it clearly pays, since a hedge leans towards the person stopping; and the error of every
    temperature. inputs (B, I) (`PathHead.inputs`), cv, target (B, H, 3), mask (B, H)."""
    with torch.no_grad():
        residuals, logits = head.hypotheses(inputs)                              # (B, M, H, 3), (B, M)
        errors = []
        for t in grid:
            err = (cv + mix_modes(residuals, logits, t) - target).norm(dim=-1)   # (B, H)
            errors.append(float((err * mask).sum() / mask.sum().clamp(min=1)))
    chosen = min(t for t, e in zip(grid, errors) if e <= (1 + tolerance) * min(errors))
    return chosen, dict(zip(grid, errors))


def path_loss(head: PathHead, inputs: torch.Tensor, cv: torch.Tensor, target: torch.Tensor,
              mask: torch.Tensor) -> torch.Tensor:
    """Masked L1 (m, summed over x, y, z, mean over valid points) of the best of the head's modes, plus the
    cross-entropy that teaches the logits which mode was best (winner-takes-all). inputs (B, I) (`PathHead.inputs`);
    cv, target (B, H, 3); mask (B, H)."""
    residuals, logits = head.hypotheses(inputs)                                    # (B, M, H, 3), (B, M)
    err = ((cv[:, None] + residuals - target[:, None]).abs().sum(-1) * mask[:, None]).sum(-1)  # (B, M)
    best = err.argmin(dim=-1)                                                      # (B,)
    l1 = err.gather(1, best[:, None]).sum() / mask.sum().clamp(min=1)
    if head.modes == 1:
        return l1
    return l1 + 0.1 * F.cross_entropy(logits, best)


def constant_velocity_path(features: torch.Tensor, steps: torch.Tensor,
                           window_frames: int = CV_VELOCITY_FRAMES) -> torch.Tensor:
    """Baseline: mean pelvis velocity over the last `window_frames` real frames times (1, H, 1) seconds."""
    vel = features[:, -window_frames:, ROOT_VEL]                      # (B, k, 3)
    valid = features[:, -window_frames:, VALID]                       # (B, k, 1)
    v = (vel * valid).sum(dim=1) / valid.sum(dim=1).clamp(min=1.0)    # (B, 3)
    return v[:, None, :] * steps                                      # (B, H, 3)


class MotionModel(nn.Module):
    """Encoder + both heads: what the perception runtime exports to ONNX.

    forward(features (B, T, C)) -> (intent_probs (B, K), future_path (B, H, 3), tokens (B, N, D)).
    """

    def __init__(self, config: MotionEncoderConfig):
        super().__init__()
        self.config = config
        self.encoder = MotionEncoder(config)
        self.intent_head = IntentHead(config)
        self.path_head = PathHead(config)

    def forward(self, features: torch.Tensor):
        tokens = self.encoder(features)                               # (B, N, D)
        probs = self.intent_head(tokens).softmax(dim=-1)              # (B, K)
        path = self.path_head(tokens, features)                       # (B, H, 3)
        return probs, path, tokens

    @torch.no_grad()
    def fit_temperature(self, logits: torch.Tensor, labels: torch.Tensor, steps: int = 200) -> float:
        """Fit the intent temperature on held-out raw logits (B, K) and labels (B,) by NLL; returns it."""
        log_t = torch.zeros((), requires_grad=True)
        with torch.enable_grad():
            opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps)

            def closure():
                opt.zero_grad()
                loss = F.cross_entropy(logits / log_t.exp(), labels)
                loss.backward()
                return loss

            opt.step(closure)
        t = float(log_t.exp().clamp(0.05, 20.0))
        assert math.isfinite(t)
        self.intent_head.temperature.fill_(t)
        return t
