"""The motion-language model seen through track windows: what `BehaviorEngine` calls.

Live tracks have irregular frame spacing (the pose node skips frames when it is busy), while the motion
features assume a constant rate, so every window is first resampled onto a uniform grid. Intent paths
come out relative to the pelvis now and are returned in the camera frame (absolute positions).
"""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from llamo_ros.behavior.description_guard import guard_description
from llamo_ros.motion.features import FEATURE_RATE_HZ
from llamo_ros.motion.intents import NUM_INTENTS, with_appended_intents
from llamo_ros.motion.track_buffer import TrackWindow
from llamo_ros.shipped_models import shipped_model_path
from llamo_ros.skeleton import JOINT_INDEX, ROOT

DEMO_CHECKPOINT = "motion_llm_demo"
PREPARED_WINDOWS_KEPT = 64   # windows whose model input is kept for describe/answer (a few frames of every track)
log = logging.getLogger("llamo_ros.behavior")


def default_checkpoint_dir() -> Path:
    """The shipped checkpoint: the installed share/llamo_ros/models/motion_llm_demo, else the source tree's."""
    return shipped_model_path(DEMO_CHECKPOINT)


def uniform_resample(window: TrackWindow) -> tuple[np.ndarray, np.ndarray, float]:
    """(joints (T', 17, 3), confidence (T', 17), fps) on a uniform grid ending at the newest frame.

    The grid step is the median frame interval; joints are interpolated linearly in time (NaN stays NaN
    where a neighbour is missing) and confidences are taken from the nearest frame.
    """
    t = window.times_s                                        # (T,) <= 0, increasing
    if len(t) < 2:
        raise ValueError("a window needs at least 2 frames")
    step = float(np.median(np.diff(t)))
    n = int(np.floor(-t[0] / step + 1e-6)) + 1
    grid = -step * np.arange(n)[::-1]                         # (T',) ending at 0
    idx = np.clip(np.searchsorted(t, grid), 1, len(t) - 1)
    lo, hi = idx - 1, idx
    w = ((grid - t[lo]) / (t[hi] - t[lo]))[:, None, None]     # (T', 1, 1)
    joints = (1 - w) * window.joints[lo] + w * window.joints[hi]
    nearest = np.where(w[:, 0, 0] < 0.5, lo, hi)
    return joints.astype(np.float32), window.confidence[nearest], 1.0 / step


def current_root(joints: np.ndarray) -> np.ndarray:
    """(T, 17, 3) -> (3,) newest observed pelvis (or hip midpoint) in the camera frame; NaN if never seen."""
    hips = (joints[:, JOINT_INDEX["left_hip"]] + joints[:, JOINT_INDEX["right_hip"]]) / 2
    for candidates in (joints[:, ROOT], hips):
        finite = np.isfinite(candidates).all(axis=1)
        if finite.any():
            return candidates[np.flatnonzero(finite)[-1]]
    return np.full(3, np.nan, np.float32)


class BehaviorModel:
    """Adapts `llamo_ros.language.api.MotionLanguageModel` to `BehaviorEngine`'s protocol."""

    path_time_step_s = 1.0 / FEATURE_RATE_HZ

    def __init__(self, mlm, name: str, max_new_tokens: int = 40, intent_runtime=None,
                 ground_descriptions: bool = True) -> None:
        """`intent_runtime`: a `MotionRuntime` for intents and paths (else the PyTorch model in `mlm`);
        `ground_descriptions`: replace descriptions that name an action the measured motion contradicts
        (`behavior.description_guard`)."""
        self.mlm, self.name, self.max_new_tokens = mlm, name, max_new_tokens
        self.intent_runtime = intent_runtime
        self.ground_descriptions = ground_descriptions
        self.corrected_descriptions = 0   # descriptions replaced by the grounded caption, for diagnostics
        # window -> its resampled joints, confidences, rate and features, computed once for the intents and
        # reused when the same window is described or asked about (identity, not equality: windows are fresh
        # objects every frame); bounded, shared by the frame path and the description thread
        self._prepared: OrderedDict[int, tuple] = OrderedDict()
        self._prepared_lock = threading.Lock()

    def prepared(self, window: TrackWindow) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """(joints (T', 17, 3), confidence (T', 17), fps, features (T, 80)) of `window`, computed at most once
        per window object; ValueError when the window has no usable joint."""
        with self._prepared_lock:
            hit = self._prepared.get(id(window))
        if hit is not None and hit[0] is window:
            return hit[1]
        joints, confidence, fps = uniform_resample(window)
        out = (joints, confidence, fps, self.mlm.features(joints, confidence, fps))
        with self._prepared_lock:
            self._prepared[id(window)] = (window, out)
            while len(self._prepared) > PREPARED_WINDOWS_KEPT:
                self._prepared.popitem(last=False)
        return out

    def features(self, window: TrackWindow) -> np.ndarray:
        """(T, 80) model window; ValueError when the window has no usable joint."""
        return self.prepared(window)[3]

    def predict_intents(self, windows: list[TrackWindow]) -> tuple[np.ndarray, np.ndarray]:
        """-> probabilities (B, K) and absolute future paths (B, H, 3); rows of NaN for unusable windows."""
        feats, usable = [], []
        for w in windows:
            try:
                feats.append(self.features(w))
                usable.append(True)
            except ValueError:
                usable.append(False)
        probs = np.full((len(windows), NUM_INTENTS), np.nan, np.float32)
        paths = None
        if feats:
            if self.intent_runtime is not None:
                p, rel = self.intent_runtime(np.stack(feats))             # (B', K), (B', H, 3)
            else:
                p, rel = self.mlm.predict_intents(feats)
            paths = np.full((len(windows),) + rel.shape[1:], np.nan, np.float32)
            rows = np.flatnonzero(usable)
            probs[rows] = with_appended_intents(p)  # an older checkpoint lacks intents appended since: 0
            roots = np.stack([current_root(windows[i].joints) for i in rows])  # (B', 3)
            paths[rows] = rel + roots[:, None, :]
        else:
            paths = np.full((len(windows), 0, 3), np.nan, np.float32)
        return probs, paths

    def describe(self, window: TrackWindow, stop: threading.Event | None = None) -> str:
        """What the person did in `window`: the language model's words, checked against the measured motion."""
        joints, confidence, fps, features = self.prepared(window)
        text = self.mlm.describe(features, max_new_tokens=self.max_new_tokens, stop=stop)
        if not self.ground_descriptions:
            return text
        guarded = guard_description(text, joints, confidence, fps)
        if guarded.corrected:
            self.corrected_descriptions += 1
            log.info("track %d: %r names or states %s, which the motion contradicts; published %r",
                     window.track_id, text, ", ".join(guarded.contradicted), guarded.text)
        return guarded.text

    def answer(self, window: TrackWindow, question: str, stop: threading.Event | None = None) -> str:
        return self.mlm.answer(self.features(window), question, max_new_tokens=self.max_new_tokens, stop=stop)

    def preload(self) -> None:
        """Load the language model now rather than at the first description (seconds, once; on llama.cpp the
        checkpoint's GGUF export too, ~15 s, once per checkpoint)."""
        _ = self.mlm.generator


