"""ROS adapters: sensor and llamo_msgs messages <-> the core's types, shared by the nodes and the bag replay.

`pose_frames` (Image/CameraInfo/depth -> Person3DArray through a pose backend), `behavior_messages`
(Person3DArray -> intents and descriptions through a `BehaviorStage`), `frame_messages` (messages moved into a
target frame), `image_msg` (Image/CompressedImage <-> numpy), `tf2_frames` (camera-to-target transforms) and
`diagnostics` (/diagnostics statuses, the error-log throttle). No node lives here: `llamo_ros.nodes` has them.
"""
