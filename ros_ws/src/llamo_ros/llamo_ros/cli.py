"""`llamo`: command line of llamo_ros (`python -m llamo_ros.cli` or the `llamo` entry point)."""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS
from llamo_ros.replay.stability_report import PEDESTRIAN_INTENTS


def _record_video(args: argparse.Namespace) -> int:
    from llamo_ros.data.video_bag import VideoBagConfig, write_video_bag

    n = write_video_bag(Path(args.video), Path(args.bag),
                        VideoBagConfig(max_frames=args.max_frames, storage=args.storage,
                                       horizontal_fov_deg=args.fov_deg, compressed=args.compressed or "",
                                       jpeg_quality=args.jpeg_quality))
    print(f"wrote {n} frames of {args.video} to {args.bag}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    """Replay IN_BAG into OUT_BAG; prints the report. Exit 0 when the whole bag was read, 1 when it broke
    (what was processed is in OUT_BAG), 2 when nothing could be replayed."""
    from llamo_ros.replay.bag_replay import BagReplay, ReplayConfig, ReplayError
    from llamo_ros.replay.contact_sheet import ContactSheet

    config = ReplayConfig(image_topic=args.image_topic, camera_info_topic=args.camera_info_topic,
                          depth_topic=args.depth_topic, describe=not args.no_describe, storage=args.storage)
    if Path(args.out_bag).exists():
        print(f"llamo replay: output {args.out_bag} exists; choose a new path", file=sys.stderr)
        return 2
    behavior = None if args.pose_only else _behavior_stage(args)
    sheet = ContactSheet(every_n=args.sheet_every) if args.contact_sheet else None
    replay = BagReplay(config, _pose_config(args), behavior, on_frame=_sheet_adder(sheet) if sheet else None,
                       target=_target_frame(args))
    try:
        report = replay.run(Path(args.in_bag), Path(args.out_bag))
    except ReplayError as exc:
        print(f"llamo replay: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if sheet is not None and sheet.tiles:
        print(f"contact sheet: {sheet.save(Path(args.contact_sheet))}")
    print(f"output bag: {args.out_bag}")
    return 1 if report.error else 0


def _report(args: argparse.Namespace) -> int:
    """Print the stability and accuracy report of an output bag (and write it as JSON with --json)."""
    from llamo_ros.replay.stability_report import ReportConfig, stability_report

    try:
        report = stability_report(Path(args.out_bag), ReportConfig(prefix=args.prefix, plausible=tuple(args.plausible),
                                                                 from_s=args.from_s))
    except (ValueError, FileNotFoundError) as exc:
        print(f"llamo report: {exc}", file=sys.stderr)
        return 2
    print(report.table())
    if args.json:
        report.to_json(Path(args.json))
        print(f"json: {args.json}")
    return 0


def _pose_config(args: argparse.Namespace):
    from llamo_ros.messages.pose_frames import PoseConfig

    config = PoseConfig(backend=args.backend, min_box_height_to_width=args.min_box_height_to_width)
    getattr(config, args.backend).max_persons = args.max_persons   # the chosen backend's own setting
    return config


def _target_frame(args: argparse.Namespace):
    from llamo_ros.frames import TargetFrameConfig

    (x, y, z), (roll, pitch, yaw) = args.camera_xyz, args.camera_rpy
    return TargetFrameConfig(target_frame=args.target_frame, target_transform="fixed", camera_x=x, camera_y=y,
                             camera_z=z, camera_roll=roll, camera_pitch=pitch, camera_yaw=yaw)


def _behavior_stage(args: argparse.Namespace):
    from llamo_ros.behavior.behavior_model import load_behavior_model
    from llamo_ros.behavior.engine import BehaviorConfig
    from llamo_ros.behavior.stage import BehaviorStage

    model = load_behavior_model(args.checkpoint or None, args.llm or None, quantize_int8=not args.fp32,
                                llm_runtime=args.llm_runtime, llm_gguf_type=args.gguf_type)
    print(f"LLM runtime: {model.mlm.llm_runtime_note}")
    return BehaviorStage(model, BehaviorConfig(describe_period_s=args.describe_period))


def _sheet_adder(sheet):
    from llamo_ros.messages.image_msg import image_msg_to_rgb8

    def add(image, persons, intents) -> None:
        bgr = image_msg_to_rgb8(image)[:, :, ::-1]
        stamp = image.header.stamp.sec + image.header.stamp.nanosec * 1e-9
        sheet.add(bgr, persons, {r.track_id: (r.most_likely, float(r.probabilities[r.most_likely]))
                                 for r in intents}, f"t={stamp % 1000:.1f} s")
    return add


def _demo(args: argparse.Namespace) -> int:
    """The main job: vtest.avi (real pedestrians) -> rosbag -> full pipeline -> output bag + contact sheet."""
    from llamo_ros.data.sample_media import sample_path

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    in_bag, out_bag = out / "vtest_bag", out / "vtest_llamo_bag"
    for bag in (in_bag, out_bag):
        if bag.exists():
            shutil.rmtree(bag)
    _record_video(argparse.Namespace(video=str(sample_path("vtest.avi")), bag=str(in_bag),
                                     max_frames=args.max_frames, storage="sqlite3", fov_deg=60.0,
                                     compressed="", jpeg_quality=95))
    replay_args = build_parser().parse_args(
        ["replay", str(in_bag), str(out_bag), "--contact-sheet", str(out / "contact_sheet.png"),
         "--describe-period", str(args.describe_period),
         "--min-box-height-to-width", "1.0"])  # pedestrians: the landmark model also fits flat objects
    return _replay(replay_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llamo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record-video", help="record a video file as a rosbag2 of Image (or CompressedImage) "
                                              "+ CameraInfo")
    rec.add_argument("video", help="input video file (anything OpenCV reads)")
    rec.add_argument("bag", help="output bag folder (must not exist)")
    rec.add_argument("--max-frames", type=int, default=0, help="stop after this many frames (0: all)")
    rec.add_argument("--storage", choices=("sqlite3", "mcap"), default="sqlite3")
    rec.add_argument("--fov-deg", type=float, default=60.0, help="assumed horizontal field of view (deg)")
    rec.add_argument("--compressed", choices=("jpeg", "png"), default=None,
                     help="write sensor_msgs/CompressedImage on <image topic>/compressed instead of raw Images")
    rec.add_argument("--jpeg-quality", type=int, default=95, help="JPEG quality 1-100 (with --compressed jpeg)")
    rec.set_defaults(run=_record_video)

    rep = sub.add_parser("replay", help="run the pipeline over a rosbag2 and write the outputs to a new bag")
    rep.add_argument("in_bag", help="input rosbag2 folder (sqlite3 or mcap) with sensor_msgs/Image or "
                                    "CompressedImage (JPEG/PNG; detected from the topic type)")
    rep.add_argument("out_bag", help="output rosbag2 folder (must not exist)")
    rep.add_argument("--image-topic", default="",
                     help="image topic (default: the bag's only Image or CompressedImage topic)")
    rep.add_argument("--camera-info-topic", default="", help="CameraInfo topic (default: the only one, if any)")
    rep.add_argument("--depth-topic", default="", help="aligned depth topic (default: none)")
    rep.add_argument("--backend", default="mediapipe", help="pose backend: mediapipe | mmpose | onnx")
    rep.add_argument("--max-persons", type=int, default=DEFAULT_MAX_PERSONS, help="most people estimated per image")
    rep.add_argument("--min-box-height-to-width", type=float, default=0.0,
                     help="drop people whose box is flatter than this (1.0 keeps upright people only)")
    rep.add_argument("--pose-only", action="store_true", help="skeletons only: no intents or descriptions")
    rep.add_argument("--no-describe", action="store_true", help="intents but no language-model descriptions")
    rep.add_argument("--describe-period", type=float, default=5.0, help="describe each person every N s of video")
    rep.add_argument("--checkpoint", default="", help="motion-LLM checkpoint (default: shipped demo)")
    rep.add_argument("--llm", default="", help="LLM folder (default: SmolLM2-135M-Instruct)")
    rep.add_argument("--fp32", action="store_true", help="full-precision torch LLM (default: int8 dynamic on CPU)")
    rep.add_argument("--llm-runtime", default="auto", choices=("auto", "llama_cpp", "torch"),
                     help="what generates descriptions: auto (llama.cpp when its binding loads, else torch)")
    rep.add_argument("--gguf-type", default="q4_1_lora8",
                     help="GGUF export llama.cpp runs: q4_1_lora8 (shipped 4-bit base + 8-bit LoRA layers), q8_0, f32")
    rep.add_argument("--storage", choices=("sqlite3", "mcap"), default="sqlite3", help="output bag storage")
    rep.add_argument("--target-frame", default="",
                     help="write persons, markers and future paths in this frame (default: the camera optical frame)")
    rep.add_argument("--camera-xyz", type=float, nargs=3, default=(0.0, 0.0, 0.0), metavar=("X", "Y", "Z"),
                     help="with --target-frame: the camera optical frame's origin in it, m")
    rep.add_argument("--camera-rpy", type=float, nargs=3, default=(0.0, 0.0, 0.0), metavar=("ROLL", "PITCH", "YAW"),
                     help="with --target-frame: the camera optical frame's roll, pitch, yaw in it, rad "
                          "(a level forward camera on base_link: -1.5708 0 -1.5708)")
    rep.add_argument("--contact-sheet", default="", help="write a PNG grid of annotated frames here")
    rep.add_argument("--sheet-every", type=int, default=60, help="one contact-sheet frame every N frames")
    rep.set_defaults(run=_replay)

    rpt = sub.add_parser("report", help="stability and accuracy of a replay's output bag (intents, roots, paths, "
                                        "tracks)")
    rpt.add_argument("out_bag", help="output bag of 'llamo replay'")
    rpt.add_argument("--prefix", default="/llamo", help="namespace of the output topics")
    rpt.add_argument("--plausible", nargs="+", default=list(PEDESTRIAN_INTENTS),
                     help="intents plausible in the scene (others are counted as implausible)")
    rpt.add_argument("--from-s", type=float, default=0.0,
                     help="path numbers only for predictions made at least this long after the first image, s")
    rpt.add_argument("--json", default="", help="also write the numbers to this JSON file")
    rpt.set_defaults(run=_report)

    demo = sub.add_parser("demo", help="the main job on the embedded defaults (vtest.avi)")
    demo.add_argument("--out", default="out/demo", help="output folder")
    demo.add_argument("--max-frames", type=int, default=0, help="frames of vtest.avi to use (0: all 795)")
    demo.add_argument("--describe-period", type=float, default=8.0, help="describe each person every N s")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # events must show as they happen, also through a pipe
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
