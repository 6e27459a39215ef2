"""The audit log as CSV or JSON Lines, and re-checking such an export's hash chain.

Every event is exported in order with the columns ``AUDIT_COLUMNS``: the ten a reader wants
first, then ``event_id`` and ``reviewer_id``, which are hashed too and so are needed to
recompute the chain. ``before``/``after`` are the stored canonical JSON text, byte for byte.
Filters do not apply: a log with gaps could not be checked.

JSON Lines: one object per event with those keys, then one summary object
``{"summary": {"events": N, "head_hash": ..., ...}}``. A file without it was cut short.
U+2028 and U+2029 are written as ``\\u`` escapes, so tools that split lines on them cope.

CSV: a sidecar ``FILE.sha256`` holds ``# key: value`` comment lines (events, head_hash, cells,
project) and then ``<sha256 of FILE>  <name of FILE>``, so ``sha256sum -c FILE.sha256`` checks
the copy and ``check_audit_export`` re-checks the chain. Cells are spreadsheet-safe by default
in a reversible way: a ``'`` is put before every cell that starts with ``= + - @ '``, tab, CR
or LF, and exactly one leading ``'`` is removed when checking (the sidecar says ``cells: safe``;
``--raw`` writes ``cells: raw`` and the values untouched).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from desktop.core.audit import GENESIS_HASH, ChainReport, chain_hash, event_bytes
from desktop.core.errors import InvalidInput, shown
from desktop.core.exports.common import BATCH_ROWS, FORMULA_STARTS, Progress, Ticker, safe_cell
from desktop.core.model import iso_utc, utc_now
from desktop.core.store import Store, reads

AUDIT_COLUMNS = reads.EVENT_EXPORT_NAMES
_HASH = AUDIT_COLUMNS.index("hash")
SIDECAR_SUFFIX = ".sha256"
# A ' is escaped too, so that removing one leading ' when checking is always exact.
_AUDIT_FORMULA_STARTS = (*FORMULA_STARTS, "'")


@dataclass(frozen=True)
class AuditSummary:
    events: int
    head_hash: str


def project_meta(project: Store) -> dict[str, str]:
    with project.read() as conn:
        info = reads.project_info(conn)
    return {"project_id": info.id, "project": info.name} if info else {}


def _cell(value: object, safe: bool) -> object:
    if value is None:
        return ""
    if safe and isinstance(value, str):
        return safe_cell(value, _AUDIT_FORMULA_STARTS)
    return value


def write_audit_csv(
    project: Store,
    out: BinaryIO,
    *,
    spreadsheet_safe: bool = True,
    bom: bool = False,
    progress: Progress | None = None,
) -> AuditSummary:
    """Every event as a CSV row (see the module docstring for the columns and cell escaping)."""
    with project.read() as conn:
        ticker = Ticker(progress, reads.count_events(conn))
        ticker.report()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(AUDIT_COLUMNS)
        if bom:
            out.write("\ufeff".encode())
        head = GENESIS_HASH
        batch: list[list[object]] = []
        for row in reads.event_rows(conn):
            batch.append([row[0], *(_cell(v, spreadsheet_safe) for v in row[1:])])
            head = row[_HASH]
            if len(batch) == BATCH_ROWS:
                writer.writerows(batch)
                ticker.add(len(batch))
                batch = []
                out.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
        writer.writerows(batch)
        ticker.add(len(batch))
        out.write(buffer.getvalue().encode("utf-8"))
    return AuditSummary(ticker.done, head)


def sidecar_text(
    csv_name: str,
    file_sha256: str,
    summary: AuditSummary,
    *,
    spreadsheet_safe: bool,
    meta: dict[str, str],
) -> str:
    lines = [
        "# Crosscheck audit log export; check with: sha256sum -c " + csv_name + SIDECAR_SUFFIX,
        f"# events: {summary.events}",
        f"# head_hash: {summary.head_hash}",
        f"# cells: {'safe' if spreadsheet_safe else 'raw'}",
    ]
    for key in ("project_id", "project"):
        if key in meta:
            # One line each: a newline in a project name must not start a new entry.
            lines.append(f"# {key}: {' '.join(meta[key].split())}")
    lines.append(f"{file_sha256}  {csv_name}")
    return "\n".join(lines) + "\n"


def write_audit_jsonl(
    project: Store, out: BinaryIO, *, progress: Progress | None = None
) -> AuditSummary:
    """One JSON object per event, then the summary object."""
    meta = project_meta(project)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    head = GENESIS_HASH
    with project.read() as conn:
        ticker = Ticker(progress, reads.count_events(conn))
        ticker.report()
        lines: list[str] = []
        for row in reads.event_rows(conn):
            lines.append(dumps(dict(zip(AUDIT_COLUMNS, row, strict=True))))
            head = row[_HASH]
            if len(lines) == BATCH_ROWS:
                _write_lines(out, lines)
                ticker.add(len(lines))
                lines = []
        _write_lines(out, lines)
        ticker.add(len(lines))
    summary = AuditSummary(ticker.done, head)
    trailer = {
        "summary": {
            "events": summary.events,
            "head_hash": summary.head_hash,
            **meta,
            "exported_at": iso_utc(utc_now()),
        }
    }
    out.write((json.dumps(trailer, ensure_ascii=False) + "\n").encode("utf-8"))
    return summary


def _write_lines(out: BinaryIO, lines: list[str]) -> None:
    if not lines:
        return
    # U+2028 and U+2029 can only occur inside strings: escaped, tools that split lines on
    # them stay correct.
    text = "\n".join(lines).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    out.write((text + "\n").encode("utf-8"))


# --- checking an export ---------------------------------------------------------------------


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _check_events(events: Iterable[dict[str, Any]]) -> ChainReport:
    """Recompute the chain from exported events, as ``audit.verify_chain`` does from the table."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in events:
        try:
            seq = int(event["seq"])
            payload = event_bytes(
                seq=seq,
                event_id=event["event_id"],
                at=event["at"],
                reviewer_id=event["reviewer_id"],
                reviewer=event["reviewer"],
                action=event["action"],
                entity_type=event["entity_type"],
                entity_id=event["entity_id"],
                before=event["before"],
                after=event["after"],
            )
            prev, digest = event["prev_hash"], event["hash"]
        except (KeyError, TypeError, ValueError):
            line = event.get("_line", "?")
            return ChainReport(count, expected_prev, None, f"line {line} is not a complete event")
        if seq != expected_seq:
            return ChainReport(
                count,
                expected_prev,
                seq,
                f"sequence gap: event {seq} follows event {expected_seq - 1}",
            )
        if prev != expected_prev:
            return ChainReport(
                count,
                expected_prev,
                seq,
                f"event {seq}: previous hash does not match event {seq - 1}",
            )
        if chain_hash(prev, payload) != digest:
            return ChainReport(
                count,
                expected_prev,
                seq,
                f"event {seq} ({event['action']} {event['entity_type']} {event['entity_id']}): "
                "hash does not match its content",
            )
        expected_prev = digest
        expected_seq += 1
        count += 1
    return ChainReport(count, expected_prev)


