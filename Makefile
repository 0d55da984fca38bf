# llamo_ros: every target sets up what is missing first (tools/setup_env.sh is idempotent).
SHELL := /bin/bash
RUN := tools/ros_env.sh
OUT ?= out
PYTEST_ARGS ?=

# The subset of the suite that also runs against ROS 2 Jazzy (the LTS most robots run): the interfaces build,
# image conversion, lifecycle, every node over DDS, the pipeline graph, launch files and bag replay.
JAZZY_TESTS := tests/foundation tests/pose/test_pose_node_dds.py tests/behavior/test_behavior_node_dds.py \
  tests/behavior/test_pipeline_graph_dds.py tests/behavior/test_behavior_stage_dds.py tests/replay tests/launch

.PHONY: setup setup-mmpose setup-smplx setup-llama-cpp setup-all setup-jazzy lint test test-kilted test-jazzy demo bench clean

setup:            ## venv + ROS 2 Kilted wheels + Python stack + sample media + colcon build (what the demo needs)
	bash tools/setup_env.sh

setup-mmpose:     ## setup + the OpenMMLab stack for backend:=mmpose (mmcv built once into ~/.cache/llamo_ros/wheels)
	bash tools/setup_env.sh --with-mmpose

setup-smplx:      ## setup + the optional smplx extra (non-commercial licence; AMASS loader)
	bash tools/setup_env.sh --with-smplx

setup-llama-cpp:  ## setup + the llama.cpp binding (320 MB wheel): describe/answer run on llama.cpp (llm_runtime: auto)
	bash tools/setup_env.sh --with-llama-cpp

setup-all:        ## everything the test suite exercises
	bash tools/setup_env.sh --with-mmpose --with-smplx --with-llama-cpp

setup-jazzy:      ## a second environment with ROS 2 Jazzy: .venv-jazzy + ros_ws/install-jazzy
	bash tools/setup_env.sh --distro jazzy

test: lint test-kilted test-jazzy  ## lint, the whole suite on Kilted, then the Jazzy subset (what CI runs)

lint: setup       ## ruff (pyflakes + pycodestyle errors, ruff.toml) over the package, tests, export and tools
	$(RUN) ruff check ros_ws/src tests export tools

test-kilted: setup-all  ## the whole test suite on ROS 2 Kilted
	$(RUN) python -m pytest $(PYTEST_ARGS)

test-jazzy: setup-jazzy  ## the JAZZY_TESTS subset on ROS 2 Jazzy
	LLAMO_ROS_DISTRO=jazzy $(RUN) python -m pytest $(JAZZY_TESTS) $(PYTEST_ARGS)

demo: setup       ## the main job on the embedded defaults: vtest.avi -> rosbag -> pipeline -> output bag + PNG
	$(RUN) python -m llamo_ros.cli demo --out $(OUT)/demo

bench: setup-all  ## benchmark suite (llama.cpp rows included), single-threaded: table + out/bench/benchmarks.json + benchmarks.png
	$(RUN) python -m llamo_ros.benchmark --with-pose --threads 1 --out $(OUT)/bench
	# (its end-to-end section replays the whole vtest.avi and adds `llamo report`'s stability numbers: intent
	# flips, implausible intents, root jitter, path and constant-velocity FDE, tracks)
	# pose section: every backend on 640x480 frames (onnx = exported RTMDet + RTMPose-m + VideoPose3D, no
	# OpenMMLab at run time), and the three mmpose models in PyTorch vs onnxruntime (1, 2 threads)
	$(RUN) python export/export_mmpose.py --out-dir $(OUT)/bench/pose_onnx
	$(RUN) python -m llamo_ros.benchmark.pose --backends mediapipe mmpose onnx --model-dir $(OUT)/bench/pose_onnx \
	  --frames 10 --mmpose-models --json $(OUT)/bench/pose.json

clean:            ## remove build outputs (keeps the venv and the caches in ~/.cache/llamo_ros)
	rm -rf ros_ws/build ros_ws/install ros_ws/log ros_ws/build-jazzy ros_ws/install-jazzy ros_ws/log-jazzy $(OUT)
