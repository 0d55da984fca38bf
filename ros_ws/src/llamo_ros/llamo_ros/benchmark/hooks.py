"""Slots for numbers measured by other parts of the stack, run in the same benchmark session.

pose_fps():      the pose engineer's `llamo_ros.pose.benchmark` (per-frame latency of each backend).
END_TO_END:      the lead's end-to-end / bag-replay benchmark; set it to a zero-argument callable that
                 returns a JSON-serialisable dict (e.g. {"replay_fps": ..., "latency_p50_ms": ...}):
                     from llamo_ros.benchmark import hooks
                     hooks.END_TO_END = my_replay_benchmark
"""
from __future__ import annotations

END_TO_END = None  # callable() -> dict: end-to-end / replay numbers (supplied by the lead)


def pose_fps(frames: int = 20) -> dict:
    """{backend: {p50_ms, fps, ...}} for the pose backends that start here; {"error": ...} if none can."""
    try:
        from llamo_ros.pose import benchmark as pose_bench
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
            stats = pose_bench.benchmark_backend(create_backend(name), images)
            out[name] = {**stats, "fps": 1000.0 / stats["p50_ms"]}
        except Exception as exc:  # noqa: BLE001
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def end_to_end() -> dict:
    """The END_TO_END slot's numbers, or a note that the slot is empty."""
    if END_TO_END is None:
        return {"note": "END_TO_END slot not set (llamo_ros.benchmark.hooks.END_TO_END)"}
    return END_TO_END()
