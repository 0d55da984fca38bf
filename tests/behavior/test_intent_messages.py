"""IntentResult -> IntentPrediction (raw probabilities, path std) and the RViz path markers."""
from __future__ import annotations

import numpy as np
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from llamo_ros.behavior.engine import IntentResult
from llamo_ros.motion.intents import NUM_INTENTS
from llamo_ros.nodes.behavior_messages import PATH_STD_MARKER_EVERY, intent_markers_msg, intents_to_msg


def _result(track_id: int = 4) -> IntentResult:
    path = np.stack([np.full(20, 1.0), np.zeros(20), 5.0 + 0.1 * np.arange(1, 21)], 1).astype(np.float32)
    std = np.stack([np.full(20, 0.1), np.full(20, 0.05), 0.02 * np.arange(1, 21)], 1).astype(np.float32)
    filtered = np.full(NUM_INTENTS, 0.02, np.float32)
    filtered[1] = 1 - 0.02 * (NUM_INTENTS - 1)
    raw = np.full(NUM_INTENTS, 0.1, np.float32)
    return IntentResult(track_id, filtered, path, 0.1, 0, 2_000_000_000, raw_probabilities=raw, future_path_std=std)


def test_intent_message_carries_raw_probabilities_and_path_std():
    (pred,) = intents_to_msg(Header(frame_id="cam"), [_result()]).predictions
    assert pred.most_likely == 1 and abs(pred.probabilities[1] - 0.82) < 1e-6
    np.testing.assert_allclose(pred.raw_probabilities, np.full(NUM_INTENTS, 0.1), rtol=1e-6)
    assert len(pred.future_path_std) == len(pred.future_path) == 20
    assert abs(pred.future_path_std[9].z - 0.2) < 1e-6 and abs(pred.future_path_std[0].x - 0.1) < 1e-6


def test_path_markers_show_the_path_and_two_sigma_spheres():
    markers = intent_markers_msg(Header(frame_id="cam"), [_result()]).markers
    assert markers[0].action == Marker.DELETEALL
    (line,) = [m for m in markers if m.type == Marker.LINE_STRIP]
    assert len(line.points) == 20 and line.header.frame_id == "cam"
    spheres = [m for m in markers if m.type == Marker.SPHERE]
    assert len(spheres) == 20 // PATH_STD_MARKER_EVERY
    # the sphere at point 10 (1.0 s): diameter 2 x the largest std there (z: 0.2 m)
    at_1s = spheres[1]
    assert abs(at_1s.pose.position.z - 6.0) < 1e-6 and abs(at_1s.scale.x - 0.4) < 1e-6
    assert len({m.id for m in markers[1:]}) == len(markers) - 1
