"""``custos lab watch FOLDER``: auto-ingest of the manifests dropped in a folder (docs/cluster.md)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from app.commands.common import common_options
from forensics.core.progress import CancelToken

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


def register(sub: argparse._SubParsersAction) -> None:
    lab = sub.add_parser("lab", help="a lab's shared work: auto-ingest of a backlog")
    actions = lab.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    watch = actions.add_parser(
        "watch",
        help="ingest the evidence described by the manifests in FOLDER, each once across all watchers",
        parents=[common_options()],
    )
    watch.add_argument("folder", metavar="FOLDER", help="folder of manifests (*.json; docs/cluster.md)")
    watch.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the jobs on the workers of this Dask scheduler (tcp://HOST:PORT) instead of this machine",
    )
    watch.add_argument("--workers", type=int, default=2, help="local worker processes per job (default 2)")
    watch.add_argument("--library", metavar="PATH", help="hash-set library of profiles that match")
    watch.add_argument(
        "--interval", type=float, default=5.0, help="seconds between two looks at FOLDER (default 5)"
    )
    watch.add_argument(
        "--until-idle",
        action="store_true",
        help="stop once every manifest in FOLDER is done (by this or another watcher)",
    )
    watch.add_argument("--jsonl", action="store_true", help="one JSON object per event on stdout")
    watch.set_defaults(func=cmd_watch)


def cmd_watch(args: argparse.Namespace) -> int:
    from app.passphrase import passphrase_for
    from forensics.services.context import CaseContext, open_case
    from forensics.services.lab_watch import LabWatcher, WatchEvent

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"custos: error: {folder}: not a folder", file=sys.stderr)
        return 2
    failures = [0]

    def on_event(event: WatchEvent) -> None:
        failures[0] += event.state in ("failed", "invalid")
        if args.jsonl:
            print(event.to_json(), flush=True)
        elif not args.quiet or event.state in ("failed", "invalid"):
            print(event.text(), flush=True, file=sys.stderr if event.state in ("failed", "invalid") else None)

    def open_as(case_dir: Path, examiner: str) -> CaseContext:
        return open_case(case_dir, examiner, write=True, passphrase=passphrase_for)

    watcher = LabWatcher(
        folder,
        open_as,
        cluster=args.cluster,
        workers=args.workers,
        library=args.library,
        on_event=on_event,
    )
    cancel = CancelToken()
    previous = {sig: signal.signal(sig, lambda *_: cancel.cancel()) for sig in STOP_SIGNALS}
    try:
        watcher.run(cancel, interval=args.interval, until_idle=args.until_idle)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if cancel.cancelled:
        print("custos: lab watch stopped; a job it left is resumed by the next watcher", file=sys.stderr)
        return 3
    return 1 if failures[0] else 0
