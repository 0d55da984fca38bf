"""llamo_ros: people's 3D skeletons, intents and behaviour descriptions for ROS 2 robots.

The package is a ROS-free core (motion, data, pose, language, runtime, behavior) plus ROS adapters
(`llamo_ros.messages`), the offline bag replay (`llamo_ros.replay`) and thin nodes (`llamo_ros.nodes`); the
layers and their one-way imports are listed in README.md and held by tests/foundation/test_import_rules.py.
"""
__version__ = "0.1.0"
