"""Benchmark helpers: statistics, a real backend run, and the PyTorch/onnxruntime comparison."""
import numpy as np
import pytest

from llamo_ros.benchmark.pose import benchmark_backend, latency_stats, torch_vs_onnxruntime


def test_latency_stats():
    stats = latency_stats([0.010] * 19 + [0.100])
    assert stats["n"] == 20 and stats["p50_ms"] == pytest.approx(10.0) and stats["p95_ms"] > 10.0


def test_benchmark_mediapipe_on_two_frames():
    pytest.importorskip("mediapipe")
    from llamo_ros.pose.mediapipe_backend import MediaPipeBackend

    frames = [np.full((480, 640, 3), 90, np.uint8)] * 2
    result = benchmark_backend(MediaPipeBackend(), frames, warmup=1)
    assert result["n"] == 2 and result["p50_ms"] > 0 and result["persons_per_frame"] == 0


def test_torch_vs_onnxruntime_small_conv():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 3))
    result = torch_vs_onnxruntime(module, np.random.default_rng(0).normal(size=(1, 3, 32, 32)), threads=(1,), repeats=3)
    assert result[1]["max_abs_diff"] < 1e-4 and result[1]["speedup"] > 0


def test_small_people_tradeoff_on_vtest():
    pytest.importorskip("mediapipe")
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_video_frames
    from llamo_ros.benchmark.pose import small_people_tradeoff

    try:
        frames = load_video_frames("vtest.avi", max_frames=3)
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")
    result = small_people_tradeoff(frames, settings=(("whole", {"detection_tile_px": 0}), ("tiles", {})))
    assert set(result) == {"whole", "tiles"} and result["tiles"]["n"] == 3
    # the first frame is scanned whole: the tiles find the walkers the whole-frame detector misses
    assert result["tiles"]["persons_per_frame"] >= 2 > result["whole"]["persons_per_frame"]


def test_mmpose_models_torch_vs_onnxruntime():
    pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
    from llamo_ros.benchmark.pose import mmpose_models_torch_vs_onnxruntime

    # the two small models only: RTMDet-m at 640 px costs seconds per run on a loaded 2-core machine
    result = mmpose_models_torch_vs_onnxruntime(threads=(1,), repeats=2,
                                                models=("rtmpose-m_256x192", "videopose3d_27f"))
    assert set(result) == {"rtmpose-m_256x192", "videopose3d_27f"}
    for model, rows in result.items():
        print(f"\n{model}: torch {rows[1]['torch']['p50_ms']:.1f} ms, ort {rows[1]['onnxruntime']['p50_ms']:.1f} ms")
        assert rows[1]["max_abs_diff"] < 1e-3 and rows[1]["speedup"] > 0


def test_litert_vs_graph_on_vtest():
    pytest.importorskip("ai_edge_litert")
    from llamo_ros.data.sample_media import load_video_frames
    from llamo_ros.benchmark.pose import litert_vs_graph

    result = litert_vs_graph(load_video_frames(max_frames=3), rois=6)
    assert result["landmark_fit"]["calls"] == 6
    assert result["detector_window"]["calls"] == 20   # the 224 px tiles of a 768x576 frame
    for row in result.values():
        for name in ("litert", "mediapipe_graph"):
            assert row[name]["n"] == row["calls"] and row[name]["p50_ms"] > 0
        assert row["speedup"] == pytest.approx(row["mediapipe_graph"]["p50_ms"] / row["litert"]["p50_ms"])
