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
    results = {"motion": rows, "llm": llm}
    j = report.write_json(results, tmp_path / "b.json")
    png = report.write_chart(results, tmp_path / "b.png")
    assert json.loads(j.read_text())["motion"][0]["backend"] == "torch"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_end_to_end_replay_numbers_on_real_video():
    result = hooks.end_to_end(frames=12)
    assert "error" not in result, result
    assert result["frames"] == 12 and abs(result["camera_s"] - 1.1) < 0.01  # vtest.avi is 10 fps
    assert result["realtime_factor"] == result["camera_s"] / result["wall_s"] > 0
    assert 0 < result["image_to_intent_p50_ms"] <= result["image_to_intent_p95_ms"]
