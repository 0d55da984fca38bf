"""Running MediaPipe graphs in parallel threads changes speed only, never the people found."""
from __future__ import annotations

import cv2
import numpy as np

from llamo_ros.data.sample_media import sample_path
from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig


def test_two_threads_give_exactly_the_single_thread_results_on_real_video():
    cap = cv2.VideoCapture(str(sample_path("vtest.avi")))
    frames = [cv2.cvtColor(cap.read()[1], cv2.COLOR_BGR2RGB) for _ in range(12)]
    cap.release()
    runs = []
    for threads in (1, 2):
        backend = MediaPipeBackend(MediaPipeConfig(threads=threads))
        runs.append([backend.estimate(f) for f in frames])
        backend.close()
    single, double = runs
    assert sum(len(p) for p in single) >= 2 * len(frames), "vtest shows several pedestrians per frame"
    for a, b in zip(single, double):
        assert len(a) == len(b)
        for p, q in zip(a, b):
            np.testing.assert_array_equal(p.keypoints_2d, q.keypoints_2d)
            np.testing.assert_array_equal(p.keypoints_3d, q.keypoints_3d)
