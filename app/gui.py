"""GUI start: ``custos gui [CASE_DIR]`` and ``python -m app.gui``."""

from __future__ import annotations

import sys


def main(case_dir: str | None = None) -> int:
    """Start the examiner's desktop (imports Qt only now, so the CLI never needs it)."""
    from ui.app import run

    return run(case_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
