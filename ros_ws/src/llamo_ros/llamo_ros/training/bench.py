"""Latency / throughput benchmark of a checkpoint on this machine (1 thread by default).

    python -m llamo_ros.training.bench --checkpoint models/motion_llm_demo [--threads 1] [--no-llm] [--onnx]

Reports medians: encoder + heads latency for one window (PyTorch eager, and onnxruntime with --onnx),
batched latency for 8 windows, and LLM decode speed (tokens/s) for describe() in fp32 and int8
(dynamic quantisation of nn.Linear).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from llamo_ros.language.api import MotionLanguageModel


def median_ms(fn, repeats: int = 100, warmup: int = 10) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def decode_tokens_per_s(mlm: MotionLanguageModel, x: np.ndarray, new_tokens: int = 32) -> float:
    lm = mlm.lm
    feats = torch.from_numpy(x[None])
    ids, att, _ = lm.tokenize(["Describe what the person is doing."], padding_side="left")
    embeds = lm.embed(ids, feats)
    with torch.inference_mode():
        lm.llm.generate(inputs_embeds=embeds, attention_mask=att, max_new_tokens=4, do_sample=False)
        t0 = time.perf_counter()
        out = lm.llm.generate(inputs_embeds=embeds, attention_mask=att, max_new_tokens=new_tokens,
                              min_new_tokens=new_tokens, do_sample=False)
        dt = time.perf_counter() - t0
    return out.shape[1] / dt


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-llm", action="store_true")
    ap.add_argument("--onnx", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    mlm = MotionLanguageModel.load(args.checkpoint)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(mlm.config.window_frames, mlm.config.encoder.in_features)).astype(np.float32)
    res = {"threads": args.threads,
           "encoder_heads_ms_b1": median_ms(lambda: mlm.predict_intents(x)),
           "encoder_heads_ms_b8": median_ms(lambda: mlm.predict_intents(np.stack([x] * 8)))}
    if args.onnx:
        import onnxruntime as ort
        import sys
        sys.path.insert(0, str(Path(__file__).resolve().parents[5] / "export"))
        from export_motion_encoder import export
        with tempfile.TemporaryDirectory() as d:
            path = export(mlm.motion, Path(d) / "enc.onnx")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = args.threads
            sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            res["onnxruntime_ms_b1"] = median_ms(lambda: sess.run(None, {"features": x[None]}))
    if not args.no_llm:
        res["decode_tok_s_fp32"] = decode_tokens_per_s(mlm, x)
        q = MotionLanguageModel.load(args.checkpoint, quantize_int8=True)
        res["decode_tok_s_int8"] = decode_tokens_per_s(q, x)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
