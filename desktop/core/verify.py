"""Checking a whole project: SQLite's own checks, the audit triggers, the hash chain, every
row against the log (``core.replay``), every quote against its text, signed checkpoints, and
the heads the user kept outside the file (``core.anchors``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.anchors import AnchorResult, ExpectedHead, check_anchor, export_anchor
from desktop.core.audit import ChainReport, verify_chain
from desktop.core.replay import Problem
from desktop.core.signing import CheckpointResult, check_checkpoints, trusted_key_problems
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
        """One line per anchor, checkpoint and trusted key, for a report."""
        return (
            [a.message for a in self.anchors]
            + [c.describe() for c in self.checkpoints]
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
        return _verify_project(project, expected, request.trusted_keys, problems)


def _replay(project: Project) -> ReplayReport:
    conn = project.raw_connection()
    try:
        return replay_file(conn)
    finally:
        conn.close()


def _verify_project(
    project: Project,
    expected: Sequence[ExpectedHead],
    trusted: Sequence[str],
    early: list[str],
) -> VerifyReport:
    conn = project.raw_connection()
    # The replay reads on its own connection while this thread walks the chain: both spend
    # their time inside SQLite, which lets other threads run.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-replay") as pool:
        replaying = pool.submit(_replay, project)
        try:
            problems = list(check_database(conn).problems)
            chain = verify_chain(conn)
            if not chain.ok:
                problems.append(f"audit chain broken at {chain.problem}")
            # substr() counts code points, as the stored offsets do.
            bad = conn.execute(
                "SELECT a.id FROM annotations a JOIN articles t ON t.id = a.article_id "
                'WHERE substr(t.text, a.start + 1, a."end" - a.start) != a.quote '
                'OR a."end" > t.text_length LIMIT 1'
            ).fetchone()
            if bad:
                problems.append(
                    f"annotation {bad[0]}: its quote no longer matches the article text"
                )
            replay = replaying.result()
            problems += [p.message for p in replay.problems]
            if replay.more:
                problems.append(f"… and {replay.more} more differences between rows and log")
            project_id = _logged_project_id(conn)

            def hash_at(seq: int) -> str | None:
                row = conn.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()
                return None if row is None else str(row[0])

            def seq_of(digest: str) -> int | None:
                row = conn.execute(
                    "SELECT seq FROM audit_events WHERE hash = ?", (digest,)
                ).fetchone()
                return None if row is None else int(row[0])

            last_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
            checkpoints = check_checkpoints(
                project_id,
                replay.states.get("signing_key", []),
                replay.states.get("checkpoint", []),
                hash_at,
                chain.events,
            )
            problems += [c.describe() for c in checkpoints if not c.ok]
            notes, key_problems = trusted_key_problems(checkpoints, trusted)
            problems += key_problems
            anchors = [
                check_anchor(
                    e,
                    verified_events=chain.events,
                    last_seq=int(last_seq),
                    seq_of=seq_of,
                    hash_at=hash_at,
                    project_id=project_id,
                )
                for e in expected
            ]
            problems += [a.message for a in anchors if not a.ok]
        finally:
            conn.close()
    return VerifyReport(
        chain=chain,
        problems=early + problems,
        replay=replay,
        anchors=anchors,
        checkpoints=checkpoints,
        notes=notes,
    )


def _logged_project_id(conn: Any) -> str | None:
    """The project's id as its creation event logged it (the row could have been changed)."""
    row = conn.execute(
        "SELECT after FROM audit_events WHERE entity_type = 'project' ORDER BY seq LIMIT 1"
    ).fetchone()
    try:
        value = json.loads(row[0]).get("id") if row and row[0] else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
