"""Public inference API of the motion-language model (what the ROS node calls).

    from llamo_ros.language.api import MotionLanguageModel
    mlm = MotionLanguageModel.load("models/motion_llm_demo")          # default SmolLM2 LLM
    x = mlm.features(joints, confidence, fps)                         # (T, 80) window, see motion.features
    probs, path = mlm.predict_intents([x, x2])                        # (B, 10), (B, 20, 3) numpy
    text = mlm.describe(x)                                            # "A person waves ..."
    reply = mlm.answer(x, "Which hand does the person wave with?")

Generation runs through llama.cpp (a GGUF export of the checkpoint's merged LLM, language/gguf_export.py) when
its binding loads, else PyTorch: `llm_runtime` auto / llama_cpp / torch (language/llm_runtime.py; the choice and
its reason are logged).

Windows are feature arrays (T, 80) from `llamo_ros.motion.features.motion_features` (T a multiple of 4,
<= 64); `features()` builds the standard 32-frame (3.2 s) window. The LLM is loaded lazily on the first
describe/answer, so intent-only users never pay for it. Checkpoint dir: config.json,
motion_model.safetensors, projector.safetensors, optional lora.safetensors (merged into the LLM at load).
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import torch

from llamo_ros.language.model import DEFAULT_INSTRUCTION, MotionLLM, MotionLLMConfig
from llamo_ros.motion.encoder import MotionModel
from llamo_ros.motion.features import motion_features
from llamo_ros.language.weights import load_module

log = logging.getLogger("llamo_ros.language")


def load_motion_model(checkpoint_dir: str | os.PathLike, device: str = "cpu") -> MotionModel:
    """Encoder + heads only, from a checkpoint dir (config.json + motion_model.safetensors)."""
    checkpoint_dir = Path(checkpoint_dir)
    config = MotionLLMConfig.from_json((checkpoint_dir / "config.json").read_text())
    model = MotionModel(config.encoder)
    load_module(model, checkpoint_dir / "motion_model.safetensors")
    return model.to(device).eval()


CALIBRATION_WINDOWS = 8  # synthetic validation-seed clips whose motion tokens calibrate the CPU int8 smoothing
# First generator seed of the calibration clips: training.data's VAL_SEED0 + LANGUAGE_SEED_OFFSET, validation
# seeds (never test seeds); tests/motion/test_language.py checks that the clips equal training's.
CALIBRATION_SEED0 = 1_500_000


def calibration_clips(n: int = CALIBRATION_WINDOWS) -> list[tuple[np.ndarray, str]]:
    """(window features (T, C), caption) of the first `n` single-action generated clips from CALIBRATION_SEED0,
    the window ending at each clip's last frame (the language validation samples of `training.data`)."""
    from llamo_ros.data.motion_synth import SynthConfig, generate_clip
    from llamo_ros.motion.windows import window_at

    config = SynthConfig(max_actions=1, duration_range_s=(1.0, 3.0))
    out, seed = [], CALIBRATION_SEED0
    while len(out) < n:
        clip = generate_clip(seed, config)
        seed += 1
        if len(clip.segments) == 1:
            out.append((window_at(clip, clip.num_frames - 1).features, clip.caption))
    return out


@torch.no_grad()
def calibration_maxima(lm: MotionLLM, windows: int = CALIBRATION_WINDOWS) -> dict[str, torch.Tensor]:
    """Per-channel input maxima of the LLM's Linear layers for the CPU int8 smoothing (quantization.py).

    Text chat turns (quantization.CALIBRATION_TEXTS) plus one teacher-forced pass of `windows` generated
    clips (validation seeds, never test seeds; ~0.1 s to make) with their captions: motion tokens raise some
    maxima up to 2x (o_proj, down_proj), and calibrating on text alone cost held-out captions
    (action-word accuracy 0.875 vs 0.958 with motion, 24 captions; docs/benchmarks.md).
    """
    from llamo_ros.language.quantization import activation_maxima, recording_maxima

    act_max = activation_maxima(lm.llm, lm.tokenizer)
    clips = calibration_clips(windows)
    device = lm.projector.linear_1.weight.device
    features = torch.from_numpy(np.stack([f for f, _ in clips])).to(device)   # (W, T, C)
    ids, att, _ = lm.tokenize([DEFAULT_INSTRUCTION] * windows, [caption for _, caption in clips])
    with recording_maxima(lm.llm, act_max):
        lm.llm(inputs_embeds=lm.embed(ids.to(device), features), attention_mask=att.to(device), use_cache=False)
    return act_max


