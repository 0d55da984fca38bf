"""LLaVA-style motion-language model: motion tokens spliced into a causal LM's input embeddings.

Like Hugging Face's LLaVA port, and after LLaMo: the motion encoder's tokens (B, N, D_enc) go through a
small MLP projector to the LLM's width (B, N, D_llm) and replace N placeholder tokens in the prompt.

Prompt format (ChatML without the system turn, to keep sequences short on CPU):
    <|im_start|>user\n<motion>\n{instruction}<|im_end|>\n<|im_start|>assistant\n{answer}<|im_end|>
`<motion>` is expanded to N copies of the placeholder token before tokenisation. The placeholder REUSES
an unused special token of the LLM's vocabulary (for SmolLM2: "<empty_output>", id 16, a pretraining
marker for empty notebook outputs that chat never produces), so the embedding matrix is not resized and
the LoRA checkpoint stays small; its embedding row is never read, because `splice` overwrites every
placeholder position. Tokenizers without that token get a new special token and a resized embedding.
"""
from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
from transformers import StoppingCriteria, StoppingCriteriaList

from llamo_ros.language.decode import decoder_for, generate_greedy
from llamo_ros.motion.encoder import MotionEncoderConfig, MotionModel

MOTION_TAG = "<motion>"
DEFAULT_PLACEHOLDER = "<empty_output>"
DEFAULT_INSTRUCTION = "Describe what the person is doing."


@dataclass
class MotionLLMConfig:
    encoder: MotionEncoderConfig = field(default_factory=MotionEncoderConfig)  # motion encoder + heads
    llm_hidden_size: int = 576                 # LLM embedding width (SmolLM2-135M: 576)
    projector_hidden_size: int = 576           # projector MLP width
    llm_path: str | None = None                # HF causal-LM dir; None = default SmolLM2 (language.llm)
    placeholder_token: str = DEFAULT_PLACEHOLDER  # vocabulary token standing for one motion token
    window_frames: int = 32                    # feature frames per window (10 Hz)
    lora_r: int = 8                            # LoRA rank in stage 2 (0 = no LoRA)
    lora_alpha: int = 16                       # LoRA scaling numerator
    lora_targets: tuple[str, ...] = ("q_proj", "v_proj")  # LLM linear layers LoRA adapts

    def __post_init__(self) -> None:
        if isinstance(self.encoder, dict):
            self.encoder = MotionEncoderConfig(**self.encoder)
        self.lora_targets = tuple(self.lora_targets)
        if self.llm_hidden_size < 1 or self.projector_hidden_size < 1:
            raise ValueError("llm_hidden_size and projector_hidden_size must be >= 1")
        if self.window_frames % self.encoder.patch_size:
            raise ValueError(f"window_frames ({self.window_frames}) must be a multiple of patch_size "
                             f"({self.encoder.patch_size})")
        if self.window_frames // self.encoder.patch_size > self.encoder.max_tokens:
            raise ValueError("window_frames / patch_size exceeds the encoder's max_tokens")

    @property
    def num_motion_tokens(self) -> int:
        return self.window_frames // self.encoder.patch_size

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> "MotionLLMConfig":
        return cls(**json.loads(text))


class MotionProjector(nn.Module):
    """Motion tokens (B, N, D_enc) -> LLM input embeddings (B, N, D_llm): linear -> GELU -> linear."""

    def __init__(self, config: MotionLLMConfig):
        super().__init__()
        self.linear_1 = nn.Linear(config.encoder.n_embd, config.projector_hidden_size)
        self.act = nn.GELU()
        self.linear_2 = nn.Linear(config.projector_hidden_size, config.llm_hidden_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(tokens)))  # (B, N, D_llm)


def placeholder_id(tokenizer, llm, token: str) -> int:
    """Id of the placeholder token, adding it as a special token (and resizing the LLM) if it is missing."""
    vocab = tokenizer.get_vocab()
    if token not in vocab and llm is None:
        raise ValueError(f"placeholder {token!r} is not in the tokenizer's vocabulary")
    if token not in vocab:
        tokenizer.add_special_tokens({"additional_special_tokens": [token]})
        llm.resize_token_embeddings(len(tokenizer))
        vocab = tokenizer.get_vocab()
    ids = tokenizer(token, add_special_tokens=False)["input_ids"]
    if ids != [vocab[token]]:
        raise ValueError(f"placeholder {token!r} does not tokenise to a single token ({ids})")
    return vocab[token]


