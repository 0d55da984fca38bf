"""Separate process: publishes generated people as Person3DArray at 30 Hz, as the pose node would.

Usage: publish_motion.py TOPIC SEED [SEED ...]
Each seed is one person (track id = seed) from llamo_ros.data.motion_synth, looped. Every 10th message also
carries a malformed person (wrong skeleton layout) that the behaviour node must skip, not crash on.
"""
from __future__ import annotations

import sys

import numpy as np
import rclpy
from geometry_msgs.msg import Point
from rclpy.node import Node

from llamo_msgs.msg import Keypoint3D, Person3D, Person3DArray
from llamo_ros.data.motion_synth import generate_clip
from llamo_ros.skeleton import LAYOUT_NAME
from spin_process import spin_node


def person(track_id: int, joints: np.ndarray, confidence: np.ndarray) -> Person3D:
    p = Person3D(track_id=track_id, score=0.9, skeleton_layout=LAYOUT_NAME)
    p.keypoints_3d = [Keypoint3D(position=Point(x=float(x), y=float(y), z=float(z)), confidence=float(c))
                      for (x, y, z), c in zip(np.nan_to_num(joints), confidence)]
    p.root_position = p.keypoints_3d[0].position
    return p


class MotionPublisher(Node):
    def __init__(self, topic: str, seeds: list[int]) -> None:
        super().__init__("motion_publisher")
        self.clips = {seed: generate_clip(seed) for seed in seeds}
        self.pub = self.create_publisher(Person3DArray, topic, 10)
        self.count = 0
        self.start = self.get_clock().now()
        self.create_timer(1 / 30, self._publish)

    def _publish(self) -> None:
        msg = Person3DArray(image_width=640, image_height=480)
        msg.header.frame_id = "camera_optical_frame"
        msg.header.stamp = (self.start + rclpy.duration.Duration(nanoseconds=self.count * 33_333_333)).to_msg()
        for seed, clip in self.clips.items():
            t = self.count % clip.num_frames
            msg.persons.append(person(seed, clip.joints[t], clip.confidence[t]))
        if self.count % 10 == 5:
            msg.persons.append(Person3D(track_id=999, skeleton_layout="coco17"))
        self.pub.publish(msg)
        self.count += 1


def main() -> None:
    spin_node(lambda: MotionPublisher(sys.argv[1], [int(s) for s in sys.argv[2:]]))


if __name__ == "__main__":
    main()
