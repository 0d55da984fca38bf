"""Export a checkpoint's LLM to GGUF for llama.cpp: LoRA merged into the shipped SmolLM2 GGUF, checked, quantised.

    python export/export_gguf.py --checkpoint models/motion_llm_demo --out out/gguf [--types f32 q8_0 q4_1_lora8]
    python export/export_gguf.py --checkpoint models/motion_llm_demo --cache      # into ~/.cache/llamo_ros/gguf

Writes llm-<type>.gguf per type and export.json (the fp32 file's parity with the merged torch model: max
|logit difference| relative to the largest logit, top-1 agreement, over 3 chat prompts and one with motion
embeddings; the export fails when they do not match). Types: f32, q8_0, q4_1 and q4_k_m (llama_model_quantize),
q4_1_lora8 (the shipped Q4_1 tensors untouched, the LoRA-merged ones Q8_0; the runtime's default).
The runtime exports on first use by itself (language/gguf_export.cached_gguf); this script is for inspection and
for machines that should not export at start-up. Needs the llama.cpp binding (make setup-llama-cpp).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_ws" / "src" / "llamo_ros"))

from llamo_ros.language.gguf_export import DEFAULT_TYPES, QUANT_TYPES, cached_gguf, export_gguf  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default="models/motion_llm_demo")
    ap.add_argument("--out", default="out/gguf", help="output folder (ignored with --cache)")
    ap.add_argument("--cache", action="store_true", help="fill the runtime's cache entry of the checkpoint instead")
    ap.add_argument("--types", nargs="+", default=None, choices=sorted(QUANT_TYPES),
                    help=f"default: f32 {' '.join(DEFAULT_TYPES)} (with --cache: {' '.join(DEFAULT_TYPES)})")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.cache:
        for quant, path in cached_gguf(args.checkpoint, types=tuple(args.types or DEFAULT_TYPES)).items():
            print(f"{quant}: {path}")
        return
    record = export_gguf(args.checkpoint, args.out, tuple(args.types or ("f32", *DEFAULT_TYPES)), threads=args.threads)
    print(json.dumps(asdict(record), indent=2))


if __name__ == "__main__":
    main()
