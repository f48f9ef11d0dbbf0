"""A known still photo cut into a video is found by its PDQ, at its timestamp, through the Hamming index."""

from __future__ import annotations

import numpy as np
from PIL import Image

from forensics.analysis.perceptual import pdq_with_dihedral
from forensics.analysis.video import analyze_video
from forensics.analysis.video_options import TRIAGE_VIDEO
from forensics.hashsets.hamming import choose_index
from forensics.hashsets.video_index import frame_hits
from tests.analysis.video_builders import STILL, still_in_video
from tests.fixtures import assert_unchanged

BEFORE_S, STILL_S = 3, 3


def test_still_photo_inside_a_video_is_found_at_its_time(tmp_path):
    with assert_unchanged([STILL]):
        video = still_in_video(tmp_path, STILL, before_s=BEFORE_S, still_s=STILL_S)
        with Image.open(STILL) as picture:
            listed, quality, _ = pdq_with_dihedral(picture.convert("RGB"))
    assert quality >= 50
    result = analyze_video(video.read_bytes(), TRIAGE_VIDEO)
    assert result.complete and len(result.frames) == 8

    rng = np.random.default_rng(24)
    codes = rng.integers(0, 256, size=(20_000, 32), dtype=np.uint8)  # a list of 20,000 pictures
    codes[12_345] = np.frombuffer(bytes.fromhex(listed), dtype=np.uint8)
    index = choose_index(256, len(codes), 31)
    index.add(codes)
    hits = frame_hits(index, result.frames, threshold=31, min_quality=50)

    assert {hit.label for hit in hits} == {12_345}
    assert sorted(hit.timestamp_s for hit in hits) == [3.0, 4.0, 5.0]  # the seconds the photo is shown
    assert all(hit.distance <= 31 for hit in hits)
