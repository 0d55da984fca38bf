import json

import numpy as np
import pytest

from llamo_ros.training import metrics as M


def test_metrics_known_values():
    assert M.bleu4(["a person waves the left hand"], ["a person waves the left hand"]) == pytest.approx(1.0)
    assert M.bleu4(["x y"], ["a person waves the left hand"]) == 0.0
    assert M.rouge_l(["a b c d"], ["a c d e"]) == pytest.approx(0.75)
    y = np.array([0, 1, 2, 2])
    assert M.macro_f1(y, y, 3) == 1.0
    assert M.macro_f1(np.array([0, 1, 2, 0]), y, 3) == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    probs = np.eye(3)[y % 3] * 0.999 + 0.0005
    assert M.expected_calibration_error(probs, y) < 0.01
    words = {"waving": ("waves",), "leaving": ("walks away", "leaves")}
    assert M.names_action("The person waves twice.", "waving", words)
    assert not M.names_action("The person waves and leaves.", "waving", words)
    path = np.zeros((2, 20, 3))
    true = path.copy()
    true[:, :, 0] = 1.0
    assert M.ade_fde(path, true, np.ones((2, 20)), 10) == (1.0, 1.0)


@pytest.mark.slow
def test_stage1_runs_and_resumes(tmp_path):
    from llamo_ros.training import stage1
    args = ["--out", str(tmp_path), "--threads", "1", "--clips", "3", "--steps", "4", "--batch", "8",
            "--lm-steps", "1", "--lm-batch", "1", "--lang-samples", "2", "--save-every", "2", "--val-clips", "3"]
    stage1.main(args)
    for name in ("config.json", "motion_model.safetensors", "projector.safetensors", "curves.png",
                 "last/optimizer.safetensors"):
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "last" / "state.json").read_text())["phase"] == "done"
    assert not list(tmp_path.rglob("*.pt")) and not list(tmp_path.rglob("*.bin"))
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    stage1.main(args)  # resumes at "done": no training step is repeated
    assert (tmp_path / "log.jsonl").read_text().splitlines() == lines
