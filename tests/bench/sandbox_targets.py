"""Targets that end each way a fuzzing run can end, to check how ``bench/sandbox.py`` classifies them."""

from __future__ import annotations

import os
import time


def clean() -> dict:
    return {"item_errors": 0}


def noted() -> dict:
    return {"item_errors": 2}


def refused() -> None:
    from forensics.core.errors import EvidenceError

    raise EvidenceError("image.raw: not an image")


def broken() -> None:
    raise ValueError("an unexpected error")


def native_crash() -> None:
    os.abort()


def hang() -> None:
    time.sleep(60)


def greedy() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))
