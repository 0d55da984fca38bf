"""The behaviour stage's one frame path, without ROS: what the behaviour node, the composed node and the bag
replay all drive.

`BehaviorStage` owns the `BehaviorEngine` (track buffers, intents, when to describe whom) and the model, and
serialises their use: frames and questions share the engine under one lock, descriptions and answers share
the language model under another, so a description running in a worker thread never blocks intents.

- `on_frame(stamp_ns, tracks, header)`: one frame of tracked skeletons -> intents now and the description
  requests due. `header` is opaque here (the node's and the replay's `std_msgs/Header`): every request
  carries the header of the frame it describes, and so does the `Description` made from it. A frame older
  than the newest one (a bag loop, a clock reset) resets every track first; a repeated frame is skipped. Both
  are reported through `on_error("time", text)`.
- `describe(request, stop)`: the language model's description of a request's window (who runs it and when is
  the caller's choice: a `DescriptionWorker` thread in the node, inline in the deterministic replay).
- `ask(track_id, question, stop)`: a validated question about a tracked person, answered from their motion.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from llamo_ros.behavior.engine import (AskResult, BehaviorConfig, BehaviorEngine, DescriptionRequest, IntentResult,
                                       MotionLanguageModel)
from llamo_ros.motion.track_buffer import TrackBufferConfig


@dataclass
class Description:
    """One finished description, with the header of the frame whose window it describes."""
    track_id: int
    header: Any               # the described frame's header (opaque here)
    window_start_ns: int
    window_end_ns: int
    text: str
    model: str
    latency_s: float          # wall time of the generation


class BehaviorStage:
    """Tracked skeletons -> intents, descriptions and answers; see the module docstring."""

    def __init__(self, model: MotionLanguageModel, config: BehaviorConfig | None = None,
                 buffer_config: TrackBufferConfig | None = None,
                 on_error: Callable[[str, str], None] | None = None) -> None:
        """`on_error(kind, text)`: told about skipped frames and time resets (the caller logs, throttled)."""
        self.model = model
        self.engine = BehaviorEngine(model, config, buffer_config)
        self.on_error = on_error or (lambda kind, text: None)   # settable: the replay reports into its summary
        self._engine_lock = threading.Lock()   # frames and questions
        self._llm_lock = threading.Lock()      # one generation at a time (descriptions and answers)
        self.frames_skipped = 0                # repeated frames

    def on_frame(self, stamp_ns: int, tracks: Iterable[tuple[int, np.ndarray, np.ndarray]], header: Any = None
                 ) -> tuple[list[IntentResult], list[DescriptionRequest]]:
        """One frame: (track_id, joints (17, 3) m camera optical frame, confidence (17,)) per person -> the
        intents of every track with enough history, and the description requests due now (carrying `header`)."""
        with self._engine_lock:
            resets = self.engine.time_resets
            try:
                out = self.engine.update(stamp_ns, tracks, header)
            except ValueError as error:   # a repeated frame: the engine changed nothing
                self.frames_skipped += 1
                self.on_error("time", f"skipping a frame: {error}")
                return [], []
            if self.engine.time_resets != resets:
                self.on_error("time", "time went backwards (bag loop or clock reset): every track starts over")
            return out

    def reset(self) -> None:
        """Forget every track (buffer, intent filter, description timers)."""
        with self._engine_lock:
            self.engine.reset()

    def describe(self, request: DescriptionRequest, stop: threading.Event | None = None) -> Description:
        """The description of `request`'s window; a set `stop` ends the generation early."""
        w = request.window
        with self._llm_lock:
            start = time.perf_counter()
            text = self.model.describe(w, stop=stop)
            latency = time.perf_counter() - start
        return Description(request.track_id, request.header, int(w.stamps_ns[0]), int(w.stamps_ns[-1]), text,
                           self.model.name, latency)

    def ask(self, track_id: int, question: str, stop: threading.Event | None = None) -> AskResult:
        """Answer a question about one tracked person from their recent motion; a failed AskResult says why
        (invalid question, unknown or too short track, or the language model failed)."""
        with self._engine_lock:
            checked = self.engine.check_question(track_id, question)
        if isinstance(checked, AskResult):
            return checked
        try:
            with self._llm_lock:
                answer = self.model.answer(checked, question, stop=stop)
        except Exception as error:  # noqa: BLE001  reported to the caller, the stage keeps serving
            return AskResult(False, error_message=f"the language model failed: {error!r}")
        return AskResult(True, answer, "", int(checked.stamps_ns[0]), int(checked.stamps_ns[-1]))

    def diagnostics(self) -> dict[str, int]:
        """Counters of the frame path, for /diagnostics."""
        with self._engine_lock:
            e = self.engine
            return {"tracks": len(e.buffer), "tracks_forgotten": e.buffer.forgotten,
                    "unusable_windows": e.unusable_windows, "time_resets": e.time_resets,
                    "frames_skipped_repeated": self.frames_skipped,
                    "descriptions_corrected": self.model.corrected_descriptions}
