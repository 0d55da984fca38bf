"""Behaviour-stage results <-> llamo_msgs messages; shared by the behaviour node and the bag replay."""
from __future__ import annotations

import numpy as np
from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import Point
from std_msgs.msg import Header

from llamo_msgs.msg import BehaviorDescription, IntentPrediction, IntentPredictionArray, Person3DArray
from llamo_ros.behavior.engine import IntentResult
from llamo_ros.frames import RigidTransform
from llamo_ros.nodes.frame_messages import camera_transform
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.skeleton import LAYOUT_NAME, NUM_JOINTS


def time_msg(ns: int) -> Time:
    return Time(sec=int(ns // 1_000_000_000), nanosec=int(ns % 1_000_000_000))


def duration_msg(seconds: float) -> Duration:
    ns = max(0, round(seconds * 1e9))
    return Duration(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


def stamp_ns(stamp: Time) -> int:
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


class PersonsFormatError(ValueError):
    """A Person3D that cannot be read as a canonical skeleton."""


def persons_to_tracks(msg: Person3DArray) -> tuple[list[tuple[int, np.ndarray, np.ndarray]], list[str]]:
    """Person3DArray -> [(track_id, joints (17, 3) m camera optical frame, confidence (17,))], problems.

    People published in a target frame are moved back into the camera optical frame (the inverse of
    msg.camera_transform): the motion model reads camera-frame skeletons. Joints with confidence 0 or
    non-finite coordinates become NaN with confidence 0. People whose skeleton is not the canonical layout
    are skipped and named in `problems` (the caller logs and counts them).
    """
    tracks, problems = [], []
    to_camera = camera_transform(msg).inverse()
    for person in msg.persons:
        if person.skeleton_layout != LAYOUT_NAME or len(person.keypoints_3d) != NUM_JOINTS:
            problems.append(f"track {person.track_id}: skeleton {person.skeleton_layout!r} with "
                            f"{len(person.keypoints_3d)} joints, expected {LAYOUT_NAME!r} with {NUM_JOINTS}")
            continue
        joints = np.array([[k.position.x, k.position.y, k.position.z] for k in person.keypoints_3d], np.float64)
        joints = (joints if to_camera.is_identity else to_camera.apply_points(joints)).astype(np.float32)
        confidence = np.array([k.confidence for k in person.keypoints_3d], np.float32)
        lost = ~np.isfinite(joints).all(axis=1) | ~(confidence > 0)
        joints[lost] = np.nan
        confidence[lost] = 0.0
        tracks.append((int(person.track_id), joints, confidence))
    return tracks, problems


def intents_to_msg(header: Header, results: list[IntentResult],
                   to_frame: RigidTransform | None = None) -> IntentPredictionArray:
    """Intent results of one frame -> IntentPredictionArray (header: the source Person3DArray's stamp and
    frame). `to_frame`: camera optical frame -> header.frame_id (the persons' camera_transform); the
    camera-frame future paths are moved with it."""
    out = IntentPredictionArray(header=header)
    for r in results:
        steps = len(r.future_path)
        path = np.asarray(r.future_path, dtype=np.float64).reshape(-1, 3)
        path = path if to_frame is None or to_frame.is_identity else to_frame.apply_points(path)
        out.predictions.append(IntentPrediction(
            track_id=r.track_id, labels=list(INTENT_LABELS),
            probabilities=[float(p) for p in r.probabilities], most_likely=r.most_likely,
            future_path=[Point(x=float(x), y=float(y), z=float(z)) for x, y, z in path],
            path_time_step=duration_msg(r.path_time_step_s), horizon=duration_msg(steps * r.path_time_step_s),
            window_start=time_msg(r.window_start_ns), window_end=time_msg(r.window_end_ns)))
    return out


def description_to_msg(frame_id: str, track_id: int, window_start_ns: int, window_end_ns: int, text: str,
                       model: str, latency_s: float) -> BehaviorDescription:
    return BehaviorDescription(header=Header(stamp=time_msg(window_end_ns), frame_id=frame_id),
                               track_id=track_id, window_start=time_msg(window_start_ns),
                               window_end=time_msg(window_end_ns), text=text, model=model,
                               generation_latency=duration_msg(latency_s))
