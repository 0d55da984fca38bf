"""Fetch real images and video of people from Debian's `opencv-doc` package into a cache folder.

`apt-get download` needs no root; the .deb is unpacked with `dpkg -x`. Idempotent: does nothing when the
files are already there. Used by `make setup`, the tests and the demo.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

FILES = ("basketball1.png", "basketball2.png", "messi5.jpg", "vtest.avi")
DATA_SUBDIR = Path("usr/share/doc/opencv-doc/examples/data")


def fetch(dest: Path) -> Path:
    """Make sure dest/usr/share/doc/opencv-doc/examples/data holds FILES; return that folder."""
    data = dest / DATA_SUBDIR
    if all((data / f).is_file() for f in FILES):
        print(f"sample media present in {data}")
        return data
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        print("downloading Debian package opencv-doc ...", flush=True)
        subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp, check=True)
        deb = next(Path(tmp).glob("opencv-doc_*.deb"))
        subprocess.run(["dpkg", "-x", str(deb), str(dest)], check=True)
    missing = [f for f in FILES if not (data / f).is_file()]
    if missing:
        raise SystemExit(f"opencv-doc unpacked into {dest} but lacks {missing}")
    print(f"sample media in {data}")
    return data


if __name__ == "__main__":
    fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".cache/llamo_ros/opencv-doc")
