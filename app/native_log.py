"""Keep native libraries' chatter off the examiner's terminal: it goes to the log file instead.

The Sleuth Kit, libewf, libmagic and other native libraries write warnings straight to the process's
standard error (file descriptor 2), where they would interleave with Custos's own messages and progress
lines (and the GUI's reading of them). :func:`divert_native_stderr` points descriptor 2 at
``<custos home>/logs/native.log`` and keeps Python's ``sys.stderr`` (Custos's own messages) on the
original stream; worker processes inherit the diverted descriptor. Python warnings go to the same log.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from forensics.core.paths import custos_home

LOG_NAME = "native.log"


def log_path() -> Path:
    return custos_home() / "logs" / LOG_NAME


def divert_native_stderr() -> Path | None:
    """Descriptor 2 to the log file, ``sys.stderr`` kept on the terminal; returns the log path (None if
    the log cannot be opened: then nothing changes)."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return None
    sys.stderr.flush()
    terminal = os.dup(2)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding=encoding, errors="backslashreplace")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    warnings_log = logging.getLogger("py.warnings")
    warnings_log.addHandler(handler)
    warnings_log.propagate = False
    logging.captureWarnings(True)
    return path