def chat_prompt(instruction: str, answer: str | None = None, motion: bool = True) -> str:
    """The ChatML prompt; with `motion`, `instruction` gets MOTION_TAG in front unless it has one."""
    if motion and MOTION_TAG not in instruction:
        instruction = f"{MOTION_TAG}\n{instruction}"
    text = f"<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n"
    if answer is not None:
        text += f"{answer}<|im_end|>"
    return text


def expand_motion_tag(text: str, placeholder: str, num_tokens: int) -> str:
    """Replace each MOTION_TAG by `num_tokens` copies of the placeholder token."""
    return text.replace(MOTION_TAG, placeholder * num_tokens)


def prompt_token_ids(tokenizer, prompt: str, config: MotionLLMConfig, motion: bool = True) -> list[int]:
    """Token ids of the chat prompt for `prompt`, MOTION_TAG expanded to the config's placeholder tokens."""
    text = expand_motion_tag(chat_prompt(prompt, motion=motion), config.placeholder_token, config.num_motion_tokens)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def splice(inputs_embeds: torch.Tensor, input_ids: torch.Tensor, motion_embeds: torch.Tensor,
           placeholder: int) -> torch.Tensor:
    """Put motion embeddings (B, N, D) at the placeholder positions of inputs_embeds (B, L, D), in order.

    Raises ValueError unless every sample has exactly N placeholders (HF LLaVA's check).
    """
    is_ph = input_ids == placeholder                                   # (B, L)
    counts = is_ph.sum(dim=1)                                          # (B,)
    B, N, D = motion_embeds.shape
    if input_ids.shape[0] != B or bool((counts != N).any()):
        raise ValueError(f"motion tokens and placeholders do not match: {B} window(s) x {N} motion tokens, "
                         f"placeholders per prompt {counts.tolist()}")
    mask = is_ph.unsqueeze(-1).expand_as(inputs_embeds)                # (B, L, D)
    return inputs_embeds.masked_scatter(mask, motion_embeds.to(inputs_embeds.dtype))


def skeleton_as_text(features) -> str:
    """The text-baseline serialisation of a feature window (T, C) (LLaMo's ablation: motion as text).

    Every 4th frame (2.5 Hz), oldest first: pelvis x and z in the camera frame (m), facing (deg, 0 = away
    from the camera), pelvis height above the ankles, left/right wrist height and reach relative to the
    pelvis (m, facing-normalised), rounded to 0.1.
    """
    from llamo_ros.motion.features import FACING, POSE, ROOT_POS, ROOT_Z_SCALE
    import numpy as np
    f = np.asarray(features)[3::4]
    pose = f[:, POSE].reshape(len(f), -1, 3)
    rows = []
    for i in range(len(f)):
        yaw = np.degrees(np.arctan2(f[i, FACING][0], f[i, FACING][1]))
        x, z = f[i, ROOT_POS][0], f[i, ROOT_POS][2] * ROOT_Z_SCALE
        hip_h = -0.5 * (pose[i, 3, 1] + pose[i, 6, 1])
        lw, rw = pose[i, 13], pose[i, 16]
        vals = [x, z, yaw, hip_h, -lw[1], lw[2], -rw[1], rw[2]]
        rows.append(" ".join(f"{v:.0f}" if k == 2 else f"{v:.1f}" for k, v in enumerate(vals)))
    return "Skeleton (x z yaw hip lwh lwf rwh rwf per 0.4 s): " + "; ".join(rows)


