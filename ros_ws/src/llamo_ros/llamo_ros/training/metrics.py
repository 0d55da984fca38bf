"""Evaluation metrics, small and dependency-free: macro-F1, ECE, ADE/FDE, BLEU-4, ROUGE-L, action words."""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np


def macro_f1(pred: np.ndarray, true: np.ndarray, num_classes: int, true_classes_only: bool = False) -> float:
    """Unweighted mean of per-class F1 over the classes present in `true` or `pred` (only those in `true` with
    `true_classes_only`: a split without a class then does not average in that class's F1 of 0, while wrong
    predictions of it still lower the recall of the true classes)."""
    f1s = []
    for k in (np.unique(true) if true_classes_only else range(num_classes)):
        tp = int(((pred == k) & (true == k)).sum())
        fp = int(((pred == k) & (true != k)).sum())
        fn = int(((pred != k) & (true == k)).sum())
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def expected_calibration_error(probs: np.ndarray, true: np.ndarray, bins: int = 15) -> float:
    """ECE of the top-1 confidence with equal-width bins (Guo et al. 2017)."""
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def ade_fde(pred: np.ndarray, true: np.ndarray, mask: np.ndarray, upto: int) -> tuple[float, float]:
    """Average / final displacement error (m) over the first `upto` points of (B, H, 3) paths.

    Only samples whose whole horizon up to `upto` lies inside the clip (mask) count.
    """
    ok = mask[:, :upto].min(axis=1) > 0
    if not ok.any():
        return float("nan"), float("nan")
    d = np.linalg.norm(pred[ok, :upto] - true[ok, :upto], axis=-1)  # (B', upto)
    return float(d.mean()), float(d[:, -1].mean())


def tokenize_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower())


def bleu4(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU-4 (one reference per hypothesis, uniform weights, brevity penalty, no smoothing)."""
    matches, totals = [0] * 4, [0] * 4
    hyp_len = ref_len = 0
    for hyp, ref in zip(hypotheses, references):
        h, r = tokenize_words(hyp), tokenize_words(ref)
        hyp_len, ref_len = hyp_len + len(h), ref_len + len(r)
        for n in range(1, 5):
            hc = Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            rc = Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
            matches[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
            totals[n - 1] += max(len(h) - n + 1, 0)
    if min(matches) == 0:
        return 0.0
    log_p = sum(math.log(m / t) for m, t in zip(matches, totals)) / 4
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / max(hyp_len, 1))
    return float(bp * math.exp(log_p))


def rouge_l(hypotheses: list[str], references: list[str]) -> float:
    """Mean sentence ROUGE-L F-measure (LCS-based, beta = 1)."""
    scores = []
    for hyp, ref in zip(hypotheses, references):
        h, r = tokenize_words(hyp), tokenize_words(ref)
        if not h or not r:
            scores.append(0.0)
            continue
        dp = [[0] * (len(r) + 1) for _ in range(len(h) + 1)]
        for i, a in enumerate(h):
            for j, b in enumerate(r):
                dp[i + 1][j + 1] = dp[i][j] + 1 if a == b else max(dp[i][j + 1], dp[i + 1][j])
        lcs = dp[-1][-1]
        p, rc = lcs / len(h), lcs / len(r)
        scores.append(0.0 if lcs == 0 else 2 * p * rc / (p + rc))
    return float(np.mean(scores)) if scores else 0.0


def names_action(text: str, intent: str, action_words: dict[str, tuple[str, ...]]) -> bool:
    """True if `text` contains a phrase of `intent` and no phrase of any other intent (lower-case match)."""
    t = text.lower()
    hit = any(w in t for w in action_words[intent])
    other = any(w in t for k, ws in action_words.items() if k != intent for w in ws)
    return hit and not other


def normalize_answer(text: str) -> str:
    return " ".join(tokenize_words(text))
