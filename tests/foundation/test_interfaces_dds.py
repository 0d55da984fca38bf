"""Every llamo_msgs message, an image and the AskAboutPerson service, between separate processes over DDS."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ros_harness import wait_until

pytestmark = pytest.mark.ros
HERE = Path(__file__).resolve().parent
PROCS = HERE.parent / "ros_processes"


def test_every_message_round_trips_between_processes(ros_graph, ros_node, tmp_path):
    from rclpy.qos import QoSDurabilityPolicy, QoSProfile
    from sensor_msgs.msg import Image

    from ros_processes.example_messages import TOPICS, build
    from llamo_ros.image_encoding import raw_to_array

    image = np.random.default_rng(0).integers(0, 256, size=(37, 53, 3), dtype=np.uint8)  # odd sizes
    np.save(tmp_path / "image.npy", image)
    publisher = ros_graph.spawn(str(PROCS / "publish_examples.py"), str(tmp_path / "image.npy"), "bgr8",
                                log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    qos = QoSProfile(depth=1, durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)
    received: dict[str, object] = {}
    for topic, msg_type in {**TOPICS, "example/image": Image}.items():
        node.create_subscription(msg_type, topic, lambda m, t=topic: received.setdefault(t, m), qos)

    ok = wait_until(lambda: len(received) == len(TOPICS) + 1, timeout=30, spin=spin)
    assert ok, (f"received only {sorted(received)} from the publisher process; its log:\n"
                + (tmp_path / "publisher.log").read_text())
    for topic in TOPICS:
        assert received[topic] == build(topic), f"{topic} changed in transit"
    img = received["example/image"]
    assert (img.encoding, img.height, img.width) == ("bgr8", 37, 53)
    np.testing.assert_array_equal(
        raw_to_array(img.height, img.width, img.encoding, bool(img.is_bigendian), img.step, img.data), image)
    assert publisher.poll() is None, "publisher died"
    assert ros_graph.stop(publisher) == 0, "publisher did not shut down cleanly on SIGINT"


def test_ask_about_person_service_round_trip(ros_graph, ros_node, tmp_path):
    from llamo_msgs.srv import AskAboutPerson

    ros_graph.spawn(str(PROCS / "ask_server.py"), log_name="server", log_dir=tmp_path)
    node, spin = ros_node
    client = node.create_client(AskAboutPerson, "ask_about_person")
    assert wait_until(client.service_is_ready, timeout=30, spin=spin), \
        "service never appeared; server log:\n" + (tmp_path / "server.log").read_text()

    def call(track_id: int, question: str):
        future = client.call_async(AskAboutPerson.Request(track_id=track_id, question=question))
        assert wait_until(future.done, timeout=10, spin=spin), "no response within 10 s"
        return future.result()

    good = call(7, "Which hand is waving?")
    assert good.success and good.answer == "WHICH HAND IS WAVING?" and good.error_message == ""
    assert (good.window_end.sec, good.window_end.nanosec, good.model) == (12, 5, "rule")
    bad = call(8, "Anyone?")
    assert not bad.success and bad.answer == "" and "unknown track id 8" in bad.error_message
