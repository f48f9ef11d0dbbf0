"""The command line imports only the module of the command being run."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from app.cli import COMMAND_MODULES, COMMANDS, build_parser, command_word


def test_the_command_table_is_what_the_modules_register() -> None:
    registered = {}
    for name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert registered == COMMANDS


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["ingest", "case", "1"], "ingest"),
        (["-q", "verify", "--item", "1"], "verify"),
        (["--examiner", "ingest", "match"], "match"),  # "ingest" is the examiner's name here
        (["--examiner=ann", "--quiet", "files"], "files"),
        (["--version"], None),
        (["-h"], None),
        ([], None),
    ],
)
def test_the_command_word_follows_the_global_options(argv: list[str], word: str | None) -> None:
    assert command_word(argv) == word


def test_a_known_command_builds_only_its_own_parser_and_the_rest_build_all() -> None:
    only = build_parser(["report", "--help"])
    subcommands = next(a for a in only._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(subcommands.choices) == ["export", "report"]
    everything = build_parser(["--version"])
    subcommands = next(a for a in everything._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(subcommands.choices) == sorted(COMMANDS)


def test_running_ingest_help_imports_no_other_command_module() -> None:
    code = "\n".join(
        [
            "import sys",
            "from app.cli import main",
            "try:",
            "    main(['ingest', '--help'])",
            "except SystemExit:",
            "    pass",
            "names = [m for m in sys.modules if m.startswith('app.commands.')]",
            "print(sorted(set(names) - {'app.commands.common'}))",
        ]
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['app.commands.ingest']"
