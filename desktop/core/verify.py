"""Checking a whole project: the database's own checks, the audit guards, the hash chain, every
row against the log (``core.replay``), every quote against its text, signed checkpoints, and
the heads the user kept outside the project (``core.anchors``).

Every backend gets the same checks: a backend may answer the heavy ones faster (the SQLite
file compares its rows in bulk), and the portable path (``store.replay``) does the rest."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.anchors import AnchorResult, ExpectedHead, check_anchor, export_anchor
from desktop.core.audit import ChainReport, verify_chain
from desktop.core.merge import check_provenance
from desktop.core.replay import Problem, ReplayReport
from desktop.core.signing import CheckpointResult, check_checkpoints, trusted_key_problems
from desktop.core.store import Store, reads


@dataclass(frozen=True)
class VerifyRequest:
    """What to check beyond the file itself: heads published earlier, audit exports the
    project must still extend, public keys trusted to have signed checkpoints."""

    expected: tuple[ExpectedHead, ...] = ()
    exports: tuple[Path, ...] = ()
    trusted_keys: tuple[str, ...] = ()  # public key lines


@dataclass(frozen=True)
class VerifyReport:
    chain: ChainReport
    problems: list[str] = field(default_factory=list)
    replay: ReplayReport | None = None
    anchors: list[AnchorResult] = field(default_factory=list)
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what trusted keys vouch for
    database_checks: str = "integrity and foreign keys checked"  # the store's own words

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def mismatches(self) -> list[Problem]:
        return list(self.replay.problems) if self.replay else []

    def rows_checked(self) -> int:
        return sum(self.replay.rows.values()) if self.replay else 0

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.chain.events} audit events, chain intact "
                f"(head {self.chain.head_hash} at event {self.chain.events}); "
                f"{self.rows_checked()} rows match the log; {self.database_checks}"
            )
        return "; ".join(self.problems)

    def details(self) -> list[str]:
        """What held, one line each: anchors, checkpoints, trusted keys (what failed is in
        ``problems``)."""
        return (
            [a.message for a in self.anchors if a.ok]
            + [c.describe() for c in self.checkpoints if c.ok]
            + list(self.notes)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.chain.events,
            "head_hash": self.chain.head_hash,
            "head_seq": self.chain.events,
            "first_bad_event": self.chain.first_bad_seq,
            "problems": self.problems,
            "rows": dict(self.replay.rows) if self.replay else {},
            "mismatches": [p.to_json() for p in self.mismatches],
            "anchors": [a.to_json() for a in self.anchors],
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "notes": self.notes,
        }


def verify_project(store: Store, request: VerifyRequest = VerifyRequest()) -> VerifyReport:
    """Check everything; a project too damaged to read raises a one-line CrosscheckError.

    Exports named in ``request`` are read first, so a missing one costs nothing.
    """
    expected = list(request.expected)
    problems: list[str] = []
    for path in request.exports:
        head, unsound = export_anchor(path)
        if unsound:
            problems.append(unsound)
        else:
            expected.append(head)
    with store.translate_errors():
        return _verify(store, expected, list(request.trusted_keys), problems)


def check_log_and_rows(store: Store) -> tuple[ChainReport, ReplayReport]:
    """The hash chain and the replay of every row, side by side: both spend most of their
    time in the database or in hashing, which lets the other thread run."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-replay") as pool:
        replaying = pool.submit(replay_rows, store)
        chain = verify_chain(store)
        return chain, replaying.result()


def replay_rows(store: Store) -> ReplayReport:
    """Every row against the log: the backend's fast path, or the portable replay. Events
    merged in from copies are told apart first (``store.replay.merged_events``)."""
    from desktop.core.store.replay import merged_events, replay_store

    with store.translate_errors():
        with store.read() as conn:
            merges = merged_events(conn)
        report = store.replay_log(merges.branches)
        if report is None:
            with store.read() as conn:
                report = replay_store(conn, merges.branches)
    report.add(merges.problems)
    report.merges = merges
    return report


def _verify(
    store: Store, expected: list[ExpectedHead], trusted: list[str], problems: list[str]
) -> VerifyReport:
    problems += store.check_database()
    chain, replay = check_log_and_rows(store)
    if not chain.ok:
        problems.append(f"audit chain broken at {chain.problem}")
    with store.read() as conn:
        problems += check_provenance(conn)
        misplaced = reads.first_misplaced_quote(conn)
        if misplaced:
            problems.append(f"annotation {misplaced}: its quote no longer matches the article text")
        problems += [p.message for p in replay.problems]
        if replay.more:
            problems.append(f"… and {replay.more} more differences between rows and log")
        project_id = reads.logged_project_id(conn)
        checkpoints = check_checkpoints(
            project_id,
            replay.states.get("signing_key", []),
            replay.states.get("checkpoint", []),
            # A checkpoint merged in from a copy signs the copy's chain.
            lambda seq, signed: replay.merges.hash_in_copy(
                seq, signed, lambda at: reads.event_hash(conn, at)
            ),
            chain.events,
        )
        problems += [c.describe() for c in checkpoints if not c.ok]
        notes, key_problems = trusted_key_problems(checkpoints, trusted)
        problems += key_problems
        last = reads.chain_bounds(conn)[1] or 0
        anchors = [
            check_anchor(
                e,
                verified_events=chain.events,
                last_seq=last,
                seq_of=lambda digest: reads.event_seq(conn, digest),
                hash_at=lambda seq: reads.event_hash(conn, seq),
                project_id=project_id,
            )
            for e in expected
        ]
    problems += [a.message for a in anchors if not a.ok]
    return VerifyReport(chain, problems, replay, anchors, checkpoints, notes, store.database_checks)
