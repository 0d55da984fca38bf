"""The torchvision stand-in that lets mmpose import on CPU-only torch, and the mmpose import itself."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys, numpy as np
sys.modules.pop('torchvision', None)
import importlib.util
from llamo_ros.pose.mmpose_runtime import provide_torchvision_stand_in
used = provide_torchvision_stand_in()
from torchvision.transforms import ToPILImage
import torch
img = ToPILImage()(torch.rand(3, 8, 5))
assert img.size == (5, 8) and img.mode == 'RGB'
assert ToPILImage()(np.zeros((4, 6), np.uint8)).size == (6, 4)
if used:
    import torchvision
    try:
        torchvision.ops
    except ImportError as e:
        assert 'stand-in' in str(e)
    else:
        raise AssertionError('stand-in must refuse other attributes')
print('STAND_IN' if used else 'REAL')
"""


def test_stand_in_provides_to_pil_image_only():
    # A fresh interpreter: sys.modules of this test process must not be modified.
    source = Path(__file__).resolve().parents[2] / "ros_ws" / "src" / "llamo_ros"   # the working copy first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] in ("STAND_IN", "REAL")


def test_mmpose_imports_or_skips_visibly():
    pytest.importorskip("mmcv", reason="mmcv 2.1.0 wheel with ops not installed (see requirements/mmpose.txt)")
    from llamo_ros.pose.mmpose_runtime import import_mmpose_apis

    mmpose_apis, mmdet_apis = import_mmpose_apis()
    assert hasattr(mmpose_apis, "init_model") and hasattr(mmdet_apis, "init_detector")
