"""Find what is inside the frame of a picture: borders trimmed, the photo inside a screenshot, grid tiles.

Re-shared copies of a known picture are often edited around it: letterbox or pillarbox bars, padding to a
square, a phone screenshot with status and navigation bars and a chat bubble around the picture, a collage
of several pictures. The whole-picture hashes of such a copy are far from the original's; the hashes of
the right rectangle inside it are close. This module finds those rectangles; :mod:`region_hashes` hashes
them.

Everything runs on one greyscale copy box-reduced to at most :data:`WORK_SIDE` pixels a side, then each
edge is refined on the full-resolution grey plane, so the cost does not grow with the picture. Kinds:

* ``trim``: the picture without uniform or near-uniform borders (letterbox, pillarbox, padding). A border
  line is one whose pixels stay within :data:`LINE_TOLERANCE` of its median (a share
  :data:`LINE_OUTLIERS` may not: JPEG ringing, a watermark) and whose median stays within
  :data:`BORDER_DRIFT` of the outermost line's.
* ``photo``: the largest photo-like rectangle among interface colours (screenshots, chat bubbles, canvas
  with text): pixels that are locally flat and of a frequent flat grey level are "interface"; the largest
  rectangle of cells that are mostly not interface is taken, its edges refined, and it must look like a
  photo (few interface pixels, a spread of grey levels, not two-tone like text).
* ``tile``: tiles of a simple grid collage, split along uniform gutters that cross the whole content.

Bad input gives no region: pictures smaller than :data:`MIN_REGION_SIDE`, all border, thin strips, a
screen with no photo in it. Rectangles are in the analysed picture's pixels (x, y, width, height).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

REGION_KINDS = ("trim", "photo", "tile")
WORK_SIDE = 320  # detection runs on a grey copy at most this many pixels a side
LINE_TOLERANCE = 8  # grey levels around a border line's median
LINE_OUTLIERS = 0.06  # share of a border line's pixels allowed outside it (JPEG ringing, rounded corners)
GUTTER_TOLERANCE = 3  # grey levels around a gutter line's median (lines that cut a block in two)
GUTTER_OUTLIERS = 0.03
BORDER_DRIFT = 4  # grey levels a border may drift from its outermost line (a sky's gradient drifts more)
TRIM_CHUNK = 16  # lines examined at once when trimming
LAYER_JUMP = 12  # a uniform line this many grey levels from the previous one starts a new border layer
EDGE_CONTRAST = 2.0  # see _refine_full
REFINE_MARGIN = 8  # pixels: edges are looked for this far beyond the coarse error (a bubble's margin)
EDGE_MIN_STEP = 6.0
EDGE_SHARE = 0.25
INNER_KEEP = 0.5
INNER_SIDE = 640  # a block is cut again on every n-th line, so that it is at most this many lines a side
GROW_SHARE = 0.15  # a side with no frame outside is looked for this share of the box further out
EDGE_BAND = 3  # lines on each side of an edge that _is_edge reads
MARGIN_STDDEV = 10.0  # grey levels: a margin's lines vary less than this along the edge (JPEG ringing)
MIN_REGION_SIDE = 48  # pixels of the analysed picture
MIN_REGION_AREA = 0.04  # share of the picture's area
MAX_REGION_AREA = 0.95  # a larger rectangle is the whole picture again
MAX_ASPECT = 6.0  # a longer rectangle is a bar or a strip, not a picture
MAX_REGIONS = 10
MAX_TILES = 9  # grids up to 3 x 3
MAX_CUT_DEPTH = 8  # levels of the recursive cut
TRIM_KEEP_SHARE = 0.6  # see find_regions
TILE_MIN_SHARE = 0.5  # tiles of a collage: each at least this share of the largest one
PHOTO_TEST_PIXELS = 65536  # the photo test reads about this many pixels of a region
PHOTO_MIN_ENTROPY = 4.0  # bits over 64 grey levels: a photo has many levels
TWO_TONE_SHARE = 0.6  # share of pixels in the two most common of 32 levels at which a region is text-like
CONTENT_MIN_STDDEV = 6.0  # a region whose grey levels vary less is blank, not content


@dataclass(frozen=True)
class Region:
    """A rectangle inside the picture that may hold a known picture: kind and x, y, width, height."""

    kind: str
    x: int
    y: int
    w: int
    h: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) as Pillow's ``crop`` takes it."""
        return self.x, self.y, self.x + self.w, self.y + self.h


Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


