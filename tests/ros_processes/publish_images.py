"""Separate process: publishes BGR frames from a .npy stack (N, H, W, 3) with CameraInfo, in a loop.

Usage: publish_images.py FRAMES.npy RATE_HZ [IMAGE_TOPIC] [INFO_TOPIC]
Stamps increase by 1/RATE per frame from the start, like a camera driver's.
"""
from __future__ import annotations

import sys

import numpy as np
import rclpy
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo

from llamo_ros.data.video_bag import pinhole_intrinsics
from llamo_ros.messages.image_msg import array_to_image_msg
from spin_process import spin_node


class FramePublisher(Node):
    """Raw bgr8 Images; subclasses change the message (`image_message`) and its type."""

    def __init__(self, frames: np.ndarray, rate: float, image_topic: str, info_topic: str,
                 image_type=None, name: str = "frame_publisher") -> None:
        super().__init__(name)
        self.frames, self.count = frames, 0
        self.image_pub = self.create_publisher(image_type or type(array_to_image_msg(frames[0], "bgr8")), image_topic,
                                               qos_profile_sensor_data)
        self.info_pub = self.create_publisher(CameraInfo, info_topic, qos_profile_sensor_data)
        h, w = frames.shape[1:3]
        self.info = CameraInfo(width=w, height=h, distortion_model="plumb_bob", d=[0.0] * 5,
                               k=pinhole_intrinsics(w, h, 60.0).ravel().tolist())
        self.start = self.get_clock().now()
        self.period_ns = int(1e9 / rate)
        self.create_timer(1.0 / rate, self._publish)

    def _publish(self) -> None:
        stamp = (self.start + rclpy.duration.Duration(nanoseconds=self.count * self.period_ns)).to_msg()
        msg = self.image_message(self.count)
        msg.header.stamp, msg.header.frame_id = stamp, "camera_optical_frame"
        self.info.header = msg.header
        self.info_pub.publish(self.info)
        self.image_pub.publish(msg)
        self.count += 1

    def image_message(self, count: int):
        return array_to_image_msg(self.frames[count % len(self.frames)], "bgr8")


def main() -> None:
    frames = np.load(sys.argv[1])
    rate = float(sys.argv[2])
    image_topic = sys.argv[3] if len(sys.argv) > 3 else "image"
    info_topic = sys.argv[4] if len(sys.argv) > 4 else "camera_info"
    spin_node(lambda: FramePublisher(frames, rate, image_topic, info_topic))


if __name__ == "__main__":
    main()
