"""MediaPipe-33 and COCO-17 -> H36M-17 conversions."""
import numpy as np

from llamo_ros.pose.keypoint_layouts import coco17_to_h36m17, mediapipe33_to_h36m17
from llamo_ros.skeleton import JOINT_INDEX as J


def test_mediapipe_mapping_by_landmark_id():
    points = np.arange(33, dtype=np.float32)[:, None].repeat(2, 1)   # point i = (i, i)
    conf = np.linspace(0.1, 0.9, 33).astype(np.float32)
    out, c = mediapipe33_to_h36m17(points, conf)
    assert out.shape == (17, 2) and c.shape == (17,)
    expect = {"right_hip": 24, "right_knee": 26, "right_ankle": 28, "left_hip": 23, "left_knee": 25,
              "left_ankle": 27, "neck_nose": 0, "left_shoulder": 11, "left_elbow": 13, "left_wrist": 15,
              "right_shoulder": 12, "right_elbow": 14, "right_wrist": 16}
    for name, src in expect.items():
        assert out[J[name], 0] == src and c[J[name]] == conf[src], name
    assert out[J["pelvis"], 0] == 23.5 and out[J["thorax"], 0] == 11.5 and out[J["head"], 0] == 3.5
    assert out[J["spine"], 0] == (23.5 + 11.5) / 2
    assert c[J["pelvis"]] == min(conf[23], conf[24]) and c[J["spine"]] == min(conf[[11, 12, 23, 24]])


def test_coco_mapping_matches_mmpose_lifting_convention():
    points = np.arange(17, dtype=np.float32)[:, None].repeat(3, 1)
    out, _ = coco17_to_h36m17(points[None], np.ones((1, 17), np.float32))   # batch dims pass through
    out = out[0, :, 0]
    # mmpose: new[[1,2,3,4,5,6,9,11,12,13,14,15,16]] = coco[[12,14,16,11,13,15,0,5,7,9,6,8,10]]
    np.testing.assert_array_equal(out[[1, 2, 3, 4, 5, 6, 9, 11, 12, 13, 14, 15, 16]],
                                  [12, 14, 16, 11, 13, 15, 0, 5, 7, 9, 6, 8, 10])
    assert (out[0], out[8], out[10], out[7]) == (11.5, 5.5, 1.5, 8.5)