def _line_stats(
    lines: np.ndarray, tolerance: float = LINE_TOLERANCE, outliers: float = LINE_OUTLIERS
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``lines``: whether it is near-uniform, and its median (NaN when not uniform)."""
    flags = np.zeros(lines.shape[0], dtype=bool)
    medians = np.full(lines.shape[0], np.nan, dtype=np.float32)
    if lines.shape[1] == 0:
        return flags, medians
    candidates = np.flatnonzero(lines.std(axis=1) <= tolerance * 2)  # cheap pre-filter
    if candidates.size:
        rows = lines[candidates]
        centre = np.median(rows, axis=1)
        off = np.count_nonzero(np.abs(rows - centre[:, None]) > tolerance, axis=1)
        good = off <= outliers * lines.shape[1]
        flags[candidates[good]] = True
        medians[candidates[good]] = centre[good]
    return flags, medians


def _trim_side(plane: np.ndarray, box: Box, side: str) -> int:
    """The new coordinate of one side of ``box`` after removing uniform border lines.

    Borders may come in layers (a chat bubble on a background): a uniform line whose grey level jumps by
    :data:`LAYER_JUMP` from the previous one starts a new layer; within a layer the level may drift by
    :data:`BORDER_DRIFT` at most, so the gradual gradient of a sky is not taken for a border. Lines are
    examined :data:`TRIM_CHUNK` at a time: most pictures stop at the first.
    """
    left, top, right, bottom = box
    lines = plane[top:bottom, left:right] if side in ("top", "bottom") else plane[top:bottom, left:right].T
    if side in ("bottom", "right"):
        lines = lines[::-1]
    count = lines.shape[0]
    layer = previous = 0.0
    done = 0
    while done < count:
        flags, medians = _line_stats(lines[done : done + TRIM_CHUNK])
        for flat, median in zip(flags, medians, strict=True):
            if not flat:
                break
            if done == 0 or abs(median - previous) >= LAYER_JUMP:
                layer = median
            elif abs(median - layer) > BORDER_DRIFT:
                break
            previous = median
            done += 1
        else:
            continue
        break
    return {"left": left + done, "top": top + done, "right": right - done, "bottom": bottom - done}[side]


def trim_box(plane: np.ndarray, box: Box | None = None) -> Box:
    """``box`` (default: the whole plane) without its uniform border lines on each side."""
    height, width = plane.shape
    left, top, right, bottom = box or (0, 0, width, height)
    top = _trim_side(plane, (left, top, right, bottom), "top")
    bottom = _trim_side(plane, (left, top, right, bottom), "bottom")
    if bottom <= top:
        return left, top, left, top
    left = _trim_side(plane, (left, top, right, bottom), "left")
    right = _trim_side(plane, (left, top, right, bottom), "right")
    return left, top, max(left, right), bottom


def looks_like_photo(plane: np.ndarray) -> bool:
    """A spread of grey levels: not blank, not two-tone (text or an icon on a background)."""
    if plane.size == 0 or float(plane.std()) < CONTENT_MIN_STDDEV:
        return False
    levels = np.clip(plane, 0, 255).astype(np.intp)
    histogram = np.bincount((levels // 4).ravel(), minlength=64).astype(np.float64)
    probabilities = histogram[histogram > 0] / plane.size
    if float(-(probabilities * np.log2(probabilities)).sum()) < PHOTO_MIN_ENTROPY:
        return False
    coarse = np.sort(np.bincount((levels // 8).ravel(), minlength=32))
    return float(coarse[-2:].sum()) / plane.size < TWO_TONE_SHARE


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive True values that touch neither end: (start, stop)."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, value in enumerate(flags):
        if value and start is None:
            start = index
        elif not value and start is not None:
            runs.append((start, index))
            start = None
    return [(a, b) for a, b in runs if a > 0 and b < len(flags)]


def _uniform_lines(block: np.ndarray) -> np.ndarray:
    """For each row of ``block``, whether it is a gutter line: flatter than a border line must be.

    A gutter cuts a picture in two, so it must be :data:`GUTTER_TOLERANCE` flat: a row of sky or of a
    blurred background is seldom that flat across a whole picture, a rendered gutter always is.
    """
    return _line_stats(block, GUTTER_TOLERANCE, GUTTER_OUTLIERS)[0]


def _pieces(cuts: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans between gutter runs."""
    edges = [0, *[edge for run in cuts for edge in run], length]
    return list(zip(edges[::2], edges[1::2], strict=True))


def xy_cut(plane: np.ndarray, min_side: int, min_area: int) -> tuple[Box, list[Box]]:
    """The trimmed content box and the leaf blocks of a recursive cut along uniform gutters (XY-cut).

    Each block is trimmed of its uniform borders, then cut along rows that are uniform across it, else
    along uniform columns; blocks too small to hold a picture (thin text lines, icons) are dropped.
    """
    height, width = plane.shape
    content = trim_box(plane)
    leaves: list[Box] = []
    pending: list[tuple[Box, int]] = [(content, 0)]
    while pending:
        box, depth = pending.pop()
        if depth:
            box = trim_box(plane, box)
        left, top, right, bottom = box
        if right - left < min_side or bottom - top < min_side or (right - left) * (bottom - top) < min_area:
            continue
        block = plane[top:bottom, left:right]
        rows = _runs(_uniform_lines(block)) if depth < MAX_CUT_DEPTH else []
        if rows:
            spans = _pieces(rows, bottom - top)
            pending.extend(((left, top + a, right, top + b), depth + 1) for a, b in spans)
            continue
        columns = _runs(_uniform_lines(block.T)) if depth < MAX_CUT_DEPTH else []
        if columns:
            spans = _pieces(columns, right - left)
            pending.extend(((left + a, top, left + b, bottom), depth + 1) for a, b in spans)
            continue
        leaves.append(box)
    return content, leaves


def _work_plane(grey: Image.Image) -> tuple[np.ndarray, float, float]:
    """The grey picture box-reduced to fit :data:`WORK_SIDE`, and the scale back to picture pixels."""
    width, height = grey.size
    factor = -(-max(width, height) // WORK_SIDE)  # an integer box reduce: far cheaper than a resize
    small = grey.reduce(factor) if factor > 1 else grey
    return np.asarray(small, dtype=np.float32), width / small.width, height / small.height


def _steps(full: np.ndarray, axis: str, start: int, stop: int, span: tuple[int, int]) -> np.ndarray:
    """Mean absolute step between line i - 1 and line i, for i in ``start..stop``, over ``span``."""
    first, last = span
    block = full[first:last, start - 1 : stop].T if axis == "col" else full[start - 1 : stop, first:last]
    if block.shape[0] < 2 or block.shape[1] == 0:
        return np.zeros(max(0, stop - start), dtype=np.float32)
    return np.abs(np.diff(block, axis=0)).mean(axis=1)


def _band(full: np.ndarray, axis: str, band: tuple[int, int], span: tuple[int, int]) -> np.ndarray:
    """The lines ``band[0]..band[1] - 1`` along ``span``, one line per row of the result."""
    first, last = span
    return full[first:last, band[0] : band[1]].T if axis == "col" else full[band[0] : band[1], first:last]


def _is_edge(full: np.ndarray, axis: str, edge: int, outward: int, span: tuple[int, int]) -> bool:
    """Whether ``edge`` separates a flat band outside (a border, margin, gutter) from the picture inside.

    Outside: the :data:`EDGE_BAND` lines beyond the edge are flat along it. Inside: the lines within are
    not flat, or flat at another grey level (a picture whose edge is sky against a border of another shade).
    """
    size = full.shape[1] if axis == "col" else full.shape[0]
    outside = (edge, edge + EDGE_BAND) if outward > 0 else (edge - EDGE_BAND, edge)
    inside = (edge - EDGE_BAND, edge) if outward > 0 else (edge, edge + EDGE_BAND)
    if min(outside[0], inside[0]) < 0 or max(outside[1], inside[1]) > size:
        return False
    beyond, within = _band(full, axis, outside, span), _band(full, axis, inside, span)
    if beyond.size == 0 or within.size == 0 or float(np.median(beyond.std(axis=1))) > MARGIN_STDDEV:
        return False
    if float(np.median(within.std(axis=1))) > MARGIN_STDDEV:
        return True
    return abs(float(np.median(within)) - float(np.median(beyond))) > LAYER_JUMP


def _outside_level(full: np.ndarray, axis: str, edge: int, outward: int, span: tuple[int, int]) -> float:
    """The grey level of the band just outside an edge."""
    outside = (edge, edge + EDGE_BAND) if outward > 0 else (edge - EDGE_BAND, edge)
    return float(np.median(_band(full, axis, outside, span)))


def _edges(
    full: np.ndarray, axis: str, window: tuple[int, int], outward: int, span: tuple[int, int]
) -> list[int]:
    """Clear straight edges (see :func:`_refine_full`) between ``window[0]`` and ``window[1]``."""
    start, stop = window
    if stop <= start or span[1] <= span[0]:
        return []
    steps = _steps(full, axis, start, stop, span)
    if not steps.size:
        return []
    floor = max(EDGE_CONTRAST * float(np.median(steps)), EDGE_MIN_STEP, EDGE_SHARE * float(steps.max()))
    found = [start + int(i) for i in np.flatnonzero(steps >= floor)]
    return [e for e in found if _is_edge(full, axis, e, outward, span)]


def _refine_full(full: np.ndarray, box: Box, reach: int) -> Box:
    """Each edge of a scaled-up box moved onto the innermost clear straight edge with the frame outside it.

    The edge of a pasted picture is a straight step between neighbouring lines (mean absolute difference
    along the edge), clear even where JPEG ringing makes the border lines noisy: at least
    :data:`EDGE_CONTRAST` times the median step nearby, :data:`EDGE_MIN_STEP` grey levels and
    :data:`EDGE_SHARE` of the strongest, with a flat band outside it (:func:`_is_edge`). Edges are looked for
    within ``reach`` lines of the coarse edge, the innermost taken (a bubble's outline lies outside the
    picture's edge, its margin between). The frame's grey level is the median of the levels found outside
    the sides; a side whose edge has another level outside (the coarse cut took a band of sky for a
    border) is looked for further out, up to :data:`GROW_SHARE` of the box, for an edge with the frame
    outside. An edge on the picture's own boundary, or with no clear edge near it, keeps its coarse place.
    """
    height, width = full.shape
    left, top, right, bottom = box
    inner_rows = (min(top + reach, bottom - 1), max(bottom - reach, top + 1))
    inner_cols = (min(left + reach, right - 1), max(right - reach, left + 1))
    sides = (
        (left, "col", width, inner_rows, -1, right - left),
        (top, "row", height, inner_cols, -1, bottom - top),
        (right, "col", width, inner_rows, 1, right - left),
        (bottom, "row", height, inner_cols, 1, bottom - top),
    )
    chosen: list[int | None] = []
    for coarse, axis, size, span, outward, _ in sides:
        if coarse <= 0 or coarse >= size:
            chosen.append(None)
            continue
        edges = _edges(full, axis, (max(1, coarse - reach), min(size - 1, coarse + reach)), outward, span)
        chosen.append((min(edges) if outward > 0 else max(edges)) if edges else None)
    levels = [
        _outside_level(full, side[1], edge, side[4], side[3])
        for side, edge in zip(sides, chosen, strict=True)
        if edge is not None
    ]
    frame = float(np.median(levels)) if levels else None
    refined = []
    for (coarse, axis, size, span, outward, extent), edge in zip(sides, chosen, strict=True):
        if coarse <= 0 or coarse >= size:
            refined.append(coarse)
            continue
        level = _outside_level(full, axis, edge, outward, span) if edge is not None else None
        if frame is not None and (level is None or abs(level - frame) > LAYER_JUMP):
            grow = int(GROW_SHARE * extent)
            window = (
                (coarse, min(size - 1, coarse + grow)) if outward > 0 else (max(1, coarse - grow), coarse)
            )
            framed = [
                e for e in _edges(full, axis, window, outward, span)
                if abs(_outside_level(full, axis, e, outward, span) - frame) <= LAYER_JUMP
            ]  # fmt: skip
            if framed:
                edge = min(framed) if outward > 0 else max(framed)
        refined.append(coarse if edge is None else edge)
    new = (refined[0], refined[1], refined[2], refined[3])
    return new if new[2] > new[0] and new[3] > new[1] else box


def _inner(full: np.ndarray, box: Box, min_side: int) -> Box:
    """``box`` cut again at full resolution: a bubble's margins and a caption the coarse cut kept go.

    The largest block of the cut is taken when it keeps at least :data:`INNER_KEEP` of the box.
    """
    left, top, right, bottom = box
    factor = max(1, -(-max(right - left, bottom - top) // INNER_SIDE))
    crop = full[top:bottom:factor, left:right:factor]  # every factor-th line: the cut needs no more
    if crop.size == 0:
        return box
    _, leaves = xy_cut(crop, max(2, min_side // factor), 0)
    if not leaves:
        return box
    best = max(leaves, key=_area)
    if _area(best) < INNER_KEEP * _area((0, 0, crop.shape[1], crop.shape[0])):
        return box
    return (
        left + best[0] * factor,
        top + best[1] * factor,
        min(right, left + best[2] * factor),
        min(bottom, top + best[3] * factor),
    )


def _accept(box: Box, width: int, height: int) -> bool:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    if w < MIN_REGION_SIDE or h < MIN_REGION_SIDE:
        return False
    if max(w, h) / min(w, h) > MAX_ASPECT:
        return False
    share = (w * h) / (width * height)
    return MIN_REGION_AREA <= share <= MAX_REGION_AREA


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _same(a: Box, b: Box) -> bool:
    """Nearly the same rectangle (intersection over union at least 0.9)."""
    inter_w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    inter_h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = inter_w * inter_h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return union > 0 and inter / union >= 0.9


def find_regions(grey: Image.Image) -> list[Region]:
    """The content regions of a greyscale picture (mode "L"), best first; empty when there are none."""
    width, height = grey.size
    if min(width, height) < MIN_REGION_SIDE:
        return []
    plane, scale_x, scale_y = _work_plane(grey)
    whole = (0, 0, plane.shape[1], plane.shape[0])
    content, leaves = xy_cut(plane, min_side := max(2, int(MIN_REGION_SIDE / max(scale_x, scale_y))), 0)
    if content == whole and leaves == [whole]:
        return []  # nothing trimmed, nothing cut: a plain picture (the usual case)
    full = np.asarray(grey, dtype=np.float32) if plane.shape != (height, width) else plane
    reach = int(np.ceil(max(scale_x, scale_y))) * 2 + REFINE_MARGIN

    def to_picture(box: Box, cut_again: bool = True) -> Box:
        left, top, right, bottom = box
        scaled = (
            round(left * scale_x),
            round(top * scale_y),
            round(right * scale_x),
            round(bottom * scale_y),
        )
        return _refine_full(full, _inner(full, scaled, MIN_REGION_SIDE) if cut_again else scaled, reach)

    def photo_like(box: Box) -> bool:
        if not _accept(box, width, height):
            return False
        step = max(1, int(np.sqrt((box[2] - box[0]) * (box[3] - box[1]) / PHOTO_TEST_PIXELS)))
        return looks_like_photo(full[box[1] : box[3] : step, box[0] : box[2] : step])

    del min_side
    small_leaf = MIN_REGION_AREA * plane.size
    candidates = [leaf for leaf in leaves if small_leaf <= _area(leaf) <= MAX_REGION_AREA * plane.size * 1.02]
    uncut = leaves == [content]  # only trimmed: the work-scale trim and the edge refinement suffice
    photos = [box for box in (to_picture(leaf, not uncut) for leaf in candidates) if photo_like(box)]
    photos.sort(key=_area, reverse=True)
    found: list[tuple[str, Box]] = []
    if content != whole:
        box = photos[0] if uncut and photos else to_picture(content, cut_again=False)
        # The trimmed content is a region of its own when nothing inside it was cut off, or when the largest
        # photo-like block fills most of it (a uniform band inside a picture cut it): not around a screenshot.
        keep = uncut or (photos and _area(photos[0]) >= TRIM_KEEP_SHARE * _area(box))
        if keep and photo_like(box):
            found.append(("trim", box))
    if photos:
        tiles = [b for b in photos if _area(b) >= TILE_MIN_SHARE * _area(photos[0])]
        if 2 <= len(tiles) <= MAX_TILES:
            found.extend(("tile", box) for box in sorted(tiles, key=lambda b: (b[1], b[0])))
        else:
            found.append(("photo", photos[0]))
    regions: list[Region] = []
    for kind, box in found:
        if any(_same(box, other.box) for other in regions):
            continue
        regions.append(Region(kind, box[0], box[1], box[2] - box[0], box[3] - box[1]))
        if len(regions) == MAX_REGIONS:
            break
    return regions
