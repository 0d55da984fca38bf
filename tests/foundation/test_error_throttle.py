"""Both nodes throttle their error logs with one `ErrorThrottle` on monotonic wall time."""
from __future__ import annotations

import inspect

from llamo_ros.messages.diagnostics import ERROR_LOG_PERIOD_S, ErrorThrottle


def test_one_line_per_kind_per_period():
    now = [100.0]
    throttle = ErrorThrottle(clock=lambda: now[0])
    assert throttle.ready("image", 5.0) and not throttle.ready("image", 5.0)
    assert throttle.ready("depth", 5.0), "kinds are throttled separately"
    now[0] += 4.9
    assert not throttle.ready("image", 5.0)
    now[0] += 0.2
    assert throttle.ready("image", 5.0)


def test_the_default_clock_is_monotonic_wall_time_and_both_nodes_share_the_throttle():
    import time

    from llamo_ros.messages import pose_frames
    from llamo_ros.nodes import behavior_node, pose_node
    from llamo_ros.nodes.lifecycle import StageNode

    assert inspect.signature(ErrorThrottle).parameters["clock"].default is time.monotonic
    for node in (pose_node.PoseNode, behavior_node.BehaviorNode):
        assert node._error is StageNode._error, f"{node.__name__} throttles its errors its own way"
    assert pose_frames.PoseConfig.error_log_period_s == behavior_node.BehaviorModelConfig.error_log_period_s \
        == ERROR_LOG_PERIOD_S
