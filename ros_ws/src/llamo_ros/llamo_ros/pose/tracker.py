"""`PersonTracker`: stable person ids across frames from bounding boxes.

IoU + Hungarian assignment (scipy's ``linear_sum_assignment``) against constant-velocity box
predictions, in two stages:

1. every live track vs every detection, cost ``1 - IoU(predicted box, detection)``, gated at
   ``min_iou``;
2. tracks left without a detection vs the detections left over, cost = centre distance divided
   by the track's box diagonal, gated at ``max_centre_distance`` (``max_jump_distance`` for a track
   seen in the previous frame: its box can only have jumped a little) and at a box-height ratio of
   ``max_height_ratio`` (a much taller or shorter box is someone nearer or further away) — after an
   occlusion the prediction may have drifted off the person so far that IoU is zero, and the landmark
   fit sometimes re-centres a person's box by a third of its diagonal or less in one frame. On
   vtest.avi this took 49 tracks to 43 (mean length 7.8 -> 8.7 s): 11 re-centred boxes and 2 people
   who walked behind a sign for about 1 s. A box jumping 0.39 diagonals there was the neighbour
   (MediaPipe's region had slid onto him), hence ``max_jump_distance`` 0.3.

Both stages also refuse a pair whose torso colour (`pose.appearance`, when the caller gives it) is further than
``max_appearance_distance`` from the track's: a region that slides onto a neighbour can do so in a box that
hardly moves, and the track would carry on with someone else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from llamo_ros.pose.appearance import appearance_distances, torso_colour
from llamo_ros.pose.person_pose import PersonPose


@dataclass
class PersonTrackerConfig:
    """Settings of `PersonTracker` (frames are calls to `update`)."""

    min_iou: float = 0.1                 # stage 1 gate
    max_centre_distance: float = 1.0     # stage 2 gate, in track box diagonals
    max_missed_frames: int = 15          # frames a track is kept without detection (0.5 s at 30 Hz)
    velocity_smoothing: float = 0.5      # weight of the newest velocity measurement (0..1]
    max_height_ratio: float = 1.5        # stage 2 gate: box heights differ at most by this factor
    max_jump_distance: float = 0.3       # stage 2 gate for a track seen in the previous frame, in box diagonals
    centre_match_after_missed: int = 0   # stage 2 takes tracks missed at least this many frames (0: all
                                         # unmatched ones, also when this frame's box moved off the prediction)
    max_appearance_distance: float = 1.0   # both stages: torso colour at most this Bhattacharyya distance from
                                           # the track's (pose.appearance; >= 1: off)
    appearance_memory: float = 0.2       # weight of the newest torso colour in the track's running mean (0..1]


@dataclass
class _Track:
    track_id: int
    box: np.ndarray                      # (4,) last matched box, pixels
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4))  # pixels per frame
    missed: int = 0                      # consecutive frames without a match
    hits: int = 1
    appearance: np.ndarray | None = None  # running mean of the torso colour histogram (pose.appearance)

    def predicted(self) -> np.ndarray:
        return self.box + self.velocity * (self.missed + 1)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of (N, 4) and (M, 4) x0, y0, x1, y1 boxes -> (N, M)."""
    a, b = np.asarray(a, np.float64)[:, None, :], np.asarray(b, np.float64)[None, :, :]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area = lambda x: np.clip(x[..., 2] - x[..., 0], 0, None) * np.clip(x[..., 3] - x[..., 1], 0, None)  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


