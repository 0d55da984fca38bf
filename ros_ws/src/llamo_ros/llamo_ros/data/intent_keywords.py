"""Best-effort intent labels for motion-capture text (HumanML3D captions, BABEL action labels).

Rules are word-boundary regular expressions on lower-case text; the earliest match in the text
wins, and at equal positions the rule listed first, so specific phrases ("stand up") come before
general ones ("stand"). Plain walking has no
intent on its own: whether it is approaching, passing by or leaving depends on where the observer
is, so `intent_from_text` returns WALKING and loaders that know the camera call
`locomotion_intent` on the root trajectory.
"""
from __future__ import annotations

import re

import numpy as np

WALKING = "walking"  # marker: locomotion whose intent depends on the camera

INTENT_RULES: tuple[tuple[str, str], ...] = (
    ("waving", r"\bwav(e|es|ed|ing)\b"),
    ("pointing", r"\bpoint(s|ed|ing)?\b"),
    ("handing_over", r"\b(hand(s|ed|ing)? (over|something|an object|it)|giv(e|es|ing) (something|an object|it)"
                     r"|give something|pass(es|ing)? (something|an object))\b"),
    ("standing_up", r"\b(stand(s|ing)? up|st(oo|an)d up|get(s|ting)? up|got up|ris(e|es|ing) from)\b"),
    ("sitting_down", r"\b(sit(s|ting)?( down| on)?|sat( down)?|take(s)? a seat)\b"),
    ("picking_up", r"\b(pick(s|ed|ing)? (up|something)|picks? \w+ up|bend(s|ing)? (down|over)|bent (down|over)"
                   r"|crouch(es|ed|ing)?|squat(s|ted|ting)?|take/pick something up)\b"),
    ("approaching", r"\b(approach(es|ed|ing)?|walk(s|ed|ing)? (towards?|closer)|com(e|es|ing) (closer|towards?))\b"),
    ("leaving", r"\b(walk(s|ed|ing)? away|leav(e|es|ing)|mov(e|es|ing) away)\b"),
    ("passing_by", r"\b(walk(s|ed|ing)? (past|by|across)|pass(es|ing)? by)\b"),
    (WALKING, r"\b(walk(s|ed|ing)?|jog(s|ged|ging)?|run(s|ning)?|ran|step(s|ped|ping)?|stroll(s|ed|ing)?"
              r"|march(es|ed|ing)?)\b"),
    ("standing_idle", r"\b(stand(s|ing)?( still| idle)?|stood|idle|wait(s|ed|ing)?|still|t[- ]pose|a[- ]pose)\b"),
)
_COMPILED = tuple((intent, re.compile(pattern)) for intent, pattern in INTENT_RULES)


def intent_from_text(text: str) -> str | None:
    """Intent label (or WALKING) named first in `text`, None when no rule applies.

    Captions list actions in time order ("stands still and then waves"), so the earliest match
    wins; at the same position the rule order decides ("stand up" before "stand").
    """
    lowered = text.lower()
    best: tuple[int, int, str] | None = None
    for rank, (intent, pattern) in enumerate(_COMPILED):
        found = pattern.search(lowered)
        if found and (best is None or (found.start(), rank) < best[:2]):
            best = (found.start(), rank, intent)
    return best[2] if best else None


def locomotion_intent(pelvis_camera: np.ndarray, fps: float, min_speed_mps: float = 0.25) -> str:
    """Approaching / leaving / passing_by / standing_idle from a pelvis track (T, 3) in the optical frame.

    Uses the net horizontal displacement: depth change (z) against sideways change (x); a mean
    speed under `min_speed_mps` counts as standing.
    """
    if len(pelvis_camera) < 2:
        return "standing_idle"
    delta = pelvis_camera[-1] - pelvis_camera[0]
    seconds = (len(pelvis_camera) - 1) / fps
    if np.hypot(delta[0], delta[2]) / seconds < min_speed_mps:
        return "standing_idle"
    if abs(delta[0]) > abs(delta[2]):
        return "passing_by"
    return "approaching" if delta[2] < 0 else "leaving"
