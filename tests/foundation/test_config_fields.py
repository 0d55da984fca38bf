"""Config dataclasses as ROS parameters: one described field per parameter, nested configs as dotted names."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from llamo_ros.config_fields import config_from, described_fields, nested, param


@dataclass
class Inner:
    iou: float = param(0.6, "IoU above which a box is suppressed")


@dataclass
class Middle:
    tiles: int = param(2, "windows per image")
    inner: Inner = nested(Inner)


@dataclass
class Outer:
    backend: str = param("a", "which one")
    middle: Middle = nested(Middle)


def test_nested_configs_are_dotted_parameters_at_any_depth():
    assert described_fields(Outer) == [("backend", "a", "which one"), ("middle.tiles", 2, "windows per image"),
                                       ("middle.inner.iou", 0.6, "IoU above which a box is suppressed")]


def test_a_config_is_built_back_from_its_dotted_parameters():
    values = {"backend": "b", "middle.tiles": 5, "middle.inner.iou": 0.3}
    asked = []
    built = config_from(Outer, lambda name: asked.append(name) or values[name.removeprefix("pose.")], "pose.")
    assert built == Outer("b", Middle(5, Inner(0.3)))
    assert asked == ["pose.backend", "pose.middle.tiles", "pose.middle.inner.iou"]
    assert Outer().middle is not Outer().middle, "each config gets its own nested default"


def test_a_field_without_description_is_refused():
    @dataclass
    class Bare:
        plain: int = 3

    @dataclass
    class Holder:
        bare: Bare = nested(Bare)

    with pytest.raises(TypeError, match="Bare.plain needs param"):
        described_fields(Holder)
