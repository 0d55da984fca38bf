"""`sensor_msgs/Image` and `CompressedImage` <-> numpy, thin wrappers over `llamo_ros.image_encoding` and
`llamo_ros.compressed_image` (no cv_bridge)."""
from __future__ import annotations

import numpy as np
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from llamo_ros.compressed_image import compressed_to_rgb8, encode_compressed
from llamo_ros.image_encoding import array_to_raw, raw_to_array, to_rgb8


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


def image_msg_to_rgb8(msg: Image | CompressedImage) -> np.ndarray:
    """A colour, mono or JPEG/PNG-compressed image message as (H, W, 3) uint8 RGB; raises ImageFormatError
    (CompressedImageError for compressed payloads) with the reason when it cannot be decoded."""
    if isinstance(msg, CompressedImage):
        return compressed_to_rgb8(msg.format, msg.data)
    return to_rgb8(image_msg_to_array(msg), msg.encoding)


def bgr_to_compressed_msg(bgr: np.ndarray, codec: str = "jpeg", jpeg_quality: int = 95,
                          header: Header | None = None) -> CompressedImage:
    """Encode a (H, W, 3) uint8 BGR array as a CompressedImage the way image_transport's plugin does."""
    msg = CompressedImage()
    if header is not None:
        msg.header = header
    msg.format, msg.data = encode_compressed(bgr, codec, jpeg_quality)
    return msg
