"""Where the files under the repository's `models/` are (installed, or in the source tree), and their checksums."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def shipped_model_path(name: str) -> Path:
    """`share/llamo_ros/models/<name>` when the package is installed with it, else `<repository>/models/<name>`."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

        installed = Path(get_package_share_directory("llamo_ros")) / "models" / name
        if installed.exists():
            return installed
    except (ImportError, PackageNotFoundError, ValueError):
        pass
    return Path(__file__).resolve().parents[4] / "models" / name   # repository root
