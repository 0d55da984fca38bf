"""`MediaPipeBackend`: MediaPipe Pose (BlazePose GHUM) for several people, small and far ones included.

MediaPipe's legacy pose solution follows one person and its detector sees the whole image at
224x224, so a pedestrian 80 px tall in a 768x576 frame shrinks to ~25 px and is missed (~0.13
people per frame on vtest.avi). This backend drives the two MediaPipe subgraphs that ship inside
the wheel (no download) separately, the way MediaPipe's own tracking works, but for many people:

1. **Detection on tiles.** The BlazePose detector (224x224 input; `blazepose_detector`: LiteRT with
   MediaPipe's ``PoseDetectionCpu`` processing in numpy, or that graph itself) runs on the
   whole frame (near people) and on square tiles of ``detection_tile_px`` pixels, i.e. at the
   detector's native resolution, where a person ~80 px tall is big enough to be found. The scan
   is spread over frames: ``detection_tiles_per_frame`` windows per call, round-robin, so a full
   sweep of a 768x576 frame (whole frame + 20 tiles) is spread over 7 frames at 3 windows per
   frame; only the first image after a reset is scanned whole.
2. **Tracking by landmarks.** Every person found on the previous call is re-measured with the
   landmark model in a region of interest computed from their own landmarks (hip centre, body
   size, torso rotation), without running the detector for them again. The landmark model runs
   with LiteRT and MediaPipe's pre/post-processing redone in numpy (`blazepose_landmarks`: the same
   landmarks, 3/4 of the time); MediaPipe's own ``PoseLandmarkByRoiCpu`` is the fallback. The
   model's pose presence score (threshold 0.5) ends a track when the person is gone.
3. New detections not already covered by a tracked person get landmarks the same way, up to
   ``max_persons`` landmark runs per call. A new person the pose stage drops (`dropped`: its
   upright filter, `person_filter`) is not tracked: a fit to a thing lying on the ground
   (vtest.avi's yellow jacket on the lawn) would otherwise be re-measured every frame for nothing.

One landmark run costs about as much as one detector window, so per-frame cost ~ (people + windows
scanned) x one inference; see `MediaPipeConfig` for the knobs. Measured on the 2-core CPU shared
with a compile job (load ~6, so ~2-3x slower than an idle machine): landmark run 44 ms, detector
window 26-31 ms (p50). First 200 frames of vtest.avi, upright people per frame / p50 ms per frame:
whole frame only (the old behaviour) 0.01 / 29; 1 window per frame 3.13 / 184 (max_persons=4:
3.04 / 194); 3 windows per frame (default) 3.72 / 283; every window every frame, no tracking
3.40 / 772. Tracking finds more than scanning everything: once found, people walking away from
the camera stay tracked, while the face-keyed detector alone misses them.
With ``track_between_frames=False`` and ``detection_tiles_per_frame=0`` every call is independent
and scans everything (photographs, tests).

The 3D skeleton comes from MediaPipe's world landmarks (metres, origin between the hips, axes
aligned with the image: x right, y down, z away from the camera), placed in the camera optical
frame by `metric_root.place_person`.
"""
from __future__ import annotations

import itertools
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from llamo_ros.config_fields import param
from llamo_ros.pose.blazepose_detector import GraphPoseDetector, LiteRtPoseDetector, PersonDetection
from llamo_ros.pose.blazepose_landmarks import GraphLandmarkModel, LandmarkFit, LiteRtLandmarkModel
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.keypoint_layouts import mediapipe33_to_h36m17
from llamo_ros.pose.metric_root import MetricRootConfig, place_person
from llamo_ros.pose.person_pose import DEFAULT_MAX_PERSONS, PersonPose, checked_rgb_image
from llamo_ros.skeleton import JOINT_INDEX

_log = logging.getLogger(__name__)

