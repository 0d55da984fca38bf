"""Config dataclass fields that carry their own description, so each ROS parameter is written once.

A core config declares `x: float = param(1.0, "what x is, with units")`; the nodes declare one ROS
parameter per field from it (`llamo_ros.nodes.parameters.declare_config`), and launch YAML sets values.
"""
from __future__ import annotations

from dataclasses import MISSING, field, fields


def param(default, description: str):
    """A dataclass field with a default and a one-line description (units and frames included)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not supported as ROS parameters")
    return field(default=default, metadata={"description": description})


def described_fields(cls) -> list[tuple[str, object, str]]:
    """(name, default, description) of every field of a config dataclass; raises if one lacks either."""
    out = []
    for f in fields(cls):
        if f.default is MISSING or "description" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} needs param(default, description)")
        out.append((f.name, f.default, f.metadata["description"]))
    return out
