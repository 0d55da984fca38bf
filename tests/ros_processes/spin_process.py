"""The main() every test process shares: init rclpy, spin one node until SIGINT/SIGTERM, shut down cleanly."""
from __future__ import annotations

from typing import Callable

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

from llamo_ros.nodes.shutdown import spin_until_shutdown


def spin_node(make_node: Callable[[], Node]) -> None:
    rclpy.init()
    node = make_node()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        spin_until_shutdown(executor)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
