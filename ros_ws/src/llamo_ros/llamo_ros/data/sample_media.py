"""Real photographs and video of people for tests, demos and benchmarks.

Two sources, both free and fetchable without accounts:

* scikit-image's bundled images: ``astronaut`` (512x512 RGB, one front-facing person) and
  ``camera`` (512x512 grey, the cameraman in profile).
* Debian's ``opencv-doc`` package (OpenCV's ``samples/data``): ``basketball1.png`` /
  ``basketball2.png`` (640x480 grey, two people), ``messi5.jpg`` (548x342, one player) and
  ``vtest.avi`` (pedestrians). It is fetched with ``apt-get download opencv-doc`` (no root needed)
  and unpacked with ``dpkg -x`` into the cache directory, by default
  ``~/.cache/llamo_ros/opencv-doc`` (override with ``LLAMO_OPENCV_DOC_DIR``).

All images are returned as RGB ``uint8`` arrays of shape (H, W, 3).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

OPENCV_DOC_FILES = ("basketball1.png", "basketball2.png", "messi5.jpg", "vtest.avi")
SKIMAGE_IMAGES = ("astronaut", "camera")
_DATA_SUBDIR = Path("usr/share/doc/opencv-doc/examples/data")


class SampleMediaUnavailable(RuntimeError):
    """The sample file is not cached and could not be fetched (no apt, no network)."""


def opencv_doc_root() -> Path:
    """Directory that ``opencv-doc`` is (or will be) unpacked into."""
    default = Path.home() / ".cache" / "llamo_ros" / "opencv-doc"
    return Path(os.environ.get("LLAMO_OPENCV_DOC_DIR", default))


def fetch_opencv_doc(root: Path | None = None) -> Path:
    """Download and unpack Debian's ``opencv-doc`` into ``root``; return its data directory.

    Does nothing when the files are already there. Raises `SampleMediaUnavailable` with the
    command to run by hand when ``apt-get``/``dpkg`` are missing or the download fails.
    """
    root = Path(root) if root is not None else opencv_doc_root()
    data_dir = root / _DATA_SUBDIR
    if all((data_dir / name).exists() for name in OPENCV_DOC_FILES):
        return data_dir
    manual = (f"run: cd /tmp && apt-get download opencv-doc && dpkg -x opencv-doc_*.deb {root}")
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise SampleMediaUnavailable(f"opencv-doc sample data missing and apt-get/dpkg not found; {manual}")
    with tempfile.TemporaryDirectory() as tmp:
        got = subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp, capture_output=True, text=True)
        debs = list(Path(tmp).glob("opencv-doc_*.deb"))
        if got.returncode != 0 or not debs:
            raise SampleMediaUnavailable(
                f"apt-get download opencv-doc failed ({got.stderr.strip()[-300:]}); {manual}")
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg", "-x", str(debs[0]), str(root)], check=True)
    if not all((data_dir / name).exists() for name in OPENCV_DOC_FILES):
        raise SampleMediaUnavailable(f"opencv-doc unpacked into {root} but the sample files are missing")
    return data_dir


def sample_path(name: str, fetch: bool = True) -> Path:
    """Path of an ``opencv-doc`` sample file (e.g. ``"messi5.jpg"``), fetching it if allowed."""
    if name not in OPENCV_DOC_FILES:
        raise KeyError(f"unknown opencv-doc sample {name!r}; known: {OPENCV_DOC_FILES}")
    data_dir = opencv_doc_root() / _DATA_SUBDIR
    if not (data_dir / name).exists():
        if not fetch:
            raise SampleMediaUnavailable(f"{data_dir / name} not cached")
        data_dir = fetch_opencv_doc()
    return data_dir / name


def load_image(name: str, fetch: bool = True) -> np.ndarray:
    """A sample photograph as RGB uint8 (H, W, 3).

    ``name`` is a scikit-image image (``"astronaut"``, ``"camera"``) or an ``opencv-doc`` file
    name with or without extension (``"basketball1"``, ``"messi5.jpg"``).
    """
    import cv2

    if name in SKIMAGE_IMAGES:
        import skimage.data

        image = getattr(skimage.data, name)()
        return np.ascontiguousarray(np.stack([image] * 3, axis=-1) if image.ndim == 2 else image[..., :3])
    file_name = next((f for f in OPENCV_DOC_FILES if f == name or f.rsplit(".", 1)[0] == name), None)
    if file_name is None:
        raise KeyError(f"unknown sample image {name!r}")
    bgr = cv2.imread(str(sample_path(file_name, fetch=fetch)), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SampleMediaUnavailable(f"could not decode {file_name}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def load_video_frames(name: str = "vtest.avi", max_frames: int = 100, fetch: bool = True) -> list[np.ndarray]:
    """Up to ``max_frames`` RGB frames of an ``opencv-doc`` video."""
    import cv2

    capture = cv2.VideoCapture(str(sample_path(name, fetch=fetch)))
    frames = []
    try:
        while len(frames) < max_frames:
            ok, bgr = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        capture.release()
    return frames


if __name__ == "__main__":  # `python -m llamo_ros.data.sample_media`: fetch once, as `make setup` does
    print(f"sample media in {fetch_opencv_doc()}")
