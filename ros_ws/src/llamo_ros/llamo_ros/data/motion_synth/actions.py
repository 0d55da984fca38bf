"""Action name -> pose function of local time, across the action families (from the catalogue)."""
from __future__ import annotations

from llamo_ros.data.motion_synth.catalogue import CATALOGUE

# Each maps (t (n,) s, params, body, heading0 rad) -> (pose parameters, root velocity (n, 2) world x/z m/s).
ACTION_FUNCTIONS = {name: spec.pose for name, spec in CATALOGUE.items()}
