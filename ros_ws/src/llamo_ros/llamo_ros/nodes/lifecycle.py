"""What the pose and behaviour nodes share as managed (lifecycle) nodes.

The transitions mean the same for both, as in yolo_ros and nav2:
- configure: read the parameters, load the models, create the (lifecycle) publishers;
- activate: subscribe to the inputs and start publishing (outputs and /diagnostics);
- deactivate: unsubscribe; nothing is processed or published while inactive;
- cleanup: free the models and threads, so that a new configure loads them again;
- shutdown: from any state, the same as cleanup.

`autostart` (default true) runs configure and activate at start-up, so that `ros2 run` and the launch
files get a working node as before, and a failed configure ends the process with status 1 (nobody would
retry it); set it false where a lifecycle manager brings the nodes up.
"""
from __future__ import annotations

from dataclasses import dataclass

from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.timer import Timer

from llamo_ros.config_fields import param
from llamo_ros.messages.diagnostics import ERROR_LOG_PERIOD_S, ErrorThrottle


@dataclass
class LifecycleConfig:
    autostart: bool = param(True, "configure and activate at start-up (ready for `ros2 run`); false: stay "
                                  "unconfigured until a lifecycle manager (or `ros2 lifecycle set`) configures it")


def start_up(node: LifecycleNode, autostart: bool) -> bool:
    """Configure and activate `node` if `autostart`; False when a transition failed (the node logged why)."""
    if not autostart:
        node.get_logger().info("waiting unconfigured for a lifecycle manager (autostart is false)")
        return True
    return (node.trigger_configure() == TransitionCallbackReturn.SUCCESS
            and node.trigger_activate() == TransitionCallbackReturn.SUCCESS)


class StageNode(LifecycleNode):
    """What deactivate, cleanup, shutdown and destroy mean for every llamo_ros stage node.

    Subclasses load in `on_configure`, put the subscriptions and timers they create in `on_activate` into
    `_inputs` (so the node is active exactly while `_inputs` is not empty), and free what configure made in
    `_release`."""

    def __init__(self, node_name: str) -> None:
        super().__init__(node_name)
        self._inputs: list = []   # subscriptions and timers, alive only while active
        self._error_throttle = ErrorThrottle()
        self.error_log_period_s = ERROR_LOG_PERIOD_S   # set from the parameter of that name in configure

    def _error(self, kind: str, text: str) -> None:
        """Log an error at most once per `error_log_period_s` per kind (monotonic wall time, in every node)."""
        if self._error_throttle.ready(kind, self.error_log_period_s):
            self.get_logger().error(text)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Unsubscribe and stop the timers -> inactive (nothing is processed or published)."""
        self._stop_inputs()
        self.get_logger().info(f"{self.get_name()} node inactive")
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Free the models and threads -> unconfigured."""
        self._release()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._release()
        return super().on_shutdown(state)

    def destroy_node(self):
        self._release()
        return super().destroy_node()

    def _stop_inputs(self) -> None:
        for entity in self._inputs:
            (self.destroy_timer if isinstance(entity, Timer) else self.destroy_subscription)(entity)
        self._inputs = []

    def _release(self) -> None:
        """Free what configure made (idempotent: also called at shutdown and destroy)."""
        raise NotImplementedError