class MotionLanguageModel:
    def __init__(self, checkpoint_dir: Path, config: MotionLLMConfig, motion: MotionModel, llm_dir, device: str,
                 quantize_int8: bool, llm_runtime: str = "torch", llama_cpp=None):
        self.checkpoint_dir, self.config, self.motion = checkpoint_dir, config, motion
        self.llm_dir, self.device, self.quantize_int8 = llm_dir, device, quantize_int8
        self.llm_runtime = llm_runtime    # "llama_cpp" or "torch" (resolved from "auto" by load)
        self.llm_runtime_note = llm_runtime
        self.llama_cpp = llama_cpp        # LlamaCppConfig of the llama.cpp runtime
        self._lm: MotionLLM | None = None
        self._llama = None
        self._lock = threading.Lock()     # one lazy load, also when the node's threads ask at once

    @classmethod
    def load(cls, checkpoint_dir: str | os.PathLike, llm_dir: str | os.PathLike | None = None, device: str = "cpu",
             quantize_int8: bool = False, llm_runtime: str = "torch", llama_cpp=None) -> "MotionLanguageModel":
        """Load a checkpoint; llm_dir overrides config.llm_path (None there = default SmolLM2).

        llm_runtime: "auto" (llama.cpp when its binding loads, else torch; logged), "llama_cpp" or "torch".
        llama_cpp: LlamaCppConfig (GGUF type, context, threads) of the llama.cpp runtime.

        quantize_int8: int8 LLM (CPU: SmoothQuant-smoothed dynamic per-channel int8, calibrated at load;
            CUDA: weight-only), see language/quantization.py. Plain per-tensor int8 of every Linear ruined the
            demo's captions (action-word accuracy 0.98 -> 0.38); the model card gives the figure for this recipe.
        """
        checkpoint_dir = Path(checkpoint_dir)
        config = MotionLLMConfig.from_json((checkpoint_dir / "config.json").read_text())
        motion = load_motion_model(checkpoint_dir, device)
        from llamo_ros.language.llm_runtime import LlamaCppConfig, choose_llm_runtime
        if llm_dir is not None:
            config.llm_path = str(llm_dir)
        runtime, why = choose_llm_runtime(llm_runtime, config, device)
        llama_cpp = llama_cpp or LlamaCppConfig()
        what = f"llama.cpp {llama_cpp.gguf_type}" if runtime == "llama_cpp" else "torch" + (
            " int8" if quantize_int8 else " fp32")
        note = f"{what} (llm_runtime={llm_runtime}: {why})"
        log.info("LLM runtime: %s", note)
        mlm = cls(checkpoint_dir, config, motion, config.llm_path, device, quantize_int8, runtime, llama_cpp)
        mlm.llm_runtime_note = note   # what runs and why, for the node's and the replay's start-up line
        return mlm

    # ---- motion ----------------------------------------------------------------------------------------
    def features(self, joints: np.ndarray, confidence: np.ndarray | None, fps: float) -> np.ndarray:
        """Skeleton history (T, 17, 3) at fps, ending now -> the model's standard window (32, 80)."""
        return motion_features(joints, confidence, fps, num_frames=self.config.window_frames)

    def _batch(self, windows) -> torch.Tensor:
        if isinstance(windows, np.ndarray) and windows.ndim == 2:
            windows = windows[None]
        x = torch.as_tensor(np.stack([np.asarray(w, dtype=np.float32) for w in windows]))
        if x.ndim != 3 or x.shape[-1] != self.config.encoder.in_features:
            raise ValueError(f"windows must be (B, T, {self.config.encoder.in_features}), got {tuple(x.shape)}")
        return x.to(self.device)

    @torch.inference_mode()
    def predict_intents(self, windows) -> tuple[np.ndarray, np.ndarray]:
        """Windows (B, T, 80) or a list of (T, 80) -> (intent probabilities (B, 10), future path (B, 20, 3)).

        Path: pelvis positions 0.1 s ... 2.0 s ahead relative to the pelvis now, camera frame, metres.
        """
        probs, path, _ = self.motion(self._batch(windows))
        return probs.cpu().numpy(), path.cpu().numpy()

    # ---- language --------------------------------------------------------------------------------------
    @property
    def generator(self):
        """What describe/answer generate with: a LlamaCppMotionLM (llama.cpp runtime) or the torch MotionLLM."""
        if self.llm_runtime == "torch":
            return self.lm
        with self._lock:
            if self._llama is None:
                self._llama = self._load_llama_cpp()
        return self._llama

    def _load_llama_cpp(self):
        from transformers import AutoTokenizer

        from llamo_ros.language.gguf_export import cached_gguf
        from llamo_ros.language.llm import default_llm_dir
        from llamo_ros.language.llm_runtime import LlamaCppMotionLM
        from llamo_ros.language.model import MotionProjector

        gguf = cached_gguf(self.checkpoint_dir, types=(self.llama_cpp.gguf_type,))[self.llama_cpp.gguf_type]
        projector = MotionProjector(self.config)
        load_module(projector, self.checkpoint_dir / "projector.safetensors")
        tokenizer = AutoTokenizer.from_pretrained(str(default_llm_dir()))
        return LlamaCppMotionLM(self.config, self.motion, projector.to(self.device).eval(), tokenizer, gguf,
                                self.llama_cpp, self.device)

    @property
    def lm(self) -> MotionLLM:
        """The PyTorch motion-language model (the torch runtime's generator; training, evaluation, export)."""
        if self._lm is None:
            from llamo_ros.language.llm import load_llm
            llm, tokenizer = load_llm(self.llm_dir, self.device)
            lm = MotionLLM(self.config, llm, tokenizer)
            lm.motion = self.motion
            load_module(lm.projector, self.checkpoint_dir / "projector.safetensors")
            lora_path = self.checkpoint_dir / "lora.safetensors"
            if lora_path.is_file():
                from llamo_ros.language.lora import LoraParams, add_lora
                from safetensors.torch import load_file
                add_lora(lm)
                LoraParams(lm.llm).load_state_dict(load_file(str(lora_path)))
                lm.llm = lm.llm.merge_and_unload()
            lm.to(self.device).eval()
            if self.quantize_int8:
                # smoothed per-channel int8 (CPU): the plain per-tensor quantize_dynamic of every Linear
                # garbles SmolLM2's output (see language/quantization.py)
                from llamo_ros.language.quantization import quantize_llm
                act_max = calibration_maxima(lm) if torch.device(self.device).type == "cpu" else None
                lm.llm = quantize_llm(lm.llm, self.device, "int8", act_max=act_max)
            self._lm = lm
        return self._lm

    def describe(self, window: np.ndarray, prompt: str | None = None, max_new_tokens: int = 40,
                 stop: threading.Event | None = None) -> str:
        """One sentence about what the person in `window` (T, 80) is doing; `stop` cuts it short when set."""
        return self.generator.generate(self._batch(window), [prompt or DEFAULT_INSTRUCTION], max_new_tokens, stop)[0]

    def answer(self, window: np.ndarray, question: str, max_new_tokens: int = 40,
               stop: threading.Event | None = None) -> str:
        """Answer a question about the person in `window` (T, 80); `stop` cuts it short when set."""
        return self.generator.generate(self._batch(window), [question], max_new_tokens, stop)[0]
