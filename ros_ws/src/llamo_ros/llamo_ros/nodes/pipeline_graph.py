"""The pipeline's nodes as launch files start them: executables, node names and topic remaps.

The launch files build their `Node` actions from `PIPELINE`, and the tests start the same executables
with `ros_args()`, so the graph checked in CI is the graph a launch starts.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeSpec:
    executable: str                     # console entry point of llamo_ros (setup.py)
    name: str | None                    # node name, the key of its YAML section; None: the process runs
                                        # several nodes under their own names (composed)
    remaps: dict[str, str] = field(default_factory=dict)  # relative topic -> launch argument holding the target


# Separate processes, one per stage (the default), or both stages in one process (small robots).
PIPELINE = (
    NodeSpec("pose_node", "pose", {"image": "image_topic", "camera_info": "camera_info_topic", "depth": "depth_topic"}),
    NodeSpec("behavior_node", "behavior"),
)
# pose and behavior in one process, keeping their node names and YAML sections
COMPOSED = NodeSpec("composed_node", None,
                    {"image": "image_topic", "camera_info": "camera_info_topic", "depth": "depth_topic"})

LAUNCH_DEFAULTS = {  # launch argument -> default
    "namespace": "llamo",
    "image_topic": "/camera/color/image_raw",
    "camera_info_topic": "/camera/color/camera_info",
    "depth_topic": "/camera/aligned_depth_to_color/image_raw",
}


def ros_args(spec: NodeSpec, params_file: str, values: dict[str, str] | None = None) -> list[str]:
    """The `--ros-args ...` a launch passes to `spec` (namespace, node name, parameters, remaps)."""
    v = {**LAUNCH_DEFAULTS, **(values or {})}
    args = ["--ros-args", "-r", f"__ns:=/{v['namespace'].strip('/')}", "--params-file", params_file]
    if spec.name is not None:
        args += ["-r", f"__node:={spec.name}"]
    for topic, argument in spec.remaps.items():
        args += ["-r", f"{topic}:={v[argument]}"]
    return args
