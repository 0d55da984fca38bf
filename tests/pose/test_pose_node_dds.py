"""The pose node as a separate process over real DDS: real photograph in, Person3DArray out."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ros_harness import wait_until

pytestmark = pytest.mark.ros
PROCS = Path(__file__).resolve().parents[1] / "ros_processes"


def test_pose_node_answers_real_image_and_survives_malformed_ones(ros_graph, ros_node, tmp_path):
    from llamo_msgs.msg import Person3D, Person3DArray
    from diagnostic_msgs.msg import DiagnosticArray
    from visualization_msgs.msg import MarkerArray

    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image
    from llamo_ros.skeleton import LAYOUT_NAME, NUM_JOINTS

    try:
        image = load_image("basketball1")
    except SampleMediaUnavailable as error:
        pytest.skip(f"sample image unavailable: {error}")
    np.save(tmp_path / "image.npy", image)
    node_proc = ros_graph.spawn("-m", "llamo_ros.nodes.pose_node", "--ros-args", "-p", "require_camera_info:=true",
                                "-p", "error_log_period_s:=0.0",  # log every error, to check each
                                log_name="pose", log_dir=tmp_path)
    ros_graph.spawn(str(PROCS / "publish_pose_inputs.py"), str(tmp_path / "image.npy"),
                    log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    arrays: list = []
    markers: list = []
    node.create_subscription(Person3DArray, "persons", arrays.append, 10)
    node.create_subscription(MarkerArray, "markers", markers.append, 10)
    diagnostics: list = []
    node.create_subscription(DiagnosticArray, "/diagnostics", diagnostics.append, 10)

    # Two good frames: the second proves the node still works after a full cycle of malformed input.
    ok = wait_until(lambda: len(arrays) >= 2 and markers, timeout=60, spin=spin)
    log = (tmp_path / "pose.log").read_text()
    assert ok, f"no Person3DArray from the pose node; its log:\n{log}\npublisher log:\n" + \
        (tmp_path / "publisher.log").read_text()
    assert node_proc.poll() is None, f"pose node died:\n{log}"
    for msg in arrays:
        assert msg.header.stamp.nanosec == 12345 and msg.header.stamp.sec >= 1000   # the good image's stamp
        assert msg.header.frame_id == "camera_color_optical_frame"
        assert (msg.image_width, msg.image_height) == (640, 480)
    msg = arrays[-1]
    assert len(msg.persons) == 2
    for person in msg.persons:
        assert person.skeleton_layout == LAYOUT_NAME
        assert len(person.keypoints_2d) == len(person.keypoints_3d) == NUM_JOINTS
        assert person.root_source == Person3D.ROOT_SOURCE_HEIGHT_PRIOR   # CameraInfo was given
        assert 1.0 < person.root_position.z < 6.0
    assert len({p.track_id for p in msg.persons}) == 2
    if len(arrays) >= 2:   # same two people in consecutive good frames keep their ids
        assert {p.track_id for p in arrays[0].persons} == {p.track_id for p in arrays[-1].persons}
    assert "unsupported image encoding" in log and "zero size" in log and "expected height*step" in log

    # /diagnostics: backend, stage latency, and every malformed frame counted as dropped
    def pose_status():
        found = [st for m in diagnostics for st in m.status if st.name.endswith(": pose")]
        return {kv.key: kv.value for kv in found[-1].values} if found else None

    assert wait_until(lambda: pose_status() and int(pose_status()["frames_processed"]) >= 2, timeout=20, spin=spin)
    values = pose_status()
    assert values["backend"] == "mediapipe"
    assert int(values["frames_dropped_bad_input"]) >= 3, values   # unsupported encoding, zero size, truncated
    assert 0 < float(values["pose_latency_p50_ms"]) <= float(values["pose_latency_p95_ms"])
