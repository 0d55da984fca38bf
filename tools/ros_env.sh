#!/usr/bin/env bash
# Run a command inside the project's environment: the venv plus the built workspace
# (`source ros_ws/install/setup.bash`), so llamo_msgs and llamo_ros import and their libraries load.
set -eo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${LLAMO_VENV:-$REPO/.venv}
if [ ! -f "$REPO/ros_ws/install/setup.bash" ]; then
  echo "ros_env: $REPO/ros_ws/install/setup.bash missing: run 'make setup' first" >&2
  exit 1
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
# shellcheck disable=SC1091
source "$REPO/ros_ws/install/setup.bash"
# The working tree's llamo_ros goes first, so a change needs no rebuild to take effect here.
export PYTHONPATH="$REPO/ros_ws/src/llamo_ros${PYTHONPATH:+:$PYTHONPATH}"
export FASTDDS_DEFAULT_PROFILES_FILE=${FASTDDS_DEFAULT_PROFILES_FILE:-$REPO/launch/fastdds_profile.xml}
exec "$@"
