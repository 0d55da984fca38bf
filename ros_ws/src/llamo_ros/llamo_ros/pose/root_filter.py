"""Per-track metric root tracking: a constant-velocity Kalman filter in the camera optical frame.

The per-frame root (`metric_root`) jumps by tens of centimetres between frames, mostly along the viewing ray:
the height-prior distance scales with the stature estimated from each frame's bone lengths. People walk at
nearly constant velocity over a second, so a constant-velocity model with a white-noise acceleration
(`accel_std`, m/s^2) smooths it and gives the velocity.

Measurement noise (`measurement_covariance`) follows the `metric_root` error sizes: along the ray from the
camera a standard deviation of `ray_fraction[source] * distance` (depth ~3 %, height prior ~8 % frame to
frame, assumed intrinsics ~10 %), across it `lateral_fraction * distance` (a few pixels of 2D error).
A measurement whose squared Mahalanobis distance to the prediction exceeds `gate_chi2` is an outlier: it is
not used (the track coasts on its prediction) unless `max_rejected` measurements in a row are rejected, after
which the track restarts from the measurement (the person really is elsewhere). A track without a measurement
for more than `max_gap_s` restarts too; frames without a measurement are bridged by prediction.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.pose.person_pose import PersonPose, RootSource

# Chi-square 99.9 % quantile with 3 degrees of freedom: a correct measurement is gated 1 time in 1000.
CHI2_3DOF_999 = 16.27


@dataclass
class RootFilterSettings:
    """Noise model of `RootFilter` (see the module docstring); the pose stage's PoseConfig sets these."""

    accel_std: float = 1.0            # white-noise acceleration, m/s^2
    ray_fraction_depth: float = 0.03  # measurement std along the ray / distance, per root source
    ray_fraction_height_prior: float = 0.08
    ray_fraction_assumed: float = 0.10
    lateral_fraction: float = 0.01    # measurement std across the ray / distance
    gate_chi2: float = CHI2_3DOF_999
    max_rejected: int = 3             # consecutive gated measurements after which the track restarts
    max_gap_s: float = 1.0            # a track unmeasured longer than this restarts, s
    initial_speed_std: float = 1.5    # velocity std of a new track, m/s (walking speed)

    def __post_init__(self) -> None:
        for name in ("accel_std", "ray_fraction_depth", "ray_fraction_height_prior", "ray_fraction_assumed",
                     "lateral_fraction", "gate_chi2", "max_gap_s", "initial_speed_std"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.max_rejected < 1:
            raise ValueError(f"max_rejected must be >= 1, got {self.max_rejected}")


@dataclass
class RootEstimate:
    """One track's filtered root at one stamp; metres and seconds, camera optical frame."""

    position: np.ndarray     # (3,) m
    velocity: np.ndarray     # (3,) m/s
    covariance: np.ndarray   # (3, 3) position covariance, m^2
    gated: bool              # the measurement of this frame was rejected as an outlier (or there was none)


class _Track:
    def __init__(self, stamp_ns: int, position: np.ndarray, r: np.ndarray, speed_std: float) -> None:
        self.stamp_ns = stamp_ns
        self.x = np.concatenate([position, np.zeros(3)])                     # (6,) p, v
        self.p = np.zeros((6, 6))
        self.p[:3, :3], self.p[3:, 3:] = r, np.eye(3) * speed_std ** 2
        self.rejected = 0


class RootFilter:
    """Constant-velocity Kalman filter of each track's root (see the module docstring)."""

    def __init__(self, settings: RootFilterSettings | None = None) -> None:
        self.settings = settings or RootFilterSettings()
        self._tracks: dict[int, _Track] = {}
        self.gated = 0          # measurements rejected as outliers, for diagnostics

    def __contains__(self, track_id: int) -> bool:
        return track_id in self._tracks

    def measurement_covariance(self, position: np.ndarray, source: RootSource) -> np.ndarray:
        """(3, 3) m^2 covariance of a root measured at `position` (m, optical frame) from `source`."""
        s = self.settings
        fraction = {RootSource.DEPTH: s.ray_fraction_depth, RootSource.HEIGHT_PRIOR: s.ray_fraction_height_prior
                    }.get(source, s.ray_fraction_assumed)
        distance = float(np.linalg.norm(position))
        ray = position / max(distance, 1e-6)
        along, across = (fraction * distance) ** 2, (s.lateral_fraction * distance) ** 2
        return across * np.eye(3) + (along - across) * np.outer(ray, ray)

    def predict(self, track_id: int, stamp_ns: int) -> RootEstimate | None:
        """The track's state predicted to `stamp_ns` without changing it; None for an unknown track."""
        track = self._tracks.get(track_id)
        if track is None:
            return None
        x, p = self._predicted(track, (stamp_ns - track.stamp_ns) * 1e-9)
        return RootEstimate(x[:3], x[3:], p[:3, :3], True)

    def update(self, track_id: int, stamp_ns: int, position: np.ndarray | None,
               source: RootSource = RootSource.HEIGHT_PRIOR) -> RootEstimate | None:
        """Fuse one measured root (3,) m of `track_id` at `stamp_ns` (None or NaN: no measurement this frame);
        returns the filtered estimate, or None for an unknown track without a measurement."""
        s = self.settings
        measured = position is not None and np.all(np.isfinite(position)) and position[2] > 0
        track = self._tracks.get(track_id)
        if track is not None and (stamp_ns <= track.stamp_ns or (stamp_ns - track.stamp_ns) * 1e-9 > s.max_gap_s):
            track = None   # clock reset or too long unseen: start over
            del self._tracks[track_id]
        if not measured:
            if track is None:
                return None
            x, p = self._predicted(track, (stamp_ns - track.stamp_ns) * 1e-9)
            return RootEstimate(x[:3].copy(), x[3:].copy(), p[:3, :3].copy(), True)
        z = np.asarray(position, np.float64)
        r = self.measurement_covariance(z, source)
        if track is None:
            track = self._tracks[track_id] = _Track(stamp_ns, z, r, s.initial_speed_std)
            return RootEstimate(z.copy(), np.zeros(3), r.copy(), False)
        x, p = self._predicted(track, (stamp_ns - track.stamp_ns) * 1e-9)
        innovation = z - x[:3]
        innovation_cov = p[:3, :3] + r
        d2 = float(innovation @ np.linalg.solve(innovation_cov, innovation))
        if d2 > s.gate_chi2:
            self.gated += 1
            track.rejected += 1
            if track.rejected >= s.max_rejected:   # not an outlier: the person is elsewhere (or a new person)
                self._tracks[track_id] = _Track(stamp_ns, z, r, s.initial_speed_std)
                return RootEstimate(z.copy(), np.zeros(3), r.copy(), False)
            return RootEstimate(x[:3].copy(), x[3:].copy(), p[:3, :3].copy(), True)
        # K = P H^T S^-1 = (S^-1 P[:3])^T, S symmetric (solve: LAPACK's inverse was ~1 ms a call here, solve ~10 us)
        gain = np.linalg.solve(innovation_cov, p[:3]).T           # (6, 3)
        track.x = x + gain @ innovation
        h = np.zeros((3, 6))
        h[:, :3] = np.eye(3)
        joseph = np.eye(6) - gain @ h                              # Joseph form keeps P symmetric positive
        track.p = joseph @ p @ joseph.T + gain @ r @ gain.T
        track.stamp_ns, track.rejected = stamp_ns, 0
        return RootEstimate(track.x[:3].copy(), track.x[3:].copy(), track.p[:3, :3].copy(), False)

    def forget_stale(self, now_ns: int) -> list[int]:
        """Drop tracks unmeasured for more than max_gap_s before `now_ns`; returns their ids."""
        stale = [t for t, tr in self._tracks.items() if (now_ns - tr.stamp_ns) * 1e-9 > self.settings.max_gap_s]
        for t in stale:
            del self._tracks[t]
        return stale

    def _predicted(self, track: _Track, dt: float) -> tuple[np.ndarray, np.ndarray]:
        f = np.eye(6)
        f[:3, 3:] = np.eye(3) * dt
        a2 = self.settings.accel_std ** 2   # white-noise acceleration, independent per axis
        q = np.zeros((6, 6))
        q[:3, :3], q[:3, 3:], q[3:, :3], q[3:, 3:] = (np.eye(3) * a2 * v for v in (dt ** 4 / 4, dt ** 3 / 2,
                                                                                  dt ** 3 / 2, dt ** 2))
        return f @ track.x, f @ track.p @ f.T + q

    def filter_persons(self, stamp_ns: int, persons: list[PersonPose]) -> list[PersonPose]:
        """Filter the roots of one frame's tracked people in place: each `root_position` becomes the filtered
        one, the skeleton moves with it, and `measured_root`, `root_velocity`, `root_covariance` are set."""
        for person in persons:
            if person.root_source is RootSource.NONE or person.track_id < 0:
                continue
            measured = person.root_position.astype(np.float64)
            estimate = self.update(person.track_id, stamp_ns, measured, person.root_source)
            if estimate is None:
                continue
            shift = (estimate.position - measured).astype(np.float32)
            person.measured_root = person.root_position.copy()
            person.root_position = person.root_position + shift
            person.keypoints_3d = person.keypoints_3d + shift
            person.root_velocity = estimate.velocity.astype(np.float32)
            person.root_covariance = estimate.covariance.astype(np.float32)
        self.forget_stale(stamp_ns)
        return persons
