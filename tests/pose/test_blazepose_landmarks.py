"""The LiteRT landmark runner against MediaPipe's own graph, on real people (vtest.avi, basketball).

Both run the same model file; the LiteRT runner redoes MediaPipe's crop, decoding, heatmap refinement
and projection in numpy, so the two must agree on who is there and, to a fraction of a pixel, where.
Measured: 121 tracked ROIs on vtest.avi frames 0-29, image landmarks within 0.15 px (p95 0.005 px),
world landmarks within 3 mm. A 7x7 refinement window (the pbtxt on GitHub) instead of mediapipe
0.10.21's 9x9 puts landmarks up to 16 crop pixels apart, so the tolerance below catches it.
"""
import math

import numpy as np
import pytest

from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image

pytest.importorskip("mediapipe")
pytest.importorskip("ai_edge_litert")

from llamo_ros.pose.blazepose_landmarks import (  # noqa: E402
    INPUT_PX, GraphLandmarkModel, LiteRtLandmarkModel, crop_roi)
from llamo_ros.pose.mediapipe_backend import MediaPipeBackend, MediaPipeConfig, tracked_rois  # noqa: E402
from llamo_ros.pose.person_filter import upright_people  # noqa: E402

IMAGE_PX_TOL = 0.5      # image landmarks and alignment points, pixels
WORLD_M_TOL = 0.01      # world landmarks, metres
VISIBILITY_TOL = 0.01


@pytest.fixture(scope="module")
def frames(vtest_frames):
    return vtest_frames[:20]


@pytest.fixture(scope="module")
def models():
    graph = GraphLandmarkModel()
    yield LiteRtLandmarkModel(), graph
    graph.close()


def _assert_same_fit(a, b, where):
    assert (a is None) == (b is None), where   # the same presence decision
    if a is None:
        return
    assert np.abs(a.image[:, :2] - b.image[:, :2]).max() < IMAGE_PX_TOL, where
    assert np.abs(a.image[:, 2] - b.image[:, 2]).max() < VISIBILITY_TOL, where
    assert np.abs(a.world - b.world).max() < WORLD_M_TOL, where
    assert np.abs(a.alignment - b.alignment).max() < IMAGE_PX_TOL, where


def test_litert_matches_mediapipe_on_tracked_pedestrians(frames, models):
    lite, graph = models
    rois = tracked_rois(frames, MediaPipeConfig(max_persons=8, runtime="mediapipe"))
    assert len(rois) >= 40, len(rois)   # ~4 people per frame
    for frame, cx, cy, side, rotation in rois:
        _assert_same_fit(lite.fit(frame, cx, cy, side, rotation), graph.fit(frame, cx, cy, side, rotation),
                         (cx, cy, side, rotation))


def test_thread_count_does_not_change_a_fit(frames):
    """The backend runs a lone fit on a two-thread model: it must give the one-thread model's numbers."""
    one, two = LiteRtLandmarkModel(threads=1), LiteRtLandmarkModel(threads=2)
    rois = tracked_rois(frames[:5], MediaPipeConfig(max_persons=8, runtime="mediapipe"))
    assert rois
    for frame, *roi in rois:
        a, b = one.fit(frame, *roi), two.fit(frame, *roi)
        assert (a is None) == (b is None)
        if a is not None:
            for field in ("image", "world", "alignment"):
                np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize("roi", [
    (30.0, 40.0, 150.0, 0.7),        # crosses the top-left corner: edge pixels are replicated
    (700.0, 500.0, 220.0, -2.0),     # bottom-right corner, turned past 90 degrees
    (384.0, 288.0, 600.0, math.pi),  # bigger than the image height, upside down
    (440.0, 300.0, 90.0, 0.3),       # a small turned ROI on a walker
])
def test_litert_matches_mediapipe_at_borders_and_rotations(frames, models, roi):
    lite, graph = models
    frame = frames[10]
    _assert_same_fit(lite.fit(frame, *roi), graph.fit(frame, *roi), roi)


def test_litert_matches_mediapipe_on_a_close_person(models):
    try:
        image = load_image("basketball1.png")
    except SampleMediaUnavailable as error:
        pytest.skip(f"basketball1.png unavailable: {error}")
    rois = tracked_rois([image], MediaPipeConfig(runtime="mediapipe", track_between_frames=False,
                                                 detection_tiles_per_frame=0))
    assert rois, "no person found on basketball1.png"
    lite, graph = models
    for _, *roi in rois:
        a, b = lite.fit(image, *roi), graph.fit(image, *roi)
        assert a is not None
        _assert_same_fit(a, b, roi)


def test_crop_of_an_upright_roi_is_the_image_itself():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    crop = crop_roi(image, 50 + INPUT_PX / 2, 20 + INPUT_PX / 2, INPUT_PX, 0.0)
    assert crop.dtype == np.float32 and crop.shape == (INPUT_PX, INPUT_PX, 3)
    np.testing.assert_allclose(crop, image[20:20 + INPUT_PX, 50:50 + INPUT_PX] / 255.0, atol=1e-6)


def test_empty_roi_gives_nobody(models):
    lite, graph = models
    grey = np.full((480, 640, 3), 128, np.uint8)
    assert lite.fit(grey, 320, 240, 200, 0.0) is None
    assert graph.fit(grey, 320, 240, 200, 0.0) is None


def test_backend_finds_the_same_people_with_either_runtime(frames):
    """The whole backend (detection, tracking, 3D placement) on 20 frames, either runtime.

    The first frame's walkers match closely. After that the tracks run apart a little: each fit's ROI
    comes from the previous fit, and on things that are not people (the jacket on the lawn) the model
    answers a 0.04 px shift of its ROI with a box 1 px wider, so the two runs are compared by how many
    people they find, not pixel for pixel.
    """
    results = {}
    for runtime in ("litert", "mediapipe"):
        backend = MediaPipeBackend(MediaPipeConfig(max_persons=8, runtime=runtime))
        try:
            results[runtime] = [backend.estimate(frame) for frame in frames]
        finally:
            backend.close()
    # the walkers of the first frame; the jacket on the lawn moves by pixels for a 1e-3 px change of its ROI
    lite, graph = (upright_people(results[k][0], 1.0) for k in ("litert", "mediapipe"))
    assert len(lite) == len(graph) >= 2
    for a, b in zip(lite, graph):
        assert np.abs(a.bbox - b.bbox).max() < IMAGE_PX_TOL
        assert np.abs(a.keypoints_2d[:, :2] - b.keypoints_2d[:, :2]).max() < IMAGE_PX_TOL
    counts = {k: [len(persons) for persons in v] for k, v in results.items()}
    assert abs(np.mean(counts["litert"]) - np.mean(counts["mediapipe"])) <= 0.5, counts


def test_missing_litert_falls_back_to_the_graph(monkeypatch, caplog):
    import sys

    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)   # import now raises ImportError
    backend = MediaPipeBackend(MediaPipeConfig(threads=1))
    try:
        assert isinstance(backend._landmarkers[0], GraphLandmarkModel)
    finally:
        backend.close()
    assert "LiteRT is not installed" in caplog.text


def test_unknown_runtime_is_rejected():
    with pytest.raises(ValueError, match="runtime"):
        MediaPipeBackend(MediaPipeConfig(runtime="tflite"))
