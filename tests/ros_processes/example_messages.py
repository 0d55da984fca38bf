"""One filled example of every llamo_msgs type, built identically in every process of a round-trip test.

Values are deliberately non-trivial (negative and fractional numbers, unicode text, several array items)
so that a field lost or mangled in serialisation shows up as a difference; float32 fields hold values
exactly representable in float32 so that equality is exact after transport.
"""
from __future__ import annotations

from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import Point
from llamo_msgs.msg import (BehaviorDescription, IntentPrediction, IntentPredictionArray, Keypoint2D,
                            Keypoint3D, Person3D, Person3DArray)
from std_msgs.msg import Header

TOPICS = {  # topic -> message type
    "example/persons": Person3DArray,
    "example/intents": IntentPredictionArray,
    "example/description": BehaviorDescription,
}


def _header() -> Header:
    return Header(stamp=Time(sec=1_700_000_123, nanosec=456_789_000), frame_id="camera_color_optical_frame")


def person(track_id: int) -> Person3D:
    msg = Person3D(track_id=track_id, score=0.875, bbox_x_min=10.5, bbox_y_min=-2.25, bbox_x_max=320.0,
                   bbox_y_max=479.75, skeleton_layout="h36m17", root_source=Person3D.ROOT_SOURCE_HEIGHT_PRIOR)
    msg.keypoints_2d = [Keypoint2D(u=10.0 + j, v=20.5 * j, confidence=j / 16.0) for j in range(17)]
    msg.keypoints_3d = [Keypoint3D(position=Point(x=-0.5 + 0.1 * j, y=0.25 * j - 1.0, z=3.0 + 0.01 * j),
                                   confidence=1.0 - j / 32.0) for j in range(17)]
    msg.root_position = Point(x=-0.5, y=-1.0, z=3.0)
    return msg


def person_array() -> Person3DArray:
    return Person3DArray(header=_header(), image_width=640, image_height=480, persons=[person(3), person(41)])


def intent_array() -> IntentPredictionArray:
    labels = ["approaching", "passing_by", "leaving"]
    pred = IntentPrediction(track_id=41, labels=labels, probabilities=[0.625, 0.25, 0.125], most_likely=0,
                            future_path=[Point(x=0.1 * k, y=0.0, z=3.0 - 0.1 * k) for k in range(1, 21)],
                            path_time_step=Duration(sec=0, nanosec=100_000_000), horizon=Duration(sec=2),
                            window_start=Time(sec=1_700_000_120, nanosec=1), window_end=_header().stamp)
    return IntentPredictionArray(header=_header(), predictions=[pred])


def description() -> BehaviorDescription:
    return BehaviorDescription(header=_header(), track_id=41, window_start=Time(sec=1_700_000_120),
                               window_end=_header().stamp,
                               text="The person walks towards the robot and waves with the right hand — twice.",
                               model="motion_llm_demo+SmolLM2-135M-Instruct",
                               generation_latency=Duration(sec=1, nanosec=250_000_000))


def build(topic: str):
    return {"example/persons": person_array, "example/intents": intent_array,
            "example/description": description}[topic]()
