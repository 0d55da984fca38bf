"""Kinematic evidence for intents: a gesture intent needs its gesture in the measured motion, a transition its
low posture, sinking pelvis or low hand, and "other" is less likely when the measured motion is nothing but
walking or standing.

The intent heads were trained on generated motion only; on real, distant, noisy skeletons they say
"waving" or "handing_over" for people who only walk, for seconds at a time (issue #13: on vtest.avi 8.6 %
of track-frames carried such an intent with p >= 0.5 after temporal filtering). Whether a hand is raised and
moving, an arm held out, a wrist near the floor or the pelvis lowered is measured by the kinematic
descriptors (`motion.descriptors`, `motion.action_rules`). This module turns that into a likelihood over
the intents, which the behaviour stage multiplies into the heads' probabilities before the temporal filter:
1 for an intent without a gesture check or whose gesture rule holds; for a gesture intent whose rule fails,
the rule's miss rate on real instances of that gesture, P(rule fails | gesture), since P(rule fails | no
gesture) is about 1. The miss rates were measured on the procedural generator's gestures (seeds 5000-5299,
3.2 s windows ending at 40, 60, 80 and 100 % of each gesture, raising the arm included), not on any real
clip, and rounded up (waving: 0.20 before the wave rule asked for an arm not held out, 2026-11-29 23:00).

Transitions (standing up, sitting down, picking up): their action rules need the transition completed inside the
window and miss 44-83 % of the windows during one, so a weaker sign is checked: the body was low (crouched,
sitting, kneeling or lying) for at least 0.15 s of the window (standing up), the pelvis sank by at least 0.1 leg
lengths below its earlier height (sitting down), a wrist came within 0.8 leg lengths of the floor (picking up).
Without the sign the intent is weighed by P(no sign | intent) / P(no sign | any other intent), measured on
generated test windows at 10 Hz with noisy joints (`training.evaluate.eval_windows`, seeds split 150 clips /
broad split 60 clips): standing up 0 / 0.79 and 0 / 0.66 (none of 431 windows missed it; 0.1 is used, for real
skeletons whose postures differ from generated ones), sitting down 0.265 / 0.59 = 0.45 and 0.145 / 0.39 = 0.37,
picking up 0.102 / 0.58 = 0.18 and 0.053 / 0.55 = 0.10; otherwise the larger ratio, rounded up. A rise of the
pelvis was tried for standing up and dropped: on distant real walkers (vtest.avi, where the heads said
"standing up" for 1.3 % of track-frames with p >= 0.5) the pelvis height's noise alone rises 0.2 leg lengths.

"Other" (motion that fits no named intent): real pedestrians, distant and noisily estimated, look unlike the
generator's clean walkers, and the heads flag a quarter of vtest.avi's track-frames as "other" (mostly slow
walkers and people standing about). When the descriptors support walking or standing and no other action
except those that noise alone triggers at 10 Hz (nodding, head shaking) or that walkers do (turning),
"plain motion" is observed, and "other" is weighed by P(plain | other) / P(plain | pedestrian intents) =
0.038 / 0.633 = 0.060 (0.032 / 0.621 before the dance rule asked for a wide swing on the spot, 2026-11-30),
measured on the broad generator's test clips at 10 Hz with noisy joints and tracked roots (seeds TEST_SEED0 +
BROAD_SEED_OFFSET, 60 clips, windows at least 1 s into an action; `training.evaluate.eval_windows`; the generator
of 2026-11-29 with people standing about and improvised motion, and the clap / push / squat rules that need the
hands at chest height and a crouch of 0.3 s; the generator before them gave 0.118 / 0.67 ~ 0.18).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llamo_ros.behavior.behavior_model import uniform_resample
from llamo_ros.motion.action_rules import supported_actions
from llamo_ros.motion.descriptors import LOW_POSTURES, POSTURES, MotionDescriptors, describe_motion
from llamo_ros.motion.intents import INTENT_INDEX, NUM_INTENTS, OTHER
from llamo_ros.motion.track_buffer import TrackWindow

# Gesture intent -> (the action rule whose measured signs it needs, that rule's miss rate on the gesture)
# (measured miss rates: waving 0.26, pointing 0.06, handing_over 0.15; see the module docstring).
GESTURE_RULES: dict[str, tuple[str, float]] = {"waving": ("wave", 0.3), "pointing": ("point", 0.1),
                                               "handing_over": ("hand_over", 0.2)}
GESTURE_INDICES = np.array([INTENT_INDEX[name] for name in GESTURE_RULES])

LOW_POSTURE_INDICES = np.array([POSTURES.index(p) for p in LOW_POSTURES])


def was_low(d: MotionDescriptors) -> bool:
    """The body was crouched, sitting, kneeling or lying for at least 0.15 s of the window."""
    return float(np.isin(d.posture, LOW_POSTURE_INDICES).sum()) * d.duration_s / max(1, len(d.posture)) >= 0.15


def pelvis_sank(d: MotionDescriptors) -> bool:
    """The pelvis sank by at least 0.1 leg lengths below its highest point before (within the window)."""
    h = d.pelvis_height_m[np.isfinite(d.pelvis_height_m)]
    return len(h) > 1 and float(np.max(np.maximum.accumulate(h) - h)) >= 0.1 * d.leg_length_m


def hand_near_floor(d: MotionDescriptors) -> bool:
    """A wrist came within 0.8 leg lengths of the floor."""
    return d.lowest_wrist_m <= 0.8 * d.leg_length_m


# Transition intent -> (the sign it needs in the window, the intent's weight without it; see the module docstring)
TRANSITION_SIGNS = {"standing_up": (was_low, 0.1), "sitting_down": (pelvis_sank, 0.45),
                    "picking_up": (hand_near_floor, 0.2)}
TRANSITION_INDICES = np.array([INTENT_INDEX[name] for name in TRANSITION_SIGNS])

PLAIN_ACTIONS = frozenset({"walk", "walk_towards", "walk_past", "walk_away", "stand", "jog", "run"})
NOISE_OR_WALKER_ACTIONS = frozenset({"nod", "head_shake", "turn"})  # fire on noisy 10 Hz heads, turning walkers
OTHER_GIVEN_PLAIN = 0.06  # P(plain | other) / P(plain | pedestrian intents), see the module docstring


def plain_motion(supported: set[str]) -> bool:
    """True when the measured motion is walking or standing and nothing else that noise cannot explain."""
    return bool(supported & PLAIN_ACTIONS) and not (supported - PLAIN_ACTIONS - NOISE_OR_WALKER_ACTIONS)


def intent_likelihood(supported: set[str], gestures: bool = True, other: bool = True) -> np.ndarray:
    """(K,) likelihood of each intent given the supported actions: the gesture check (`gesture_likelihood`)
    and, with `other`, OTHER_GIVEN_PLAIN for "other" when the motion is plain."""
    likelihood = gesture_likelihood(supported) if gestures else np.ones(NUM_INTENTS, np.float32)
    if other and plain_motion(supported):
        likelihood[OTHER] *= OTHER_GIVEN_PLAIN
    return likelihood


def gesture_likelihood(supported: set[str]) -> np.ndarray:
    """(K,) likelihood of each intent given the supported actions: a gesture whose rule fails gets its
    rule's miss rate, every other intent 1."""
    likelihood = np.ones(NUM_INTENTS, np.float32)
    for intent, (action, miss_rate) in GESTURE_RULES.items():
        if action not in supported:
            likelihood[INTENT_INDEX[intent]] = miss_rate
    return likelihood


