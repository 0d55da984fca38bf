"""Action name -> pose function of local time, across the action families."""
from __future__ import annotations

from llamo_ros.data.motion_synth.gestures import _point, _wave
from llamo_ros.data.motion_synth.locomotion import _stand, _walk
from llamo_ros.data.motion_synth.objects import _hand_over, _pick_up
from llamo_ros.data.motion_synth.postures import _sit_down, _stand_up

# Each maps (t (n,) s, params, body, heading0 rad) -> (pose parameters, root velocity (n, 2) world x/z m/s).
ACTION_FUNCTIONS = {
    "walk_towards": _walk, "walk_past": _walk, "walk_away": _walk, "stand": _stand, "wave": _wave,
    "point": _point, "hand_over": _hand_over, "sit_down": _sit_down, "stand_up": _stand_up,
    "pick_up": _pick_up,
}
