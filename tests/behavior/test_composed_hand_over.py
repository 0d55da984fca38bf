"""Composed mode's in-process hand-over: the behaviour stage reads the pose stage's own `PoseFrame` (no
Person3DArray made for it or read back), and its intents are the ones the Person3DArray path gives. Real
vtest.avi pedestrians through MediaPipe and the tracker, the shipped motion model."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.behavior.engine import BehaviorConfig
from llamo_ros.behavior.stage import BehaviorStage
from llamo_ros.frames import FixedCameraTransform, RigidTransform

CAMERA_FRAME = "camera_color_optical_frame"


@pytest.fixture(scope="module")
def model():
    from llamo_ros.behavior.behavior_model import load_behavior_model

    return load_behavior_model()


@pytest.fixture(scope="module")
def vtest():
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_video_frames

    try:
        return load_video_frames("vtest.avi", max_frames=30)
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")


class RecordingStage(BehaviorStage):
    """The real stage, keeping the tracks it was handed."""

    def on_frame(self, stamp_ns, tracks, header=None):
        self.handed = list(tracks)
        return super().on_frame(stamp_ns, self.handed, header)


def _predictions(msg) -> list[tuple]:
    return [(p.track_id, p.most_likely, list(p.labels)) for p in msg.predictions]


@pytest.mark.parametrize("target", [None, "base_link"])
def test_pose_frames_give_the_intents_of_their_persons_messages_without_reading_one(model, vtest, target, monkeypatch):
    from sensor_msgs.msg import Image

    from llamo_ros.messages import behavior_messages
    from llamo_ros.messages.behavior_messages import behavior_frame, behavior_frame_of_poses
    from llamo_ros.messages.pose_frames import PoseConfig, PoseFrameProcessor

    # a level forward camera 1.2 m up on base_link
    to_target = FixedCameraTransform(target, RigidTransform.from_rpy((0.1, 0.0, 1.2), (-1.5708, 0.0, -1.5708))) \
        if target else None
    pose = PoseFrameProcessor(PoseConfig(min_box_height_to_width=1.0), on_error=lambda kind, text: None,
                              to_target=to_target)
    config = BehaviorConfig(min_frames=8, describe_period_s=1.0, first_describe_after_s=0.5)
    via_messages, direct = BehaviorStage(model, config), RecordingStage(model, config)
    read_back = []
    real_read = behavior_messages.persons_to_tracks
    monkeypatch.setattr(behavior_messages, "persons_to_tracks", lambda msg: read_back.append(msg) or real_read(msg))
    compared = 0
    try:
        for t, image in enumerate(vtest):
            msg = Image()
            msg.header.frame_id = CAMERA_FRAME
            msg.header.stamp.sec, msg.header.stamp.nanosec = 1000 + t // 10, (t % 10) * 100_000_000
            frame = pose.track(msg, image)
            persons, _ = pose.messages(frame)

            before = len(read_back)
            b = behavior_frame_of_poses(direct, frame)
            assert len(read_back) == before, "the in-process path read a Person3DArray back"
            for (track_id, joints, _), person in zip(direct.handed, frame.persons):   # the pose stage's own arrays
                assert track_id == person.track_id
                np.testing.assert_array_equal(joints, person.keypoints_3d)
            a = behavior_frame(via_messages, persons)
            assert len(read_back) == before + 1

            assert [(r.track_id, r.header) for r in a.requests] == [(r.track_id, r.header) for r in b.requests]
            assert a.problems == b.problems == []
            if a.intents_msg is None:
                assert b.intents_msg is None
                continue
            compared += len(a.intents_msg.predictions)
            assert b.intents_msg.header == a.intents_msg.header == persons.header
            if target is None:   # the camera frame: the very same messages
                assert b.intents_msg == a.intents_msg and b.markers_msg == a.markers_msg
                continue
            # a target frame: the message path moved the joints there and back (float64), the direct one did not
            assert _predictions(b.intents_msg) == _predictions(a.intents_msg)
            for pa, pb in zip(a.intents_msg.predictions, b.intents_msg.predictions):
                np.testing.assert_allclose(pb.probabilities, pa.probabilities, atol=1e-4)
                np.testing.assert_allclose([(q.x, q.y, q.z) for q in pb.future_path],
                                           [(q.x, q.y, q.z) for q in pa.future_path], atol=1e-4)
    finally:
        pose.close()
    assert compared >= 20, f"only {compared} intents compared: too few tracks with history"
