"""A `rosbags` typestore that knows the standard ROS 2 Kilted types and llamo_msgs (from its .msg files)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rosbags.typesys import Stores, get_types_from_msg, get_typestore


def llamo_msgs_dir() -> Path:
    """Folder of llamo_msgs' .msg files: the installed share/llamo_msgs/msg, else the source tree's."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

        installed = Path(get_package_share_directory("llamo_msgs")) / "msg"
        if installed.is_dir():
            return installed
    except (ImportError, PackageNotFoundError, ValueError):
        pass
    return Path(__file__).resolve().parents[3] / "llamo_msgs" / "msg"


@lru_cache(maxsize=1)
def typestore():
    store = get_typestore(Stores.ROS2_KILTED)
    types = {}
    for path in sorted(llamo_msgs_dir().glob("*.msg")):
        types.update(get_types_from_msg(path.read_text(), f"llamo_msgs/msg/{path.stem}"))
    if not types:
        raise FileNotFoundError(f"no llamo_msgs .msg files in {llamo_msgs_dir()}")
    store.register(types)
    return store
