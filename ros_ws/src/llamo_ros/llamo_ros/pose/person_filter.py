"""`upright_people`, `split_upright`: drop detections whose box is flatter than a standing or sitting person's.

Pose models also "see" people lying down in cloths, bags and shadows on the ground (on vtest.avi
MediaPipe's landmark model confidently fits a lying person to a yellow jacket on the lawn). Where
only upright people matter (pedestrian scenes) a box-shape test removes these; where a fallen
person matters, leave it off (ratio 0).

The pose stage applies the test once per person per frame (`messages.pose_frames.PoseFrameProcessor`) and
tells the backend whom it dropped (`PoseBackend.dropped`), so a tracking backend does not follow them.
"""
from __future__ import annotations

from llamo_ros.pose.person_pose import PersonPose


def is_upright(person: PersonPose, min_height_to_width: float) -> bool:
    """True if ``person``'s box height / width (pixels) is at least ``min_height_to_width`` (always for 0)."""
    box = person.bbox
    return min_height_to_width <= 0 or (box[3] - box[1]) >= min_height_to_width * max(1e-6, float(box[2] - box[0]))


def upright_people(persons: list[PersonPose], min_height_to_width: float) -> list[PersonPose]:
    """``persons`` whose box height / width (pixels) is at least ``min_height_to_width``; 0 keeps all."""
    return [p for p in persons if is_upright(p, min_height_to_width)]


def split_upright(persons: list[PersonPose], min_height_to_width: float) -> tuple[list[PersonPose], list[PersonPose]]:
    """(upright, flat): ``persons`` split by `is_upright` (box height / width in pixels), each tested once,
    order kept; 0 keeps all."""
    upright, flat = [], []
    for p in persons:
        (upright if is_upright(p, min_height_to_width) else flat).append(p)
    return upright, flat
