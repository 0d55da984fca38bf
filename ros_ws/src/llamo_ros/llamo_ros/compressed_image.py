"""`sensor_msgs/CompressedImage` payloads (JPEG, PNG) to numpy arrays and back, with OpenCV, without ROS.

The `format` field follows image_transport's compressed plugin: ``"<raw encoding>; <codec> compressed
<payload encoding>"``, e.g. ``"bgr8; jpeg compressed bgr8"``, ``"rgb8; jpeg compressed bgr8"`` or
``"mono8; png compressed mono8"``; cameras and other tools also write just ``"jpeg"`` or ``"png"``, and
some leave it empty (the codec then comes from the payload's signature). The payload's channel order is
the encoding after ``compressed`` (bgr8 when absent, OpenCV's order). ``compressedDepth`` (image_transport's
16-bit depth plugin) and codecs other than JPEG and PNG are rejected with `CompressedImageError`.
"""
from __future__ import annotations

import re

import cv2
import numpy as np

from llamo_ros.image_encoding import ImageFormatError

CODECS = ("jpeg", "png")
_SIGNATURES = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}
_CODEC_WORDS = {"jpeg": "jpeg", "jpg": "jpeg", "png": "png"}
_COMPRESSED = re.compile(r"(\w+)\s+compressed\s*(\w*)")   # "<codec> compressed [payload encoding]"


class CompressedImageError(ImageFormatError):
    """A CompressedImage that cannot be decoded: empty, unsupported format, or not the image it claims."""


def parse_format(fmt: str) -> tuple[str, str]:
    """image_transport `format` -> (codec: 'jpeg' | 'png' | '' when unstated, payload channel order
    'bgr8' | 'rgb8' | 'mono8'). Raises CompressedImageError for compressedDepth and other codecs."""
    text = fmt.strip().lower()
    if "compresseddepth" in text:
        raise CompressedImageError(f"unsupported compressed format {fmt!r}: compressedDepth (16-bit depth) is "
                                   "not a colour image; subscribe depth as a raw sensor_msgs/Image")
    codec_part, order = text.rsplit(";", 1)[-1].strip(), "bgr8"
    if match := _COMPRESSED.search(codec_part):
        codec_part, order = match.group(1), match.group(2) or "bgr8"
    if codec_part == "":
        return "", order
    if codec_part not in _CODEC_WORDS:
        raise CompressedImageError(f"unsupported compressed format {fmt!r}; supported codecs: jpeg, png "
                                   "(e.g. 'jpeg', 'png', 'bgr8; jpeg compressed bgr8')")
    if order not in ("bgr8", "rgb8", "mono8", "bgr16", "rgb16", "mono16"):
        raise CompressedImageError(f"unsupported payload encoding {order!r} in compressed format {fmt!r}")
    return _CODEC_WORDS[codec_part], order


def compressed_to_rgb8(fmt: str, data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Decode a JPEG or PNG CompressedImage payload into (H, W, 3) uint8 RGB (the pose backends' input).

    Raises CompressedImageError (a ImageFormatError) when the payload is empty, its format is unsupported,
    its signature is not the codec's the format names, or OpenCV cannot decode it (truncated, corrupt).
    """
    codec, order = parse_format(fmt)
    buf = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.view(np.uint8).ravel()
    if buf.size == 0:
        raise CompressedImageError(f"empty compressed image payload (format {fmt!r})")
    head = buf[:8].tobytes()
    found = next((name for name, sig in _SIGNATURES.items() if head.startswith(sig)), "")
    if not found:
        raise CompressedImageError(f"compressed payload of {buf.size} bytes is not a JPEG or PNG image "
                                   f"(starts with {head.hex(' ')}; format {fmt!r})")
    if codec and found != codec:
        raise CompressedImageError(f"format {fmt!r} says {codec} but the payload is a {found} image")
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)   # (H, W, 3) uint8 in the payload's channel order; 16-bit scaled
    if image is None or image.size == 0:
        raise CompressedImageError(f"cannot decode the {buf.size}-byte {found} payload (truncated or corrupt)")
    if order.startswith("rgb"):   # written in RGB order: imdecode hands the channels back as written
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def encode_compressed(bgr: np.ndarray, codec: str = "jpeg", jpeg_quality: int = 95,
                      png_level: int = 3) -> tuple[str, bytes]:
    """Encode a (H, W, 3) uint8 BGR image as image_transport does: returns (format, payload bytes),
    e.g. ('bgr8; jpeg compressed bgr8', b'\\xff\\xd8...'). jpeg_quality in [1, 100], png_level in [0, 9]."""
    if codec not in CODECS:
        raise ValueError(f"codec must be one of {CODECS}, got {codec!r}")
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8 BGR, got {bgr.shape} {bgr.dtype}")
    if codec == "jpeg":
        if not 1 <= jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be in [1, 100], got {jpeg_quality}")
        ok, payload = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
    else:
        ok, payload = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, int(png_level)])
    if not ok:
        raise ValueError(f"OpenCV failed to encode a {bgr.shape} image as {codec}")
    return f"bgr8; {codec} compressed bgr8", payload.tobytes()
