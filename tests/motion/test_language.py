import pytest
import torch

from llamo_ros.language.model import (MotionLLM, MotionLLMConfig, chat_prompt, skeleton_as_text,
                                      splice)
from llamo_ros.motion.encoder import MotionEncoderConfig
from llamo_ros.motion.features import NUM_FEATURES
from llamo_ros.training import checkpoint as ckpt


def tiny_motion_llm(llm, tok):
    torch.manual_seed(0)
    cfg = MotionLLMConfig(encoder=MotionEncoderConfig(n_embd=32, n_layer=2, n_head=4, dropout=0.0),
                          llm_hidden_size=32, projector_hidden_size=32, window_frames=32)
    return MotionLLM(cfg, llm, tok).eval()


def test_placeholder_is_reused_single_token(tiny_llm, tiny_tokenizer):
    n_vocab = tiny_llm.get_input_embeddings().weight.shape[0]
    m = tiny_motion_llm(tiny_llm, tiny_tokenizer)
    assert m.placeholder == tiny_tokenizer.convert_tokens_to_ids("<empty_output>")
    assert tiny_llm.get_input_embeddings().weight.shape[0] == n_vocab  # no resize
    ids, att, labels = m.tokenize(["what is the person doing ?"], ["a person is waving ."])
    assert int((ids == m.placeholder).sum()) == m.config.num_motion_tokens == 8
    answer = labels[labels != -100]
    assert tiny_tokenizer.decode(answer[:-1]) .replace(" ", "") == "apersoniswaving."
    assert int(answer[-1]) == m.end_id


def test_config_validation():
    with pytest.raises(ValueError, match="multiple of patch_size"):
        MotionLLMConfig(window_frames=30)
    cfg = MotionLLMConfig()
    assert MotionLLMConfig.from_json(cfg.to_json()) == cfg


def test_splice_puts_motion_exactly_at_placeholders():
    ids = torch.tensor([[5, 9, 9, 6, 9, 7], [9, 9, 9, 1, 2, 3]])
    embeds = torch.zeros(2, 6, 4)
    motion = torch.arange(2 * 3 * 4, dtype=torch.float32).view(2, 3, 4) + 1
    out = splice(embeds, ids, motion, placeholder=9)
    torch.testing.assert_close(out[0, [1, 2, 4]], motion[0])
    torch.testing.assert_close(out[1, [0, 1, 2]], motion[1])
    assert (out[0, [0, 3, 5]] == 0).all() and (out[1, 3:] == 0).all()


def test_placeholder_count_mismatch_raises():
    ids = torch.tensor([[5, 9, 9, 6]])
    with pytest.raises(ValueError, match="do not match"):
        splice(torch.zeros(1, 4, 4), ids, torch.zeros(1, 3, 4), placeholder=9)
    with pytest.raises(ValueError, match="do not match"):
        splice(torch.zeros(1, 4, 4), ids, torch.zeros(2, 2, 4), placeholder=9)


def test_plain_embeddings_reproduce_input_ids_generation(tiny_llm, tiny_tokenizer):
    ids = tiny_tokenizer(chat_prompt("what is the person doing ?", motion=False), return_tensors="pt",
                         add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        a = tiny_llm.generate(ids, max_new_tokens=8, do_sample=False)[:, ids.shape[1]:]
        b = tiny_llm.generate(inputs_embeds=tiny_llm.get_input_embeddings()(ids), max_new_tokens=8, do_sample=False)
    assert torch.equal(a, b)


def test_generation_depends_on_motion_and_loss_trains_projector_only(tiny_llm, tiny_tokenizer):
    m = tiny_motion_llm(tiny_llm, tiny_tokenizer)
    for p in m.llm.parameters():
        p.requires_grad_(False)
    x = torch.randn(2, 32, NUM_FEATURES)
    loss = m.lm_loss(x, ["what is the person doing ?"] * 2, ["a person is waving .", "a person is sitting ."])
    assert torch.isfinite(loss)
    loss.backward()
    assert m.projector.linear_2.weight.grad is not None and m.projector.linear_2.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in m.llm.parameters())
    out = m.generate(x, ["describe"] * 2, max_new_tokens=4)
    assert len(out) == 2 and all(isinstance(o, str) for o in out)
    with pytest.raises(ValueError, match="placeholders"):
        ids, _, _ = m.tokenize(["describe"])
        m.embed(ids, None)


def test_lm_loss_matches_full_logits(tiny_llm, tiny_tokenizer):
    """The logits_to_keep shortcut gives the same loss as HF's labels path on the full sequence."""
    m = tiny_motion_llm(tiny_llm, tiny_tokenizer)
    x = torch.randn(2, 32, NUM_FEATURES)
    prompts, answers = ["what is the person doing ?", "describe"], ["a person is waving .", "yes"]
    with torch.no_grad():
        ours = m.lm_loss(x, prompts, answers)
        ids, att, labels = m.tokenize(prompts, answers)
        ref = m.llm(inputs_embeds=m.embed(ids, x), attention_mask=att, labels=labels).loss
    torch.testing.assert_close(ours, ref)


def test_checkpoint_with_wrong_shape_is_rejected_naming_the_key(tmp_path, tiny_llm, tiny_tokenizer):
    m = tiny_motion_llm(tiny_llm, tiny_tokenizer)
    sd = dict(m.projector.state_dict())
    ckpt.save_tensors(tmp_path / "ok.safetensors", sd)
    ckpt.load_module(m.projector, tmp_path / "ok.safetensors")
    sd["linear_2.weight"] = torch.zeros(7, 32)
    ckpt.save_tensors(tmp_path / "bad.safetensors", sd)
    with pytest.raises(ValueError, match="linear_2.weight"):
        ckpt.load_module(m.projector, tmp_path / "bad.safetensors")
    sd.pop("linear_2.weight")
    sd["extra"] = torch.zeros(1)
    ckpt.save_tensors(tmp_path / "keys.safetensors", sd)
    with pytest.raises(ValueError, match="linear_2.weight"):
        ckpt.load_module(m.projector, tmp_path / "keys.safetensors")


def test_train_state_round_trip(tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(net.parameters())
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    ckpt.save_train_state(tmp_path, {"net": net}, opt, {"step": 1})
    net2 = torch.nn.Linear(3, 2)
    opt2 = torch.optim.AdamW(net2.parameters())
    assert ckpt.load_train_state(tmp_path, {"net": net2}, opt2) == {"step": 1}
    torch.testing.assert_close(net2.weight, net.weight)
    torch.testing.assert_close(opt2.state[net2.weight]["exp_avg"], opt.state[net.weight]["exp_avg"])


def test_skeleton_as_text_is_compact():
    from motion_fixtures import walking_skeleton
    from llamo_ros.motion.features import motion_features
    text = skeleton_as_text(motion_features(walking_skeleton(120), None, 30.0, num_frames=32))
    assert text.count(";") == 7 and len(text) < 400
