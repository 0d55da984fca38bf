"""Captions and question-answer pairs generated from what the descriptors measure on a window.

A caption names an action only where its rule (`llamo_ros.motion.action_rules`) holds on the measured
motion and always describes the body's movement; when no rule holds it says the action is unclear.
So on any motion, real or generated, the language target is true as far as the descriptors go.
The body-movement sentences avoid every action phrase (tested), so they never name an action.
"""
from __future__ import annotations

import re

import numpy as np

from llamo_ros.motion.action_rules import ACTION_RULES, PRIORITY, supported_actions
from llamo_ros.motion.descriptors import LimbFacts, MotionDescriptors

SUBJECTS = ("A person", "Someone", "The person")
UNCLEAR = ("the action is unclear", "it is unclear what the action is", "what the action is remains unclear")
NUMBER_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times"}
DIRECTION_WORDS = {"towards": "towards the camera", "away": "away from the camera",
                   "left": "to the left of the image", "right": "to the right of the image"}
POSTURE_WORDS = {"upright": "upright", "bent": "bent forward", "crouched": "low with the knees deeply bent",
                 "sitting": "seated", "kneeling": "on the knees", "lying": "lying on the ground",
                 "upside_down": "upside down"}
ROTATION_MENTION_DEG = 45.0   # body_movement states a rotation of the facing from this many degrees
_ROTATION_CLAIM = re.compile(r"rotates about (\d+) degrees to the (left|right)")   # ... and how it says it
AIRBORNE_WORDS = "leave the ground"   # how body_movement states a flight ("both feet ..."), and how it is found


def _pick(rng: np.random.Generator, options) -> str:
    return str(options[int(rng.integers(len(options)))])


def _active_hand(d: MotionDescriptors) -> tuple[str, LimbFacts]:
    """The hand that does more (raised, moving): 'left' / 'right' / 'both'."""
    score = {s: f.raised + f.oscillation_amplitude_m * 5 + f.reach_forward_m
             for s, f in (("left", d.left), ("right", d.right))}
    if abs(score["left"] - score["right"]) < 0.15 * max(score.values(), default=0) and max(score.values()) > 0.3:
        return "both", d.right
    side = max(score, key=score.get)
    return side, getattr(d, side)


def _hand_phrase(side: str) -> str:
    return {"both": "both hands", "left": "the left hand", "right": "the right hand"}[side]


def action_clause(d: MotionDescriptors, action: str, rng: np.random.Generator) -> str:
    """Verb phrase naming `action` with measured details (speed, hand, frequency), e.g. 'waves the right hand'."""
    rule = ACTION_RULES[action]
    verb = _pick(rng, rule.phrases)
    if action in ("walk_towards", "walk_away", "walk_past", "walk", "run", "jog", "carry", "crawl"):
        where = {"walk_towards": " the camera", "walk_past": "" if d.direction == "none" else
                 f", moving {DIRECTION_WORDS[d.direction]}"}.get(action, "")
        if action in ("walk", "run", "jog", "crawl") and d.direction != "none":
            where = f" {DIRECTION_WORDS[d.direction]}"
        return f"{verb}{where} at about {d.ground_speed_mps:.1f} m/s"
    side, limb = _active_hand(d)
    if action in ("wave", "point", "hand_over", "reach_up", "punch", "throw"):
        extra = f" at about {limb.oscillation_hz:.1f} Hz" if action == "wave" and limb.oscillation_hz > 0 else ""
        return f"{verb} with {_hand_phrase(side)}{extra}"
    if action in ("jump_in_place", "jump_forward", "hop"):
        times = NUMBER_WORDS.get(d.jumps, f"{d.jumps} times")
        return f"{verb} {times}, about {100 * d.jump_height_m:.0f} cm off the ground"
    if action in ("turn", "spin"):
        way = "to the left" if d.yaw_deg > 0 else "to the right"
        return f"{verb} {way}, about {abs(d.yaw_deg):.0f} degrees"
    return verb


BRIEF_FACTS = 3  # body-movement facts in a brief caption (training targets: short enough to speak in < 1.5 s)


def body_movement(d: MotionDescriptors, rng: np.random.Generator, brief: bool = False) -> str:
    """Sentences on what the body measurably does; names no action.

    `brief`: at most BRIEF_FACTS facts, without the ground speed (the action clause of a locomotion caption
    says it) and without arm swing while moving, both hands merged when they do the same.
    """
    if not d.valid:
        return "The body is not visible well enough to describe its movement."
    parts = []
    if d.start_posture != d.end_posture:
        parts.append(f"the body goes from {POSTURE_WORDS[d.start_posture]} to {POSTURE_WORDS[d.end_posture]}")
    else:
        parts.append(_pick(rng, [f"the body stays {POSTURE_WORDS[d.main_posture]}",
                                 f"the body is {POSTURE_WORDS[d.main_posture]}"]))
    if d.direction != "none":
        if not brief:
            parts.append(f"it moves {DIRECTION_WORDS[d.direction]} at about {d.ground_speed_mps:.1f} m/s")
    else:
        parts.append(_pick(rng, ["it stays in place", "it does not move across the ground"]))
    if d.jumps:
        parts.append(f"both feet {AIRBORNE_WORDS} {NUMBER_WORDS.get(d.jumps, f'{d.jumps} times')}")
    if abs(d.yaw_deg) >= ROTATION_MENTION_DEG:
        parts.append(f"it rotates about {abs(d.yaw_deg):.0f} degrees "
                     f"{'to the left' if d.yaw_deg > 0 else 'to the right'}")
    parts += _hand_facts(d, merge=brief, swing=not (brief and d.direction != "none"))
    text = "; ".join(parts[:BRIEF_FACTS] if brief else parts)
    return text[0].upper() + text[1:] + "."


