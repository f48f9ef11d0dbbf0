"""The lab's auto-ingest: watch a folder for manifests and take each one's job exactly once.

A watcher (``custos lab watch FOLDER``) looks at the manifests in FOLDER
(:mod:`forensics.services.lab_manifest`) every few seconds. For each one not yet done it takes the
case's ingest lock (one ingest per case at a time; a busy case is looked at again on the next pass),
claims the item in the case database (:mod:`forensics.case.lab_claims`: one atomic INSERT, so that of
several watchers on several machines exactly one takes the job), adds the evidence as the manifest's
examiner (with its custody entries, the media verified against its acquisition hashes), and runs the
ingest job, on a Dask cluster when given, else on this machine's worker processes. How the job ended is
recorded in the claim. A claim left unfinished by a watcher that went away (killed, machine lost, stopped)
is taken over by the next watcher that gets the case's lock, and the job resumes.

Progress goes to ``on_event`` as :class:`WatchEvent` values (one per state change of a manifest, and a
progress event every ``progress_seconds`` while a job runs). A manifest's problem (unreadable, unknown
case, evidence not found, a media hash mismatch) is an event and, once claimed, the claim's error; the
watcher goes on with the next manifest.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.ingest_lock import IngestBusy, ingest_lock, ingest_running
from forensics.case.lab_claims import (
    CANCELLED,
    FAILED,
    FINISHED,
    STOPPED,
    claim_item,
    read_claim,
    settle_claim,
    take_over,
)
from forensics.case.models import Evidence
from forensics.core.errors import CustosError
from forensics.core.progress import CancelToken, Progress
from forensics.pipeline.processing_profiles import load_profile
from forensics.services.context import CaseContext
from forensics.services.evidence import add_evidence, verify_evidence
from forensics.services.ingest import ingest_item
from forensics.services.lab_manifest import Manifest, ManifestError, manifests_in, read_manifest

POLL_SECONDS = 5.0  # between two looks at the watched folder
PROGRESS_SECONDS = 5.0  # between two progress events of a running job
WORKERS = 2  # worker processes of a job run on this machine (no cluster)
SLEEP_STEP = 0.2  # a stop request is seen within this time while the watcher waits
FAILED_VERIFICATIONS = ("mismatch", "failure")

OpenCase = Callable[[Path, str], CaseContext]  # (case folder, examiner) -> the case opened for writing


@dataclass(frozen=True)
class WatchEvent:
    """What happened to one manifest: ``state`` is one of invalid, busy, lost, error (looked at again),
    claimed, intake, ingest, progress, finished, stopped, cancelled, failed."""

    manifest: str
    item: str | None
    state: str
    message: str
    items_done: int = 0
    items_total: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    def text(self) -> str:
        counts = f" ({self.items_done}/{self.items_total} items)" if self.state == "progress" else ""
        return f"{self.manifest}: {self.item or '-'}: {self.state}: {self.message}{counts}"


def watcher_name() -> str:
    """This watcher's name in the claims it makes: host, process id and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LabWatcher:
    """Takes the jobs of the manifests in ``folder``, each exactly once across all watchers."""

    def __init__(
        self,
        folder: Path,
        open_case: OpenCase,
        *,
        cluster: str | None = None,
        workers: int = WORKERS,
        library: str | None = None,
        on_event: Callable[[WatchEvent], None] | None = None,
        name: str | None = None,
        progress_seconds: float = PROGRESS_SECONDS,
    ) -> None:
        self.folder = folder
        self.open_case = open_case
        self.cluster = cluster
        self.workers = workers
        self.library = library
        self.on_event = on_event
        self.name = name or watcher_name()
        self.progress_seconds = progress_seconds
        self.taken: list[str] = []  # items this watcher claimed and ran, in order
        self._settled: set[tuple[str, int, int]] = set()  # manifests (path, mtime, size) with nothing to do
        self._reported: set[tuple[str, str]] = set()  # (manifest, state) of waiting states said once

    # -- the loop ------------------------------------------------------------------------------------
    def run(self, cancel: CancelToken, interval: float = POLL_SECONDS, until_idle: bool = False) -> None:
        """Watch until cancelled; ``until_idle``: return once no manifest in the folder is left to do."""
        while not cancel.cancelled:
            waiting = self.scan(cancel)
            if until_idle and waiting == 0:
                return
            deadline = time.monotonic() + interval
            while not cancel.cancelled and time.monotonic() < deadline:
                time.sleep(min(SLEEP_STEP, interval))

    def scan(self, cancel: CancelToken) -> int:
        """One pass over the folder; returns how many manifests are still to do (by anyone)."""
        waiting = 0
        for path in manifests_in(self.folder):
            if cancel.cancelled:
                return waiting + 1
            key = _identity(path)
            if key is None or key in self._settled:
                continue
            try:
                still_to_do = self._take(path, key, cancel)
            except Exception as exc:  # noqa: BLE001 - e.g. a case database busy or unreachable: next pass
                self._emit_once_for(path.name, "error", f"{type(exc).__name__}: {exc}; looked at again later")
                still_to_do = True
            waiting += still_to_do
        return waiting

    # -- one manifest --------------------------------------------------------------------------------
    def _take(self, path: Path, key: tuple[str, int, int], cancel: CancelToken) -> bool:
        """Do what ``path`` asks if nobody has; returns whether it is still to do after this."""
        try:
            manifest = read_manifest(path)
            done_by = self._finished_claim(manifest)
        except (ManifestError, CustosError) as exc:
            self._settled.add(key)
            self._emit(path.name, None, "invalid", str(exc))
            return False
        if done_by is not None:
            self._settled.add(key)
            return False
        if ingest_running(manifest.case):
            self._emit_once(manifest, "busy", "another ingest runs on this case; looked at again later")
            return True
        try:
            with ingest_lock(manifest.case):
                still_to_do = self._run_claimed(manifest, cancel)
        except IngestBusy:
            self._emit_once(manifest, "busy", "another ingest runs on this case; looked at again later")
            return True
        except CustosError as exc:  # the case cannot be opened as the examiner (membership, passphrase)
            self._emit(path.name, manifest.item, "failed", str(exc))
            self._settled.add(key)
            return False
        if not still_to_do:
            self._settled.add(key)
        return still_to_do

    def _finished_claim(self, manifest: Manifest) -> str | None:
        """The watcher that finished the manifest's item, None when it is not finished."""
        db = CaseDatabase(manifest.case)
        try:
            claim = read_claim(db, manifest.item)
        finally:
            db.close()
        return claim.claimed_by if claim is not None and claim.final else None

    def _run_claimed(self, manifest: Manifest, cancel: CancelToken) -> bool:
        """Under the case's ingest lock: claim the item, then intake and ingest; False when settled."""
        name = manifest.path.name
        ctx = self.open_case(manifest.case, manifest.examiner)
        try:
            claim = read_claim(ctx.db, manifest.item)
            if claim is not None and claim.final:
                return False
            if claim is None:
                won = claim_item(ctx.db, manifest.item, name, manifest.sha256, self.name)
            else:  # its watcher went away: the lock we hold says no job runs on the case
                won = take_over(ctx.db, manifest.item, claim.claimed_by, self.name)
            if not won:
                self._emit(name, manifest.item, "lost", "claimed by another watcher")
                return True  # looked at again: it ends finished (settled) or is taken over
            how = "claimed" if claim is None else f"taken over from {claim.claimed_by} ({claim.status})"
            self._emit(name, manifest.item, "claimed", f"{how} by {self.name}")
            self.taken.append(manifest.item)
            status, job_id, error = self._process(ctx, manifest, cancel)
            settle_claim(ctx.db, manifest.item, self.name, status, job_id, error)
            return status == CANCELLED
        finally:
            ctx.close()

    def _process(
        self, ctx: CaseContext, manifest: Manifest, cancel: CancelToken
    ) -> tuple[str, int | None, str | None]:
        """Intake (unless done before) and the ingest job: (claim status, job id, error)."""
        name, item = manifest.path.name, manifest.item
        try:
            profile = load_profile(manifest.profile)
            self._intake(ctx, manifest)
            where = f"on the cluster {self.cluster}" if self.cluster else f"on {self.workers} local workers"
            self._emit(name, item, "ingest", f"profile {profile.name} {where}")
            result = ingest_item(
                ctx,
                item,
                profile,
                self.workers,
                cancel=cancel,
                on_progress=self._progress_reporter(name, item),
                library=self.library,
                cluster=self.cluster,
            )
        except CustosError as exc:
            self._emit(name, item, FAILED, str(exc))
            return FAILED, None, str(exc)
        except Exception as exc:  # noqa: BLE001 - one manifest's unforeseen error stops neither the others
            error = f"{type(exc).__name__}: {exc}"
            self._emit(name, item, FAILED, error)
            return FAILED, None, error
        outcome = result.outcome
        status = {"finished": FINISHED, "cancelled": CANCELLED}.get(outcome.status, STOPPED)
        machines = f", on {', '.join(outcome.machines)}" if outcome.machines else ""
        findings = f", {result.match.findings_added} findings" if result.match is not None else ""
        self._emit(
            name,
            item,
            status,
            f"job {outcome.job_id}: {outcome.items_done} items, {outcome.items_failed} errors"
            f"{findings}{machines}",
            outcome.items_done,
            outcome.items_total,
        )
        return status, outcome.job_id, None

    def _intake(self, ctx: CaseContext, manifest: Manifest) -> None:
        """Add the evidence item and verify its media, unless an earlier claim of it did."""
        name, item = manifest.path.name, manifest.item
        with ctx.db.session() as s:
            recorded = s.scalar(select(Evidence.path).where(Evidence.item == item))
        if recorded is not None:
            if Path(recorded).resolve() != manifest.evidence.resolve():
                raise CustosError(
                    f"the case already has an item {item!r} from {recorded}, not from {manifest.evidence}"
                )
            return
        if not manifest.evidence.exists():
            raise CustosError(f"evidence {manifest.evidence} not found")
        self._emit(name, item, "intake", f"adding {manifest.evidence} as {manifest.examiner}")
        result = add_evidence(ctx, manifest.evidence, item, manifest.intake)
        if result.extraction is not None or result.survey is None or result.survey.container == "folder":
            return  # an extraction is hashed and checked at intake; a folder has no media hash
        verified = verify_evidence(ctx, item, {})
        if verified.result in FAILED_VERIFICATIONS:
            raise CustosError(
                f"verification of {item} gave {verified.result.upper()}: the media does not match its "
                "acquisition hash; not ingested"
            )

    def _progress_reporter(self, name: str, item: str) -> Callable[[Progress], None]:
        last = [0.0]

        def report(progress: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= self.progress_seconds:
                last[0] = now
                self._emit(name, item, "progress", progress.phase, progress.items_done, progress.items_total)

        return report

    # -- events --------------------------------------------------------------------------------------
    def _emit(
        self, manifest: str, item: str | None, state: str, message: str, done: int = 0, total: int = 0
    ) -> None:
        if self.on_event is not None:
            self.on_event(WatchEvent(manifest, item, state, message, done, total))

    def _emit_once(self, manifest: Manifest, state: str, message: str) -> None:
        self._emit_once_for(manifest.path.name, state, message, manifest.item)

    def _emit_once_for(self, name: str, state: str, message: str, item: str | None = None) -> None:
        """An event of a waiting state, said once per manifest and state."""
        if (name, state) not in self._reported:
            self._reported.add((name, state))
            self._emit(name, item, state, message)


def _identity(path: Path) -> tuple[str, int, int] | None:
    """(path, modification time, size) of a manifest: an edited manifest is looked at again."""
    try:
        stat = path.stat()
    except OSError:
        return None  # gone between the listing and now
    return str(path), stat.st_mtime_ns, stat.st_size