def transition_likelihood(d: MotionDescriptors) -> np.ndarray:
    """(K,) likelihood of each intent given a window's descriptors: a transition without its sign
    (`TRANSITION_SIGNS`) gets its weight, every other intent 1."""
    likelihood = np.ones(NUM_INTENTS, np.float32)
    for intent, (sign, weight) in TRANSITION_SIGNS.items():
        if not sign(d):
            likelihood[INTENT_INDEX[intent]] = weight
    return likelihood


def checks_due(raw: np.ndarray, config) -> tuple[bool, bool, bool]:
    """Which checks are worth their ~3 ms on (K,) heads' probabilities: (gestures, other, transitions), by
    `config`'s check_gestures, check_plain_motion, check_transitions and gesture_check_min_p
    (`behavior.engine.BehaviorConfig`)."""
    return (config.check_gestures and bool(raw[GESTURE_INDICES].max() >= config.gesture_check_min_p),
            config.check_plain_motion and bool(raw[OTHER] >= config.gesture_check_min_p),
            config.check_transitions and bool(raw[TRANSITION_INDICES].max() >= config.gesture_check_min_p))


@dataclass(frozen=True)
class MeasuredMotion:
    """What the checks need of one window, measured once: its descriptors and the actions they support
    (the costly part, ~5 ms per window; `evidence_likelihood` then costs microseconds per check setting)."""
    descriptors: MotionDescriptors
    supported: frozenset[str]


def measure_motion(joints: np.ndarray, confidence: np.ndarray, fps: float) -> MeasuredMotion | None:
    """Descriptors and supported actions of a window: joints (T, 17, 3) m optical frame, confidence (T, 17),
    fps Hz; None when the window cannot be measured."""
    descriptors = describe_motion(joints, confidence, fps)
    if not descriptors.valid:
        return None
    return MeasuredMotion(descriptors, frozenset(supported_actions(descriptors)))


def measure_window(window: TrackWindow) -> MeasuredMotion | None:
    """`measure_motion` of one track window's uniformly resampled joints."""
    return measure_motion(*uniform_resample(window))


def evidence_likelihood(measured: MeasuredMotion | None, gestures: bool = True, other: bool = True,
                        transitions: bool = True) -> np.ndarray:
    """(K,) likelihood of a measured window's intents (`intent_likelihood`, and `transition_likelihood` with
    `transitions`); all ones when the window could not be measured."""
    if measured is None:
        return np.ones(NUM_INTENTS, np.float32)
    likelihood = intent_likelihood(measured.supported, gestures, other)
    return likelihood * transition_likelihood(measured.descriptors) if transitions else likelihood


def motion_likelihood(joints: np.ndarray, confidence: np.ndarray, fps: float, gestures: bool = True,
                      other: bool = True, transitions: bool = True) -> np.ndarray:
    """(K,) likelihood of a window's intents (`evidence_likelihood` of `measure_motion`): joints (T, 17, 3) m
    optical frame, confidence (T, 17), fps Hz; all ones when the window cannot be measured."""
    return evidence_likelihood(measure_motion(joints, confidence, fps), gestures, other, transitions)


def weigh(probabilities: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """(K,) heads' probabilities x likelihood, renormalised."""
    weighted = probabilities * likelihood
    return (weighted / weighted.sum()).astype(np.float32)
