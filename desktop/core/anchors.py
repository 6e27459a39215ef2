"""Anchors: heads of the chain kept outside the project, which the project must still hold.

A forger who deletes the last events, or rewrites the log and hashes it all again, leaves a
chain that is intact on its own. What gives them away is a head published earlier - printed by
``crosscheck verify``, recorded in every audit export, signed in a checkpoint - that the log
no longer holds at its seq. Because every hash covers everything before it, holding that one
hash at that seq means holding every earlier event unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.audit import GENESIS_HASH
from desktop.core.errors import InvalidInput, shown

_HASH = re.compile(r"[0-9a-f]{64}")


def parse_head(text: str) -> str:
    """A head hash as the user typed it: 64 hexadecimal digits, any case, spaces ignored."""
    value = "".join(text.split()).lower()
    if not _HASH.fullmatch(value):
        raise InvalidInput(f"{text!r} is not a head hash (64 hexadecimal digits)")
    return value


@dataclass(frozen=True)
class ExpectedHead:
    """A head the chain must still hold; ``seq`` None means at whatever seq it is."""

    hash: str
    seq: int | None = None
    source: str = "the expected head"
    project_id: str | None = None  # the project an export says it came from


@dataclass(frozen=True)
class AnchorResult:
    expected: ExpectedHead
    ok: bool
    message: str
    found_seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.expected.source,
            "head_hash": self.expected.hash,
            "seq": self.expected.seq,
            "found_seq": self.found_seq,
            "ok": self.ok,
            "message": self.message,
        }


def check_anchor(
    expected: ExpectedHead,
    *,
    verified_events: int,
    last_seq: int,
    seq_of: Callable[[str], int | None],
    hash_at: Callable[[int], str | None],
    project_id: str | None,
) -> AnchorResult:
    """Whether the log still holds ``expected``.

    ``verified_events``: events 1..N that the hash chain proved; ``last_seq``: the log's last
    seq as stored; ``seq_of(hash)`` / ``hash_at(seq)`` look events up.
    """
    head, source = expected.hash, expected.source
    short = f"{head[:12]}…"
    if expected.project_id and project_id and expected.project_id != project_id:
        return AnchorResult(
            expected,
            False,
            f"{source} comes from another project (id {expected.project_id}, this one is "
            f"{project_id})",
        )
    if head == GENESIS_HASH and expected.seq in (None, 0):
        return AnchorResult(
            expected, True, f"{source} is the empty log, which every log extends", 0
        )
    found = seq_of(head)
    if found is not None and found <= verified_events:
        if expected.seq is not None and expected.seq != found:
            return AnchorResult(
                expected,
                False,
                f"{source} {short} is event {found} of the log, not event {expected.seq}",
                found,
            )
        since = verified_events - found
        return AnchorResult(
            expected,
            True,
            f"the log still holds {source} {short} at event {found} "
            f"({since} event{'s' if since != 1 else ''} since)",
            found,
        )
    if expected.seq is None:
        return AnchorResult(
            expected,
            False,
            f"the log does not hold {source} {short}: it was cut short or rewritten since "
            "(or the head is from another project)",
        )
    if expected.seq > last_seq:
        return AnchorResult(
            expected,
            False,
            f"the log ends at event {last_seq}, before {source} {short} at event "
            f"{expected.seq}: events were removed from its end",
        )
    if expected.seq > verified_events:
        return AnchorResult(
            expected,
            False,
            f"{source} {short} at event {expected.seq} cannot be confirmed: the chain is "
            f"broken before it",
        )
    actual = hash_at(expected.seq) or "missing"
    return AnchorResult(
        expected,
        False,
        f"event {expected.seq} has hash {actual[:12]}…, not {source} {short}: the log was "
        "rewritten up to there (or the head is from another project)",
    )


def export_anchor(path: Path) -> tuple[ExpectedHead, str | None]:
    """The head an audit export recorded, after re-checking the export's own chain.

    Returns the head and, if the export is not sound, why (then it vouches for nothing).
    """
    from desktop.core.exports.audit_log import SIDECAR_SUFFIX, check_audit_export, read_sidecar

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{shown(path)}: no such audit export")
    report = check_audit_export(path)
    project_id: str | None = None
    if path.suffix.lower() == ".csv":
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            project_id = read_sidecar(sidecar)[0].get("project_id")
    else:
        project_id = _jsonl_project_id(path)
    source = f"the export {shown(path.name)}"
    expected = ExpectedHead(report.head_hash, report.events, source, project_id)
    if not report.ok:
        return expected, f"{source} is not sound itself ({report.problem})"
    return expected, None


def _jsonl_project_id(path: Path) -> str | None:
    last = ""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                last = line
    try:
        summary = json.loads(last).get("summary")
    except (ValueError, AttributeError):
        return None
    value = summary.get("project_id") if isinstance(summary, dict) else None
    return value if isinstance(value, str) else None
