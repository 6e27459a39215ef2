"""Checking a whole project: SQLite's own checks, the audit triggers, the hash chain, and that
article texts and quotes are still what was imported and tagged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from desktop.core.audit import ChainReport, verify_chain
from desktop.core.storage.migrate import check_database
from desktop.core.storage.project import Project, translate_errors


@dataclass(frozen=True)
class VerifyReport:
    chain: ChainReport
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.chain.events} audit events, chain intact "
                f"(head {self.chain.head_hash}); integrity and foreign keys checked"
            )
        return "; ".join(self.problems)


def verify_project(project: Project) -> VerifyReport:
    """Check everything; a file too damaged to read raises a one-line CrosscheckError."""
    with translate_errors(project):
        return _verify_project(project)


def _verify_project(project: Project) -> VerifyReport:
    conn = project.raw_connection()
    try:
        problems = list(check_database(conn).problems)
        chain = verify_chain(conn)
        if not chain.ok:
            problems.append(f"audit chain broken at {chain.problem}")
        for article_id, title, text, digest in conn.execute(
            "SELECT id, title, text, text_sha256 FROM articles ORDER BY imported_at"
        ):
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                problems.append(f"article {title!r} ({article_id}): text differs from the import")
        # substr() counts code points, as the stored offsets do.
        bad = conn.execute(
            "SELECT a.id FROM annotations a JOIN articles t ON t.id = a.article_id "
            'WHERE substr(t.text, a.start + 1, a."end" - a.start) != a.quote '
            'OR a."end" > t.text_length LIMIT 1'
        ).fetchone()
        if bad:
            problems.append(f"annotation {bad[0]}: its quote no longer matches the article text")
    finally:
        conn.close()
    return VerifyReport(chain=chain, problems=problems)
