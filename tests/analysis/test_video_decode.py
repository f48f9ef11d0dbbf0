"""Video decode: container facts, sampling by presentation time, GIF and audio-only, the frame strip."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from forensics.analysis.frame_strip import StripPicker, frame_strip_sheet, strip_times
from forensics.analysis.video import analyze_video
from forensics.analysis.video_decode import FrameSampler, VideoReader, fit_within
from forensics.analysis.video_metadata import creation_time, parse_creation_time, parse_iso6709, place
from forensics.analysis.video_options import FULL_VIDEO, TRIAGE_VIDEO, VideoOptions
from tests.analysis.video_builders import (
    CHAIR,
    PATTERN,
    animated_gif,
    audio_only_mp3,
    phone_like_mp4,
    zero_delay_gif,
)
from tests.fixtures import assert_unchanged

STILL_JPEG = CHAIR.parents[2] / "exif-py" / "jpg" / "Canon_40D.jpg"


def test_sample_clip_facts_and_one_frame_per_second():
    with assert_unchanged([PATTERN]), open(PATTERN, "rb") as stream:  # a read-only stream, never a path
        result = analyze_video(stream, TRIAGE_VIDEO)
    info = result.info
    assert (info.kind, info.container, info.video_codec, info.width, info.height) == (
        "video",
        "mov,mp4,m4a,3gp,3g2,mj2",
        "h264",
        480,
        720,
    )
    assert info.audio_codecs == ("aac",) and info.declared_frames == 206 and info.frame_rate == 30.0
    assert info.duration_s == pytest.approx(6.87, abs=0.05)
    assert result.frames_decoded == 206 and result.complete and result.warnings == ()
    assert [f.timestamp_s for f in result.frames] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert [f.number for f in result.frames] == [0, 30, 60, 90, 120, 150, 180]
    assert (result.hash_width, result.hash_height) == (480, 720)  # native size: the measured decision
    assert result.strip == ()  # triage makes no strip


def test_frame_strip_is_evenly_spaced_small_jpegs():
    result = analyze_video(CHAIR.read_bytes(), FULL_VIDEO)
    strip = result.strip
    assert len(strip) == 20
    wanted = strip_times(result.info.duration_s, 20)
    for frame, target in zip(strip, wanted, strict=True):
        assert target <= frame.timestamp_s < target + 0.05  # the first frame shown at or after the target
        picture = Image.open(io.BytesIO(frame.data))
        assert (
            picture.format == "JPEG"
            and max(picture.size) == FULL_VIDEO.strip_side == 256
            and picture.size == (frame.width, frame.height)
        )
    sheet = Image.open(io.BytesIO(frame_strip_sheet(list(strip))))
    assert sheet.size[0] > 20 * 100
    assert len(result.frames) >= 21  # 1 per second (full adds keyframes, here on those seconds already)


def test_phone_metadata_creation_time_and_location(tmp_path):
    result = analyze_video(phone_like_mp4(tmp_path).read_bytes())
    info = result.info
    assert info.creation_time_utc == "2021-06-01T10:20:30Z"
    assert (info.gps_lat, info.gps_lon, info.gps_alt) == (52.3667, 4.8945, 1.5)
    assert info.audio_codecs == ("aac",) and len(result.frames) == 3


def test_audio_only_is_listed_as_audio_even_with_cover_art(tmp_path):
    for cover in (None, STILL_JPEG):
        result = analyze_video(audio_only_mp3(tmp_path, cover).read_bytes(), FULL_VIDEO)
        assert result.info.kind == "audio" and result.info.audio_codecs == ("mp3",)
        assert result.frames == () and result.strip == () and result.warnings == ()


def test_animated_gif_and_a_gif_with_no_frame_rate(tmp_path):
    gif = animated_gif(tmp_path).read_bytes()
    result = analyze_video(gif)
    assert result.info.container == "gif" and result.frames_decoded == 10
    assert [f.timestamp_s for f in result.frames] == [0.0, 1.0]
    still = analyze_video(zero_delay_gif(gif), FULL_VIDEO)  # every delay 0: no usable frame rate
    assert still.frames_decoded >= 1 and len(still.frames) >= 1 and still.strip
    assert all(f.timestamp_s >= 0.0 for f in still.frames)


def test_sampler_by_presentation_time():
    sampler = FrameSampler(1.0)
    times = [0.0, 0.4, 0.99, 1.01, 1.5, 3.2, 3.3, 4.0]
    assert [t for t in times if sampler.wants(t, False)] == [0.0, 1.01, 3.2, 4.0]
    with_keys = FrameSampler(1.0, keyframes=True)
    assert [t for t in (0.0, 0.5, 0.6) if with_keys.wants(t, t == 0.5)] == [0.0, 0.5]
    every = FrameSampler(0)
    assert all(every.wants(t, False) for t in (0.0, 0.0, 0.01))
    repeated = FrameSampler(1.0)  # frames with no advancing time are taken once
    assert [repeated.wants(0.0, False) for _ in range(3)] == [True, False, False]


def test_strip_picker_takes_each_target_once():
    picker = StripPicker(10.0, 4)  # targets 1.25, 3.75, 6.25, 8.75
    taken = [t for t in [x / 2 for x in range(22)] if picker.wants(t)]
    assert taken == [1.5, 4.0, 6.5, 9.0] and picker.done
    assert strip_times(None, 3) == [0.0, 1.0, 2.0]


def test_fit_within_sizes():
    assert fit_within(480, 720, None, 10**9) == (480, 720)
    assert fit_within(720, 1280, 360, 10**9) == (202, 360)
    assert fit_within(7680, 4320, None, 3840 * 2160) == (3840, 2160)


def test_reduced_scale_option_hashes_smaller_frames():
    options = VideoOptions(max_side=360)
    with VideoReader(PATTERN.read_bytes(), options) as reader:
        frame = next(reader.frames(FrameSampler(1.0)))
    assert frame.pixels.shape == (360, 240)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+52.3667+004.8945+001.500/", (52.3667, 4.8945, 1.5)),
        ("-33.8688+151.2093/", (-33.8688, 151.2093, None)),
        ("+40.7128-074.0060+010.123CRSWGS_84/", (40.7128, -74.006, 10.123)),
        ("+91.0000+004.8945/", None),
        ("garbage", None),
    ],
)
def test_iso6709(text, expected):
    assert parse_iso6709(text) == expected


def test_creation_times_only_in_utc_when_a_zone_is_recorded():
    assert parse_creation_time("2021-06-01T12:20:30+0200") == "2021-06-01T10:20:30Z"
    assert parse_creation_time("2021-06-01T10:20:30.500000Z") == "2021-06-01T10:20:30.5Z"
    assert parse_creation_time("2021-06-01 10:20:30") is None  # no zone: not guessed
    assert parse_creation_time("1904-01-01T00:00:00.000000Z") is None  # QuickTime's zero
    tags = {
        "creation_time": "2021-06-01T10:20:30.000000Z",
        "com.apple.quicktime.creationdate": "2021-06-01T12:20:31+0200",
    }
    assert creation_time(tags).utc == "2021-06-01T10:20:31Z"
    assert creation_time(tags).source_tag == "com.apple.quicktime.creationdate"
    assert place({"location": "bad", "com.apple.quicktime.location.ISO6709": "+01.5+002.5/"}).lat == 1.5
