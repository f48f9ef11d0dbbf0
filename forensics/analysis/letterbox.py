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


def _edge_run(means: np.ndarray, stds: np.ndarray) -> int:
    """How many leading entries are bar-like."""
    bar = (means <= BAR_MAX_MEAN) & (stds <= BAR_MAX_STD)
    return len(bar) if bar.all() else int(np.argmin(bar))


def content_box(grey: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` (exclusive ends) of the picture inside bars, or None without bars."""
    if grey.ndim != 2 or min(grey.shape) < 16:
        return None
    plane = grey.astype(np.float32)
    row_mean, row_std = plane.mean(axis=1), plane.std(axis=1)
    col_mean, col_std = plane.mean(axis=0), plane.std(axis=0)
    height, width = grey.shape
    top = _edge_run(row_mean, row_std)
    bottom = height - _edge_run(row_mean[::-1], row_std[::-1])
    left = _edge_run(col_mean, col_std)
    right = width - _edge_run(col_mean[::-1], col_std[::-1])
    if bottom - top < MIN_CONTENT_SHARE * height or right - left < MIN_CONTENT_SHARE * width:
        return None  # dark all over: no bars to speak of
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
