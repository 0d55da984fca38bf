"""Weight quantisation of the LLM, the code path chosen by device.

    llm = quantize_llm(llm, device="cpu", mode="int8", tokenizer=tok)  # SmoothQuant + torch.ao dynamic int8
    llm = quantize_llm(llm, device="cuda", mode="int4")                # torchao, else bitsandbytes, weight-only

    device  mode   path
    cpu     int8   SmoothQuant-style smoothing, then torch.ao.quantization.quantize_dynamic with
                   PER-CHANNEL int8 weights (activations quantised per token at run time, fbgemm/x86).
                   1. calibrate: max |x| of every Linear input channel over CALIBRATION_TEXTS (one forward
                      pass each, a second or two for SmolLM2-135M);
                   2. smooth: x / s and W * s per input channel, s_j = max|x_j|^a / max|W_:,j|^(1-a), with 1/s
                      folded into what produces x (exact in fp32): input_layernorm -> q/k/v_proj,
                      post_attention_layernorm -> gate/up_proj, up_proj's rows -> down_proj,
                      the final norm -> lm_head (untied from the embedding, which stays as it is);
                   3. quantise (8-bit activations where the kernel cannot saturate, FullRangeDynamicLinear)
                      every Linear except the down_proj layers whose calibrated input still carries
                      a massive outlier (max |x| > KEEP_ACT_MAX, SmolLM2-135M: layers 2, 9, 11, 27, 28, 29,
                      inputs up to ~3000), which stay fp32. (256, keeping 11, 28, 29 only: ~5 % faster, but
                      held-out caption action-word accuracy 0.917 vs 0.958 on 48 captions.)
                   Without smoothing, per-tensor activation quantisation of down_proj garbles the text, and
                   even the older recipe (down_proj fp32, the rest plain per-channel) drifted (figures in
                   docs/benchmarks.md).
    cpu     int4   not supported (ValueError)
    cuda    int8   torchao Int8WeightOnlyConfig, else bitsandbytes Linear8bitLt
    cuda    int4   torchao Int4WeightOnlyConfig (group 128), else bitsandbytes Linear4bit (nf4, fp16 compute)

Only the LLM's nn.Linear layers (and, on CPU, the RMSNorm weights the smoothing folds into) change (lm_head
excluded on CUDA: it is tied to the embeddings); the motion encoder, its heads and the projector stay full
precision, so intent outputs are unchanged.
"""
from __future__ import annotations

import contextlib
import copy
import functools

import torch
import torch.nn as nn
from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear

from llamo_ros.language.llama_decoder import is_llama_block
from llamo_ros.errors import BackendUnavailable

MODES = ("int8", "int4")
# Smoothing strength a per group of layers (0: none, 1: move all of the activation range into the weights).
# Chosen on SmolLM2-135M by teacher-forced |dlogit| with one group quantised at a time (docs/benchmarks.md).
SMOOTH_ALPHA = {"qkv": 0.8, "gate_up": 0.65, "down": 0.65, "lm_head": 0.5}
KEEP_ACT_MAX = 64.0   # a down_proj whose calibrated input max |x| exceeds this stays fp32 (SmolLM2-135M: 6 of 30)
# Calibration: chat turns like the ones the motion-language model sees (prompt and answer, text only).
CALIBRATION_TEXTS = (
    ("Describe what the person is doing.", "A person walks slowly towards the camera and stops in front of it."),
    ("What does the person do with their hands?", "They raise the right hand above the shoulder and wave."),
    ("Is the person going to interact with the robot?", "Yes, the person approaches and looks at the robot."),
    ("Summarise the scene.", "Someone sits down on a chair, stands up again and walks away to the left."),
    ("Which direction is the person moving?", "The person runs from the right side of the image to the left."),
    ("What will the person do next?", "The person will probably bend down and pick up the box on the floor."),
)


@contextlib.contextmanager
def recording_maxima(llm: nn.Module, into: dict[str, torch.Tensor] | None = None):
    """Within the block, every forward of `llm` updates {Linear name: max |x| per input channel (in_features,)}.

        with recording_maxima(lm.llm) as act_max:
            lm.generate(windows, prompts)           # e.g. motion prompts through the motion-language model
    `into`: an existing dict to extend (maxima of several calibration runs combine by max).
    """
    maxima = {} if into is None else into

    def record(name):
        def hook(module, inputs):
            x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0).float()   # (in_features,)
            # clone: a forward under inference_mode makes inference tensors, which callers could not edit
            maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x.clone()
        return hook

    hooks = [m.register_forward_pre_hook(record(n)) for n, m in llm.named_modules() if isinstance(m, nn.Linear)]
    try:
        yield maxima
    finally:
        for h in hooks:
            h.remove()


