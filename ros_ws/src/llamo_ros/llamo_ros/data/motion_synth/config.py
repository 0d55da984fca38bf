"""Generator configuration and the action vocabulary: action -> intent, intent -> caption words."""
from __future__ import annotations

from dataclasses import dataclass, field

from llamo_ros.motion.intents import INTENT_LABELS, OTHER


# Action name (ActionSegment.name) -> intent label (INTENT_LABELS).
ACTION_INTENT: dict[str, str] = {
    "walk_towards": "approaching",
    "walk_past": "passing_by",
    "walk_away": "leaving",
    "stand": "standing_idle",
    "wave": "waving",
    "point": "pointing",
    "hand_over": "handing_over",
    "sit_down": "sitting_down",
    "stand_up": "standing_up",
    "pick_up": "picking_up",
}
ACTIONS: tuple[str, ...] = tuple(ACTION_INTENT)

# Intent label -> phrases that count as naming that intent in a caption. Every caption clause for an
# action contains one of its intent's phrases and no other intent's phrase, so an evaluator can score
# generated text by substring match (lower-case).
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "approaching": ("walks towards", "walks toward", "approaches"),
    "passing_by": ("walks past", "passes by"),
    "leaving": ("walks away", "leaves"),
    "standing_idle": ("stands still", "stands idle"),
    "waving": ("waves",),
    "pointing": ("points",),
    "handing_over": ("hands over", "holds out"),
    "sitting_down": ("sits down",),
    "standing_up": ("stands up", "gets up"),
    "picking_up": ("picks up",),
}
assert set(ACTION_WORDS) == set(INTENT_LABELS[:OTHER]) == set(ACTION_INTENT.values())  # "other" names no action

# Speed words: walking slower than 1.0 m/s is "slow", faster than 1.6 m/s is "fast".
SLOW_BELOW_MPS = 1.0
FAST_ABOVE_MPS = 1.6


def speed_word(speed_mps: float) -> str:
    """'slow', 'normal' or 'fast' for a walking speed in m/s."""
    if speed_mps < SLOW_BELOW_MPS:
        return "slow"
    if speed_mps > FAST_ABOVE_MPS:
        return "fast"
    return "normal"


