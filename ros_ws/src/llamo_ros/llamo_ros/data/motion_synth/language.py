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
        return (f"{pick(['walks towards the camera', 'approaches the camera', 'walks toward the robot'])} "
                f"{_speed_phrase(p, rng)}")
    if name == "walk_past":
        d = p["direction"].replace("_", " ")
        return (pick([f"walks past from {d}", f"passes by, moving from {d}", f"walks past the robot from {d}"])
                + " " + _speed_phrase(p, rng))
    if name == "walk_away":
        return (f"{pick(['walks away from the camera', 'walks away', 'leaves, walking away from the robot'])} "
                f"{_speed_phrase(p, rng)}")
    if name == "stand":
        return pick(["stands still", "stands idle for a moment",
                     f"stands still for about {p['duration_s']:.0f} seconds"])
    hand = HAND_PHRASES.get(p.get("hand", ""), "")
    if name == "wave":
        times = NUMBER_WORDS[p["count"]]
        return pick([f"waves {times} with {hand}", f"waves {hand} {times}", f"raises {hand} and waves {times}"])
    if name == "point":
        where = pick(POINT_DIRECTIONS[p["direction"]])
        arm = hand.replace("hand", "arm")
        return pick([f"points {where} with {hand}", f"raises {arm} and points {where}", f"points with {hand} {where}"])
    if name == "hand_over":
        return pick([f"hands over an object with {hand}",
                     f"reaches forward at chest height and hands over something with {hand}",
                     f"holds out {hand} at chest height, as if to hand something over"])
    if name == "sit_down":
        return pick(["sits down", "sits down on a chair", "lowers themself and sits down"])
    if name == "stand_up":
        return pick(["stands up", "stands up from the chair", "gets up from the seat"])
    if name == "pick_up":
        how = "crouches down" if p["style"] == "crouch" else "bends over"
        return pick([f"{how} and picks up something from the floor with {hand}",
                     f"picks up an object from the floor with {hand}",
                     f"{how} and picks up an object"])
    if name in CLAUSES:
        return _template_clause(name, p, rng)
    raise ValueError(name)


# Template clauses of the broad generator's actions: a simple, correct statement per action (the
# descriptor-based caption rules replace them). {hand}: "the right hand"..., {foot}, {count}, {speed}.
CLAUSES: dict[str, tuple[str, ...]] = {
    "walk": ("walks {speed}{turning}", "walks along {speed}{turning}"),
    "jog": ("jogs {speed}{turning}", "jogs along {speed}{turning}"),
    "run": ("runs {speed}", "runs fast, {speed}"),
    "clap": ("claps {count}", "claps the hands {count}"),
    "nod": ("nods {count}", "nods the head {count}"),
    "head_shake": ("shakes the head {count}", "shakes the head from side to side {count}"),
    "bow": ("bows", "bows forward from the hips"),
    "carry": ("carries a box with both arms {speed}", "walks carrying something in both arms {speed}"),
    "push": ("pushes something forward while walking slowly", "leans forward and pushes something ahead"),
    "throw": ("throws something overarm with {hand}", "winds up and throws with {hand}"),
    "reach_up": ("reaches up high with {hand}", "stretches {hand} up above the head"),
    "squat": ("squats {count}", "does {count_n} squat{plural}"),
    "crouch": ("crouches down low and rises again", "crouches down, stays low, and rises"),
    "kneel": ("kneels down on {knees} and rises again", "goes down on {knees}, then rises"),
    "lie_down": ("lies down on the back", "lies down on the floor, face up"),
    "get_up_face_up": ("gets up from lying on the back", "stands up from the floor, starting face up"),
    "get_up_face_down": ("gets up from lying face down", "pushes up from the floor and stands up"),
    "fall": ("falls forward onto the floor", "topples over and falls face down"),
    "jump": ("jumps in place {count}", "jumps up {count}"),
    "jump_forward": ("jumps forward {count}", "leaps forward {count}"),
    "hop": ("hops {count} on the {foot} foot", "hops on one foot {count}"),
    "turn": ("turns around on the spot", "turns {side} in place"),
    "spin": ("spins around {side}", "spins around in place"),
    "stretch": ("stretches both arms up overhead and leans to each side", "stretches, arms overhead"),
    "dance": ("dances to a beat", "moves rhythmically, as if dancing"),
    "crawl": ("gets down and crawls on hands and knees", "crawls on all fours, then gets back on the feet"),
    "kick": ("kicks forward with the {foot} foot", "does a front kick with the {foot} leg"),
    "punch": ("punches {count}", "throws {count_n} punch{plural_es} with the fists"),
    "improvise": ("moves the arms, trunk and legs about freely, in no set pattern",
                  "makes unscripted movements with the whole body"),
}
GERUNDS.update({name: name.replace("_", " ") + ("ing" if not name.endswith("e") else "") for name in CLAUSES})
GERUNDS.update({"walk": "walking", "jog": "jogging", "run": "running", "clap": "clapping", "nod": "nodding",
                "head_shake": "shaking the head", "bow": "bowing", "carry": "carrying something",
                "push": "pushing something", "throw": "throwing", "reach_up": "reaching up", "squat": "squatting",
                "crouch": "crouching", "kneel": "kneeling", "lie_down": "lying down",
                "get_up_face_up": "getting up from the back", "get_up_face_down": "getting up from face down",
                "fall": "falling", "jump": "jumping", "jump_forward": "jumping forward", "hop": "hopping",
                "turn": "turning around", "spin": "spinning", "stretch": "stretching", "dance": "dancing",
                "crawl": "crawling", "kick": "kicking", "punch": "punching",
                "improvise": "moving about freely"})


def _template_clause(name: str, p: dict, rng: np.random.Generator) -> str:
    count = int(p.get("count", 1))
    turns = p.get("turns", ())
    turning = ""
    if turns:
        net = sum(d for _, _, d in turns)
        turning = (", turning gradually to the " + ("left" if net > 0 else "right") if abs(net) >= 20
                   else ", changing direction")
    if p.get("stops"):
        turning += ", stopping for a moment on the way"
    fields = {
        "hand": HAND_PHRASES.get(p.get("hand", ""), "one hand"), "foot": p.get("foot", "right"),
        "count": NUMBER_WORDS.get(count, f"{count} times"), "count_n": str(count),
        "plural": "s" if count > 1 else "", "plural_es": "es" if count > 1 else "",
        "speed": f"at about {p['speed_mps']:.1f} m/s" if "speed_mps" in p else "",
        "turning": turning, "knees": "one knee" if p.get("style") == "one_knee" else "both knees",
        "side": "to the left" if p.get("turn_deg", 0) > 0 else "to the right",
    }
    return str(rng.choice(CLAUSES[name])).format(**fields)


def caption_clip(segments: list[ActionSegment], rng: np.random.Generator) -> str:
    """The clip's caption from its action segments: the one seam where another caption rule plugs in."""
    return _caption(segments, rng)


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
        if s.name in ("walk_towards", "walk_past", "walk_away"):
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
