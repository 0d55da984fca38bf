"""Behaviour-stage results <-> llamo_msgs messages; shared by the behaviour node and the bag replay.

`behavior_frame` is the whole message-level frame path (Person3DArray in, intents and markers out, through a
`BehaviorStage`), so the node and the replay differ only in where the messages go; `behavior_frame_of_poses` is
the same path fed by the pose stage's `PoseFrame` in one process (the composed node), with no Person3DArray read."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import Point, Vector3
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from llamo_msgs.msg import BehaviorDescription, IntentPrediction, IntentPredictionArray, Person3DArray
from llamo_ros.behavior.engine import DescriptionRequest, IntentResult
from llamo_ros.behavior.stage import BehaviorStage, Description
from llamo_ros.frames import RigidTransform
from llamo_ros.messages.frame_messages import camera_transform
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.pose.pose_frame import PoseFrame
from llamo_ros.skeleton import LAYOUT_NAME, NUM_JOINTS


PATH_STD_MARKER_EVERY = 5   # path points per uncertainty sphere (0.5 s at the model's 10 Hz path)


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
        std = None if r.future_path_std is None else np.asarray(r.future_path_std, dtype=np.float64).reshape(-1, 3)
        if to_frame is not None and not to_frame.is_identity:
            path = to_frame.apply_points(path)
            std = None if std is None else to_frame.apply_axis_std(std)
        out.predictions.append(IntentPrediction(
            track_id=r.track_id, labels=list(INTENT_LABELS),
            probabilities=[float(p) for p in r.probabilities], most_likely=r.most_likely,
            future_path=[Point(x=float(x), y=float(y), z=float(z)) for x, y, z in path],
            path_time_step=duration_msg(r.path_time_step_s), horizon=duration_msg(steps * r.path_time_step_s),
            window_start=time_msg(r.window_start_ns), window_end=time_msg(r.window_end_ns),
            raw_probabilities=[float(p) for p in (r.probabilities if r.raw_probabilities is None
                                                  else r.raw_probabilities)],
            future_path_std=[] if std is None else [Vector3(x=float(x), y=float(y), z=float(z)) for x, y, z in std]))
    return out


def intent_markers_msg(header: Header, results: list[IntentResult],
                       to_frame: RigidTransform | None = None) -> MarkerArray:
    """RViz view of the predicted paths: per track a LINE_STRIP through the path (from the current root) and a
    translucent SPHERE per point whose diameter is twice the point's largest standard deviation (a 2-sigma
    ball) every PATH_STD_MARKER_EVERY points and at the end; colours follow the skeleton markers' per-track hues.
    `to_frame` as in `intents_to_msg`: paths and their spread are moved into header.frame_id."""
    out = MarkerArray()
    out.markers.append(Marker(header=header, action=Marker.DELETEALL, ns="intent_path"))
    for r in results:
        if not len(r.future_path):
            continue
        path = np.asarray(r.future_path, dtype=np.float64).reshape(-1, 3)
        std = np.zeros_like(path) if r.future_path_std is None else np.asarray(r.future_path_std, np.float64)
        if to_frame is not None and not to_frame.is_identity:
            path, std = to_frame.apply_points(path), to_frame.apply_axis_std(std)
        hue = (r.track_id * 0.618034) % 1.0   # same hue as the track's skeleton (pose_frames.markers_msg)
        rgb = dict(r=float(abs(math.sin(6.283 * hue))), g=float(abs(math.cos(6.283 * hue))), b=0.8)
        line = Marker(header=header, ns="intent_path", id=r.track_id * 64, type=Marker.LINE_STRIP,
                      action=Marker.ADD, color=ColorRGBA(a=1.0, **rgb))
        line.scale.x = 0.04
        line.pose.orientation.w = 1.0
        line.points = [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in path]
        line.text = INTENT_LABELS[r.most_likely]
        out.markers.append(line)
        for k, (xyz, s) in enumerate(zip(path, std), start=1):
            if k % PATH_STD_MARKER_EVERY and k != len(path):
                continue
            ball = Marker(header=header, ns="intent_path", id=r.track_id * 64 + k, type=Marker.SPHERE,
                          action=Marker.ADD, color=ColorRGBA(a=0.25, **rgb))
            ball.pose.position = Point(x=float(xyz[0]), y=float(xyz[1]), z=float(xyz[2]))
            ball.pose.orientation.w = 1.0
            ball.scale.x = ball.scale.y = ball.scale.z = float(max(2.0 * float(np.max(s)), 0.05))
            out.markers.append(ball)
    return out


def description_msg(d: Description) -> BehaviorDescription:
    """A finished description, stamped and framed like the frame it describes (the window's newest)."""
    frame_id = d.header.frame_id if d.header is not None else ""
    return BehaviorDescription(header=Header(stamp=time_msg(d.window_end_ns), frame_id=frame_id),
                               track_id=d.track_id, window_start=time_msg(d.window_start_ns),
                               window_end=time_msg(d.window_end_ns), text=d.text, model=d.model,
                               generation_latency=duration_msg(d.latency_s))


@dataclass
class BehaviorFrame:
    """One Person3DArray through the behaviour stage."""
    intents: list[IntentResult]
    requests: list[DescriptionRequest]          # each carries the input's header
    intents_msg: IntentPredictionArray | None   # None when no track has enough history yet
    markers_msg: MarkerArray | None
    problems: list[str]                         # people that could not be read (skipped)


def behavior_frame(stage: BehaviorStage, msg: Person3DArray) -> BehaviorFrame:
    """Run one Person3DArray through `stage`: its people (moved into the camera optical frame) -> intents and
    RViz markers stamped like `msg` and in its frame, and the description requests due."""
    tracks, problems = persons_to_tracks(msg)
    return _run(stage, stamp_ns(msg.header.stamp), msg.header, tracks, problems, camera_transform(msg))


def behavior_frame_of_poses(stage: BehaviorStage, frame: PoseFrame) -> BehaviorFrame:
    """Run the pose stage's own output through `stage`, in one process (the composed node): the same as
    `behavior_frame` of the Person3DArray published for `frame`, without making or reading one. In a target frame
    the joints skip that message's frame round trip, so values may differ in the last float32 bit."""
    tracks, problems = frame.tracks()
    # the published Person3DArray's header: the image's stamp, the output frame
    header = Header(stamp=Time(sec=frame.header.stamp.sec, nanosec=frame.header.stamp.nanosec), frame_id=frame.frame_id)
    to_frame = frame.camera_to_frame if frame.camera_to_frame is not None else RigidTransform.identity()
    return _run(stage, frame.stamp_ns, header, tracks, problems, to_frame)


def _run(stage: BehaviorStage, stamp: int, header: Header, tracks: list, problems: list[str],
         to_frame: RigidTransform) -> BehaviorFrame:
    """`tracks` (camera optical frame) of one frame through `stage`; outputs in `header`'s frame (`to_frame`)."""
    intents, requests = stage.on_frame(stamp, tracks, header)
    if not intents:
        return BehaviorFrame(intents, requests, None, None, problems)
    return BehaviorFrame(intents, requests, intents_to_msg(header, intents, to_frame),
                         intent_markers_msg(header, intents, to_frame), problems)
