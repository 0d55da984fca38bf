"""numpy RTMDet pre/post-processing (`rtmdet_decode`) against mmdet/mmcv, and the ONNX detector against
``mmdet.apis.inference_detector`` on real images with the same random weights."""
import time

import numpy as np
import pytest

from llamo_ros.data.sample_media import load_image
from llamo_ros.pose.rtmdet_decode import STRIDES, RTMDetDecodeConfig, decode, grid_points, letterbox, nms

# Tolerances of the ONNX chain against mmdet. The numpy steps alone match mmdet to float rounding
# (the letterbox and decode tests above); what is left is onnxruntime vs PyTorch arithmetic, which
# the random network amplifies: its raw features are ~1e-4 before the calibrated BatchNorms divide
# them by their spread. Measured on astronaut: 0.45 px on boxes up to ~170 px, 8.6e-5 on scores.
BOX_TOL_PX = 1.0      # |ONNX chain - mmdet| per box coordinate, original-image pixels
SCORE_TOL = 5e-4      # |ONNX chain - mmdet| per sigmoid score
TOP_N = 20            # best boxes compared (random weights: the rest are near-ties of low scores)


def _random_boxes(rng, clusters=50, per_cluster=10):
    """Boxes (clusters * per_cluster, 4) pixels: jittered copies of random boxes, so IoUs span 0..1."""
    xy = rng.uniform(0, 300, (clusters, 1, 2))
    wh = rng.uniform(10, 80, (clusters, 1, 2))
    jitter = rng.normal(0, 0.1, (clusters, per_cluster, 4)) * np.concatenate([wh, wh], axis=2)
    return (np.concatenate([xy, xy + wh], axis=2) + jitter).reshape(-1, 4).astype(np.float32)


@pytest.mark.parametrize("iou_threshold", [0.3, 0.6, 0.9])
def test_nms_matches_mmcv_nms(iou_threshold):
    pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
    import torch
    from mmcv.ops import nms as mmcv_nms

    rng = np.random.default_rng(int(iou_threshold * 10))
    boxes = _random_boxes(rng)
    scores = rng.uniform(0, 1, len(boxes)).astype(np.float32)
    _, expected = mmcv_nms(torch.from_numpy(boxes), torch.from_numpy(scores), iou_threshold)
    got = nms(boxes, scores, iou_threshold)
    assert 10 < len(got) < len(boxes) - 10   # some suppressed, some kept: the comparison means something
    np.testing.assert_array_equal(got, expected.numpy())


def test_nms_keeps_the_better_of_two_overlapping_boxes():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], np.float32)   # IoU(0, 1) = 9/11
    np.testing.assert_array_equal(nms(boxes, np.array([0.5, 0.9, 0.1], np.float32), 0.6), [1, 2])
    np.testing.assert_array_equal(nms(boxes, np.array([0.5, 0.9, 0.1], np.float32), 0.85), [1, 0, 2])


def test_grid_points_are_row_major_pixel_offsets():
    points = grid_points(2, 3, 16)
    np.testing.assert_array_equal(points, [[0, 0], [16, 0], [32, 0], [0, 16], [16, 16], [32, 16]])


@pytest.fixture(scope="module")
def detector(exported_pose_models):
    return exported_pose_models[1]


def _mmdet_input(detector, image_bgr):
    """The detector input tensor and metainfo exactly as inference_detector builds them."""
    from mmcv.transforms import Compose
    from mmdet.utils import get_test_pipeline_cfg

    pipeline_cfg = get_test_pipeline_cfg(detector.cfg.copy())
    pipeline_cfg[0].type = "mmdet.LoadImageFromNDArray"
    data = Compose(pipeline_cfg)(dict(img=image_bgr, img_id=0))
    batch = detector.data_preprocessor({"inputs": [data["inputs"]], "data_samples": [data["data_samples"]]}, False)
    return batch["inputs"].numpy(), batch["data_samples"][0].metainfo


@pytest.mark.parametrize("name, crop", [("astronaut", None), ("basketball2", None), ("basketball2", (0, 300, 0, 170))])
def test_letterbox_matches_mmdet_test_pipeline(detector, name, crop):
    image = load_image(name)
    if crop:   # a tall, odd-sized image: rounding of the resized size matters
        image = np.ascontiguousarray(image[crop[0]:crop[1], crop[2]:crop[3]])
    expected, meta = _mmdet_input(detector, np.ascontiguousarray(image[:, :, ::-1]))
    got, factors = letterbox(image)
    assert got.shape == expected.shape == (1, 3, 640, 640)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(factors, meta["scale_factor"], rtol=1e-6)


