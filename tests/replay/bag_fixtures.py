"""Bags of real photographs for replay tests, written with `rosbags` the way a robot's recorder would."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from rosbags.rosbag2 import StoragePlugin, Writer

from llamo_ros.data.sample_media import load_image
from llamo_ros.data.video_bag import TYPESTORE, VideoBagConfig, write_image_bag

START_NS = VideoBagConfig().start_stamp_ns


def basketball_frames(n: int) -> list[np.ndarray]:
    """n copies of opencv-doc's basketball2.png (two players, both well inside the frame), BGR, with a little
    sensor noise so frames differ."""
    rgb = load_image("basketball2")
    rng = np.random.default_rng(0)
    return [np.clip(rgb[:, :, ::-1].astype(np.int16) + rng.integers(-2, 3, rgb.shape), 0, 255).astype(np.uint8)
            for _ in range(n)]


def write_bag_with_bad_frame(path: Path, frames: list[np.ndarray], bad_index: int, fps: float = 10.0) -> list[int]:
    """Like write_image_bag, plus one yuv422 image (unsupported) at position `bad_index`; returns image stamps."""
    T = TYPESTORE.types
    Image, Header, Time = T["sensor_msgs/msg/Image"], T["std_msgs/msg/Header"], T["builtin_interfaces/msg/Time"]
    stamps = []
    with Writer(path, version=9, storage_plugin=StoragePlugin.SQLITE3) as writer:
        conn = writer.add_connection("/camera/image_raw", Image.__msgtype__, typestore=TYPESTORE)
        for i in range(len(frames) + 1):
            ns = START_NS + round(i * 1e9 / fps)
            header = Header(stamp=Time(sec=ns // 10**9, nanosec=ns % 10**9), frame_id="camera_optical_frame")
            if i == bad_index:
                msg = Image(header=header, height=2, width=2, encoding="yuv422", is_bigendian=0, step=4,
                            data=np.zeros(8, np.uint8))
            else:
                f = frames[i if i < bad_index else i - 1]
                msg = Image(header=header, height=f.shape[0], width=f.shape[1], encoding="bgr8", is_bigendian=0,
                            step=f.shape[1] * 3, data=f.reshape(-1))
            writer.write(conn, ns, TYPESTORE.serialize_cdr(msg, Image.__msgtype__))
            stamps.append(ns)
    return stamps


def write_compressed_bag(path: Path, frames: list[np.ndarray], codec: str, bad_index: int | None = None,
                         fps: float = 10.0) -> list[int]:
    """BGR frames as CompressedImages (image_transport's format, `/camera/image_raw/compressed`); the message at
    `bad_index` (if any) is a corrupt payload: a JPEG signature followed by noise. Returns image stamps."""
    from llamo_ros.compressed_image import encode_compressed

    T = TYPESTORE.types
    Compressed, Header, Time = (T["sensor_msgs/msg/CompressedImage"], T["std_msgs/msg/Header"],
                                T["builtin_interfaces/msg/Time"])
    frames = list(frames)
    if bad_index is not None:
        frames.insert(bad_index, None)
    stamps = []
    with Writer(path, version=9, storage_plugin=StoragePlugin.SQLITE3) as writer:
        conn = writer.add_connection("/camera/image_raw/compressed", Compressed.__msgtype__, typestore=TYPESTORE)
        for i, frame in enumerate(frames):
            ns = START_NS + round(i * 1e9 / fps)
            header = Header(stamp=Time(sec=ns // 10**9, nanosec=ns % 10**9), frame_id="camera_optical_frame")
            if frame is None:
                fmt, payload = "bgr8; jpeg compressed bgr8", b"\xff\xd8\xff" + bytes(range(256)) * 8
            else:
                fmt, payload = encode_compressed(frame, codec)
            msg = Compressed(header=header, format=fmt, data=np.frombuffer(payload, np.uint8))
            writer.write(conn, ns, TYPESTORE.serialize_cdr(msg, Compressed.__msgtype__))
            stamps.append(ns)
    return stamps


def read_topic(path: Path, topic: str) -> list[tuple[int, bytes]]:
    """(log time, raw CDR bytes) of every message on `topic`."""
    from rosbags.rosbag2 import Reader

    with Reader(path) as reader:
        conns = [c for c in reader.connections if c.topic == topic]
        return [(t, bytes(raw)) for _, t, raw in reader.messages(connections=conns)]


__all__ = ["basketball_frames", "write_bag_with_bad_frame", "write_compressed_bag", "write_image_bag", "read_topic",
           "START_NS"]
