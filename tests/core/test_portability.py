"""The engine's OS-neutral pieces, exercised on Linux: the file lock, positional reads, cancel on stdin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from forensics.core import positional
from forensics.core.filelock import LockBusy, exclusive_lock, lock_held

ROOT = Path(__file__).resolve().parents[2]


def test_the_lock_refuses_a_second_holder_and_frees_itself(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    assert not lock_held(lock)
    with exclusive_lock(lock, "busy"):
        assert lock_held(lock)
        with pytest.raises(LockBusy, match="busy"), exclusive_lock(lock, "busy"):
            pass
    assert not lock_held(lock)
    with exclusive_lock(lock, "busy"):  # free again
        pass


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from forensics.core.filelock import exclusive_lock
                with exclusive_lock({str(lock)!r}, "busy"):
                    print("held", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert lock_held(lock)
        with pytest.raises(LockBusy), exclusive_lock(lock, "busy"):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert not lock_held(lock)


def test_a_file_that_is_not_a_lock_is_not_held(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"not a database" * 100)
    assert not lock_held(other)


def test_seek_and_read_gives_what_pread_gives(tmp_path: Path) -> None:
    data = os.urandom(1 << 20)
    path = tmp_path / "media.bin"
    path.write_bytes(data)
    fd = os.open(path, positional.READ_ONLY)
    try:
        for offset, size in ((0, 10), (12345, 70000), (len(data) - 5, 100), (len(data) + 10, 4)):
            assert positional.seek_read(fd, size, offset) == data[offset : offset + size]
            if hasattr(os, "pread"):
                assert positional.seek_read(fd, size, offset) == os.pread(fd, size, offset)
    finally:
        positional.forget(fd)
        os.close(fd)


def test_raw_media_reads_the_same_through_the_fallback(monkeypatch, tmp_path: Path) -> None:
    from forensics.evidence import media
    from tests.data.expected import SLEUTHKIT_IMAGE_DD

    with _closing(media.FileMedia(SLEUTHKIT_IMAGE_DD.path)) as direct:
        expected = [direct.read_at(offset, 4096) for offset in range(0, 102400, 4096)]
    monkeypatch.setattr(media, "pread", positional.seek_read)
    with _closing(media.FileMedia(SLEUTHKIT_IMAGE_DD.path)) as fallback:
        assert [fallback.read_at(offset, 4096) for offset in range(0, 102400, 4096)] == expected


class _closing:
    def __init__(self, media) -> None:
        self.media = media

    def __enter__(self):
        return self.media

    def __exit__(self, *exc) -> None:
        self.media.close()


def _ignore_and_block_interrupts() -> None:
    """Start a child as a launcher may: SIGINT ignored and blocked (both are inherited across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


@pytest.mark.parametrize("started", ["plain", "interrupts ignored and blocked"])
@pytest.mark.parametrize("interrupt", ["signal", "interrupt_main"])
def test_a_cancel_line_on_stdin_interrupts_the_command(interrupt: str, started: str) -> None:
    """Both ways of interrupting the main thread: a signal (POSIX) and Python's own (Windows); also in a
    child started with SIGINT ignored and blocked (the parent that asked for cancel lines wins)."""
    if started != "plain" and not hasattr(signal, "pthread_sigmask"):
        pytest.skip("no signal masks on this platform")
    preexec = _ignore_and_block_interrupts if started != "plain" else None
    script = textwrap.dedent(
        f"""
        import _thread, time
        from app import cancel_input
        if {interrupt!r} == "interrupt_main":
            cancel_input.interrupt = _thread.interrupt_main
        try:
            cancel_input.watch_stdin_for_cancel()
            for _ in range(300):
                time.sleep(0.1)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        input="some other line\ncancel\n",
        capture_output=True,
        text=True,
        timeout=25,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CUSTOS_CANCEL_ON_STDIN": "1"},
        preexec_fn=preexec,  # noqa: PLW1509 - POSIX only, and only in the second case
    )
    assert child.stdout.strip() == "interrupted", child.stderr


def test_without_the_parent_asking_nothing_watches_stdin(monkeypatch) -> None:
    from app.cancel_input import watch_stdin_for_cancel

    monkeypatch.delenv("CUSTOS_CANCEL_ON_STDIN", raising=False)
    assert watch_stdin_for_cancel() is None
