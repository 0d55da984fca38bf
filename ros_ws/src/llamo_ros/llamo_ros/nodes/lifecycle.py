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

from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn

from llamo_ros.config_fields import param


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
