"""Export the mmpose backend's RTMDet person detector, RTMPose-m (2D) and VideoPose3D (lifter) to ONNX
for `OnnxPoseBackend`.

    python export/export_mmpose.py --out-dir models/onnx [--detector-checkpoint rtmdet-m.pth]
                                   [--pose2d-checkpoint rtmpose-m.pth]
                                   [--lifter-checkpoint videopose3d-27.pth] [--no-flip-test]

Exporter: the TorchScript-based ``torch.onnx.export(..., dynamo=False)``, opset 17; the models are
plain convolution/attention graphs that it traces without custom ops. Files written to --out-dir:

``rtmdet-m_640_person.onnx``
    input ``image`` (B, 3, 640, 640) float32, BGR, letterboxed and normalised as mmdet's test
    pipeline does (`rtmdet_decode.letterbox`); outputs, per stride s in 8, 16, 32, the head's raw
    ``cls_logits_s<s>`` (B, 1, 640/s, 640/s) person logits (before the sigmoid) and
    ``box_distances_s<s>`` (B, 4, 640/s, 640/s) left, top, right, bottom distances in input pixels
    from the prior point. Score threshold, top-k, box decoding, NMS and rescaling are not in the
    graph: `rtmdet_decode.decode` does them in numpy.

``rtmpose-m_256x192.onnx``
    input ``image`` (B, 3, 256, 192) float32, RGB, already normalised with mmpose's mean/std;
    outputs ``simcc_x`` (B, 17, 384), ``simcc_y`` (B, 17, 512) SimCC logits (split ratio 2). With
    flip test (mmpose's test_cfg default for this model) the graph also runs the horizontally
    flipped crop and averages the flipped-back vectors, exactly as ``RTMCCHead.predict`` does.
``videopose3d_27f.onnx``
    input ``keypoints_2d`` (B, 34, 27) (channel = joint * 2 + axis, normalised by the
    VideoPoseLifting codec), output ``keypoints_3d`` (B, 17, 3) pelvis-relative metres.

Checkpoints are read with ``torch.load(weights_only=True)`` (see `mmpose_backend._load_weights`);
without them random weights are exported (pipeline and parity tests only).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ros_ws" / "src" / "llamo_ros"))

from llamo_ros.pose.mmpose_graphs import RTMDetRawHead, RTMPoseSimCC, VideoPoseLifter  # noqa: E402
from llamo_ros.pose.onnx_backend import DETECTOR_FILE, LIFTER_FILE, POSE2D_FILE  # noqa: E402
from llamo_ros.pose.rtmdet_decode import raw_output_names  # noqa: E402


def export_pose2d(model, out: str | Path, flip_test: bool = True) -> Path:
    """RTMPose-m (an mmpose TopdownPoseEstimator) -> ONNX at ``out``, dynamic batch."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wrapper = RTMPoseSimCC(model.eval(), flip_test).eval()
    width, height = model.cfg.codec["input_size"]
    torch.onnx.export(wrapper, (torch.zeros(1, 3, height, width),), str(out), dynamo=False, opset_version=17,
                      input_names=["image"], output_names=["simcc_x", "simcc_y"],
                      dynamic_axes={"image": {0: "batch"}, "simcc_x": {0: "batch"}, "simcc_y": {0: "batch"}})
    return out


def export_detector(model, out: str | Path, input_size: int = 640) -> Path:
    """RTMDet (an mmdet RTMDet) -> ONNX at ``out`` with the raw head outputs, fixed square input, dynamic batch."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    strides = [int(s[0]) for s in model.bbox_head.prior_generator.strides]
    outputs = raw_output_names(strides)
    # Fixed spatial size: mmdet's pipeline always pads to input_size, so the prior grid is constant.
    torch.onnx.export(RTMDetRawHead(model.eval()).eval(), (torch.zeros(1, 3, input_size, input_size),), str(out),
                      dynamo=False, opset_version=17, input_names=["image"], output_names=outputs,
                      dynamic_axes={name: {0: "batch"} for name in ["image", *outputs]})
    return out


def export_lifter(model, out: str | Path) -> Path:
    """VideoPose3D 27-frame lifter (an mmpose PoseLifter) -> ONNX at ``out``, dynamic batch."""
    from llamo_ros.pose.streaming_lift import LIFTER_RECEPTIVE_FIELD

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(VideoPoseLifter(model.eval()).eval(), (torch.zeros(1, 34, LIFTER_RECEPTIVE_FIELD),), str(out),
                      dynamo=False, opset_version=17, input_names=["keypoints_2d"], output_names=["keypoints_3d"],
                      dynamic_axes={"keypoints_2d": {0: "batch"}, "keypoints_3d": {0: "batch"}})
    return out


def main() -> None:
    from llamo_ros.pose.mmpose_backend import MMPoseBackend, MMPoseConfig, build_detector

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default="models/onnx")
    ap.add_argument("--detector-checkpoint", default="")
    ap.add_argument("--pose2d-checkpoint", default="")
    ap.add_argument("--lifter-checkpoint", default="")
    ap.add_argument("--no-flip-test", action="store_true", help="export without the flipped second pass")
    args = ap.parse_args()
    backend = MMPoseBackend(MMPoseConfig(whole_image_as_person=True, pose2d_checkpoint=args.pose2d_checkpoint,
                                         lifter_checkpoint=args.lifter_checkpoint))
    print(export_detector(build_detector(args.detector_checkpoint), Path(args.out_dir) / DETECTOR_FILE))
    print(export_pose2d(backend.pose2d, Path(args.out_dir) / POSE2D_FILE, flip_test=not args.no_flip_test))
    print(export_lifter(backend.lifter, Path(args.out_dir) / LIFTER_FILE))


if __name__ == "__main__":
    main()
