"""Separate process: publishes BGR frames from a .npy stack (N, H, W, 3) as JPEG CompressedImages on
`<BASE_TOPIC>/compressed` (image_transport's naming) with CameraInfo, in a loop; every BAD_EVERY-th
message (0: never) carries a corrupt payload instead (a JPEG signature followed by noise).

Usage: publish_compressed.py FRAMES.npy RATE_HZ BASE_TOPIC INFO_TOPIC BAD_EVERY
"""
from __future__ import annotations

import sys

import numpy as np
from sensor_msgs.msg import CompressedImage

from llamo_ros.messages.image_msg import bgr_to_compressed_msg
from publish_images import FramePublisher
from spin_process import spin_node


class CompressedPublisher(FramePublisher):
    def __init__(self, frames: np.ndarray, rate: float, base_topic: str, info_topic: str, bad_every: int) -> None:
        self.payloads = [bgr_to_compressed_msg(f, "jpeg", 90) for f in frames]   # encoded once
        self.noise = np.random.default_rng(0).integers(0, 256, 5000, np.uint8).tobytes()
        self.bad_every = bad_every
        super().__init__(frames, rate, base_topic + "/compressed", info_topic, CompressedImage, "compressed_publisher")

    def image_message(self, count: int) -> CompressedImage:
        if self.bad_every and count % self.bad_every == self.bad_every - 1:
            return CompressedImage(format="bgr8; jpeg compressed bgr8", data=b"\xff\xd8\xff" + self.noise)
        return self.payloads[count % len(self.payloads)]


def main() -> None:
    frames = np.load(sys.argv[1])
    spin_node(lambda: CompressedPublisher(frames, float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])))


if __name__ == "__main__":
    main()
