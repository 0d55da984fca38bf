"""Benchmark results -> a text table, a JSON file and a PNG chart (matplotlib, Agg backend)."""
from __future__ import annotations

import json
from pathlib import Path


def motion_table(rows: list[dict]) -> str:
    """One line per (window, batch): p50 of each backend side by side and the ratio to PyTorch."""
    backends = list(dict.fromkeys(r["backend"] for r in rows))
    head = f"{'window':>6} {'batch':>5} " + " ".join(f"{b + ' p50 ms':>18}" for b in backends) + \
        " " + " ".join(f"{b + '/torch':>18}" for b in backends[1:])
    lines = ["motion encoder + heads latency (single-threaded)", head]
    keys = list(dict.fromkeys((r["window"], r["batch"]) for r in rows))
    for window, batch in keys:
        cell = {r["backend"]: r for r in rows if (r["window"], r["batch"]) == (window, batch)}
        lines.append(f"{window:>6} {batch:>5} " + " ".join(f"{cell[b]['p50_ms']:>18.3f}" for b in backends) + " " +
                     " ".join(f"{cell[b]['speedup_vs_torch']:>17.2f}x" for b in backends[1:]))
    return "\n".join(lines)


def llm_table(rows: list[dict]) -> str:
    lines = ["LLM greedy decode (single-threaded); drift vs fp32 over 6 text prompts x 12 greedy tokens ('describe "
             "prompt + motion' rows: 6 motion windows + 6 text prompts)",
             f"{'variant':<72} {'tokens/s':>9} {'first token ms':>15} {'vs fp32':>8} {'vs int8':>8}  drift: first-N "
             f"agreement, teacher-forced top-1, mean |dlogit|"]
    for r in rows:
        d = r.get("drift")
        drift = (f"{d['agreement']:.1%}, {d['top1_agreement']:.1%}, {d['mean_logit_diff']:.2f}" if d else "")
        vs_int8 = f"{r['speedup_vs_int8']:>7.2f}x" if "speedup_vs_int8" in r else f"{'':>8}"
        lines.append(f"{r['variant']:<72} {r['tokens_per_s']:>9.1f} {r['first_token_ms']:>15.1f} "
                     f"{r['speedup_vs_fp32']:>7.2f}x {vs_int8}  {drift}")
    return "\n".join(lines)


def write_json(results: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    return path


def write_chart(results: dict, path: Path) -> Path:
    """Left: motion p50 latency vs batch per backend and window; right: LLM tokens/s per variant."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    motion, llm = results.get("motion", []), results.get("llm", [])
    fig, axes = plt.subplots(1, 2 if llm else 1, figsize=(12 if llm else 6, 4.5), squeeze=False)
    ax = axes[0, 0]
    for backend in dict.fromkeys(r["backend"] for r in motion):
        for window in dict.fromkeys(r["window"] for r in motion):
            pts = [(r["batch"], r["p50_ms"]) for r in motion if r["backend"] == backend and r["window"] == window]
            ax.plot(*zip(*pts), marker="o", label=f"{backend}, T={window}")
    ax.set(xlabel="batch (persons)", ylabel="p50 latency (ms)", title="motion encoder + heads")
    ax.grid(alpha=0.3)
    ax.legend()
    if llm:
        ax = axes[0, 1]
        ax.barh([r["variant"] for r in llm], [r["tokens_per_s"] for r in llm], color="tab:green")
        ax.set(xlabel="decode tokens/s", title="LLM decode")
        ax.invert_yaxis()
    fig.suptitle(results.get("title", "llamo_ros benchmarks"), fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
