"""`llamo report` on small output bags whose numbers are worked out by hand below."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import Point, Vector3
from rclpy.serialization import serialize_message
from rosbags.rosbag2 import StoragePlugin, Writer
from std_msgs.msg import Header

from llamo_msgs.msg import IntentPrediction, IntentPredictionArray, Person3D, Person3DArray
from llamo_ros.cli import main
from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.replay.bag_types import typestore
from llamo_ros.replay.stability_report import ReportConfig, smooth_truth, stability_report

T0 = 1_700_000_000 * 10**9
STEP_NS = 100_000_000  # 10 Hz


def _time(ns: int) -> Time:
    return Time(sec=ns // 10**9, nanosec=ns % 10**9)


def _probs(label: str, p: float) -> list[float]:
    k = INTENT_LABELS.index(label)
    rest = (1.0 - p) / (len(INTENT_LABELS) - 1)
    return [p if i == k else rest for i in range(len(INTENT_LABELS))]


def _write(path, frames, measured=None):
    """frames: list of (stamp ns, [(track, root xyz)], [(track, label, p, path or None)]); `measured(i, xyz)`: the
    measured root of frame i (default: the root)."""
    store = typestore()
    with Writer(path, version=9, storage_plugin=StoragePlugin.SQLITE3) as w:
        persons = w.add_connection("/llamo/persons", "llamo_msgs/msg/Person3DArray", typestore=store)
        intents = w.add_connection("/llamo/intents", "llamo_msgs/msg/IntentPredictionArray", typestore=store)
        for i, (ns, people, preds) in enumerate(frames):
            header = Header(stamp=_time(ns), frame_id="camera")
            msg = Person3DArray(header=header, persons=[
                Person3D(track_id=tid, root_position=Point(x=float(x), y=float(y), z=float(z)),
                         measured_root_position=Point(**dict(zip("xyz", map(float, measured(i, (x, y, z))
                                                                               if measured else (x, y, z))))))
                for tid, (x, y, z) in people])
            w.write(persons, ns, serialize_message(msg))
            if preds:
                out = IntentPredictionArray(header=header)
                for tid, label, p, path in preds:
                    out.predictions.append(IntentPrediction(
                        track_id=tid, labels=list(INTENT_LABELS), probabilities=_probs(label, p),
                        most_likely=INTENT_LABELS.index(label), window_end=_time(ns),
                        future_path=[Point(x=float(a), y=float(b), z=float(c)) for a, b, c in (path or [])],
                        future_path_std=[Vector3(x=0.2, y=0.2, z=0.2) for _ in (path or [])],
                        path_time_step=Duration(sec=0, nanosec=500_000_000)))
                w.write(intents, ns, serialize_message(out))


def test_report_numbers_match_hand_computation(tmp_path):
    # track 1 stands at z=5 with one 1 cm jump in x at frame 2: second differences 1, -2, 1 m/s^2 -> RMS sqrt(2);
    #   its intents go approaching, passing_by, passing_by, approaching, approaching: 2 flips in 0.4 s.
    # track 2 walks 1 m/s along z for 2.5 s (26 frames): its jitter is 0; its intent is waving (p 0.6) in frame 0
    #   and pointing (p 0.4) in frame 1 (both implausible, one of them confident), then leaving; its one path
    #   (frame 0, 0.5 s steps) is 0.3 m off in x at 1 s and exact at 2 s. Constant velocity is exact for it.
    frames = []
    xs1 = [0.0, 0.0, 0.01, 0.0, 0.0]
    labels1 = ["approaching", "passing_by", "passing_by", "approaching", "approaching"]
    for i in range(26):
        ns = T0 + i * STEP_NS
        people, preds = [(2, (0.0, 0.0, 1.0 + 0.1 * i))], []
        if i < 5:
            people.append((1, (xs1[i], 0.0, 5.0)))
            preds.append((1, labels1[i], 0.9, None))
        label2, p2 = ("waving", 0.6) if i == 0 else ("pointing", 0.4) if i == 1 else ("leaving", 0.8)
        path = [(0.0, 0.0, 1.5), (0.3, 0.0, 2.0), (0.0, 0.0, 2.5), (0.0, 0.0, 3.0)] if i == 0 else None
        preds.append((2, label2, p2, path))
        frames.append((ns, people, preds))
    _write(tmp_path / "out", frames)

    r = stability_report(tmp_path / "out")
    assert r.tracks == 2 and r.images == 26 and r.person_frames == 31
    assert r.mean_track_length_s == pytest.approx((0.4 + 2.5) / 2)
    assert r.intent_flips == 2 + 2   # track 1: 2; track 2: waving -> pointing -> leaving
    assert r.intent_track_seconds == pytest.approx(0.4 + 2.5)
    assert r.flips_per_track_second == pytest.approx(4 / 2.9)
    assert r.intent_predictions == 31
    assert r.implausible_share == pytest.approx(2 / 31)
    assert r.implausible_confident_share == pytest.approx(1 / 31)
    # 3 jitter samples of track 1 (1, 2, 1) and 24 zeros of track 2
    assert r.root_jitter_rms_mps2 == pytest.approx(math.sqrt(6 / 27), rel=1e-4)
    assert r.path_fde_m["1.0"] == pytest.approx(0.3, abs=1e-6) and r.path_fde_n["1.0"] == 1
    assert r.path_fde_m["2.0"] == pytest.approx(0.0, abs=1e-6)
    # published std 0.2 m per coordinate: at 1 s the errors (0.3, 0, 0) are 1.5, 0, 0 std; at 2 s all 0
    assert r.path_within_1std["1.0"] == pytest.approx(2 / 3) and r.path_within_2std["1.0"] == 1.0
    assert r.path_within_1std["2.0"] == 1.0
    # track 2: constant velocity exact; 1 s window from frame 10 on, 1 s horizon up to frame 15 -> 6 samples of 0.
    # track 1 (0.4 s long) has no real position 1 s later.
    assert r.cv_fde_n["w=1.0s h=1.0s"] == 6 and r.cv_fde_m["w=1.0s h=1.0s"] == pytest.approx(0.0, abs=1e-6)
    # 0.3 s window: frames 3..15 of track 2 -> 13 samples
    assert r.cv_fde_n["w=0.3s h=1.0s"] == 13


def test_report_constant_velocity_sees_a_noisy_root(tmp_path):
    # one track walks 1 m/s along z, with x alternating +-0.05 m (frame noise). With a 0.3 s window (3 frames, an
    # odd number) x_i - x_{i-3} = 2 x_i, so v_x = 2 x_i / 0.3 s and the 1 s extrapolation is x_i + 6.667 x_i, while
    # the real x 10 frames later is x_i again: off by 6.667 * 0.05 = 1/3 m on every sample (z is exact).
    frames = [(T0 + i * STEP_NS, [(7, (0.05 * (-1) ** i, 0.0, 1.0 + 0.1 * i))], []) for i in range(40)]
    _write(tmp_path / "out", frames)
    r = stability_report(tmp_path / "out", ReportConfig(truth_smoothing_s=0.0))
    assert r.cv_fde_m["w=0.3s h=1.0s"] == pytest.approx(1 / 3, abs=1e-6)
    # second difference of +-0.05 at 10 Hz: |0.05 + 0.1 + 0.05| / 0.01 = 20 m/s^2 on every sample
    assert r.root_jitter_rms_mps2 == pytest.approx(20.0, rel=1e-6)


def test_paired_comparison_and_from_s(tmp_path):
    # one track walks 1 m/s along z for 5 s; paths (0.5 s steps) at frames 5, 15 and 30 are 0.4 m off in x at
    # every point. Constant velocity is exact. Frame 5 has only 0.5 s of history: no 1 s baseline, so it is
    # left out of the paired numbers (it still counts for the model's own FDE); from_s=2.0 keeps frame 30 only.
    frames = []
    for i in range(51):
        path = [(0.4, 0.0, 1.0 + 0.1 * i + 0.5 * k) for k in range(1, 5)] if i in (5, 15, 30) else None
        frames.append((T0 + i * STEP_NS, [(3, (0.0, 0.0, 1.0 + 0.1 * i))], [(3, "approaching", 0.9, path)]))
    _write(tmp_path / "out", frames)
    r = stability_report(tmp_path / "out", ReportConfig(truth_smoothing_s=0.0))
    assert r.path_fde_n["2.0"] == 3 and r.path_fde_m["2.0"] == pytest.approx(0.4, abs=1e-6)
    assert r.paired_n["h=2.0"] == 2 and r.paired_path_fde_m["h=2.0"] == pytest.approx(0.4, abs=1e-6)
    assert r.paired_cv_fde_m["w=1.0s h=2.0s"] == pytest.approx(0.0, abs=1e-6)
    assert r.paired_cv_fde_m["w=0.3s h=2.0s"] == pytest.approx(0.0, abs=1e-6)
    assert "paired @ 2.0 s: model / constant velocity" in r.table()
    late = stability_report(tmp_path / "out", ReportConfig(truth_smoothing_s=0.0, from_s=2.0))
    assert late.path_fde_n["2.0"] == 1 and late.paired_n["h=2.0"] == 1


def test_report_command_prints_and_writes_json(tmp_path, capsys):
    frames = [(T0 + i * STEP_NS, [(3, (0.0, 0.0, 2.0))], [(3, "standing_idle", 0.7, None)]) for i in range(5)]
    _write(tmp_path / "out", frames)
    assert main(["report", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")]) == 0
    text = capsys.readouterr().out
    assert "intent flips per track-second" in text and "root jitter" in text
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["tracks"] == 1 and data["intent_flips"] == 0
    # plausible set given on the command line: standing_idle is now implausible
    assert main(["report", str(tmp_path / "out"), "--plausible", "approaching",
                 "--json", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["implausible_share"] == 1.0


def test_report_command_rejects_a_bag_without_persons(tmp_path, capsys):
    with Writer(tmp_path / "empty", version=9, storage_plugin=StoragePlugin.SQLITE3) as w:
        w.add_connection("/other", "std_msgs/msg/Header", typestore=typestore())
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "no /llamo/persons" in capsys.readouterr().err


def test_truth_smoothing_keeps_a_line_and_averages_alternating_noise():
    stamps = T0 + np.arange(21, dtype=np.int64) * STEP_NS
    line = np.stack([np.zeros(21), np.zeros(21), 1.0 + 0.1 * np.arange(21)], 1)
    np.testing.assert_allclose(smooth_truth(stamps, line, 1.0), line, atol=1e-9)
    noisy = line + np.stack([0.05 * (-1.0) ** np.arange(21), np.zeros(21), np.zeros(21)], 1)
    # an inner frame i sees i-5..i+5: the slope of the alternating part is 0 by symmetry and its mean is
    # x_i (5 - 6) / 11 = -x_i / 11
    smoothed = smooth_truth(stamps, noisy, 1.0)
    np.testing.assert_allclose(smoothed[5:16, 0], -noisy[5:16, 0] / 11, atol=1e-9)
    np.testing.assert_allclose(smoothed[:, 2], line[:, 2], atol=1e-9)


def test_measured_roots_are_the_truth_and_a_second_baseline(tmp_path):
    # published roots: an exact 1 m/s walk along z; measured roots: the same with x alternating +-0.05 m.
    frames = [(T0 + i * STEP_NS, [(1, (0.0, 0.0, 1.0 + 0.1 * i))], []) for i in range(40)]
    _write(tmp_path / "out", frames, measured=lambda i, xyz: (0.05 * (-1) ** i, xyz[1], xyz[2]))
    r = stability_report(tmp_path / "out", ReportConfig(truth_smoothing_s=0.0))
    assert r.truth.startswith("Person3D.measured_root_position")
    # the exact walk extrapolates exactly; the truth 10 frames later is off by its 0.05 m in x
    assert r.cv_fde_m["w=1.0s h=1.0s"] == pytest.approx(0.05, abs=1e-6)
    # from the measured roots, a 1 s window (10 frames, even) sees no x velocity and x repeats 10 frames on: 0
    assert r.cv_fde_measured_m["w=1.0s h=1.0s"] == pytest.approx(0.0, abs=1e-6)
    assert r.root_jitter_rms_mps2 == pytest.approx(0.0, abs=1e-3)   # rounding of 0.1 m steps / (0.1 s)^2
    assert r.root_jitter_measured_mps2 == pytest.approx(20.0, rel=1e-6)
    # from the real roots (here the unsmoothed measured ones): the same as from the measured roots
    assert r.cv_fde_real_m == pytest.approx(r.cv_fde_measured_m, abs=1e-9)


def test_constant_velocity_from_the_real_roots_errs_where_people_turn(tmp_path):
    # a walk at 1 m/s along z that turns to x after 3 s; the published roots are exact. Constant velocity errs
    # by the turn alone, from published and real roots alike: at the turn, (0, 0, 4) m, it says (0, 0, 5) 1 s on,
    # the walker is at (1, 0, 4).
    def at(i):
        t = 0.1 * i
        return (0.0, 0.0, 1.0 + t) if t <= 3.0 else (t - 3.0, 0.0, 4.0)
    _write(tmp_path / "out", [(T0 + i * STEP_NS, [(1, at(i))], []) for i in range(60)])
    r = stability_report(tmp_path / "out", ReportConfig(truth_smoothing_s=0.0))
    assert r.cv_fde_real_m["w=1.0s h=1.0s"] == pytest.approx(r.cv_fde_m["w=1.0s h=1.0s"], abs=1e-9)
    assert r.cv_fde_real_m["w=1.0s h=1.0s"] > 0.1
    assert "real roots" in r.table()
