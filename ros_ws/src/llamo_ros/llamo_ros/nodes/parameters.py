"""Declare a node's ROS parameters from core config dataclasses (one parameter per field)."""
from __future__ import annotations

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node

from llamo_ros.config_fields import described_fields


def declare_config(node: Node, cls, prefix: str = ""):
    """Declare `prefix + field` for every field of `cls` (default and description from the dataclass),
    read the values given at start-up (YAML, `-p`) and return a validated `cls` instance."""
    values = {}
    for name, default, description in described_fields(cls):
        node.declare_parameter(prefix + name, default, ParameterDescriptor(description=description))
        values[name] = node.get_parameter(prefix + name).value
    return cls(**values)
