"""Slots for numbers measured by other parts of the stack, run in the same benchmark session.

pose_fps():      the pose engineer's `llamo_ros.benchmark.pose` (per-frame latency of each backend, and one
                 landmark fit and one detector window through LiteRT vs MediaPipe's graphs).
end_to_end():    `llamo_ros.benchmark.replay` on vtest.avi (replay throughput, image-to-intent latency).
"""
from __future__ import annotations


def pose_fps(frames: int = 20) -> dict:
    """{backend: {p50_ms, fps, ...}} for the pose backends that start here; {"error": ...} if none can."""
    try:
        from llamo_ros.benchmark import pose as pose_bench
        from llamo_ros.pose.backends import create_backend  # noqa: F401 (availability check)
    except Exception as exc:  # noqa: BLE001
        return {"error": f"pose benchmark unavailable ({type(exc).__name__}: {exc})"}
    out = {}
    try:
        images = pose_bench.benchmark_frames(frames)
    except Exception as exc:  # noqa: BLE001 (sample media missing)
        return {"error": f"no benchmark frames ({type(exc).__name__}: {exc})"}
    for name in ("mediapipe",):
        try:
            from llamo_ros.pose.backends import create_backend
            # 4 people per image, as measured since the first benchmarks (the pipeline's default is 8)
            stats = pose_bench.benchmark_backend(create_backend(name, max_persons=4), images)
            out[name] = {**stats, "fps": 1000.0 / stats["p50_ms"]}
        except Exception as exc:  # noqa: BLE001
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    try:   # MediaPipe's two models, LiteRT vs MediaPipe's graphs, on vtest.avi pedestrians
        from llamo_ros.data.sample_media import load_video_frames
        out["mediapipe_litert_vs_graph"] = pose_bench.litert_vs_graph(load_video_frames(max_frames=15))
    except Exception as exc:  # noqa: BLE001
        out["mediapipe_litert_vs_graph"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def end_to_end(frames: int = 0) -> dict:
    """Replay throughput and image-to-intent latency on the first `frames` frames of vtest.avi (0: all 795)."""
    from llamo_ros.benchmark.replay import replay_benchmark

    try:
        return replay_benchmark(frames)
    except Exception as exc:  # noqa: BLE001 (sample media or checkpoint missing: say so in the report)
        return {"error": f"{type(exc).__name__}: {exc}"}
