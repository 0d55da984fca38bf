"""The pose node's backend settings over real DDS: ROS 2 nested parameters `<backend>.<field>`, one per field
of the backend's config, set from the parameter file's blocks or `-p`, and read into that config."""
from __future__ import annotations

from pathlib import Path

import pytest

from ros_harness import wait_until

pytestmark = pytest.mark.ros
REPO = Path(__file__).resolve().parents[2]


def _call(node, spin, srv_type, name: str, request):
    client = node.create_client(srv_type, name)
    assert wait_until(client.service_is_ready, timeout=60, spin=spin), f"no {name}"
    future = client.call_async(request)
    # as long as for readiness: a node still importing its backend on a busy 2-core machine answered after 20 s
    assert wait_until(future.done, timeout=60, spin=spin), f"no answer from {name}"
    return future.result()


def test_backend_settings_are_nested_parameters_read_into_the_backends_config(ros_graph, ros_node, tmp_path):
    from lifecycle_msgs.msg import Transition
    from lifecycle_msgs.srv import ChangeState
    from rcl_interfaces.srv import DescribeParameters, GetParameters, ListParameters

    from llamo_ros.config_fields import described_fields
    from llamo_ros.pose.mediapipe_backend import MediaPipeConfig

    proc = ros_graph.spawn("-m", "llamo_ros.nodes.pose_node", "--ros-args",
                           "--params-file", str(REPO / "launch" / "llamo_params.yaml"), "-p", "autostart:=false",
                           "-p", "mediapipe.detection_tiles_per_frame:=5", "-p", "mediapipe.runtime:=tflite",
                           log_name="pose", log_dir=tmp_path)
    node, spin = ros_node
    names = ["mediapipe.detection_tiles_per_frame", "mediapipe.max_persons", "onnx.model_dir",
             "onnx.rtmdet.iou_threshold", "mmpose.device"]
    values = _call(node, spin, GetParameters, "/pose/get_parameters", GetParameters.Request(names=names)).values
    # -p, the YAML's mediapipe block, the YAML's onnx block, defaults of a two-level nested config, the mmpose block
    assert [values[0].integer_value, values[1].integer_value, values[2].string_value, values[3].double_value,
            values[4].string_value] == [5, 8, "models/onnx", 0.6, "cpu"]

    every = _call(node, spin, ListParameters, "/pose/list_parameters", ListParameters.Request()).result.names
    assert sorted(n for n in every if n.startswith("mediapipe.")) == \
        sorted(f"mediapipe.{name}" for name, _, _ in described_fields(MediaPipeConfig))
    assert "detection_tiles_per_frame" not in every and "max_persons" not in every, "old flat names declared"
    described = _call(node, spin, DescribeParameters, "/pose/describe_parameters",
                      DescribeParameters.Request(names=["mediapipe.detection_tiles_per_frame"])).descriptors[0]
    assert described.read_only and "round-robin" in described.description

    # configure reads them into MediaPipeConfig: its own check refuses the -p runtime
    change = ChangeState.Request(transition=Transition(id=Transition.TRANSITION_CONFIGURE))
    assert not _call(node, spin, ChangeState, "/pose/change_state", change).success
    log = (tmp_path / "pose.log").read_text()
    assert "configure failed" in log and "runtime must be 'litert' or 'mediapipe', got 'tflite'" in log, log
    assert proc.poll() is None and "Traceback" not in log, log
