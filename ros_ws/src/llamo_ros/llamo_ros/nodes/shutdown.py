"""Spinning until SIGINT/SIGTERM, the way every llamo_ros executable ends."""
from __future__ import annotations

from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import Executor, ExternalShutdownException


WAKE_PERIOD_S = 0.5  # the longest a lost shutdown wake-up can delay the exit


def spin_until_shutdown(executor: Executor) -> None:
    """Spin until the signal handler shuts the context down; that is the normal way out, not an error.

    rclpy raises ExternalShutdownException for it, or (a race in the executors) RCLError "context is not
    valid" when the shutdown lands while a wait set is being built; both end the spin quietly. The wait is
    bounded: on Jazzy the wake-up of a SIGTERM that lands at a lifecycle transition is sometimes lost, and an
    unbounded wait then never returned (1 run in ~7 of the lifecycle DDS test); now the context is checked
    every WAKE_PERIOD_S.
    """
    try:
        while executor.context.ok():
            executor.spin_once(timeout_sec=WAKE_PERIOD_S)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except RCLError:
        if executor.context.ok():
            raise
