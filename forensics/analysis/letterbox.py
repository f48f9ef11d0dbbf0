"""Black bars around a video frame (letterbox, pillarbox): where the picture really is.

A copy of a video re-encoded into another shape gets uniform dark bars, and PDQ of the whole frame then
differs from the original's by far more than the match threshold (on Meta's sample clips: 0 % of the frames
of a barred version within 31 bits of the version without bars). The frame inside the bars hashes close to
the original again. A bar is a run of rows (or columns) from an edge that are all dark and nearly uniform;
a frame that is dark all over (a night scene, a fade) has no bars.
"""

from __future__ import annotations

import numpy as np

# A border row or column: mean grey level at most this (0-255; bars decode to about 0-16) ...
BAR_MAX_MEAN = 24.0
# ... and standard deviation at most this (a uniform band, not a dark part of the picture).
BAR_MAX_STD = 8.0
# Bars thinner than this share of the side are ignored (encoder edge artefacts).
MIN_BAR_SHARE = 0.02
# The picture inside the bars must keep at least this share of each side, or nothing is cropped.
MIN_CONTENT_SHARE = 0.3


# Rows (or columns) measured at a time while a bar is followed inwards from an edge.
BAND = 16


def _bar_like(band: np.ndarray, axis: int) -> np.ndarray:
    """Whether each row (``axis=1``) or column (``axis=0``) of ``band`` is dark and nearly uniform."""
    plane = band.astype(np.float32)
    return (plane.mean(axis=axis) <= BAR_MAX_MEAN) & (plane.std(axis=axis) <= BAR_MAX_STD)


def _edge_run(grey: np.ndarray, axis: int, from_end: bool, limit: int) -> int:
    """How many rows (``axis=1``) or columns (``axis=0``) from one edge are bar-like, counted up to
    ``limit``: only the bands up to the first picture row are measured, not the whole frame."""
    lines = grey if axis == 1 else grey.T
    if from_end:
        lines = lines[::-1]
    run = 0
    while run < limit:
        bar = _bar_like(lines[run : min(run + BAND, limit)], axis=1)
        if not bar.all():
            return run + int(np.argmin(bar))
        run += len(bar)
    return run


def content_box(grey: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` (exclusive ends) of the picture inside bars, or None without bars."""
    if grey.ndim != 2 or min(grey.shape) < 16:
        return None
    height, width = grey.shape
    # Bars leaving less than the content share are not followed further: the frame is dark all over.
    row_limit = height - int(np.ceil(MIN_CONTENT_SHARE * height)) + 1
    col_limit = width - int(np.ceil(MIN_CONTENT_SHARE * width)) + 1
    top = _edge_run(grey, 1, False, row_limit)
    bottom = height - _edge_run(grey, 1, True, max(row_limit - top, 0))
    if bottom - top < MIN_CONTENT_SHARE * height:
        return None  # dark all over: no bars to speak of
    band = grey[top:bottom]
    left = _edge_run(band, 0, False, col_limit)
    right = width - _edge_run(band, 0, True, max(col_limit - left, 0))
    if right - left < MIN_CONTENT_SHARE * width:
        return None
    min_rows, min_cols = MIN_BAR_SHARE * height, MIN_BAR_SHARE * width
    if top < min_rows and height - bottom < min_rows and left < min_cols and width - right < min_cols:
        return None
    return top, bottom, left, right


def without_bars(grey: np.ndarray) -> np.ndarray | None:
    """The frame inside its bars (a contiguous copy), or None when it has none."""
    box = content_box(grey)
    if box is None:
        return None
    top, bottom, left, right = box
    return np.ascontiguousarray(grey[top:bottom, left:right])
