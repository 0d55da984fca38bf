"""Pose and behaviour stages in one process, for small robots: the pose node hands each frame's tracked people
to the behaviour node as the core `PoseFrame` (numpy skeletons in the camera optical frame: no message is made
for it, serialised or read back, no DDS hop); `persons` and `markers` are still published for others.

Both nodes keep their names (`pose`, `behavior`), parameter sections and lifecycles: each is configured
and activated at start-up when its own ``autostart`` is true, and a lifecycle manager can drive each.
"""
from __future__ import annotations

import rclpy
from rclpy.executors import MultiThreadedExecutor

from llamo_ros.nodes.behavior_node import BehaviorNode
from llamo_ros.nodes.lifecycle import LifecycleConfig, start_up
from llamo_ros.nodes.parameters import read_config
from llamo_ros.nodes.pose_node import PoseNode
from llamo_ros.nodes.shutdown import spin_until_shutdown


def main(args=None) -> None:
    rclpy.init(args=args)
    nodes = []
    try:
        behavior = BehaviorNode(subscribe_persons=False)
        nodes.append(behavior)
        nodes.append(PoseNode(frames_sink=behavior.on_pose_frame))
        for node in nodes:  # behaviour first: it is ready for the first persons the pose node hands over
            if not start_up(node, read_config(node, LifecycleConfig).autostart):
                raise SystemExit(1)  # the cause is logged; without a lifecycle manager nobody would retry
        executor = MultiThreadedExecutor(num_threads=4)
        for node in nodes:
            executor.add_node(node)
        spin_until_shutdown(executor)
    except KeyboardInterrupt:  # Ctrl-C while the models load
        pass
    finally:
        for node in reversed(nodes):
            node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
