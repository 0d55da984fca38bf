"""The environment runs the ROS 2 distribution it claims (tools/ros_env.sh, LLAMO_ROS_DISTRO)."""
from __future__ import annotations

import os
from importlib.metadata import version

import pytest

# rclpy's major version per distribution (Jazzy 7.x, Kilted 9.x)
RCLPY_MAJOR = {"jazzy": 7, "kilted": 9}


def test_rclpy_is_the_selected_distributions():
    pytest.importorskip("rclpy")
    distro = os.environ.get("LLAMO_ROS_DISTRO", "kilted")
    assert int(version("ros-rclpy").split(".")[0]) == RCLPY_MAJOR[distro], \
        f"{distro} environment imports rclpy {version('ros-rclpy')}"
    # the harness starts processes from that distribution's build, not the other one's
    from ros_harness import INSTALL
    assert INSTALL.name == ("install-jazzy" if distro == "jazzy" else "install")
