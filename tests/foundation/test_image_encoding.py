"""Image buffers <-> numpy for every encoding: property-based round trips, padding, endianness, errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamo_ros.image_encoding import (PIXEL_FORMATS, ImageFormatError, array_to_raw, raw_to_array, to_depth_metres,
                                      to_rgb8)


def _random_image(rng: np.random.Generator, encoding: str, height: int, width: int) -> np.ndarray:
    fmt = PIXEL_FORMATS[encoding]
    shape = (height, width) if fmt.channels == 1 else (height, width, fmt.channels)
    if fmt.dtype == np.float32:
        return rng.normal(0, 1e3, size=shape).astype(np.float32)
    return rng.integers(0, np.iinfo(fmt.dtype).max + 1, size=shape, dtype=fmt.dtype)


def _wire_bytes(image: np.ndarray, big_endian: bool, padding: int) -> tuple[bytes, int]:
    """Serialise row by row, as a camera driver would, with `padding` junk bytes after every row."""
    order = ">" if big_endian else "<"
    rows = [np.ascontiguousarray(row, dtype=image.dtype.newbyteorder(order)).tobytes() + b"\xa5" * padding
            for row in image]
    return b"".join(rows), len(rows[0])


@settings(max_examples=300, deadline=None)
@given(encoding=st.sampled_from(sorted(PIXEL_FORMATS)), height=st.integers(1, 9), width=st.integers(1, 13),
       padding=st.integers(0, 7), big_endian=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_decode_recovers_the_pixels_for_every_layout(encoding, height, width, padding, big_endian, seed):
    image = _random_image(np.random.default_rng(seed), encoding, height, width)
    data, step = _wire_bytes(image, big_endian, padding)
    decoded = raw_to_array(height, width, encoding, big_endian, step, data)
    assert decoded.dtype == PIXEL_FORMATS[encoding].dtype and decoded.dtype.isnative
    np.testing.assert_array_equal(decoded, image)


@settings(max_examples=200, deadline=None)
@given(encoding=st.sampled_from(sorted(PIXEL_FORMATS)), height=st.integers(1, 9), width=st.integers(1, 13),
       seed=st.integers(0, 2**32 - 1))
def test_encode_then_decode_is_identity(encoding, height, width, seed):
    image = _random_image(np.random.default_rng(seed), encoding, height, width)
    raw = array_to_raw(image, encoding)
    assert raw.step == width * PIXEL_FORMATS[encoding].channels * PIXEL_FORMATS[encoding].dtype.itemsize
    assert len(raw.data) == height * raw.step and not raw.is_bigendian
    np.testing.assert_array_equal(raw_to_array(raw.height, raw.width, raw.encoding, raw.is_bigendian, raw.step,
                                               raw.data), image)


def test_big_endian_16bit_depth_is_byte_swapped():
    data = bytes([0x01, 0x02, 0x03, 0x04])  # two big-endian uint16 pixels: 0x0102, 0x0304
    np.testing.assert_array_equal(raw_to_array(1, 2, "16UC1", True, 4, data), [[0x0102, 0x0304]])
    np.testing.assert_array_equal(raw_to_array(1, 2, "16UC1", False, 4, data), [[0x0201, 0x0403]])


@pytest.mark.parametrize("fields, message", [
    ((4, 4, "yuv422", False, 8, bytes(32)), "unsupported image encoding 'yuv422'"),
    ((0, 4, "rgb8", False, 12, b""), "zero size"),
    ((4, 0, "mono8", False, 0, b""), "zero size"),
    ((2, 4, "rgb8", False, 11, bytes(24)), "step 11 is shorter than one row"),
    ((3, 4, "rgb8", False, 12, bytes(35)), "expected height*step = 3*12 = 36"),
    ((2, 2, "32FC1", True, 8, bytes(15)), "image data has 15 bytes"),
])
def test_malformed_images_are_rejected_with_the_reason(fields, message):
    with pytest.raises(ImageFormatError, match=message.replace("*", r"\*")):
        raw_to_array(*fields)


def test_array_that_does_not_fit_the_encoding_is_rejected():
    with pytest.raises(ImageFormatError, match="does not fit encoding 'rgb8'"):
        array_to_raw(np.zeros((4, 4), np.uint8), "rgb8")
    with pytest.raises(ImageFormatError, match="dtype float64"):
        array_to_raw(np.zeros((4, 4)), "32FC1")


def test_colour_conversions_to_rgb():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    np.testing.assert_array_equal(to_rgb8(rgb[:, :, ::-1].copy(), "bgr8"), rgb)
    rgba = np.concatenate([rgb, np.full((2, 3, 1), 255, np.uint8)], axis=2)
    np.testing.assert_array_equal(to_rgb8(rgba, "rgba8"), rgb)
    np.testing.assert_array_equal(to_rgb8(rgba[:, :, [2, 1, 0, 3]].copy(), "bgra8"), rgb)
    mono = rgb[:, :, 0].copy()
    assert (to_rgb8(mono, "mono8") == mono[:, :, None]).all()
    with pytest.raises(ImageFormatError, match="not a colour image"):
        to_rgb8(np.zeros((2, 2), np.uint16), "16UC1")


def test_depth_in_millimetres_and_metres_becomes_metres_with_nan_for_no_reading():
    mm = np.array([[0, 1500], [65535, 3200]], np.uint16)
    np.testing.assert_allclose(to_depth_metres(mm, "16UC1"), [[np.nan, 1.5], [65.535, 3.2]], rtol=1e-6)
    m = np.array([[np.inf, -1.0], [2.5, np.nan]], np.float32)
    np.testing.assert_allclose(to_depth_metres(m, "32FC1"), [[np.nan, np.nan], [2.5, np.nan]])
    with pytest.raises(ImageFormatError, match="not a depth image"):
        to_depth_metres(np.zeros((2, 2), np.uint8), "rgb8")
