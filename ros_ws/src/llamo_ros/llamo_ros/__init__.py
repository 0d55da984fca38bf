"""llamo_ros: people's 3D skeletons, intents and behaviour descriptions for ROS 2 robots.

The package is a ROS-free core (pose, motion, language, runtime, data, training) plus thin nodes in
`llamo_ros.nodes`; only the nodes import rclpy.
"""
__version__ = "0.1.0"
