"""Intent taxonomy published to robot planners.

The order of INTENT_LABELS is the order of `IntentPrediction.labels` and of the intent head's logits;
append new intents at the end so that older consumers' indices stay valid.
"""
from __future__ import annotations

import numpy as np

INTENT_LABELS: tuple[str, ...] = (
    "approaching",     # walking towards the camera/robot
    "passing_by",      # walking across the field of view
    "leaving",         # walking away from the camera/robot
    "standing_idle",   # standing roughly still
    "waving",          # greeting: a hand raised above the shoulder, oscillating
    "pointing",        # an arm extended and held towards something
    "handing_over",    # reaching forward at chest height, as to hand or take an object
    "sitting_down",    # transition from standing to sitting
    "standing_up",     # transition from sitting to standing
    "picking_up",      # crouching or bending down, as to pick something up
    "other",           # none of the above: an action that fits no intent (a jump, a fall, a dance...) or motion
                       # unlike anything the model knows; a planner should treat the person's next move as unknown
)
NUM_INTENTS = len(INTENT_LABELS)
OTHER = NUM_INTENTS - 1  # index of "other"; checkpoints trained before it was appended output NUM_INTENTS - 1


def with_appended_intents(probabilities):
    """(B, K') probabilities of a checkpoint trained before intents were appended (K' < NUM_INTENTS, e.g. without
    "other") -> (B, NUM_INTENTS), the intents it never learned at 0; unchanged when K' = NUM_INTENTS."""
    p = np.asarray(probabilities)
    if p.shape[-1] == NUM_INTENTS:
        return p
    return np.concatenate([p, np.zeros(p.shape[:-1] + (NUM_INTENTS - p.shape[-1],), p.dtype)], axis=-1)
INTENT_INDEX = {name: i for i, name in enumerate(INTENT_LABELS)}