@dataclass
class MediaPipeConfig:
    """Settings of `MediaPipeBackend` (pixels are pixels of the input image); pose node parameters
    ``mediapipe.<field>``."""

    max_persons: int = param(DEFAULT_MAX_PERSONS, "landmark runs per image at most (tracked people first)")
    min_detection_confidence: float = param(0.5, "BlazePose detector score needed to start a person, in [0, 1]")
    min_keypoint_confidence: float = param(0.5, "landmarks below this confidence do not shape the person's box")
    model_complexity: int = param(1, "1 = pose_landmark_full, the only landmark model in the mediapipe wheel")
    # LiteRT gives MediaPipe's results in less time; the graphs are the fallback when LiteRT is missing
    runtime: str = param("litert", "litert: the models through LiteRT with MediaPipe's processing in numpy; "
                                   "mediapipe: MediaPipe's own graphs")
    # 224 = the detector's input size, so tiles are neither shrunk nor enlarged
    detection_tile_px: int = param(224, "detector windows: the whole frame plus square tiles of this side, px "
                                        "(0 = whole frame only)")
    # a person cut by one tile border is whole in the next tile
    detection_tile_overlap: float = param(0.25, "fraction of a detector tile shared with its neighbour")
    # Each window costs about one landmark run; new people appear within ceil(windows / this) frames (768x576:
    # 21 windows, 11 frames at 2). 2 rather than 3 keeps a 2-core CPU at camera rate on vtest.avi (pose 86-97 vs
    # 102-107 ms/frame) for 2.4 % fewer people per frame, the ones that entered up to 0.4 s earlier.
    detection_tiles_per_frame: int = param(2, "detector windows scanned per image, round-robin over the whole "
                                              "frame and the tiles (0 = all; more finds people sooner, costs "
                                              "about one landmark run each)")
    track_between_frames: bool = param(True, "re-measure the last image's people from their own landmarks "
                                             "(video); false: every image independent (photographs)")
    roi_scale: float = param(1.25, "ROI side / (2 x hip-centre-to-body-extent distance); MediaPipe's own value")
    duplicate_distance: float = param(0.25, "two people whose hip centres are closer than this x the box height "
                                            "are one person (the tracked one is kept)")
    roi_hold: float = param(0.1, "a tracked person's ROI moves only when the new one differs by more than this "
                                 "x the ROI side (or 10 deg); 0 = follow every fit")
    # each model releases the GIL: 2.1x on 2 cores
    threads: int = param(2, "landmark fits and detector windows run in parallel on this many threads "
                            "(results and their order do not depend on it)")


@dataclass
class _Roi:
    """A rotated square region of interest in pixels (MediaPipe's NormalizedRect, unnormalised)."""

    cx: float
    cy: float
    side: float
    rotation: float  # radians, MediaPipe convention (0 = person upright)


def _roi_from_alignment(center: tuple[float, float], extent: tuple[float, float], scale: float) -> _Roi:
    """MediaPipe's alignment-points ROI: ``center`` = hip centre, ``extent`` = full-body scale point."""
    dx, dy = extent[0] - center[0], extent[1] - center[1]
    rotation = math.pi / 2 - math.atan2(-dy, dx)
    rotation = rotation - 2 * math.pi * math.floor((rotation + math.pi) / (2 * math.pi))
    return _Roi(center[0], center[1], 2.0 * math.hypot(dx, dy) * scale, rotation)


def _upright(roi: _Roi) -> _Roi:
    """``roi`` turned upright if it is upside down (head below the hips), else unchanged.

    A camera at person height sees people standing, sitting or lying, never head-down: an upside-down
    alignment is the detector keying on something face-like (on basketball1, a print on the right
    player's shirt, score 0.505, hips placed above that "face"). Measured in that ROI the landmark
    model fits an upside-down skeleton to part of the player, the track shrinks and drifts off him.
    In an upright ROI at the same place it fits the player who is there.
    """
    if abs(roi.rotation) > math.pi / 2:
        return _Roi(roi.cx, roi.cy, roi.side, 0.0)
    return roi


def _held(previous: _Roi, new: _Roi, hold: float) -> _Roi:
    """``previous`` while ``new`` is within ``hold`` x its side (and 10 degrees) of it, else ``new``.

    Each fit's ROI feeds the next fit; on a still person the per-frame fit noise then random-walks
    the ROI (centre, size) until the model settles on another part of the scene (basketball1's right
    player: shrinking boxes, lost, then a "person" on the floor). Holding the ROI until the person
    really moved breaks that loop; MediaPipe's own tracker smooths the ROI landmarks for the same
    reason. A moving person's ROI lags by at most ``hold`` x side, well inside its 25 % margin.
    """
    moved = max(abs(new.cx - previous.cx), abs(new.cy - previous.cy), abs(new.side - previous.side))
    turned = abs(math.remainder(new.rotation - previous.rotation, 2 * math.pi))
    return previous if moved <= hold * previous.side and turned <= math.radians(10) else new


