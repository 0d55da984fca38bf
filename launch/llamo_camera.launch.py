"""Live camera: pose and behaviour nodes on a camera driver's topics.

    ros2 launch llamo_ros llamo_camera.launch.py image_topic:=/camera/color/image_raw \
        camera_info_topic:=/camera/color/camera_info [depth_topic:=...] [composed:=true]

Outputs (namespace `llamo` by default): persons, markers, intents, descriptions, ask_about_person,
and /diagnostics. `composed:=true` runs both stages in one process (no serialisation between them).
"""
from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
from launch.conditions import IfCondition, UnlessCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from llamo_ros.nodes.pipeline_graph import COMPOSED, LAUNCH_DEFAULTS, PIPELINE


def _node(spec, condition):
    return Node(package="llamo_ros", executable=spec.executable, name=spec.name,  # None: names in process
                namespace=LaunchConfiguration("namespace"), parameters=[LaunchConfiguration("params_file")],
                remappings=[(topic, LaunchConfiguration(arg)) for topic, arg in spec.remaps.items()],
                output="screen", emulate_tty=True, condition=condition)


def generate_launch_description():
    share = get_package_share_directory("llamo_ros")
    composed = LaunchConfiguration("composed")
    return LaunchDescription([
        *[DeclareLaunchArgument(name, default_value=value) for name, value in LAUNCH_DEFAULTS.items()],
        DeclareLaunchArgument("params_file", default_value=f"{share}/launch/llamo_params.yaml"),
        DeclareLaunchArgument("composed", default_value="false", description="one process for both stages"),
        SetEnvironmentVariable("FASTDDS_DEFAULT_PROFILES_FILE", f"{share}/launch/fastdds_profile.xml"),
        SetEnvironmentVariable("FASTRTPS_DEFAULT_PROFILES_FILE", f"{share}/launch/fastdds_profile.xml"),  # Jazzy
        *[_node(spec, UnlessCondition(composed)) for spec in PIPELINE],
        _node(COMPOSED, IfCondition(composed)),
    ])