@torch.no_grad()
def activation_maxima(llm: nn.Module, tokenizer) -> dict[str, torch.Tensor]:
    """{Linear name: max |x| per input channel (in_features,)} over one forward pass of each chat turn of
    CALIBRATION_TEXTS."""
    from llamo_ros.language.model import chat_prompt

    with recording_maxima(llm) as maxima:
        for prompt, answer in CALIBRATION_TEXTS:
            ids = tokenizer(chat_prompt(prompt, answer, motion=False), return_tensors="pt",
                            add_special_tokens=False)["input_ids"]
            llm(input_ids=ids.to(next(llm.parameters()).device), use_cache=False)
    return maxima


def _smoothing(act_max: torch.Tensor, weights: list[torch.Tensor], alpha: float) -> torch.Tensor:
    """s (in_features,) = max|x|^a / max|W_:,j|^(1-a), the max over every weight that reads x."""
    w_max = torch.stack([w.detach().abs().amax(0) for w in weights]).amax(0).float().clamp(min=1e-5)
    return (act_max.clamp(min=1e-5).pow(alpha) / w_max.pow(1 - alpha)).clamp(min=1e-5)


@torch.no_grad()
def smooth_llm(llm: nn.Module, act_max: dict[str, torch.Tensor], alpha: dict[str, float] = SMOOTH_ALPHA
               ) -> nn.Module:
    """A copy of a Llama-style LLM with activation ranges moved into the weights (same fp32 function).

    For each group in `alpha` ("qkv", "gate_up", "down", "lm_head") the Linear inputs are divided by s and
    the weight columns multiplied by s (module doc); act_max from `activation_maxima(llm, ...)`.
    """
    layers = getattr(getattr(llm, "model", None), "layers", None)
    if layers is None or not all(is_llama_block(layer) for layer in layers):
        raise ValueError(f"smoothing needs a Llama-style decoder (input_layernorm, q/k/v/o_proj, "
                         f"gate/up/down_proj), got {type(llm).__name__}")
    llm = copy.deepcopy(llm)
    for i, layer in enumerate(llm.model.layers):
        attn, mlp, name = layer.self_attn, layer.mlp, f"model.layers.{i}."
        if "qkv" in alpha:
            qkv = (attn.q_proj, attn.k_proj, attn.v_proj)
            s = _smoothing(act_max[name + "self_attn.q_proj"], [m.weight for m in qkv], alpha["qkv"])
            layer.input_layernorm.weight.div_(s)
            for m in qkv:
                m.weight.mul_(s)
        if "gate_up" in alpha:
            s = _smoothing(act_max[name + "mlp.gate_proj"], [mlp.gate_proj.weight, mlp.up_proj.weight],
                           alpha["gate_up"])
            layer.post_attention_layernorm.weight.div_(s)
            mlp.gate_proj.weight.mul_(s)
            mlp.up_proj.weight.mul_(s)
        if "down" in alpha:   # act_fn(gate) * up is linear in up's output rows
            s = _smoothing(act_max[name + "mlp.down_proj"], [mlp.down_proj.weight], alpha["down"])
            mlp.up_proj.weight.div_(s[:, None])
            mlp.down_proj.weight.mul_(s)
    if "lm_head" in alpha:
        s = _smoothing(act_max["lm_head"], [llm.lm_head.weight], alpha["lm_head"])
        head = nn.Linear(llm.lm_head.in_features, llm.lm_head.out_features, bias=False)
        head.weight = nn.Parameter(llm.lm_head.weight.detach() * s, requires_grad=False)  # untied copy
        llm.lm_head = head
        llm.model.norm.weight.div_(s)
    return llm


class FullRangeDynamicLinear(DynamicQuantizedLinear):
    """torch.ao's dynamic int8 Linear with 8-bit activations (reduce_range=False) instead of 7-bit.

    torch.ao quantises activations to 0..127 so that AVX2's u8 x s8 pair sums cannot saturate int16; VNNI
    kernels (AVX512-VNNI / AVX-VNNI) accumulate in int32, and the full 0..255 range halves the activation
    rounding error (SmolLM2-135M: mean |dlogit| 1.03 -> 0.56). Used only where `full_range_is_exact()`.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.quantized.linear_dynamic(x, self._packed_params._packed_params,
                                                  reduce_range=False).to(x.dtype)


@functools.cache
def full_range_is_exact() -> bool:
    """True when 8-bit dynamic activations cannot saturate this CPU's int8 kernel (probe: worst-case sums)."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    probe = nn.Linear(64, 2, bias=False)
    with torch.no_grad():
        probe.weight.fill_(1.0)                        # quantised to 127: each u8 x s8 pair sums to 2 x 255 x 127
        probe.weight[1].fill_(-1.0)
    q = quantize_dynamic(nn.Sequential(probe), {"0": per_channel_dynamic_qconfig}, dtype=torch.qint8,
                         mapping={nn.Linear: FullRangeDynamicLinear})[0]
    x = torch.ones(1, 64)                              # quantised to 255
    return bool(torch.allclose(q(x), probe(x).detach(), rtol=0.02))


