"""How usable a replay's outputs are for a planner: intent stability, root smoothness, path accuracy, tracks.

Reads an output bag of `llamo replay` (Person3DArray on `<prefix>/persons`, IntentPredictionArray on
`<prefix>/intents`) with the bag's own message definitions (`rosbags.highlevel.AnyReader`), so bags written
before a message gained fields still read. All positions are metres in the camera optical frame.

- intent flips per track-second: changes of a track's most likely intent between its consecutive intent
  messages, divided by the summed span (first to last intent message) of all tracks;
- implausible intents: the share of track-frames (one intent prediction of one track) whose most likely intent
  is outside a plausible set, in total and with that intent's probability >= 0.5;
- root jitter: RMS over all tracks of |second difference of the published root| / dt^2 (m/s^2), over
  consecutive observations at most `max_gap_s` apart (irregular spacing handled);
- path FDE at 1 s and 2 s: distance of the published future-path point at that horizon to the track's real root
  then, and the same for constant-velocity extrapolation of the published roots with 0.3 s and 1 s velocity
  windows. The "real" root is the measured one (`Person3D.measured_root_position` when the bag has it, else
  `root_position`), smoothed by a centred (non-causal) local linear fit over `truth_smoothing_s`, since a
  single frame's measurement is off by tens of centimetres, and linearly interpolated between observations at
  most `max_gap_s` apart;
- paired path comparison: at the same predictions (same track, same window end), the FDE of constant velocity
  from the published roots with each velocity window, so that "model vs constant velocity" compares like with
  like (the constant-velocity FDE above is over every observation, not only where a path was published);
  `from_s` restricts the path numbers to predictions made that long after the bag's first image (e.g. the
  last 30 s of a clip whose first 50 s were used for tuning);
- path uncertainty: the share of future-path coordinates (x, y, z pooled) within 1 and 2 published standard
  deviations (`IntentPrediction.future_path_std`) of the real position (68 % and 95 % if it were Gaussian and
  calibrated);
- track count and mean track length (s, first to last observation).

When the bag has measured roots, root jitter and the constant-velocity FDE are also given from them (the same
run without the root filter's smoothing). The constant-velocity FDE is also given from the real roots themselves
(the smoothed truth, non-causal): what constant velocity errs with perfect positions, because people turn and change
pace; no root estimate's constant-velocity FDE is expected below it, so it bounds what filtering can gain.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from llamo_ros.config_fields import param

PEDESTRIAN_INTENTS = ("approaching", "passing_by", "leaving", "standing_idle")


@dataclass
class ReportConfig:
    prefix: str = param("/llamo", "namespace of the output topics (persons, intents)")
    plausible: tuple = param(PEDESTRIAN_INTENTS, "intents plausible in the scene; others count as implausible")
    horizons_s: tuple = param((1.0, 2.0), "future-path horizons at which FDE is measured, s")
    cv_windows_s: tuple = param((0.3, 1.0), "velocity windows of the constant-velocity baselines, s")
    max_gap_s: float = param(0.35, "observations further apart are not differenced or interpolated across, s")
    confident_p: float = param(0.5, "probability from which an implausible intent counts as confident")
    truth_smoothing_s: float = param(1.0, "the real later root is the measured roots' centred local linear fit "
                                          "over this span (non-causal; single frames are too noisy), s; 0: raw")
    from_s: float = param(0.0, "path numbers only for predictions made at least this long after the first image, s")


@dataclass
class StabilityReport:
    tracks: int = 0
    mean_track_length_s: float = 0.0
    person_frames: int = 0                # Person3D observations with a 3D root
    images: int = 0                       # Person3DArray messages
    intent_predictions: int = 0           # track-frames with an intent
    intent_flips: int = 0
    intent_track_seconds: float = 0.0
    flips_per_track_second: float = 0.0
    implausible_share: float = 0.0
    implausible_confident_share: float = 0.0
    root_jitter_rms_mps2: float = 0.0
    path_fde_m: dict = field(default_factory=dict)     # "1.0" -> mean FDE of the published path, m
    path_fde_n: dict = field(default_factory=dict)     # how many predictions had a real position there
    path_within_1std: dict = field(default_factory=dict)  # "1.0" -> share of path coordinates (x, y, z pooled)
    path_within_2std: dict = field(default_factory=dict)  # within 1 / 2 published std of the real position
    cv_fde_m: dict = field(default_factory=dict)       # "w=0.3,h=1.0" -> mean FDE of constant velocity, m
    cv_fde_n: dict = field(default_factory=dict)
    cv_fde_measured_m: dict = field(default_factory=dict)  # the same from the measured (unfiltered) roots, m
    cv_fde_real_m: dict = field(default_factory=dict)      # the same from the real roots (the smoothed truth), m
    paired_path_fde_m: dict = field(default_factory=dict)  # "h=2.0" -> model FDE where every baseline has one, m
    paired_cv_fde_m: dict = field(default_factory=dict)    # "w=1.0s h=2.0s" -> constant velocity at those predictions
    paired_n: dict = field(default_factory=dict)           # "h=2.0" -> predictions compared
    root_jitter_measured_mps2: float = 0.0             # root jitter of the measured (unfiltered) roots
    truth: str = ""                                    # which root served as the real later position

    def table(self) -> str:
        rows = [("tracks", f"{self.tracks}"),
                ("mean track length", f"{self.mean_track_length_s:.2f} s"),
                ("people per image", f"{self.person_frames / max(1, self.images):.2f}"),
                ("intent flips per track-second", f"{self.flips_per_track_second:.3f} "
                                                  f"({self.intent_flips} in {self.intent_track_seconds:.1f} s)"),
                ("implausible intents", f"{100 * self.implausible_share:.2f} % of {self.intent_predictions} "
                                        "track-frames"),
                ("implausible intents with p >= 0.5", f"{100 * self.implausible_confident_share:.2f} %"),
                ("root jitter (RMS 2nd difference)", f"{self.root_jitter_rms_mps2:.2f} m/s^2")]
        rows += [(f"path FDE @ {h} s", f"{v:.3f} m (n={self.path_fde_n[h]})") for h, v in self.path_fde_m.items()]
        rows += [(f"path @ {h} s within 1 / 2 std", f"{100 * v:.0f} % / {100 * self.path_within_2std[h]:.0f} % "
                  "(Gaussian: 68 % / 95 %)") for h, v in self.path_within_1std.items()]
        rows += [(f"constant-velocity FDE {k}", f"{v:.3f} m (n={self.cv_fde_n[k]})") for k, v in self.cv_fde_m.items()]
        for h, v in self.paired_path_fde_m.items():
            baselines = " / ".join(f"{cv:.3f} m ({k.split()[0]})" for k, cv in self.paired_cv_fde_m.items()
                                   if k.endswith(f"h={h.removeprefix('h=')}s"))
            rows.append((f"paired @ {h.removeprefix('h=')} s: model / constant velocity",
                         f"{v:.3f} m / " + baselines + f" (n={self.paired_n[h]})"))
        if self.cv_fde_measured_m:
            rows.append(("measured-root jitter", f"{self.root_jitter_measured_mps2:.2f} m/s^2"))
            rows += [(f"constant-velocity FDE {k}, measured roots", f"{v:.3f} m")
                     for k, v in self.cv_fde_measured_m.items()]
        rows += [(f"constant-velocity FDE {k}, real roots", f"{v:.3f} m (people turn and change pace)")
                 for k, v in self.cv_fde_real_m.items()]
        rows.append(("real later position", self.truth))
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2))


@dataclass
class _Track:
    stamps: list = field(default_factory=list)      # ns, of Person3D observations with a 3D root
    roots: list = field(default_factory=list)       # published root (3,)
    measured: list = field(default_factory=list)    # measured root (3,)
    intent_stamps: list = field(default_factory=list)
    intents: list = field(default_factory=list)     # (most likely index, its probability, labels)
    paths: list = field(default_factory=list)       # (window_end ns, step s, (H, 3) path, (H, 3) std or None)


def _ns(t) -> int:
    return int(t.sec) * 1_000_000_000 + int(t.nanosec)


def _xyz(p) -> np.ndarray:
    return np.array([p.x, p.y, p.z], np.float64)


def read_tracks(bag: Path, prefix: str = "/llamo") -> tuple[dict[int, _Track], int, bool]:
    """-> (track id -> its observations, number of Person3DArray messages, whether measured roots were there)."""
    from rosbags.highlevel import AnyReader

    prefix = prefix.rstrip("/")
    tracks: dict[int, _Track] = {}
    images, has_measured = 0, False
    with AnyReader([Path(bag)]) as reader:
        conns = [c for c in reader.connections if c.topic in (f"{prefix}/persons", f"{prefix}/intents")]
        if not any(c.topic == f"{prefix}/persons" for c in conns):
            raise ValueError(f"{bag} has no {prefix}/persons topic; its topics: "
                             f"{sorted({c.topic for c in reader.connections})}")
        for conn, _, raw in reader.messages(connections=conns):
            msg = reader.deserialize(raw, conn.msgtype)
            stamp = _ns(msg.header.stamp)
            if conn.topic.endswith("/persons"):
                images += 1
                for p in msg.persons:
                    root = _xyz(p.root_position)
                    if not (np.isfinite(root).all() and root[2] > 0):   # no 3D skeleton in this frame
                        continue
                    t = tracks.setdefault(int(p.track_id), _Track())
                    measured = getattr(p, "measured_root_position", None)   # absent in older bags
                    measured = None if measured is None else _xyz(measured)
                    if measured is not None and not (np.isfinite(measured).all() and measured[2] > 0):
                        measured = None                                      # not filled in
                    has_measured |= measured is not None
                    t.stamps.append(stamp)
                    t.roots.append(root)
                    t.measured.append(root if measured is None else measured)
            else:
                for pred in msg.predictions:
                    t = tracks.setdefault(int(pred.track_id), _Track())
                    probs = np.asarray(pred.probabilities, np.float64)
                    k = int(np.argmax(probs))
                    t.intent_stamps.append(_ns(pred.window_end))
                    t.intents.append((k, float(probs[k]), tuple(pred.labels)))
                    if len(pred.future_path):
                        step = pred.path_time_step.sec + 1e-9 * pred.path_time_step.nanosec
                        std = getattr(pred, "future_path_std", None)   # absent in older bags
                        std = np.array([_xyz(q) for q in std]) if std is not None and len(std) else None
                        t.paths.append((_ns(pred.window_end), step, np.array([_xyz(q) for q in pred.future_path]), std))
    return tracks, images, has_measured


def interpolate(stamps: np.ndarray, values: np.ndarray, at_ns: float, max_gap_s: float) -> np.ndarray | None:
    """Linear interpolation of (T, 3) `values` at `at_ns` between the two observations around it, if they are
    at most `max_gap_s` apart (or one of them is at `at_ns` exactly); None otherwise."""
    i = int(np.searchsorted(stamps, at_ns))
    if i < len(stamps) and stamps[i] == at_ns:
        return values[i]
    if i == 0 or i == len(stamps) or (stamps[i] - stamps[i - 1]) * 1e-9 > max_gap_s:
        return None
    w = (at_ns - stamps[i - 1]) / (stamps[i] - stamps[i - 1])
    return (1 - w) * values[i - 1] + w * values[i]


def smooth_truth(stamps: np.ndarray, values: np.ndarray, span_s: float) -> np.ndarray:
    """Each of (T, 3) `values` replaced by the centred least-squares line through the observations within
    +-span_s / 2 of it, evaluated at its stamp (unchanged where fewer than 3 observations are in reach)."""
    if span_s <= 0:
        return values
    t = (stamps - stamps[0]).astype(np.float64) * 1e-9
    out = values.copy()
    for i in range(len(t)):
        near = np.abs(t - t[i]) <= span_s / 2 + 1e-6
        if near.sum() >= 3:
            a = np.stack([np.ones(near.sum()), t[near] - t[i]], 1)
            coef, *_ = np.linalg.lstsq(a, values[near], rcond=None)
            out[i] = coef[0]
    return out


def root_jitter(stamps: np.ndarray, roots: np.ndarray, max_gap_s: float) -> np.ndarray:
    """|acceleration| (m/s^2) from second differences of consecutive observations at most `max_gap_s` apart."""
    t = stamps.astype(np.float64) * 1e-9
    out = []
    for i in range(1, len(t) - 1):
        d1, d2 = t[i] - t[i - 1], t[i + 1] - t[i]
        if d1 <= 0 or d2 <= 0 or d1 > max_gap_s or d2 > max_gap_s:
            continue
        acc = 2.0 * ((roots[i + 1] - roots[i]) / d2 - (roots[i] - roots[i - 1]) / d1) / (d1 + d2)
        out.append(float(np.linalg.norm(acc)))
    return np.array(out)


def constant_velocity_at(stamps: np.ndarray, roots: np.ndarray, i: int, window_s: float, horizon_s: float,
                         max_gap_s: float) -> np.ndarray | None:
    """r(t_i) + v h with v over the newest observation at least `window_s` before t_i; None without one."""
    j = int(np.searchsorted(stamps, stamps[i] - window_s * 1e9 + 1e6, side="right")) - 1  # 1 ms stamp slack
    if j < 0 or j >= i or (stamps[i] - stamps[j]) * 1e-9 > window_s + max_gap_s:
        return None
    v = (roots[i] - roots[j]) / ((stamps[i] - stamps[j]) * 1e-9)
    return roots[i] + v * horizon_s


def constant_velocity_errors(stamps: np.ndarray, roots: np.ndarray, truth: np.ndarray, window_s: float,
                             horizon_s: float, max_gap_s: float) -> list[float]:
    """Errors (m) of r(t) + v h, v = (r(t) - r(t0)) / (t - t0) with t0 the newest observation at least
    `window_s` before t (and at most `max_gap_s` more), against `truth` interpolated at t + h; at every
    observation with a full window of history and a real position h later."""
    errors = []
    for i in range(len(stamps)):
        predicted = constant_velocity_at(stamps, roots, i, window_s, horizon_s, max_gap_s)
        real = None if predicted is None else interpolate(stamps, truth, stamps[i] + horizon_s * 1e9, max_gap_s)
        if real is not None:
            errors.append(float(np.linalg.norm(predicted - real)))
    return errors


def _mean_per_window(errors: dict) -> dict:
    """{(velocity window s, horizon s): errors} -> {"w=..s h=..s": mean error, m}, leaving out empty lists."""
    return {f"w={w}s h={h}s": float(np.mean(e)) for (w, h), e in errors.items() if e}


def stability_report(bag: Path, config: ReportConfig | None = None) -> StabilityReport:
    """Read an output bag and compute every number of `StabilityReport` (see the module docstring)."""
    c = config or ReportConfig()
    tracks, images, has_measured = read_tracks(bag, c.prefix)
    r = StabilityReport(images=images, truth=("Person3D.measured_root_position" if has_measured
                        else "Person3D.root_position (the bag has no measured_root_position)")
                        + (f", centred {c.truth_smoothing_s:g} s linear fit" if c.truth_smoothing_s > 0 else ""))
    lengths, jitter, jitter_measured, implausible, confident = [], [], [], 0, 0
    cv_keys = [(w, h) for w in c.cv_windows_s for h in c.horizons_s]
    cv_measured, cv_real = {k: [] for k in cv_keys}, {k: [] for k in cv_keys}
    path_err = {h: [] for h in c.horizons_s}
    path_z = {h: [] for h in c.horizons_s}     # |error| / std per coordinate
    cv_err = {k: [] for k in cv_keys}
    paired = {h: [] for h in c.horizons_s}     # (model error, {window: constant-velocity error})
    first_ns = min((t.stamps[0] for t in tracks.values() if t.stamps), default=0)
    for t in tracks.values():
        if t.stamps:
            stamps, roots = np.array(t.stamps, np.int64), np.array(t.roots)
            truth = smooth_truth(stamps, np.array(t.measured), c.truth_smoothing_s)
            r.tracks += 1
            r.person_frames += len(stamps)
            lengths.append((stamps[-1] - stamps[0]) * 1e-9)
            jitter.append(root_jitter(stamps, roots, c.max_gap_s))
            for (w, h), errs in cv_err.items():
                errs += constant_velocity_errors(stamps, roots, truth, w, h, c.max_gap_s)
                cv_real[(w, h)] += constant_velocity_errors(stamps, truth, truth, w, h, c.max_gap_s)
            if has_measured:   # the same numbers from the unfiltered roots of the same run
                measured = np.array(t.measured)
                jitter_measured.append(root_jitter(stamps, measured, c.max_gap_s))
                for (w, h), errs in cv_measured.items():
                    errs += constant_velocity_errors(stamps, measured, truth, w, h, c.max_gap_s)
            for end_ns, step, path, std in t.paths:
                if (end_ns - first_ns) * 1e-9 < c.from_s:
                    continue
                for h in c.horizons_s:
                    k = round(h / step) if step > 0 else 0
                    if 1 <= k <= len(path):
                        real = interpolate(stamps, truth, end_ns + k * step * 1e9, c.max_gap_s)
                        if real is not None:
                            err = float(np.linalg.norm(path[k - 1] - real))
                            path_err[h].append(err)
                            if std is not None and len(std) >= k:
                                path_z[h] += list(np.abs(path[k - 1] - real) / np.maximum(std[k - 1], 1e-9))
                            i = int(np.searchsorted(stamps, end_ns))
                            cv = {w: constant_velocity_at(stamps, roots, i, w, k * step, c.max_gap_s)
                                  for w in c.cv_windows_s} if i < len(stamps) and stamps[i] == end_ns else {}
                            if cv and all(v is not None for v in cv.values()):
                                paired[h].append((err, {w: float(np.linalg.norm(v - real)) for w, v in cv.items()}))
        if t.intents:
            most = [k for k, _, _ in t.intents]
            r.intent_flips += sum(a != b for a, b in zip(most[:-1], most[1:]))
            r.intent_track_seconds += (t.intent_stamps[-1] - t.intent_stamps[0]) * 1e-9
            r.intent_predictions += len(most)
            for k, p, labels in t.intents:
                if labels[k] not in c.plausible:
                    implausible += 1
                    confident += p >= c.confident_p
    r.mean_track_length_s = float(np.mean(lengths)) if lengths else 0.0
    r.flips_per_track_second = r.intent_flips / r.intent_track_seconds if r.intent_track_seconds > 0 else 0.0
    r.implausible_share = implausible / max(1, r.intent_predictions)
    r.implausible_confident_share = confident / max(1, r.intent_predictions)
    acc = np.concatenate(jitter) if jitter else np.empty(0)
    r.root_jitter_rms_mps2 = float(np.sqrt(np.mean(acc ** 2))) if acc.size else 0.0
    acc = np.concatenate(jitter_measured) if jitter_measured else np.empty(0)
    r.root_jitter_measured_mps2 = float(np.sqrt(np.mean(acc ** 2))) if acc.size else 0.0
    r.cv_fde_measured_m, r.cv_fde_real_m = _mean_per_window(cv_measured), _mean_per_window(cv_real)
    r.path_fde_m = {str(h): float(np.mean(e)) for h, e in path_err.items() if e}
    r.path_fde_n = {str(h): len(e) for h, e in path_err.items() if e}
    r.path_within_1std = {str(h): float(np.mean(np.array(z) <= 1)) for h, z in path_z.items() if z}
    r.path_within_2std = {str(h): float(np.mean(np.array(z) <= 2)) for h, z in path_z.items() if z}
    r.cv_fde_m = _mean_per_window(cv_err)
    r.cv_fde_n = {f"w={w}s h={h}s": len(e) for (w, h), e in cv_err.items() if e}
    for h, rows in paired.items():
        if rows:
            r.paired_path_fde_m[f"h={h}"] = float(np.mean([m for m, _ in rows]))
            r.paired_n[f"h={h}"] = len(rows)
            for w in c.cv_windows_s:
                r.paired_cv_fde_m[f"w={w}s h={h}s"] = float(np.mean([cv[w] for _, cv in rows]))
    return r
