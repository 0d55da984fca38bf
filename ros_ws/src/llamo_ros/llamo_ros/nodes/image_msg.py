"""`sensor_msgs/Image` <-> numpy, a thin wrapper over `llamo_ros.image_encoding` (no cv_bridge)."""
from __future__ import annotations

import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from llamo_ros.image_encoding import array_to_raw, raw_to_array


def image_msg_to_array(msg: Image) -> np.ndarray:
    """Decode an Image message; raises ImageFormatError with the reason when it is malformed."""
    return raw_to_array(msg.height, msg.width, msg.encoding, bool(msg.is_bigendian), msg.step, msg.data)


def array_to_image_msg(array: np.ndarray, encoding: str, header: Header | None = None) -> Image:
    """Encode an array as an Image message (unpadded, little-endian)."""
    raw = array_to_raw(array, encoding)
    msg = Image()
    if header is not None:
        msg.header = header
    msg.height, msg.width, msg.encoding = raw.height, raw.width, raw.encoding
    msg.is_bigendian, msg.step = int(raw.is_bigendian), raw.step
    msg.data = raw.data  # bytes, never a numpy array: rclpy converts arrays element by element (~75 ms/frame)
    return msg