def _with_summary(report: ChainReport, summary: dict[str, Any] | None, where: str) -> ChainReport:
    if not report.ok:
        return report
    if summary is None:
        return ChainReport(
            report.events,
            report.head_hash,
            None,
            f"{where} is missing: the export may be cut short",
        )
    if str(summary.get("events")) != str(report.events):
        return ChainReport(
            report.events,
            report.head_hash,
            None,
            f"{where} says {summary.get('events')} events but the file holds {report.events}",
        )
    if summary.get("head_hash") != report.head_hash:
        return ChainReport(
            report.events, report.head_hash, None, f"{where} names another head hash"
        )
    return report


def check_audit_jsonl(path: Path) -> ChainReport:
    """Re-check an audit JSON Lines export: every hash, the links, the summary line."""
    summary: dict[str, Any] | None = None
    problem: str | None = None

    def events() -> Iterator[dict[str, Any]]:
        nonlocal summary, problem
        with Path(path).open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                if summary is not None:
                    problem = f"line {number} follows the summary line"
                    return
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    problem = f"line {number} is not valid JSON"
                    return
                if not isinstance(obj, dict):
                    problem = f"line {number} is not a JSON object"
                    return
                if "summary" in obj and "seq" not in obj:
                    summary = obj["summary"] if isinstance(obj["summary"], dict) else {}
                    continue
                obj["_line"] = number
                yield obj

    try:
        report = _check_events(events())
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {shown(path)}: {exc}") from None
    if problem and report.ok:
        return ChainReport(report.events, report.head_hash, None, problem)
    return _with_summary(report, summary, "the summary line")


_SIDECAR_LINE = re.compile(r"^#\s*([a-z_]+):\s*(.*)$")


def read_sidecar(path: Path) -> tuple[dict[str, str], str | None, str | None]:
    """The ``# key: value`` entries, and the checksum line's hash and file name."""
    entries: dict[str, str] = {}
    digest = name = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _SIDECAR_LINE.match(line)
        if match:
            entries[match.group(1)] = match.group(2).strip()
        elif re.match(r"^[0-9a-f]{64}  ", line):
            digest, name = line[:64], line[66:]
    return entries, digest, name


def check_audit_csv(path: Path, *, sidecar: Path | None = None) -> ChainReport:
    """Re-check an audit CSV export against its sidecar: the file's checksum, then the chain."""
    import hashlib

    path = Path(path)
    sidecar = sidecar or path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        entries, digest, _name = read_sidecar(sidecar)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(
            f"cannot check {shown(path)}: {shown(exc.filename)} does not exist"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot check {shown(path)}: {exc}") from None
    if digest is None:
        return ChainReport(0, GENESIS_HASH, None, f"{sidecar.name} has no checksum line")
    if hashlib.sha256(data).hexdigest() != digest:
        return ChainReport(
            0, GENESIS_HASH, None, f"{path.name} differs from the checksum in {sidecar.name}"
        )
    safe = entries.get("cells", "safe") != "raw"
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != AUDIT_COLUMNS:
        return ChainReport(0, GENESIS_HASH, None, f"{path.name} does not have the audit columns")

    def events() -> Iterator[dict[str, Any]]:
        for number, row in enumerate(reader, 2):
            event: dict[str, Any] = {
                k: (_unescape(v) if safe and isinstance(v, str) else v) for k, v in row.items()
            }
            for key in ("before", "after"):
                if event.get(key) == "":
                    event[key] = None
            event["_line"] = number
            yield event

    report = _check_events(events())
    summary = {"events": entries.get("events"), "head_hash": entries.get("head_hash")}
    return _with_summary(report, summary, sidecar.name)


def check_audit_export(path: Path) -> ChainReport:
    """Check an audit export made by Crosscheck, CSV (with its sidecar) or JSON Lines."""
    path = Path(path)
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return check_audit_jsonl(path)
    return check_audit_csv(path)
