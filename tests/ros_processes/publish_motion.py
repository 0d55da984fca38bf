"""Separate process: publishes generated people as Person3DArray at 30 Hz, as the pose node would.

Usage: publish_motion.py TOPIC SEED [SEED ...] [--base-link TOPIC2] [--frame-per-message]
Each seed is one person (track id = seed) from llamo_ros.data.motion_synth, looped. Every 10th message also
carries a malformed person (wrong skeleton layout) that the behaviour node must skip, not crash on.
With --base-link, the same messages also go to TOPIC2 as a pose node with target_frame base_link would
publish them: every point moved by hand by BASE_LINK_YAW90_OFFSET, camera_transform set.
With --frame-per-message, message n has frame_id `camera_optical_frame_<n>` (so a subscriber can tell which
message an output was made from).
"""
from __future__ import annotations

import copy
import math
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


BASE_LINK_YAW90_OFFSET = (0.5, -1.0, 0.25)   # camera -> base_link: yaw +90 deg about z, then this offset (m)


def in_base_link(msg: Person3DArray) -> Person3DArray:
    """`msg` moved into base_link by hand: yaw +90 deg sends (x, y, z) to (-y, x, z), then the offset."""
    ox, oy, oz = BASE_LINK_YAW90_OFFSET
    out = copy.deepcopy(msg)
    out.header.frame_id = "base_link"
    for p in out.persons:
        points = {id(q): q for q in [k.position for k in p.keypoints_3d] + [p.root_position]}  # root may alias
        for point in points.values():
            point.x, point.y, point.z = -point.y + ox, point.x + oy, point.z + oz
    t = out.camera_transform
    t.header, t.child_frame_id = copy.deepcopy(out.header), msg.header.frame_id
    t.transform.translation.x, t.transform.translation.y, t.transform.translation.z = ox, oy, oz
    t.transform.rotation.z = t.transform.rotation.w = math.sqrt(0.5)
    return out


class MotionPublisher(Node):
    def __init__(self, topic: str, seeds: list[int], base_link_topic: str = "", frame_per_message: bool = False):
        super().__init__("motion_publisher")
        self.clips = {seed: generate_clip(seed) for seed in seeds}
        self.pub = self.create_publisher(Person3DArray, topic, 10)
        self.base_pub = self.create_publisher(Person3DArray, base_link_topic, 10) if base_link_topic else None
        self.count = 0
        self.frame_per_message = frame_per_message
        self.start = self.get_clock().now()
        self.create_timer(1 / 30, self._publish)

    def _publish(self) -> None:
        msg = Person3DArray(image_width=640, image_height=480)
        msg.header.frame_id = f"camera_optical_frame_{self.count}" if self.frame_per_message else "camera_optical_frame"
        msg.header.stamp = (self.start + rclpy.duration.Duration(nanoseconds=self.count * 33_333_333)).to_msg()
        for seed, clip in self.clips.items():
            t = self.count % clip.num_frames
            msg.persons.append(person(seed, clip.joints[t], clip.confidence[t]))
        if self.count % 10 == 5:
            msg.persons.append(Person3D(track_id=999, skeleton_layout="coco17"))
        self.pub.publish(msg)
        if self.base_pub is not None:
            self.base_pub.publish(in_base_link(msg))
        self.count += 1


def main() -> None:
    args = sys.argv[1:]
    base_link_topic = ""
    frame_per_message = "--frame-per-message" in args
    if frame_per_message:
        args.remove("--frame-per-message")
    if "--base-link" in args:
        i = args.index("--base-link")
        base_link_topic = args[i + 1]
        del args[i:i + 2]
    spin_node(lambda: MotionPublisher(args[0], [int(s) for s in args[1:]], base_link_topic, frame_per_message))


if __name__ == "__main__":
    main()
