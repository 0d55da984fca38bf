"""Raw image buffers (the fields of `sensor_msgs/Image`) to numpy arrays and back, without cv_bridge.

ROS-free: functions take and return the message's fields, so the nodes, the bag replay and the tests share
one implementation. `llamo_ros.messages.image_msg` wraps them for real `sensor_msgs/Image` messages.

Supported encodings (sensor_msgs/image_encodings.hpp names) and the arrays they map to:
  rgb8, bgr8        (H, W, 3) uint8     rgba8, bgra8  (H, W, 4) uint8
  mono8, 8UC1       (H, W) uint8        mono16, 16UC1 (H, W) uint16  (depth in millimetres)
  32FC1             (H, W) float32 (depth in metres)
Rows may be padded (`step` > width * bytes per pixel) and multi-byte data may be big-endian.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


class ImageFormatError(ValueError):
    """The image's encoding is unsupported or its fields are inconsistent with its data."""


@dataclass(frozen=True)
class PixelFormat:
    dtype: np.dtype   # element type, native byte order
    channels: int     # elements per pixel


PIXEL_FORMATS: dict[str, PixelFormat] = {
    "rgb8": PixelFormat(np.dtype(np.uint8), 3),
    "bgr8": PixelFormat(np.dtype(np.uint8), 3),
    "rgba8": PixelFormat(np.dtype(np.uint8), 4),
    "bgra8": PixelFormat(np.dtype(np.uint8), 4),
    "mono8": PixelFormat(np.dtype(np.uint8), 1),
    "8UC1": PixelFormat(np.dtype(np.uint8), 1),
    "mono16": PixelFormat(np.dtype(np.uint16), 1),
    "16UC1": PixelFormat(np.dtype(np.uint16), 1),
    "32FC1": PixelFormat(np.dtype(np.float32), 1),
}


@dataclass(frozen=True)
class RawImage:
    """The fields of a `sensor_msgs/Image` (header excluded)."""

    height: int
    width: int
    encoding: str
    is_bigendian: bool
    step: int          # bytes per row, padding included
    data: bytes


def pixel_format(encoding: str) -> PixelFormat:
    """The pixel format of an encoding; raises ImageFormatError naming the supported ones."""
    try:
        return PIXEL_FORMATS[encoding]
    except KeyError:
        raise ImageFormatError(
            f"unsupported image encoding {encoding!r}; supported: {', '.join(PIXEL_FORMATS)}") from None


def raw_to_array(height: int, width: int, encoding: str, is_bigendian: bool, step: int,
                 data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Decode a raw image buffer into a native-endian (H, W) or (H, W, C) array (a copy).

    Raises ImageFormatError for unsupported encodings, zero or negative sizes, a step shorter than a row,
    or data shorter than height * step.
    """
    fmt = pixel_format(encoding)
    if height <= 0 or width <= 0:
        raise ImageFormatError(f"image has zero size: {width}x{height} ({encoding})")
    row_bytes = width * fmt.channels * fmt.dtype.itemsize
    if step < row_bytes:
        raise ImageFormatError(
            f"step {step} is shorter than one row of {width} px {encoding} ({row_bytes} bytes)")
    buf = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.view(np.uint8).ravel()
    if buf.size < height * step:
        raise ImageFormatError(
            f"image data has {buf.size} bytes, expected height*step = {height}*{step} = {height * step} "
            f"for {width}x{height} {encoding}")
    rows = buf[: height * step].reshape(height, step)[:, :row_bytes]            # (H, row_bytes) uint8
    wire_dtype = fmt.dtype.newbyteorder(">" if is_bigendian else "<") if fmt.dtype.itemsize > 1 else fmt.dtype
    pixels = np.ascontiguousarray(rows).view(wire_dtype).astype(fmt.dtype, copy=False)  # (H, W*C) native
    shape = (height, width) if fmt.channels == 1 else (height, width, fmt.channels)
    return np.array(pixels.reshape(shape), copy=True)


def array_to_raw(array: np.ndarray, encoding: str) -> RawImage:
    """Encode an (H, W) or (H, W, C) array as an unpadded little-endian raw image of `encoding`.

    The array's dtype and channel count must match the encoding (e.g. uint8 (H, W, 3) for rgb8).
    """
    fmt = pixel_format(encoding)
    expected_ndim = 2 if fmt.channels == 1 else 3
    if array.ndim == 3 and fmt.channels == 1 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != expected_ndim or (fmt.channels > 1 and array.shape[2] != fmt.channels):
        raise ImageFormatError(f"array of shape {array.shape} does not fit encoding {encoding!r} "
                               f"({fmt.channels} channel(s))")
    if array.dtype != fmt.dtype:
        raise ImageFormatError(f"array dtype {array.dtype} does not fit encoding {encoding!r} ({fmt.dtype})")
    height, width = array.shape[:2]
    if height == 0 or width == 0:
        raise ImageFormatError(f"image has zero size: {width}x{height} ({encoding})")
    little = np.ascontiguousarray(array, dtype=fmt.dtype.newbyteorder("<"))
    return RawImage(height=int(height), width=int(width), encoding=encoding, is_bigendian=False,
                    step=int(width * fmt.channels * fmt.dtype.itemsize), data=little.tobytes())


def to_rgb8(array: np.ndarray, encoding: str) -> np.ndarray:
    """A decoded colour or mono8 image as (H, W, 3) uint8 RGB, the input of every pose backend."""
    if encoding == "rgb8":
        return array
    if encoding == "bgr8":  # cv2: one pass, no GIL held (numpy's reversed-channel copy is ~10x slower)
        return cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
    if encoding == "rgba8":
        return np.ascontiguousarray(array[:, :, :3])
    if encoding == "bgra8":
        return np.ascontiguousarray(array[:, :, 2::-1])
    if encoding in ("mono8", "8UC1"):
        return np.repeat(array[:, :, None], 3, axis=2)
    raise ImageFormatError(f"encoding {encoding!r} is not a colour image; expected one of "
                           "rgb8, bgr8, rgba8, bgra8, mono8")


def to_depth_metres(array: np.ndarray, encoding: str) -> np.ndarray:
    """A decoded depth image as (H, W) float32 metres; 0 and non-finite values become NaN (no reading).

    16UC1/mono16 depth is millimetres (REP-118); 32FC1 depth is metres.
    """
    if encoding in ("16UC1", "mono16"):
        depth = array.astype(np.float32) * np.float32(0.001)
    elif encoding == "32FC1":
        depth = array.astype(np.float32, copy=True)
    else:
        raise ImageFormatError(f"encoding {encoding!r} is not a depth image; expected 16UC1, mono16 or 32FC1")
    depth[~np.isfinite(depth) | (depth <= 0)] = np.nan
    return depth
