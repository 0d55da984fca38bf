"""BABEL label JSON -> segments and intents, on a file written here in BABEL's layout."""
from __future__ import annotations

import json

import pytest

from llamo_ros.data.babel import babel_intent, intent_per_frame, load_babel
from llamo_ros.motion.intents import INTENT_INDEX

BABEL = {
    "4711": {
        "babel_sid": 4711, "url": "https://example.invalid/4711.mp4", "feat_p": "CMU/CMU/86/86_05_poses.npz",
        "dur": 6.0,
        "seq_ann": {"babel_lid": "s1", "anntr_id": "a", "mul_act": True,
                    "labels": [{"raw_label": "walk and wave", "proc_label": "walk and wave", "seg_id": "q",
                                "act_cat": ["walk", "wave"]}]},
        "frame_ann": {"babel_lid": "f1", "anntr_id": "b", "mul_act": True, "labels": [
            {"raw_label": "Walking", "proc_label": "walk", "seg_id": "a1", "act_cat": ["walk"],
             "start_t": 0.0, "end_t": 4.0},
            {"raw_label": "waves hand", "proc_label": "wave hand", "seg_id": "a2", "act_cat": ["wave", "gesture"],
             "start_t": 2.5, "end_t": 3.5},
            {"raw_label": "sit down", "proc_label": "sit down", "seg_id": "a3", "act_cat": ["sit"],
             "start_t": 4.0, "end_t": 6.2},
        ]},
    },
    "4712": {
        "babel_sid": 4712, "feat_p": "BMLmovi/Subject_1_F_MoSh/Subject_1_F_5_poses.npz", "dur": 2.0,
        "seq_ann": {"labels": [{"raw_label": "picks up a box", "proc_label": "pick up box", "seg_id": "z",
                                "act_cat": ["take/pick something up", "bend"]}]},
        "frame_ann": None,
    },
    "4713": {
        "babel_sid": 4713, "feat_p": "x.npz", "dur": 1.0,
        "seq_ann": {"labels": [{"raw_label": "t-pose", "proc_label": "transition", "seg_id": "y", "act_cat": None}]},
        "frame_ann": None,
    },
}


@pytest.fixture
def sequences(tmp_path):
    path = tmp_path / "val.json"
    path.write_text(json.dumps(BABEL))
    return load_babel(path, fps=30.0)


def test_frame_labels_become_segments_at_fps(sequences):
    seq = sequences[0]
    assert (seq.sid, seq.feat_p, seq.num_frames) == ("4711", "CMU/CMU/86/86_05_poses.npz", 180)
    assert [(s.name, s.start, s.end) for s in seq.segments] == [
        ("walk", 0, 120), ("wave hand", 75, 105), ("sit down", 120, 180)]
    walk, wave, sit = seq.segments
    assert walk.params["intent"] is None and walk.params["locomotion"]
    assert wave.params["intent"] == "waving" and not wave.params["locomotion"]
    assert sit.params["intent"] == "sitting_down" and sit.params["end_t"] == 6.2  # clipped to the clip, time kept


def test_sequence_labels_cover_the_whole_clip(sequences):
    seq = sequences[1]
    assert len(seq.segments) == 1 and (seq.segments[0].start, seq.segments[0].end) == (0, 60)
    assert seq.segments[0].params["intent"] == "picking_up" and seq.segments[0].params["annotation"] == "seq"
    assert sequences[2].segments[0].params["intent"] is None  # no rule applies


def test_other_fps(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(BABEL))
    seq = load_babel(path, fps=20.0)[0]
    assert [(s.start, s.end) for s in seq.segments] == [(0, 80), (50, 70), (80, 120)]
    with pytest.raises(ValueError):
        load_babel(path, fps=0)


def test_intent_per_frame_prefers_the_specific_label(sequences):
    intents = intent_per_frame(sequences[0])
    assert intents.shape == (180,)
    assert (intents[75:105] == INTENT_INDEX["waving"]).all()
    assert (intents[:75] == INTENT_INDEX["standing_idle"]).all()  # walking without a camera: default
    assert (intents[120:] == INTENT_INDEX["sitting_down"]).all()


@pytest.mark.parametrize("proc, cats, expected", [
    ("stand up", ["stand up"], "standing_up"),
    ("get up from chair", ["stand up"], "standing_up"),
    ("sit", ["sit"], "sitting_down"),
    ("point at something", ["point"], "pointing"),
    ("hand over an object", ["give something"], "handing_over"),
    ("squat down", ["crouch"], "picking_up"),
    ("walk away", ["walk"], None),  # act_cat "walk" is tried first: camera-dependent
    ("walk away", [], "leaving"),
    ("stand still", ["stand"], "standing_idle"),
    ("jumping jacks", ["jump"], None),
    ("wave then sit down", [], "waving"),  # the action named first wins
    ("sit down then wave", [], "sitting_down"),
])
def test_intent_keywords(proc, cats, expected):
    assert babel_intent(proc, cats) == expected