def load_behavior_model(checkpoint_dir: str | os.PathLike | None = None, llm_dir: str | os.PathLike | None = None,
                        device: str = "cpu", quantize_int8: bool = True, max_new_tokens: int = 40,
                        intent_runtime: str = "auto", ground_descriptions: bool = True, llm_runtime: str = "auto",
                        llm_gguf_type: str = "q4_1_lora8") -> BehaviorModel:
    """Load the motion-language model (default: the shipped demo checkpoint and SmolLM2).

    intent_runtime: backend of the per-frame encoder + heads: "auto" (TensorRT -> onnxruntime -> PyTorch,
        the first that starts; logged), or "tensorrt", "onnxruntime", "torch" to force one.
    llm_runtime: what generates descriptions and answers: "auto" (llama.cpp when its binding loads, else
        PyTorch; logged), "llama_cpp" or "torch"; llm_gguf_type: the GGUF export llama.cpp runs (q4_1_lora8, q8_0,
        q4_1, f32).
    """
    from llamo_ros.language.api import MotionLanguageModel
    from llamo_ros.language.llm_runtime import LlamaCppConfig

    checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else default_checkpoint_dir()
    if not (checkpoint_dir / "config.json").is_file():
        raise FileNotFoundError(f"no motion-LLM checkpoint in {checkpoint_dir} (config.json missing)")
    mlm = MotionLanguageModel.load(checkpoint_dir, llm_dir=llm_dir, device=device, quantize_int8=quantize_int8,
                                   llm_runtime=llm_runtime, llama_cpp=LlamaCppConfig(gguf_type=llm_gguf_type))
    llm_name = Path(str(mlm.llm_dir)).name if mlm.llm_dir else "SmolLM2-135M-Instruct"
    if mlm.llm_runtime == "llama_cpp":
        llm_name += f"-{llm_gguf_type}.gguf"
    runtime = intent_runtime_for(checkpoint_dir, intent_runtime, device)
    return BehaviorModel(mlm, f"{checkpoint_dir.name}+{llm_name}", max_new_tokens, runtime, ground_descriptions)


def intent_runtime_for(checkpoint_dir: Path, choice: str, device: str):
    """The selected `MotionRuntime` for the checkpoint's encoder + heads; None = PyTorch inside `mlm`."""
    from llamo_ros.runtime.selection import BACKENDS, MotionRuntimeConfig, select_motion_runtime

    if choice != "auto" and choice not in BACKENDS:
        raise ValueError(f"intent_runtime must be 'auto' or one of {BACKENDS}, got {choice!r}")
    preference = BACKENDS if choice == "auto" else (choice,)
    if preference == ("torch",):
        return None
    log = logging.getLogger("llamo_ros.runtime")
    onnx_path = None
    try:
        from llamo_ros.runtime.motion_onnx import cached_motion_onnx
        onnx_path = str(cached_motion_onnx(checkpoint_dir))
    except Exception as error:  # noqa: BLE001  no exporter here: the selection then skips ORT/TensorRT, says why
        log.warning("motion ONNX export failed (%s: %s)", type(error).__name__, error)
    # Only the accelerated backends are selected here: the PyTorch fallback is the model the language model
    # already holds (selection's own torch starter would set torch's global thread count, which the LLM shares).
    accelerated = tuple(b for b in preference if b != "torch")
    try:
        # One intra-op thread: the encoder is tiny, and spinning ORT threads would take CPU from the pose stage.
        runtime = select_motion_runtime(MotionRuntimeConfig(preference=accelerated, onnx_path=onnx_path, threads=1))
    except RuntimeError as error:
        if "torch" not in preference:
            raise
        log.info("motion runtime: using torch:%s (%s)", device, error)
        return None
    return runtime
