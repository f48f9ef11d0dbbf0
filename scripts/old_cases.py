"""Build one case database per schema that Custos ever had, each made by the Custos of that schema.

Run by hand (not in CI), from the repository root, when a migration is added (about a minute a case):

    PYTHONPATH=. .venv/bin/python -m scripts.old_cases [--case 0005_review ...] [--keep-work]

The schemas are found in the history of ``forensics/case/migrations/versions``: a commit changes the
schema when it adds a migration (``git log --diff-filter=A``) or edits one in place beyond its layout and
docstrings (the files' syntax trees are compared, so a reformatting does not count). Each schema is built
by the last commit that had it, the parent of the next such change, and the newest one by the newest
commit that changed ``forensics``, ``app`` or ``resources``. The case is named after the newest migration
of that commit: ``tests/data/cases/<revision>``, or ``<revision>-<commit>`` when the next change edited
a migration in place (an earlier form of the revision: cases that record the same revision but lack what
the edit added, which the migrations, starting from the recorded revision, never add). A migration added
in the same commit as the next one was never the newest of any commit: no build made a case at it; the
script says so and skips it.

It checks that commit out into a temporary ``git worktree`` (outside the repository, removed afterwards)
and runs THAT commit's own command line (``PYTHONPATH=<worktree> python -m app ...``, this interpreter,
the working folder outside every checkout so that nothing else is imported) with a fixed clock
(``CUSTOS_FIXED_NOW``) and its own examiner profile in a temporary ``CUSTOS_HOME``:

1. ``examiner create``, ``case create``;
2. ``evidence add`` of ``tests/data/sleuthkit/image.E01`` (ext2, EXH-01) and of a FAT16 image of five
   real photos from ``tests/data`` (EXH-02, one of them deleted; built with mkfs.fat and mtools by
   ``scripts/fixtures/fat.py``, as the golden command-line flow does);
3. ``verify`` of EXH-01 against the E01's stored MD5;
4. ``hashset import`` of an MD5 list (two of the photos) and a PDQ list (a third photo's published PDQ),
   then ``ingest --profile full`` (the richest profile) of each item and ``match``;
5. when the commit has the review tables (migration ``0005_review``): a category, tags, a note and a
   reveal, through that commit's ``forensics.case.review`` (the functions its GUI calls; there is no
   review command), in the UK scheme (so that ``0006_case_region`` must carry the region over);
6. ``files --jsonl``, ``findings --jsonl`` and ``custody verify --json`` of that commit: the facts the
   current code must keep, written to ``facts.json``.

The case database is checkpointed (``PRAGMA wal_checkpoint(TRUNCATE)``, no -wal/-shm) and saved as
``tests/data/cases/<name>/case.db`` beside the examiner profile (``home/examiners/*.json``, the
passphrase is in ``facts.json``). The evidence paths recorded in the case are those of the build
machine's temporary folder (``<tmp>/custos-old-cases/<name>/evidence``); the tests do not need them.

A command of an old build that fails for a defect of that build, listed in ``KNOWN_DEFECTS``, is recorded
in ``facts.json`` (``steps``) and the build goes on; any other failure stops the script.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[1]
VERSIONS = Path("forensics") / "case" / "migrations" / "versions"
# What a build of Custos is made of (the newest migration is built by the newest commit that changed them).
PROGRAM_FOLDERS = ("forensics", "app", "resources")
DATA = REPO / "tests" / "data"
DEFAULT_OUT = DATA / "cases"
EXAMINER = "Old Case Examiner"
PASSPHRASE = "old case passphrase"
FIXED_NOW = "2026-01-02T03:04:05.000006Z"
REGION = "UK"
DISK_IMAGE = DATA / "sleuthkit" / "image.E01"
# Real photos of the FAT evidence item (their own notices in tests/data apply); the last one is deleted.
PICTURES = (
    DATA / "pdqhash-python" / "images" / "image1.jpg",
    DATA / "pdqhash-python" / "images" / "image2.jpg",
    DATA / "pdqhash-python" / "images" / "image3.jpg",
    DATA / "exif-py" / "jpg" / "Canon_40D.jpg",
    DATA / "ThreatExchange" / "rgb.jpeg",
)
PDQ_REFERENCE = DATA / "golden_cli" / "pdq_reference.json"  # the published PDQ of PICTURES[2]
# Seconds one old command may take before the build is abandoned.
COMMAND_TIMEOUT = 600
# (command word, text of its error output) -> why an old build fails there and what the case holds then.
KNOWN_DEFECTS = {
    ("ingest", "cannot import name 'match_after_ingest'"): (
        "this build's full-profile ingest processes the item, then stops before matching (it imports "
        "app.commands.hashset.match_after_ingest, which does not exist; a91c188 fixed it): the job is "
        "finished, the custody log has ingest_started without ingest_finished; `custos match` matches"
    ),
}

# The review marks, made with the old build's own review functions (the calls of its GUI's adapter).
REVIEW_SNIPPET = """
import json, sys
from forensics.case import review
from forensics.case.db import CaseDatabase
from forensics.custody.session import open_custody

