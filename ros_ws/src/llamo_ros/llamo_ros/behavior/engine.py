"""The behaviour stage without ROS: skeleton tracks in, intents every frame, description requests out.

Intents are computed for every track with enough history, batched across people, on every update, and
never wait for the language model. Descriptions are requested per track at most every
`describe_period_s` of source time, and as soon as its most likely intent changes; running them is the
caller's choice (a `DescriptionWorker` thread in the node, inline in the deterministic bag replay).

The published probabilities are the heads' per-window probabilities filtered over time per track
(`motion.intent_filter`), so the most likely intent, and the descriptions triggered by its changes, do not
flicker; the raw ones stay in `IntentResult.raw_probabilities`. Every future path comes with a per-point
standard deviation (`path_std`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

import numpy as np

from llamo_ros.motion.intent_filter import IntentFilter
from llamo_ros.behavior.kinematic_evidence import MeasuredMotion, checks_due, evidence_likelihood, measure_window, weigh
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.motion.track_buffer import TrackBuffer, TrackBufferConfig, TrackWindow
from llamo_ros.config_fields import param
from llamo_ros.skeleton import JOINT_INDEX

MAX_QUESTION_CHARS = 500


class MotionLanguageModel(Protocol):
    """What the behaviour stage needs from the motion-language model (`llamo_ros.language`)."""

    name: str                 # e.g. "motion_llm_demo+SmolLM2-135M-Instruct"
    path_time_step_s: float   # time between predicted future-path points, s
    corrected_descriptions: int   # descriptions replaced because the measured motion contradicted them (diagnostics)

    def predict_intents(self, windows: list[TrackWindow]) -> tuple[np.ndarray, np.ndarray]:
        """-> (probabilities (B, len(INTENT_LABELS)), future root path (B, H, 3) metres, camera optical frame)."""

    def describe(self, window: TrackWindow, stop: threading.Event | None = None) -> str:
        """What the person did in `window`; a set `stop` ends the generation early (shutdown)."""

    def answer(self, window: TrackWindow, question: str, stop: threading.Event | None = None) -> str: ...


@dataclass
class BehaviorConfig:
    min_frames: int = param(8, "frames a track needs before intents are predicted")
    describe_period_s: float = param(5.0, "a track is described at most this often (source time), s")
    describe_on_intent_change: bool = param(True, "also describe as soon as the most likely intent changes")
    first_describe_after_s: float = param(2.0, "a track is first described once it has this much motion "
                                                   "history, s (short track fragments are not described)")
    min_describe_gap_s: float = param(2.0, "intent changes trigger a description only this long after the "
                                           "track's previous one (source time), s: flickering intents must not "
                                           "keep the language model busy")
    filter_intents: bool = param(True, "publish intent probabilities filtered over time per track (HMM forward "
                                       "pass); false: the heads' per-window probabilities")
    intent_dwell_s: float = param(4.0, "intent filter: expected time a person keeps one intent, s (longer: "
                                       "steadier intents, slower to follow a change)")
    intent_evidence_s: float = param(0.4, "intent filter: seconds of overlapping motion windows that count as "
                                          "one independent observation (longer: steadier, slower)")
    intent_probability_floor: float = param(0.01, "intent filter: smallest probability a window gives a class, "
                                                  "so one confident wrong window cannot rule it out")
    check_gestures: bool = param(True, "weigh the gesture intents (waving, pointing, handing over) by whether the "
                                       "kinematic descriptors measure their gesture, before the intent filter "
                                       "(behavior.kinematic_evidence)")
    check_plain_motion: bool = param(True, "weigh 'other' down when the kinematic descriptors measure nothing but "
                                           "walking or standing (behavior.kinematic_evidence)")
    check_transitions: bool = param(True, "weigh standing up, sitting down and picking up down when the window "
                                          "shows no low posture, no sinking pelvis, no hand near the floor "
                                          "(behavior.kinematic_evidence)")
    gesture_check_min_p: float = param(0.05, "the kinematic check runs only when a checked intent has "
                                             "at least this probability (it costs ~5 ms per window)")
    kinematic_check_period_s: float = param(0.2, "the kinematic checks measure a track's motion at most this "
                                                 "often (source time), s, and reuse the measurement in between: "
                                                 "a 3.2 s window changes little in 0.2 s, and at camera rate the "
                                                 "measurements took as much CPU as the pose stage can spare; "
                                                 "0: every frame")
    path_fit_s: float = param(1.0, "future-path std: span of recent roots the straight-line fit uses, s")
    path_accel_std: float = param(0.5, "future-path std: unmodelled acceleration (changes of course), m/s^2")
    path_root_fraction: float = param(0.03, "future-path std: the current root's own uncertainty per axis, as a "
                                            "fraction of its distance (vtest.avi: the height prior scatters ~3 %)")

    def __post_init__(self) -> None:
        if self.min_frames < 2:
            raise ValueError(f"min_frames must be >= 2, got {self.min_frames}")
        if not self.describe_period_s > 0:
            raise ValueError(f"describe_period_s must be > 0, got {self.describe_period_s}")
        if not self.first_describe_after_s >= 0:
            raise ValueError(f"first_describe_after_s must be >= 0, got {self.first_describe_after_s}")
        if not self.min_describe_gap_s >= 0:
            raise ValueError(f"min_describe_gap_s must be >= 0, got {self.min_describe_gap_s}")
        if not self.kinematic_check_period_s >= 0:
            raise ValueError(f"kinematic_check_period_s must be >= 0, got {self.kinematic_check_period_s}")
        if not (self.path_fit_s > 0 and self.path_accel_std >= 0 and self.path_root_fraction >= 0):
            raise ValueError(f"path_fit_s must be > 0, path_accel_std and path_root_fraction >= 0, got "
                             f"{self.path_fit_s}, {self.path_accel_std}, {self.path_root_fraction}")


@dataclass
class IntentResult:
    track_id: int
    probabilities: np.ndarray     # (K,) float32, sums to 1, order of INTENT_LABELS
    future_path: np.ndarray       # (H, 3) float32 metres, camera optical frame
    path_time_step_s: float
    window_start_ns: int          # stamp of the oldest frame used
    window_end_ns: int            # stamp of the newest frame used (the current image)
    raw_probabilities: np.ndarray | None = None   # (K,) the heads' per-window probabilities (None: = probabilities)
    future_path_std: np.ndarray | None = None     # (H, 3) float32 std of each path point along x, y, z, metres

    @property
    def most_likely(self) -> int:
        return int(np.argmax(self.probabilities))


@dataclass
class DescriptionRequest:
    track_id: int
    window: TrackWindow
    header: Any = None            # the input frame's header (opaque here): the description is published with it


@dataclass
class AskResult:
    success: bool
    answer: str = ""
    error_message: str = ""
    window_start_ns: int = 0
    window_end_ns: int = 0


def path_std(window: TrackWindow, horizons_s: np.ndarray, fit_s: float, accel_std: float,
             root_fraction: float = 0.0) -> np.ndarray:
    """(H, 3) float32 std (m) of a future root position `horizons_s` (H,) seconds after the window's last frame,
    per axis of the camera optical frame, from three independent terms: the prediction interval of a
    least-squares line through the pelvis positions of the last `fit_s` seconds, ``accel_std * t^2 / 2`` for
    changes of course, and ``root_fraction * distance`` for the uncertainty of where the person is now (a
    per-image root is off by a few % of its distance; filtering smooths it, but its offset stays).

    With fewer than 3 usable pelvis positions the fit term is the spread of what there is (0 for one).
    On vtest.avi with the defaults, 72 % / 92 % of the path coordinates 1 s ahead and 71 % / 95 % 2 s ahead were
    within 1 / 2 std of the real position (without the root term: 42 % / 74 % and 68 % / 92 %)."""
    horizons_s = np.asarray(horizons_s, np.float64)
    t = window.times_s
    pelvis = window.joints[:, JOINT_INDEX["pelvis"]].astype(np.float64)
    use = (t >= -fit_s) & np.isfinite(pelvis).all(axis=1)
    t, pelvis = t[use], pelvis[use]
    model_var = (accel_std * horizons_s ** 2 / 2)[:, None] ** 2
    root_var = (root_fraction * float(np.linalg.norm(pelvis[-1]))) ** 2 if len(t) else 0.0
    if len(t) < 3:
        spread = pelvis.std(axis=0) if len(t) else np.zeros(3)
        return np.sqrt(spread[None] ** 2 + model_var + root_var).astype(np.float32)
    a = np.stack([np.ones_like(t), t], 1)
    coef, *_ = np.linalg.lstsq(a, pelvis, rcond=None)
    residual_var = ((pelvis - a @ coef) ** 2).sum(axis=0) / (len(t) - 2)             # (3,)
    centre, spread_t = t.mean(), ((t - t.mean()) ** 2).sum()
    leverage = 1.0 / len(t) + (horizons_s - centre) ** 2 / max(spread_t, 1e-12)      # (H,)
    var = residual_var[None] * leverage[:, None] + model_var + root_var
    return np.sqrt(var).astype(np.float32)


class BehaviorEngine:
    """Keeps every track's motion, predicts intents and decides when to describe whom."""

    def __init__(self, model: MotionLanguageModel, config: BehaviorConfig | None = None,
                 buffer_config: TrackBufferConfig | None = None) -> None:
        self.model = model
        self.config = config or BehaviorConfig()
        self.buffer = TrackBuffer(buffer_config)
        c = self.config
        self.intent_filter = IntentFilter(len(INTENT_LABELS), c.intent_dwell_s, c.intent_evidence_s,
                                          c.intent_probability_floor)
        self._last_described_ns: dict[int, int] = {}
        self._last_intent: dict[int, int] = {}
        self._measured: dict[int, tuple[int, MeasuredMotion | None]] = {}  # track -> (window end ns, measurement)
        self._newest_ns: int | None = None   # stamp of the newest frame so far
        self.unusable_windows = 0  # windows the model could not read (no joint seen), for diagnostics
        self.time_resets = 0       # times the source time went backwards and every track started over

    def reset(self) -> None:
        """Forget every track: motion buffer, intent filter and description timers (counters are kept)."""
        self.buffer.clear()
        self.intent_filter.clear()
        self._last_described_ns.clear()
        self._last_intent.clear()
        self._measured.clear()
        self._newest_ns = None

    def update(self, stamp_ns: int, tracks: Iterable[tuple[int, np.ndarray, np.ndarray]], header: Any = None
               ) -> tuple[list[IntentResult], list[DescriptionRequest]]:
        """Add one frame: `tracks` holds (track_id, joints (17, 3) m, confidence (17,)) per person; `header`
        (opaque) is handed on in the description requests of this frame.

        Returns the intents of every track seen in this frame with at least `min_frames` frames, and the
        description requests due now. A stamp older than the newest so far (a bag loop, a clock reset) resets
        every track first (`reset`, counted in `time_resets`); a repeated stamp raises ValueError and changes
        nothing.
        """
        stamp_ns = int(stamp_ns)
        if self._newest_ns is not None and stamp_ns == self._newest_ns:
            raise ValueError(f"stamp {stamp_ns} repeats the previous frame's")
        if self._newest_ns is not None and stamp_ns < self._newest_ns:
            self.reset()
            self.time_resets += 1
        self._newest_ns = stamp_ns
        seen = []
        for track_id, joints, confidence in tracks:
            self.buffer.add(stamp_ns, int(track_id), joints, confidence)
            seen.append(int(track_id))
        for gone in self.buffer.forget_stale(stamp_ns):
            self._last_described_ns.pop(gone, None)
            self._last_intent.pop(gone, None)
            self._measured.pop(gone, None)
            self.intent_filter.forget(gone)
        windows = [self.buffer.window(t) for t in seen]
        windows = [w for w in windows if len(w.stamps_ns) >= self.config.min_frames]
        if not windows:
            return [], []
        probs, paths = self.model.predict_intents(windows)  # (B, K), (B, H, 3)
        if probs.shape != (len(windows), len(INTENT_LABELS)) or paths.ndim != 3 or paths.shape[0] != len(windows):
            raise RuntimeError(f"model returned probabilities {probs.shape} and paths {paths.shape} "
                               f"for {len(windows)} windows")
        intents, requests = [], []
        for w, p, path in zip(windows, probs, paths):
            if not np.isfinite(p).all():  # the model found no usable joint in this window
                self.unusable_windows += 1
                continue
            raw = p.astype(np.float32)
            end_ns = int(w.stamps_ns[-1])
            evidence = self._kinematically_checked(w, raw)
            filtered = self.intent_filter.update(w.track_id, end_ns, evidence) if self.config.filter_intents \
                else evidence
            step = self.model.path_time_step_s
            std = path_std(w, step * np.arange(1, len(path) + 1), self.config.path_fit_s, self.config.path_accel_std,
                           self.config.path_root_fraction)
            result = IntentResult(w.track_id, filtered, path.astype(np.float32), step, int(w.stamps_ns[0]), end_ns,
                                  raw_probabilities=raw, future_path_std=std)
            intents.append(result)
            if self._description_due(result):
                self._last_described_ns[w.track_id] = result.window_end_ns
                requests.append(DescriptionRequest(w.track_id, w, header))
            self._last_intent[w.track_id] = result.most_likely
        return intents, requests

    def _kinematically_checked(self, window: TrackWindow, raw: np.ndarray) -> np.ndarray:
        """The heads' probabilities with gestures and transitions the motion does not show, and "other" where it
        shows plain walking or standing, turned down (kinematic_evidence)."""
        due = checks_due(raw, self.config)
        if not any(due):
            return raw
        end_ns = int(window.stamps_ns[-1])
        last = self._measured.get(window.track_id)
        if last is None or end_ns - last[0] >= self.config.kinematic_check_period_s * 1e9:
            last = self._measured[window.track_id] = (end_ns, measure_window(window))
        return weigh(raw, evidence_likelihood(last[1], *due))

    def _description_due(self, result: IntentResult) -> bool:
        """A description is due when the period has passed, or the most likely intent changed (after the gap)."""
        if result.window_end_ns - result.window_start_ns < self.config.first_describe_after_s * 1e9 \
                and result.track_id not in self._last_described_ns:
            return False
        last = self._last_described_ns.get(result.track_id)
        if last is None or result.window_end_ns - last >= self.config.describe_period_s * 1e9:
            return True
        old = self._last_intent.get(result.track_id)
        if result.window_end_ns - last < self.config.min_describe_gap_s * 1e9:
            return False
        return self.config.describe_on_intent_change and old is not None and old != result.most_likely

    def check_question(self, track_id: int, question: str) -> AskResult | TrackWindow:
        """Validate a question; returns the track's window, or a failed AskResult saying why."""
        if not question.strip():
            return AskResult(False, error_message="the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            return AskResult(False, error_message=f"the question has {len(question)} characters; "
                                                  f"at most {MAX_QUESTION_CHARS} are accepted")
        if track_id not in self.buffer:
            return AskResult(False, error_message=f"unknown track id {track_id}; tracked now: "
                                                  f"{sorted(self.buffer.track_ids)}")
        window = self.buffer.window(track_id)
        if len(window.stamps_ns) < self.config.min_frames:
            return AskResult(False, error_message=f"track {track_id} has {len(window.stamps_ns)} frames of motion; "
                                                  f"{self.config.min_frames} are needed")
        return window
