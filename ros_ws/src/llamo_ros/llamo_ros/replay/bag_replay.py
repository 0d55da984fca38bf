"""Offline replay: a rosbag2 of camera images in, a rosbag2 of skeletons, intents, descriptions out.

Runs the same pose and behaviour stages as the nodes (`PoseFrameProcessor`, `BehaviorStage` through
`behavior_frame`), but
deterministically: every image is processed exactly once in bag order, descriptions are generated inline,
and every output is stamped from its input. Reading and decoding, pose estimation, and the behaviour stage
with writing run as a three-stage pipeline (threads; each stage keeps bag order, so the outputs do not
depend on the overlap). Reading and writing use `rosbags` (sqlite3 or mcap); messages
are (de)serialised with rclpy, so they are the nodes' own message objects.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rclpy.serialization import deserialize_message, serialize_message
from rosbags.rosbag2 import Reader, StoragePlugin, Writer
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from tqdm import tqdm

from llamo_ros.behavior.stage import BehaviorStage
from llamo_ros.config_fields import param
from llamo_ros.messages.behavior_messages import behavior_frame, description_msg
from llamo_ros.frames import TargetFrameConfig
from llamo_ros.messages.tf2_frames import camera_to_target
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.messages.pose_frames import PoseConfig, PoseFrameProcessor
from llamo_ros.pose.person_pose import PoseBackend
from llamo_ros.replay.bag_camera import COMPRESSED_IMAGE, CameraTopicError, pick_camera_topic
from llamo_ros.replay.bag_types import typestore

CAMERA_INFO = "sensor_msgs/msg/CameraInfo"
PIPELINE_DEPTH = 2          # messages queued between two pipeline stages
_END = object()             # end of a stage's stream
PRINT_INTENT_MIN_P = 0.5  # intent changes below this probability are not printed (they are still written)
OUTPUT_TYPES = {  # output topic (under ReplayConfig.output_prefix) -> message type
    "persons": "llamo_msgs/msg/Person3DArray",
    "markers": "visualization_msgs/msg/MarkerArray",
    "intents": "llamo_msgs/msg/IntentPredictionArray",
    "intent_markers": "visualization_msgs/msg/MarkerArray",
    "descriptions": "llamo_msgs/msg/BehaviorDescription",
}


def _put(out: queue.Queue, item, stop: threading.Event) -> None:
    """Put `item` on `out`, unless `stop` is set while waiting for room (the consumer has quit)."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return
        except queue.Full:
            pass


def _get(source: queue.Queue, stop: threading.Event):
    """The next item of `source`, or _END once `stop` is set (the consumer downstream has quit)."""
    while not stop.is_set():
        try:
            return source.get(timeout=0.1)
        except queue.Empty:
            pass
    return _END


class ReplayError(RuntimeError):
    """The input bag cannot be replayed (missing, unreadable, no image topic); nothing was written."""


@dataclass
class ReplayConfig:
    image_topic: str = param("", "image topic to replay (Image, or CompressedImage JPEG/PNG; a base name also "
                                 "finds <base>/compressed); empty: the bag's only Image or CompressedImage "
                                 "topic that is not the depth topic")
    camera_info_topic: str = param("", "CameraInfo topic; empty: the bag's only CameraInfo topic, if any")
    depth_topic: str = param("", "aligned depth image topic (16UC1 mm or 32FC1 m); empty: none")
    output_prefix: str = param("/llamo", "namespace of the output topics (persons, markers, intents, "
                                         "intent_markers, descriptions)")
    describe: bool = param(True, "generate behaviour descriptions with the language model")
    storage: str = param("sqlite3", "output bag storage: sqlite3 or mcap")

    def __post_init__(self) -> None:
        if self.storage not in ("sqlite3", "mcap"):
            raise ValueError(f"storage must be 'sqlite3' or 'mcap', got {self.storage!r}")