def detection_windows(width: int, height: int, tile_px: int, overlap: float) -> list[tuple[int, int, int, int]]:
    """[whole frame] + overlapping square tiles covering the frame, as (x0, y0, x1, y1) pixels."""
    windows = [(0, 0, width, height)]
    if tile_px <= 0 or (tile_px >= width and tile_px >= height):
        return windows
    stride = max(1, int(round(tile_px * (1.0 - overlap))))

    def starts(size: int) -> list[int]:
        if tile_px >= size:
            return [0]
        out = list(range(0, size - tile_px, stride)) + [size - tile_px]
        return sorted(set(out))

    for y0 in starts(height):
        for x0 in starts(width):
            windows.append((x0, y0, min(width, x0 + tile_px), min(height, y0 + tile_px)))
    return windows


def _litert_available() -> bool:
    """True if LiteRT imports; else a warning that MediaPipe's slower graphs run instead."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError as error:
        _log.warning("LiteRT is not installed (%s): the pose models run in MediaPipe's graphs, ~1.3x slower; "
                     "`pip install ai-edge-litert` for the faster runtime", error)
        return False
    return True


class MediaPipeBackend:
    """`PoseBackend` running MediaPipe's pose detector on tiles and its landmark model per person, CPU."""

    def __init__(self, config: MediaPipeConfig | None = None, root_config: MetricRootConfig | None = None):
        self.config = config or MediaPipeConfig()
        self.root_config = root_config or MetricRootConfig()
        if self.config.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.config.threads}")
        if self.config.runtime not in ("litert", "mediapipe"):
            raise ValueError(f"runtime must be 'litert' or 'mediapipe', got {self.config.runtime!r}")
        # one detector and one landmark model per thread: neither serves two callers at a time
        litert = self.config.runtime == "litert" and _litert_available()
        self._detectors = [LiteRtPoseDetector() if litert else GraphPoseDetector() for _ in range(self.config.threads)]
        self._landmarkers = [LiteRtLandmarkModel() if litert and self.config.model_complexity == 1
                             else GraphLandmarkModel(self.config.model_complexity) for _ in range(self.config.threads)]
        # a lone fit (a new person's first fit or refit) would leave the other threads idle: it runs on a
        # model with all of them instead (same result; ~5 ms less per lone fit on 2 cores)
        self._lone_fit = (LiteRtLandmarkModel(threads=self.config.threads)
                          if self.config.threads > 1 and isinstance(self._landmarkers[0], LiteRtLandmarkModel)
                          else None)
        self._pool = ThreadPoolExecutor(self.config.threads, "mediapipe") if self.config.threads > 1 else None
        self._tracked: list[_Roi] = []
        self._started: list[tuple[PersonPose, _Roi]] = []   # people whose track the last call started
        self._next_window = 0
        self._swept = False          # has a full detection scan run since the last reset?
        self._image_size: tuple[int, int] | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        for model in self._detectors + self._landmarkers + ([self._lone_fit] if self._lone_fit else []):
            model.close()

    def _run_all(self, jobs: list) -> list:
        """Run MediaPipe ``jobs`` in parallel; their results in job order.

        A job is ("landmarks", image, _Roi) or ("detect", tile image). Each worker thread owns one detector
        and one landmarker and takes the next job as soon as it is free, so landmark runs and detector
        windows of one frame share the threads without a barrier between them. The graphs keep no state
        between calls, so which thread ran a job does not change its result.
        """
        if len(jobs) == 1 and jobs[0][0] == "landmarks" and self._lone_fit is not None:
            return [self._fit(self._lone_fit, jobs[0])]
        if self._pool is None or len(jobs) < 2:
            return [self._run_job(0, job) for job in jobs]
        results: list = [None] * len(jobs)
        claimed = itertools.count()   # next() is atomic under the GIL: every job is taken exactly once

        def worker(k: int) -> None:
            for i in iter(lambda: next(claimed), None):
                if i >= len(jobs):
                    return
                results[i] = self._run_job(k, jobs[i])

        for future in [self._pool.submit(worker, k) for k in range(min(self.config.threads, len(jobs)))]:
            future.result()   # re-raises a worker's exception
        return results

    def _run_job(self, k: int, job: tuple):
        return self._detectors[k].detect(job[1]) if job[0] == "detect" else self._fit(self._landmarkers[k], job)

    @staticmethod
    def _fit(model, job: tuple) -> LandmarkFit | None:
        _, image, roi = job
        return model.fit(image, roi.cx, roi.cy, roi.side, roi.rotation)

    def reset(self) -> None:
        """Forget tracked people (call between unrelated images or streams)."""
        self._tracked, self._started, self._next_window, self._swept = [], [], 0, False

    def dropped(self, persons: list[PersonPose]) -> None:
        """The stage dropped ``persons`` of the last `estimate`: those whose track that call started are not
        followed (on vtest.avi the upright filter saves one landmark run per frame: the jacket on the lawn is
        re-measured only when a detector window finds it again). People tracked before stay tracked whatever
        their shape (bending, sitting, falling)."""
        gone = {id(p) for p in persons}
        stop = [roi for person, roi in self._started if id(person) in gone]
        self._tracked = [roi for roi in self._tracked if not any(roi is r for r in stop)]
        self._started = [(p, roi) for p, roi in self._started if id(p) not in gone]

    def estimate(self, image_rgb: np.ndarray, intrinsics: CameraIntrinsics | None = None,
                 depth: np.ndarray | None = None) -> list[PersonPose]:
        image = checked_rgb_image(image_rgb)
        height, width = image.shape[:2]
        if self._image_size != (width, height) or not self.config.track_between_frames:
            self.reset()
            self._image_size = (width, height)
        persons: list[PersonPose] = []
        next_rois: list[_Roi] = []
        tracked = self._tracked[: self.config.max_persons]   # people of the previous call first
        windows = self._windows(width, height)
        # one parallel batch: re-measure the tracked people and scan this call's detector windows
        raw = self._run_all([("landmarks", image, roi) for roi in tracked] +
                            [("detect", np.ascontiguousarray(image[y0:y1, x0:x1])) for x0, y0, x1, y1 in windows])
        for roi, result in zip(tracked, raw):         # accepted in order: the older track wins a duplicate
            fit = self._accept(result, image, intrinsics, depth, persons)
            if fit is not None:
                persons.append(fit[0])
                next_rois.append(_held(roi, fit[1], self.config.roi_hold))
        runs = len(tracked)
        new = self._new_people(windows, raw[len(tracked):], persons)[: max(0, self.config.max_persons - runs)]
        # A detection ROI is coarse (hip centre and size guessed from the face), so the first fit can
        # cover a different part of the person than the fits in the ROIs from their own landmarks that
        # follow: measure once more in such an ROI, so a new person's first box is the one tracking keeps
        # (basketball1's right player: box top 155 -> 171, then still). Both fits of every new person run
        # in parallel; they are accepted one by one below, in detection order, as if run one after another.
        first = self._run_all([("landmarks", image, roi) for roi in new])
        # a first fit that lands on a tracked person is dropped below whatever comes before it: no second fit
        first_fits = [self._accept(result, image, intrinsics, depth, persons) for result in first]
        refit = self.config.track_between_frames
        second = self._run_all([("landmarks", image, fit[1]) for fit in first_fits if fit is not None]) if refit else []
        second_of = iter(second)
        started: list[tuple[PersonPose, _Roi]] = []
        for result, first_fit in zip(first, first_fits):
            if runs >= self.config.max_persons:
                break
            runs += 1
            second_result = next(second_of) if refit and first_fit is not None else None
            fit = self._accept(result, image, intrinsics, depth, persons)
            if fit is not None and refit and runs < self.config.max_persons:
                runs += 1
                fit = self._accept(second_result, image, intrinsics, depth, persons) or fit
            if fit is not None:
                persons.append(fit[0])
                next_rois.append(fit[1])
                started.append(fit)
        self._tracked, self._started = next_rois, started
        return persons

    # -- detection --------------------------------------------------------------------------

    def detect_people(self, image_rgb: np.ndarray, known: list[PersonPose] | None = None) -> list[_Roi]:
        """Detector only (no landmarks): ROIs of the people in this call's windows not in ``known``, best first."""
        image = checked_rgb_image(image_rgb)
        windows = self._windows(image.shape[1], image.shape[0])
        tiles = [("detect", np.ascontiguousarray(image[y0:y1, x0:x1])) for x0, y0, x1, y1 in windows]
        return self._new_people(windows, self._run_all(tiles), known or [])

    def _windows(self, width: int, height: int) -> list[tuple[int, int, int, int]]:
        """The detector windows of this call (round-robin; all of them on the first call of a stream)."""
        windows = detection_windows(width, height, self.config.detection_tile_px, self.config.detection_tile_overlap)
        count = self.config.detection_tiles_per_frame
        if count <= 0 or count >= len(windows) or not self._swept:
            self._swept = True   # the first image of a stream is scanned whole: everyone from the start
            return windows
        chosen = [windows[(self._next_window + i) % len(windows)] for i in range(count)]
        self._next_window = (self._next_window + count) % len(windows)
        return chosen

    def _new_people(self, windows: list, results: list[list[PersonDetection]], known: list[PersonPose]) -> list[_Roi]:
        """ROIs of the people detected in ``windows`` (``results``: their detections) not already in
        ``known``, best score first."""
        found: list[tuple[float, _Roi]] = []
        for (x0, y0, x1, y1), detections in zip(windows, results):
            w, h = x1 - x0, y1 - y0
            for detection in detections:
                if detection.score < self.config.min_detection_confidence:
                    continue
                (cx, cy), (ex, ey) = detection.hip_center, detection.body_extent
                center, extent = (x0 + cx * w, y0 + cy * h), (x0 + ex * w, y0 + ey * h)
                found.append((detection.score, _upright(_roi_from_alignment(center, extent, self.config.roi_scale))))
        found.sort(key=lambda item: -item[0])
        rois: list[_Roi] = []
        for _, roi in found:   # the same person seen in overlapping windows, or already tracked
            if not any(math.hypot(roi.cx - r.cx, roi.cy - r.cy) < self.config.duplicate_distance * r.side
                       for r in rois) \
                    and not self._covered(roi.cx, roi.cy, known):
                rois.append(roi)
        return rois

    def _covered(self, u: float, v: float, persons: list[PersonPose]) -> bool:
        """True if pixel (u, v) is the hip centre of one of ``persons`` (within duplicate_distance)."""
        pelvis = JOINT_INDEX["pelvis"]
        for p in persons:
            box_h = max(1.0, float(p.bbox[3] - p.bbox[1]))
            pu, pv = p.keypoints_2d[pelvis, :2]
            if math.hypot(u - pu, v - pv) < self.config.duplicate_distance * box_h:
                return True
        return False

    # -- landmarks --------------------------------------------------------------------------

    def _accept(self, fit: LandmarkFit | None, image, intrinsics, depth,
                persons: list[PersonPose]) -> tuple[PersonPose, _Roi] | None:
        """A landmark fit as a person and their next ROI; None if nobody or one of ``persons``."""
        if fit is None:
            return None   # pose presence below MediaPipe's 0.5: nobody (any more) in this ROI
        height, width = image.shape[:2]
        person = self._person(fit.image, fit.world, (width, height), intrinsics, depth)
        pelvis = person.keypoints_2d[JOINT_INDEX["pelvis"], :2]
        if self._covered(float(pelvis[0]), float(pelvis[1]), persons):
            return None   # two tracks converged on one person: keep the earlier (older) one
        center, extent = fit.alignment
        next_roi = _upright(_roi_from_alignment(tuple(center), tuple(extent), self.config.roi_scale))
        return person, next_roi

    def _person(self, image_lm, world_lm, image_size, intrinsics, depth) -> PersonPose:
        width, height = image_size
        conf33 = np.clip(image_lm[:, 2], 0.0, 1.0)
        # Landmarks outside the image are MediaPipe's guesses; keep them, but not as confident.
        inside = (image_lm[:, 0] >= 0) & (image_lm[:, 0] < width) & (image_lm[:, 1] >= 0) & (image_lm[:, 1] < height)
        conf33 = np.where(inside, conf33, np.minimum(conf33, 0.2))
        uv, conf = mediapipe33_to_h36m17(image_lm[:, :2], conf33)
        rel, _ = mediapipe33_to_h36m17(world_lm, conf33)
        keypoints_2d = np.concatenate([uv, conf[:, None]], axis=1)
        joints, root, source = place_person(rel, keypoints_2d, image_size, intrinsics, depth, self.root_config)
        seen = conf33 >= self.config.min_keypoint_confidence
        pts = image_lm[seen if seen.sum() >= 2 else np.argsort(-conf33)[:2], :2]
        bbox = np.array([pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()], dtype=np.float32)
        bbox = np.clip(bbox, 0, [width, height, width, height])
        return PersonPose(bbox=bbox, score=float(np.mean(conf33)), keypoints_2d=keypoints_2d, keypoints_3d=joints,
                          keypoint_3d_confidence=conf, root_position=root, root_source=source)


def tracked_rois(frames: list[np.ndarray],
                 config: MediaPipeConfig) -> list[tuple[np.ndarray, float, float, float, float]]:
    """(frame, cx, cy, side, rotation) of every ROI a backend with ``config`` tracks after each of ``frames``
    (the regions its next landmark fits measure; pixels, radians), for comparing landmark runtimes."""
    backend = MediaPipeBackend(config)
    try:
        out = []
        for frame in frames:
            backend.estimate(frame)
            out += [(frame, r.cx, r.cy, r.side, r.rotation) for r in backend._tracked]
        return out
    finally:
        backend.close()
