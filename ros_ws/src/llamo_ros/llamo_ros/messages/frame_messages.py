"""Messages in a target frame: Person3DArray, skeleton markers and future paths moved out of the camera
optical frame with a `llamo_ros.frames.RigidTransform`; shared by the nodes and the bag replay.

Only positions and vectors move; 2D keypoints, boxes, scores and ids are image quantities and stay.
"""
from __future__ import annotations

import copy

import numpy as np
from geometry_msgs.msg import Point, Quaternion, Transform, TransformStamped, Vector3
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray

from llamo_msgs.msg import Person3DArray
from llamo_ros.frames import RigidTransform


def transform_msg(transform: RigidTransform, header: Header, camera_frame: str) -> TransformStamped:
    """`transform` (camera optical frame -> header.frame_id) as a TransformStamped, child = `camera_frame`."""
    (x, y, z), (qx, qy, qz, qw) = transform.translation, transform.quaternion()
    return TransformStamped(header=copy.deepcopy(header), child_frame_id=camera_frame,
                            transform=Transform(translation=Vector3(x=float(x), y=float(y), z=float(z)),
                                                rotation=Quaternion(x=float(qx), y=float(qy), z=float(qz),
                                                                    w=float(qw))))


def transform_from_msg(msg: TransformStamped) -> RigidTransform:
    """A TransformStamped as a RigidTransform (child frame -> header frame); all-zero rotation: identity."""
    t, q = msg.transform.translation, msg.transform.rotation
    return RigidTransform.from_quaternion((t.x, t.y, t.z), (q.x, q.y, q.z, q.w))


def camera_transform(msg: Person3DArray) -> RigidTransform:
    """The camera optical frame -> msg.header.frame_id transform the people were published with."""
    return transform_from_msg(msg.camera_transform)


def _points(points: list[Point]) -> np.ndarray:
    return np.array([[p.x, p.y, p.z] for p in points], dtype=np.float64).reshape(-1, 3)


def _set_points(points: list[Point], xyz: np.ndarray) -> None:
    for p, (x, y, z) in zip(points, xyz):
        p.x, p.y, p.z = float(x), float(y), float(z)


def transform_points(points: list[Point], transform: RigidTransform) -> list[Point]:
    """geometry_msgs/Point list moved by `transform` (new Points)."""
    return [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in transform.apply_points(_points(points))]


def persons_in_frame(msg: Person3DArray, transform: RigidTransform, frame_id: str) -> Person3DArray:
    """A camera-frame Person3DArray in `frame_id`: 3D keypoints and roots moved by `transform` (camera optical
    frame -> frame_id at the image stamp), root velocities rotated and root covariances rotated (R C R^T),
    header.frame_id set, camera_transform records the transform."""
    camera_frame = msg.header.frame_id
    out = copy.deepcopy(msg)
    out.header.frame_id = frame_id
    for person in out.persons:
        points = [k.position for k in person.keypoints_3d] + [person.root_position, person.measured_root_position]
        _set_points(points, transform.apply_points(_points(points)))
        v = person.root_velocity   # a free vector: rotated only
        v.x, v.y, v.z = (float(a) for a in transform.apply_vectors(np.array([v.x, v.y, v.z])))
        covariance = np.asarray(person.root_position_covariance, dtype=np.float64).reshape(3, 3)
        person.root_position_covariance = transform.apply_covariances(covariance).ravel().tolist()
    out.camera_transform = transform_msg(transform, out.header, camera_frame)
    return out


def markers_in_frame(msg: MarkerArray, transform: RigidTransform, frame_id: str) -> MarkerArray:
    """Skeleton markers (points in the marker's header frame, identity pose) moved into `frame_id`."""
    out = copy.deepcopy(msg)
    for marker in out.markers:
        marker.header.frame_id = frame_id
        if marker.points:
            _set_points(marker.points, transform.apply_points(_points(marker.points)))
    return out
