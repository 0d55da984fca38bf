"""`MotionClip` and `ActionSegment` live in `llamo_ros.motion.clip` (the motion layer windows them, and data
must sit above motion); re-exported here for the data sources and training that import them from data."""
from llamo_ros.motion.clip import ActionSegment, MotionClip  # noqa: F401
