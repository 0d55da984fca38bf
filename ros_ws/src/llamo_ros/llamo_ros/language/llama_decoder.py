"""KV-cached forward of a Llama-style Hugging Face causal LM, lean enough for CPU decoding at batch 1.

Hugging Face's forward is general (cache classes, mask builders, hooks, output dataclasses); on a CPU at batch 1
that bookkeeping costs about as much as SmolLM2-135M's int8 matrix products (~35 % of an int8 decode step). This
module runs the SAME modules (fp32 nn.Linear, torch.ao dynamic int8 Linear, or any other Linear-like layer) in
about 20 tensor ops per layer, nanoGPT style, with the cache preallocated for the whole generation:

    decoder = LlamaDecoder(llm)                                   # shares the LLM's embedding, norms, lm_head
    cache, logits = decoder.prefill(inputs_embeds, attention_mask, max_new_tokens=40)  # (B, L, D) -> (B, V)
    logits = decoder.step(next_ids, cache)                        # (B,) one token per sequence -> (B, V)

q/k/v and gate/up are fused into one Linear each where that is exact (fp32, or per-channel int8: one activation
quantisation instead of three / two). Batches are LEFT-padded, as for HF's generate: positions count only real
tokens and padded keys are masked. The decoder holds no per-sequence state; the cache object does.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear


class ConcatLinear(nn.Module):
    """cat([layer(x) for layer in layers], -1): the unfused fallback for layers whose weights cannot be stacked."""

    def __init__(self, layers: list[nn.Module]):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([layer(x) for layer in self.layers], dim=-1)


def fuse_linears(layers: list[nn.Module]) -> nn.Module:
    """One layer computing cat([layer(x) for layer in layers], -1), fused where exact, else a ConcatLinear.

    fp32 / fp16 nn.Linear: one weight, and the separate layers' weights become views of it (memory not doubled).
    torch.ao dynamic int8 with per-channel weights: integer rows, scales and zero points stacked as they are.
    Anything else (biases, per-tensor int8, torchao / bitsandbytes / LoRA wrappers) stays separate.
    """
    if all(type(m) is nn.Linear and m.bias is None and type(m.weight.data) is torch.Tensor for m in layers):
        weight = torch.cat([m.weight.detach() for m in layers])                   # (sum out, in)
        fused = nn.Linear(weight.shape[1], weight.shape[0], bias=False, device=weight.device, dtype=weight.dtype)
        fused.weight = nn.Parameter(weight, requires_grad=False)
        rows = 0
        for m in layers:
            m.weight = nn.Parameter(weight[rows:rows + m.out_features], requires_grad=m.weight.requires_grad)
            rows += m.out_features
        return fused
    kind = type(layers[0])
    if issubclass(kind, DynamicQuantizedLinear) and all(type(m) is kind and m.bias() is None and
                                                         m.weight().qscheme() == torch.per_channel_affine
                                                         for m in layers):
        weights = [m.weight() for m in layers]
        w = torch._make_per_channel_quantized_tensor(torch.cat([w.int_repr() for w in weights]),
                                                     torch.cat([w.q_per_channel_scales() for w in weights]),
                                                     torch.cat([w.q_per_channel_zero_points() for w in weights]), 0)
        fused = kind(w.shape[1], w.shape[0], bias_=False, dtype=torch.qint8)
        fused.set_weight_bias(w, None)
        return fused
    return ConcatLinear(layers)


@dataclass
class KVCache:
    """Keys and values of every layer for one batch of sequences, preallocated for the whole generation."""
    keys: list[torch.Tensor]             # per layer (B, Hkv, capacity, hd)
    values: list[torch.Tensor]           # per layer (B, Hkv, capacity, hd)
    key_mask: torch.Tensor | None        # (B, capacity) bool, False at left padding; None: no padding
    length: int = 0                      # positions filled (the same for every sequence)

    @property
    def capacity(self) -> int:
        return self.keys[0].shape[2]


class LlamaDecoderLayer(nn.Module):
    """One pre-norm Llama block (attention, SiLU-gated MLP) that writes its keys and values into a KVCache."""

    def __init__(self, layer: nn.Module, num_heads: int, num_kv_heads: int, head_dim: int, eps: float):
        super().__init__()
        attn, mlp = layer.self_attn, layer.mlp
        self.num_heads, self.num_kv_heads, self.head_dim, self.eps = num_heads, num_kv_heads, head_dim, eps
        self.input_norm = layer.input_layernorm.weight                                # (D,)
        self.qkv = fuse_linears([attn.q_proj, attn.k_proj, attn.v_proj])            # D -> (H + 2 Hkv) hd
        self.o_proj = attn.o_proj                                                     # H hd -> D
        self.post_norm = layer.post_attention_layernorm.weight                        # (D,)
        self.gate_up = fuse_linears([mlp.gate_proj, mlp.up_proj])                     # D -> 2 I
        self.down_proj = mlp.down_proj                                                # I -> D

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, keys: torch.Tensor,
                values: torch.Tensor, start: int, mask: torch.Tensor | None) -> torch.Tensor:
        """x (B, L, D) at cache positions start.. start+L-1 -> (B, L, D).

        cos, sin (L, 1, 2, hd/2) or (B, L, 1, 2, hd/2): RoPE for HF's layout, where dim i pairs with i + hd/2;
        keys, values (B, Hkv, capacity, hd): this layer's cache; mask (B, 1, L, start+L) bool or None (causal).
        """
        B, L, D = x.shape
        H, Hkv, hd = self.num_heads, self.num_kv_heads, self.head_dim
        qkv = self.qkv(F.rms_norm(x, (D,), self.input_norm, self.eps))               # (B, L, (H + 2 Hkv) hd)
        qk = qkv[..., :(H + Hkv) * hd].view(B, L, H + Hkv, 2, hd // 2)                # (B, L, H + Hkv, 2, hd/2)
        # rotate (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin): sin carries the minus on its first half
        qk = (qk * cos + qk.flip(3) * sin).view(B, L, H + Hkv, hd).transpose(1, 2)    # (B, H + Hkv, L, hd)
        end = start + L
        keys[:, :, start:end] = qk[:, H:]
        values[:, :, start:end] = qkv[..., (H + Hkv) * hd:].view(B, L, Hkv, hd).transpose(1, 2)
        y = F.scaled_dot_product_attention(qk[:, :H], keys[:, :, :end], values[:, :, :end], attn_mask=mask,
                                           is_causal=mask is None and L > 1, enable_gqa=True)  # (B, H, L, hd)
        x = x + self.o_proj(y.transpose(1, 2).reshape(B, L, H * hd))                  # (B, L, D)
        gate, up = self.gate_up(F.rms_norm(x, (D,), self.post_norm, self.eps)).chunk(2, dim=-1)  # (B, L, I) x 2
        return x + self.down_proj(F.silu(gate) * up)                                  # (B, L, D)


def _has_bias(layer: nn.Module) -> bool:
    bias = getattr(layer, "bias", None)
    return (bias() if callable(bias) else bias) is not None     # torch.ao's dynamic Linear has bias()


def is_llama_block(layer: nn.Module) -> bool:
    """Whether a decoder layer has a Llama block's parts (norms, q/k/v/o projections, gated MLP)."""
    attn, mlp = getattr(layer, "self_attn", None), getattr(layer, "mlp", None)
    return (hasattr(layer, "input_layernorm") and hasattr(layer, "post_attention_layernorm") and
            all(hasattr(attn, n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")) and
            all(hasattr(mlp, n) for n in ("gate_proj", "up_proj", "down_proj")))


def unsupported_reason(llm: nn.Module) -> str | None:
    """Why LlamaDecoder cannot run `llm` (None when it can): it needs a plain Llama-style decoder."""
    cfg = getattr(llm, "config", None)
    layers = getattr(getattr(llm, "model", None), "layers", None)
    if cfg is None or layers is None or getattr(llm, "lm_head", None) is None:
        return f"{type(llm).__name__} is not a decoder-only causal LM with model.layers and lm_head"
    rope = getattr(cfg, "rope_parameters", None) or getattr(cfg, "rope_scaling", None) or {}
    if rope.get("rope_type", rope.get("type", "default")) != "default":
        return f"RoPE scaling {rope!r} (only plain RoPE is implemented)"
    if getattr(cfg, "hidden_act", None) != "silu" or getattr(cfg, "sliding_window", None) and \
            getattr(cfg, "use_sliding_window", True):
        return "a non-SiLU MLP or sliding-window attention"
    for layer in layers:
        if not is_llama_block(layer):
            return "its layers are not Llama blocks (input_layernorm, self_attn.q_proj, mlp.gate_proj, ...)"
        attn, mlp = layer.self_attn, layer.mlp
        if hasattr(attn, "q_norm") or hasattr(attn, "k_norm"):
            return "normalised queries and keys (q_norm / k_norm)"
        if any(_has_bias(getattr(attn, n)) for n in ("q_proj", "k_proj", "v_proj", "o_proj")) or \
                any(_has_bias(getattr(mlp, n)) for n in ("gate_proj", "up_proj", "down_proj")):
            return "attention or MLP projections with a bias"
    return None


class UnsupportedLLM(ValueError):
    """The LLM is not a plain Llama-style decoder (the message says why)."""


class LlamaDecoder(nn.Module):
    """KV-cached forward of a Llama-style HF causal LM for greedy generation (module doc); weights are shared."""

    def __init__(self, llm: nn.Module):
        super().__init__()
        reason = unsupported_reason(llm)
        if reason is not None:
            raise UnsupportedLLM(f"LlamaDecoder cannot run this LLM: {reason}")
        cfg = llm.config
        self.hidden_size = cfg.hidden_size
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        self.num_kv_heads = cfg.num_key_value_heads
        self.embed_tokens = llm.get_input_embeddings()
        self.layers = nn.ModuleList(LlamaDecoderLayer(layer, cfg.num_attention_heads, cfg.num_key_value_heads,
                                                      self.head_dim, cfg.rms_norm_eps) for layer in llm.model.layers)
        self.norm, self.eps = llm.model.norm.weight, cfg.rms_norm_eps                 # final RMSNorm (D,)
        self.lm_head = llm.lm_head
        rope = getattr(cfg, "rope_parameters", None) or {}
        theta = rope.get("rope_theta", getattr(cfg, "rope_theta", 10000.0))
        inv_freq = 1.0 / theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float64) / self.head_dim)
        angles = torch.arange(cfg.max_position_embeddings, dtype=torch.float64)[:, None] * inv_freq  # (P, hd/2)
        dtype, device = self.norm.dtype, self.norm.device
        cos, sin = angles.cos()[:, None, None], angles.sin()[:, None, None]                          # (P, 1, 1, hd/2)
        self.register_buffer("cos", torch.cat([cos, cos], 2).to(device, dtype), persistent=False)   # (P, 1, 2, hd/2)
        self.register_buffer("sin", torch.cat([-sin, sin], 2).to(device, dtype), persistent=False)  # (P, 1, 2, hd/2)

    @property
    def max_positions(self) -> int:
        return self.cos.shape[0]

    def prefill(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor | None = None,
                max_new_tokens: int = 0) -> tuple[KVCache, torch.Tensor]:
        """New sequences: inputs_embeds (B, L, D), attention_mask (B, L) 1/0 with LEFT padding (None: none).

        Returns the cache (room for `max_new_tokens` more) and the next-token logits (B, V) float32.
        """
        B, L, _ = inputs_embeds.shape
        if L + max_new_tokens > self.max_positions:
            raise ValueError(f"{L} prompt + {max_new_tokens} new tokens exceed {self.max_positions} positions")
        shape = (B, self.num_kv_heads, L + max_new_tokens, self.head_dim)
        like = dict(device=inputs_embeds.device, dtype=inputs_embeds.dtype)
        key_mask = None
        if attention_mask is not None and not bool(attention_mask.all()):
            key_mask = torch.ones(B, L + max_new_tokens, dtype=torch.bool, device=inputs_embeds.device)
            key_mask[:, :L] = attention_mask.bool()
        cache = KVCache([torch.empty(shape, **like) for _ in self.layers],
                        [torch.empty(shape, **like) for _ in self.layers], key_mask)
        return cache, self._forward(inputs_embeds, cache)

    def step(self, token_ids: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """Append one token to each sequence, token_ids (B,) -> next-token logits (B, V) float32."""
        if cache.length >= cache.capacity:
            raise ValueError(f"the cache is full ({cache.capacity} positions): raise max_new_tokens in prefill")
        return self._forward(self.embed_tokens(token_ids[:, None]), cache)

    def _forward(self, x: torch.Tensor, cache: KVCache) -> torch.Tensor:
        start, end = cache.length, cache.length + x.shape[1]
        cos, sin, mask = self.cos[start:end], self.sin[start:end], None                # (L, 1, 2, hd/2)
        if cache.key_mask is not None:
            mask, positions = self._padding(cache.key_mask, start, end)
            cos, sin = self.cos[positions], self.sin[positions]                         # (B, L, 1, 2, hd/2)
        for layer, keys, values in zip(self.layers, cache.keys, cache.values):
            x = layer(x, cos, sin, keys, values, start, mask)
        cache.length = end
        x = F.rms_norm(x[:, -1], (self.hidden_size,), self.norm, self.eps)             # (B, D), last position
        return self.lm_head(x).float()                                                 # (B, V)

    @staticmethod
    def _padding(key_mask: torch.Tensor, start: int, end: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Attention mask (B, 1, L, end) and RoPE positions (B, L) of a left-padded batch.

        Causal and blind to padded keys, but every query sees itself: a padded query with no key at all would
        give NaN, and 0 x NaN spreads through the values. Positions count real tokens only, as HF's generate.
        """
        keys = torch.arange(end, device=key_mask.device)
        queries = keys[start:]
        allowed = (keys[None] <= queries[:, None])[None] & key_mask[:, None, :end]     # (B, L, end)
        allowed |= (keys[None] == queries[:, None])[None]
        padding = (~key_mask[:, :end]).sum(dim=1, keepdim=True)                         # (B, 1)
        return allowed[:, None], (queries[None] - padding).clamp(min=0)