def test_decode_matches_predict_by_feat_on_random_head_outputs(detector):
    """Same raw outputs into mmdet's RTMDetHead.predict_by_feat and into `decode`: same boxes, same order."""
    import torch

    rng = np.random.default_rng(3)
    # Logits around the 0.05 threshold with many above it: nms_pre (1000) cuts the stride-8 level.
    logits = [rng.normal(-1.0, 2.0, (1, 640 // s, 640 // s)).astype(np.float32) for s in STRIDES]
    distances = [(s * np.exp(rng.normal(0.5, 0.8, (4, 640 // s, 640 // s)))).astype(np.float32) for s in STRIDES]
    factors = np.array([640 / 479, 480 / 359], np.float32)    # a 479x359 image resized to 640x480
    meta = dict(img_shape=(640, 640), ori_shape=(359, 479), scale_factor=tuple(float(f) for f in factors))
    with torch.no_grad():
        ref = detector.bbox_head.predict_by_feat([torch.from_numpy(x[None]) for x in logits],
                                                 [torch.from_numpy(x[None]) for x in distances],
                                                 batch_img_metas=[meta], rescale=True)[0]
    boxes, scores, labels = decode(logits, distances, factors, 640, RTMDetDecodeConfig())
    assert len(ref.scores) == len(scores) == 100      # max_per_image reached
    np.testing.assert_allclose(scores, ref.scores.numpy(), rtol=1e-6)
    np.testing.assert_allclose(boxes, ref.bboxes.numpy(), atol=1e-3)
    np.testing.assert_array_equal(labels, ref.labels.numpy())


def _match_top(ref_boxes, ref_scores, boxes, scores, n):
    """Worst coordinate and score differences of the best ``n`` reference boxes to their closest match
    among ours (order-free: two scores closer than float noise may swap ranks)."""
    worst_box = worst_score = 0.0
    for box, score in zip(ref_boxes[:n], ref_scores[:n]):
        diff = np.abs(boxes - box).max(axis=1) + np.abs(scores - score)
        best = int(np.argmin(diff))
        worst_box = max(worst_box, float(np.abs(boxes[best] - box).max()))
        worst_score = max(worst_score, float(abs(scores[best] - score)))
    return worst_box, worst_score


@pytest.mark.parametrize("name", ["astronaut", "basketball2"])
def test_onnx_detector_reproduces_inference_detector(exported_pose_models, name):
    import onnxruntime as ort
    from export_mmpose import DETECTOR_FILE
    from mmdet.apis import inference_detector

    from llamo_ros.pose.onnx_backend import RTMDetOnnx

    _, detector, model_dir = exported_pose_models
    image = load_image(name)
    ref = inference_detector(detector, np.ascontiguousarray(image[:, :, ::-1])).pred_instances
    ref_boxes, ref_scores = ref.bboxes.numpy(), ref.scores.numpy()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    onnx_detector = RTMDetOnnx(str(model_dir / DETECTOR_FILE), options)
    start = time.perf_counter()
    boxes, scores, labels = onnx_detector(image)
    elapsed_ms = 1000 * (time.perf_counter() - start)
    assert len(ref_scores) >= TOP_N and np.ptp(ref_scores[:TOP_N]) > 0.01   # distinct scores to compare
    assert abs(len(scores) - len(ref_scores)) <= 2 and np.all(labels == 0)
    worst_box, worst_score = _match_top(ref_boxes, ref_scores, boxes, scores, TOP_N)
    print(f"\n{name}: RTMDet ONNX + numpy {elapsed_ms:.0f} ms; top-{TOP_N} vs inference_detector: "
          f"max box diff {worst_box:.4f} px, max score diff {worst_score:.2e}")
    assert worst_box <= BOX_TOL_PX and worst_score <= SCORE_TOL
    # Same ranking as well, up to swaps of neighbours whose scores differ by less than the tolerance.
    np.testing.assert_allclose(scores[:TOP_N], ref_scores[:TOP_N], atol=SCORE_TOL)
