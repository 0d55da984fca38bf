"""Small vectorised signal helpers of the descriptors: gap filling, angles, periodicity, peak speed, runs."""
from __future__ import annotations

import numpy as np


def fill_nan(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over time (axis 0) of NaNs, per trailing element; edges held."""
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    t = np.arange(flat.shape[0])
    out = flat.copy()
    for c in np.flatnonzero(np.isnan(flat).any(axis=0)):
        ok = ~np.isnan(flat[:, c])
        out[:, c] = np.interp(t, t[ok], flat[ok, c]) if ok.any() else 0.0
    return out.reshape(x.shape)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.degrees(np.arccos(np.clip(np.sum(unit(a) * unit(b), axis=-1), -1.0, 1.0)))


def dominant_frequency(x: np.ndarray, fps: float, band: tuple) -> tuple[float, float, float]:
    """(frequency Hz, amplitude std, periodicity share) of the strongest periodic component of x (T, D)."""
    k = max(1, int(round(fps / (1.5 * band[0]))))  # shorter than the slowest period: keeps more frames
    if len(x) <= k + 4:
        return 0.0, 0.0, 0.0
    # high-pass: remove a moving average one slowest period long (raises, holds, drifts)
    smooth = np.stack([np.convolve(x[:, c], np.ones(k) / k, mode="same") for c in range(x.shape[1])], 1)
    x = (x - smooth)[k // 2:len(x) - k // 2]
    amp = float(np.sqrt((x ** 2).sum(axis=1).mean()))
    n = max(len(x), int(8 * fps))  # zero-pad short windows for a finer frequency grid
    power = (np.abs(np.fft.rfft(x * np.hanning(len(x))[:, None], n=n, axis=0)) ** 2).sum(axis=1)
    freq = np.fft.rfftfreq(n, 1.0 / fps)
    inband = (freq >= band[0]) & (freq <= band[1])
    if not inband.any() or power[inband].sum() <= 0:
        return 0.0, amp, 0.0
    k = np.flatnonzero(inband)[np.argmax(power[inband])]
    width = max(1, n // len(x))  # the main lobe spans about n / T bins
    share = float(power[max(0, k - 2 * width):k + 2 * width + 1].sum() / power[inband].sum())
    return float(freq[k]), amp, share


def peak_speed(x: np.ndarray, fps: float, half_span: int = 2) -> float:
    """Peak speed (m/s) of x (T, 3) from central differences over +-half_span frames (keeps jitter out)."""
    if len(x) <= 2 * half_span:
        return 0.0
    return float(np.linalg.norm(x[2 * half_span:] - x[:-2 * half_span], axis=1).max() * fps / (2 * half_span))


def running_percentile(x: np.ndarray, before: int, after: int, q: float) -> np.ndarray:
    """q-th percentile (linear, as np.percentile) of x (T,) over [t - before, t + after] per frame (clipped at
    the ends); vectorised: the windows, padded with +inf, are sorted and read at each one's own count."""
    pad = np.concatenate([np.full(before, np.inf), np.asarray(x, np.float64), np.full(after, np.inf)])
    win = np.sort(np.lib.stride_tricks.sliding_window_view(pad, before + after + 1), axis=1)
    pos = q / 100.0 * (np.isfinite(win).sum(axis=1) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, win.shape[1] - 1)
    rows = np.arange(len(win))
    a, b = win[rows, lo], win[rows, hi]
    return a + (pos - lo) * np.where(np.isfinite(b), b - a, 0.0)


def two_sided_floor(x: np.ndarray, span: int, q: float = 20.0) -> np.ndarray:
    """The level x (T,) rests on around each frame: the higher of its low (q-th percentile) level within `span`
    frames before and within `span` frames after. A rise that comes back down within `span` (a flight) stays
    above it; a slow drift of the whole signal (depth error of a monocular root projected onto up) is followed,
    so it never counts as a rise. A percentile rather than the minimum: the minimum of noisy samples sits
    about two noise stds below their level, which makes plain jitter look like a rise."""
    return np.maximum(running_percentile(x, span, 0, q), running_percentile(x, 0, span, q))


def jitter_std(x: np.ndarray) -> float:
    """Robust std of frame-to-frame noise of x (T, ...) along time: MAD of the second difference / sqrt(6)
    (white noise of std s has a second difference of std s * sqrt(6); smooth motion adds little)."""
    if len(x) < 4:
        return 0.0
    d2 = (x[2:] - 2 * x[1:-1] + x[:-2]).ravel()
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0))


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of True in a (T,) mask: run i covers frames starts[i] .. ends[i] - 1."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
