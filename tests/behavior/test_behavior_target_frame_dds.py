"""The behaviour node as its own process over real DDS with people in a target frame: intents come out in
the people's frame, with future paths that start at the people (in base_link, not in camera coordinates).

The exact equality with camera-frame intents (same messages in, same probabilities, paths moved by hand) is
test_target_frame_messages.py's: two nodes over DDS may each miss different messages under load.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ros_harness import INSTALL, wait_until

from llamo_ros.nodes.pipeline_graph import PIPELINE, ros_args

pytestmark = [pytest.mark.ros, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
PROCS = REPO / "tests" / "ros_processes"
BEHAVIOR = next(s for s in PIPELINE if s.name == "behavior")
OFFSET = (0.5, -1.0, 0.25)   # publish_motion.py's BASE_LINK_YAW90_OFFSET


def test_future_paths_start_at_the_people_in_base_link(ros_graph, ros_node, tmp_path):
    from llamo_msgs.msg import IntentPredictionArray, Person3DArray

    exe = str(INSTALL / "llamo_ros" / "lib" / "llamo_ros" / "behavior_node")
    proc = ros_graph.spawn(exe, *ros_args(BEHAVIOR, str(REPO / "launch" / "llamo_params.yaml"), {"namespace": "base"}),
                           "-p", "preload_llm:=false", "-p", "behavior.describe_period_s:=1000.0",
                           "-p", "behavior.describe_on_intent_change:=false", log_name="behavior", log_dir=tmp_path)
    # camera-frame people go nowhere (/unused); their base_link copies, moved by hand, to the node
    ros_graph.spawn(str(PROCS / "publish_motion.py"), "/unused", "3", "11", "--base-link", "/base/persons",
                    log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    roots: dict = {}      # (stamp, track id) -> root in base_link, as published to the node
    intents: list = []
    key = lambda m: (m.header.stamp.sec, m.header.stamp.nanosec)  # noqa: E731
    node.create_subscription(Person3DArray, "/base/persons", lambda m: roots.update(
        {(key(m), p.track_id): np.array([p.root_position.x, p.root_position.y, p.root_position.z])
         for p in m.persons}), 100)
    node.create_subscription(IntentPredictionArray, "/base/intents", intents.append, 100)
    predictions = lambda: [(key(m), p) for m in intents for p in m.predictions  # noqa: E731
                           if (key(m), p.track_id) in roots]
    ok = wait_until(lambda: len(predictions()) >= 40, timeout=120, spin=spin)
    logs = "\n".join((tmp_path / f"{n}.log").read_text() for n in ("behavior", "publisher"))
    assert ok, f"{len(intents)} intent messages; logs:\n{logs}"
    assert proc.poll() is None, logs
    assert all(m.header.frame_id == "base_link" for m in intents)
    near, camera_like = [], []
    for k, p in predictions():
        root = roots[(k, p.track_id)]
        first = np.array([p.future_path[0].x, p.future_path[0].y, p.future_path[0].z])
        near.append(np.linalg.norm(first - root))
        # where the path would start had it stayed in camera coordinates: (x, y, z)_cam from base_link by hand
        cam = np.array([root[1] - OFFSET[1], -(root[0] - OFFSET[0]), root[2] - OFFSET[2]])
        camera_like.append(np.linalg.norm(cam - root))
    # 0.1 s ahead of a walking person; the clips loop (a jump) now and then, hence the median
    assert np.median(near) < 0.3, np.percentile(near, [50, 90])
    assert np.median(camera_like) > 1.0, "the test scene cannot tell base_link from camera coordinates"
