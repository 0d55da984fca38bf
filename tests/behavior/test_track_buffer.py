"""The per-track motion buffer stays bounded and forgets people who left."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.motion.track_buffer import TrackBuffer, TrackBufferConfig

J = np.zeros((17, 3), np.float32)
C = np.ones(17, np.float32)


def test_frames_per_track_are_bounded_and_ordered():
    buf = TrackBuffer(TrackBufferConfig(max_frames=5))
    for k in range(12):
        buf.add(k * 100, 1, J + k, C)
    w = buf.window(1)
    assert w.joints.shape == (5, 17, 3)
    np.testing.assert_array_equal(w.stamps_ns, [700, 800, 900, 1000, 1100])
    assert w.joints[-1, 0, 0] == 11 and w.times_s[0] == pytest.approx(-4e-7)


def test_many_people_passing_never_grow_the_buffer():
    buf = TrackBuffer(TrackBufferConfig(max_frames=4, max_tracks=10))
    for k in range(1000):  # a new person every frame
        buf.add(k, k, J, C)
        assert len(buf) <= 10
    assert buf.track_ids == list(range(990, 1000)) and buf.forgotten == 990


def test_stale_tracks_are_forgotten_by_source_time():
    buf = TrackBuffer(TrackBufferConfig(forget_after_s=1.0))
    buf.add(0, 1, J, C)
    buf.add(int(0.5e9), 2, J, C)
    assert buf.forget_stale(int(1.2e9)) == [1]
    assert 1 not in buf and 2 in buf
    with pytest.raises(KeyError, match="unknown track id 1"):
        buf.window(1)


def test_out_of_order_and_malformed_frames_are_rejected():
    buf = TrackBuffer()
    buf.add(10, 1, J, C)
    with pytest.raises(ValueError, match="not after"):
        buf.add(10, 1, J, C)
    with pytest.raises(ValueError, match="expected joints"):
        buf.add(20, 1, np.zeros((16, 3)), C)
    with pytest.raises(ValueError, match="max_frames"):
        TrackBufferConfig(max_frames=1)
