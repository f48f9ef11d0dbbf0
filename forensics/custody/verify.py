"""Verify a custody log: every hash, link, key and signature; report the first break precisely.

The algorithm is the one written down in ``docs/custody.md`` section 6; the independent script
``resources/tools/verify_custody.py`` implements the same rules without importing Custos.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from forensics.case.seal import SEALING_ACTIONS, SealDifference, compare, signed_roots
from forensics.core.errors import CustosError
from forensics.custody import keys
from forensics.custody.actions import EXAMINER_ADDED, EXAMINER_REMOVED
from forensics.custody.canonical import FORMAT_VERSION, GENESIS_HASH, canonical_json, entry_hash
from forensics.custody.examiners import name_key
from forensics.custody.records import CustodyEntry, entry_from_row
from forensics.custody.roster import Member, replay
from forensics.custody.store import CustodyStore

# What can be wrong, as reported (the independent verifier uses the same words).
MALFORMED = "malformed"
EDITED = "edited"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
BAD_SIGNATURE = "bad_signature"
UNKNOWN_KEY = "unknown_key"
TRUNCATED = "truncated"


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the log is not what its examiners signed."""

    seq: int
    kind: str
    message: str


@dataclass
class FoundByJob:
    """Rows a job found differing from their seal when it began (named in its ``results_sealed`` entry).

    ``resumes``: the interrupted ingest job whose unsealed rows these were (expected); None: the rows
    were altered outside Custos between two jobs.
    """

    seq: int
    job: str
    rows: int
    resumes: int | None
    lines: list[str]

    @property
    def expected(self) -> bool:
        return self.resumes is not None

    def text(self) -> str:
        if self.expected:
            return (
                f"entry {self.seq} ({self.job}) sealed {self.rows} row(s) written by interrupted ingest job "
                f"{self.resumes}"
            )
        return (
            f"entry {self.seq} ({self.job}) found results altered since their seal before it began: "
            + "; ".join(self.lines)
        )


def found_note(seq: int, details: Mapping[str, Any]) -> FoundByJob:
    """What a seal entry says its job found before it began."""
    found = details.get("found_before") or {}
    lines: list[str] = []
    rows = 0
    for kind in ("changed", "appeared", "vanished"):
        for part, d in sorted((found.get(kind) or {}).items()):
            rows += int(d.get("count", 0))
            lines.append(f"{d.get('count')} row(s) {kind} in {part}")
    lines += [f"the seal of {part} itself was altered" for part in found.get("tampered_seal") or []]
    resumes = details.get("resumes_job")
    return FoundByJob(
        seq, str(details.get("job", "")), rows, resumes if isinstance(resumes, int) else None, lines
    )


@dataclass
class VerifyReport:
    """Outcome of a verification: entries checked, head hash, members, and the first break if any."""

    entries: int = 0
    head_hash: str | None = None
    members: list[Member] = field(default_factory=list)
    anchored: list[str] = field(default_factory=list)
    failure: ChainBreak | None = None
    # The results against their last seal (None: the case was never sealed, made before sealing existed)
    results: SealDifference | None = None
    sealed_at: int | None = None  # entry number of the last results_sealed entry
    # What jobs found altered before they began (recorded in their seal entries)
    found_by_jobs: list[FoundByJob] = field(default_factory=list)
    # Examiners of the case whose keys no trusted source (roster, profiles, given keys) vouches for
    unanchored: list[str] = field(default_factory=list)
    # What the witness store and the reports' checkpoints say the log should hold, and does not
    anchor_problems: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # the anchors checked (for the examiner)

    @property
    def ok(self) -> bool:
        results_clean = self.results is None or self.results.clean
        found_clean = all(found.expected for found in self.found_by_jobs)
        return (
            self.failure is None
            and results_clean
            and found_clean
            and not self.unanchored
            and not self.anchor_problems
        )

    def result_lines(self) -> list[str]:
        """Every problem with the results, for the examiner: differences now, and those jobs found."""
        now = self.results.lines() if self.results is not None else []
        return now + [found.text() for found in self.found_by_jobs if not found.expected]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "break": None if self.failure is None else self.failure.__dict__,
            "results": None
            if self.results is None
            else {"sealed_at": self.sealed_at, **self.results.as_json()},
            "found_by_jobs": [
                {"seq": f.seq, "job": f.job, "rows": f.rows, "resumes": f.resumes, "lines": f.lines}
                for f in self.found_by_jobs
            ],
            "unanchored": list(self.unanchored),
            "anchor_problems": list(self.anchor_problems),
            "anchors": list(self.anchors),
        }


