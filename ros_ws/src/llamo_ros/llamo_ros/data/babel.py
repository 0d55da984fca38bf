"""BABEL action labels -> ActionSegments per sequence, with a best-effort intent per segment.

BABEL (babel.is.tue.mpg.de) labels AMASS sequences. Its JSON files (train.json, val.json, ...) map
a sequence id to:
  feat_p     AMASS file of the motion, e.g. "CMU/CMU/86/86_05_poses.npz"
  dur        duration in seconds
  seq_ann    {"labels": [{"proc_label", "raw_label", "act_cat": [...], "seg_id"}, ...]}: whole sequence
  frame_ann  {"labels": [{... same, "start_t", "end_t"}]} in seconds, or null
Frame labels may overlap (a person can walk and wave at once); they are kept as separate segments.
Sequences without frame labels get one segment per sequence label covering the whole clip.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llamo_ros.data.intent_keywords import WALKING, intent_from_text
from llamo_ros.data.motion_clip import ActionSegment
from llamo_ros.motion.intents import INTENT_INDEX


@dataclass
class BabelSequence:
    sid: str                 # BABEL sequence id (the JSON key)
    feat_p: str              # AMASS motion file, relative to the AMASS root
    duration_s: float
    fps: float               # rate the segment frame indices refer to
    segments: list[ActionSegment] = field(default_factory=list)  # sorted by start

    @property
    def num_frames(self) -> int:
        return int(round(self.duration_s * self.fps))


def babel_intent(proc_label: str, act_cat: list[str] | None) -> str | None:
    """Intent label for one BABEL label, or None where none applies.

    Action categories are tried first (they are BABEL's normalised vocabulary), then the free-text
    processed label. Plain walking maps to None: its intent depends on the observer (use
    `intent_keywords.locomotion_intent` once the motion is in a camera frame); it is flagged with
    params["locomotion"] = True instead.
    """
    for text in [*(act_cat or []), proc_label or ""]:
        intent = intent_from_text(text)
        if intent is not None:
            return None if intent == WALKING else intent
    return None


def _is_locomotion(proc_label: str, act_cat: list[str] | None) -> bool:
    return any(intent_from_text(t) == WALKING for t in [*(act_cat or []), proc_label or ""])


def _segment(label: dict, start: int, end: int, annotation: str) -> ActionSegment:
    proc, cats = label.get("proc_label") or label.get("raw_label") or "", label.get("act_cat") or []
    return ActionSegment(name=proc, start=start, end=end, params={
        "act_cat": list(cats), "raw_label": label.get("raw_label", ""), "seg_id": label.get("seg_id", ""),
        "annotation": annotation, "intent": babel_intent(proc, cats), "locomotion": _is_locomotion(proc, cats),
        **({"start_t": float(label["start_t"]), "end_t": float(label["end_t"])} if annotation == "frame" else {}),
    })


def parse_babel_sequence(sid: str, entry: dict, fps: float) -> BabelSequence:
    """One BABEL JSON entry -> BabelSequence with segments at `fps` (frames [start, end))."""
    duration = float(entry["dur"])
    seq = BabelSequence(sid=str(sid), feat_p=str(entry.get("feat_p", "")), duration_s=duration, fps=fps)
    n = seq.num_frames
    frame_labels = (entry.get("frame_ann") or {}).get("labels") or []
    if frame_labels:
        for label in frame_labels:
            start = min(n, max(0, int(round(float(label["start_t"]) * fps))))
            end = min(n, max(start + 1, int(round(float(label["end_t"]) * fps))))
            if start < n:
                seq.segments.append(_segment(label, start, end, "frame"))
    else:
        for label in (entry.get("seq_ann") or {}).get("labels") or []:
            seq.segments.append(_segment(label, 0, n, "seq"))
    seq.segments.sort(key=lambda s: (s.start, s.end))
    return seq


def load_babel(path: str | Path, fps: float = 30.0) -> list[BabelSequence]:
    """All sequences of a BABEL label JSON file, segments at `fps`, in file order."""
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [parse_babel_sequence(sid, entry, fps) for sid, entry in data.items()]


def intent_per_frame(seq: BabelSequence, default: str = "standing_idle") -> np.ndarray:
    """(T,) int64 intent indices: where labelled segments overlap, the shortest (most specific) wins."""
    out = np.full(seq.num_frames, INTENT_INDEX[default], dtype=np.int64)
    span = np.full(seq.num_frames, np.inf)
    for s in seq.segments:
        intent = s.params.get("intent")
        if intent is None:
            continue
        length = s.end - s.start
        mask = np.zeros(seq.num_frames, dtype=bool)
        mask[s.start:s.end] = True
        mask &= length < span
        out[mask] = INTENT_INDEX[intent]
        span[mask] = length
    return out
