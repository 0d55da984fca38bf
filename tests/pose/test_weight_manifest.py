"""Checkpoint sha256 checks against the published-weights manifest and OpenMMLab's file-name prefixes."""
import hashlib

import pytest

from llamo_ros.pose.weight_manifest import (ChecksumError, default_manifest_path, load_weight_manifest,
                                            sha256_prefix_in_name, verify_checkpoint)


def _write(path, payload: bytes):
    path.write_bytes(payload)
    return path


def test_shipped_manifest_reads_with_prefixes_and_unknown_full_hashes():
    manifest = load_weight_manifest(default_manifest_path())
    assert {"detector", "pose2d", "lifter"} <= set(manifest)
    for entry in manifest.values():
        # the prefix in the manifest is the one in the published file's name
        assert sha256_prefix_in_name(entry.url) == entry.sha256_prefix
        assert entry.sha256 is None   # nobody has downloaded them yet: UNKNOWN reads as None


def test_prefix_in_openmmlab_file_names():
    assert sha256_prefix_in_name("rtmdet_m_8xb32-100e_coco-obj365-person-235e8209.pth") == "235e8209"
    assert sha256_prefix_in_name("rtmpose-m_simcc-coco_pt-aic-coco_420e-256x192-d8dd5ca4_20230127.pth") == "d8dd5ca4"
    assert sha256_prefix_in_name("lifter.pth") is None


def test_file_with_its_own_prefix_is_accepted(tmp_path):
    payload = b"weights"
    digest = hashlib.sha256(payload).hexdigest()
    path = _write(tmp_path / f"model-{digest[:8]}_20230127.pth", payload)
    assert verify_checkpoint(path, load_weight_manifest()) == digest


def test_file_with_a_wrong_prefix_is_refused(tmp_path):
    payload = b"weights"
    wrong = "0" * 8 if not hashlib.sha256(payload).hexdigest().startswith("0" * 8) else "1" * 8
    path = _write(tmp_path / f"rtmpose-m-{wrong}_20230127.pth", payload)
    with pytest.raises(ChecksumError, match=f"name says its sha256 starts with {wrong}.*corrupt"):
        verify_checkpoint(path)


def test_truncated_published_file_is_refused(tmp_path):
    """A file named like the published detector but with other bytes (an interrupted download)."""
    manifest = load_weight_manifest()
    path = _write(tmp_path / manifest["detector"].url.rsplit("/", 1)[1], b"truncated")
    with pytest.raises(ChecksumError, match=f"starts with {manifest['detector'].sha256_prefix}"):
        verify_checkpoint(path, manifest)


def test_full_sha256_wins_when_the_manifest_knows_it(tmp_path):
    payload = b"weights"
    digest = hashlib.sha256(payload).hexdigest()
    manifest_path = tmp_path / "external_weights.yaml"
    manifest_path.write_text(f"pose2d:\n  name: m\n  url: https://x/m-{digest[:8]}.pth\n"
                             f"  sha256_prefix: {digest[:8]}\n  sha256: {'f' * 64}\n")
    path = _write(tmp_path / f"m-{digest[:8]}.pth", payload)   # right prefix, but not the full hash on record
    with pytest.raises(ChecksumError, match="differs from the manifest"):
        verify_checkpoint(path, load_weight_manifest(manifest_path))


def test_file_without_prefix_is_refused_with_the_fix(tmp_path):
    path = _write(tmp_path / "lifter.pth", b"weights")
    with pytest.raises(ChecksumError, match=r"no sha256 prefix.*rename it to end in -[0-9a-f]{8}\.pth"):
        verify_checkpoint(path)
