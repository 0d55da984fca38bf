"""People in a target frame through the behaviour stage's message conversions, one process, the same
messages: exactly the camera-frame intents, and future paths moved by the people's camera_transform."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_processes"))  # publish_motion's sibling imports

OFFSET = (0.5, -1.0, 0.25)   # publish_motion.py's BASE_LINK_YAW90_OFFSET


def test_moving_people_in_base_link_give_the_camera_frame_intents_and_moved_paths():
    from builtin_interfaces.msg import Time
    from publish_motion import in_base_link, person   # tests/ros_processes: the DDS test's publisher

    from llamo_msgs.msg import Person3DArray
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.engine import BehaviorConfig, BehaviorEngine
    from llamo_ros.data.motion_synth import generate_clip
    from llamo_ros.messages.behavior_messages import intents_to_msg, persons_to_tracks
    from llamo_ros.messages.frame_messages import camera_transform

    model = load_behavior_model()
    cam_engine, base_engine = BehaviorEngine(model, BehaviorConfig()), BehaviorEngine(model, BehaviorConfig())
    clips = {seed: generate_clip(seed) for seed in (3, 11)}   # two walking people
    compared, longest = 0, 0.0
    for count in range(120):
        msg = Person3DArray(image_width=640, image_height=480)
        msg.header.frame_id = "camera_optical_frame"
        ns = 1_700_000_000 * 10**9 + count * 33_333_333
        msg.header.stamp = Time(sec=ns // 10**9, nanosec=ns % 10**9)
        msg.persons = [person(seed, clip.joints[count % clip.num_frames], clip.confidence[count % clip.num_frames])
                       for seed, clip in clips.items()]
        base = in_base_link(msg)   # moved by hand
        cam_out = intents_to_msg(msg.header, cam_engine.update(ns, persons_to_tracks(msg)[0])[0], camera_transform(msg))
        base_out = intents_to_msg(base.header, base_engine.update(ns, persons_to_tracks(base)[0])[0],
                                  camera_transform(base))
        assert base_out.header.frame_id == "base_link"
        for pc, pb in zip(cam_out.predictions, base_out.predictions, strict=True):
            np.testing.assert_allclose(pb.probabilities, pc.probabilities, atol=1e-6)
            path_c = np.array([[q.x, q.y, q.z] for q in pc.future_path])
            path_b = np.array([[q.x, q.y, q.z] for q in pb.future_path])
            by_hand = np.stack([-path_c[:, 1] + OFFSET[0], path_c[:, 0] + OFFSET[1], path_c[:, 2] + OFFSET[2]], 1)
            np.testing.assert_allclose(path_b, by_hand, atol=1e-6)
            longest = max(longest, float(np.linalg.norm(path_c[-1] - path_c[0])))
            compared += 1
    assert compared >= 2 * 100
    assert longest > 0.3, "people walk: some predicted paths must be long enough to show a wrong rotation"


def test_unset_camera_transform_reads_as_the_camera_frame():
    from llamo_msgs.msg import Person3DArray
    from llamo_ros.messages.frame_messages import camera_transform

    assert camera_transform(Person3DArray()).is_identity   # publishers that predate the field
