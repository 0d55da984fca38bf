"""Importing the OpenMMLab stack on a CPU-only torch without torchvision.

mmpose 1.3.2 imports ``torchvision.transforms.ToPILImage`` at import time (only for its SimCC
debug visualiser). PyPI's torchvision for torch 2.13 is a CUDA build that fails to import on our
CPU torch, and the CPU build is not on PyPI. So, *only if torchvision is not importable*,
`provide_torchvision_stand_in` registers a minimal module ``torchvision`` whose ``transforms``
has a working ``ToPILImage`` (CHW/HW tensors or arrays -> PIL image) and whose every other
attribute raises an ImportError naming this module. A real torchvision always wins.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types

import numpy as np

STAND_IN_MARKER = "__llamo_ros_stand_in__"


class ToPILImage:
    """torchvision.transforms.ToPILImage for (C, H, W) / (H, W) tensors or arrays, float in [0, 1] or uint8."""

    def __init__(self, mode: str | None = None):
        self.mode = mode

    def __call__(self, pic):
        from PIL import Image

        array = pic.detach().cpu().numpy() if hasattr(pic, "detach") else np.asarray(pic)
        if array.ndim == 3:
            array = np.transpose(array, (1, 2, 0))
            if array.shape[2] == 1:
                array = array[:, :, 0]
        if array.dtype != np.uint8:
            array = np.clip(array * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(array, mode=self.mode)


class _StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(f"{self.__name__}.{name} is not available: torchvision is replaced by the minimal "
                          "stand-in of llamo_ros.pose.mmpose_runtime (only transforms.ToPILImage)")


def provide_torchvision_stand_in() -> bool:
    """Register the stand-in if torchvision cannot be imported; True if the stand-in is in use."""
    current = sys.modules.get("torchvision")
    if current is not None:
        return bool(getattr(current, STAND_IN_MARKER, False))
    if importlib.util.find_spec("torchvision") is not None:
        try:
            import torchvision  # noqa: F401
            return False
        except Exception:  # noqa: BLE001  the CUDA wheel on a CPU torch raises various errors
            for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
                del sys.modules[name]
    root, transforms = _StandInModule("torchvision"), _StandInModule("torchvision.transforms")
    transforms.ToPILImage = ToPILImage
    root.transforms = transforms
    root.__version__ = "0.0.0+llamo-stand-in"
    for module in (root, transforms):
        setattr(module, STAND_IN_MARKER, True)
        # a real (empty) spec: importlib.util.find_spec raises on a module whose __spec__ is None
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, loader=None)
    sys.modules["torchvision"], sys.modules["torchvision.transforms"] = root, transforms
    return True


def withdraw_torchvision_stand_in() -> None:
    """Remove the stand-in from sys.modules again: other libraries (transformers) probe for torchvision and
    would take the stand-in for a real install. mmpose keeps the ToPILImage it bound while importing."""
    for name in ("torchvision.transforms", "torchvision"):
        if getattr(sys.modules.get(name), STAND_IN_MARKER, False):
            del sys.modules[name]
    # mmengine imports transformers while the stand-in is registered, and transformers caches its probe
    import_utils = sys.modules.get("transformers.utils.import_utils")
    probe = getattr(import_utils, "is_torchvision_available", None)
    if hasattr(probe, "cache_clear"):
        probe.cache_clear()


def import_mmpose_apis():
    """``(mmpose.apis, mmdet.apis)``, raising ImportError with the install hint when the stack is missing."""
    provide_torchvision_stand_in()
    try:
        import mmcv  # noqa: F401
        import mmdet.apis
        import mmpose.apis
    except ImportError as error:
        raise ImportError(f"mmpose backend unavailable ({error}); install mmcv 2.1.0 with ops and "
                          "requirements/mmpose.txt (see that file)") from error
    finally:
        withdraw_torchvision_stand_in()
    return mmpose.apis, mmdet.apis
