"""Weight quantisation of the LLM, the code path chosen by device.

    llm = quantize_llm(llm, device="cpu", mode="int8")     # torch.ao dynamic int8 (what api.py does)
    llm = quantize_llm(llm, device="cuda", mode="int4")    # torchao, else bitsandbytes, weight-only

    device  mode   path
    cpu     int8   torch.ao.quantization.quantize_dynamic with PER-CHANNEL int8 weights; activations
                   are quantised per tensor at run time. Layers named in `keep_fp32` stay fp32 (default:
                   the MLP down_proj, whose inputs carry SmolLM2's activation outliers). Measured on
                   SmolLM2-135M: per-tensor over every Linear (what api.py's quantize_int8 did) decodes
                   garbage; per-channel everywhere drifts at the first tokens; per-channel without
                   down_proj agrees with fp32 on ~96% of the first 12 greedy tokens (docs/benchmarks.md).
    cpu     int4   not supported (ValueError)
    cuda    int8   torchao Int8WeightOnlyConfig, else bitsandbytes Linear8bitLt
    cuda    int4   torchao Int4WeightOnlyConfig (group 128), else bitsandbytes Linear4bit (nf4, fp16 compute)

Only the LLM's nn.Linear layers change (lm_head excluded on CUDA: it is tied to the embeddings); the
motion encoder, its heads and the projector stay full precision, so intent outputs are unchanged.
"""
from __future__ import annotations

import torch

from llamo_ros.runtime.tensorrt_compat import BackendUnavailable

MODES = ("int8", "int4")
CPU_KEEP_FP32 = ("down_proj",)  # LLM Linear layers (name substrings) left fp32 by the CPU int8 path


def _skip_lm_head(module: torch.nn.Module, fqn: str) -> bool:
    return isinstance(module, torch.nn.Linear) and not fqn.endswith("lm_head")


def quantize_llm(llm: torch.nn.Module, device: str, mode: str = "int8",
                 keep_fp32: tuple[str, ...] = CPU_KEEP_FP32) -> torch.nn.Module:
    """The quantised LLM for `device` ("cpu", "cuda", "cuda:0") and `mode` (table in the module doc).

    CPU returns a quantised copy; CUDA quantises in place (and returns the same module).
    keep_fp32: CPU only, substrings of Linear layer names that stay fp32.
    BackendUnavailable when neither torchao nor bitsandbytes is installed for CUDA.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if torch.device(device).type == "cpu":
        if mode != "int8":
            raise ValueError("int4 weight-only quantisation needs CUDA (torchao / bitsandbytes kernels)")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
        spec = {name: per_channel_dynamic_qconfig for name, m in llm.named_modules()
                if isinstance(m, torch.nn.Linear) and not any(k in name for k in keep_fp32)}
        return quantize_dynamic(llm, spec, dtype=torch.qint8)
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
