"""Replay a recorded rosbag2 into the live graph (`ros2 bag play --clock`) through the pipeline nodes.

    ros2 launch llamo_ros llamo_bag.launch.py bag:=/path/to/bag [image_topic:=/camera/image_raw]

The camera topic and its transport come from the bag (`llamo_ros.replay.bag_camera`, as `llamo replay`
picks them): a `sensor_msgs/Image` topic is subscribed raw; a `sensor_msgs/CompressedImage` topic
`<base>/compressed` sets the pose node's `image_transport:=compressed` and remaps `image` to `<base>`.
`image_topic` (default: the bag's only image topic) may name either the raw topic or the base name.
Nodes use the bag's clock (use_sim_time). For an offline, deterministic replay into a new bag without a
graph, use `llamo replay IN_BAG OUT_BAG` instead.
"""
from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction, SetEnvironmentVariable
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from llamo_ros.nodes.pipeline_graph import LAUNCH_DEFAULTS, PIPELINE
from llamo_ros.replay.bag_camera import bag_camera_topic


def _pipeline_nodes(context):
    camera = bag_camera_topic(LaunchConfiguration("bag").perform(context),
                              LaunchConfiguration("image_topic").perform(context))
    topics = {"image_topic": camera.base_topic}
    return [Node(package="llamo_ros", executable=spec.executable, name=spec.name,
                 namespace=LaunchConfiguration("namespace"),
                 parameters=[LaunchConfiguration("params_file"), {"use_sim_time": True},
                             {"image_transport": camera.transport} if spec.name == "pose" else {}],
                 remappings=[(topic, topics.get(arg, LaunchConfiguration(arg))) for topic, arg in spec.remaps.items()],
                 output="screen") for spec in PIPELINE]


def generate_launch_description():
    share = get_package_share_directory("llamo_ros")
    return LaunchDescription([
        DeclareLaunchArgument("bag", description="rosbag2 folder to play"),
        DeclareLaunchArgument("rate", default_value="1.0", description="playback rate"),
        *[DeclareLaunchArgument(name, default_value=value) for name, value in LAUNCH_DEFAULTS.items()
          if name != "image_topic"],
        DeclareLaunchArgument("image_topic", default_value="",
                              description="camera topic of the bag, raw or <base>/compressed (default: its only one)"),
        DeclareLaunchArgument("params_file", default_value=f"{share}/launch/llamo_params.yaml"),
        SetEnvironmentVariable("FASTDDS_DEFAULT_PROFILES_FILE", f"{share}/launch/fastdds_profile.xml"),
        SetEnvironmentVariable("FASTRTPS_DEFAULT_PROFILES_FILE", f"{share}/launch/fastdds_profile.xml"),  # Jazzy
        ExecuteProcess(cmd=["ros2", "bag", "play", LaunchConfiguration("bag"), "--clock",
                            "--rate", LaunchConfiguration("rate")], output="screen"),
        OpaqueFunction(function=_pipeline_nodes),
    ])
