"""Separate process: publishes BGR frames from a .npy stack (N, H, W, 3) as JPEG CompressedImages on
`<BASE_TOPIC>/compressed` (image_transport's naming) with CameraInfo, in a loop; every BAD_EVERY-th
message (0: never) carries a corrupt payload instead (a JPEG signature followed by noise).

Usage: publish_compressed.py FRAMES.npy RATE_HZ BASE_TOPIC INFO_TOPIC BAD_EVERY
"""
from __future__ import annotations

import sys

import numpy as np
import rclpy
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, CompressedImage

from llamo_ros.data.video_bag import pinhole_intrinsics
from llamo_ros.nodes.image_msg import bgr_to_compressed_msg
from spin_process import spin_node


class CompressedPublisher(Node):
    def __init__(self, frames: np.ndarray, rate: float, base_topic: str, info_topic: str, bad_every: int) -> None:
        super().__init__("compressed_publisher")
        self.frames, self.count, self.bad_every = frames, 0, bad_every
        self.image_pub = self.create_publisher(CompressedImage, base_topic + "/compressed", qos_profile_sensor_data)
        self.info_pub = self.create_publisher(CameraInfo, info_topic, qos_profile_sensor_data)
        h, w = frames.shape[1:3]
        self.info = CameraInfo(width=w, height=h, distortion_model="plumb_bob", d=[0.0] * 5,
                               k=pinhole_intrinsics(w, h, 60.0).ravel().tolist())
        self.payloads = [bgr_to_compressed_msg(f, "jpeg", 90) for f in frames]   # encoded once
        self.noise = np.random.default_rng(0).integers(0, 256, 5000, np.uint8).tobytes()
        self.start = self.get_clock().now()
        self.period_ns = int(1e9 / rate)
        self.create_timer(1.0 / rate, self._publish)

    def _publish(self) -> None:
        stamp = (self.start + rclpy.duration.Duration(nanoseconds=self.count * self.period_ns)).to_msg()
        msg = self.payloads[self.count % len(self.payloads)]
        if self.bad_every and self.count % self.bad_every == self.bad_every - 1:
            msg = CompressedImage(format="bgr8; jpeg compressed bgr8", data=b"\xff\xd8\xff" + self.noise)
        msg.header.stamp, msg.header.frame_id = stamp, "camera_optical_frame"
        self.info.header = msg.header
        self.info_pub.publish(self.info)
        self.image_pub.publish(msg)
        self.count += 1


def main() -> None:
    frames = np.load(sys.argv[1])
    spin_node(lambda: CompressedPublisher(frames, float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])))


if __name__ == "__main__":
    main()
