"""Captions and question-answer pairs from the action segments (template clauses, several per fact)."""
from __future__ import annotations

import numpy as np

from llamo_ros.data.motion_clip import ActionSegment
from llamo_ros.data.motion_synth.config import speed_word

NUMBER_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}
SUBJECTS = ("A person", "Someone", "The person", "A pedestrian")
HAND_PHRASES = {"right": "the right hand", "left": "the left hand", "both": "both hands"}
POINT_DIRECTIONS = {"left": ("to their left", "to the left"), "right": ("to their right", "to the right"),
                    "forward": ("straight ahead", "forward")}
GERUNDS = {"walk_towards": "walking towards the camera", "walk_past": "walking past",
           "walk_away": "walking away", "stand": "standing still", "wave": "waving",
           "point": "pointing", "hand_over": "handing something over", "sit_down": "sitting down",
           "stand_up": "standing up", "pick_up": "picking something up"}


def _speed_phrase(p: dict, rng: np.random.Generator) -> str:
    word = speed_word(p["speed_mps"])
    adverb = {"slow": "slowly", "normal": "at a normal pace", "fast": "quickly"}[word]
    return str(rng.choice([adverb, f"at about {p['speed_mps']:.1f} m/s",
                           f"{adverb}, at about {p['speed_mps']:.1f} m/s"]))


def _clause(name: str, p: dict, rng: np.random.Generator) -> str:
    """Third-person verb phrase for one action; contains one of ACTION_WORDS[intent]."""
    pick = lambda options: str(rng.choice(options))  # noqa: E731
    if name == "walk_towards":
        return f"{pick(['walks towards the camera', 'approaches the camera', 'walks toward the robot'])} {_speed_phrase(p, rng)}"
    if name == "walk_past":
        d = p["direction"].replace("_", " ")
        return pick([f"walks past from {d}", f"passes by, moving from {d}", f"walks past the robot from {d}"]) + " " + _speed_phrase(p, rng)
    if name == "walk_away":
        return f"{pick(['walks away from the camera', 'walks away', 'leaves, walking away from the robot'])} {_speed_phrase(p, rng)}"
    if name == "stand":
        return pick(["stands still", "stands idle for a moment", f"stands still for about {p['duration_s']:.0f} seconds"])
    hand = HAND_PHRASES.get(p.get("hand", ""), "")
    if name == "wave":
        times = NUMBER_WORDS[p["count"]]
        return pick([f"waves {times} with {hand}", f"waves {hand} {times}", f"raises {hand} and waves {times}"])
    if name == "point":
        where = pick(POINT_DIRECTIONS[p["direction"]])
        arm = hand.replace("hand", "arm")
        return pick([f"points {where} with {hand}", f"raises {arm} and points {where}", f"points with {hand} {where}"])
    if name == "hand_over":
        return pick([f"hands over an object with {hand}", f"reaches forward at chest height and hands over something with {hand}",
                     f"holds out {hand} at chest height, as if to hand something over"])
    if name == "sit_down":
        return pick(["sits down", "sits down on a chair", "lowers themself and sits down"])
    if name == "stand_up":
        return pick(["stands up", "stands up from the chair", "gets up from the seat"])
    if name == "pick_up":
        how = "crouches down" if p["style"] == "crouch" else "bends over"
        return pick([f"{how} and picks up something from the floor with {hand}", f"picks up an object from the floor with {hand}",
                     f"{how} and picks up an object"])
    raise ValueError(name)


def _caption(segments: list[ActionSegment], rng: np.random.Generator) -> str:
    clauses = [_clause(s.name, s.params, rng) for s in segments]
    subject = str(rng.choice(SUBJECTS))
    if len(clauses) == 1:
        return f"{subject} {clauses[0]}."
    style = int(rng.integers(3))
    if style == 0:
        body = ", then ".join(clauses[:-1]) + (", and finally " if len(clauses) > 2 else ", then ") + clauses[-1]
        return f"{subject} {body}."
    if style == 1:
        return f"{subject} {clauses[0]}. " + " ".join(f"After that, the person {c}." for c in clauses[1:])
    return f"{subject} first {clauses[0]}, " + ", ".join(f"and then {c}" for c in clauses[1:]) + "."


def _qa(segments: list[ActionSegment], caption: str, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Question-answer pairs about hands, directions, speeds, counts and what comes next."""
    pick = lambda options: str(rng.choice(options))  # noqa: E731
    qa = [(pick(["What does the person do?", "Describe the person's motion.", "What is happening?"]), caption)]
    for i, s in enumerate(segments):
        p, doing = s.params, GERUNDS[s.name]
        if s.name.startswith("walk"):
            v, word = p["speed_mps"], speed_word(p["speed_mps"])
            qa.append((pick([f"How fast is the person {doing}?", f"What is the walking speed while {doing}?"]),
                       pick([f"About {v:.1f} m/s, a {word} pace.", f"{word.capitalize()}, about {v:.1f} m/s."])))
            where = {"walk_towards": "Towards the camera, coming closer.", "walk_away": "Away from the camera.",
                     "walk_past": f"Across the view, from {p['direction'].replace('_', ' ')}."}[s.name]
            qa.append((pick(["In which direction is the person walking?", "Where is the person walking?"]), where))
        if s.name == "wave":
            qa.append((pick(["Which hand does the person wave with?", "Which hand is used to wave?"]),
                       f"{HAND_PHRASES[p['hand']].capitalize()}."))
            qa.append((pick(["How many times does the person wave?", "How often does the person wave the hand?"]),
                       f"{NUMBER_WORDS[p['count']].capitalize()}."))
        if s.name == "point":
            qa.append((pick(["Which hand does the person point with?", "Which hand is raised to point?"]),
                       f"{HAND_PHRASES[p['hand']].capitalize()}."))
            qa.append((pick(["Where does the person point?", "In which direction does the person point?"]),
                       f"{POINT_DIRECTIONS[p['direction']][0].capitalize()}."))
        if s.name in ("hand_over", "pick_up"):
            qa.append((f"Which hand does the person use for {doing}?", f"{HAND_PHRASES[p['hand']].capitalize()}."))
        if i + 1 < len(segments):
            nxt = segments[i + 1]
            qa.append((pick([f"What does the person do after {doing}?", f"What happens next after {doing}?"]),
                       f"The person {_clause(nxt.name, nxt.params, rng)}."))
    return qa
