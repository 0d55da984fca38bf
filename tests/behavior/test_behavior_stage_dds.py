"""The behaviour node over real DDS: every description carries the header of the frame it describes (not the
newest frame's), /diagnostics reports unusable windows and time resets, and `ros2 param set` is refused
(parameters are read once, in configure, so they are read-only) without changing the value."""
from __future__ import annotations

from pathlib import Path

import pytest

from ros_harness import INSTALL, wait_until

from llamo_ros.nodes.pipeline_graph import PIPELINE, ros_args

pytestmark = [pytest.mark.ros, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
PROCS = REPO / "tests" / "ros_processes"
BEHAVIOR = next(s for s in PIPELINE if s.name == "behavior")


def test_descriptions_keep_their_frame_and_parameters_are_read_only(ros_graph, ros_node, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray
    from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
    from rcl_interfaces.srv import GetParameters, SetParameters

    from llamo_msgs.msg import BehaviorDescription, Person3DArray

    args = ros_args(BEHAVIOR, str(REPO / "launch" / "llamo_params.yaml")) + [
        "-p", "behavior.describe_period_s:=1.0", "-p", "behavior.first_describe_after_s:=0.5",
        "-p", "worker.max_age_s:=30.0"]
    ros_graph.spawn(str(INSTALL / "llamo_ros" / "lib" / "llamo_ros" / "behavior_node"), *args,
                    log_name="behavior", log_dir=tmp_path)
    ros_graph.spawn(str(PROCS / "publish_motion.py"), "/llamo/persons", "3", "--frame-per-message",
                    log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    frame_of, descriptions, diagnostics = {}, [], []
    stamp = lambda t: (t.sec, t.nanosec)  # noqa: E731
    node.create_subscription(Person3DArray, "/llamo/persons",
                             lambda m: frame_of.__setitem__(stamp(m.header.stamp), m.header.frame_id), 100)
    node.create_subscription(BehaviorDescription, "/llamo/descriptions", descriptions.append, 10)
    node.create_subscription(DiagnosticArray, "/diagnostics", diagnostics.append, 10)
    log = lambda: (tmp_path / "behavior.log").read_text()  # noqa: E731

    assert wait_until(lambda: len(descriptions) >= 3, timeout=180, spin=spin), f"descriptions: {len(descriptions)}; " \
                                                                               f"log:\n{log()}"
    for d in descriptions:
        described = frame_of.get(stamp(d.window_end))
        assert described is not None, "the described frame was not seen on /llamo/persons"
        assert d.header.frame_id == described, (d.header.frame_id, described)
        assert d.header.stamp == d.window_end

    assert wait_until(lambda: diagnostics, timeout=10, spin=spin)
    values = {kv.key: kv.value for kv in diagnostics[-1].status[0].values}
    assert values["unusable_windows"] == "0" and values["time_resets"] == "0", values

    setter = node.create_client(SetParameters, "/llamo/behavior/set_parameters")
    getter = node.create_client(GetParameters, "/llamo/behavior/get_parameters")
    assert wait_until(lambda: setter.service_is_ready() and getter.service_is_ready(), timeout=20, spin=spin)
    new = Parameter(name="behavior.describe_period_s",
                    value=ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=99.0))
    future = setter.call_async(SetParameters.Request(parameters=[new]))
    assert wait_until(future.done, timeout=20, spin=spin)
    (result,) = future.result().results
    assert not result.successful and "read-only" in result.reason, result
    future = getter.call_async(GetParameters.Request(names=["behavior.describe_period_s"]))
    assert wait_until(future.done, timeout=20, spin=spin)
    assert future.result().values[0].double_value == 1.0
