"""Declare a node's ROS parameters from core config dataclasses (one read-only parameter per field; a nested
config's fields as dotted names, ROS 2 nested parameters)."""
from __future__ import annotations

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node

from llamo_ros.config_fields import config_from, described_fields


READ_ONLY = "read-only: set it at start-up (parameter YAML, or -p NAME:=VALUE)"


def declare_parameters(node: Node, cls, prefix: str = "") -> None:
    """Declare `prefix + field` for every field of `cls`, with its default and description, read-only.

    The nodes read their parameters once, in configure, so a change at run time would be accepted and then
    ignored; read-only makes `ros2 param set` fail with a reason instead. Start-up values (YAML, `-p`) apply."""
    for name, default, description in described_fields(cls):
        node.declare_parameter(prefix + name, default, ParameterDescriptor(
            description=description, read_only=True, additional_constraints=READ_ONLY))


def read_config(node: Node, cls, prefix: str = ""):
    """The current values of `cls`'s parameters (declared by `declare_parameters`) as a validated `cls`."""
    return config_from(cls, lambda name: node.get_parameter(name).value, prefix)


def declare_config(node: Node, cls, prefix: str = ""):
    """Declare `cls`'s parameters and return their start-up values (YAML, `-p`) as a validated `cls`."""
    declare_parameters(node, cls, prefix)
    return read_config(node, cls, prefix)
