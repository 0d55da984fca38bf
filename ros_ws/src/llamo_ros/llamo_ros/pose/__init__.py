"""3D human pose front end: image (+ CameraInfo, + aligned depth) -> metric H36M-17 skeletons.

ROS-free. Backends (`MediaPipeBackend`, `MMPoseBackend`, `OnnxPoseBackend`) implement the
`PoseBackend` protocol and return `PersonPose`s in the canonical layout of `llamo_ros.skeleton`;
`PersonTracker` gives them stable ids across frames.
"""
from llamo_ros.pose.camera import CameraIntrinsics
from llamo_ros.pose.person_pose import PersonPose, PoseBackend, RootSource

__all__ = ["CameraIntrinsics", "PersonPose", "PoseBackend", "RootSource"]
