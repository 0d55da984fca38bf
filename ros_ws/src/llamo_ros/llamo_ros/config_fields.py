"""Config dataclass fields that carry their own description, so each ROS parameter is written once.

A core config declares `x: float = param(1.0, "what x is, with units")`; the nodes declare one ROS
parameter per field from it (`llamo_ros.nodes.parameters.declare_config`), and launch YAML sets values.
A field holding another such config (`mediapipe: MediaPipeConfig = nested(MediaPipeConfig)`) maps onto
ROS 2 nested parameters: its fields are `mediapipe.<field>` (YAML: a `mediapipe:` block), at any depth.
"""
from __future__ import annotations

from dataclasses import MISSING, field, fields, is_dataclass
from typing import Callable


def param(default, description: str):
    """A dataclass field with a default and a one-line description (units and frames included)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not supported as ROS parameters")
    return field(default=default, metadata={"description": description})


def nested(cls):
    """A dataclass field holding a config dataclass `cls` (its defaults): parameters `<name>.<field>`."""
    return field(default_factory=cls)


def _nested_class(f):
    """The config dataclass a field holds (`nested`), or None for a plain parameter."""
    factory = f.default_factory
    return factory if factory is not MISSING and isinstance(factory, type) and is_dataclass(factory) else None


def described_fields(cls) -> list[tuple[str, object, str]]:
    """(name, default, description) of every parameter of a config dataclass, nested configs' fields as
    `outer.inner`; raises if a field lacks a default or a description."""
    out = []
    for f in fields(cls):
        inner = _nested_class(f)
        if inner is not None:
            out += [(f"{f.name}.{name}", default, text) for name, default, text in described_fields(inner)]
            continue
        if f.default is MISSING or "description" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} needs param(default, description)")
        out.append((f.name, f.default, f.metadata["description"]))
    return out


def config_from(cls, value: Callable[[str], object], prefix: str = ""):
    """A `cls` built from `value(prefix + dotted name)` of each of its `described_fields` (nested ones too)."""
    kwargs = {}
    for f in fields(cls):
        inner = _nested_class(f)
        kwargs[f.name] = (config_from(inner, value, f"{prefix}{f.name}.") if inner is not None
                          else value(prefix + f.name))
    return cls(**kwargs)
