"""`models/external_weights.yaml` (published OpenMMLab checkpoints) and the sha256 check of a checkpoint file.

OpenMMLab names every published checkpoint with the first 8 hex digits of its sha256
(``...-235e8209.pth``, ``...-d8dd5ca4_20230127.pth``). The manifest records these prefixes; the full
sha256 is UNKNOWN until someone downloads a file and fills it in. `verify_checkpoint` therefore checks
a file against the manifest's full sha256 where one is known for the published file its name claims
to be, else against the prefix in its own name, and refuses a file it cannot check at all.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from llamo_ros.shipped_models import file_sha256
from llamo_ros.shipped_models import shipped_model_path

MANIFEST_FILE = "external_weights.yaml"
# "-<8 hex>" before an optional "_<yyyymmdd>" date and the extension, as OpenMMLab names its files.
_NAME_PREFIX = re.compile(r"-([0-9a-f]{8})(?:_\d{8})?\.[A-Za-z0-9]+$")
_FULL_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ChecksumError(ValueError):
    """A checkpoint whose sha256 does not match, or cannot be checked."""


@dataclass(frozen=True)
class PublishedWeights:
    """One manifest entry."""

    role: str             # manifest key: detector, detector_nano, pose2d, lifter
    name: str             # OpenMMLab config name
    url: str              # where the file is published
    sha256_prefix: str    # first 8 hex digits of the file's sha256 (from OpenMMLab's file name)
    sha256: str | None    # full hex sha256, None while the manifest says UNKNOWN


def default_manifest_path() -> Path:
    """The installed share/llamo_ros/models/external_weights.yaml, else the source tree's."""
    return shipped_model_path(MANIFEST_FILE)


def load_weight_manifest(path: str | os.PathLike | None = None) -> dict[str, PublishedWeights]:
    """Manifest entries by role; a full sha256 that is not 64 hex digits (e.g. "UNKNOWN-...") reads as None."""
    import yaml

    data = yaml.safe_load(Path(path or default_manifest_path()).read_text())
    entries = {}
    for role, entry in data.items():
        full = str(entry.get("sha256", "")).lower()
        entries[role] = PublishedWeights(role, entry["name"], entry["url"], str(entry["sha256_prefix"]).lower(),
                                         full if _FULL_SHA256.match(full) else None)
    return entries


def sha256_prefix_in_name(path: str | os.PathLike) -> str | None:
    """The 8 hex digits OpenMMLab puts in a checkpoint's file name, or None."""
    match = _NAME_PREFIX.search(Path(path).name.lower())
    return match.group(1) if match else None


def verify_checkpoint(path: str | os.PathLike, manifest: dict[str, PublishedWeights] | None = None) -> str:
    """The file's sha256 after checking it; raises `ChecksumError` naming the file and the mismatch.

    Full sha256 of the manifest entry whose prefix the file name carries, when the manifest knows it;
    else the name's own prefix; a name without a prefix cannot be checked and is refused.
    """
    digest = file_sha256(path)
    claimed = sha256_prefix_in_name(path)
    if claimed is None:
        raise ChecksumError(
            f"{path}: cannot verify this checkpoint: its name carries no sha256 prefix ('-<8 hex digits>' before "
            f"the extension, as OpenMMLab names its files) and no full sha256 is known for it. Its sha256 is "
            f"{digest}; if you trust the file, rename it to end in -{digest[:8]}{Path(path).suffix}")
    published = next((e for e in (manifest or {}).values() if e.sha256_prefix == claimed and e.sha256), None)
    if published is not None and digest != published.sha256:
        raise ChecksumError(f"{path}: sha256 {digest} differs from the manifest's {published.sha256} for "
                            f"{published.name}: the file is corrupt or not the published one; download it again "
                            f"from {published.url}")
    if not digest.startswith(claimed):
        raise ChecksumError(f"{path}: the file name says its sha256 starts with {claimed}, but it starts with "
                            f"{digest[:8]}: the file is corrupt, truncated or misnamed; download it again")
    return digest
