"""Answer first on a phone extraction: ``bench_first_alert.py --medium extraction`` under its own name,
so that ``bench/run_all.py`` runs it and the page shows it beside the disk image's result.

    .venv/bin/python bench/bench_first_alert_extraction.py --size smoke
    .venv/bin/python bench/bench_first_alert_extraction.py --size standard \
        --json bench/results/first_alert_extraction.json
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.bench_first_alert import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--medium", "extraction", *sys.argv[1:]]))
