"""A strip of evenly spaced frames of a video as small JPEG thumbnails (bytes in memory, for the gallery).

The strip is picked during the same single decode pass as the frame hashes: with N frames over a video of
duration D, frame i is the first one shown at or after ``D * (i + 0.5) / N`` (IPED uses 20). When the
container gives no duration, the first N seconds are shown one frame a second. Thumbnails are upright (the
stream's display rotation applied) and no longer than ``side`` pixels; they go to the case database only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
from PIL import Image

_ROTATIONS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


@dataclass(frozen=True)
class StripFrame:
    """One thumbnail of the strip: where it is in the video and its JPEG bytes."""

    number: int
    timestamp_s: float
    data: bytes
    width: int
    height: int
    mime: str = "image/jpeg"


def strip_times(duration_s: float | None, count: int) -> list[float]:
    """The presentation times the strip's frames are taken at."""
    if count <= 0:
        return []
    if not duration_s or duration_s <= 0:
        return [float(i) for i in range(count)]
    return [duration_s * (i + 0.5) / count for i in range(count)]


class StripPicker:
    """Says which decoded frames belong to the strip (each target time taken once, in order)."""

    def __init__(self, duration_s: float | None, count: int) -> None:
        self.times = strip_times(duration_s, count)
        self.next = 0

    def wants(self, timestamp_s: float) -> bool:
        if self.next >= len(self.times) or timestamp_s + 1e-6 < self.times[self.next]:
            return False
        while self.next < len(self.times) and self.times[self.next] <= timestamp_s + 1e-6:
            self.next += 1  # a frame that covers several targets (a long still) is shown once
        return True

    @property
    def done(self) -> bool:
        return self.next >= len(self.times)


def _upright(image: Image.Image, rotation: int) -> Image.Image:
    """Apply a display rotation given in degrees counter-clockwise (FFmpeg's display-matrix convention)."""
    step = _ROTATIONS.get(int(rotation) % 360)
    return image.transpose(step) if step is not None else image


def strip_frame(frame: av.VideoFrame, number: int, timestamp_s: float, side: int, quality: int) -> StripFrame:
    """A JPEG thumbnail of one decoded frame, no longer than ``side`` on either side, upright."""
    scale = min(1.0, side / max(frame.width, frame.height))
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    image = frame.reformat(width, height, "rgb24", interpolation="AREA").to_image()
    image = _upright(image, getattr(frame, "rotation", 0) or 0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return StripFrame(number, round(timestamp_s, 3), buffer.getvalue(), image.width, image.height)


def frame_strip_sheet(frames: list[StripFrame], gap: int = 2) -> bytes | None:
    """The strip as one horizontal JPEG (for a report or a preview); None when it is empty."""
    if not frames:
        return None
    pictures = [Image.open(io.BytesIO(f.data)) for f in frames]
    height = max(p.height for p in pictures)
    sheet = Image.new("RGB", (sum(p.width for p in pictures) + gap * (len(pictures) - 1), height), (0, 0, 0))
    x = 0
    for picture in pictures:
        sheet.paste(picture.convert("RGB"), (x, (height - picture.height) // 2))
        x += picture.width + gap
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


# Strip frames shown in a video's gallery tile: four, evenly spread, two by two.
MOSAIC_GRID = 2


def mosaic_positions(count: int) -> list[int]:
    """Which strip frames a tile shows: the middle of each quarter (the middle one when fewer than four)."""
    tiles = MOSAIC_GRID * MOSAIC_GRID
    if count <= 0:
        return []
    if count < tiles:
        return [count // 2]
    return [int(count * (i + 0.5) / tiles) for i in range(tiles)]


def strip_mosaic(frames: list[StripFrame], side: int, quality: int) -> StripFrame | None:
    """A video's tile picture: four strip frames two by two (or one), no longer than ``side``; None if empty.

    The frames keep their aspect ratio; the result stands for the video wherever a picture's thumbnail does
    (gallery, findings), in the case database only.
    """
    chosen = [frames[i] for i in mosaic_positions(len(frames))]
    if not chosen:
        return None
    pictures = [Image.open(io.BytesIO(f.data)).convert("RGB") for f in chosen]
    if len(pictures) == 1:
        picture = pictures[0]
        picture.thumbnail((side, side))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=quality)
        data = buffer.getvalue()
        return StripFrame(chosen[0].number, chosen[0].timestamp_s, data, picture.width, picture.height)
    first = pictures[0]
    cell_w = side // MOSAIC_GRID
    cell_h = max(1, min(side // MOSAIC_GRID, round(cell_w * first.height / max(1, first.width))))
    sheet = Image.new("RGB", (cell_w * MOSAIC_GRID, cell_h * MOSAIC_GRID), (0, 0, 0))
    for index, picture in enumerate(pictures):
        cell = picture.copy()
        cell.thumbnail((cell_w, cell_h))
        x = (index % MOSAIC_GRID) * cell_w + (cell_w - cell.width) // 2
        y = (index // MOSAIC_GRID) * cell_h + (cell_h - cell.height) // 2
        sheet.paste(cell, (x, y))
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=quality)
    return StripFrame(chosen[0].number, chosen[0].timestamp_s, buffer.getvalue(), sheet.width, sheet.height)
