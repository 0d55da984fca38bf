"""Shared fixtures: an isolated ROS graph per test and an in-process rclpy node on it."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ros_harness.py, tests/ros_processes

from ros_harness import RosTestGraph  # noqa: E402


@pytest.fixture
def ros_graph(monkeypatch, tmp_path):
    """A fresh ROS domain on localhost for this test; stops its processes and cleans /dev/shm afterwards."""
    graph = RosTestGraph()
    for key in ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "FASTDDS_DEFAULT_PROFILES_FILE"):
        monkeypatch.setenv(key, graph.env[key])
    graph.log_dir = tmp_path
    yield graph
    graph.close()


@pytest.fixture
def ros_node(ros_graph):
    """An rclpy node in this process, on the test's domain, with its own context and executor.

    Yields (node, spin) where spin(timeout_sec) runs pending callbacks once.
    """
    try:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        import llamo_msgs.msg  # noqa: F401  (fails here, clearly, when the workspace is not built/sourced)
    except ImportError as exc:
        pytest.fail(f"ROS workspace not importable ({exc}); run tests with `make test` "
                    "(it sources ros_ws/install/setup.bash)")
    context = rclpy.Context()
    rclpy.init(context=context, domain_id=ros_graph.domain_id)
    node = rclpy.create_node(f"pytest_{os.getpid()}", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    yield node, (lambda timeout_sec=0.05: executor.spin_once(timeout_sec=timeout_sec))
    executor.shutdown()
    node.destroy_node()
    context.try_shutdown()