def contradicted_facts(text: str, d: MotionDescriptors) -> set[str]:
    """Body-movement facts a text states in the captions' words that the measured motion contradicts:
    "rotation" (a rotation of the facing, `body_movement`'s "it rotates about N degrees to the left", where
    the measured yaw is under ROTATION_MENTION_DEG, turns the other way or is under half of N) and "airborne"
    ("both feet leave the ground" where no jump was measured). Actions are `action_rules.contradicted_actions`."""
    low = text.lower()
    wrong = set()
    for degrees, way in _ROTATION_CLAIM.findall(low):
        claimed = float(degrees) * (1.0 if way == "left" else -1.0)   # + = to the left, as yaw_deg
        if abs(d.yaw_deg) < max(ROTATION_MENTION_DEG, 0.5 * abs(claimed)) or d.yaw_deg * claimed < 0:
            wrong.add("rotation")
    if AIRBORNE_WORDS in low and not d.jumps:
        wrong.add("airborne")
    return wrong


def _limb_position(limb: LimbFacts) -> str:
    if limb.above_head >= 0.2:
        return "raised above the head"
    if limb.raised >= 0.2:
        return "raised above the shoulder"
    if limb.extended_forward >= 0.2 or limb.extended_sideways >= 0.2:
        return f"stretched {'forward' if limb.extended_forward >= limb.extended_sideways else 'sideways'}"
    return ""


def _hand_facts(d: MotionDescriptors, merge: bool, swing: bool) -> list[str]:
    """Where each hand is held and how fast it moves back and forth ('both hands' when `merge` and alike)."""
    where = {side: _limb_position(getattr(d, side)) for side in ("left", "right")}
    hz = {side: getattr(d, side).oscillation_hz if swing else 0.0 for side in ("left", "right")}
    facts = []
    if merge and where["left"] and where["left"] == where["right"]:
        facts.append(f"both {'arms are' if where['left'].startswith('stretched') else 'hands are'} {where['left']}")
    else:
        for side in ("left", "right"):
            if where[side]:
                noun = "arm" if where[side].startswith("stretched") else "hand"
                facts.append(f"the {side} {noun} is {where[side]}")
    if merge and hz["left"] > 0 and hz["right"] > 0 and abs(hz["left"] - hz["right"]) <= 0.3:
        facts.append(f"both hands move back and forth at about {0.5 * (hz['left'] + hz['right']):.1f} Hz")
    else:
        for side in ("left", "right"):
            if hz[side] > 0:
                facts.append(f"the {side} hand moves back and forth at about {hz[side]:.1f} Hz")
    return facts


def choose_action(d: MotionDescriptors, action: str | None) -> str | None:
    """The action to name: `action` if its rule holds, else (action None) the first supported in PRIORITY."""
    supported = supported_actions(d)
    if action is not None:
        return action if action in supported else None
    return next((a for a in PRIORITY if a in supported), None)


def caption_for(d: MotionDescriptors, action: str | None, rng: np.random.Generator, brief: bool = False) -> str:
    """Caption of a window: the action (only where its rule holds) and the body's movement, or 'unclear'."""
    named = choose_action(d, action)
    subject = _pick(rng, SUBJECTS)
    movement = body_movement(d, rng, brief)
    if named is None:
        return f"{subject} moves, but {_pick(rng, UNCLEAR)}. {movement}"
    return f"{subject} {action_clause(d, named, rng)}. {movement}"


def qa_for(d: MotionDescriptors, action: str | None, rng: np.random.Generator,
           brief: bool = False) -> list[tuple[str, str]]:
    """Question-answer pairs whose answers are measured facts (and the caption)."""
    caption = caption_for(d, action, rng, brief)
    qa = [(_pick(rng, ["What does the person do?", "Describe the person's motion.", "What is happening?"]), caption)]
    named = choose_action(d, action)
    qa.append((_pick(rng, ["Which action is this?", "Can you name the action?"]),
               "It is unclear." if named is None else f"The person {action_clause(d, named, rng)}."))
    if d.direction != "none":
        qa.append((_pick(rng, ["How fast is the person moving?", "What is the person's speed?"]),
                   f"About {d.ground_speed_mps:.1f} m/s."))
        qa.append((_pick(rng, ["In which direction is the person moving?", "Where is the person going?"]),
                   f"{DIRECTION_WORDS[d.direction].capitalize()}."))
    else:
        qa.append(("Is the person moving across the ground?", "No, the person stays in place."))
    qa.append((_pick(rng, ["Do the feet leave the ground?", "Is the person airborne?"]),
               f"Yes, {NUMBER_WORDS.get(d.jumps, f'{d.jumps} times')}, about {100 * d.jump_height_m:.0f} cm high."
               if d.jumps else "No, a foot stays on the ground."))
    qa.append((_pick(rng, ["What is the body posture?", "How is the body held?"]),
               f"{POSTURE_WORDS[d.main_posture].capitalize()}, the torso inclined about "
               f"{d.torso_inclination_deg:.0f} degrees."))
    for side, limb in (("left", d.left), ("right", d.right)):
        if limb.oscillation_hz > 0:
            qa.append((f"How fast does the {side} hand move back and forth?", f"About {limb.oscillation_hz:.1f} Hz."))
    return qa
