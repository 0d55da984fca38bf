"""The pose and behaviour nodes as managed nodes, driven through their lifecycle services over real DDS.

Each node starts with autostart:=false and real input flowing; the test steps it through configure,
activate, deactivate, cleanup and configure/activate again, checking that nothing is published while it
is not active and that outputs come back once it is. A failing configure leaves the node unconfigured.
"""
from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest

from ros_harness import wait_until

pytestmark = pytest.mark.ros
PROCS = Path(__file__).resolve().parents[1] / "ros_processes"
QUIET_S = 3.0  # how long "nothing is published" is watched for, s (inputs arrive every ~0.1-0.3 s)


class Lifecycle:
    """Client side of one node's lifecycle services (`<node>/change_state`, `<node>/get_state`)."""

    def __init__(self, node, spin, name: str) -> None:
        from lifecycle_msgs.srv import ChangeState, GetState

        self.spin = spin
        self._change = node.create_client(ChangeState, f"{name}/change_state")
        self._get = node.create_client(GetState, f"{name}/get_state")
        assert wait_until(lambda: self._change.service_is_ready() and self._get.service_is_ready(),
                          timeout=60, spin=spin), f"no lifecycle services for {name}"

    def state(self) -> str:
        from lifecycle_msgs.srv import GetState

        return self._call(self._get, GetState.Request()).current_state.label

    def change(self, transition: str) -> bool:
        from lifecycle_msgs.msg import Transition
        from lifecycle_msgs.srv import ChangeState

        request = ChangeState.Request(transition=Transition(id=getattr(Transition, f"TRANSITION_{transition.upper()}")))
        return self._call(self._change, request, timeout=180).success

    def _call(self, client, request, timeout: float = 20):
        future = client.call_async(request)
        assert wait_until(future.done, timeout=timeout, spin=self.spin), f"no answer from {client.srv_name}"
        return future.result()


def quiet(received: list, spin) -> bool:
    """True when nothing new arrives in `received` for QUIET_S seconds."""
    before = len(received)
    wait_until(lambda: False, timeout=QUIET_S, spin=spin)
    return len(received) == before


def _pose_outputs(node):
    from diagnostic_msgs.msg import DiagnosticArray
    from visualization_msgs.msg import MarkerArray

    from llamo_msgs.msg import Person3DArray

    outputs: list = []
    node.create_subscription(Person3DArray, "persons", outputs.append, 10)
    node.create_subscription(MarkerArray, "markers", outputs.append, 10)
    node.create_subscription(DiagnosticArray, "/diagnostics",
                             lambda m: outputs.extend(s for s in m.status if s.name.endswith(": pose")), 10)
    return outputs