class _Broken(Exception):
    def __init__(self, seq: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.brk = ChainBreak(seq, kind, message)


@dataclass
class _Context:
    """What the walk needs to look beyond the current row when it diagnoses a break."""

    hash_exists: Callable[[str], bool]
    max_seq: int
    trusted: dict[str, str]


def _parse(raw: Mapping[str, Any]) -> CustodyEntry:
    """A stored row as an entry, or a MALFORMED break."""
    seq = raw.get("seq")
    where = seq if isinstance(seq, int) else 0
    try:
        entry = entry_from_row(raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise _Broken(where, MALFORMED, f"entry {seq}: cannot be read ({exc})") from None
    if entry.format_version != FORMAT_VERSION:
        raise _Broken(where, MALFORMED, f"entry {seq}: unknown format version {entry.format_version}")
    return entry


def _check_stored_form(raw: Mapping[str, Any], entry: CustodyEntry) -> None:
    """Custos stores the JSON columns in canonical form; other text means the row was rewritten."""
    target = None if entry.target is None else canonical_json(entry.target)
    if (raw["target_json"], raw["details_json"]) != (target, canonical_json(entry.details)):
        raise _Broken(entry.seq, EDITED, f"entry {entry.seq}: its stored JSON was rewritten (not canonical)")


def _hash_as(entry: CustodyEntry, seq: int) -> str:
    record = entry.record()
    record["seq"] = seq
    return entry_hash(record)


def _signed_seq(entry: CustodyEntry, ctx: _Context) -> int | None:
    """The sequence number this entry's content was hashed with, if not its current one."""
    for seq in range(1, ctx.max_seq + 2):
        if seq != entry.seq and _hash_as(entry, seq) == entry.entry_hash:
            return seq
    return None


class _Walk:
    """State of the walk: the previous hash, the expected number, and who holds which key."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.prev = GENESIS_HASH
        self.expected = 1
        self.membership: list[CustodyEntry] = []
        self.members: dict[str, Member] = {}
        self._public: dict[str, Ed25519PublicKey] = {}

    def check(self, raw: Mapping[str, Any], next_raw: Mapping[str, Any] | None) -> CustodyEntry:
        seq = raw.get("seq")
        if isinstance(seq, int) and seq > self.expected:
            missing = f"{self.expected}" if seq == self.expected + 1 else f"{self.expected} to {seq - 1}"
            raise _Broken(
                self.expected,
                DELETED,
                f"entry {missing} missing (deleted): entry {seq} follows entry {self.expected - 1}",
            )
        if isinstance(seq, int) and seq < self.expected:
            raise _Broken(seq, INSERTED, f"entry {seq}: a second entry with this number was inserted")
        entry = _parse(raw)
        try:
            _check_stored_form(raw, entry)
            self._check_content(entry)
            self._check_key(entry)
            self._check_signature(entry)
            self._check_link(entry)
        except _Broken:
            if self._was_inserted(entry, next_raw):
                raise _Broken(
                    entry.seq,
                    INSERTED,
                    f"entry {entry.seq} was inserted: the entry after it was "
                    f"signed as number {entry.seq} and links to entry {entry.seq - 1}",
                ) from None
            raise
        return entry

    def advance(self, entry: CustodyEntry) -> None:
        self.prev = entry.entry_hash
        self.expected = entry.seq + 1
        if entry.action in (EXAMINER_ADDED, EXAMINER_REMOVED):
            self.membership.append(entry)
            self.members = replay(self.membership)

    def _was_inserted(self, entry: CustodyEntry, next_raw: Mapping[str, Any] | None) -> bool:
        if next_raw is None:
            return False
        try:
            following = entry_from_row(next_raw)
        except (ValueError, TypeError, KeyError):
            return False
        takes_its_place = (
            following.prev_hash == self.prev and _hash_as(following, entry.seq) == following.entry_hash
        )
        # A genuine entry moved here (signed under another number) was reordered, not inserted.
        return takes_its_place and _signed_seq(entry, self.ctx) is None

    def _check_content(self, entry: CustodyEntry) -> None:
        if entry_hash(entry.record()) == entry.entry_hash:
            return
        signed = _signed_seq(entry, self.ctx)
        if signed is None:
            raise _Broken(
                entry.seq,
                EDITED,
                f"entry {entry.seq}: a field was changed after signing (its "
                "content no longer matches its hash)",
            )
        if self.ctx.hash_exists(entry.prev_hash):
            raise _Broken(
                entry.seq,
                REORDERED,
                f"entry {entry.seq}: entries were reordered (this is the entry signed as number {signed})",
            )
        if signed > entry.seq:
            raise _Broken(
                entry.seq,
                DELETED,
                f"entry {entry.seq} missing (deleted): later entries were "
                f"renumbered (this is the entry signed as number {signed})",
            )
        raise _Broken(
            entry.seq,
            INSERTED,
            f"entry {entry.seq}: entries were inserted before it (this is "
            f"the entry signed as number {signed})",
        )

    def _check_key(self, entry: CustodyEntry) -> None:
        if entry.action == EXAMINER_ADDED:
            self._check_registration(entry)
        if entry.seq == 1:
            d = entry.details
            if not (
                entry.action == EXAMINER_ADDED
                and d.get("key_id") == entry.key_id
                and name_key(str(d.get("name"))) == name_key(entry.examiner)
            ):
                raise _Broken(
                    1,
                    UNKNOWN_KEY,
                    "entry 1: the log must start with the founding examiner registering their own key",
                )
            return
        holder = next((m for m in self.members.values() if m.key_id == entry.key_id), None)
        if holder is None:
            raise _Broken(
                entry.seq,
                UNKNOWN_KEY,
                f"entry {entry.seq}: signed with key {entry.key_id[:16]}..., "
                "which is not registered on this case",
            )
        if not holder.active:
            raise _Broken(
                entry.seq,
                UNKNOWN_KEY,
                f"entry {entry.seq}: signed by {holder.name!r}, who was "
                f"removed from the case at entry {holder.removed_seq}",
            )
        if name_key(holder.name) != name_key(entry.examiner):
            raise _Broken(
                entry.seq,
                UNKNOWN_KEY,
                f"entry {entry.seq}: claims examiner {entry.examiner!r} but "
                f"is signed with the key of {holder.name!r}",
            )

    def _check_registration(self, entry: CustodyEntry) -> None:
        d = entry.details
        try:
            keys.load_public_key(str(d.get("public_key")))
            valid = keys.key_id_of(d["public_key"]) == d.get("key_id") and bool(
                str(d.get("name", "")).strip()
            )
        except ValueError:
            valid = False
        if not valid:
            raise _Broken(
                entry.seq,
                UNKNOWN_KEY,
                f"entry {entry.seq}: registers a public key that does not match its key id",
            )
        trusted = self.ctx.trusted.get(name_key(d["name"]))
        if trusted is not None and trusted != d["public_key"]:
            raise _Broken(
                entry.seq,
                UNKNOWN_KEY,
                f"entry {entry.seq}: the key registered for {d['name']!r} "
                f"({d['key_id'][:16]}...) is not their trusted key ({keys.key_id_of(trusted)[:16]}...)",
            )

    def _check_signature(self, entry: CustodyEntry) -> None:
        public_hex = (
            entry.details["public_key"]
            if entry.seq == 1
            else next(m.public_key for m in self.members.values() if m.key_id == entry.key_id)
        )
        if entry.key_id not in self._public:
            self._public[entry.key_id] = keys.load_public_key(public_hex)
        if not keys.signature_valid(self._public[entry.key_id], entry.entry_hash, entry.signature):
            raise _Broken(
                entry.seq,
                BAD_SIGNATURE,
                f"entry {entry.seq}: the signature does not verify with "
                f"{entry.examiner!r}'s key (re-hashed or forged without the private key)",
            )

    def _check_link(self, entry: CustodyEntry) -> None:
        if entry.prev_hash == self.prev:
            return
        if self.ctx.hash_exists(entry.prev_hash):
            raise _Broken(
                entry.seq,
                REORDERED,
                f"entry {entry.seq}: links to an entry other than entry {entry.seq - 1} (entries reordered)",
            )
        raise _Broken(entry.seq, DELETED, f"entry {entry.seq}: the entry it links to is missing (deleted)")


def _with_next(
    rows: Iterable[Mapping[str, Any]],
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    iterator = iter(rows)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def verify_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    hash_exists: Callable[[str], bool],
    max_seq: int,
    trusted_keys: Mapping[str, str] | None = None,
    expected_head: str | None = None,
) -> VerifyReport:
    """Walk stored rows (ordered by ``seq``); ``trusted_keys`` maps examiner names to public keys (hex)."""
    trusted = {name_key(name): key.lower() for name, key in (trusted_keys or {}).items()}
    walk = _Walk(_Context(hash_exists, max_seq, trusted))
    report = VerifyReport()
    head_seen = expected_head is None
    try:
        for raw, next_raw in _with_next(rows):
            entry = walk.check(raw, next_raw)
            walk.advance(entry)
            report.entries += 1
            report.head_hash = entry.entry_hash
            head_seen = head_seen or entry.entry_hash == expected_head
        if report.entries == 0:
            raise _Broken(1, DELETED, "the custody log is empty (every entry deleted)")
        if not head_seen and expected_head is not None:
            raise _Broken(
                walk.expected,
                TRUNCATED,
                f"the expected head {expected_head[:16]}... is not in the log: entries after it were removed",
            )
    except _Broken as broken:
        report.failure = broken.brk
    report.members = sorted(walk.members.values(), key=lambda m: m.added_seq)
    report.anchored = [m.name for m in report.members if name_key(m.name) in trusted]
    return report


def verify_case(
    case_dir: Path | str,
    *,
    trusted_keys: Mapping[str, str] | None = None,
    expected_head: str | None = None,
    reports: Iterable[Path | str] = (),
    witness: bool = True,
    login_role: str | None = None,
) -> VerifyReport:
    """Verify the custody log of a case folder, reading its database read-only.

    Beyond the chain and the sealed results: every examiner's key must be vouched for by
    ``trusted_keys`` (when given: an empty mapping vouches for nobody); the log must hold every
    checkpoint this workstation's witness store saw for it (``witness``) and every checkpoint of the
    given ``reports`` (PDF or HTML files). ``login_role``: the role a server case is read as (a front end
    passes the one its examiner logged in as).
    """
    with CustodyStore(case_dir, login_role=login_role) as store:
        report = verify_rows(
            store.rows(),
            hash_exists=store.hash_exists,
            max_seq=store.max_seq(),
            trusted_keys=trusted_keys,
            expected_head=expected_head,
        )
        if report.failure is None:
            seals = [
                (int(r["seq"]), str(r["action"]), json.loads(r["details_json"]))
                for action in SEALING_ACTIONS
                for r in store.all_of(action)
            ]
            seals = sorted((s for s in seals if "partitions" in s[2]), key=lambda s: s[0])
            if seals:
                report.sealed_at = seals[-1][0]
                report.results = compare(store.connection, signed_roots(d for _seq, _a, d in seals))
                report.found_by_jobs = [
                    found_note(seq, {"job": action, **details})
                    for seq, action, details in seals
                    if details.get("found_before")
                ]
        heads = store.heads()
        place = store.place
    trusted = {name_key(n): k.lower() for n, k in (trusted_keys or {}).items()}
    if trusted_keys is not None:  # asked to anchor the keys: every examiner's must be vouched for
        report.unanchored = [m.name for m in report.members if name_key(m.name) not in trusted]
    _check_anchors(report, place, heads, trusted, list(reports), witness)
    return report


def _check_anchors(
    report: VerifyReport,
    case_dir: Path | str,
    heads: dict[int, str],
    trusted: dict[str, str],
    reports: list,
    witness: bool,
) -> None:
    """Hold the log to the witness store and to the reports' checkpoints."""
    from forensics.custody import checkpoint as checkpoints
    from forensics.custody.witness import checkpoints as witnessed
    from forensics.custody.witness import others_for_folder

    case_id = heads.get(1, "")
    if witness:
        seen = list(witnessed(case_id))
        report.anchors.append(f"witness store: {len(seen)} checkpoint(s) of this case")
        for point in seen:
            if heads.get(point.seq) != point.head:
                state = "missing" if point.seq not in heads else "different"
                report.anchor_problems.append(
                    f"witnessed entry {point.seq} ({point.head[:16]}...) is {state} in the log: "
                    "entries were removed, the log was replaced, or this is an older copy of the case"
                )
        for other in others_for_folder(case_dir, case_id):
            report.anchor_problems.append(
                f"this case folder's log was witnessed with another first entry ({other[:16]}...): the whole "
                "log was replaced"
            )
    for path in reports:
        report.anchors.append(f"report checkpoint: {Path(path).name}")
        try:
            found = checkpoints.read_checkpoint(path)
        except (CustosError, OSError, ValueError) as exc:
            report.anchor_problems.append(str(exc))
            continue
        report.anchor_problems += checkpoints.check(found, case_id, heads, trusted)


def load_trusted_keys(path: Path | str) -> dict[str, str]:
    """Trusted keys from a JSON file: one public record or a list of them (``custos examiner export``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    records = data if isinstance(data, list) else [data]
    return {str(r["name"]): str(r["public_key"]) for r in records}
