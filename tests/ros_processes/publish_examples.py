"""Separate process: publishes every example message (and an image from a .npy file) until stopped."""
from __future__ import annotations

import sys

import numpy as np
from rclpy.node import Node
from rclpy.qos import QoSDurabilityPolicy, QoSProfile
from sensor_msgs.msg import Image

from example_messages import TOPICS, build
from llamo_ros.messages.image_msg import array_to_image_msg
from spin_process import spin_node


class ExamplePublisher(Node):
    def __init__(self, image_path: str | None, encoding: str | None) -> None:
        super().__init__("example_publisher")
        qos = QoSProfile(depth=1, durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)
        self._outputs = [(self.create_publisher(t, topic, qos), build(topic)) for topic, t in TOPICS.items()]
        if image_path:
            msg = array_to_image_msg(np.load(image_path), encoding)
            msg.header.frame_id = "camera_color_optical_frame"
            self._outputs.append((self.create_publisher(Image, "example/image", qos), msg))
        self.create_timer(0.2, self._publish)

    def _publish(self) -> None:
        for pub, msg in self._outputs:
            pub.publish(msg)


def main() -> None:
    image_path, encoding = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else (None, None)
    spin_node(lambda: ExamplePublisher(image_path, encoding))


if __name__ == "__main__":
    main()
