"""Pose and behaviour stages in one process, for small robots: the pose node hands each Person3DArray to
the behaviour node directly (no serialisation, no DDS hop); `persons` is still published for others.

Both nodes keep their names (`pose`, `behavior`) and parameter sections.
"""
from __future__ import annotations

import rclpy
from rclpy.executors import MultiThreadedExecutor

from llamo_ros.nodes.behavior_node import BehaviorNode
from llamo_ros.nodes.pose_node import PoseNode
from llamo_ros.nodes.shutdown import spin_until_shutdown


def main(args=None) -> None:
    rclpy.init(args=args)
    nodes = []
    try:
        behavior = BehaviorNode(subscribe_persons=False)
        nodes.append(behavior)
        nodes.append(PoseNode(persons_sink=behavior.on_persons))
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