class PersonTracker:
    """Assigns persistent ``track_id``s to per-frame detections."""

    def __init__(self, config: PersonTrackerConfig | None = None):
        self.config = config or PersonTrackerConfig()
        self._tracks: list[_Track] = []
        self._next_id = 0

    @property
    def live_track_ids(self) -> list[int]:
        return [t.track_id for t in self._tracks]

    @property
    def ids_issued(self) -> int:
        """How many track ids were handed out so far (ids are 0 .. ids_issued - 1)."""
        return self._next_id

    def update(self, persons: list[PersonPose], image_rgb: np.ndarray | None = None) -> list[PersonPose]:
        """Set ``track_id`` on each person (in place) and return the list; with the frame's (H, W, 3) RGB image
        the torso colours gate the matches too (when max_appearance_distance < 1)."""
        gated = image_rgb is not None and self.config.max_appearance_distance < 1.0
        looks = [torso_colour(image_rgb, p.keypoints_2d) for p in persons] if gated else None
        ids = self.update_boxes(np.array([p.bbox for p in persons]).reshape(-1, 4), looks)
        for person, track_id in zip(persons, ids):
            person.track_id = int(track_id)
        return persons

    def update_boxes(self, boxes: np.ndarray, appearances: list[np.ndarray | None] | None = None) -> list[int]:
        """One frame of (N, 4) boxes (pixels) -> their N track ids; `appearances`: per box a torso colour
        histogram (`pose.appearance.torso_colour`) or None."""
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        looks = list(appearances) if appearances is not None else [None] * len(boxes)
        assigned: dict[int, _Track] = {}
        free_dets = list(range(len(boxes)))
        free_tracks = list(range(len(self._tracks)))
        if self._tracks and len(boxes):
            predicted = np.array([t.predicted() for t in self._tracks])
            other_look = self._other_look(looks)                      # (tracks, boxes): someone else's torso
            cost = 1.0 - box_iou(predicted, boxes)
            cost[other_look] = np.inf
            self._assign(cost, 1.0 - self.config.min_iou, free_tracks, free_dets, assigned)
            lost = [i for i in free_tracks if self._tracks[i].missed >= self.config.centre_match_after_missed]
            if lost and free_dets:
                centre = lambda b: 0.5 * (b[..., :2] + b[..., 2:])  # noqa: E731
                diag = np.array([np.hypot(*(predicted[i, 2:] - predicted[i, :2])) for i in range(len(self._tracks))])
                dist = (np.linalg.norm(centre(predicted)[:, None] - centre(boxes)[None], axis=-1)
                        / np.maximum(diag, 1e-6)[:, None])
                dist[[i for i in range(len(self._tracks)) if i not in lost]] = np.inf
                # a track seen in the previous frame may only have jumped a little (re-centred box); a lost one
                # may have drifted further from its prediction: cost in units of each track's own gate
                gate = np.array([self.config.max_centre_distance if t.missed > 0 else self.config.max_jump_distance
                                 for t in self._tracks])
                dist = dist / gate[:, None]
                height = lambda b: np.maximum(b[..., 3] - b[..., 1], 1e-6)  # noqa: E731
                ratio = height(predicted)[:, None] / height(boxes)[None]
                dist[np.maximum(ratio, 1 / ratio) > self.config.max_height_ratio] = np.inf  # other size: other person
                dist[other_look] = np.inf
                self._assign(dist, 1.0, free_tracks, free_dets, assigned)
        alpha = self.config.velocity_smoothing
        for det, track in assigned.items():
            measured = (boxes[det] - track.box) / (track.missed + 1)
            track.velocity = measured if track.hits == 1 else alpha * measured + (1 - alpha) * track.velocity
            track.box, track.missed, track.hits = boxes[det], 0, track.hits + 1
            look = looks[det]
            if look is not None:
                track.appearance = (look if track.appearance is None else
                                    self.config.appearance_memory * look
                                    + (1 - self.config.appearance_memory) * track.appearance)
        for i in free_tracks:
            self._tracks[i].missed += 1
        for det in free_dets:
            track = _Track(self._next_id, boxes[det], appearance=looks[det])
            self._next_id += 1
            self._tracks.append(track)
            assigned[det] = track
        self._tracks = [t for t in self._tracks if t.missed <= self.config.max_missed_frames]
        return [assigned[d].track_id for d in range(len(boxes))]

    def _other_look(self, looks: list[np.ndarray | None]) -> np.ndarray:
        """(tracks, boxes) bool: both torso colours known and further apart than max_appearance_distance."""
        out = np.zeros((len(self._tracks), len(looks)), bool)
        rows = [i for i, t in enumerate(self._tracks) if t.appearance is not None]
        cols = [j for j, look in enumerate(looks) if look is not None]
        if self.config.max_appearance_distance >= 1.0 or not rows or not cols:
            return out
        dist = appearance_distances(np.stack([self._tracks[i].appearance for i in rows]),
                                    np.stack([looks[j] for j in cols]))
        out[np.ix_(rows, cols)] = dist > self.config.max_appearance_distance
        return out

    def _assign(self, cost: np.ndarray, gate: float, free_tracks: list, free_dets: list, assigned: dict) -> None:
        if not free_tracks or not free_dets:
            return
        sub = cost[np.ix_(free_tracks, free_dets)]
        rows, cols = linear_sum_assignment(np.where(np.isfinite(sub), sub, 1e9))
        matched = [(free_tracks[r], free_dets[c]) for r, c in zip(rows, cols) if sub[r, c] <= gate]
        for t, d in matched:
            assigned[d] = self._tracks[t]
        for t, d in matched:
            free_tracks.remove(t)
            free_dets.remove(d)
