"""Benchmark and calibration: are known pictures found after the edits people make, at what false-match rate?

Photos: ``bench/photo_corpus.py`` (real photos only, near-duplicates removed; the output says how many and
from where). The first ``--originals`` photos are edited with every transform below and hashed the way an
ingest does (``analyze``, triage options: reduced decode, perceptual task); every photo is also listed, the
way an external hash list holds it (its own PDQ, pHash, dHash) and the way a list built by Custos holds it
(own hashes plus central crops and turned copies: ``forensics.hashsets.picture_list``).

Three ways of matching are compared, each at the thresholds given (defaults: PDQ 31, the engine's default
before the calibration, and pHash 8, dHash 10, the values measured in docs/matching.md; the engine itself
now uses PDQ 27 and compares pHash/dHash only at a threshold the examiner names):

* ``today``: the whole picture's PDQ with its 8 dihedral variants, pHash and dHash as stored, no gate, against
  the external list (what Custos did before issue 25);
* ``regions``: the whole picture and each content region, each with 8 dihedral variants for all three
  hashes, pHash/dHash only where PDQ quality >= 50 (the gate), against the external list;
* ``custos-list``: the same queries against the list built by Custos.

Recall = share of edited copies whose own original is within the threshold. False matches: every pair of
an analysed picture (each photo unedited, and each photo after the region-making edits) and a listed photo
that is NOT its original, counted at every threshold (the sweep) from the minimum distance over all query
codes and all list codes of the pair; the calibration picks, per algorithm, the largest threshold whose
measured rate stays at or below ``--target-rate`` (default 1e-6 per pair). Cost: CPU time per picture of the
perceptual work with and without regions, on the unedited photos and on the edited copies.

    .venv/bin/python bench/bench_edits.py [--size standard] [--originals N] [--json PATH] [--raw-json]

``--size``: smoke (40 photos, 8 edited), standard (every photo, 150 edited), full (every photo, 400 edited).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from photo_corpus import load_manifest, load_photo, summary  # noqa: E402

from bench import results  # noqa: E402
from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze  # noqa: E402
from forensics.analysis.decode import decode_image  # noqa: E402
from forensics.analysis.perceptual import (  # noqa: E402
    hash_grey,
    luma_of,
    pdq_with_dihedral,
    perceptual_hashes,
)
from forensics.analysis.region_hashes import region_hashes  # noqa: E402
from forensics.hashsets.picture_list import picture_hashes  # noqa: E402

ALGORITHMS = ("pdq", "phash", "dhash")
BITS = {"pdq": 256, "phash": 64, "dhash": 64}
DEFAULT_THRESHOLDS = {"pdq": 31, "phash": 8, "dhash": 10}  # the measurement points of docs/matching.md
QUALITY_GATE = 50
MODES = ("today", "regions", "custos-list")
SOURCES = ("whole", "trim", "photo", "tile")
ORIGINAL_SOURCES = re.compile(
    r"^corpus:|backgrounds|wallpapers|palapeli|hugin|libjxl|imagemagick|puzzle-jigsaw|tetzle|pypi:"
)
TELESCOPE = "debian:stellarium-data"  # dark sky photos of one kind: reported apart in the calibration
REGION_EDITS = ("letterbox_16x9", "padding", "screenshot", "collage_2x2")


# ---------------------------------------------------------------------------------------------- edits
def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # older Pillow
        return ImageFont.load_default()


def _central(image: Image.Image, keep: float) -> Image.Image:
    w, h = image.size
    kw, kh = round(w * keep), round(h * keep)
    return image.crop(((w - kw) // 2, (h - kh) // 2, (w - kw) // 2 + kw, (h - kh) // 2 + kh))


def _letterbox(image: Image.Image) -> Image.Image:
    w, h = image.size
    if w / h < 16 / 9:
        canvas = Image.new("RGB", (round(h * 16 / 9), h), (0, 0, 0))
        canvas.paste(image, ((canvas.width - w) // 2, 0))
    else:
        canvas = Image.new("RGB", (w, round(w * 9 / 16)), (0, 0, 0))
        canvas.paste(image, (0, (canvas.height - h) // 2))
    return canvas


def _padding(image: Image.Image) -> Image.Image:
    side = round(max(image.size) * 1.1)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas


def screenshot(image: Image.Image, seed: int) -> Image.Image:
    """The picture in a phone chat screen: status bar, app bar, message bubbles, the picture in a bubble."""
    rng = np.random.default_rng(seed)
    dark = bool(seed % 2)
    width, height = 720, 1560
    background = (18, 18, 18) if dark else tuple(int(v) for v in rng.integers(225, 245, 3))
    canvas = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(canvas)
    bar = (0, 0, 0) if dark else tuple(int(v) for v in rng.integers(20, 90, 3))
    draw.rectangle((0, 0, width, 50), fill=bar)
    draw.text((16, 14), "12:41   4G  87%", fill=(255, 255, 255), font=_font(22))
    draw.rectangle((0, 50, width, 140), fill=bar)
    draw.text((90, 80), "Contact name", fill=(255, 255, 255), font=_font(30))
    bubble_in = (40, 40, 40) if dark else (255, 255, 255)
    bubble_out = (0, 92, 75) if dark else (220, 248, 198)
    y = 170
    for text in ("hey", "look at this one"):
        draw.rounded_rectangle((20, y, 20 + 30 + 18 * len(text), y + 60), radius=16, fill=bubble_in)
        draw.text((38, y + 16), text, fill=(230, 230, 230) if dark else (20, 20, 20), font=_font(26))
        y += 80
    picture_w = int(rng.integers(480, 620))
    picture_h = round(image.height * picture_w / image.width)
    if picture_h > 900:
        picture_h = 900
        picture_w = round(image.width * picture_h / image.height)
    x = width - picture_w - 30
    margin = 8
    draw.rounded_rectangle(
        (x - margin, y - margin, x + picture_w + margin, y + picture_h + 56), radius=18, fill=bubble_out
    )
    canvas.paste(image.resize((picture_w, picture_h), Image.Resampling.LANCZOS), (x, y))
    draw.text((x + 6, y + picture_h + 14), "10:02  read", fill=(120, 120, 120), font=_font(22))
    draw.rectangle((0, height - 110, width, height - 40), fill=bubble_in)
    draw.text((30, height - 90), "Message", fill=(140, 140, 140), font=_font(28))
    draw.rectangle((0, height - 40, width, height), fill=(0, 0, 0))
    return canvas


def _overlay_text(image: Image.Image) -> Image.Image:
    """Bold caption text with an outline over about 10 % of the picture (meme style)."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = max(12, round(image.height * 0.09))
    text = "NO WAY"
    font = _font(size)
    box = draw.textbbox((0, 0), text, font=font, stroke_width=max(1, size // 12))
    tw = box[2] - box[0]
    scale_to = 0.8 * image.width
    if tw > scale_to:
        font = _font(max(10, round(size * scale_to / tw)))
    draw.text(
        (image.width * 0.1, image.height * 0.06), text, font=font, fill="white",
        stroke_width=max(1, size // 12), stroke_fill="black",
    )  # fmt: skip
    return out


def _overlay_emoji(image: Image.Image) -> Image.Image:
    """A yellow smiley sticker covering about 10 % of the picture."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    radius = math.sqrt(0.10 * image.width * image.height / math.pi)
    cx, cy = image.width * 0.72, image.height * 0.68
    draw.ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), fill=(255, 204, 0), outline=(90, 60, 0)
    )
    eye = radius * 0.12
    for dx in (-0.35, 0.35):
        ex, ey = cx + dx * radius, cy - 0.25 * radius
        draw.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=(60, 40, 0))
    draw.arc((cx - 0.55 * radius, cy - 0.5 * radius, cx + 0.55 * radius, cy + 0.55 * radius), 20, 160,
             fill=(60, 40, 0), width=max(2, int(radius * 0.08)))  # fmt: skip
    return out


def _rotate_crop(image: Image.Image, degrees: float) -> Image.Image:
    turned = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=False)
    keep = 1 - 2 * math.sin(math.radians(abs(degrees)))  # the corners the rotation emptied are cut off
    return _central(turned, keep)


def _collage(image: Image.Image, others: list[Image.Image], seed: int) -> Image.Image:
    side_w, side_h = 480, 360
    canvas = Image.new("RGB", (2 * side_w + 30, 2 * side_h + 30), (255, 255, 255))
    tiles = [image, *others[:3]]
    order = np.random.default_rng(seed).permutation(4)
    for slot, index in enumerate(order):
        tile = tiles[index].copy()
        tile.thumbnail((side_w, side_h), Image.Resampling.LANCZOS)  # fitted, aspect kept
        left = 10 + (slot % 2) * (side_w + 10) + (side_w - tile.width) // 2
        top = 10 + (slot // 2) * (side_h + 10) + (side_h - tile.height) // 2
        canvas.paste(tile, (left, top))
    return canvas


def edits(
    image: Image.Image, others: list[Image.Image], seed: int, only: tuple[str, ...] | None = None
) -> dict[str, bytes]:
    """Every transform of one photo (or those named), as the JPEG bytes a device would hold."""
    t = Image.Transpose
    w, h = image.size
    square = min(w, h)
    chat = image.copy()
    chat.thumbnail((1600, 1600))
    chat = chat.resize((round(chat.width * 0.8), round(chat.height * 0.8)), Image.Resampling.LANCZOS)
    makers = {
        "resave_q90": lambda: _jpeg(image, 90),
        "jpeg_q30": lambda: _jpeg(image, 30),
        "resize_half": lambda: _jpeg(image.resize((w // 2, h // 2), Image.Resampling.LANCZOS)),
        "chat_recompress": lambda: _jpeg(chat, 70),
        "grey": lambda: _jpeg(image.convert("L")),
        "blur": lambda: _jpeg(image.filter(ImageFilter.GaussianBlur(2))),
        "contrast": lambda: _jpeg(ImageEnhance.Contrast(image).enhance(1.4)),
        "rot90": lambda: _jpeg(image.transpose(t.ROTATE_90)),
        "rot180": lambda: _jpeg(image.transpose(t.ROTATE_180)),
        "rot270": lambda: _jpeg(image.transpose(t.ROTATE_270)),
        "flip_h": lambda: _jpeg(image.transpose(t.FLIP_LEFT_RIGHT)),
        "flip_v": lambda: _jpeg(image.transpose(t.FLIP_TOP_BOTTOM)),
        "rot5_crop": lambda: _jpeg(_rotate_crop(image, 5)),
        "crop5": lambda: _jpeg(_central(image, 0.90)),
        "crop10": lambda: _jpeg(_central(image, 0.80)),
        "crop10_offcentre": lambda: _jpeg(image.crop((round(w * 0.15), round(h * 0.05), round(w * 0.95),
                                                      round(h * 0.85)))),
        "crop20": lambda: _jpeg(_central(image, 0.60)),
        "crop_to_square": lambda: _jpeg(image.crop(((w - square) // 2, (h - square) // 2, (w + square) // 2,
                                            (h + square) // 2))),
        "letterbox_16x9": lambda: _jpeg(_letterbox(image)),
        "padding": lambda: _jpeg(_padding(image)),
        "screenshot": lambda: _jpeg(screenshot(image, seed), 85),
        "overlay_text": lambda: _jpeg(_overlay_text(image)),
        "overlay_emoji": lambda: _jpeg(_overlay_emoji(image)),
        "mirror_text": lambda: _jpeg(_overlay_text(image.transpose(t.FLIP_LEFT_RIGHT))),
        "collage_2x2": lambda: _jpeg(_collage(image, others, seed)),
    }  # fmt: skip
    return {name: make() for name, make in makers.items() if only is None or name in only}


# ------------------------------------------------------------------------------------- hashing
def _words(hex_codes: list[str]) -> np.ndarray:
    """Hex codes as rows of uint64 words (4 for PDQ, 1 for 64-bit hashes)."""
    raw = b"".join(bytes.fromhex(c) for c in hex_codes)
    width = len(hex_codes[0]) // 16 if hex_codes else 1
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hex_codes), width)


def _split(blob: bytes, size: int) -> list[str]:
    return [blob[i : i + size].hex() for i in range(0, len(blob), size)]


def query_codes(data: bytes, options: AnalysisOptions) -> dict[str, list[tuple[str, str]]]:
    """Per algorithm: (hex code, source) for every query code of one analysed picture.

    Sources: ``base`` (what Custos queried before: PDQ's 8 variants, the 64-bit hashes as stored),
    ``whole``, ``trim``, ``photo``, ``tile``; ``!`` marks sources whose PDQ quality fails the gate.
    """
    result = analyze("edited.jpg", len(data), data[:HEAD_SIZE], data, options)
    hashes = result.perceptual
    codes: dict[str, list[tuple[str, str]]] = {a: [] for a in ALGORITHMS}
    if hashes is None or hashes.pdq is None:
        return codes
    gate = "" if (hashes.pdq_quality or 0) >= QUALITY_GATE else "!"
    if not gate:  # PDQ under the minimum quality is never compared, today as now
        codes["pdq"] += [(c, "base") for c in _split(hashes.pdq_dihedral, 32)]
    codes["phash"].append((hashes.phash, "base"))
    codes["dhash"].append((hashes.dhash, "base"))
    codes["pdq"] += [(c, "whole" + gate) for c in _split(hashes.pdq_dihedral, 32)]
    codes["phash"] += [(c, "whole" + gate) for c in _split(hashes.phash_dihedral, 8)]
    codes["dhash"] += [(c, "whole" + gate) for c in _split(hashes.dhash_dihedral, 8)]
    for region in hashes.regions:
        region_gate = "" if region.pdq_quality >= QUALITY_GATE else "!"
        codes["pdq"] += [(c, region.kind + region_gate) for c in _split(region.pdq_dihedral, 32)]
        codes["phash"] += [(c, region.kind + region_gate) for c in _split(region.phash_dihedral, 8)]
        codes["dhash"] += [(c, region.kind + region_gate) for c in _split(region.dhash_dihedral, 8)]
    return codes


def list_codes(image: Image.Image) -> dict[str, list[tuple[str, bool]]]:
    """Per algorithm: (hex code, is an extra code of a list built by Custos) of one listed photo."""
    record = picture_hashes(image)
    codes: dict[str, list[tuple[str, bool]]] = {a: [(record[a], False)] for a in ALGORITHMS}
    if record["pdq_quality"] < QUALITY_GATE:  # a listed PDQ under the minimum quality is not loaded
        codes["pdq"] = [("0" * 64, True)]  # a placeholder row no query reaches (kept: one row per photo)
    for variant in record["variants"]:
        if variant["algorithm"] == "pdq" and (variant.get("quality") or 0) < QUALITY_GATE:
            continue  # matching leaves out list PDQ codes whose stated quality is under the minimum
        codes[variant["algorithm"]].append((variant["hash"], True))
    return codes


# ------------------------------------------------------------------------------------- distances
class Distances:
    """Minimum distances between analysed pictures and listed photos, per algorithm and way of matching."""

    def __init__(self, listed: list[dict[str, list[tuple[str, bool]]]]) -> None:
        self.count = len(listed)
        self.codes: dict[str, np.ndarray] = {}
        self.extra: dict[str, np.ndarray] = {}
        self.starts: dict[str, np.ndarray] = {}
        for algorithm in ALGORITHMS:
            rows = [(code, i, extra) for i, item in enumerate(listed) for code, extra in item[algorithm]]
            self.codes[algorithm] = _words([r[0] for r in rows])
            owner = np.array([r[1] for r in rows])
            self.extra[algorithm] = np.array([r[2] for r in rows])
            self.starts[algorithm] = np.searchsorted(owner, np.arange(self.count))  # rows are by owner

    def matrix(self, algorithm: str, queries: np.ndarray) -> np.ndarray:
        """Distances of every query code (rows) to every list code (columns)."""
        codes = self.codes[algorithm]
        distance = np.zeros((len(queries), len(codes)), dtype=np.int16)
        for word in range(codes.shape[1]):
            distance += np.bitwise_count(queries[:, word][:, None] ^ codes[:, word][None, :]).astype(np.int16)
        return distance

    def per_photo(
        self, algorithm: str, matrix: np.ndarray, rows: np.ndarray, custos_list: bool
    ) -> np.ndarray:
        """Per listed photo, the smallest distance over the chosen query rows (none chosen: BITS + 1)."""
        if not rows.any():
            return np.full(self.count, BITS[algorithm] + 1, dtype=np.int16)
        best = matrix[rows].min(axis=0)
        if not custos_list:
            best = np.where(self.extra[algorithm], BITS[algorithm] + 1, best).astype(np.int16)
        return np.minimum.reduceat(best, self.starts[algorithm])


def query_table(codes: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code words, source name per row, failed-the-gate per row) of one picture's query codes."""
    if not codes:
        return np.zeros((0, 1), np.uint64), np.array([], dtype=object), np.array([], dtype=bool)
    names = np.array([src.rstrip("!") for _, src in codes], dtype=object)
    failed = np.array([src.endswith("!") for _, src in codes], dtype=bool)
    return _words([code for code, _ in codes]), names, failed


def mode_rows(names: np.ndarray, failed: np.ndarray, mode: str, source: str | None = None, gate: bool = True):
    """The query rows one way of matching uses (``source``: only that source's rows)."""
    if mode == "today":
        return names == "base"
    rows = names != "base"
    if gate:
        rows &= ~failed
    if source is not None:
        rows &= names == source
    return rows


# ------------------------------------------------------------------------------------- cost
def perceptual_cost(data: bytes, options: AnalysisOptions) -> tuple[float, float, float]:
    """CPU seconds of (decode, today's perceptual work, the new perceptual work with regions) for one file.

    Today's: imagehash pHash and dHash of the hash grey copy, PDQ with its 8 variants (the code before
    issue 25). New: the same PDQ, pHash/dHash with their 8 variants, content regions found and hashed.
    """
    start = time.process_time()
    decoded, _, _ = decode_image(data, options)
    decode_s = time.process_time() - start
    if decoded is None:
        return decode_s, 0.0, 0.0
    image = decoded.image
    start = time.process_time()
    grey = hash_grey(image, options)
    imagehash.phash(grey), imagehash.dhash(grey), pdq_with_dihedral(image)
    today_s = time.process_time() - start
    start = time.process_time()
    luma = luma_of(image)  # as the ingest does: one greyscale copy for the hashes and region detection
    grey = hash_grey(image, options, luma)
    perceptual_hashes(image, options, grey)
    region_hashes(image, grey, (decoded.info.width or 0, decoded.info.height or 0), luma)
    new_s = time.process_time() - start
    return decode_s, today_s, new_s


# ------------------------------------------------------------------------------------- run
def _timed_cpu(function: Any, *args: Any) -> tuple[Any, float]:
    start = time.process_time()
    value = function(*args)
    return value, time.process_time() - start


def run(args: argparse.Namespace) -> dict[str, Any]:
    # Originals (edited with every transform) are camera and scenery photos (ORIGINAL_SOURCES), first found
    # first; object photos on white, telescope images, paintings, stamps and drawings stay distractors.
    photos_meta = sorted(load_manifest(), key=lambda meta: not ORIGINAL_SOURCES.search(meta.source))
    if args.smoke:
        photos_meta = photos_meta[: max(args.originals, 40)]
    if args.limit:
        photos_meta = photos_meta[: args.limit]
    loaded = [(meta, load_photo(Path(meta.path))) for meta in photos_meta]
    photos_meta = [meta for meta, picture in loaded if picture is not None]
    images = [picture for _, picture in loaded if picture is not None]
    originals = min(args.originals, len(images))
    options = AnalysisOptions(tasks=frozenset({"perceptual"}), reduced_decode=True)
    listed = [list_codes(image) for image in images]
    table = Distances(listed)

    # analysed pictures: (photo index or -1, edit name, codes)
    analysed: list[tuple[int, str, dict[str, list[tuple[str, str]]]]] = []
    cost: dict[str, list[float]] = defaultdict(list)
    for index, image in enumerate(images):
        data = _jpeg(image, 90)
        analysed.append((index, "unedited", query_codes(data, options)))
        if index < args.cost_photos:
            for key, seconds in zip(("decode", "today", "new"), perceptual_cost(data, options), strict=True):
                cost[f"unedited_{key}"].append(seconds)
        others = [images[(index + k) % len(images)] for k in (1, 2, 3)]
        if index < originals:
            for name, edited in edits(image, others, index).items():
                analysed.append((index, name, query_codes(edited, options)))
                if index < args.cost_photos:
                    spent = perceptual_cost(edited, options)
                    for key, seconds in zip(("decode", "today", "new"), spent, strict=True):
                        cost[f"edited_{key}"].append(seconds)
        elif not args.smoke:  # distractor regions for the calibration: the region-making edits of every photo
            for name, edited in edits(image, others, index, REGION_EDITS).items():
                analysed.append((index, name, query_codes(edited, options)))

    thresholds = {a: getattr(args, f"{a}_threshold") for a in ALGORITHMS}
    recall: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    own_distance: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    histograms = {(a, m): np.zeros(BITS[a] + 2, np.int64) for a in ALGORITHMS for m in MODES}
    # The same without telescope images on either side of a pair.
    terrestrial = {a: np.zeros(BITS[a] + 2, np.int64) for a in ALGORITHMS}
    is_telescope = np.array([meta.source == TELESCOPE for meta in photos_meta])
    terrestrial_pairs = 0
    source_histograms = {(a, s): np.zeros(BITS[a] + 2, np.int64) for a in ALGORITHMS for s in SOURCES}
    ungated = {a: np.zeros(BITS[a] + 2, np.int64) for a in ("phash", "dhash")}
    pairs = 0
    distractor_distance: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    near_pairs: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for photo, edit, codes in analysed:
        others = np.arange(len(images)) != photo
        if edit == "collage_2x2":  # the other three tiles are listed photos too: not unrelated pairs
            for k in (1, 2, 3):
                others[(photo + k) % len(images)] = False
        pairs += int(others.sum())
        ground = others & ~is_telescope & ~is_telescope[photo]
        terrestrial_pairs += int(ground.sum())
        for algorithm in ALGORITHMS:
            words, names, failed = query_table(codes[algorithm])
            if not len(words):
                continue
            matrix = table.matrix(algorithm, words)
            size = BITS[algorithm] + 2
            for mode in MODES:
                mins = table.per_photo(
                    algorithm, matrix, mode_rows(names, failed, mode), mode == "custos-list"
                )
                histograms[(algorithm, mode)] += np.bincount(mins[others], minlength=size)[:size]
                if mode == "custos-list":
                    terrestrial[algorithm] += np.bincount(mins[ground], minlength=size)[:size]
                    masked = np.where(others, mins, BITS[algorithm] + 1)
                    nearest = int(np.argmin(masked))
                    pair = (int(masked[nearest]), photos_meta[photo].path, edit, photos_meta[nearest].path)
                    near_pairs[algorithm].append(pair)
                if photo < originals:  # recall: the originals only (distractors' region edits feed the rates)
                    own_distance[algorithm][mode][edit].append(int(mins[photo]))
                elif edit != "unedited" and mode == "custos-list":
                    distractor_distance[algorithm][edit].append(int(mins[photo]))
            for source in SOURCES:
                mins = table.per_photo(algorithm, matrix, mode_rows(names, failed, "regions", source), True)
                source_histograms[(algorithm, source)] += np.bincount(mins[others], minlength=size)[:size]
            if algorithm in ungated:
                mins = table.per_photo(
                    algorithm, matrix, mode_rows(names, failed, "regions", gate=False), True
                )
                ungated[algorithm] += np.bincount(mins[others], minlength=size)[:size]
    for algorithm in ALGORITHMS:
        for mode in MODES:
            for edit, distances in own_distance[algorithm][mode].items():
                recall[algorithm][mode][edit] = round(
                    sum(d <= thresholds[algorithm] for d in distances) / len(distances), 3
                )

    def rate(histogram: np.ndarray, threshold: int) -> int:
        return int(histogram[: threshold + 1].sum())

    sweep: dict[str, list[dict[str, Any]]] = {}
    calibrated: dict[str, int] = {}
    for algorithm in ALGORITHMS:
        rows = []
        top = BITS[algorithm] // 2
        for threshold in range(0, top + 1, 2 if algorithm == "pdq" else 1):
            row: dict[str, Any] = {"threshold": threshold}
            for mode in MODES:
                row[f"false_{mode}"] = rate(histograms[(algorithm, mode)], threshold)
                distances = own_distance[algorithm][mode]
                found = [
                    sum(d <= threshold for d in v) / len(v) for k, v in distances.items() if k != "unedited"
                ]
                row[f"mean_recall_{mode}"] = round(sum(found) / len(found), 3) if found else None
            rows.append(row)
        sweep[algorithm] = rows
        allowed = args.target_rate * pairs
        fine = [
            t
            for t in range(BITS[algorithm] // 2 + 1)
            if rate(histograms[(algorithm, "custos-list")], t) <= allowed
        ]
        calibrated[algorithm] = max(fine) if fine else 0
    closest = {a: sorted(near_pairs[a])[:12] for a in ALGORITHMS}
    terrestrial_allowed = args.target_rate * terrestrial_pairs
    terrestrial_report = {
        "photos": int((~is_telescope).sum()),
        "pairs": terrestrial_pairs,
        "false_at_thresholds": {a: rate(terrestrial[a], thresholds[a]) for a in ALGORITHMS},
        "calibrated": {
            a: max(
                (t for t in range(BITS[a] // 2 + 1) if rate(terrestrial[a], t) <= terrestrial_allowed),
                default=0,
            )
            for a in ALGORITHMS
        },
        "false_by_threshold": {
            a: [rate(terrestrial[a], t) for t in range(BITS[a] // 2 + 1)] for a in ALGORITHMS
        },
    }
    minimum_unrelated = {
        f"{a}/{m}": int(np.flatnonzero(histograms[(a, m)])[0]) if histograms[(a, m)].any() else None
        for a in ALGORITHMS
        for m in MODES
    }
    allowed = args.target_rate * pairs
    per_source = {
        f"{a}/{s}": {
            "min_distance": int(np.flatnonzero(h)[0]) if h.any() else None,
            "false_at_default": rate(h, DEFAULT_THRESHOLDS[a]),
            "false_at_calibrated": rate(h, calibrated[a]),
            "calibrated": max((t for t in range(BITS[a] // 2 + 1) if rate(h, t) <= allowed), default=0),
        }
        for (a, s), h in source_histograms.items()
    }
    # The measured false matches at every threshold, for the rate table in forensics/hashsets/calibration.py.
    false_by_threshold = {
        a: [rate(histograms[(a, "custos-list")], t) for t in range(BITS[a] // 2 + 1)] for a in ALGORITHMS
    }
    gate_effect = {
        a: {
            "false_without_gate": rate(ungated[a], thresholds[a]),
            "false_with_gate": rate(histograms[(a, "custos-list")], thresholds[a]),
            "min_distance_without_gate": int(np.flatnonzero(ungated[a])[0]) if ungated[a].any() else None,
        }
        for a in ungated
    }
    distributions = {
        f"{a}/{m}/{edit}": {
            "median": float(np.median(v)),
            "p90": float(np.percentile(v, 90)),
            "max": int(max(v)),
        }
        for a in ALGORITHMS
        for m in MODES
        for edit, v in own_distance[a][m].items()
    }
    cpu = {key: round(1000 * sum(v) / len(v), 2) for key, v in cost.items() if v}
    return {
        "photos": len(images),
        "originals_edited": originals,
        "sources": summary(photos_meta),
        "unrelated_pairs": pairs,
        "thresholds": thresholds,
        "target_rate": args.target_rate,
        "recall": {a: {m: dict(recall[a][m]) for m in MODES} for a in ALGORITHMS},
        "false_matches_at_thresholds": {
            f"{a}/{m}": rate(histograms[(a, m)], thresholds[a]) for a in ALGORITHMS for m in MODES
        },
        "false_match_rate_at_thresholds": {
            f"{a}/{m}": rate(histograms[(a, m)], thresholds[a]) / pairs for a in ALGORITHMS for m in MODES
        },
        "minimum_unrelated_distance": minimum_unrelated,
        "calibrated_thresholds": calibrated,
        "false_matches_at_calibrated": {
            a: rate(histograms[(a, "custos-list")], calibrated[a]) for a in ALGORITHMS
        },
        "per_source": per_source,
        "quality_gate": gate_effect,
        "distributions": distributions,
        "sweep": sweep,
        "cpu_ms_per_picture": cpu,
        "cost_ratio": {
            group: {
                "perceptual": round(cpu[f"{group}_new"] / cpu[f"{group}_today"], 2),
                "decode_and_perceptual": round(
                    (cpu[f"{group}_decode"] + cpu[f"{group}_new"])
                    / (cpu[f"{group}_decode"] + cpu[f"{group}_today"]),
                    2,
                ),
            }
            for group in ("unedited", "edited")
            if cpu.get(f"{group}_today")
        },
        "closest_unrelated": closest,
        # The region-making edits of every other photo (telescope images, paintings, objects on white too):
        # share found by their own original, custos-list matching.
        "recall_region_edits_all_photos": {
            a: {
                e: round(sum(d <= thresholds[a] for d in v) / len(v), 3)
                for e, v in distractor_distance[a].items()
            }
            for a in ALGORITHMS
        },
        "without_telescope_images": terrestrial_report,
        "false_by_threshold": false_by_threshold,
        "machine": {"python": platform.python_version(), "note": "2 shared cores, loaded by other jobs"},
    }


def _print(report: dict[str, Any]) -> None:
    print(f"{report['photos']} distinct real photos, {report['originals_edited']} edited; sources:")
    for source, entry in sorted(report["sources"].items()):
        print(f"  {entry['photos']:5d} {source} ({entry['licence']})")
    print(f"unrelated pairs: {report['unrelated_pairs']:,}; thresholds {report['thresholds']}")
    edits_seen = sorted(report["recall"]["pdq"]["today"])
    header = "edit".ljust(16) + "".join(f"{a[:5]}:{m[:6]}".rjust(13) for a in ALGORITHMS for m in MODES)
    print(header)
    for edit in edits_seen:
        cells = "".join(
            f"{report['recall'][a][m].get(edit, float('nan')):13.2f}" for a in ALGORITHMS for m in MODES
        )
        print(edit.ljust(16) + cells)
    print("false matches at thresholds:", report["false_matches_at_thresholds"])
    print("minimum unrelated distance:", report["minimum_unrelated_distance"])
    print("calibrated thresholds (custos-list, rate <= target):", report["calibrated_thresholds"],
          report["false_matches_at_calibrated"])  # fmt: skip
    print("per source:", report["per_source"])
    print("quality gate:", report["quality_gate"])
    print("CPU ms per picture:", report["cpu_ms_per_picture"], "ratios", report["cost_ratio"])
    print("closest unrelated pairs:", report["closest_unrelated"])


SIZES = {  # per size: photos used at most (0: all), originals edited with every transform
    "smoke": {"limit": 40, "originals": 8},
    "standard": {"limit": 0, "originals": 150},
    "full": {"limit": 0, "originals": 400},
}


def page_result(bench_run: results.Run, report: dict[str, Any]) -> dict:
    """Recall per edit (PDQ, pHash, dHash; each way of matching) in the page's shape; the rest as notes."""
    columns = ["edit"] + [f"{a} {m}" for a in ALGORITHMS for m in MODES]
    rows = [
        [edit] + [report["recall"][a][m].get(edit) for a in ALGORITHMS for m in MODES]
        for edit in sorted(report["recall"]["pdq"]["today"])
    ]
    notes = [
        f"False matches at the thresholds {report['thresholds']} in {report['unrelated_pairs']:,} unrelated "
        f"pairs: {report['false_matches_at_thresholds']}.",
        f"Calibrated thresholds (custos-list, at most {report['target_rate']:g} false matches per pair): "
        f"{report['calibrated_thresholds']}, false matches there {report['false_matches_at_calibrated']}.",
        f"Minimum unrelated distance: {report['minimum_unrelated_distance']}.",
        f"CPU ms per picture: {report['cpu_ms_per_picture']}; ratios with regions to today: "
        f"{report['cost_ratio']}.",
        "Sources: "
        + "; ".join(f"{source} {entry['photos']} ({entry['licence']})" for source, entry in
                    sorted(report["sources"].items()))
        + ".",
    ]  # fmt: skip
    return bench_run.result(
        parameters={
            "photos": report["photos"],
            "originals_edited": report["originals_edited"],
            "unrelated_pairs": report["unrelated_pairs"],
            "thresholds": [f"{a} {t}" for a, t in report["thresholds"].items()],
            "target_rate": report["target_rate"],
        },
        baseline="recall of `today` (whole pictures as stored, the external list) on the same edited copies",
        columns=columns,
        rows=rows,
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="standard")
    parser.add_argument("--originals", type=int, help="photos edited with every transform (default: by size)")
    parser.add_argument("--limit", type=int, help="use at most this many photos (0: all; default: by size)")
    parser.add_argument("--cost-photos", type=int, default=40, help="photos whose CPU cost is measured")
    parser.add_argument("--raw-json", action="store_true", help="print every measurement as one JSON object")
    parser.add_argument("--target-rate", type=float, default=1e-6, help="false matches per pair allowed")
    for algorithm in ALGORITHMS:
        parser.add_argument(f"--{algorithm}-threshold", type=int, default=DEFAULT_THRESHOLDS[algorithm])
    args = parser.parse_args(argv)
    for key, value in SIZES[args.size].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.smoke = args.size == "smoke"
    bench_run = results.Run(
        "edits", "Known pictures after edits: recall per edit and false matches", args.size
    )
    report = run(args)
    if args.json:
        results.write(args.json, page_result(bench_run, report))
    if args.raw_json:
        print(json.dumps(report, sort_keys=True))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
