"""Pose benchmarks: per-frame latency of each backend, and PyTorch vs onnxruntime for a model.

``python -m llamo_ros.benchmark.pose [--backends mediapipe mmpose onnx] [--frames 30] [--json out.json]
[--small-people-frames 200]``

Frames are real 640x480 images (basketball1/2 and vtest.avi frames, resized), cycled. Latency is
wall time of ``backend.estimate`` (detection + 2D + 3D + metric placement), reported as p50/p95 in
milliseconds after ``warmup`` untimed frames. `torch_vs_onnxruntime` exports a torch module with
plain ``torch.onnx.export`` and times both runtimes on the same input with 1 and 2 threads.
`small_people_tradeoff` replays vtest.avi (768x576, pedestrians ~60-90 px tall) through MediaPipe
settings of increasing detection effort and reports people found per frame against ms per frame.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def latency_stats(seconds: list[float]) -> dict:
    """p50/p95/mean in milliseconds of a list of durations in seconds."""
    ms = 1000.0 * np.asarray(seconds, dtype=np.float64)
    return {"n": int(ms.size), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(ms.mean())}


def benchmark_frames(count: int = 30, size: tuple[int, int] = (640, 480)) -> list[np.ndarray]:
    """``count`` real RGB frames resized to ``size`` = (width, height)."""
    import cv2

    from llamo_ros.data.sample_media import load_image, load_video_frames

    frames = [load_image("basketball1"), load_image("basketball2")] + load_video_frames(max_frames=max(0, count - 2))
    return [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in (frames * count)[:count]]


def benchmark_backend(backend, frames: list[np.ndarray], warmup: int = 3) -> dict:
    """Latency of ``backend.estimate`` over ``frames`` (after ``warmup`` untimed calls)."""
    for frame in frames[:warmup]:
        backend.estimate(frame)
    times, persons = [], 0
    for frame in frames:
        start = time.perf_counter()
        persons += len(backend.estimate(frame))
        times.append(time.perf_counter() - start)
    return {**latency_stats(times), "persons_per_frame": persons / max(1, len(frames))}


# MediaPipe settings compared by `small_people_tradeoff`: (name, MediaPipeConfig fields).
SMALL_PEOPLE_SETTINGS = (
    ("whole_frame_only", {"detection_tile_px": 0, "track_between_frames": False}),  # the old behaviour
    ("tiles_1_per_frame_max4", {"detection_tiles_per_frame": 1, "max_persons": 4}),
    ("tiles_1_per_frame", {"detection_tiles_per_frame": 1}),
    ("tiles_3_per_frame", {"detection_tiles_per_frame": 3}),       # the default is 2
    ("all_tiles_every_frame", {"detection_tiles_per_frame": 0, "track_between_frames": False}),
)


def small_people_tradeoff(frames: list[np.ndarray], settings=SMALL_PEOPLE_SETTINGS,
                          min_height_to_width: float = 1.0) -> dict:
    """People per frame vs latency of the MediaPipe backend per setting, on a video's ``frames`` in order.

    People are counted after `upright_people` (``min_height_to_width``), as a pedestrian demo runs;
    ``track_ids`` is how many distinct ids `PersonTracker` handed out (fewer = steadier tracks).
    """
    from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig
    from llamo_ros.pose.person_filter import upright_people
    from llamo_ros.pose.tracker import PersonTracker

    results = {}
    for name, fields in settings:
        backend, tracker = MediaPipeBackend(MediaPipeConfig(**fields)), PersonTracker()
        try:
            backend.estimate(frames[0])   # warm-up (model load), then start the stream afresh
            backend.reset()
            times, counts = [], []
            for frame in frames:
                start = time.perf_counter()
                persons = upright_people(backend.estimate(frame), min_height_to_width)
                times.append(time.perf_counter() - start)
                counts.append(len(tracker.update(persons)))
        finally:
            backend.close()
        results[name] = {**latency_stats(times), "persons_per_frame": float(np.mean(counts)),
                         "track_ids": tracker.ids_issued, "config": fields}
    return results


def litert_vs_graph(frames: list[np.ndarray], rois: int = 60) -> dict:
    """MediaPipe's two models through LiteRT vs MediaPipe's graphs, interleaved, single-threaded (one call
    at a time): a landmark fit on each of the first ``rois`` people tracked in ``frames``, and the detector
    on each 224 px window of ``frames[0]``.

    Returns {"landmark_fit": row, "detector_window": row}, row = {"litert": stats, "mediapipe_graph": stats,
    "speedup": graph p50 / LiteRT p50, "calls": timed calls per runtime}.
    """
    from llamo_ros.pose.blazepose_detector import GraphPoseDetector, LiteRtPoseDetector
    from llamo_ros.pose.blazepose_landmarks import GraphLandmarkModel, LiteRtLandmarkModel
    from llamo_ros.pose.mediapipe_backend import MediaPipeConfig, detection_windows, tracked_rois

    people = tracked_rois(frames, MediaPipeConfig(max_persons=8, threads=1))
    height, width = frames[0].shape[:2]
    tiles = [(np.ascontiguousarray(frames[0][y0:y1, x0:x1]),)
             for x0, y0, x1, y1 in detection_windows(width, height, 224, 0.25)[1:]]

    def compare(lite_call, graph_call, inputs) -> dict:
        times: dict[str, list[float]] = {"litert": [], "mediapipe_graph": []}
        for args in inputs[:3]:   # warm-up
            lite_call(*args), graph_call(*args)
        for args in inputs:
            for name, call in (("litert", lite_call), ("mediapipe_graph", graph_call)):
                start = time.perf_counter()
                call(*args)
                times[name].append(time.perf_counter() - start)
        stats = {name: latency_stats(t) for name, t in times.items()}
        speedup = stats["mediapipe_graph"]["p50_ms"] / stats["litert"]["p50_ms"]
        return {**stats, "speedup": speedup, "calls": len(inputs)}

    fit, graph_fit = LiteRtLandmarkModel(), GraphLandmarkModel()
    detector, graph_detector = LiteRtPoseDetector(), GraphPoseDetector()
    try:
        return {"landmark_fit": compare(fit.fit, graph_fit.fit, people[:rois]),
                "detector_window": compare(detector.detect, graph_detector.detect, tiles)}
    finally:
        graph_fit.close()
        graph_detector.close()


def _time(fn, repeats: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def torch_vs_onnxruntime(module, example: np.ndarray, threads: tuple[int, ...] = (1, 2), repeats: int = 20) -> dict:
    """Export ``module`` (eval mode) to ONNX and time PyTorch vs onnxruntime on ``example`` (float32).

    Returns {threads: {"torch": stats, "onnxruntime": stats, "speedup": torch_p50 / ort_p50,
    "max_abs_diff": float}}.
    """
    import onnxruntime as ort
    import torch

    module = module.eval()
    x = torch.from_numpy(np.ascontiguousarray(example, dtype=np.float32))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "model.onnx")
        torch.onnx.export(module, (x,), path, input_names=["input"], dynamo=False, opset_version=17)
        previous = torch.get_num_threads()
        try:
            for n in threads:
                torch.set_num_threads(n)
                options = ort.SessionOptions()
                options.intra_op_num_threads, options.inter_op_num_threads = n, 1
                session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
                with torch.inference_mode():
                    reference = module(x)
                    reference = (reference[0] if isinstance(reference, (tuple, list)) else reference).numpy()
                    t_torch = _time(lambda: module(x), repeats)
                got = session.run(None, {"input": example.astype(np.float32)})[0]
                t_ort = _time(lambda: session.run(None, {"input": example.astype(np.float32)}), repeats)
                s_torch, s_ort = latency_stats(t_torch), latency_stats(t_ort)
                results[n] = {"torch": s_torch, "onnxruntime": s_ort, "speedup": s_torch["p50_ms"] / s_ort["p50_ms"],
                              "max_abs_diff": float(np.abs(got - reference).max())}
        finally:
            torch.set_num_threads(previous)
    return results


MMPOSE_MODELS = ("rtmdet-m_640", "rtmpose-m_256x192", "videopose3d_27f")


def mmpose_models_torch_vs_onnxruntime(threads: tuple[int, ...] = (1, 2), repeats: int = 20,
                                       models: tuple[str, ...] = MMPOSE_MODELS) -> dict:
    """`torch_vs_onnxruntime` rows for the mmpose backend's models (random weights: timing only).

    "rtmdet-m_640": one (1, 3, 640, 640) letterboxed image through backbone + neck + head up to the
    raw per-level outputs (the exported graph; decoding and NMS are numpy, not timed here).
    "rtmpose-m_256x192": one (1, 3, 256, 192) crop through backbone + neck + SimCC head, without flip
    test (the backend's exported graph runs two such passes). "videopose3d_27f": one (1, 34, 27)
    window through the TCN lifter.
    """
    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig, build_detector
    from llamo_ros.pose.mmpose_graphs import RTMDetRawHead, RTMPoseSimCC, VideoPoseLifter
    from llamo_ros.pose.streaming_lift import LIFTER_RECEPTIVE_FIELD

    unknown = set(models) - set(MMPOSE_MODELS)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; known: {', '.join(MMPOSE_MODELS)}")

    backend = MMPoseBackend(MMPoseConfig(whole_image_as_person=True))
    rng = np.random.default_rng(0)
    results = {}
    if "rtmdet-m_640" in models:
        results["rtmdet-m_640"] = torch_vs_onnxruntime(RTMDetRawHead(build_detector()),
                                                       rng.normal(size=(1, 3, 640, 640)), threads, repeats)
    if "rtmpose-m_256x192" in models:
        results["rtmpose-m_256x192"] = torch_vs_onnxruntime(RTMPoseSimCC(backend.pose2d, flip_test=False),
                                                            rng.normal(size=(1, 3, 256, 192)), threads, repeats)
    if "videopose3d_27f" in models:
        results["videopose3d_27f"] = torch_vs_onnxruntime(
            VideoPoseLifter(backend.lifter), rng.normal(size=(1, 34, LIFTER_RECEPTIVE_FIELD)) * 0.3, threads, repeats)
    return results


def main(argv=None) -> None:
    from llamo_ros.pose.backends import create_backend

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["mediapipe"])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--model-dir", default="", help="ONNX models for the onnx backend (default: its model_dir)")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--small-people-frames", type=int, default=0,
                        help="also run the MediaPipe small-people trade-off on this many vtest.avi frames")
    parser.add_argument("--mmpose-models", action="store_true",
                        help="also time the mmpose models in PyTorch vs onnxruntime, 1 and 2 threads")
    args = parser.parse_args(argv)
    frames = benchmark_frames(args.frames)
    report = {}
    if args.mmpose_models:
        report["mmpose_models_torch_vs_onnxruntime"] = mmpose_models_torch_vs_onnxruntime()
        for model, rows in report["mmpose_models_torch_vs_onnxruntime"].items():
            for n, row in rows.items():
                print(f"{model} {n} thread(s): torch p50 {row['torch']['p50_ms']:.1f} ms, onnxruntime p50 "
                      f"{row['onnxruntime']['p50_ms']:.1f} ms, speedup {row['speedup']:.2f}x, "
                      f"max |diff| {row['max_abs_diff']:.2e}", flush=True)
    for name in args.backends:
        try:
            # 4 people per image, as measured since the first benchmarks (the pipeline's default is 8)
            onnx_dir = {"model_dir": args.model_dir} if name == "onnx" and args.model_dir else {}
            backend = create_backend(name, max_persons=4, **onnx_dir)
        except (ImportError, FileNotFoundError, ValueError) as error:
            report[name] = {"skipped": f"{type(error).__name__}: {error}"}
        else:
            report[name] = benchmark_backend(backend, frames)
        print(name, json.dumps(report[name]), flush=True)
    if args.small_people_frames > 0:
        from llamo_ros.data.sample_media import load_video_frames

        report["mediapipe_small_people_vtest"] = small_people_tradeoff(
            load_video_frames("vtest.avi", max_frames=args.small_people_frames))
        for name, row in report["mediapipe_small_people_vtest"].items():
            print(f"vtest {name}: {row['persons_per_frame']:.2f} people/frame, p50 {row['p50_ms']:.0f} ms, "
                  f"p95 {row['p95_ms']:.0f} ms, {row['track_ids']} track ids", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