def kept_fp32(act_max: dict[str, torch.Tensor], threshold: float = KEEP_ACT_MAX) -> tuple[str, ...]:
    """The down_proj layers whose calibrated input max |x| exceeds `threshold` (left fp32 on CPU)."""
    return tuple(name for name, x in act_max.items() if name.endswith("down_proj") and float(x.max()) > threshold)


def _skip_lm_head(module: torch.nn.Module, fqn: str) -> bool:
    return isinstance(module, torch.nn.Linear) and not fqn.endswith("lm_head")


def quantize_llm(llm: torch.nn.Module, device: str, mode: str = "int8", tokenizer=None,
                 act_max: dict[str, torch.Tensor] | None = None) -> torch.nn.Module:
    """The quantised LLM for `device` ("cpu", "cuda", "cuda:0") and `mode` (table in the module doc).

    CPU returns a quantised copy; CUDA quantises in place (and returns the same module).
    CPU int8 calibrates on CALIBRATION_TEXTS with `tokenizer`, or takes `act_max` (from activation_maxima).
    BackendUnavailable when neither torchao nor bitsandbytes is installed for CUDA.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if torch.device(device).type == "cpu":
        if mode != "int8":
            raise ValueError("int4 weight-only quantisation needs CUDA (torchao / bitsandbytes kernels)")
        if act_max is None:
            if tokenizer is None:
                raise ValueError("CPU int8 calibrates its smoothing: pass tokenizer= (or act_max=)")
            act_max = activation_maxima(llm, tokenizer)
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
        keep = kept_fp32(act_max)
        smoothed = smooth_llm(llm, act_max)   # a copy: quantised in place below
        spec = {name: per_channel_dynamic_qconfig for name, m in smoothed.named_modules()
                if isinstance(m, nn.Linear) and name not in keep}
        mapping = {nn.Linear: FullRangeDynamicLinear if full_range_is_exact() else DynamicQuantizedLinear}
        return quantize_dynamic(smoothed, spec, dtype=torch.qint8, mapping=mapping, inplace=True)
    if torch.device(device).type != "cuda":
        raise ValueError(f"no quantisation path for device {device!r}")
    if not torch.cuda.is_available():
        raise BackendUnavailable("CUDA is not available")
    try:
        return _torchao(llm, mode)
    except ImportError:
        pass
    try:
        return _bitsandbytes(llm, mode)
    except ImportError as exc:
        raise BackendUnavailable(f"CUDA {mode} needs torchao or bitsandbytes ({exc})") from exc


def _torchao(llm: torch.nn.Module, mode: str) -> torch.nn.Module:
    from torchao.quantization import Int4WeightOnlyConfig, Int8WeightOnlyConfig, quantize_

    llm = llm.to(device="cuda", dtype=torch.bfloat16 if mode == "int4" else llm.dtype)  # int4 kernels want bf16
    config = Int8WeightOnlyConfig() if mode == "int8" else Int4WeightOnlyConfig(group_size=128)
    quantize_(llm, config, filter_fn=_skip_lm_head)
    return llm


def _bitsandbytes(llm: torch.nn.Module, mode: str) -> torch.nn.Module:
    import bitsandbytes as bnb

    llm = llm.to("cpu")
    for name, module in list(llm.named_modules()):
        if not _skip_lm_head(module, name):
            continue
        parent = llm.get_submodule(name.rsplit(".", 1)[0]) if "." in name else llm
        bias = module.bias is not None
        if mode == "int8":
            new = bnb.nn.Linear8bitLt(module.in_features, module.out_features, bias=bias, has_fp16_weights=False,
                                      threshold=6.0)
            new.weight = bnb.nn.Int8Params(module.weight.data.half(), requires_grad=False, has_fp16_weights=False)
        else:
            new = bnb.nn.Linear4bit(module.in_features, module.out_features, bias=bias, compute_dtype=torch.float16,
                                    quant_type="nf4")
            new.weight = bnb.nn.Params4bit(module.weight.data.half(), requires_grad=False, quant_type="nf4")
        if bias:
            new.bias = torch.nn.Parameter(module.bias.data.half(), requires_grad=False)
        setattr(parent, name.rsplit(".", 1)[-1], new)
    return llm.half().to("cuda")  # moving to CUDA quantises the bitsandbytes weights
