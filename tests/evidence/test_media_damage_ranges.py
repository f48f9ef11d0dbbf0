"""``ranges_not_in``: the part of newly read damaged ranges that was not known before."""

from __future__ import annotations

import pytest

from forensics.evidence.media import ranges_not_in


@pytest.mark.parametrize(
    ("ranges", "known", "expected"),
    [
        ([(0, 10)], [], [(0, 10)]),
        ([(0, 10)], [(0, 10)], []),
        ([(0, 20)], [(0, 10)], [(10, 20)]),  # libewf merged a neighbouring chunk into a known range
        ([(0, 30)], [(10, 20)], [(0, 10), (20, 30)]),
        ([(0, 30)], [(20, 25), (5, 10)], [(0, 5), (10, 20), (25, 30)]),
        ([(40, 50), (0, 10)], [(45, 60)], [(0, 10), (40, 45)]),
        ([(0, 10)], [(10, 20)], [(0, 10)]),  # half-open: touching is not covering
    ],
)
def test_uncovered_parts(ranges, known, expected) -> None:
    assert ranges_not_in(ranges, known) == expected
