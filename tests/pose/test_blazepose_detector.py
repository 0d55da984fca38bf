"""The LiteRT pose detector against MediaPipe's own graph, on real people (vtest.avi tiles, basketball, messi).

Both run the same model file; the LiteRT runner redoes MediaPipe's letterbox, anchor decoding, score
threshold and weighted NMS in numpy. Measured: 42 detections on 6 frames' windows, scores within 2e-6,
keypoints within 5e-7 of the window. With the 0.2 score threshold of the pbtxt on GitHub (instead of
mediapipe 0.10.21's 0.5) more boxes take part in the weighted NMS and keypoints move by up to 0.036 of
the window, so the tolerance below catches it.
"""
import numpy as np
import pytest

from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image

pytest.importorskip("mediapipe")
pytest.importorskip("ai_edge_litert")

from llamo_ros.pose.blazepose_detector import (  # noqa: E402
    NUM_ANCHORS, GraphPoseDetector, LiteRtPoseDetector, letterbox, ssd_anchor_centers)
from llamo_ros.pose.mediapipe_backend import detection_windows  # noqa: E402

KEYPOINT_TOL = 1e-4   # fraction of the window (0.02 px of a 224 px tile)
SCORE_TOL = 1e-4


@pytest.fixture(scope="module")
def detectors():
    graph = GraphPoseDetector()
    yield LiteRtPoseDetector(), graph
    graph.close()


def _assert_same_detections(lite, graph, where):
    # the backend uses detections scoring >= 0.5 (min_detection_confidence), best first
    a, b = [d for d in lite if d.score >= 0.5], [d for d in graph if d.score >= 0.5]
    assert len(a) == len(b), (where, [d.score for d in a], [d.score for d in b])
    for p, q in zip(a, b):
        assert abs(p.score - q.score) < SCORE_TOL, where
        assert np.abs(np.subtract(p.hip_center, q.hip_center)).max() < KEYPOINT_TOL, where
        assert np.abs(np.subtract(p.body_extent, q.body_extent)).max() < KEYPOINT_TOL, where


def test_litert_matches_mediapipe_on_every_window_of_vtest(vtest_frames, detectors):
    lite, graph = detectors
    found = 0
    for frame in vtest_frames[:41:8]:
        height, width = frame.shape[:2]
        for x0, y0, x1, y1 in detection_windows(width, height, 224, 0.25):   # whole frame (letterboxed) + tiles
            window = np.ascontiguousarray(frame[y0:y1, x0:x1])
            expected = graph.detect(window)
            found += sum(d.score >= 0.5 for d in expected)
            _assert_same_detections(lite.detect(window), expected, (x0, y0, x1, y1))
    assert found >= 20, found   # pedestrians were there to compare


@pytest.mark.parametrize("name", ["basketball1", "basketball2", "messi5"])
def test_litert_matches_mediapipe_on_whole_photographs(detectors, name):
    try:
        image = load_image(name)
    except SampleMediaUnavailable as error:
        pytest.skip(f"{name} unavailable: {error}")
    lite, graph = detectors
    expected = graph.detect(image)
    assert any(d.score >= 0.5 for d in expected), name
    _assert_same_detections(lite.detect(image), expected, name)


def test_nobody_in_a_grey_image(detectors):
    grey = np.full((224, 224, 3), 128, np.uint8)
    for detector in detectors:
        assert [d for d in detector.detect(grey) if d.score >= 0.5] == []


def test_anchor_grid():
    anchors = ssd_anchor_centers()
    assert anchors.shape == (NUM_ANCHORS, 2)
    assert anchors.min() > 0 and anchors.max() < 1
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])         # first cell of the stride-8 grid
    np.testing.assert_allclose(anchors[-1], [6.5 / 7, 6.5 / 7])          # last cell of the stride-32 grid


def test_letterbox_pads_the_short_side():
    image = np.full((100, 200, 3), 255, np.uint8)   # wide: padded above and below
    x, (pad_x, pad_y) = letterbox(image)
    assert x.shape == (224, 224, 3) and (pad_x, pad_y) == (0.0, 0.25)
    assert np.allclose(x[:50], -1.0) and np.allclose(x[-50:], -1.0)   # zero border -> -1
    assert np.allclose(x[60:164, 2:-2], 1.0)   # the image (its last column blends into the border)
