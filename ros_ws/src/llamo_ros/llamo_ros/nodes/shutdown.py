"""Spinning until SIGINT/SIGTERM, the way every llamo_ros executable ends."""
from __future__ import annotations

from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import Executor, ExternalShutdownException


def spin_until_shutdown(executor: Executor) -> None:
    """Spin until the signal handler shuts the context down; that is the normal way out, not an error.

    rclpy raises ExternalShutdownException for it, or (a race in the executors) RCLError "context is not
    valid" when the shutdown lands while a wait set is being built; both end the spin quietly.
    """
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except RCLError:
        if executor.context.ok():
            raise
