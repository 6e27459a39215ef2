"""Checking a whole project: SQLite's own checks, the audit triggers, the hash chain, every
row against the log (``core.replay``), every quote against its text, signed checkpoints, and
the heads the user kept outside the file (``core.anchors``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.anchors import AnchorResult, ExpectedHead, check_anchor, export_anchor
from desktop.core.audit import ChainReport, verify_chain
from desktop.core.replay import Problem
from desktop.core.signing import CheckpointResult, check_checkpoints, trusted_key_problems
from desktop.core.storage import replay_sqlite as reads
from desktop.core.storage.migrate import check_database
from desktop.core.storage.project import Project, translate_errors
from desktop.core.storage.replay_sqlite import ReplayReport, replay_file


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
                f"{self.rows_checked()} rows match the log; integrity and foreign keys checked"
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


def verify_project(project: Project, request: VerifyRequest = VerifyRequest()) -> VerifyReport:
    """Check everything; a file too damaged to read raises a one-line CrosscheckError.

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
    with translate_errors(project):
        return _verify_project(project, expected, list(request.trusted_keys), problems)


def check_log_and_rows(project: Project) -> tuple[ChainReport, ReplayReport]:
    """The hash chain and the replay of every row, side by side: both spend their time inside
    SQLite, which lets the other thread run."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-replay") as pool:
        replaying = pool.submit(_replay, project)
        conn = project.raw_connection()
        try:
            chain = verify_chain(conn)
        finally:
            conn.close()
        return chain, replaying.result()


def _replay(project: Project) -> ReplayReport:
    conn = project.raw_connection()
    try:
        return replay_file(conn)
    finally:
        conn.close()


def _verify_project(
    project: Project, expected: list[ExpectedHead], trusted: list[str], problems: list[str]
) -> VerifyReport:
    conn = project.raw_connection()
    try:
        problems += check_database(conn).problems
        chain, replay = check_log_and_rows(project)
        if not chain.ok:
            problems.append(f"audit chain broken at {chain.problem}")
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
            lambda seq: reads.hash_at(conn, seq),
            chain.events,
        )
        problems += [c.describe() for c in checkpoints if not c.ok]
        notes, key_problems = trusted_key_problems(checkpoints, trusted)
        problems += key_problems
        last = reads.last_seq(conn)
        anchors = [
            check_anchor(
                e,
                verified_events=chain.events,
                last_seq=last,
                seq_of=lambda digest: reads.seq_of(conn, digest),
                hash_at=lambda seq: reads.hash_at(conn, seq),
                project_id=project_id,
            )
            for e in expected
        ]
        problems += [a.message for a in anchors if not a.ok]
    finally:
        conn.close()
    return VerifyReport(chain, problems, replay, anchors, checkpoints, notes)
