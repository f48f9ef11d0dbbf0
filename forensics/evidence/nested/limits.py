"""Defences against hostile containers: nesting depth, expansion ratio, expanded bytes, members, time.

Every limit is a named constant; :class:`NestedLimits` carries them per job (the lead fills it from the
processing profile). :class:`Budget` enforces them while one container is read and raises
:class:`LimitExceeded` with the line the examiner sees ("expansion ratio above 100: stopped").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from forensics.core.errors import EvidenceError

MAX_DEPTH = 8  # containers inside containers inside the evidence file (42.zip has 6 levels)
MAX_EXPANSION_RATIO = 100  # expanded bytes per stored byte (as Apache POI's zip-bomb guard: 1 %)
RATIO_GRACE_BYTES = 8 << 20  # the ratio is judged only once this much has been expanded
MAX_EXPANDED_BYTES = 64 << 30  # expanded bytes read out of one container, all members together
MAX_MEMBERS = 200_000  # members listed per container
MAX_SECONDS = 900.0  # wall time spent reading one container
MAX_MEMORY_MEMBER = 64 << 20  # a member that must be seekable and is not is held in memory up to this
CHUNK_SIZE = 1 << 20  # piece size when members are streamed


class LimitExceeded(EvidenceError):
    """A defence stopped the reading of a container or member; the message says which and where."""


@dataclass(frozen=True)
class NestedLimits:
    """The defences for one job; defaults are the named constants of this module."""

    max_depth: int = MAX_DEPTH
    max_ratio: float = MAX_EXPANSION_RATIO
    ratio_grace_bytes: int = RATIO_GRACE_BYTES
    max_expanded_bytes: int = MAX_EXPANDED_BYTES
    max_members: int = MAX_MEMBERS
    max_seconds: float = MAX_SECONDS
    max_memory_member: int = MAX_MEMORY_MEMBER
    chunk_size: int = CHUNK_SIZE


DEFAULT_LIMITS = NestedLimits()


class Budget:
    """What one container has used so far: members, expanded bytes, time; checked on every piece.

    ``stored`` is a callable giving the bytes read from the parent so far (a counting stream's
    position), so that the ratio is measured, never taken from the archive's own (forgeable) headers.
    """

    def __init__(self, limits: NestedLimits, where: str, stored: Callable[[], int] | None = None) -> None:
        self.limits = limits
        self.where = where
        self._stored = stored
        self.members = 0
        self.expanded = 0
        self.started = time.monotonic()

    def member(self) -> None:
        """Count one more member; raises when the member limit is passed."""
        self.members += 1
        if self.members > self.limits.max_members:
            raise LimitExceeded(f"{self.where}: more than {self.limits.max_members} members: stopped")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.limits.max_seconds:
            raise LimitExceeded(f"{self.where}: reading took over {self.limits.max_seconds:g} s: stopped")

    def expand(self, count: int, member: str, stored: int | None = None) -> None:
        """Count ``count`` more expanded bytes of ``member`` (``stored``: the member's stored size)."""
        self.expanded += count
        limits = self.limits
        if self.expanded > limits.max_expanded_bytes:
            raise LimitExceeded(
                f"{self.where}: {member}: more than {limits.max_expanded_bytes} expanded bytes: stopped"
            )
        self.check_time()
        if self.expanded < limits.ratio_grace_bytes:
            return
        base = stored if stored is not None else (self._stored() if self._stored else None)
        if base is not None and self.expanded > limits.max_ratio * max(base, 1):
            raise LimitExceeded(
                f"{self.where}: {member}: expansion ratio above {limits.max_ratio:g}: stopped "
                f"({self.expanded} bytes from {base} stored)"
            )
