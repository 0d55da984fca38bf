"""Where the files under the repository's `models/` are: installed, or in the source tree."""
from __future__ import annotations

from pathlib import Path


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
