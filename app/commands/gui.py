"""``custos gui``: open the examiner's desktop."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="open the desktop application")
    gui.add_argument("case_dir", metavar="DIR", nargs="?", help="case folder to open at start")
    gui.set_defaults(func=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    from app.gui import main

    return main(args.case_dir)
