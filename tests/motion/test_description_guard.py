"""Descriptions are checked against the measured motion of the window they describe (issue #12): one that
names an action the motion contradicts, or states a rotation or a flight it did not make, is replaced by the
caption the motion supports."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.description_guard import guard_description
from llamo_ros.motion.action_rules import contradicted_actions, named_actions
from llamo_ros.motion.descriptors import describe_motion

from descriptor_fixtures import FPS, STAND, frames, jumping, lying_still, place, rot_y, to_camera, walking_towards


def test_a_jump_described_as_walking_towards_the_robot_is_replaced():
    joints, confidence = to_camera(jumping(), 15.0, 1.6)
    guarded = guard_description("A person walks towards the robot.", joints, confidence, FPS)
    assert guarded.corrected and guarded.contradicted == ("walk_towards",)
    assert guarded.generated == "A person walks towards the robot."
    assert "walks towards" not in guarded.text
    d = describe_motion(joints, confidence, FPS)
    assert contradicted_actions(guarded.text, d) == set()
    assert named_actions(guarded.text) <= {"jump_in_place", "hop"} and guarded.text.strip()


def test_a_true_description_is_kept_word_for_word():
    joints, confidence = to_camera(walking_towards(), 15.0, 1.6)
    text = "A person walks towards the camera at a normal pace."
    guarded = guard_description(text, joints, confidence, FPS)
    assert not guarded.corrected and guarded.text == text


def test_lying_still_described_as_waving_becomes_unclear_and_the_guard_is_deterministic():
    joints, confidence = to_camera(lying_still(), 15.0, 1.6)
    first = guard_description("Someone waves with the right hand.", joints, confidence, FPS)
    again = guard_description("Someone waves with the right hand.", joints, confidence, FPS)
    assert first.corrected and "waves" not in first.text and "unclear" in first.text
    assert first == again


def test_a_rotation_or_a_flight_the_motion_did_not_make_is_replaced_and_a_measured_one_kept():
    from llamo_ros.motion.captions import contradicted_facts
    walk = to_camera(walking_towards(), 15.0, 1.6)
    text = ("A person walks towards the camera at about 1.4 m/s. The body is upright; it rotates about 130 "
            "degrees to the left.")
    guarded = guard_description(text, *walk, FPS)
    assert guarded.corrected and guarded.contradicted == ("rotation",) and "rotates" not in guarded.text
    flight = "A person walks towards the camera at about 1.4 m/s. The body is upright; both feet leave the ground once."
    assert guard_description(flight, *walk, FPS).contradicted == ("airborne",)
    jumps = to_camera(jumping(), 15.0, 1.6)
    assert "airborne" not in contradicted_facts("Both feet leave the ground three times.", describe_motion(*jumps, FPS))
    # turning on the spot by 90 deg to the left (counter-clockwise seen from above): that way is kept, the other
    # way, or twice as far, is not
    n = 96
    turn = np.pi + np.radians(90.0) * np.clip((frames(n) - 1.0) / 0.75, 0, 1)
    turning = to_camera(place(np.einsum("tij,kj->tki", rot_y(turn), STAND)), 10.0)
    d = describe_motion(*turning, FPS)
    assert contradicted_facts("It rotates about 90 degrees to the left.", d) == set()
    assert contradicted_facts("It rotates about 90 degrees to the right.", d) == {"rotation"}
    assert contradicted_facts("It rotates about 200 degrees to the left.", d) == {"rotation"}


@pytest.mark.slow
def test_the_behaviour_model_publishes_no_contradicted_action_for_motion_it_never_trained_on():
    """The shipped model on jumps (an action it never saw): whatever it says, what it returns names nothing
    the motion contradicts, and a correction is counted."""
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.motion.track_buffer import TrackWindow

    model = load_behavior_model(intent_runtime="torch", ground_descriptions=True)
    joints, confidence = to_camera(jumping(), 15.0, 1.6)
    stamps = (1_000_000_000 + np.arange(len(joints)) * 1e9 / FPS).astype(np.int64)
    window = TrackWindow(7, stamps, joints.astype(np.float32), confidence.astype(np.float32))
    text = model.describe(window)
    d = describe_motion(joints, confidence, FPS)
    assert text.strip() and contradicted_actions(text, d) == set(), text
    raw = model.mlm.describe(model.features(window), max_new_tokens=model.max_new_tokens)
    assert model.corrected_descriptions == (1 if contradicted_actions(raw, d) else 0), raw
