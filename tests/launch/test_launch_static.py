"""Launch files without launch_ros: executables exist, parameter files name declared parameters only."""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest
import yaml

from llamo_ros.config_fields import described_fields
from llamo_ros.nodes.pipeline_graph import COMPOSED, LAUNCH_DEFAULTS, PIPELINE, NodeSpec

REPO = Path(__file__).resolve().parents[2]
LAUNCH = REPO / "launch"
INSTALL = REPO / "ros_ws" / "install" / "llamo_ros"
LAUNCH_FILES = sorted(LAUNCH.glob("*.launch.py"))


def _declared(module: str) -> set[str]:
    """The parameters a node module declares, from its PARAMETER_CONFIGS (what the node itself uses)."""
    configs = __import__(f"llamo_ros.nodes.{module}", fromlist=["PARAMETER_CONFIGS"]).PARAMETER_CONFIGS
    return {prefix + name for cls, prefix in configs for name, _, _ in described_fields(cls)} | {"use_sim_time"}


NODE_PARAMETERS = {"pose": _declared("pose_node"), "behavior": _declared("behavior_node")}


def test_there_are_launch_files_for_a_live_camera_and_a_bag():
    names = {p.name for p in LAUNCH_FILES}
    assert {"llamo_camera.launch.py", "llamo_bag.launch.py"} <= names


@pytest.mark.parametrize("spec", [*PIPELINE, COMPOSED], ids=lambda s: s.executable)
def test_every_launched_executable_is_installed(spec: NodeSpec):
    exe = INSTALL / "lib" / "llamo_ros" / spec.executable  # where `ros2 run` / launch_ros look
    assert exe.is_file(), f"{exe} missing: add the entry point to setup.py and rebuild"
    entry_points = next(INSTALL.glob("lib/python3*/site-packages/llamo_ros-*/entry_points.txt")).read_text()
    target = next(line.split("=", 1)[1].strip() for line in entry_points.splitlines()
                  if line.split("=", 1)[0].strip() == spec.executable)
    module, function = target.split(":")
    assert callable(getattr(importlib.import_module(module), function)), f"{target} is not callable"
    for argument in spec.remaps.values():
        assert argument in LAUNCH_DEFAULTS, f"remap uses undeclared launch argument {argument}"


@pytest.mark.parametrize("path", LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_files_parse_and_name_only_installed_executables(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert any(isinstance(n, ast.FunctionDef) and n.name == "generate_launch_description" for n in tree.body)
    literal_executables = {kw.value.value for n in ast.walk(tree) if isinstance(n, ast.Call)
                           for kw in n.keywords if kw.arg == "executable" and isinstance(kw.value, ast.Constant)}
    installed = {p.name for p in (INSTALL / "lib" / "llamo_ros").iterdir()}
    assert literal_executables <= installed
    assert (INSTALL / "share" / "llamo_ros" / "launch" / path.name).is_file(), "launch file not installed"


def _flat(section: dict, prefix: str = "") -> dict:
    """A ros__parameters section with its blocks flattened to dotted names, as rcl reads YAML."""
    out = {}
    for key, value in section.items():
        out.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value})
    return out


def test_parameter_file_parses_and_names_declared_parameters_only():
    params = yaml.safe_load((LAUNCH / "llamo_params.yaml").read_text())
    assert set(params) == set(NODE_PARAMETERS)
    assert "mediapipe.detection_tiles_per_frame" in _flat(params["pose"]["ros__parameters"])   # a nested one
    for node, section in params.items():
        unknown = set(_flat(section["ros__parameters"])) - NODE_PARAMETERS[node]
        assert not unknown, f"{node}: parameters not declared by the node: {sorted(unknown)}"


def test_parameter_defaults_in_yaml_match_types_of_the_dataclasses():
    from llamo_ros.nodes.behavior_node import PARAMETER_CONFIGS as BEHAVIOR
    from llamo_ros.nodes.pose_node import PARAMETER_CONFIGS as POSE

    types = {node: {prefix + name: type(default) for cls, prefix in configs
                    for name, default, _ in described_fields(cls)}
             for node, configs in (("pose", POSE), ("behavior", BEHAVIOR))}
    params = yaml.safe_load((LAUNCH / "llamo_params.yaml").read_text())
    for node, section in params.items():
        for key, value in _flat(section["ros__parameters"]).items():
            assert isinstance(value, types[node][key]), f"{node}.{key}={value!r} is not {types[node][key].__name__}"


def test_real_launch_when_launch_ros_is_available():
    if importlib.util.find_spec("launch_ros") is None:
        pytest.skip("launch_ros is not installable from PyPI; the graph test starts the same executables instead")
    from launch import LaunchDescription
    from launch.launch_description_sources import PythonLaunchDescriptionSource

    for path in LAUNCH_FILES:
        description = PythonLaunchDescriptionSource(str(path)).get_launch_description(None)
        assert isinstance(description, LaunchDescription)
