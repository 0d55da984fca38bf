"""ament_python package of llamo_ros: the ROS-free core library and the nodes.

Launch files, parameter YAML and the shipped models live at the repository's top level
(`launch/`, `models/`) and are installed into share/llamo_ros here.
"""
from glob import glob
from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = "llamo_ros"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # ros_ws/src/llamo_ros -> repository root



def _relpath(path: str) -> str:
    import os
    return os.path.relpath(path, HERE)


def _model_data_files() -> list[tuple[str, list[str]]]:
    """models/<name>/* -> share/llamo_ros/models/<name>/, one entry per folder."""
    entries = []
    for folder in sorted({Path(p).parent for p in glob(str(REPO / "models" / "**" / "*"), recursive=True)
                          if Path(p).is_file()}):
        rel = folder.relative_to(REPO)
        entries.append((f"share/{PACKAGE}/{rel}", [_relpath(str(p)) for p in sorted(folder.iterdir())
                                                   if p.is_file()]))
    return entries


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", [_relpath(p) for p in sorted(glob(str(REPO / "launch" / "*")))
                                     if Path(p).is_file()]),
        *_model_data_files(),
    ],
    install_requires=["setuptools"],
    zip_safe=False,
    maintainer="llamo_ros maintainers",
    maintainer_email="maintainers@llamo-ros.dev",
    description="Tracked 3D skeletons, intents and behaviour descriptions of people for ROS 2.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "llamo = llamo_ros.cli:main",
            "pose_node = llamo_ros.nodes.pose_node:main",
            "behavior_node = llamo_ros.nodes.behavior_node:main",
            "composed_node = llamo_ros.nodes.composed_node:main",
        ],
    },
)