@dataclass
class ReplayReport:
    images_read: int = 0
    images_processed: int = 0
    images_dropped: int = 0
    persons: int = 0
    intent_messages: int = 0
    descriptions: int = 0
    bag_duration_s: float = 0.0           # span of the replayed images' stamps
    wall_time_s: float = 0.0
    frame_latency_s: list[float] = field(default_factory=list)  # per processed image: image in -> intents out
    stage_busy_s: dict[str, float] = field(default_factory=dict)  # per pipeline stage: seconds spent working
                                          # (read_decode, pose, behaviour_write); the largest one sets the pace
    error: str = ""                       # why the replay stopped early; empty when it read the whole bag
    problems: dict[str, str] = field(default_factory=dict)  # last message of each kind of dropped input

    @property
    def realtime_factor(self) -> float:
        return self.bag_duration_s / self.wall_time_s if self.wall_time_s > 0 else 0.0

    def summary(self) -> str:
        lines = [f"images: {self.images_read} read, {self.images_processed} processed, {self.images_dropped} dropped",
                 f"outputs: {self.persons} person detections, {self.intent_messages} intent messages, "
                 f"{self.descriptions} descriptions",
                 f"speed: {self.bag_duration_s:.1f} s of camera in {self.wall_time_s:.1f} s "
                 f"({self.realtime_factor:.2f}x real time)"]
        if self.stage_busy_s:
            lines.append("pipeline stages busy: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.stage_busy_s.items()))
        lines += [f"dropped input ({kind}): {text}" for kind, text in self.problems.items()]
        if self.error:
            lines.append(f"stopped early: {self.error}")
        return "\n".join(lines)


def _pick_topic(connections, msgtype: str, wanted: str, exclude: set[str], what: str, required: bool) -> str:
    topics = sorted({c.topic for c in connections if c.msgtype == msgtype} - exclude)
    if wanted:
        if wanted not in {c.topic for c in connections}:
            raise ReplayError(f"{what} topic {wanted!r} is not in the bag; its {msgtype} topics: {topics}")
        return wanted
    if len(topics) == 1 or (topics and not required):
        return topics[0] if len(topics) == 1 else ""
    if not topics and not required:
        return ""
    raise ReplayError(f"cannot choose the {what} topic: the bag has {len(topics)} {msgtype} topics {topics}; "
                      f"name one with --{what.replace(' ', '-')}-topic")


class BagReplay:
    """One replay of one bag: builds the pose stage, runs every message through it, writes the outputs."""

    def __init__(self, config: ReplayConfig, pose_config: PoseConfig, behavior: BehaviorStage | None = None,
                 backend: PoseBackend | None = None, on_event: Callable[[str], None] = print,
                 progress: bool = True, on_frame: Callable[[Image, object, list], None] | None = None,
                 target: TargetFrameConfig | None = None) -> None:
        """`on_frame(image, persons, intents)` is called for every processed frame (e.g. a contact sheet);
        `target`: write persons, markers and intents in its target_frame (a fixed transform: no tf2 offline)."""
        self.config, self.behavior, self.on_event, self.progress = config, behavior, on_event, progress
        self.on_frame = on_frame
        self.report = ReplayReport()
        if behavior is not None:   # skipped frames and time resets go into the report like dropped input
            behavior.on_error = self._on_dropped_input
        self.pose = PoseFrameProcessor(pose_config, self._on_dropped_input, backend,
                                       camera_to_target(target) if target is not None else None)
        self._printed_intent: dict[int, int] = {}
        self._first_stamp: int | None = None
        self._image_type: type = Image   # or CompressedImage: set from the bag's camera topic

    def _on_dropped_input(self, kind: str, text: str) -> None:
        if kind not in self.report.problems:  # first of each kind now, all of them in the summary
            self.on_event(f"dropping input ({kind}): {text}")
        self.report.problems[kind] = text

    def run(self, in_bag: Path, out_bag: Path) -> ReplayReport:
        """Replay `in_bag` into a new bag `out_bag`; returns the report.

        Raises ReplayError before writing anything when the input cannot be replayed. A bag that breaks
        while being read (corrupt or truncated) ends the replay: what was processed is flushed to `out_bag`
        and `report.error` says why.
        """
        config = self.config
        try:
            reader = Reader(in_bag)
            reader.open()
        except Exception as exc:  # rosbags raises several types for missing/corrupt metadata and storage
            raise ReplayError(f"cannot open bag {in_bag}: {type(exc).__name__}: {exc}") from None
        try:
            conns = reader.connections
            depth = config.depth_topic
            if depth and depth not in {c.topic for c in conns}:
                raise ReplayError(f"depth topic {depth!r} is not in the bag")
            try:
                camera = pick_camera_topic({c.topic: c.msgtype for c in conns}, config.image_topic, {depth})
            except CameraTopicError as exc:
                raise ReplayError(str(exc)) from None
            image = camera.topic
            self._image_type = CompressedImage if camera.msgtype == COMPRESSED_IMAGE else Image
            info = _pick_topic(conns, CAMERA_INFO, config.camera_info_topic, set(), "camera info", required=False)
            wanted = [c for c in conns if c.topic in {image, info, depth}]
            total = sum(c.msgcount for c in wanted if c.topic == image)
            self._replay(reader.messages(connections=wanted), info, depth, out_bag, total)
        finally:
            reader.close()
        return self.report

    def _replay(self, messages, info_topic: str, depth_topic: str, out_bag: Path, total: int) -> None:
        """Three stages in a pipeline, each in bag order: a thread reads and decodes messages, a thread runs
        the pose stage on them, and this thread writes the outputs and runs the behaviour stage. MediaPipe
        releases the GIL, so reading, decoding, intents and writing overlap with pose estimation of the
        next images; the outputs are the same as one stage after the other (every stage keeps bag order)."""
        report, store = self.report, typestore()
        prefix = self.config.output_prefix.rstrip("/")
        plugin = StoragePlugin.MCAP if self.config.storage == "mcap" else StoragePlugin.SQLITE3
        first_stamp = last_stamp = None
        start = time.perf_counter()
        stop = threading.Event()   # set when this thread stops early: the other stages end too
        decoded: queue.Queue = queue.Queue(PIPELINE_DEPTH)
        posed: queue.Queue = queue.Queue(PIPELINE_DEPTH)
        stages = [threading.Thread(target=self._read_stage, args=(messages, info_topic, depth_topic, decoded, stop),
                                   name="replay-read", daemon=True),
                  threading.Thread(target=self._pose_stage, args=(decoded, posed, stop), name="replay-pose",
                                   daemon=True)]
        # the writer's sqlite connection belongs to the thread that opens it: this one writes everything
        with Writer(out_bag, version=9, storage_plugin=plugin) as writer:
            outputs = {name: writer.add_connection(f"{prefix}/{name}", msgtype, typestore=store)
                       for name, msgtype in OUTPUT_TYPES.items()}
            self._write = lambda name, msg, t: writer.write(outputs[name], t, serialize_message(msg))
            bar = tqdm(total=total, unit="frame", desc="replay", disable=not self.progress)
            for stage in stages:
                stage.start()
            busy = 0.0
            try:
                while (item := posed.get()) is not _END:
                    if isinstance(item, BaseException):
                        raise item
                    bar.update()
                    t0 = time.perf_counter()
                    stamp = self._outputs(*item)
                    busy += time.perf_counter() - t0
                    if stamp is not None:
                        first_stamp = stamp if first_stamp is None else first_stamp
                        last_stamp = stamp
            finally:
                stop.set()
                for stage in stages:
                    stage.join()
                bar.close()
        report.stage_busy_s["behaviour_write"] = busy
        report.images_processed = self.pose.processed_frames
        report.images_dropped = self.pose.dropped_frames
        report.bag_duration_s = (last_stamp - first_stamp) * 1e-9 if first_stamp is not None else 0.0
        report.wall_time_s = time.perf_counter() - start

    def _read_stage(self, messages, info_topic: str, depth_topic: str, out: queue.Queue,
                    stop: threading.Event) -> None:
        """Thread: bag messages -> (topic kind, message, log time) on `out`, then _END; an image comes as
        (message, (H, W, 3) RGB array or None when malformed)."""
        busy = 0.0
        try:
            while not stop.is_set():
                start = time.perf_counter()
                try:
                    conn, log_time, raw = next(messages)
                except StopIteration:
                    break
                except Exception as exc:  # corrupt or truncated storage: stop, keep what was written
                    self.report.error = (f"the bag broke after {self.report.images_read} images: "
                                         f"{type(exc).__name__}: {exc}")
                    break
                if conn.topic == info_topic:
                    item = ("info", deserialize_message(raw, CameraInfo), log_time)
                elif conn.topic == depth_topic:
                    item = ("depth", deserialize_message(raw, Image), log_time)
                else:   # decoded here, off the pose stage that sets the pace (as the pose node's callback does)
                    self.report.images_read += 1
                    msg = deserialize_message(raw, self._image_type)
                    item = ("image", (msg, self.pose.decode(msg)), log_time)
                busy += time.perf_counter() - start
                _put(out, item, stop)
        except BaseException as exc:  # noqa: BLE001  handed to the writing thread, which raises it
            _put(out, exc, stop)
        self.report.stage_busy_s["read_decode"] = busy
        _put(out, _END, stop)

    def _pose_stage(self, decoded: queue.Queue, out: queue.Queue, stop: threading.Event) -> None:
        """Thread: decoded messages -> (image, log time, pose result or None if dropped, start time) on `out`."""
        busy = 0.0
        try:
            while (item := _get(decoded, stop)) is not _END:
                if isinstance(item, BaseException):
                    raise item
                kind, payload, log_time = item
                if kind == "info":
                    self.pose.on_camera_info(payload)
                elif kind == "depth":
                    self.pose.on_depth(payload)
                else:
                    msg, image = payload   # image None: malformed, already dropped and counted by decode
                    start = time.perf_counter()
                    result = None if image is None else self.pose.estimate(msg, image)
                    busy += time.perf_counter() - start
                    _put(out, (msg, log_time, result, start), stop)
        except BaseException as exc:  # noqa: BLE001  handed to the writing thread, which raises it
            _put(out, exc, stop)
        self.report.stage_busy_s["pose"] = busy
        _put(out, _END, stop)

    def _outputs(self, image: Image, log_time: int, out, start: float) -> int | None:
        """Write one image's outputs and run the behaviour stage; returns its stamp (ns), None if dropped.

        `start`: when the pose stage took the image; the image-to-intent latency runs from there.
        """
        if out is None:
            return None
        persons, markers = out
        stamp = image.header.stamp.sec * 1_000_000_000 + image.header.stamp.nanosec
        self._write("persons", persons, log_time)
        self._write("markers", markers, log_time)
        self.report.persons += len(persons.persons)
        intents = self._behave(persons, stamp, log_time) if self.behavior is not None else []
        self.report.frame_latency_s.append(time.perf_counter() - start)  # includes inline descriptions
        if self.on_frame is not None:
            self.on_frame(image, persons, intents)
        return stamp

    def _seconds(self, stamp: int) -> float:
        """Seconds since the first replayed image (for messages a person reads)."""
        if self._first_stamp is None:
            self._first_stamp = stamp
        return (stamp - self._first_stamp) * 1e-9

    def _behave(self, persons, stamp: int, log_time: int) -> list:
        frame = behavior_frame(self.behavior, persons)
        if frame.intents_msg is not None:
            self._write("intents", frame.intents_msg, log_time)
            self._write("intent_markers", frame.markers_msg, log_time)
            self.report.intent_messages += 1
        t = self._seconds(stamp)
        for r in frame.intents:  # print confident changes only: low-probability flicker is in the bag, not the console
            p = float(r.probabilities[r.most_likely])
            if p >= PRINT_INTENT_MIN_P and self._printed_intent.get(r.track_id) != r.most_likely:
                self._printed_intent[r.track_id] = r.most_likely
                self.on_event(f"[{t:6.1f} s] track {r.track_id}: {INTENT_LABELS[r.most_likely]} (p={p:.2f})")
        for request in frame.requests if self.config.describe else []:
            description = self.behavior.describe(request)
            self._write("descriptions", description_msg(description), log_time)
            self.report.descriptions += 1
            self.on_event(f"[{t:6.1f} s] track {request.track_id}: \"{description.text}\"")
        return frame.intents
