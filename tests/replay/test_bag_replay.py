"""Offline replay of real images: counts, stamps, determinism, and clean failures on bad bags."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bag_fixtures import basketball_frames, read_topic, write_bag_with_bad_frame, write_image_bag

from llamo_ros.data.video_bag import VideoBagConfig
from llamo_ros.messages.pose_frames import PoseConfig
from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig, ReplayError

REPO = Path(__file__).resolve().parents[2]


def _replay(in_bag: Path, out_bag: Path, **kwargs):
    return BagReplay(ReplayConfig(**kwargs), PoseConfig(), behavior=None, on_event=lambda _: None,
                     progress=False).run(in_bag, out_bag)


def test_every_image_is_processed_or_counted_and_outputs_keep_the_input_stamps(tmp_path):
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import Person3DArray

    stamps = write_bag_with_bad_frame(tmp_path / "in", basketball_frames(6), bad_index=3)
    report = _replay(tmp_path / "in", tmp_path / "out")
    assert (report.images_read, report.images_processed, report.images_dropped) == (7, 6, 1)
    assert "unsupported image encoding 'yuv422'" in report.problems["image"]
    assert report.error == ""
    persons = read_topic(tmp_path / "out", "/llamo/persons")
    good = [s for i, s in enumerate(stamps) if i != 3]
    assert [t for t, _ in persons] == good
    msgs = [deserialize_message(raw, Person3DArray) for _, raw in persons]
    assert [m.header.stamp.sec * 10**9 + m.header.stamp.nanosec for m in msgs] == good
    # basketball2 shows two people: both are found in every frame and keep their track ids
    first_ids = {p.track_id for p in msgs[0].persons}
    assert len(first_ids) == 2
    assert all(first_ids <= {p.track_id for p in m.persons} for m in msgs), "a player lost or renumbered"
    assert len(read_topic(tmp_path / "out", "/llamo/markers")) == 6
    assert report.persons == sum(len(m.persons) for m in msgs)


def test_two_replays_of_one_bag_write_identical_skeletons(tmp_path):
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import Person3DArray

    write_image_bag(basketball_frames(4), 10.0, tmp_path / "in", VideoBagConfig(storage="mcap"))
    _replay(tmp_path / "in", tmp_path / "a")
    _replay(tmp_path / "in", tmp_path / "b")
    # compare decoded messages: rclpy leaves CDR alignment padding uninitialised, so raw bytes may differ
    a, b = ([(t, deserialize_message(raw, Person3DArray)) for t, raw in read_topic(tmp_path / out, "/llamo/persons")]
            for out in ("a", "b"))
    assert len(a) == 4 and sum(len(m.persons) for _, m in a) >= 8
    assert a == b


def test_missing_topic_is_named_before_anything_is_written(tmp_path):
    write_image_bag(basketball_frames(1), 10.0, tmp_path / "in")
    with pytest.raises(ReplayError, match=r"image topic '/nope' is not in the bag.*'/camera/image_raw'"):
        _replay(tmp_path / "in", tmp_path / "out", image_topic="/nope")
    assert not (tmp_path / "out").exists()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llamo_ros.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=REPO)


def test_truncated_bag_ends_with_a_message_and_keeps_what_was_processed(tmp_path):
    write_image_bag(basketball_frames(8), 10.0, tmp_path / "in", VideoBagConfig(storage="mcap"))
    mcap = next((tmp_path / "in").glob("*.mcap"))
    data = mcap.read_bytes()
    mcap.write_bytes(data[: int(len(data) * 0.6)])  # a recorder killed mid-write
    result = _cli("replay", str(tmp_path / "in"), str(tmp_path / "out"), "--pose-only")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (1, 2), result.stdout + result.stderr
    said = result.stdout + result.stderr
    if result.returncode == 1:  # the reader got some frames before breaking: they are in the output
        assert "stopped early: the bag broke after" in said
        assert 0 < len(read_topic(tmp_path / "out", "/llamo/persons")) < 8
    else:
        assert "cannot open bag" in said


def test_garbage_bag_fails_cleanly(tmp_path):
    bag = tmp_path / "in"
    write_image_bag(basketball_frames(2), 10.0, bag)
    db = next(bag.glob("*.db3"))
    db.write_bytes(b"not a database" * 100)
    result = _cli("replay", str(bag), str(tmp_path / "out"), "--pose-only")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2 and "llamo replay:" in result.stderr


def test_two_replays_with_the_motion_model_write_identical_intents(tmp_path):
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import IntentPredictionArray
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.engine import BehaviorConfig
    from llamo_ros.behavior.stage import BehaviorStage

    write_image_bag(basketball_frames(12), 10.0, tmp_path / "in")
    model = load_behavior_model()
    reports = []
    for out in ("a", "b"):
        replay = BagReplay(ReplayConfig(describe=False), PoseConfig(), BehaviorStage(model, BehaviorConfig()),
                           on_event=lambda _: None, progress=False)
        reports.append(replay.run(tmp_path / "in", tmp_path / out))
    a, b = ([deserialize_message(raw, IntentPredictionArray) for _, raw in read_topic(tmp_path / o, "/llamo/intents")]
            for o in ("a", "b"))
    assert reports[0].intent_messages == len(a) == 12 - 7, "intents from the 8th frame on"
    assert a == b
    assert all(abs(sum(p.probabilities) - 1) < 1e-4 for m in a for p in m.predictions)


def test_pipelined_replay_of_real_video_is_identical_on_two_runs(tmp_path):
    """vtest.avi (several pedestrians, people entering): reading, pose and writing overlap in threads, yet
    every skeleton and track id is the same in two replays."""
    from rclpy.serialization import deserialize_message

    from llamo_msgs.msg import Person3DArray
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_video_frames

    try:
        rgb = load_video_frames("vtest.avi", max_frames=15)
    except SampleMediaUnavailable as error:
        pytest.skip(f"vtest.avi unavailable: {error}")
    write_image_bag([f[:, :, ::-1] for f in rgb], 10.0, tmp_path / "in")
    reports = [_replay(tmp_path / "in", tmp_path / out) for out in ("a", "b")]
    a, b = ([deserialize_message(raw, Person3DArray) for _, raw in read_topic(tmp_path / out, "/llamo/persons")]
            for out in ("a", "b"))
    assert [(r.images_read, r.images_processed, r.images_dropped) for r in reports] == [(15, 15, 0)] * 2
    assert len(a) == 15 and sum(len(m.persons) for m in a) >= 2 * 15, "vtest shows several pedestrians"
    assert a == b
    assert set(reports[0].stage_busy_s) == {"read_decode", "pose", "behaviour_write"}


class _BrokenModel:
    name, path_time_step_s, corrected_descriptions = "broken", 0.1, 0

    def predict_intents(self, windows):
        raise RuntimeError("motion model exploded")


def test_a_failing_behaviour_stage_raises_and_ends_every_pipeline_thread(tmp_path):
    import threading

    from llamo_ros.behavior.engine import BehaviorConfig
    from llamo_ros.behavior.stage import BehaviorStage

    write_image_bag(basketball_frames(6), 10.0, tmp_path / "in")
    stage = BehaviorStage(_BrokenModel(), BehaviorConfig(min_frames=2))
    replay = BagReplay(ReplayConfig(describe=False), PoseConfig(), stage, on_event=lambda _: None, progress=False)
    with pytest.raises(RuntimeError, match="motion model exploded"):
        replay.run(tmp_path / "in", tmp_path / "out")
    assert not [t.name for t in threading.enumerate() if t.name.startswith("replay-")]