class MotionLLM(nn.Module):
    """Motion model (encoder + heads) + projector + causal LM (optionally with LoRA)."""

    def __init__(self, config: MotionLLMConfig, llm, tokenizer):
        super().__init__()
        if llm.config.hidden_size != config.llm_hidden_size:
            raise ValueError(f"config.llm_hidden_size={config.llm_hidden_size} but the LLM's hidden size is "
                             f"{llm.config.hidden_size}")
        self.config = config
        self.motion = MotionModel(config.encoder)
        self.projector = MotionProjector(config)
        self.llm = llm
        self.tokenizer = tokenizer
        self.placeholder = placeholder_id(tokenizer, llm, config.placeholder_token)
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.end_id = tokenizer.convert_tokens_to_ids("<|im_end|>")

    # ---- text side -------------------------------------------------------------------------
    def tokenize(self, prompts: list[str], answers: list[str] | None = None, padding_side: str = "right",
                 motion: bool = True):
        """Prompts (with MOTION_TAG) [+ answers] -> input_ids (B, L), attention_mask (B, L), labels (B, L).

        labels are -100 except on the answer tokens and the closing <|im_end|>.
        """
        seqs, labs = [], []
        for i, prompt in enumerate(prompts):
            p_ids = prompt_token_ids(self.tokenizer, prompt, self.config, motion)
            a_ids = []
            if answers is not None:
                a_ids = self.tokenizer(answers[i], add_special_tokens=False)["input_ids"] + [self.end_id]
            seqs.append(p_ids + a_ids)
            labs.append([-100] * len(p_ids) + a_ids)
        L = max(len(s) for s in seqs)
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(seqs), L), pad, dtype=torch.long)
        att = torch.zeros((len(seqs), L), dtype=torch.long)
        labels = torch.full((len(seqs), L), -100, dtype=torch.long)
        for i, (s, lab) in enumerate(zip(seqs, labs)):
            sl = slice(0, len(s)) if padding_side == "right" else slice(L - len(s), L)
            ids[i, sl] = torch.tensor(s)
            att[i, sl] = 1
            labels[i, sl] = torch.tensor(lab)
        return ids, att, labels

    # ---- motion side -----------------------------------------------------------------------
    def motion_embeddings(self, features: torch.Tensor) -> torch.Tensor:
        """Features (B, T, C) -> projected motion embeddings (B, N, D_llm)."""
        tokens = self.motion.encoder(features)  # (B, N, D_enc)
        return self.projector(tokens)            # (B, N, D_llm)

    def embed(self, input_ids: torch.Tensor, features: torch.Tensor | None) -> torch.Tensor:
        """input_ids (B, L) with placeholders + features (B, T, C) -> inputs_embeds (B, L, D_llm).

        features None: text only (the skeleton-as-text baseline), no placeholder allowed.
        """
        embeds = self.llm.get_input_embeddings()(input_ids)  # (B, L, D_llm)
        if features is None:
            if bool((input_ids == self.placeholder).any()):
                raise ValueError("prompt has motion placeholders but no motion features were given")
            return embeds
        return splice(embeds, input_ids, self.motion_embeddings(features), self.placeholder)

    def lm_loss(self, features: torch.Tensor | None, prompts: list[str], answers: list[str]) -> torch.Tensor:
        """Mean next-token cross-entropy on the answers given the motion (None: text only) and the prompts."""
        device = self.projector.linear_1.weight.device
        ids, att, labels = self.tokenize(prompts, answers, motion=features is not None)
        ids, att, labels = ids.to(device), att.to(device), labels.to(device)
        features = features.to(device) if features is not None else None
        embeds = self.embed(ids, features)
        # Only answer positions need logits: keep the tail that covers every label (saves the LM head).
        first = int((labels != -100).float().argmax(dim=1).min())
        keep = ids.shape[1] - max(first - 1, 0)
        out = self.llm(inputs_embeds=embeds, attention_mask=att, logits_to_keep=keep)
        logits = out.logits[:, :-1]                                         # (B, keep-1, V)
        target = labels[:, ids.shape[1] - keep + 1:]                        # (B, keep-1)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), target.reshape(-1),
                                           ignore_index=-100)

    @torch.no_grad()
    def generate(self, features: torch.Tensor | None, prompts: list[str], max_new_tokens: int = 40,
                 stop: threading.Event | None = None) -> list[str]:
        """Greedy answers for a batch of windows (B, T, C) (None: text only) and prompts, KV-cached.

        Llama-style LLMs run through LlamaDecoder (language/llama_decoder.py), others through HF's generate.
        `stop`: when set (e.g. by a node shutting down), generation ends after the current token.
        """
        device = self.projector.linear_1.weight.device
        ids, att, _ = self.tokenize(prompts, padding_side="left", motion=features is not None)
        ids, att = ids.to(device), att.to(device)
        features = features.to(device) if features is not None else None
        embeds = self.embed(ids, features)
        eos = (self.end_id, self.tokenizer.eos_token_id)
        decoder = decoder_for(self.llm)
        if decoder is not None:
            out = generate_greedy(decoder, embeds, att, max_new_tokens, eos, stop).tokens
        else:
            out = self.llm.generate(inputs_embeds=embeds, attention_mask=att, max_new_tokens=max_new_tokens,
                                    do_sample=False, use_cache=True, eos_token_id=list(eos),
                                    pad_token_id=self.tokenizer.pad_token_id,
                                    stopping_criteria=StoppingCriteriaList([_EventStop(stop)]) if stop else None)
        return [self.tokenizer.decode(o, skip_special_tokens=True).strip() for o in out]


class _EventStop(StoppingCriteria):
    """Ends generation once `event` is set, checked after every token."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs) -> torch.Tensor:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)
