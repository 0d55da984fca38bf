"""Which action names the measured motion supports, the phrases that name each action, and text checks.

An action may be named in a caption only where its rule holds on the window's `MotionDescriptors`
("jumps" only with a measured airborne phase, "walks towards" only with ground speed above the
threshold and a towards direction). Phrases are lower-case substrings: a text names an action when it
contains one of its phrases; the longest match wins, so "gets up from the floor on their back" names
`get_up_face_up`, not `stand_up` ("gets up"). The phrases of today's ten generator actions are those of
`llamo_ros.data.motion_synth.ACTION_WORDS`, so the shipped checkpoint's action-word scores stay valid.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from llamo_ros.motion.descriptors import POSTURES, MotionDescriptors
from llamo_ros.motion.descriptors.signals import true_runs

RUN_MPS = 2.3        # ground speed above which a person runs, m/s
JOG_MPS = 1.8        # ground speed above which a person jogs, m/s
MOVING_MPS = 0.3     # ground speed above which a person locomotes, m/s
FAST_LIMB_MPS = 2.5  # wrist / ankle speed relative to the pelvis of a strike, m/s
PUNCH_MPS = 3.0      # wrist speed relative to the pelvis of a punch, m/s
THROW_MPS = 3.5      # wrist speed relative to the pelvis of a throw, m/s
FULL_TURN_DEG = 270.0  # rotation counted as one roll / flip / cartwheel
# Wrist height along the trunk (`LimbFacts.trunk_height`, 0 at the pelvis, 1 at the thorax) of hands held in front
# of the chest (clapping, pushing): generated claps and pushes >= 0.71 in 95 % of windows, hanging arms of walkers
# about 0 (generated) to 0.5 (MediaPipe's short-armed skeletons of distant pedestrians on vtest.avi, whose noisy
# wrists otherwise met "clapping" at the hips)
CHEST_HEIGHT = 0.6
WAVE_MAX_HELD_OUT = 0.4  # share of a wave's window with the arm extended forward or sideways, at most
MIN_SQUAT_S = 0.3    # shortest crouch of a squat, s (a single noisy crouched frame is not one)
# Dancing: both wrists swing by at least DANCE_SWING leg lengths (std about their mean) and the body stays on the
# spot. Measured on the broad generator's test windows at 10 Hz with noisy joints (120 clips): generated dances
# swing >= 0.23 in 90 % of windows, people standing about or improvising 0.13-0.14 (median); walking back and forth
# steps and swings its arms too, hence the speed cap (generated dances <= 0.29 m/s in 99 % of windows). With 0.08 m
# and no cap the rule held on 795 of 3332 windows of other actions (98 of standing); now on 309, recall 0.85 -> 0.84.
DANCE_SWING = 0.15
DANCE_MAX_MPS = 0.5


@dataclass(frozen=True)
class ActionRule:
    """An action the captions may name: when the descriptors support it, and the phrases naming it."""

    name: str
    phrases: tuple[str, ...]                   # lower-case; the first one is the caption's default verb phrase
    holds: Callable[[MotionDescriptors], bool]  # True if the measured motion supports naming the action


def _arm(d: MotionDescriptors, fact: str, share: float) -> bool:
    return getattr(d.left, fact) >= share or getattr(d.right, fact) >= share


def _on_feet(d: MotionDescriptors) -> bool:
    """Arm gestures are named only with the body off the floor (a lying body's arm facts are ambiguous)."""
    return d.main_posture not in ("lying", "upside_down")


def _walking(d: MotionDescriptors) -> bool:
    return (MOVING_MPS <= d.ground_speed_mps < RUN_MPS and d.jumps == 0
            and d.main_posture in ("upright", "bent"))


def _still(d: MotionDescriptors) -> bool:
    return d.ground_speed_mps < 0.5 and d.jumps == 0 and not d.fell


def _upright_ends(d: MotionDescriptors) -> bool:
    return d.start_posture in ("upright", "bent") and d.end_posture in ("upright", "bent")


def _held_out(side) -> float:
    """Share of the window with this arm extended forward or sideways."""
    return side.extended_forward + side.extended_sideways


def _waving(d: MotionDescriptors) -> bool:
    # periodic motion of a raised hand not held out straight for long (an arm raised to point and lowered again
    # within the window is periodic too: the rule held on 45 % of generated pointing windows without this); a
    # single wave (too short for a frequency) is a raised, bent arm that moves
    return any(side.raised >= 0.2 and _held_out(side) < WAVE_MAX_HELD_OUT and (
        side.oscillation_hz >= 0.7 or (side.oscillation_amplitude_m >= 0.06 and _held_out(side) < 0.1))
        for side in (d.left, d.right)) and d.ground_speed_mps < 0.8 and d.main_posture == "upright"


def _strike(d: MotionDescriptors, min_speed: float) -> bool:
    """One fast, non-repetitive arm movement (a wave is fast too, but periodic)."""
    return any(side.peak_speed_mps >= min_speed and side.oscillation_hz == 0 for side in (d.left, d.right))


def _pointing(d: MotionDescriptors) -> bool:
    return (_arm(d, "extended_forward", 0.15) or _arm(d, "extended_sideways", 0.15)) and d.ground_speed_mps < 0.8


def _both_hands_at_chest_height(d: MotionDescriptors) -> bool:
    return min(d.left.trunk_height, d.right.trunk_height) >= CHEST_HEIGHT


def _longest_s(d: MotionDescriptors, posture: str) -> float:
    """Longest run of frames in `posture`, s."""
    starts, ends = true_runs(d.posture == POSTURES.index(posture))
    return float((ends - starts).max(initial=0)) * d.duration_s / max(1, len(d.posture))


def _lying_flat(d: MotionDescriptors) -> bool:
    return d.start_posture == "lying" or d.main_posture == "lying"


RULES: tuple[ActionRule, ...] = (
    # today's ten actions (ACTION_WORDS phrases, in the same order)
    ActionRule("walk_towards", ("walks towards", "walks toward", "approaches"),
               lambda d: _walking(d) and d.direction == "towards"),
    ActionRule("walk_past", ("walks past", "passes by"),
               lambda d: _walking(d) and d.direction in ("left", "right")),
    ActionRule("walk_away", ("walks away", "leaves"), lambda d: _walking(d) and d.direction == "away"),
    ActionRule("stand", ("stands still", "stands idle"),
               lambda d: _still(d) and d.main_posture == "upright" and _upright_ends(d) and abs(d.yaw_deg) < 90),
    ActionRule("wave", ("waves",), _waving),
    ActionRule("point", ("points",), lambda d: _on_feet(d) and _pointing(d)),
    ActionRule("hand_over", ("hands over", "holds out"),
               lambda d: any(s.reach_forward_m >= 0.3 and s.raised < 0.3 for s in (d.left, d.right)) and _still(d)
               and d.main_posture == "upright"),
    ActionRule("sit_down", ("sits down",), lambda d: d.sat_down),
    ActionRule("stand_up", ("stands up", "gets up"),
               lambda d: d.got_up or (d.start_posture in ("sitting", "crouched", "kneeling")
                                      and d.end_posture == "upright")),
    ActionRule("pick_up", ("picks up",),
               lambda d: _upright_ends(d) and d.lowest_wrist_m < 0.45 and _still(d)),
    # the broad generator's actions
    ActionRule("walk", ("walks", "is walking"), _walking),
    ActionRule("jog", ("jogs",), lambda d: d.ground_speed_mps >= JOG_MPS and d.main_posture == "upright"),
    ActionRule("run", ("runs", "is running"), lambda d: d.ground_speed_mps >= RUN_MPS and d.main_posture == "upright"),
    ActionRule("jump_in_place", ("jumps in place", "jumps up and down"),
               lambda d: d.jumps >= 1 and d.net_displacement_m < 0.5),
    ActionRule("jump_forward", ("jumps forward", "leaps forward"),
               lambda d: d.jumps >= 1 and d.net_displacement_m >= 0.3),
    ActionRule("hop", ("hops",), lambda d: d.jumps >= 1),
    ActionRule("kick", ("kicks",),
               lambda d: max(d.left.foot_peak_speed_mps, d.right.foot_peak_speed_mps) >= FAST_LIMB_MPS
               and max(d.left.foot_above_knee, d.right.foot_above_knee) > 0 and d.ground_speed_mps < 1.0),
    ActionRule("punch", ("punches", "throws a punch"),
               lambda d: _on_feet(d) and _strike(d, PUNCH_MPS) and _arm(d, "extended_forward", 0.03)
               and d.ground_speed_mps < 1.5),
    ActionRule("squat", ("squats",),
               lambda d: _longest_s(d, "crouched") >= MIN_SQUAT_S and _upright_ends(d)
               and d.torso_inclination_deg < 40),
    ActionRule("crouch", ("stays crouched", "crouches low"), lambda d: d.main_posture == "crouched"),
    ActionRule("kneel", ("kneels",), lambda d: "kneeling" in (d.main_posture, d.end_posture)),
    ActionRule("crawl", ("crawls",),
               lambda d: d.torso_inclination_deg >= 55 and 0.15 <= d.ground_speed_mps < 1.5 and not d.upside_down
               and d.main_posture in ("lying", "crouched", "kneeling")),  # low: not a walker bending over
    ActionRule("lie_down", ("lies down",), lambda d: d.lay_down or (d.end_posture == "lying" and not d.fell
                                                                    and d.start_posture != "lying")),
    ActionRule("get_up_face_up", ("gets up from lying on the back", "gets up from the floor, face up"),
               lambda d: _lying_flat(d) and d.end_posture in ("upright", "sitting", "kneeling")
               and d.lying_facing == "up"),
    ActionRule("get_up_face_down", ("gets up from lying face down", "pushes up from the floor"),
               lambda d: _lying_flat(d) and d.end_posture in ("upright", "sitting", "kneeling")
               and d.lying_facing == "down"),
    ActionRule("fall", ("falls",), lambda d: d.fell),
    ActionRule("turn", ("turns around", "turns to"), lambda d: d.turns and d.ground_speed_mps < 0.8),
    ActionRule("spin", ("spins",), lambda d: d.spins >= 1),
    ActionRule("bow", ("bows",),
               lambda d: 25 <= d.max_torso_inclination_deg < 100 and _upright_ends(d) and _still(d)),
    ActionRule("nod", ("nods",), lambda d: d.head_nod_hz > 0),
    ActionRule("head_shake", ("shakes the head", "shakes their head"), lambda d: d.head_shake_hz > 0),
    ActionRule("clap", ("claps",),
               lambda d: _on_feet(d) and d.hands_distance_hz > 0 and d.hands_min_distance_m < 0.2
               and d.hands_symmetry > 0.3 and _both_hands_at_chest_height(d)),
    ActionRule("reach_up", ("reaches up",), lambda d: _on_feet(d) and _arm(d, "above_head", 0.2)),
    ActionRule("stretch", ("stretches",),
               lambda d: _on_feet(d) and ((d.left.above_head >= 0.2 and d.right.above_head >= 0.2)
               or (d.left.extended_sideways >= 0.2 and d.right.extended_sideways >= 0.2))),
    ActionRule("carry", ("carries",),
               lambda d: d.ground_speed_mps >= MOVING_MPS and _arm(d, "at_chest", 0.4)),
    ActionRule("push", ("pushes something", "pushes an object"),
               lambda d: _on_feet(d) and d.left.extended_forward >= 0.2 and d.right.extended_forward >= 0.2
               and _both_hands_at_chest_height(d) and d.ground_speed_mps < 1.5),
    ActionRule("throw", ("throws",),
               lambda d: _on_feet(d) and _strike(d, THROW_MPS) and _arm(d, "raised", 0.05) and not _waving(d)),
    ActionRule("dance", ("dances", "moves rhythmically"),   # whole body on the spot: steps and both arms swing
               lambda d: d.step_hz > 0 and max(d.left.oscillation_hz, d.right.oscillation_hz) > 0
               and min(d.left.oscillation_amplitude_m, d.right.oscillation_amplitude_m) >= DANCE_SWING * d.leg_length_m
               and d.net_displacement_m < 1.0 and d.ground_speed_mps < DANCE_MAX_MPS),
    ActionRule("roll", ("rolls over", "rolls on the floor"), lambda d: abs(d.roll_deg) >= FULL_TURN_DEG),
    ActionRule("flip", ("does a flip", "flips over"), lambda d: abs(d.flip_deg) >= FULL_TURN_DEG and d.upside_down),
    ActionRule("cartwheel", ("does a cartwheel",), lambda d: abs(d.cartwheel_deg) >= FULL_TURN_DEG and d.upside_down),
)
ACTION_RULES: dict[str, ActionRule] = {r.name: r for r in RULES}

# When no action is given, the first supported action of this order is named (specific before generic).
PRIORITY: tuple[str, ...] = (
    "fall", "flip", "cartwheel", "roll", "get_up_face_down", "get_up_face_up", "lie_down", "sit_down",
    "stand_up", "crawl", "run", "jog", "jump_forward", "jump_in_place", "hop", "spin", "carry", "walk_towards",
    "walk_away", "walk_past", "walk", "kneel", "pick_up", "squat", "crouch", "clap", "hand_over", "point",
    "wave", "dance", "kick", "throw", "punch", "push", "stretch", "reach_up", "bow", "turn", "stand", "nod",
    "head_shake",
)
assert sorted(PRIORITY) == sorted(ACTION_RULES)


def supported_actions(d: MotionDescriptors) -> set[str]:
    """Actions whose rule holds on the window (none if the window could not be measured)."""
    return {r.name for r in RULES if d.valid and r.holds(d)}


def named_actions(text: str) -> set[str]:
    """Actions a text names (case-insensitive phrase match; overlapping matches: the longest wins)."""
    low = text.lower()
    hits = []
    for rule in RULES:
        for phrase in rule.phrases:
            start = low.find(phrase)
            while start >= 0:
                hits.append((len(phrase), start, rule.name))
                start = low.find(phrase, start + 1)
    taken: list[tuple[int, int]] = []
    names = set()
    for length, start, name in sorted(hits, key=lambda h: -h[0]):
        end = start + length
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            names.add(name)
    return names


def contradicted_actions(text: str, d: MotionDescriptors) -> set[str]:
    """Actions the text names whose rule does not hold on the measured motion (a guard for descriptions)."""
    return named_actions(text) - supported_actions(d)