@dataclass
class SynthConfig:
    """Ranges the generator samples from; (lo, hi) tuples are uniform ranges."""

    fps: float = 30.0                                   # output frame rate, Hz
    # target clip length; whole actions are kept, so a clip may run over by one action
    duration_range_s: tuple[float, float] = (4.0, 10.0)
    # at most this many actions per clip (a filling "stand" may be added)
    max_actions: int = 3
    body_height_range_m: tuple[float, float] = (1.50, 1.95)  # standing height of the person
    walk_speed_range_mps: tuple[float, float] = (0.6, 2.0)   # steady walking speed
    camera_distance_range_m: tuple[float, float] = (1.5, 8.0)  # horizontal camera-person distance at the start
    camera_height_range_m: tuple[float, float] = (0.8, 1.8)    # camera above the floor
    camera_pitch_range_deg: tuple[float, float] = (-5.0, 20.0)  # camera tilt, positive looks down
    # the person's start direction from the optical axis (camera yaw relative to the person)
    bearing_range_deg: tuple[float, float] = (-25.0, 25.0)
    jitter_base_m: float = 0.008                        # Gaussian jitter std at 0 m depth
    jitter_per_m: float = 0.004                         # extra jitter std per metre of depth
    dropout_prob: float = 0.01                          # per joint and frame: probability a dropout burst starts
    dropout_burst_frames: tuple[int, int] = (1, 8)      # length of a dropout burst, frames (inclusive range)
    # per frame: probability of an estimator blunder (left-right swap or displaced joints)
    outlier_frame_prob: float = 0.01
    # Per clip, systematic errors of a monocular 3D pose estimator: real skeletons differ from the exact body in
    # orientation, proportions and per-joint offsets (MediaPipe on people 10-17 m away in vtest.avi: shoulders
    # 0.84x, thighs 0.9x the generator's, head 13 cm forward). Constant over a clip; 0 / (1, 1): none.
    pose_tilt_std_deg: float = 0.0                      # std of a pitch of the skeleton about its pelvis (roll: half)
    pose_scale_range: tuple[float, float] = (1.0, 1.0)  # scale of the skeleton about its pelvis
    joint_bias_std_m: float = 0.0                       # per-joint offsets, m: their std drawn from [0, this] per clip
    # bone lengths scaled per clip and bone group within ESTIMATED_PROPORTIONS (MediaPipe's skeletons on
    # vtest.avi, relative to the torso: upper arms 0.77x, hips 0.77x, thorax-nose 1.4x the generator's)
    vary_proportions: bool = False
    # probability that the "head" joint is the point between the eyes (MediaPipe's and COCO's 2D layouts,
    # `pose.keypoint_layouts`) instead of the top of the head (Human3.6M, the lifters' output)
    head_at_eyes_prob: float = 0.0
    # Per frame, the metric root's error along the camera ray as a fraction of the distance (the whole skeleton
    # moves with it): a monocular root from a height prior scales with each frame's estimated stature. Its std is
    # drawn per clip from this range; (0, 0): none. Measured on vtest.avi (MediaPipe, assumed field of view,
    # people 8-17 m away): 3.3 % (robust 2.4 %) of the distance, nearly white (lag-1 autocorrelation 0.22).
    root_depth_noise_range: tuple[float, float] = (0.0, 0.0)
    # A slowly varying per-joint error on top of the white jitter, largest at the wrists (`render.WOBBLE_JOINT_FACTOR`):
    # MediaPipe on vtest.avi's people (10-17 m) errs smoothly (lag-1 autocorrelation 0.5-0.75 at 10 Hz, where the
    # generator's jitter has ~0) and most at the wrists (0.11 m std relative to the pelvis for people standing, 2.8x
    # the shoulders'). Std at the wrists per metre of depth, drawn per clip from this range; (0, 0): none.
    wobble_per_m_range: tuple[float, float] = (0.0, 0.0)
    wobble_time_constant_s: float = 0.3                 # its correlation time (AR(1)), s
    # probability that a clip starts seated (so it opens with "stand_up")
    seated_start_prob: float = 0.12
    # relative sampling weight per action name (default 1.0)
    action_weights: dict[str, float] = field(default_factory=dict)
    # Broad generator (opt-in, see `broad_config`); the defaults keep the original ten-action clips.
    actions: tuple[str, ...] = ACTIONS                  # action names drawn from (catalogue.ALL_ACTIONS for all)
    jog_speed_range_mps: tuple[float, float] = (2.5, 3.3)  # jogging ground speed
    run_speed_range_mps: tuple[float, float] = (3.3, 5.0)  # running ground speed
    style_amplitude_range: tuple[float, float] = (1.0, 1.0)  # per-action factor on movement amplitudes (new actions)
    style_tempo_range: tuple[float, float] = (1.0, 1.0)      # per-action factor on movement tempo (new actions)
    camera_fov_deg: tuple[float, float] = (90.0, 65.0)  # horizontal, vertical field of view, degrees
    # plan only actions whose every joint stays inside the field of view
    keep_in_view: bool = False
    # broad planner: probability that a clip ending in a walk/jog/run ends with the person still moving (no stop)
    walk_on_prob: float = 0.0
    # probability that a walking or standing action carries its arms (pockets, a phone, a bag...; see
    # `arm_carriage`) instead of letting them hang and swing
    arm_carriage_prob: float = 0.0
    # probability that a standing action stands about (weight on one leg, a shuffle, looking around, talking,
    # hands on the hips; see `standing_styles`) instead of swaying still
    stand_style_prob: float = 0.0
    # probability that a walk is a slow stroll (`locomotion.STROLL_SPEED_MPS`, shorter steps, little arm swing)
    stroll_prob: float = 0.0

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        if not 0.0 <= self.root_depth_noise_range[0] <= self.root_depth_noise_range[1] <= 0.5:
            raise ValueError(f"root_depth_noise_range must be (lo, hi) with 0 <= lo <= hi <= 0.5, got "
                             f"{self.root_depth_noise_range}")
        if not 0.0 <= self.wobble_per_m_range[0] <= self.wobble_per_m_range[1] <= 0.05:
            raise ValueError(f"wobble_per_m_range must be (lo, hi) with 0 <= lo <= hi <= 0.05, got "
                             f"{self.wobble_per_m_range}")
        if not self.wobble_time_constant_s > 0:
            raise ValueError(f"wobble_time_constant_s must be positive, got {self.wobble_time_constant_s}")
        for name in ("duration_range_s", "body_height_range_m", "walk_speed_range_mps",
                     "camera_distance_range_m", "camera_height_range_m", "camera_pitch_range_deg",
                     "bearing_range_deg", "dropout_burst_frames"):
            lo, hi = getattr(self, name)
            if not lo <= hi:
                raise ValueError(f"{name} must be (lo, hi) with lo <= hi, got {(lo, hi)}")
        if self.duration_range_s[0] <= 0:
            raise ValueError("duration_range_s must be positive")
        if self.max_actions < 1:
            raise ValueError(f"max_actions must be >= 1, got {self.max_actions}")
        if not (1.0 <= self.body_height_range_m[0] and self.body_height_range_m[1] <= 2.3):
            raise ValueError(f"body_height_range_m must lie in [1.0, 2.3] m, got {self.body_height_range_m}")
        if not (0.2 <= self.walk_speed_range_mps[0] and self.walk_speed_range_mps[1] <= 3.0):
            raise ValueError(f"walk_speed_range_mps must lie in [0.2, 3.0], got {self.walk_speed_range_mps}")
        if self.camera_distance_range_m[0] < 1.0:
            raise ValueError("camera_distance_range_m must start at >= 1.0 m")
        if self.camera_height_range_m[0] <= 0:
            raise ValueError("camera_height_range_m must be positive")
        if not (-60 <= self.camera_pitch_range_deg[0] and self.camera_pitch_range_deg[1] <= 60):
            raise ValueError("camera_pitch_range_deg must lie in [-60, 60]")
        if not (-60 <= self.bearing_range_deg[0] and self.bearing_range_deg[1] <= 60):
            raise ValueError("bearing_range_deg must lie in [-60, 60]")
        if self.jitter_base_m < 0 or self.jitter_per_m < 0:
            raise ValueError("jitter must be >= 0")
        if self.pose_tilt_std_deg < 0 or self.joint_bias_std_m < 0:
            raise ValueError("pose_tilt_std_deg and joint_bias_std_m must be >= 0")
        if not 0 < self.pose_scale_range[0] <= self.pose_scale_range[1]:
            raise ValueError(f"pose_scale_range must be (lo, hi) with 0 < lo <= hi, got {self.pose_scale_range}")
        for name in ("dropout_prob", "outlier_frame_prob", "seated_start_prob", "walk_on_prob", "arm_carriage_prob",
                     "head_at_eyes_prob", "stand_style_prob", "stroll_prob"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability, got {p}")
        if self.dropout_burst_frames[0] < 1:
            raise ValueError("dropout_burst_frames must be >= 1")
        from llamo_ros.data.motion_synth.catalogue import ALL_ACTIONS  # the catalogue imports the action modules
        self.actions = tuple(self.actions)
        unknown = [a for a in self.actions if a not in ALL_ACTIONS]
        if unknown or not self.actions:
            raise ValueError(f"actions must be a non-empty subset of {ALL_ACTIONS}, got unknown {unknown}")
        for name in ("jog_speed_range_mps", "run_speed_range_mps", "style_amplitude_range", "style_tempo_range"):
            lo, hi = getattr(self, name)
            if not 0 < lo <= hi:
                raise ValueError(f"{name} must be (lo, hi) with 0 < lo <= hi, got {(lo, hi)}")
        if not all(10.0 <= f <= 170.0 for f in self.camera_fov_deg):
            raise ValueError(f"camera_fov_deg must lie in [10, 170], got {self.camera_fov_deg}")
        for name, w in self.action_weights.items():
            if name not in self.actions:
                raise ValueError(f"unknown action {name!r} in action_weights; known: {self.actions}")
            if w < 0:
                raise ValueError(f"action weight must be >= 0, got {name}={w}")


# The pose estimator's systematic errors that the broad generator (and training) simulate: wide enough to cover
# the skeletons MediaPipe gives on real distant people (see SynthConfig.pose_tilt_std_deg).
ESTIMATOR_BIAS = dict(pose_tilt_std_deg=10.0, pose_scale_range=(0.8, 1.02), joint_bias_std_m=0.05,
                      vary_proportions=True, head_at_eyes_prob=0.5)
# The estimator's slow per-joint error (`SynthConfig.wobble_per_m_range`) around the level measured on vtest.avi (wrists
# ~0.11 m at 10-17 m). Opt-in, so the default configs stay those the release was trained on: the released encoder was
# distilled to ignore it (`training.invariant_encoder`); an intent head fine-tuned on it instead flagged fewer real
# walkers and fewer held-out actions as `other` (docs/benchmarks.md).
ESTIMATOR_WOBBLE = dict(wobble_per_m_range=(0.005, 0.015))
# The metric root's frame-to-frame error along the camera ray (see SynthConfig.root_depth_noise_range): 1-5 % of the
# distance around the 3.3 % measured on vtest.avi.
METRIC_ROOT_NOISE = dict(root_depth_noise_range=(0.01, 0.05))
# Per bone group (the child joints' bones), the range of the factor on its length when vary_proportions is on:
# wide enough to hold both the generator's (lifter-like) proportions and MediaPipe's.
ESTIMATED_PROPORTIONS: dict[str, tuple[tuple[str, ...], tuple[float, float]]] = {
    "hip_width": (("right_hip", "left_hip"), (0.7, 1.05)),
    "thigh": (("right_knee", "left_knee"), (0.85, 1.05)),
    "shank": (("right_ankle", "left_ankle"), (0.85, 1.05)),
    "spine": (("spine", "thorax"), (0.9, 1.1)),
    "neck": (("neck_nose",), (0.9, 1.5)),
    "head": (("head",), (0.85, 1.1)),
    "shoulder_width": (("left_shoulder", "right_shoulder"), (0.85, 1.05)),
    "upper_arm": (("left_elbow", "right_elbow"), (0.72, 1.05)),
    "forearm": (("left_wrist", "right_wrist"), (0.72, 1.05)),
}
EYES_ALONG_HEAD = (0.15, 0.35)   # the eyes' point between the nose and the head top, as a fraction of that bone
# How often real pedestrians hold their arms other than hanging (an estimate: most people on vtest.avi do).
PEDESTRIAN_ARMS = dict(arm_carriage_prob=0.7)
# How often real pedestrians stand about rather than stand still, and stroll rather than walk (estimates: on
# vtest.avi hardly anyone stands still, and the model called standing and slow people "other" in 16-34 % of
# their windows against 2 % for walkers at 1.2+ m/s).
PEDESTRIAN_STANDING = dict(stand_style_prob=0.8, stroll_prob=0.2)
# Broad generator's sampling weights (others 1.0): improvised motion (`improvised`, intent "other") makes up ~6 % of
# the broad actions, enough outlier exposure for "other" without crowding out the named actions.
BROAD_ACTION_WEIGHTS: dict[str, float] = {"improvise": 2.5}


def broad_config(**overrides) -> SynthConfig:
    """The broad generator: every catalogue action, realistic walking speeds, varied bodies, styles, and
    cameras from robot heads (0.5 m, level) to CCTV-like views (3 m, 35 degrees down), person kept in view."""
    from llamo_ros.data.motion_synth.catalogue import ALL_ACTIONS
    values = dict(
        actions=ALL_ACTIONS, duration_range_s=(6.0, 20.0), max_actions=4, body_height_range_m=(1.45, 2.0),
        walk_speed_range_mps=(0.8, 1.8), camera_distance_range_m=(2.0, 12.0), camera_height_range_m=(0.5, 3.0),
        camera_pitch_range_deg=(0.0, 35.0), bearing_range_deg=(-30.0, 30.0), seated_start_prob=0.05,
        style_amplitude_range=(0.8, 1.2), style_tempo_range=(0.8, 1.25), keep_in_view=True, walk_on_prob=0.6,
        **ESTIMATOR_BIAS, **METRIC_ROOT_NOISE, **PEDESTRIAN_ARMS, **PEDESTRIAN_STANDING,
    )
    values.update(overrides)
    if "action_weights" not in overrides:  # only the weights of actions the config draws (they must be known)
        values["action_weights"] = {a: w for a, w in BROAD_ACTION_WEIGHTS.items() if a in values["actions"]}
    return SynthConfig(**values)
