"""Warning texts for problems met while analysing a file: one line, bounded, deterministic."""

from __future__ import annotations

import re

MAX_WARNING = 500
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def describe(stage: str, exc: BaseException) -> str:
    """ "<stage>: <ExceptionType>: <message>" without memory addresses (same input, same text)."""
    message = _ADDRESS.sub("", str(exc)).replace("\n", " ")
    return f"{stage}: {type(exc).__name__}: {message}"[:MAX_WARNING]
