"""A PNG grid of replayed frames with each person's 2D skeleton, track id and most likely intent."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from llamo_ros.motion.intents import INTENT_LABELS
from llamo_ros.skeleton import BONES


def _colour(track_id: int) -> tuple[int, int, int]:
    hue = int((track_id * 0.618034 % 1.0) * 179)  # golden-ratio hues: neighbouring ids differ
    bgr = cv2.cvtColor(np.uint8([[[hue, 220, 255]]]), cv2.COLOR_HSV2BGR)[0, 0]
    return tuple(int(c) for c in bgr)


def draw_persons(image_bgr: np.ndarray, persons, intents: dict[int, tuple[int, float]]) -> np.ndarray:
    """Draw boxes, 2D skeletons (keypoints with confidence > 0.3), ids and intents on a copy of the image.

    `persons`: a llamo_msgs/Person3DArray; `intents`: track id -> (intent index, probability).
    """
    out = image_bgr.copy()
    for p in persons.persons:
        colour = _colour(p.track_id)
        x0, y0, x1, y1 = (int(round(v)) for v in (p.bbox_x_min, p.bbox_y_min, p.bbox_x_max, p.bbox_y_max))
        cv2.rectangle(out, (x0, y0), (x1, y1), colour, 1)
        kp = [(k.u, k.v, k.confidence) for k in p.keypoints_2d]
        for a, b in BONES:
            if kp[a][2] > 0.3 and kp[b][2] > 0.3:
                cv2.line(out, (int(kp[a][0]), int(kp[a][1])), (int(kp[b][0]), int(kp[b][1])), colour, 2)
        label = f"#{p.track_id}"
        if p.track_id in intents:
            k, prob = intents[p.track_id]
            label += f" {INTENT_LABELS[k]} {prob:.2f}"
        cv2.putText(out, label, (x0, max(12, y0 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3)
        cv2.putText(out, label, (x0, max(12, y0 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1)
    return out


class ContactSheet:
    """Keeps up to `max_tiles` annotated frames, one every `every_n` frames, and writes them as a grid."""

    def __init__(self, every_n: int = 60, max_tiles: int = 12, columns: int = 4, tile_width: int = 384) -> None:
        self.every_n, self.max_tiles, self.columns, self.tile_width = every_n, max_tiles, columns, tile_width
        self.tiles: list[np.ndarray] = []
        self._seen = 0

    def add(self, image_bgr: np.ndarray, persons, intents: dict[int, tuple[int, float]], caption: str) -> None:
        self._seen += 1
        if (self._seen - 1) % self.every_n or len(self.tiles) >= self.max_tiles:
            return
        tile = draw_persons(image_bgr, persons, intents)
        scale = self.tile_width / tile.shape[1]
        tile = cv2.resize(tile, (self.tile_width, int(round(tile.shape[0] * scale))), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, caption, (6, tile.shape[0] - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 2)
        self.tiles.append(tile)

    def save(self, path: Path) -> Path:
        if not self.tiles:
            raise ValueError("no frames were added to the contact sheet")
        h = max(t.shape[0] for t in self.tiles)
        tiles = [np.pad(t, ((0, h - t.shape[0]), (0, 0), (0, 0))) for t in self.tiles]
        tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % self.columns)
        rows = [np.hstack(tiles[i:i + self.columns]) for i in range(0, len(tiles), self.columns)]
        path.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(path), np.vstack(rows)):
            raise OSError(f"could not write {path}")
        return path
