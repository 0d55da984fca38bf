"""Offline replay with robot conventions: bags whose camera is a CompressedImage topic (JPEG, PNG; detected
from the topic type, corrupt payloads counted) and outputs in a target frame (a fixed transform)."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bag_fixtures import basketball_frames, read_topic, write_compressed_bag, write_image_bag

from llamo_ros.data.video_bag import VideoBagConfig
from llamo_ros.frames import TargetFrameConfig
from llamo_ros.messages.pose_frames import PoseConfig
from llamo_ros.replay.bag_camera import (COMPRESSED_IMAGE, RAW_IMAGE, CameraTopicError, bag_camera_topic,
                                         pick_camera_topic)
from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig, ReplayError

REPO = Path(__file__).resolve().parents[2]


def _persons(bag: Path) -> list:
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import Person3DArray

    return [deserialize_message(raw, Person3DArray) for _, raw in read_topic(bag, "/llamo/persons")]


def _replay(in_bag: Path, out_bag: Path, behavior=None, target=None, **kwargs):
    return BagReplay(ReplayConfig(describe=False, **kwargs), PoseConfig(), behavior=behavior, on_event=lambda _: None,
                     progress=False, target=target).run(in_bag, out_bag)


def _vtest_bgr(n: int) -> list[np.ndarray]:
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_video_frames

    try:
        return [np.ascontiguousarray(f[:, :, ::-1]) for f in load_video_frames("vtest.avi", max_frames=n)]
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")


def test_png_bag_replays_exactly_like_the_raw_bag(tmp_path):
    frames = _vtest_bgr(10)
    write_image_bag(frames, 10.0, tmp_path / "raw")
    write_image_bag(frames, 10.0, tmp_path / "png", VideoBagConfig(compressed="png"))   # with CameraInfo too
    raw, png = _replay(tmp_path / "raw", tmp_path / "raw_out"), _replay(tmp_path / "png", tmp_path / "png_out")
    assert (png.images_read, png.images_processed, png.images_dropped) == (10, 10, 0)
    a, b = _persons(tmp_path / "raw_out"), _persons(tmp_path / "png_out")
    assert sum(len(m.persons) for m in a) >= 20 and raw.persons == png.persons
    assert a == b   # lossless: the same skeletons, ids and stamps


def test_jpeg_bag_finds_the_people_and_counts_a_corrupt_message(tmp_path):
    frames = _vtest_bgr(12)
    stamps = write_compressed_bag(tmp_path / "jpeg", frames, "jpeg", bad_index=5)
    write_image_bag(frames, 10.0, tmp_path / "raw")
    report = _replay(tmp_path / "jpeg", tmp_path / "out")
    raw = _replay(tmp_path / "raw", tmp_path / "raw_out")
    assert (report.images_read, report.images_processed, report.images_dropped) == (13, 12, 1)
    assert "cannot decode" in report.problems["compressed_image"] and report.error == ""
    persons = _persons(tmp_path / "out")
    assert [m.header.stamp.sec * 10**9 + m.header.stamp.nanosec for m in persons] == stamps[:5] + stamps[6:]
    # JPEG q95 moves pixels a little: the number of people stays within one person per frame on average
    assert abs(report.persons - raw.persons) <= len(frames), (report.persons, raw.persons)
    assert report.persons >= 2 * len(frames)


def test_camera_topic_and_transport_come_from_the_bag(tmp_path):
    write_compressed_bag(tmp_path / "c", basketball_frames(1), "jpeg")
    write_image_bag(basketball_frames(1), 10.0, tmp_path / "r")
    compressed, raw = bag_camera_topic(tmp_path / "c"), bag_camera_topic(tmp_path / "r")
    assert (compressed.topic, compressed.transport, compressed.base_topic) == \
        ("/camera/image_raw/compressed", "compressed", "/camera/image_raw")
    assert (raw.topic, raw.transport, raw.base_topic) == ("/camera/image_raw", "raw", "/camera/image_raw")
    assert bag_camera_topic(tmp_path / "c", "/camera/image_raw").topic == "/camera/image_raw/compressed"
    both = {"/cam/image_raw": RAW_IMAGE, "/cam/image_raw/compressed": COMPRESSED_IMAGE}
    with pytest.raises(CameraTopicError, match="2 Image/CompressedImage topics"):
        pick_camera_topic(both)
    assert pick_camera_topic(both, "/cam/image_raw").transport == "raw"   # the exact name wins
    with pytest.raises(CameraTopicError, match="image_transport's"):
        pick_camera_topic({"/cam/jpeg": COMPRESSED_IMAGE}).base_topic
    with pytest.raises(ReplayError, match="is not in the bag"):
        _replay(tmp_path / "c", tmp_path / "out", image_topic="/nope")


def test_record_video_writes_a_compressed_bag_that_replay_reads(tmp_path):
    from llamo_ros.data.sample_media import SampleMediaUnavailable, sample_path

    try:
        video = sample_path("vtest.avi")
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")
    run = subprocess.run([sys.executable, "-m", "llamo_ros.cli", "record-video", str(video), str(tmp_path / "bag"),
                          "--max-frames", "4", "--compressed", "jpeg", "--jpeg-quality", "80"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    camera = bag_camera_topic(tmp_path / "bag")
    assert (camera.topic, camera.msgtype) == ("/camera/image_raw/compressed", COMPRESSED_IMAGE)
    from rclpy.serialization import deserialize_message
    from sensor_msgs.msg import CompressedImage

    msgs = [deserialize_message(raw, CompressedImage) for _, raw in read_topic(tmp_path / "bag", camera.topic)]
    assert len(msgs) == 4 and all(m.format == "bgr8; jpeg compressed bgr8" and bytes(m.data[:2]) == b"\xff\xd8"
                                  for m in msgs)
    report = _replay(tmp_path / "bag", tmp_path / "out")
    assert (report.images_read, report.images_processed) == (4, 4) and report.persons >= 4


YAW90_OFFSET = (0.5, -1.0, 0.25)


def _by_hand(xyz) -> np.ndarray:
    """A camera-frame point in the target frame: yaw +90 deg sends (x, y, z) to (-y, x, z), then the offset."""
    x, y, z = xyz
    return np.array([-y + YAW90_OFFSET[0], x + YAW90_OFFSET[1], z + YAW90_OFFSET[2]])


def test_target_frame_replay_moves_people_and_future_paths_and_keeps_the_intents(tmp_path):
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import IntentPredictionArray
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.engine import BehaviorConfig
    from llamo_ros.behavior.stage import BehaviorStage

    write_image_bag(basketball_frames(12), 10.0, tmp_path / "in")
    model = load_behavior_model()
    target = TargetFrameConfig(target_frame="base_link", target_transform="fixed", camera_x=YAW90_OFFSET[0],
                               camera_y=YAW90_OFFSET[1], camera_z=YAW90_OFFSET[2], camera_yaw=math.pi / 2)
    for out, frame in (("cam", None), ("base", target)):
        _replay(tmp_path / "in", tmp_path / out, BehaviorStage(model, BehaviorConfig()), frame)
    cam, base = _persons(tmp_path / "cam"), _persons(tmp_path / "base")
    assert len(cam) == len(base) == 12
    for c, b in zip(cam, base):
        assert (c.header.frame_id, b.header.frame_id) == ("camera_optical_frame", "base_link")
        assert b.camera_transform.header.stamp == c.header.stamp
        for pc, pb in zip(c.persons, b.persons):
            assert pc.track_id == pb.track_id and pc.keypoints_2d == pb.keypoints_2d
            r = pc.root_position
            np.testing.assert_allclose([pb.root_position.x, pb.root_position.y, pb.root_position.z],
                                       _by_hand((r.x, r.y, r.z)), atol=1e-9)
    ic, ib = ([deserialize_message(raw, IntentPredictionArray) for _, raw in read_topic(tmp_path / o, "/llamo/intents")]
              for o in ("cam", "base"))
    assert len(ic) == len(ib) == 12 - 7
    for c, b in zip(ic, ib):
        assert b.header.frame_id == "base_link"
        for pc, pb in zip(c.predictions, b.predictions):
            # the motion model saw the same camera-frame skeletons: the same intents
            np.testing.assert_allclose(pb.probabilities, pc.probabilities, atol=1e-5)
            assert pc.most_likely == pb.most_likely and len(pc.future_path) == len(pb.future_path) > 0
            for qc, qb in zip(pc.future_path, pb.future_path):
                np.testing.assert_allclose([qb.x, qb.y, qb.z], _by_hand((qc.x, qc.y, qc.z)), atol=1e-5)
