"""Kinematic motion descriptors: measurable facts (with units) about one H36M-17 window.

Captions and action rules (`llamo_ros.motion.action_rules`, `llamo_ros.motion.captions`) are built on
these facts, so a caption is only as true as what is measured here. Modules: `config` (thresholds),
`facts` (the result dataclasses), `gravity` (up in the camera frame), `signals` (helpers),
`describe` (`describe_motion`).
"""
from llamo_ros.motion.descriptors.config import DescriptorConfig
from llamo_ros.motion.descriptors.describe import describe_motion
from llamo_ros.motion.descriptors.facts import LOW_POSTURES, POSTURES, LimbFacts, MotionDescriptors
from llamo_ros.motion.descriptors.gravity import estimate_up, up_from_pitch

__all__ = ["DescriptorConfig", "LOW_POSTURES", "LimbFacts", "MotionDescriptors", "POSTURES", "describe_motion",
           "estimate_up", "up_from_pitch"]
