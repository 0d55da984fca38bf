import json

import numpy as np
import pytest
import torch

from llamo_ros.training import metrics as M


def test_metrics_known_values():
    assert M.bleu4(["a person waves the left hand"], ["a person waves the left hand"]) == pytest.approx(1.0)
    assert M.bleu4(["x y"], ["a person waves the left hand"]) == 0.0
    assert M.rouge_l(["a b c d"], ["a c d e"]) == pytest.approx(0.75)
    y = np.array([0, 1, 2, 2])
    assert M.macro_f1(y, y, 3) == 1.0
    assert M.macro_f1(np.array([0, 1, 2, 0]), y, 3) == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    # a predicted class absent from the truth: its F1 of 0 counts only without true_classes_only
    assert M.macro_f1(np.array([0, 1, 2, 3]), y, 4) == pytest.approx((1 + 1 + 2 / 3 + 0) / 4)
    assert M.macro_f1(np.array([0, 1, 2, 3]), y, 4, true_classes_only=True) == pytest.approx((1 + 1 + 2 / 3) / 3)
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


def test_window_hand_label_follows_the_active_segment():
    from llamo_ros.data.motion_synth import generate_clip
    from llamo_ros.motion.windows import HANDS, NO_HAND, clip_windows

    seen = set()
    for seed in range(40):
        clip = generate_clip(seed)
        for w in clip_windows(clip, stride_s=0.5):
            segment = next(s for s in clip.segments if s.start <= w.frame < s.end)
            expected = segment.params.get("hand")
            assert w.hand == (HANDS.index(expected) if expected in HANDS else NO_HAND), (seed, w.frame)
            seen.add(w.hand)
    assert {NO_HAND, 0, 1} <= seen  # the generator produces right- and left-handed actions


@pytest.mark.slow
def test_hand_head_learns_the_side_the_intent_loss_ignores():
    """A few hundred steps of the heads loss with the hand head separate left from right on unseen clips."""
    import torch
    from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel
    from llamo_ros.motion.windows import NO_HAND, collate
    from llamo_ros.training.data import TEST_SEED0, motion_windows
    from llamo_ros.training.stage1 import HandHead, heads_loss

    torch.manual_seed(0)
    train = {k: torch.from_numpy(v) for k, v in collate(motion_windows(0, 120)).items()}
    test = {k: torch.from_numpy(v) for k, v in collate(motion_windows(TEST_SEED0, 40)).items()}
    model, head = MotionModel(MotionEncoderConfig()), HandHead(MotionEncoderConfig())
    opt = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=1e-3)
    rng = np.random.default_rng(0)
    for _ in range(300):
        idx = torch.from_numpy(rng.choice(len(train["intent"]), 64, replace=False))
        loss, stats = heads_loss(model, {k: v[idx] for k, v in train.items()}, head)
        opt.zero_grad()
        loss.backward()
        opt.step()
    labelled = test["hand"] != NO_HAND
    with torch.no_grad():
        pred = head(model.encoder(test["features"][labelled])).argmax(-1)
    truth = test["hand"][labelled]
    majority = torch.bincount(truth).max().item() / len(truth)
    accuracy = (pred == truth).float().mean().item()
    assert accuracy > majority + 0.15, (accuracy, majority)


@pytest.mark.slow
def test_path_head_fine_tuning_changes_only_the_path_head(tmp_path):
    """The encoder and intent head stay bit-identical (the LLM's projector/LoRA read those tokens)."""
    from safetensors.torch import load_file

    from llamo_ros.training import finetune_heads, stage1
    stage1.main(["--out", str(tmp_path / "s1"), "--threads", "1", "--clips", "3", "--broad-clips", "2", "--steps", "60",
                 "--batch", "8", "--lm-steps", "1", "--lm-batch", "1", "--lang-samples", "2", "--lang-broad", "2",
                 "--val-clips", "3"])
    finetune_heads.main(["--head", "path", "--init", str(tmp_path / "s1"), "--out", str(tmp_path / "p"),
                         "--clips", "3", "--broad-clips", "3", "--steps", "60", "--batch", "16"])
    before = load_file(str(tmp_path / "s1" / "motion_model.safetensors"))
    after = load_file(str(tmp_path / "p" / "motion_model.safetensors"))
    assert before.keys() == after.keys()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("path_head.net.") for k in changed)
    projector = "projector.safetensors"
    assert (tmp_path / "p" / projector).read_bytes() == (tmp_path / "s1" / projector).read_bytes()
    assert (tmp_path / "p" / "path_curves.png").is_file()
    # the intent head the same way: only its MLP and its temperature change
    finetune_heads.main(["--head", "intent", "--init", str(tmp_path / "p"), "--out", str(tmp_path / "i"),
                         "--clips", "3", "--broad-clips", "3", "--steps", "60", "--batch", "16"])
    tuned = load_file(str(tmp_path / "i" / "motion_model.safetensors"))
    changed = {k for k in after if not torch.equal(after[k], tuned[k])}
    assert changed and all(k.startswith("intent_head.") for k in changed)
    # the path modes' temperature: fitted on validation windows, no weight changes
    finetune_heads.main(["--head", "path_temperature", "--init", str(tmp_path / "i"), "--out", str(tmp_path / "t")])
    assert load_file(str(tmp_path / "t" / "motion_model.safetensors")).keys() == tuned.keys()
    assert all(torch.equal(v, tuned[k]) for k, v in load_file(str(tmp_path / "t" / "motion_model.safetensors")).items())
    config = json.loads((tmp_path / "t" / "config.json").read_text())["encoder"]
    assert config["path_mode_temperature"] in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
