"""The benchmark suite's motion part and its report (table, JSON, PNG) on the small model."""
from __future__ import annotations

import json

from llamo_ros.benchmark import hooks, report
from llamo_ros.benchmark.motion import bench_motion


def test_motion_benchmark_and_report(small_model, small_onnx, tmp_path):
    rows = bench_motion(small_model, batches=(1, 2), windows=(32, 64, 68), repeats=3, onnx_path=str(small_onnx))
    cells = {(r["backend"], r["batch"], r["window"]) for r in rows}
    assert cells == {(b, n, w) for b in ("torch", "onnxruntime") for n in (1, 2) for w in (32, 64)}  # 68 > max
    assert all(r["p50_ms"] > 0 for r in rows)
    assert all(r["speedup_vs_torch"] == 1.0 for r in rows if r["backend"] == "torch")
    table = report.motion_table(rows)
    assert "onnxruntime/torch" in table and len(table.splitlines()) == 2 + 4
    llm = [{"variant": "fp32", "tokens_per_s": 10.0, "first_token_ms": 100.0, "speedup_vs_fp32": 1.0}]
    results = {"motion": rows, "llm": llm, "end_to_end": hooks.end_to_end()}
    j = report.write_json(results, tmp_path / "b.json")
    png = report.write_chart(results, tmp_path / "b.png")
    assert json.loads(j.read_text())["motion"][0]["backend"] == "torch"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "END_TO_END slot not set" in results["end_to_end"]["note"]


def test_end_to_end_slot(monkeypatch):
    monkeypatch.setattr(hooks, "END_TO_END", lambda: {"replay_fps": 9.5})
    assert hooks.end_to_end() == {"replay_fps": 9.5}
