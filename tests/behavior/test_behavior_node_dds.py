"""The behaviour node as its own process over real DDS: intents per track, descriptions, answers,
diagnostics, malformed people skipped, and a clean SIGTERM."""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

from ros_harness import INSTALL, wait_until

from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.nodes.pipeline_graph import PIPELINE, ros_args

pytestmark = [pytest.mark.ros, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
PROCS = REPO / "tests" / "ros_processes"
BEHAVIOR = next(s for s in PIPELINE if s.name == "behavior")
SEEDS = (3, 11)  # two generated people, track ids 3 and 11


def test_behavior_node_serves_intents_descriptions_and_answers(ros_graph, ros_node, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray

    from llamo_msgs.msg import BehaviorDescription, IntentPredictionArray
    from llamo_msgs.srv import AskAboutPerson

    args = ros_args(BEHAVIOR, str(REPO / "launch" / "llamo_params.yaml")) + [
        "-p", "behavior.describe_period_s:=2.0", "-p", "worker.max_age_s:=30.0"]
    node_proc = ros_graph.spawn(str(INSTALL / "llamo_ros" / "lib" / "llamo_ros" / "behavior_node"), *args,
                                log_name="behavior", log_dir=tmp_path)
    ros_graph.spawn(str(PROCS / "publish_motion.py"), "/llamo/persons", *map(str, SEEDS),
                    log_name="publisher", log_dir=tmp_path)
    node, spin = ros_node
    intents, descriptions, diagnostics = [], [], []
    node.create_subscription(IntentPredictionArray, "/llamo/intents", intents.append, 50)
    node.create_subscription(BehaviorDescription, "/llamo/descriptions", descriptions.append, 10)
    node.create_subscription(DiagnosticArray, "/diagnostics", diagnostics.append, 10)
    log = lambda: (tmp_path / "behavior.log").read_text()  # noqa: E731

    def tracks_seen() -> set[int]:
        return {p.track_id for m in intents for p in m.predictions}

    assert wait_until(lambda: tracks_seen() >= set(SEEDS), timeout=90, spin=spin), \
        f"intents for {tracks_seen()} only; node log:\n{log()}"
    pred = intents[-1].predictions[0]
    assert len(pred.labels) == len(pred.probabilities) == len(INTENT_LABELS)
    assert abs(sum(pred.probabilities) - 1.0) < 1e-4 and pred.probabilities[pred.most_likely] == max(pred.probabilities)
    assert len(pred.future_path) == 20 and pred.horizon.sec == 2
    assert all(m.header.stamp == m.predictions[0].window_end for m in intents), "intents not stamped from input"
    assert 999 not in tracks_seen(), "the malformed person was not skipped"

    assert wait_until(lambda: len(descriptions) >= 1, timeout=120, spin=spin), f"no description; log:\n{log()}"
    d = descriptions[0]
    assert d.track_id in SEEDS and len(d.text.split()) >= 3 and d.model
    assert d.generation_latency.sec < 30

    client = node.create_client(AskAboutPerson, "/llamo/ask_about_person")
    assert wait_until(client.service_is_ready, timeout=20, spin=spin)

    def ask(track_id: int, question: str):
        future = client.call_async(AskAboutPerson.Request(track_id=track_id, question=question))
        assert wait_until(future.done, timeout=120, spin=spin), "no answer"
        return future.result()

    good = ask(SEEDS[0], "What is the person doing?")
    assert good.success and good.answer.strip() and good.error_message == "", good
    unknown = ask(12345, "What is the person doing?")
    assert not unknown.success and "unknown track id 12345" in unknown.error_message
    assert not ask(SEEDS[0], "   ").success
    assert "at most 500" in ask(SEEDS[0], "why? " * 200).error_message

    assert wait_until(lambda: diagnostics, timeout=10, spin=spin)
    values = {kv.key: kv.value for kv in diagnostics[-1].status[0].values}
    assert int(values["persons_skipped"]) >= 1 and float(values["input_rate_hz"]) > 5
    assert values["model"] == d.model

    assert node_proc.poll() is None, f"node died:\n{log()}"
    assert ros_graph.stop(node_proc, signal.SIGTERM) == 0, f"unclean SIGTERM exit:\n{log()}"
    assert "Traceback" not in log(), log()
    assert "skeleton 'coco17'" in log(), "the malformed person was not reported"
