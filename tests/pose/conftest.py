"""Shared fixtures for the pose front-end tests."""
from __future__ import annotations

import numpy as np
import pytest

from llamo_ros.skeleton import JOINT_INDEX, NUM_JOINTS


def standing_skeleton(height_m: float = 1.70) -> np.ndarray:
    """(17, 3) H36M-17 joints of a standing, camera-facing person, pelvis at the origin.

    Optical-frame axes (x right in the image, y down, z away from the camera); the person's left is
    +x. Joint heights are Drillis & Contini stature fractions, so `stature_from_bones` returns
    ``height_m`` exactly.
    """
    h = height_m
    up = lambda frac: -(frac - 0.530) * h  # noqa: E731  height fraction -> y relative to the hips
    j = np.zeros((NUM_JOINTS, 3))
    n = JOINT_INDEX
    for side, sign in (("left", 1.0), ("right", -1.0)):
        j[n[f"{side}_hip"]] = (sign * 0.095 * h, up(0.530), 0)
        j[n[f"{side}_knee"]] = (sign * 0.095 * h, up(0.530 - 0.245), 0)
        j[n[f"{side}_ankle"]] = (sign * 0.095 * h, up(0.530 - 0.491), 0)
        j[n[f"{side}_shoulder"]] = (sign * 0.129 * h, up(0.818), 0)
        j[n[f"{side}_elbow"]] = (sign * 0.140 * h, up(0.630), 0)
        j[n[f"{side}_wrist"]] = (sign * 0.145 * h, up(0.485), 0)
    j[n["thorax"]] = (0, up(0.818), 0)
    j[n["spine"]] = 0.5 * j[n["thorax"]]
    j[n["neck_nose"]] = (0, up(0.818 + 0.092), -np.sqrt(0.095 ** 2 - 0.092 ** 2) * h)
    j[n["head"]] = (0, up(0.936), -0.01 * h)
    return j


@pytest.fixture
def skeleton_170() -> np.ndarray:
    return standing_skeleton(1.70)


@pytest.fixture
def make_skeleton():
    return standing_skeleton
