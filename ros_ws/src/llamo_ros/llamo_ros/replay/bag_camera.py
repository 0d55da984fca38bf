"""Which topic of a rosbag2 is the camera, raw (`sensor_msgs/Image`) or compressed (`CompressedImage`).

Shared by `llamo replay` and the bag launch, so both pick the same topic and transport. Compressed topics
follow image_transport's naming: `<base topic>/compressed`; the pose node subscribes them with
`image_transport:=compressed` and `image` remapped to the base topic.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RAW_IMAGE, COMPRESSED_IMAGE = "sensor_msgs/msg/Image", "sensor_msgs/msg/CompressedImage"
IMAGE_TYPES = (RAW_IMAGE, COMPRESSED_IMAGE)


class CameraTopicError(ValueError):
    """The bag has no camera topic, several, or not the one asked for."""


@dataclass(frozen=True)
class CameraTopic:
    topic: str       # the bag's topic
    msgtype: str     # RAW_IMAGE or COMPRESSED_IMAGE

    @property
    def transport(self) -> str:
        """The pose node's `image_transport`: 'raw' or 'compressed'."""
        return "compressed" if self.msgtype == COMPRESSED_IMAGE else "raw"

    @property
    def base_topic(self) -> str:
        """What `image` is remapped to: the topic itself (raw) or the topic without `/compressed`."""
        if self.msgtype == COMPRESSED_IMAGE:
            if not self.topic.endswith("/compressed"):
                raise CameraTopicError(f"compressed topic {self.topic!r} does not follow image_transport's "
                                       "'<base>/compressed' naming; the pose node cannot subscribe it")
            return self.topic[: -len("/compressed")]
        return self.topic


def pick_camera_topic(topic_types: dict[str, str], wanted: str = "", exclude: set[str] = frozenset()) -> CameraTopic:
    """The camera topic among `topic_types` (topic -> message type): `wanted` if given (its base name also
    finds `<wanted>/compressed`), else the only Image or CompressedImage topic not in `exclude`."""
    images = {t: m for t, m in topic_types.items() if m in IMAGE_TYPES and t not in exclude}
    if wanted:
        for topic in (wanted, wanted.rstrip("/") + "/compressed"):
            if topic in images:
                return CameraTopic(topic, images[topic])
        raise CameraTopicError(f"image topic {wanted!r} is not in the bag as an Image or CompressedImage topic "
                               f"(nor {wanted.rstrip('/')}/compressed); its image topics: {sorted(images)}")
    if len(images) != 1:
        raise CameraTopicError(f"cannot choose the image topic: the bag has {len(images)} Image/CompressedImage "
                               f"topics {sorted(images)}; name one with --image-topic")
    (topic, msgtype), = images.items()
    return CameraTopic(topic, msgtype)


def bag_camera_topic(bag: Path, wanted: str = "") -> CameraTopic:
    """`pick_camera_topic` over the topics of the bag at `bag` (sqlite3 or mcap)."""
    from rosbags.rosbag2 import Reader

    with Reader(bag) as reader:
        return pick_camera_topic({c.topic: c.msgtype for c in reader.connections}, wanted)
