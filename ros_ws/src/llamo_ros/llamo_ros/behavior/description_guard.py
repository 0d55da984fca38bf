"""Descriptions checked against what the body measurably did, before anyone reads them.

The language model can name an action the motion contradicts (a jump described as "walks towards the
robot", a pedestrian described as waving). Every generated description is checked with the kinematic
descriptors of the described window (`motion.descriptors`, `motion.action_rules.contradicted_actions`):
a description that names an action whose measured rule does not hold, or states a rotation of the body or
both feet leaving the ground that was not measured (`motion.captions.contradicted_facts`; on vtest.avi the
model said "it rotates about 130 degrees" of people whose measured facing did not turn), is replaced by the
caption the descriptors themselves support (`motion.captions.caption_for`: the action where its rule holds, else the
body's movement and "the action is unclear"). Replacing rather than appending keeps a planner or an HRI
stack from acting on the false claim; the original text is kept for diagnostics and logs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.motion.action_rules import contradicted_actions
from llamo_ros.motion.captions import caption_for, contradicted_facts
from llamo_ros.motion.descriptors import describe_motion


@dataclass(frozen=True)
class GuardedDescription:
    text: str                        # what is published: the generated text, or the grounded caption
    generated: str                   # what the language model wrote
    contradicted: tuple[str, ...]    # actions the generated text named, and body facts it stated ("rotation",
                                     # "airborne"), that the measured motion contradicts

    @property
    def corrected(self) -> bool:
        return bool(self.contradicted)


def guard_description(text: str, joints: np.ndarray, confidence: np.ndarray, fps: float) -> GuardedDescription:
    """Check `text` against the window it describes: joints (T, 17, 3) m camera optical frame (NaN unseen),
    confidence (T, 17), fps Hz. Deterministic (the grounded caption's phrasing is seeded by the text)."""
    descriptors = describe_motion(joints, confidence, fps)
    wrong = tuple(sorted(contradicted_actions(text, descriptors) | contradicted_facts(text, descriptors)))
    if not wrong:
        return GuardedDescription(text, text, ())
    rng = np.random.default_rng(sum(text.encode()))   # the same text and window give the same caption
    return GuardedDescription(caption_for(descriptors, None, rng, brief=True), text, wrong)  # as short as the model's
