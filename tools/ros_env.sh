#!/usr/bin/env bash
# Run a command inside the project's environment: the venv plus the built workspace
# (`source ros_ws/install/setup.bash`), so llamo_msgs and llamo_ros import and their libraries load.
# LLAMO_ROS_DISTRO=jazzy runs it in the ROS 2 Jazzy environment instead (.venv-jazzy, ros_ws/install-jazzy;
# `tools/setup_env.sh --distro jazzy` builds it).
set -eo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
case "${LLAMO_ROS_DISTRO:-kilted}" in
  kilted) VENV=${LLAMO_VENV:-$REPO/.venv}; INSTALL=$REPO/ros_ws/install ;;
  jazzy) VENV=${LLAMO_JAZZY_VENV:-$REPO/.venv-jazzy}; INSTALL=$REPO/ros_ws/install-jazzy ;;
  *) echo "ros_env: unknown LLAMO_ROS_DISTRO=$LLAMO_ROS_DISTRO (kilted or jazzy)" >&2; exit 2 ;;
esac
if [ ! -f "$INSTALL/setup.bash" ]; then
  echo "ros_env: $INSTALL/setup.bash missing: run 'make setup' first" >&2
  exit 1
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
# shellcheck disable=SC1091
source "$INSTALL/setup.bash"
# The working tree's llamo_ros goes first, so a change needs no rebuild to take effect here.
export PYTHONPATH="$REPO/ros_ws/src/llamo_ros${PYTHONPATH:+:$PYTHONPATH}"
export FASTDDS_DEFAULT_PROFILES_FILE=${FASTDDS_DEFAULT_PROFILES_FILE:-$REPO/launch/fastdds_profile.xml}
# Fast DDS 2.x (ROS 2 Jazzy) reads the older name; without it camera frames lose the large SHM segment
export FASTRTPS_DEFAULT_PROFILES_FILE=${FASTRTPS_DEFAULT_PROFILES_FILE:-$FASTDDS_DEFAULT_PROFILES_FILE}
export LLAMO_ROS_INSTALL=$INSTALL   # tests/ros_harness.py starts the nodes from this install
exec "$@"
