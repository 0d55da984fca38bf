"""IntentResult -> IntentPrediction (raw probabilities, path std) and the RViz path markers."""
from __future__ import annotations

import numpy as np
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from llamo_ros.behavior.engine import IntentResult
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.messages.behavior_messages import PATH_STD_MARKER_EVERY, intent_markers_msg, intents_to_msg


def _result(track_id: int = 4) -> IntentResult:
    path = np.stack([np.full(20, 1.0), np.zeros(20), 5.0 + 0.1 * np.arange(1, 21)], 1).astype(np.float32)
    std = np.stack([np.full(20, 0.1), np.full(20, 0.05), 0.02 * np.arange(1, 21)], 1).astype(np.float32)
    filtered = np.full(NUM_INTENTS, 0.02, np.float32)
    filtered[1] = 1 - 0.02 * (NUM_INTENTS - 1)
    raw = np.full(NUM_INTENTS, 0.1, np.float32)
    return IntentResult(track_id, filtered, path, 0.1, 0, 2_000_000_000, raw_probabilities=raw, future_path_std=std)


def filtered_p1() -> float:
    return 1 - 0.02 * (NUM_INTENTS - 1)  # 0.80 with the eleven intents


def test_intent_message_carries_raw_probabilities_and_path_std():
    (pred,) = intents_to_msg(Header(frame_id="cam"), [_result()]).predictions
    assert pred.most_likely == 1 and abs(pred.probabilities[1] - filtered_p1()) < 1e-6
    np.testing.assert_allclose(pred.raw_probabilities, np.full(NUM_INTENTS, 0.1), rtol=1e-6)
    assert len(pred.future_path_std) == len(pred.future_path) == 20
    assert abs(pred.future_path_std[9].z - 0.2) < 1e-6 and abs(pred.future_path_std[0].x - 0.1) < 1e-6


def test_path_markers_show_the_path_and_two_sigma_spheres():
    markers = intent_markers_msg(Header(frame_id="cam"), [_result()]).markers
    assert markers[0].action == Marker.DELETEALL
    (line,) = [m for m in markers if m.type == Marker.LINE_STRIP]
    assert len(line.points) == 20 and line.header.frame_id == "cam"
    spheres = [m for m in markers if m.type == Marker.SPHERE]
    assert len(spheres) == 20 // PATH_STD_MARKER_EVERY
    # the sphere at point 10 (1.0 s): diameter 2 x the largest std there (z: 0.2 m)
    at_1s = spheres[1]
    assert abs(at_1s.pose.position.z - 6.0) < 1e-6 and abs(at_1s.scale.x - 0.4) < 1e-6
    assert len({m.id for m in markers[1:]}) == len(markers) - 1


def test_path_std_and_markers_move_into_the_target_frame():
    from llamo_ros.frames import RigidTransform

    # camera optical -> base_link of a level forward camera: x_base = z_cam, y_base = -x_cam, z_base = -y_cam
    to_base = RigidTransform(np.array([[0.0, 0, 1], [-1, 0, 0], [0, -1, 0]]), np.array([0.1, 0.0, 1.2]))
    (pred,) = intents_to_msg(Header(frame_id="base_link"), [_result()], to_base).predictions
    first = pred.future_path[0]   # camera (1.0, 0, 5.1) -> base (5.1 + 0.1, -1.0, 0 + 1.2)
    assert (round(first.x, 6), round(first.y, 6), round(first.z, 6)) == (5.2, -1.0, 1.2)
    s = pred.future_path_std[9]   # camera std (0.1, 0.05, 0.2): axes permuted, not mixed, by this rotation
    assert (round(s.x, 6), round(s.y, 6), round(s.z, 6)) == (0.2, 0.1, 0.05)
    markers = intent_markers_msg(Header(frame_id="base_link"), [_result()], to_base).markers
    (line,) = [m for m in markers if m.type == Marker.LINE_STRIP]
    assert abs(line.points[0].x - 5.2) < 1e-6 and abs(line.points[0].z - 1.2) < 1e-6


def test_root_velocity_and_covariance_move_into_the_target_frame():
    from geometry_msgs.msg import Point, Vector3

    from llamo_msgs.msg import Person3D, Person3DArray
    from llamo_ros.frames import RigidTransform
    from llamo_ros.messages.frame_messages import persons_in_frame

    yaw90 = RigidTransform(np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]]), np.array([2.0, 0.0, 0.0]))
    person = Person3D(root_position=Point(x=1.0, y=0.0, z=4.0), measured_root_position=Point(x=1.5, y=0.0, z=4.0),
                      root_velocity=Vector3(x=1.0, y=0.0, z=0.5))
    person.root_position_covariance = [0.04, 0.01, 0, 0.01, 0.09, 0, 0, 0, 0.16]
    msg = Person3DArray(persons=[person])
    msg.header.frame_id = "camera_optical_frame"
    (out,) = persons_in_frame(msg, yaw90, "base_link").persons
    assert (out.root_position.x, out.root_position.y) == (2.0, 1.0)            # moved: rotated + offset
    assert (out.measured_root_position.x, out.measured_root_position.y) == (2.0, 1.5)
    assert (out.root_velocity.x, out.root_velocity.y, out.root_velocity.z) == (0.0, 1.0, 0.5)  # rotated only
    # R C R^T by hand: x and y variances swap, their covariance changes sign
    np.testing.assert_allclose(out.root_position_covariance, [0.09, -0.01, 0, -0.01, 0.04, 0, 0, 0, 0.16], atol=1e-12)
