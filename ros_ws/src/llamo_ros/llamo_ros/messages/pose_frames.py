"""One camera stream's pose processing at message level, shared by the pose node and the bag replay.

`PoseFrameProcessor` keeps the latest CameraInfo and depth image, turns an Image message into tracked
metric skeletons (`track`: a core `PoseFrame`; `messages`: `Person3DArray` and RViz markers), and counts and
reports what it had to drop or ignore. It holds no ROS node: the node feeds it from subscriptions, the replay
from a bag.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np
from geometry_msgs.msg import Point, Vector3
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from llamo_msgs.msg import Keypoint2D, Keypoint3D, Person3D, Person3DArray
from llamo_ros.config_fields import nested, param
from llamo_ros.frames import FrameLookupError, RigidTransform
from llamo_ros.image_encoding import ImageFormatError, to_depth_metres
from llamo_ros.messages.diagnostics import ERROR_LOG_PERIOD_S
from llamo_ros.messages.frame_messages import markers_in_frame, persons_in_frame, transform_msg
from llamo_ros.messages.image_msg import image_msg_to_array, image_msg_to_rgb8
from llamo_ros.pose.backends import BACKEND_NAMES, create_backend
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.mediapipe_backend import MediaPipeConfig
from llamo_ros.pose.metric_root import MetricRootConfig
from llamo_ros.pose.mmpose_backend import MMPoseConfig
from llamo_ros.pose.onnx_backend import OnnxPoseConfig
from llamo_ros.pose.person_filter import split_upright
from llamo_ros.pose.person_pose import PersonPose, PoseBackend, RootSource
from llamo_ros.pose.pose_frame import PoseFrame
from llamo_ros.pose.root_filter import RootFilter, RootFilterSettings
from llamo_ros.pose.tracker import PersonTracker, PersonTrackerConfig
from llamo_ros.skeleton import BONES

IMAGE_TRANSPORTS = ("raw", "compressed")   # image_transport plugin names the pose node subscribes with
_ROOT_SOURCE_FIELD = {
    RootSource.DEPTH: Person3D.ROOT_SOURCE_DEPTH,
    RootSource.HEIGHT_PRIOR: Person3D.ROOT_SOURCE_HEIGHT_PRIOR,
    RootSource.HEIGHT_PRIOR_ASSUMED_FOV: Person3D.ROOT_SOURCE_ASSUMED_INTRINSICS,
    RootSource.NONE: Person3D.ROOT_SOURCE_ASSUMED_INTRINSICS,  # 3D confidences are 0 in this case
}


@dataclass
class PoseConfig:
    """Every parameter of the pose stage; the pose node declares one ROS parameter per field (a backend's
    settings as `<backend>.<field>`, e.g. mediapipe.detection_tiles_per_frame)."""

    backend: str = param("mediapipe", "pose backend: mediapipe | mmpose | onnx; its settings are the "
                                      "<backend>.* parameters")
    require_camera_info: bool = param(False, "drop images until a valid CameraInfo arrived; "
                                             "if false, a 60 deg horizontal FOV is assumed and flagged")
    body_height_m: float = param(1.70, "assumed standing height for the height-prior distance, metres")
    depth_max_age_s: float = param(0.1, "use a depth image only if its stamp is this close to the image's, s")
    min_box_height_to_width: float = param(0.0, "drop people whose box height/width is below this "
                                                "(1.0 for pedestrian scenes: no skeletons on things lying "
                                                "on the ground; a tracking backend then does not follow "
                                                "them); 0 keeps everyone, fallen people included")
    max_missed_frames: int = param(15, "frames a track survives without detection (occlusions)")
    max_appearance_distance: float = param(1.0, "a detection whose torso colour is further than this "
                                                 "Bhattacharyya distance from its track's starts a new track "
                                                 "(someone else; pose.appearance); 1 or more: off, the "
                                                 "default (trade-offs measured in docs/benchmarks.md)")
    image_transport: str = param("raw", "raw: subscribe `image` (sensor_msgs/Image); compressed: subscribe "
                                        "`<image>/compressed` (sensor_msgs/CompressedImage, JPEG or PNG), "
                                        "image_transport's naming (remap `image` to the base topic)")
    filter_roots: bool = param(True, "smooth each track's metric root with a constant-velocity Kalman filter "
                                     "(pose.root_filter) and shift its skeleton with it; false: per-image roots")
    root_accel_std: float = param(1.0, "root filter: unmodelled acceleration of a person, m/s^2 (smaller: "
                                       "smoother roots, slower to follow turns)")
    root_noise_height_prior: float = param(0.10, "root filter: std of a height-prior root along the viewing ray, "
                                                 "as a fraction of its distance (assumed intrinsics: 1.2x this; "
                                                 "depth: 0.03)")
    root_gate_chi2: float = param(16.27, "root filter: a root whose squared Mahalanobis distance to the "
                                         "prediction exceeds this is an outlier and not used (16.27: chi-square "
                                         "99.9 %, 3 dof)")
    root_max_gap_s: float = param(1.0, "root filter: a track unmeasured for longer restarts, s")
    error_log_period_s: float = param(ERROR_LOG_PERIOD_S, "minimum seconds between repeated error logs of one kind")
    diagnostics_period_s: float = param(1.0, "period of /diagnostics, s")
    # Each backend's own settings, beside its code; only the chosen backend's are used.
    mediapipe: MediaPipeConfig = nested(MediaPipeConfig)
    mmpose: MMPoseConfig = nested(MMPoseConfig)
    onnx: OnnxPoseConfig = nested(OnnxPoseConfig)

    def __post_init__(self) -> None:
        if self.backend not in BACKEND_NAMES:
            raise ValueError(f"unknown pose backend {self.backend!r}; known: {', '.join(BACKEND_NAMES)}")
        if self.image_transport not in IMAGE_TRANSPORTS:
            raise ValueError(f"image_transport must be one of {IMAGE_TRANSPORTS}, got {self.image_transport!r}")


def root_filter_from_config(c: PoseConfig) -> RootFilter | None:
    if not c.filter_roots:
        return None
    return RootFilter(RootFilterSettings(accel_std=c.root_accel_std,
                                         ray_fraction_height_prior=c.root_noise_height_prior,
                                         ray_fraction_assumed=1.2 * c.root_noise_height_prior,
                                         gate_chi2=c.root_gate_chi2, max_gap_s=c.root_max_gap_s))


def backend_from_config(c: PoseConfig) -> PoseBackend:
    """The chosen backend with its own settings (the PoseConfig field named like it)."""
    return create_backend(c.backend, getattr(c, c.backend), MetricRootConfig(body_height_m=c.body_height_m))


class CameraToTarget(Protocol):
    """Where the camera-to-target transforms come from (`frames.FixedCameraTransform`, tf2 in the node)."""

    target_frame: str

    def lookup(self, camera_frame: str, stamp_ns: int) -> RigidTransform:
        """camera_frame -> target_frame at stamp_ns; raises FrameLookupError when there is none."""


class PoseFrameProcessor:
    """Image (+ CameraInfo, + depth) messages -> tracked `Person3DArray` and skeleton markers."""

    def __init__(self, config: PoseConfig, on_error: Callable[[str, str], None],
                 backend: PoseBackend | None = None, to_target: CameraToTarget | None = None) -> None:
        """`to_target`: publish in its target_frame (None: in the image's camera optical frame)."""
        self.config = config
        self.to_target = to_target
        self.backend = backend if backend is not None else backend_from_config(config)
        self.tracker = PersonTracker(PersonTrackerConfig(max_missed_frames=config.max_missed_frames,
                                                         max_appearance_distance=config.max_appearance_distance))
        self.root_filter = root_filter_from_config(config)
        self._on_error = on_error   # (kind, text): the caller logs, throttled per kind
        self.processed_frames = 0
        self.dropped_frames = 0     # rejected as malformed (or missing CameraInfo when required), or failed
        self.transform_missing = 0  # of those: no camera-to-target transform at the image stamp
        self.depth_rejected = 0     # depth images ignored (wrong size, no readings, bad encoding)
        self._intrinsics: tuple[CameraIntrinsics, int, int] | None = None
        self._depth_msg: Image | None = None

    def on_camera_info(self, msg: CameraInfo) -> None:
        intrinsics = CameraIntrinsics.from_k(msg.k, msg.width, msg.height)
        if not intrinsics.is_valid():
            self._on_error("camera_info", f"ignoring CameraInfo with invalid K {list(msg.k)} or size "
                                          f"{msg.width}x{msg.height}")
            return
        self._intrinsics = (intrinsics, msg.width, msg.height)

    def on_depth(self, msg: Image) -> None:
        self._depth_msg = msg

    def decode(self, msg: Image | CompressedImage) -> np.ndarray | None:
        """The image (raw, or JPEG/PNG compressed) as (H, W, 3) uint8 RGB; None when it is malformed
        (dropped, counted and logged)."""
        try:
            return image_msg_to_rgb8(msg)
        except ImageFormatError as error:
            kind = "compressed_image" if isinstance(msg, CompressedImage) else "image"
            return self._drop(kind, f"dropping {kind.replace('_', ' ')}: {error}")

    def estimate(self, msg: Image | CompressedImage, image: np.ndarray) -> tuple[Person3DArray, MarkerArray] | None:
        """Tracked people of a decoded image (`decode`) as messages, stamped from `msg`; None when dropped."""
        frame = self.track(msg, image)
        return None if frame is None else self.messages(frame)

    def track(self, msg: Image | CompressedImage, image: np.ndarray) -> PoseFrame | None:
        """Tracked people of a decoded image (`decode`), in core types, with the stamp and header of `msg` and
        the transform to the output frame; None when dropped (counted and reported)."""
        height, width = image.shape[:2]
        intrinsics = self._camera_for(width, height)
        if intrinsics is None and self.config.require_camera_info:
            return self._drop("camera_info", "dropping image: no CameraInfo matching the image yet "
                                             "(require_camera_info is true)")
        depth = self._depth_for(msg, width, height)
        stamp_ns = int(msg.header.stamp.sec) * 1_000_000_000 + int(msg.header.stamp.nanosec)
        try:
            # the upright filter's one place: tested once per person, and the backend told whom it dropped
            persons, flat = split_upright(self.backend.estimate(image, intrinsics, depth),
                                          self.config.min_box_height_to_width)
            if flat:
                self.backend.dropped(flat)
            persons = self.tracker.update(persons, image)
            if self.root_filter is not None:
                self.root_filter.filter_persons(stamp_ns, persons)
        except Exception as error:  # noqa: BLE001  a backend failure must not kill the node or the replay
            return self._drop("backend", f"pose estimation failed: {type(error).__name__}: {error}")
        frame = PoseFrame(stamp_ns, msg.header, (width, height), persons, msg.header.frame_id)
        if self.to_target is not None:   # estimated in the camera frame, published in the target frame
            try:
                frame.camera_to_frame = self.to_target.lookup(msg.header.frame_id, stamp_ns)
            except FrameLookupError as error:
                self.transform_missing += 1
                return self._drop("transform", f"dropping image: {error}")
            frame.frame_id = self.to_target.target_frame
        self.processed_frames += 1
        return frame

    @staticmethod
    def messages(frame: PoseFrame) -> tuple[Person3DArray, MarkerArray]:
        """`frame` as the published Person3DArray and skeleton markers, in its output frame."""
        persons_out = persons_msg(frame.header, *frame.image_size, frame.persons)
        markers_out = markers_msg(frame.header, frame.persons)
        if frame.camera_to_frame is None:
            return persons_out, markers_out
        return (persons_in_frame(persons_out, frame.camera_to_frame, frame.frame_id),
                markers_in_frame(markers_out, frame.camera_to_frame, frame.frame_id))

    def close(self) -> None:
        self.backend.close()

    def _drop(self, kind: str, text: str) -> None:
        self.dropped_frames += 1
        self._on_error(kind, text)
        return None

    def _camera_for(self, width: int, height: int) -> CameraIntrinsics | None:
        if self._intrinsics is None:
            return None
        intrinsics, info_w, info_h = self._intrinsics
        if (info_w, info_h) != (width, height):
            self._on_error("camera_info", f"CameraInfo is {info_w}x{info_h} but the image is {width}x{height}; "
                                          "ignoring it")
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
            return self._reject_depth(f"ignoring depth image: {error}")
        if depth.shape != (height, width):
            return self._reject_depth(f"ignoring depth image of {depth.shape[1]}x{depth.shape[0]}: it must be "
                                      f"aligned to the {width}x{height} image")
        if not np.isfinite(depth).any():
            return self._reject_depth("ignoring depth image without a single valid reading (all NaN/0)")
        return depth

    def _reject_depth(self, text: str) -> None:
        self.depth_rejected += 1
        self._on_error("depth", text)
        return None


def persons_msg(header: Header, width: int, height: int, persons: list[PersonPose]) -> Person3DArray:
    """Tracked people of one image -> Person3DArray with the image's `header` (camera optical frame; an
    identity camera_transform)."""
    out = Person3DArray()
    out.header = header
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
        measured = p.measured_root if np.isfinite(p.measured_root).all() else p.root_position
        m.measured_root_position = _point(measured) if has_3d else Point()
        m.root_velocity = Vector3(x=float(p.root_velocity[0]), y=float(p.root_velocity[1]), z=float(p.root_velocity[2]))
        m.root_position_covariance = [float(v) for v in p.root_covariance.reshape(9)]
        out.persons.append(m)
    out.camera_transform = transform_msg(RigidTransform.identity(), out.header, out.header.frame_id)
    return out


def markers_msg(header: Header, persons: list[PersonPose]) -> MarkerArray:
    """RViz skeletons (bones and joints, one colour per track) in the image's frame (`header`)."""
    out = MarkerArray()
    out.markers.append(Marker(header=header, action=Marker.DELETEALL, ns="skeleton"))
    for p in persons:
        if p.root_source is RootSource.NONE:
            continue
        hue = (p.track_id * 0.618034) % 1.0   # golden-ratio hues: neighbouring ids differ in colour
        color = ColorRGBA(r=float(abs(math.sin(6.283 * hue))), g=float(abs(math.cos(6.283 * hue))), b=0.8, a=1.0)
        bones = Marker(header=header, ns="skeleton", id=2 * max(0, p.track_id),
                       type=Marker.LINE_LIST, action=Marker.ADD, color=color)
        bones.scale.x = 0.03
        bones.pose.orientation.w = 1.0
        bones.points = [_point(p.keypoints_3d[j]) for bone in BONES for j in bone]
        joints = Marker(header=header, ns="skeleton", id=2 * max(0, p.track_id) + 1,
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
