"""CompressedImage payloads (JPEG, PNG) of a real photograph: decoding, image_transport format strings, and a
typed error for every kind of bad payload."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from llamo_ros.compressed_image import CompressedImageError, compressed_to_rgb8, encode_compressed, parse_format
from llamo_ros.image_encoding import ImageFormatError


@pytest.fixture(scope="module")
def photo_bgr() -> np.ndarray:
    from llamo_ros.data.sample_media import SampleMediaUnavailable, load_image

    try:
        return np.ascontiguousarray(load_image("basketball2")[:, :, ::-1])   # RGB -> BGR, what cameras give OpenCV
    except SampleMediaUnavailable as error:
        pytest.skip(f"sample image unavailable: {error}")


@pytest.mark.parametrize("fmt, expected", [
    ("jpeg", ("jpeg", "bgr8")), ("png", ("png", "bgr8")), ("JPEG", ("jpeg", "bgr8")), ("jpg", ("jpeg", "bgr8")),
    ("bgr8; jpeg compressed bgr8", ("jpeg", "bgr8")), ("rgb8; jpeg compressed bgr8", ("jpeg", "bgr8")),
    ("rgb8; png compressed rgb8", ("png", "rgb8")), ("mono8; jpeg compressed mono8", ("jpeg", "mono8")),
    ("", ("", "bgr8")),
])
def test_image_transport_formats_name_codec_and_payload_channel_order(fmt, expected):
    assert parse_format(fmt) == expected


@pytest.mark.parametrize("fmt, reason", [
    ("16UC1; compressedDepth png", "compressedDepth"), ("32FC1; compressedDepth rvl", "compressedDepth"),
    ("tiff", "supported codecs: jpeg, png"), ("rgb8; webp compressed bgr8", "supported codecs"),
    ("rgb8; jpeg compressed yuv422", "unsupported payload encoding 'yuv422'"),
])
def test_unsupported_formats_are_rejected_by_name(fmt, reason):
    with pytest.raises(CompressedImageError, match=reason):
        parse_format(fmt)


def test_png_is_lossless_and_jpeg_close_in_rgb_order(photo_bgr):
    rgb = photo_bgr[:, :, ::-1]
    fmt, png = encode_compressed(photo_bgr, "png")
    assert fmt == "bgr8; png compressed bgr8" and png[:4] == b"\x89PNG"
    np.testing.assert_array_equal(compressed_to_rgb8(fmt, png), rgb)
    fmt, jpeg = encode_compressed(photo_bgr, "jpeg", jpeg_quality=95)
    assert fmt == "bgr8; jpeg compressed bgr8" and len(jpeg) < photo_bgr.nbytes / 4
    decoded = compressed_to_rgb8(fmt, jpeg)
    assert decoded.shape == rgb.shape and decoded.dtype == np.uint8
    error = np.abs(decoded.astype(np.int16) - rgb).mean(axis=(0, 1))     # per channel: a swap would be large
    assert (error < 4).all(), error
    # a plain "jpeg" format (cameras, foxglove) and an empty one (codec from the signature) decode the same
    np.testing.assert_array_equal(compressed_to_rgb8("jpeg", jpeg), decoded)
    np.testing.assert_array_equal(compressed_to_rgb8("", np.frombuffer(jpeg, np.uint8)), decoded)


def test_payload_written_in_rgb_order_is_returned_as_is(photo_bgr):
    rgb = np.ascontiguousarray(photo_bgr[:, :, ::-1])
    ok, png = cv2.imencode(".png", rgb)   # a publisher that encoded RGB data and says so
    assert ok
    np.testing.assert_array_equal(compressed_to_rgb8("rgb8; png compressed rgb8", png.tobytes()), rgb)


def test_grey_jpeg_becomes_three_equal_channels(photo_bgr):
    grey = cv2.cvtColor(photo_bgr, cv2.COLOR_BGR2GRAY)
    ok, jpeg = cv2.imencode(".jpg", grey)
    decoded = compressed_to_rgb8("mono8; jpeg compressed mono8", jpeg.tobytes())
    assert decoded.shape == (*grey.shape, 3)
    np.testing.assert_array_equal(decoded[:, :, 0], decoded[:, :, 2])


def test_every_bad_payload_raises_a_typed_error_that_says_why(photo_bgr):
    _, jpeg = encode_compressed(photo_bgr, "jpeg")
    _, png = encode_compressed(photo_bgr, "png")
    cases = {
        "empty compressed image payload": ("jpeg", b""),
        "is not a JPEG or PNG image": ("jpeg", b"this is not an image at all"),
        "says png but the payload is a jpeg": ("png", jpeg),
        "says jpeg but the payload is a png": ("bgr8; jpeg compressed bgr8", png),
        "cannot decode": ("jpeg", jpeg[:3] + bytes(np.random.default_rng(0).integers(0, 256, 4000, np.uint8))),
        "compressedDepth": ("16UC1; compressedDepth png", png),
    }
    for reason, (fmt, payload) in cases.items():
        with pytest.raises(CompressedImageError, match=reason):
            compressed_to_rgb8(fmt, payload)
    assert issubclass(CompressedImageError, ImageFormatError)   # the nodes drop and count it like a bad raw image


def test_encoder_rejects_what_it_cannot_write(photo_bgr):
    with pytest.raises(ValueError, match="codec"):
        encode_compressed(photo_bgr, "webp")
    with pytest.raises(ValueError, match="jpeg_quality"):
        encode_compressed(photo_bgr, "jpeg", jpeg_quality=0)
    with pytest.raises(ValueError, match="uint8 BGR"):
        encode_compressed(photo_bgr[:, :, 0], "png")
