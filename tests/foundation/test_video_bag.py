"""A real video recorded with `rosbags` reads back in rclpy as the same pixels and consistent CameraInfo."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from llamo_ros.data.sample_media import sample_path
from llamo_ros.data.video_bag import VideoBagConfig, pinhole_intrinsics, write_video_bag

VTEST = sample_path("vtest.avi")


@pytest.mark.parametrize("storage", ["sqlite3", "mcap"])
def test_video_bag_round_trips_into_rclpy_messages(tmp_path, storage):
    from rclpy.serialization import deserialize_message
    from rosbags.rosbag2 import Reader
    from sensor_msgs.msg import CameraInfo, Image

    from llamo_ros.messages.image_msg import image_msg_to_array

    n = write_video_bag(VTEST, tmp_path / "bag", VideoBagConfig(max_frames=5, storage=storage))
    assert n == 5
    cap = cv2.VideoCapture(str(VTEST))
    frames = [cap.read()[1] for _ in range(5)]
    images, infos = [], []
    with Reader(tmp_path / "bag") as reader:
        for conn, stamp, raw in reader.messages():
            msg = deserialize_message(raw, {"sensor_msgs/msg/Image": Image,
                                            "sensor_msgs/msg/CameraInfo": CameraInfo}[conn.msgtype])
            (images if conn.msgtype.endswith("Image") else infos).append((stamp, msg))
    assert len(images) == len(infos) == 5
    for (stamp, img), frame, (info_stamp, info) in zip(images, frames, infos):
        np.testing.assert_array_equal(image_msg_to_array(img), frame)
        assert stamp == info_stamp == img.header.stamp.sec * 10**9 + img.header.stamp.nanosec
        assert (info.width, info.height) == (img.width, img.height) == (768, 576)
        np.testing.assert_allclose(np.array(info.k).reshape(3, 3), pinhole_intrinsics(768, 576, 60.0))
    steps = np.diff([s for s, _ in images])
    assert (steps == steps[0]).all() and steps[0] == pytest.approx(1e8, rel=1e-3)  # vtest.avi is 10 fps


def test_pinhole_intrinsics_match_the_field_of_view():
    k = pinhole_intrinsics(640, 480, 90.0)
    assert k[0, 0] == pytest.approx(320.0) and k[1, 1] == k[0, 0]  # tan(45 deg) = 1
    with pytest.raises(ValueError, match="horizontal_fov_deg"):
        VideoBagConfig(horizontal_fov_deg=200)
