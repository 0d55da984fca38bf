"""Record a video file as a rosbag2 of `sensor_msgs/Image` (or `CompressedImage`, JPEG/PNG) +
`sensor_msgs/CameraInfo`, without ROS.

Used by the demo to turn a real video of people (Debian opencv-doc's vtest.avi) into the kind of bag a
robot records. Written with `rosbags` (sqlite3 or mcap storage), readable by `ros2 bag` and by rclpy.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

from llamo_ros.compressed_image import CODECS, encode_compressed
from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import Stores, get_typestore
from tqdm import tqdm

TYPESTORE = get_typestore(Stores.ROS2_KILTED)


@dataclass
class VideoBagConfig:
    image_topic: str = "/camera/image_raw"            # sensor_msgs/Image, bgr8
    camera_info_topic: str = "/camera/camera_info"    # sensor_msgs/CameraInfo, one per image
    frame_id: str = "camera_optical_frame"            # optical frame of the camera (REP-103)
    horizontal_fov_deg: float = 60.0                  # assumed field of view for the intrinsics (video has none)
    start_stamp_ns: int = 1_700_000_000_000_000_000   # stamp of the first frame (ns since epoch)
    max_frames: int = 0                               # 0: every frame of the video
    storage: str = "sqlite3"                          # "sqlite3" or "mcap"
    compressed: str = ""                              # "": raw bgr8 Images; "jpeg" or "png": CompressedImage on
                                                      # `<image_topic>/compressed` (image_transport's naming)
    jpeg_quality: int = 95                            # 1-100 (image_transport's default is 95)

    def __post_init__(self) -> None:
        if self.compressed not in ("", *CODECS):
            raise ValueError(f"compressed must be '' or one of {CODECS}, got {self.compressed!r}")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be in [1, 100], got {self.jpeg_quality}")
        if not 10.0 <= self.horizontal_fov_deg <= 170.0:
            raise ValueError(f"horizontal_fov_deg must be in [10, 170], got {self.horizontal_fov_deg}")
        if self.storage not in ("sqlite3", "mcap"):
            raise ValueError(f"storage must be 'sqlite3' or 'mcap', got {self.storage!r}")
        if self.max_frames < 0:
            raise ValueError("max_frames must be >= 0")


def pinhole_intrinsics(width: int, height: int, horizontal_fov_deg: float) -> np.ndarray:
    """3x3 camera matrix K (pixels) of an ideal pinhole with square pixels and a centred principal point."""
    fx = (width / 2.0) / np.tan(np.radians(horizontal_fov_deg) / 2.0)
    return np.array([[fx, 0.0, (width - 1) / 2.0], [0.0, fx, (height - 1) / 2.0], [0.0, 0.0, 1.0]])


def _stamp(ns: int):
    Time = TYPESTORE.types["builtin_interfaces/msg/Time"]
    return Time(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


def write_video_bag(video: Path, bag: Path, config: VideoBagConfig | None = None) -> int:
    """Write every frame (up to config.max_frames) of `video` into a new bag at `bag`; returns the count.

    Stamps advance by 1/fps of the video from config.start_stamp_ns.
    """
    config = config or VideoBagConfig()
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise FileNotFoundError(f"cannot open video {video}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    if config.max_frames:
        total = min(total or config.max_frames, config.max_frames)

    def frames():
        while True:
            ok, frame = cap.read()  # (H, W, 3) uint8 BGR
            if not ok:
                return
            yield frame

    try:
        return write_image_bag(frames(), fps, bag, config, total=total, desc=f"recording {video.name}")
    finally:
        cap.release()


def write_image_bag(frames: Iterable[np.ndarray], fps: float, bag: Path, config: VideoBagConfig | None = None,
                    total: int | None = None, desc: str = "recording") -> int:
    """Write BGR frames (H, W, 3) uint8 as bgr8 Images (or JPEG/PNG CompressedImages, config.compressed) +
    CameraInfo at `fps` into a new bag; returns the count."""
    config = config or VideoBagConfig()
    T = TYPESTORE.types
    Image, CameraInfo, Header = T["sensor_msgs/msg/Image"], T["sensor_msgs/msg/CameraInfo"], T["std_msgs/msg/Header"]
    RegionOfInterest = T["sensor_msgs/msg/RegionOfInterest"]
    if config.compressed:
        Image, image_topic = T["sensor_msgs/msg/CompressedImage"], config.image_topic.rstrip("/") + "/compressed"
    else:
        image_topic = config.image_topic
    plugin = StoragePlugin.MCAP if config.storage == "mcap" else StoragePlugin.SQLITE3
    count = 0
    with Writer(bag, version=9, storage_plugin=plugin) as writer:
        image_conn = writer.add_connection(image_topic, Image.__msgtype__, typestore=TYPESTORE)
        info_conn = writer.add_connection(config.camera_info_topic, CameraInfo.__msgtype__, typestore=TYPESTORE)
        with tqdm(total=total, unit="frame", desc=desc) as bar:
            for frame in frames:
                if config.max_frames and count >= config.max_frames:
                    break
                ns = config.start_stamp_ns + round(count * 1e9 / fps)
                header = Header(stamp=_stamp(ns), frame_id=config.frame_id)
                h, w = frame.shape[:2]
                if config.compressed:
                    fmt, payload = encode_compressed(np.ascontiguousarray(frame, dtype=np.uint8), config.compressed,
                                                     config.jpeg_quality)
                    image = Image(header=header, format=fmt, data=np.frombuffer(payload, np.uint8))
                else:
                    image = Image(header=header, height=h, width=w, encoding="bgr8", is_bigendian=0, step=w * 3,
                                  data=np.ascontiguousarray(frame, dtype=np.uint8).reshape(-1))
                k = pinhole_intrinsics(w, h, config.horizontal_fov_deg)
                p = np.hstack([k, np.zeros((3, 1))])
                info = CameraInfo(header=header, height=h, width=w, distortion_model="plumb_bob",
                                  d=np.zeros(5), k=k.reshape(-1), r=np.eye(3).reshape(-1), p=p.reshape(-1),
                                  binning_x=0, binning_y=0,
                                  roi=RegionOfInterest(x_offset=0, y_offset=0, height=0, width=0, do_rectify=False))
                writer.write(image_conn, ns, TYPESTORE.serialize_cdr(image, Image.__msgtype__))
                writer.write(info_conn, ns, TYPESTORE.serialize_cdr(info, CameraInfo.__msgtype__))
                count += 1
                bar.update()
    return count