case_dir, examiner, passphrase, region = sys.argv[1:5]
paths = sys.argv[5:]
db = CaseDatabase(case_dir)
log = open_custody(db, examiner, write=True, passphrase=passphrase)
with db.engine.connect() as conn:
    ids = dict(conn.exec_driver_sql("SELECT path, id FROM files WHERE parent_id IS NULL").fetchall())
first, second, third = (ids[path] for path in paths)
review.set_category(db, log, [first], 4, region)
review.set_category(db, log, [third], 0, region)
review.add_tag(db, log, [first, second], "old case tag")
review.add_note(db, log, [second], "noted by the old build")
review.record_reveal(db, log, first, view="gallery")
marks = {}
for path in paths:
    r = review.review_of(db, ids[path])
    marks[path] = {"category": r.category, "label": r.category_label, "region": r.region,
                   "tags": r.tags, "notes": [list(n) for n in r.notes]}
db.close()
print(json.dumps(marks, sort_keys=True))
"""
# The files of EXH-02 the review marks go to (first: category 4 and a tag, second: tag and note,
# third: category 0).
REVIEWED_PATHS = ("/DCIM/image1.jpg", "/Download/image2.jpg", "/Download/canon_40d.jpg")


class BuildError(RuntimeError):
    """An old build failed in a way this script does not know."""


@dataclass(frozen=True)
class Target:
    """One saved case: its name, the revision it records and the commit whose own code builds it."""

    name: str  # the fixture folder: the revision, or revision-commit for an earlier form of it
    revision: str
    commit: str | None  # None: no commit had this revision as its newest migration
    reason: str


def git(*args: str, cwd: Path = REPO) -> str:
    """Output of one git command in the repository."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def revision_of(text: str) -> str:
    """The ``revision = "..."`` of a migration file."""
    found = re.search(r'^revision\s*(?::\s*str\s*)?=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if found is None:
        raise BuildError("a migration file has no revision identifier")
    return found.group(1)


def migrations_at(commit: str) -> list[str]:
    """Migration file names (``0001_core.py`` ...) in the versions folder of a commit, in order."""
    listing = git("ls-tree", "--name-only", f"{commit}:{VERSIONS.as_posix()}")
    return sorted(name for name in listing.split() if re.match(r"^\d{4}_\w+\.py$", name))


def code_of(text: str) -> str:
    """A migration's code without its layout, comments and docstrings (what a reformatting leaves alone)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def schema_changes() -> list[tuple[str, str]]:
    """Commits of HEAD's history that changed what the migrations make, oldest first, with what they did.

    A commit that adds a migration, or edits one (other than its layout and docstrings), counts.
    """
    changes = []
    for commit in git("log", "--reverse", "--format=%H", "HEAD", "--", VERSIONS.as_posix()).split():
        status = git("diff-tree", "--no-commit-id", "-r", "--name-status", "--root", commit, "--")
        added, edited = [], []
        for line in status.splitlines():
            kind, _, path = line.partition("\t")
            name = PurePosixPath(path).name
            if PurePosixPath(path).parent != PurePosixPath(VERSIONS.as_posix()) or not re.match(
                r"^\d{4}_\w+\.py$", name
            ):
                continue
            if kind == "A":
                added.append(name)
            elif kind == "M" and code_of(git("show", f"{commit}^:{path}")) != code_of(
                git("show", f"{commit}:{path}")
            ):
                edited.append(name)
        if added:
            changes.append((commit, "added " + ", ".join(added)))
        elif edited:
            changes.append((commit, "edited " + ", ".join(edited) + " in place"))
    return changes


def plan() -> list[Target]:
    """Every schema the history had, each with the last commit that made cases with it.

    The newest migration of each commit, as it stood until the next commit that changed the migrations:
    the parent of that commit (the commit that added the next migration, or one that edited a migration
    in place: then the case is an earlier form of its revision, named ``<revision>-<commit>``); the
    newest commit that changed the program for the schema of today.
    """
    head = git("rev-parse", "HEAD").strip()
    changes = schema_changes()
    targets: list[Target] = []
    built: set[str] = set()
    for index, (_commit, _what) in enumerate(changes):
        if index + 1 < len(changes):
            following, what = changes[index + 1]
            commit = git("rev-parse", f"{following}^").strip()
            reason = f"the parent of {following[:10]}, which {what}"
            final = what.startswith("added")
        else:
            commit = git("log", "-1", "--format=%H", "HEAD", "--", *PROGRAM_FOLDERS).strip()
            reason = "the newest commit that changed " + ", ".join(PROGRAM_FOLDERS)
            final = True
        newest = migrations_at(commit)[-1]
        revision = revision_of(git("show", f"{commit}:{(VERSIONS / newest).as_posix()}"))
        name = revision if final else f"{revision}-{commit[:8]}"
        if not final:
            reason += ": an earlier form of this revision"
        targets.append(Target(name, revision, commit, reason))
        built.add(newest)
    for migration in migrations_at(head):
        if migration not in built:
            revision = revision_of(git("show", f"{head}:{(VERSIONS / migration).as_posix()}"))
            why = "never the newest migration of any commit: no Custos build made cases at this revision"
            targets.append(Target(revision, revision, None, why))
    return sorted(targets, key=lambda t: (t.revision, t.name != t.revision, t.name))


class OldBuild:
    """The command line of one old commit, in a temporary worktree, with its own home and clock."""

    def __init__(self, commit: str, work: Path) -> None:
        self.commit = commit
        self.work = work
        self.code = work / "code"
        self.steps: list[dict[str, object]] = []
        # --force: a worktree of an earlier, interrupted run may still be registered at this path.
        git("worktree", "add", "--force", "--detach", str(self.code), commit)
        self.migrations = migrations_at(commit)

    def close(self) -> None:
        """Remove the worktree (and its registration)."""
        git("worktree", "remove", "--force", str(self.code))

    def environment(self) -> dict[str, str]:
        """This process's environment without Custos settings, plus the old build's code, home and clock."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOS_") and k != "PYTHONPATH"}
        env.update(
            {
                "PYTHONPATH": str(self.code),
                "PYTHONDONTWRITEBYTECODE": "1",
                "CUSTOS_HOME": str(self.work / "home"),
                "CUSTOS_EXAMINER": EXAMINER,
                "CUSTOS_PASSPHRASE": PASSPHRASE,
                "CUSTOS_FIXED_NOW": FIXED_NOW,
                "CUSTOS_HASHSET_LIBRARY": str(self.work / "library.db"),
                "TZ": "UTC",
                "QT_QPA_PLATFORM": "offscreen",
            }
        )
        return env

    def python(self, args: list[str], *, record: list[str] | None = None) -> str:
        """Run this interpreter on the old code (working folder: the work folder); its output."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.work,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        step: dict[str, object] = {"command": record or args}
        if done.returncode != 0:
            defect = next(
                (why for (word, text), why in KNOWN_DEFECTS.items() if word in args and text in done.stderr),
                None,
            )
            if defect is None:
                raise BuildError(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
            step["exit_status"] = done.returncode
            step["known_defect"] = defect
            print(f"  known defect of this build: {defect}")
        self.steps.append(step)
        return done.stdout

    def custos(self, *args: str | Path) -> str:
        """One ``custos`` command of the old build; its standard output."""
        words = [str(a) for a in args]
        return self.python(["-m", "app", *words], record=["custos", *self.portable(words)])

    def portable(self, words: list[str]) -> list[str]:
        """``words`` with the build folder spelled ``<WORK>`` (as ``facts.json`` records commands)."""
        return [w.replace(str(self.work), "<WORK>") for w in words]

    def has(self, migration_prefix: str) -> bool:
        """Whether the old commit has a migration whose file name starts so (``0005``: review tables)."""
        return any(name.startswith(migration_prefix) for name in self.migrations)


def picture_image(image: Path) -> None:
    """A FAT16 image of the photos (the last one deleted), made with mkfs.fat and mtools at fixed times."""
    from scripts.fixtures.content import Entry
    from scripts.fixtures.fat import build_fat

    entries = [
        Entry(
            f"/{'DCIM' if index % 2 == 0 else 'Download'}/{picture.name.lower()}",
            data=picture.read_bytes(),
            mtime=1_600_000_000 + 2 * index,
            deleted=index == len(PICTURES) - 1,
        )
        for index, picture in enumerate(PICTURES)
    ]
    build_fat(
        image,
        entries,
        fat_bits=16,
        size_mib=4,
        label="PICTURES",
        volume_id="0ca5e501",
        created_at=1_600_000_000,
    )


def hash_lists(folder: Path) -> tuple[Path, Path]:
    """An MD5 list of two photos and a PDQ list holding a third photo's published PDQ."""
    md5_list = folder / "alert-md5.txt"
    md5_list.write_text(
        "".join(hashlib.md5(p.read_bytes()).hexdigest() + "\n" for p in (PICTURES[0], PICTURES[3])),
        encoding="ascii",
    )
    reference = json.loads(PDQ_REFERENCE.read_text(encoding="utf-8"))
    pdq_list = folder / "alert.pdq"
    pdq_list.write_text(f"{reference['pdq']},{reference['quality']}\n", encoding="ascii")
    return md5_list, pdq_list


