"""ROS 2 managed node: camera image (+ CameraInfo, + aligned depth) -> tracked metric 3D skeletons.

Subscribes ``image`` (sensor_msgs/Image, sensor-data QoS; with ``image_transport:=compressed`` instead
``<image>/compressed``, sensor_msgs/CompressedImage JPEG or PNG), ``camera_info`` (sensor_msgs/CameraInfo)
and ``depth`` (sensor_msgs/Image 16UC1 mm or 32FC1 m, aligned to ``image``; optional). Publishes
``persons`` (llamo_msgs/Person3DArray, stamped with the source image's stamp and frame_id) and
``markers`` (visualization_msgs/MarkerArray skeletons for RViz); with ``target_frame`` set, both are in that
frame (tf2 at the image stamp, or the fixed camera_* transform) and ``persons.camera_transform`` records
the transform used.

A lifecycle node (`llamo_ros.nodes.lifecycle`): configure loads the pose backend, activate subscribes and
starts publishing, deactivate unsubscribes, cleanup frees the backend. With ``autostart`` (default) it
configures and activates itself at start-up.

Only the newest image is processed: the subscription callback checks and decodes each image and keeps
the latest good one, and a worker thread estimates poses on it, so a slow backend drops frames (counted
in ``skipped_frames``) instead of falling ever further behind. Bad input is logged (throttled) and counted, never
fatal. The work itself
is `PoseFrameProcessor`'s, shared with the bag replay.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

import numpy as np

import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import SingleThreadedExecutor
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from visualization_msgs.msg import MarkerArray

from llamo_msgs.msg import Person3DArray
from llamo_ros.frames import TargetFrameConfig
from llamo_ros.messages.diagnostics import latency_values, rate_hz, stage_status
from llamo_ros.nodes.lifecycle import LifecycleConfig, StageNode, start_up
from llamo_ros.nodes.parameters import declare_parameters, read_config
from llamo_ros.nodes.shutdown import spin_until_shutdown
from llamo_ros.messages.pose_frames import PoseConfig, PoseFrameProcessor
from llamo_ros.messages.tf2_frames import camera_to_target
from llamo_ros.pose.pose_frame import PoseFrame


# Every parameter of the node: (config dataclass, parameter name prefix).
PARAMETER_CONFIGS = ((PoseConfig, ""), (TargetFrameConfig, ""), (LifecycleConfig, ""))


class PoseNode(StageNode):
    """Image -> `Person3DArray` + skeleton markers; see the module docstring."""

    config: PoseConfig | None           # read in configure
    frames: PoseFrameProcessor | None   # the backend and per-stream state; None while unconfigured

    def __init__(self, frames_sink: Callable[[PoseFrame], None] | None = None):
        """`frames_sink`: also hand every published frame, as the core `PoseFrame`, to this callable in process
        (composed mode: the behaviour stage reads it without a message in between)."""
        super().__init__("pose")
        self._frames_sink = frames_sink
        for cls, prefix in PARAMETER_CONFIGS:
            declare_parameters(self, cls, prefix)
        self.config, self.frames = None, None
        self.skipped_frames = 0     # replaced by a newer image before the worker got to them
        self._pending: tuple[Image | CompressedImage, np.ndarray] | None = None  # newest good image, decoded
        self._wake = threading.Condition()
        self._running = False
        self._worker: threading.Thread | None = None
        self.latencies: deque = deque(maxlen=200)      # per processed frame: image in -> persons out, s
        self._input_times: deque = deque(maxlen=50)     # wall times of recent images, for the input rate

    # -- lifecycle -------------------------------------------------------------------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read the parameters and load the backend -> inactive; FAILURE (logged) -> unconfigured."""
        try:
            self.config = read_config(self, PoseConfig)
            self.error_log_period_s = self.config.error_log_period_s
            to_target = camera_to_target(read_config(self, TargetFrameConfig), self)
            self.frames = PoseFrameProcessor(self.config, self._error, to_target=to_target)
        except Exception as error:  # noqa: BLE001  a bad parameter or a missing model: say why, stay unconfigured
            self.get_logger().error(f"configure failed: {type(error).__name__}: {error}")
            self.config = self.frames = None
            return TransitionCallbackReturn.FAILURE
        self.diagnostics_pub = self.create_lifecycle_publisher(DiagnosticArray, "/diagnostics", 10)
        self.persons_pub = self.create_lifecycle_publisher(Person3DArray, "persons", 10)
        self.markers_pub = self.create_lifecycle_publisher(MarkerArray, "markers", 10)
        self._running = True
        self._worker = threading.Thread(target=self._work, name="pose_worker", daemon=True)
        self._worker.start()
        target = self.frames.to_target
        frame = f"{target.target_frame} ({type(target).__name__})" if target else "the camera optical frame"
        self.get_logger().info(f"pose node configured: backend={self.config.backend}, images from "
                               f"{self._image_topic()} ({self.config.image_transport}), publishing in {frame}")
        return super().on_configure(state)

    def _image_topic(self) -> str:
        """The image subscription's topic: image_transport's naming, `<base topic>/compressed` for JPEG/PNG."""
        base = self.resolve_topic_name("image")
        return base + "/compressed" if self.config.image_transport == "compressed" else base

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to the camera and publish from now on -> active."""
        image_type = CompressedImage if self.config.image_transport == "compressed" else Image
        self._inputs = [
            self.create_subscription(image_type, self._image_topic(), self._on_image, qos_profile_sensor_data),
            self.create_subscription(CameraInfo, "camera_info", self.frames.on_camera_info, qos_profile_sensor_data),
            self.create_subscription(Image, "depth", self.frames.on_depth, qos_profile_sensor_data),
            self.create_timer(self.config.diagnostics_period_s, self._publish_diagnostics)]
        self.get_logger().info("pose node active")
        return super().on_activate(state)

    def _stop_inputs(self) -> None:
        super()._stop_inputs()
        with self._wake:
            self._pending = None

    def _release(self) -> None:
        self._stop_inputs()
        with self._wake:
            self._running = False
            self._wake.notify()
        if self._worker is not None:
            self._worker.join(timeout=5.0)
            self._worker = None
        if self.frames is not None:
            self.frames.close()
        self.frames = None
        for name in ("diagnostics_pub", "persons_pub", "markers_pub"):
            publisher = self.__dict__.pop(name, None)
            if publisher is not None:
                self.destroy_lifecycle_publisher(publisher)

    def _on_image(self, msg: Image | CompressedImage) -> None:
        self._input_times.append(time.monotonic())
        # Decoded here (a copy or colour conversion, ~2 ms) so a malformed image is rejected and counted at
        # once and never displaces a good image waiting for the busy worker.
        image = self.frames.decode(msg)
        if image is None:
            return
        with self._wake:
            if self._pending is not None:
                self.skipped_frames += 1
            self._pending = (msg, image)
            self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._wake:
                while self._running and self._pending is None:
                    self._wake.wait(timeout=0.5)
                if not self._running or self.frames is None:
                    return
                (msg, image), self._pending = self._pending, None
                frames = self.frames   # a cleanup may drop the attribute while this image is estimated
            start = time.perf_counter()
            frame = frames.track(msg, image)
            if frame is None:
                continue
            persons, markers = frames.messages(frame)
            self.latencies.append(time.perf_counter() - start)
            if not self.context.ok():  # SIGINT/SIGTERM shut the context down while we were estimating
                return
            if not self._inputs:  # deactivated while estimating: publish nothing while inactive
                continue
            try:
                self.persons_pub.publish(persons)
                self.markers_pub.publish(markers)
                if self._frames_sink is not None:   # composed mode: the behaviour node publishes from here too
                    self._frames_sink(frame)
            except RCLError:
                if self.context.ok():
                    raise
                return  # shutdown raced the check above

    def _publish_diagnostics(self) -> None:
        f = self.frames
        values = {"backend": self.config.backend, "input_rate_hz": f"{rate_hz(self._input_times):.2f}",
                  "frames_processed": f.processed_frames, "frames_skipped_newer_arrived": self.skipped_frames,
                  "frames_dropped_bad_input": f.dropped_frames, "frames_dropped_no_transform": f.transform_missing,
                  "depth_images_ignored": f.depth_rejected,
                  **latency_values(self.latencies, "pose_latency")}
        warning = "frames dropped: bad input" if f.dropped_frames else ""
        self.diagnostics_pub.publish(stage_status(self.get_clock().now().to_msg(), f"{self.get_name()}: pose",
                                                  values, warning))


def main(args=None):
    rclpy.init(args=args)
    node = None
    try:
        node = PoseNode()
        if not start_up(node, read_config(node, LifecycleConfig).autostart):
            raise SystemExit(1)  # the cause is logged; without a lifecycle manager nobody would retry
        executor = SingleThreadedExecutor()
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