def test_pose_node_lifecycle_publishes_only_while_active(ros_graph, ros_node, tmp_path):
    from llamo_msgs.msg import Person3DArray

    from llamo_ros.data.sample_media import load_image

    np.save(tmp_path / "image.npy", load_image("basketball1"))
    proc = ros_graph.spawn("-m", "llamo_ros.nodes.pose_node", "--ros-args", "-p", "autostart:=false",
                           "-p", "diagnostics_period_s:=0.5", log_name="pose", log_dir=tmp_path)
    ros_graph.spawn(str(PROCS / "publish_pose_inputs.py"), str(tmp_path / "image.npy"),
                    log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    outputs = _pose_outputs(node)
    log = lambda: (tmp_path / "pose.log").read_text()  # noqa: E731
    pose = Lifecycle(node, spin, "/pose")
    persons = lambda: [m for m in outputs if isinstance(m, Person3DArray)]  # noqa: E731

    assert pose.state() == "unconfigured"
    assert quiet(outputs, spin), "published while unconfigured"
    assert pose.change("configure"), log()
    assert pose.state() == "inactive"
    assert quiet(outputs, spin), "published while inactive"

    assert pose.change("activate"), log()
    assert pose.state() == "active"
    assert wait_until(lambda: len(persons()) >= 2, timeout=60, spin=spin), f"no persons while active:\n{log()}"
    assert len(persons()[-1].persons) == 2

    assert pose.change("deactivate")
    wait_until(lambda: False, timeout=0.5, spin=spin)  # a frame in flight at the transition may still land
    assert quiet(outputs, spin), "published after deactivate"

    assert pose.change("cleanup") and pose.state() == "unconfigured"
    assert quiet(outputs, spin), "published after cleanup"
    assert pose.change("configure") and pose.change("activate"), "a second configure after cleanup failed"
    count = len(persons())
    assert wait_until(lambda: len(persons()) >= count + 2, timeout=60, spin=spin), \
        f"no persons after re-activation:\n{log()}"

    assert pose.change("active_shutdown") and pose.state() == "finalized"
    assert proc.poll() is None, f"the node process ended at the shutdown transition:\n{log()}"
    assert ros_graph.stop(proc, signal.SIGTERM, timeout=30) == 0, log()
    assert "Traceback" not in log(), log()


def test_pose_node_configure_failure_leaves_it_unconfigured(ros_graph, ros_node, tmp_path):
    proc = ros_graph.spawn("-m", "llamo_ros.nodes.pose_node", "--ros-args", "-p", "autostart:=false",
                           "-p", "backend:=no_such_backend", log_name="pose", log_dir=tmp_path)
    node, spin = ros_node
    pose = Lifecycle(node, spin, "/pose")
    assert not pose.change("configure")
    assert pose.state() == "unconfigured"
    log = (tmp_path / "pose.log").read_text()
    assert "configure failed" in log and "no_such_backend" in log, log
    assert proc.poll() is None and "Traceback" not in log, log


def test_behavior_node_lifecycle_refuses_questions_and_publishes_nothing_while_inactive(
        ros_graph, ros_node, tmp_path):
    from llamo_msgs.msg import IntentPredictionArray
    from llamo_msgs.srv import AskAboutPerson

    proc = ros_graph.spawn("-m", "llamo_ros.nodes.behavior_node", "--ros-args", "-p", "autostart:=false",
                           "-p", "preload_llm:=false", "-p", "behavior.first_describe_after_s:=1000.0",
                           log_name="behavior", log_dir=tmp_path)
    ros_graph.spawn(str(PROCS / "publish_motion.py"), "/persons", "3", log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    intents: list = []
    node.create_subscription(IntentPredictionArray, "/intents", intents.append, 50)
    log = lambda: (tmp_path / "behavior.log").read_text()  # noqa: E731
    behavior = Lifecycle(node, spin, "/behavior")
    client = node.create_client(AskAboutPerson, "/ask_about_person")
    assert wait_until(client.service_is_ready, timeout=20, spin=spin), "the service must exist in every state"

    def ask():
        future = client.call_async(AskAboutPerson.Request(track_id=3, question="What is the person doing?"))
        assert wait_until(future.done, timeout=120, spin=spin)
        return future.result()

    refused = ask()
    assert not refused.success and "not active" in refused.error_message
    assert quiet(intents, spin), "intents while unconfigured"
    assert behavior.change("configure"), log()
    assert quiet(intents, spin), "intents while inactive"
    assert behavior.change("activate"), log()
    assert wait_until(lambda: any(p.track_id == 3 for m in intents for p in m.predictions), timeout=60, spin=spin), \
        f"no intents while active:\n{log()}"

    assert behavior.change("deactivate")
    wait_until(lambda: False, timeout=0.5, spin=spin)
    assert quiet(intents, spin), "intents after deactivate"
    assert "not active" in ask().error_message
    assert behavior.change("cleanup") and behavior.state() == "unconfigured", log()
    assert proc.poll() is None and ros_graph.stop(proc, signal.SIGTERM, timeout=30) == 0, log()
    assert "Traceback" not in log(), log()


def test_autostart_with_a_failing_configure_exits_with_the_cause(ros_graph, tmp_path):
    proc = ros_graph.spawn("-m", "llamo_ros.nodes.pose_node", "--ros-args", "-p", "backend:=no_such_backend",
                           log_name="pose", log_dir=tmp_path)
    assert proc.wait(timeout=60) == 1
    log = (tmp_path / "pose.log").read_text()
    assert "configure failed" in log and "no_such_backend" in log and "Traceback" not in log, log