def jsonl(text: str) -> list[dict]:
    """The objects of JSON-lines output."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def facts_text(facts: dict[str, object]) -> str:
    """``facts`` as JSON, one key a line and one record a line (a small file that diffs well)."""
    lines = []
    for key in sorted(facts):
        value = facts[key]
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in value)
            text = f"[\n  {items}\n ]"
        else:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        lines.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def read_case(case: Path, query: str) -> list[tuple]:
    """Rows of one query on a case database of the build folder (no old build runs meanwhile)."""
    conn = sqlite3.connect(case / "case.db")
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def checkpointed_copy(database: Path, target: Path) -> None:
    """Fold the WAL into the database file, check nothing is left beside it, copy it."""
    conn = sqlite3.connect(database)
    try:
        busy, _log, _moved = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise BuildError(f"{database}: the WAL could not be checkpointed (database busy)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        leftover = database.with_name(database.name + suffix)
        if leftover.exists() and leftover.stat().st_size:
            raise BuildError(f"{leftover} is not empty after the checkpoint")
    shutil.copyfile(database, target)


def build(target: Target, work: Path, out: Path) -> dict[str, object]:
    """Make the case of one revision with its commit's code; returns its facts."""
    shutil.rmtree(work, ignore_errors=True)
    (work / "evidence").mkdir(parents=True)
    (work / "lists").mkdir()
    old = OldBuild(target.commit, work)
    try:
        case = work / "case"
        disk = work / "evidence" / "image.E01"
        shutil.copyfile(DISK_IMAGE, disk)
        pictures = work / "evidence" / "pictures.raw"
        picture_image(pictures)
        md5_list, pdq_list = hash_lists(work / "lists")
        region = ["--region", REGION] if old.has("0006") else []
        old.custos("examiner", "create", EXAMINER, "--agency", "Test Lab", "--badge", "OC-1")
        old.custos("case", "create", case, "--number", f"OC-{target.revision[:4]}", "--title",
                   f"Case of schema {target.name}", "--agency", "Test Lab", *region)  # fmt: skip
        old.custos(
            "evidence", "add", case, disk, "--item", "EXH-01", "--seal", "S-1", "--seized-by", "DC Old"
        )
        old.custos("evidence", "add", case, pictures, "--item", "EXH-02", "--description", "photos (FAT16)")
        old.custos("verify", case, "--item", "EXH-01")
        old.custos(
            "hashset", "import", md5_list, "--name", "alert-md5", "--kind", "alert", "--format", "plain"
        )
        old.custos("hashset", "import", pdq_list, "--name", "alert-pdq", "--kind", "alert", "--format", "pdq")
        for item in ("EXH-01", "EXH-02"):  # one at a time: a build whose ingest stops after an item goes on
            old.custos("-q", "ingest", case, "--item", item, "--profile", "full", "--workers", "1")
        unfinished = read_case(case, "SELECT id, status FROM ingest_jobs WHERE status != 'finished'")
        if unfinished:
            raise BuildError(f"ingest jobs left unfinished by {target.commit[:10]}: {unfinished}")
        old.custos("match", case)
        review = None
        if old.has("0005"):
            review = json.loads(
                old.python(
                    ["-c", REVIEW_SNIPPET, str(case), EXAMINER, PASSPHRASE, REGION, *REVIEWED_PATHS],
                    record=["python", "-c", "REVIEW_SNIPPET", "<WORK>/case", "...", REGION, *REVIEWED_PATHS],
                )
            )
        facts: dict[str, object] = {
            "name": target.name,
            "revision": target.revision,
            "commit": target.commit,
            "commit_date": git("log", "-1", "--format=%cI", target.commit).strip(),
            "commit_subject": git("log", "-1", "--format=%s", target.commit).strip(),
            "why_this_commit": target.reason,
            "migrations_of_commit": [m.removesuffix(".py") for m in old.migrations],
            "built_by": "scripts/old_cases.py",
            "python": sys.version.split()[0],
            "fixed_now": FIXED_NOW,
            "examiner": {"name": EXAMINER, "passphrase": PASSPHRASE, "home": "home"},
            "build_folder": str(work),
            "review_region": REGION if review is not None else None,
            "review": review,
        }
        facts["files"] = jsonl(old.custos("files", case, "--jsonl"))
        facts["findings"] = jsonl(old.custos("findings", case, "--jsonl"))
        facts["custody_verify"] = json.loads(old.custos("custody", "verify", case, "--json"))
        facts["steps"] = old.steps
    finally:
        old.close()
    recorded = read_case(case, "SELECT version_num FROM alembic_version")
    if recorded != [(target.revision,)]:
        raise BuildError(
            f"the case of {target.commit[:10]} records revision {recorded}, not {target.revision}"
        )
    shutil.rmtree(out, ignore_errors=True)
    (out / "home").mkdir(parents=True)
    checkpointed_copy(case / "case.db", out / "case.db")
    shutil.copytree(work / "home" / "examiners", out / "home" / "examiners")
    (out / "facts.json").write_text(facts_text(facts), encoding="utf-8")
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.old_cases", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--case", action="append", help="only this case, e.g. 0005_review (repeatable; default all)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="fixtures folder (default: %(default)s)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "custos-old-cases",
        help="build folder, one subfolder per revision (default: %(default)s)",
    )
    parser.add_argument("--keep-work", action="store_true", help="keep the build folders")
    args = parser.parse_args(argv)
    if args.work.resolve().is_relative_to(REPO):
        parser.error("the build folder must be outside the repository")
    targets = plan()
    if args.case:
        unknown = set(args.case) - {t.name for t in targets}
        if unknown:
            parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name in args.case]
    for target in targets:
        if target.commit is None:
            print(f"{target.name}: skipped: {target.reason}")
            continue
        print(f"{target.name}: building with {target.commit[:10]} ({target.reason})")
        work = args.work / target.name
        try:
            facts = build(target, work, args.out / target.name)
        except (BuildError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            print(f"{target.name}: FAILED: {error}", file=sys.stderr)
            return 1
        finally:
            if not args.keep_work:
                shutil.rmtree(work, ignore_errors=True)
        size = (args.out / target.name / "case.db").stat().st_size
        print(
            f"{target.name}: {len(facts['files'])} files, {len(facts['findings'])} findings, "
            f"{facts['custody_verify'].get('entries')} custody entries, case.db {size // 1024} KiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
