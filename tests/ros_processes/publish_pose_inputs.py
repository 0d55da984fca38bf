"""Separate process: feeds the pose node malformed images, then a real photograph, in a loop.

Cycle (every ~0.3 s one message): unsupported encoding, zero-size image, truncated data,
CameraInfo + the good image (``basketball1`` as rgb8, stamp sec = 1000 + cycle, nanosec = 12345).
Usage: publish_pose_inputs.py IMAGE.npy
"""
from __future__ import annotations

import sys

import numpy as np
from builtin_interfaces.msg import Time
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image

from llamo_ros.messages.image_msg import array_to_image_msg
from spin_process import spin_node

GOOD_NANOSEC = 12345
FRAME = "camera_color_optical_frame"


def malformed_images() -> list[Image]:
    unsupported = array_to_image_msg(np.zeros((4, 4, 3), np.uint8), "rgb8")
    unsupported.encoding = "yuv422_yuy2"
    zero = Image(height=0, width=0, encoding="rgb8", step=0)
    truncated = array_to_image_msg(np.zeros((48, 64, 3), np.uint8), "rgb8")
    truncated.data = truncated.data[:100]
    return [unsupported, zero, truncated]


class PoseInputPublisher(Node):
    def __init__(self, image: np.ndarray) -> None:
        super().__init__("pose_input_publisher")
        self._image_pub = self.create_publisher(Image, "image", qos_profile_sensor_data)
        self._info_pub = self.create_publisher(CameraInfo, "camera_info", qos_profile_sensor_data)
        self._good = array_to_image_msg(image, "rgb8")
        h, w = image.shape[:2]
        self._info = CameraInfo(width=w, height=h, k=[525.0, 0.0, w / 2, 0.0, 525.0, h / 2, 0.0, 0.0, 1.0])
        self._queue: list = []
        self._cycle = 0
        self.create_timer(0.3, self._tick)

    def _tick(self) -> None:
        if not self._queue:
            self._queue = malformed_images() + ["good"]
        item = self._queue.pop(0)
        if item == "good":
            stamp = Time(sec=1000 + self._cycle, nanosec=GOOD_NANOSEC)
            self._cycle += 1
            self._info.header.stamp = self._good.header.stamp = stamp
            self._info.header.frame_id = self._good.header.frame_id = FRAME
            self._info_pub.publish(self._info)
            self._image_pub.publish(self._good)
        else:
            item.header.frame_id = FRAME
            self._image_pub.publish(item)


def main() -> None:
    spin_node(lambda: PoseInputPublisher(np.load(sys.argv[1])))


if __name__ == "__main__":
    main()
