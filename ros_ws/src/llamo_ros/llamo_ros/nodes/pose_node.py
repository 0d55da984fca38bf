"""ROS 2 node: camera image (+ CameraInfo, + aligned depth) -> tracked metric 3D skeletons.

Subscribes ``image`` (sensor_msgs/Image, sensor-data QoS; with ``image_transport:=compressed`` instead
``<image>/compressed``, sensor_msgs/CompressedImage JPEG or PNG), ``camera_info`` (sensor_msgs/CameraInfo)
and ``depth`` (sensor_msgs/Image 16UC1 mm or 32FC1 m, aligned to ``image``; optional). Publishes
``persons`` (llamo_msgs/Person3DArray, stamped with the source image's stamp and frame_id) and
``markers`` (visualization_msgs/MarkerArray skeletons for RViz); with ``target_frame`` set, both are in that
frame (tf2 at the image stamp, or the fixed camera_* transform) and ``persons.camera_transform`` records
the transform used.

Only the newest image is processed: the subscription callback checks and decodes each image and keeps
the latest good one, and a worker thread estimates poses on it, so a slow backend drops frames (counted
in ``skipped_frames``) instead of falling ever further behind. Bad input is logged (throttled) and counted, never fatal. The work itself
is `PoseFrameProcessor`'s, shared with the bag replay.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

import numpy as np

import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from visualization_msgs.msg import MarkerArray

from llamo_msgs.msg import Person3DArray
from llamo_ros.frames import TargetFrameConfig
from llamo_ros.nodes.diagnostics import latency_values, rate_hz, stage_status
from llamo_ros.nodes.parameters import declare_config
from llamo_ros.nodes.shutdown import spin_until_shutdown
from llamo_ros.nodes.pose_frames import PoseConfig, PoseFrameProcessor
from llamo_ros.nodes.tf2_frames import camera_to_target


# Every parameter of the node: (config dataclass, parameter name prefix).
PARAMETER_CONFIGS = ((PoseConfig, ""), (TargetFrameConfig, ""))


class PoseNode(Node):
    """Image -> `Person3DArray` + skeleton markers; see the module docstring."""

    def __init__(self, persons_sink: Callable[[Person3DArray], None] | None = None):
        """`persons_sink`: also hand every Person3DArray to this callable, in process (composed mode)."""
        super().__init__("pose")
        self._persons_sink = persons_sink
        self.config, frame_config = (declare_config(self, cls, prefix) for cls, prefix in PARAMETER_CONFIGS)
        self._last_error_log: dict[str, float] = {}
        self.frames = PoseFrameProcessor(self.config, self._error, to_target=camera_to_target(frame_config, self))
        self.skipped_frames = 0     # replaced by a newer image before the worker got to them
        self._pending: tuple[Image | CompressedImage, np.ndarray] | None = None  # newest good image, decoded
        self._wake = threading.Condition()
        self._running = True
        self.latencies: deque = deque(maxlen=200)      # per processed frame: image in -> persons out, s
        self._input_times: deque = deque(maxlen=50)     # wall times of recent images, for the input rate
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_timer(self.config.diagnostics_period_s, self._publish_diagnostics)
        self.persons_pub = self.create_publisher(Person3DArray, "persons", 10)
        self.markers_pub = self.create_publisher(MarkerArray, "markers", 10)
        if self.config.image_transport == "compressed":   # image_transport's naming: <base topic>/compressed
            image_topic = self.resolve_topic_name("image") + "/compressed"
            self.create_subscription(CompressedImage, image_topic, self._on_image, qos_profile_sensor_data)
        else:
            image_topic = self.resolve_topic_name("image")
            self.create_subscription(Image, "image", self._on_image, qos_profile_sensor_data)
        self.create_subscription(CameraInfo, "camera_info", self.frames.on_camera_info, qos_profile_sensor_data)
        self.create_subscription(Image, "depth", self.frames.on_depth, qos_profile_sensor_data)
        self._worker = threading.Thread(target=self._work, name="pose_worker", daemon=True)
        self._worker.start()
        target = self.frames.to_target
        frame = f"{target.target_frame} ({type(target).__name__})" if target else "the camera optical frame"
        self.get_logger().info(f"pose node ready: backend={self.config.backend}, images from {image_topic} "
                               f"({self.config.image_transport}), publishing in {frame}")

    def destroy_node(self):
        with self._wake:
            self._running = False
            self._wake.notify()
        self._worker.join(timeout=5.0)
        self.frames.close()
        return super().destroy_node()

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
                if not self._running:
                    return
                (msg, image), self._pending = self._pending, None
            start = time.perf_counter()
            out = self.frames.estimate(msg, image)
            if out is None:
                continue
            self.latencies.append(time.perf_counter() - start)
            if not self.context.ok():  # SIGINT/SIGTERM shut the context down while we were estimating
                return
            try:
                self.persons_pub.publish(out[0])
                self.markers_pub.publish(out[1])
            except RCLError:
                if self.context.ok():
                    raise
                return  # shutdown raced the check above
            if self._persons_sink is not None:
                self._persons_sink(out[0])

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

    def _error(self, kind: str, text: str) -> None:
        """Log an error at most once per ``error_log_period_s`` per kind (image, depth, camera_info, backend)."""
        now = self.get_clock().now().nanoseconds * 1e-9
        if now - self._last_error_log.get(kind, -math.inf) >= self.config.error_log_period_s:
            self._last_error_log[kind] = now
            self.get_logger().error(text)


def main(args=None):
    rclpy.init(args=args)
    node = None
    try:
        node = PoseNode()
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
