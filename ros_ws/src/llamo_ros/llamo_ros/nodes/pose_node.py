"""ROS 2 node: camera image (+ CameraInfo, + aligned depth) -> tracked metric 3D skeletons.

Subscribes ``image`` (sensor_msgs/Image, sensor-data QoS), ``camera_info`` (sensor_msgs/CameraInfo)
and ``depth`` (sensor_msgs/Image 16UC1 mm or 32FC1 m, aligned to ``image``; optional). Publishes
``persons`` (llamo_msgs/Person3DArray, stamped with the source image's stamp and frame_id) and
``markers`` (visualization_msgs/MarkerArray skeletons for RViz).

Only the newest image is processed: the subscription callback keeps the latest message and a worker
thread estimates poses on it, so a slow backend drops frames (counted in ``skipped_frames``) instead
of falling ever further behind. Bad input is logged (throttled) and counted, never fatal.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, fields

import numpy as np
import rclpy
from geometry_msgs.msg import Point
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray

from llamo_msgs.msg import Keypoint2D, Keypoint3D, Person3D, Person3DArray
from llamo_ros.image_encoding import ImageFormatError, to_depth_metres, to_rgb8
from llamo_ros.nodes.image_msg import image_msg_to_array
from llamo_ros.pose.backends import create_backend
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.person_pose import PersonPose, RootSource
from llamo_ros.pose.tracker import PersonTracker, PersonTrackerConfig
from llamo_ros.skeleton import BONES

_ROOT_SOURCE_FIELD = {
    RootSource.DEPTH: Person3D.ROOT_SOURCE_DEPTH,
    RootSource.HEIGHT_PRIOR: Person3D.ROOT_SOURCE_HEIGHT_PRIOR,
    RootSource.HEIGHT_PRIOR_ASSUMED_FOV: Person3D.ROOT_SOURCE_ASSUMED_INTRINSICS,
    RootSource.NONE: Person3D.ROOT_SOURCE_ASSUMED_INTRINSICS,  # 3D confidences are 0 in this case
}


def _param(default, description: str):
    return field(default=default, metadata={"description": description})


@dataclass
class PoseNodeConfig:
    """Every ROS parameter of `PoseNode`; each field is declared as a parameter of the same name."""

    backend: str = _param("mediapipe", "pose backend: mediapipe | mmpose | onnx")
    device: str = _param("cpu", "torch device of the mmpose backend, e.g. cpu or cuda:0")
    model_dir: str = _param("", "directory of the exported ONNX models (onnx backend)")
    detector_checkpoint: str = _param("", "RTMDet person detector .pth (mmpose backend; empty = random weights)")
    pose2d_checkpoint: str = _param("", "RTMPose-m .pth (mmpose backend; empty = random weights)")
    lifter_checkpoint: str = _param("", "VideoPose3D lifter .pth (mmpose backend; empty = random weights)")
    max_persons: int = _param(4, "most people estimated per image")
    min_detection_confidence: float = _param(0.5, "person detection threshold in [0, 1]")
    require_camera_info: bool = _param(False, "drop images until a valid CameraInfo arrived; "
                                       "if false, a 60 deg horizontal FOV is assumed and flagged")
    body_height_m: float = _param(1.70, "assumed standing height for the height-prior distance, metres")
    depth_max_age_s: float = _param(0.1, "use a depth image only if its stamp is this close to the image's, s")
    max_missed_frames: int = _param(15, "frames a track survives without detection (occlusions)")
    error_log_period_s: float = _param(5.0, "minimum seconds between repeated error logs of one kind")


class PoseNode(Node):
    """Image -> `Person3DArray` + skeleton markers; see the module docstring."""

    def __init__(self):
        super().__init__("pose")
        defaults = PoseNodeConfig()
        for f in fields(PoseNodeConfig):
            self.declare_parameter(f.name, getattr(defaults, f.name),
                                   ParameterDescriptor(description=f.metadata["description"]))
        self.config = PoseNodeConfig(**{f.name: self.get_parameter(f.name).value for f in fields(PoseNodeConfig)})
        c = self.config
        self.backend = create_backend(
            c.backend, MetricRootConfig(body_height_m=c.body_height_m), max_persons=c.max_persons,
            min_detection_confidence=c.min_detection_confidence, device=c.device, model_dir=c.model_dir,
            checkpoints={k: v for k, v in (("detector", c.detector_checkpoint), ("pose2d", c.pose2d_checkpoint),
                                           ("lifter", c.lifter_checkpoint)) if v})
        self.tracker = PersonTracker(PersonTrackerConfig(max_missed_frames=c.max_missed_frames))
        self.processed_frames = 0
        self.skipped_frames = 0     # replaced by a newer image before the worker got to them
        self.dropped_frames = 0     # rejected as malformed (or missing CameraInfo when required)
        self.depth_rejected = 0     # depth images ignored (wrong size, no readings, bad encoding)
        self._intrinsics: tuple[CameraIntrinsics, int, int] | None = None
        self._depth_msg: Image | None = None
        self._pending: Image | None = None
        self._wake = threading.Condition()
        self._running = True
        self._last_error_log: dict[str, float] = {}
        self.persons_pub = self.create_publisher(Person3DArray, "persons", 10)
        self.markers_pub = self.create_publisher(MarkerArray, "markers", 10)
        self.create_subscription(Image, "image", self._on_image, qos_profile_sensor_data)
        self.create_subscription(CameraInfo, "camera_info", self._on_camera_info, qos_profile_sensor_data)
        self.create_subscription(Image, "depth", self._on_depth, qos_profile_sensor_data)
        self._worker = threading.Thread(target=self._work, name="pose_worker", daemon=True)
        self._worker.start()
        self.get_logger().info(f"pose node ready: backend={c.backend}")

    def destroy_node(self):
        with self._wake:
            self._running = False
            self._wake.notify()
        self._worker.join(timeout=5.0)
        close = getattr(self.backend, "close", None)
        if close is not None:
            close()
        return super().destroy_node()

    # -- callbacks -------------------------------------------------------------------------------
    def _on_image(self, msg: Image) -> None:
        with self._wake:
            if self._pending is not None:
                self.skipped_frames += 1
            self._pending = msg
            self._wake.notify()

    def _on_camera_info(self, msg: CameraInfo) -> None:
        intrinsics = CameraIntrinsics.from_k(msg.k, msg.width, msg.height)
        if not intrinsics.is_valid():
            self._error("camera_info", f"ignoring CameraInfo with invalid K {list(msg.k)} or size {msg.width}x{msg.height}")
            return
        self._intrinsics = (intrinsics, msg.width, msg.height)

    def _on_depth(self, msg: Image) -> None:
        self._depth_msg = msg

    # -- processing ------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._wake:
                while self._running and self._pending is None:
                    self._wake.wait(timeout=0.5)
                if not self._running:
                    return
                msg, self._pending = self._pending, None
            try:
                self._process(msg)
            except Exception as error:  # noqa: BLE001  a backend failure must not kill the node
                self.dropped_frames += 1
                self._error("backend", f"pose estimation failed: {type(error).__name__}: {error}")

    def _process(self, msg: Image) -> None:
        try:
            image = to_rgb8(image_msg_to_array(msg), msg.encoding)
        except ImageFormatError as error:
            self.dropped_frames += 1
            self._error("image", f"dropping image: {error}")
            return
        height, width = image.shape[:2]
        intrinsics = self._camera_for(width, height)
        if intrinsics is None and self.config.require_camera_info:
            self.dropped_frames += 1
            self._error("camera_info", "dropping image: no CameraInfo matching the image yet "
                        "(require_camera_info is true)")
            return
        depth = self._depth_for(msg, width, height)
        persons = self.tracker.update(self.backend.estimate(image, intrinsics, depth))
        self.persons_pub.publish(self._persons_msg(msg, width, height, persons))
        self.markers_pub.publish(self._markers_msg(msg, persons))
        self.processed_frames += 1

    def _camera_for(self, width: int, height: int) -> CameraIntrinsics | None:
        if self._intrinsics is None:
            return None
        intrinsics, info_w, info_h = self._intrinsics
        if (info_w, info_h) != (width, height):
            self._error("camera_info", f"CameraInfo is {info_w}x{info_h} but the image is {width}x{height}; ignoring it")
            return None
        return intrinsics

    def _depth_for(self, image_msg: Image, width: int, height: int) -> np.ndarray | None:
        msg = self._depth_msg
        if msg is None:
            return None
        age = abs(_seconds(image_msg.header.stamp) - _seconds(msg.header.stamp))
        if age > self.config.depth_max_age_s:
            return None
        try:
            depth = to_depth_metres(image_msg_to_array(msg), msg.encoding)
        except ImageFormatError as error:
            self.depth_rejected += 1
            self._error("depth", f"ignoring depth image: {error}")
            return None
        if depth.shape != (height, width):
            self.depth_rejected += 1
            self._error("depth", f"ignoring depth image of {depth.shape[1]}x{depth.shape[0]}: it must be aligned "
                        f"to the {width}x{height} image")
            return None
        if not np.isfinite(depth).any():
            self.depth_rejected += 1
            self._error("depth", "ignoring depth image without a single valid reading (all NaN/0)")
            return None
        return depth

    def _error(self, kind: str, text: str) -> None:
        """Log an error at most once per ``error_log_period_s`` per kind (image, depth, camera_info, backend)."""
        now = self.get_clock().now().nanoseconds * 1e-9
        if now - self._last_error_log.get(kind, -math.inf) >= self.config.error_log_period_s:
            self._last_error_log[kind] = now
            self.get_logger().error(text)

    # -- messages --------------------------------------------------------------------------------
    @staticmethod
    def _persons_msg(image_msg: Image, width: int, height: int, persons: list[PersonPose]) -> Person3DArray:
        out = Person3DArray()
        out.header = image_msg.header
        out.image_width, out.image_height = width, height
        for p in persons:
            m = Person3D()
            m.track_id = max(0, int(p.track_id))
            m.score = float(p.score)
            m.bbox_x_min, m.bbox_y_min, m.bbox_x_max, m.bbox_y_max = (float(v) for v in p.bbox)
            m.skeleton_layout = p.layout
            m.keypoints_2d = [Keypoint2D(u=float(u), v=float(v), confidence=float(c)) for u, v, c in p.keypoints_2d]
            has_3d = p.root_source is not RootSource.NONE
            m.keypoints_3d = [Keypoint3D(position=_point(xyz) if has_3d else Point(),
                                         confidence=float(c) if has_3d else 0.0)
                              for xyz, c in zip(p.keypoints_3d, p.keypoint_3d_confidence)]
            m.root_position = _point(p.root_position) if has_3d else Point()
            m.root_source = _ROOT_SOURCE_FIELD[p.root_source]
            out.persons.append(m)
        return out

    @staticmethod
    def _markers_msg(image_msg: Image, persons: list[PersonPose]) -> MarkerArray:
        out = MarkerArray()
        clear = Marker(header=image_msg.header, action=Marker.DELETEALL, ns="skeleton")
        out.markers.append(clear)
        for p in persons:
            if p.root_source is RootSource.NONE:
                continue
            hue = (p.track_id * 0.618034) % 1.0   # golden-ratio hues: neighbouring ids differ in colour
            color = ColorRGBA(r=float(abs(math.sin(6.283 * hue))), g=float(abs(math.cos(6.283 * hue))), b=0.8, a=1.0)
            bones = Marker(header=image_msg.header, ns="skeleton", id=2 * max(0, p.track_id),
                           type=Marker.LINE_LIST, action=Marker.ADD, color=color)
            bones.scale.x = 0.03
            bones.pose.orientation.w = 1.0
            bones.points = [_point(p.keypoints_3d[j]) for bone in BONES for j in bone]
            joints = Marker(header=image_msg.header, ns="skeleton", id=2 * max(0, p.track_id) + 1,
                            type=Marker.SPHERE_LIST, action=Marker.ADD, color=color)
            joints.scale.x = joints.scale.y = joints.scale.z = 0.06
            joints.pose.orientation.w = 1.0
            joints.points = [_point(xyz) for xyz in p.keypoints_3d]
            out.markers += [bones, joints]
        return out


def _point(xyz) -> Point:
    return Point(x=float(xyz[0]), y=float(xyz[1]), z=float(xyz[2]))


def _seconds(stamp) -> float:
    return stamp.sec + 1e-9 * stamp.nanosec


def main(args=None):
    rclpy.init(args=args)
    node = None
    try:
        node = PoseNode()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
