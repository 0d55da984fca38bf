"""Camera-to-target transforms for the pose node: from tf2 (where `tf2_ros` imports: apt ROS) or fixed
(`llamo_ros.frames.FixedCameraTransform`, the camera_* parameters; PyPI wheels have no tf2_ros)."""
from __future__ import annotations

import importlib.util

from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.time import Time

from llamo_ros.frames import FixedCameraTransform, FrameLookupError, RigidTransform, TargetFrameConfig
from llamo_ros.messages.frame_messages import transform_from_msg


def tf2_available() -> bool:
    return importlib.util.find_spec("tf2_ros") is not None


class Tf2CameraTransform:
    """Looks the camera optical frame -> target_frame transform up in tf2 at each image's stamp."""

    def __init__(self, node: Node, target_frame: str, timeout_s: float) -> None:
        from tf2_ros import Buffer, TransformListener

        self.target_frame, self.timeout = target_frame, Duration(seconds=timeout_s)
        self.buffer = Buffer()
        self.listener = TransformListener(self.buffer, node)   # subscribes /tf and /tf_static

    def lookup(self, camera_frame: str, stamp_ns: int) -> RigidTransform:
        """Blocks up to the timeout (called from the pose worker thread, never from a callback)."""
        from tf2_ros import TransformException

        try:
            msg = self.buffer.lookup_transform(self.target_frame, camera_frame, Time(nanoseconds=stamp_ns),
                                               timeout=self.timeout)
        except TransformException as error:
            raise FrameLookupError(f"no transform {camera_frame!r} -> {self.target_frame!r} at the image stamp "
                                   f"{stamp_ns * 1e-9:.3f} s within {self.timeout.nanoseconds * 1e-9:.3f} s: "
                                   f"{type(error).__name__}: {error} (is the camera's tf published? for a "
                                   "fixed mount without tf, set target_transform: fixed and the camera_* "
                                   "parameters)") from None
        return transform_from_msg(msg)


def camera_to_target(config: TargetFrameConfig, node: Node | None = None):
    """The pose stage's transform source for `config`: None without a target_frame (publish in the camera
    frame), tf2 (needs `node`), or the fixed transform. Raises ValueError for tf2 without tf2_ros or node."""
    if not config.target_frame:
        return None
    use_tf2 = config.target_transform == "tf2" or (config.target_transform == "auto" and tf2_available()
                                                    and node is not None)
    if not use_tf2:
        return FixedCameraTransform(config.target_frame, config.fixed_transform())
    if not tf2_available():
        raise ValueError("target_transform is 'tf2' but tf2_ros is not installed (PyPI ROS wheels have none): "
                         "use target_transform 'fixed' with the camera_* parameters")
    if node is None:
        raise ValueError("target_transform 'tf2' needs a node (the offline replay supports 'fixed' only)")
    return Tf2CameraTransform(node, config.target_frame, config.tf_timeout_s)
