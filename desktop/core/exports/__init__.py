"""Exports of a project: verdicts as CSV, the audit log, W3C Web Annotation, ClaimReview, HTML.

``export_to_path`` writes a file safely (complete or not at all); ``export_to_stream`` writes
to an open binary stream such as standard output. Both take ``ExportOptions`` (filters, cell
safety, BOM) and an optional ``progress(done, total)`` callback that may return False to
cancel. A project opened read-only is enough.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.core.errors import InvalidInput
from desktop.core.exports import audit_log, claimreview, csv_verdicts, html_report, w3c
from desktop.core.exports.common import (
    DEFAULT_OPTIONS,
    AnnotationFilter,
    ExportCancelled,
    ExportFailed,
    ExportOptions,
    ExportResult,
    HashingWriter,
    Progress,
    check_target,
    is_stream,
    resolve_filter,
    staged_file,
)
from desktop.core.store import Store


@dataclass(frozen=True)
class ExportFormat:
    """One export format. ``filtered``: honours the annotation filters; ``cells``: a CSV whose
    cells can be spreadsheet-safe and carry a BOM."""

    name: str
    label: str
    suffix: str
    filtered: bool
    cells: bool
    counts: str  # what ``ExportResult.count`` counts


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "Verdicts (CSV)", ".csv", True, True, "annotation"),
        ExportFormat("audit-csv", "Audit log (CSV + checksum)", ".csv", False, True, "event"),
        ExportFormat("audit-jsonl", "Audit log (JSON Lines)", ".jsonl", False, False, "event"),
        ExportFormat("w3c", "W3C Web Annotation (JSON-LD)", ".jsonld", True, False, "annotation"),
        ExportFormat("claimreview", "ClaimReview (JSON-LD)", ".jsonld", True, False, "annotation"),
        ExportFormat("html", "Printable report (HTML)", ".html", True, False, "annotation"),
    )
}

_Writer = Callable[[Store, BinaryIO, ExportOptions, "Progress | None"], int]
_WRITERS: dict[str, _Writer] = {
    "csv": csv_verdicts.write_csv,
    "w3c": w3c.write_w3c,
    "claimreview": claimreview.write_claimreview,
    "html": html_report.write_html,
}


def get_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise InvalidInput(f"unknown export format {name!r} (choose {choices})") from None


def check_options(fmt: ExportFormat, options: ExportOptions) -> None:
    """Refuse options that would be silently ignored by this format."""
    if not fmt.filtered and not options.filter.is_default:
        raise InvalidInput(
            f"filters do not apply to {fmt.name}: the audit log is exported whole so its chain "
            "can be checked"
        )
    if not fmt.cells and options.bom:
        raise InvalidInput(f"a byte order mark (--excel) applies only to CSV, not {fmt.name}")
    if not fmt.cells and not options.spreadsheet_safe:
        raise InvalidInput(f"--raw applies only to CSV, not {fmt.name}")


def export_to_stream(
    project: Store,
    fmt_name: str,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> ExportResult:
    """Write one export to an open binary stream. An audit CSV gets no sidecar here."""
    fmt = get_format(fmt_name)
    check_options(fmt, options)
    if fmt.name == "audit-csv":
        summary = audit_log.write_audit_csv(
            project,
            out,
            spreadsheet_safe=options.spreadsheet_safe,
            bom=options.bom,
            progress=progress,
        )
        return ExportResult(fmt.name, summary.events, head_hash=summary.head_hash)
    if fmt.name == "audit-jsonl":
        summary = audit_log.write_audit_jsonl(project, out, progress=progress)
        return ExportResult(fmt.name, summary.events, head_hash=summary.head_hash)
    count = _WRITERS[fmt.name](project, out, options, progress)
    return ExportResult(fmt.name, count)


def export_to_path(
    project: Store,
    fmt_name: str,
    path: str | os.PathLike[str],
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    *,
    follow_symlinks: bool = False,
) -> ExportResult:
    """Write one export to ``path``, replacing it only once the export is complete.

    An audit CSV also gets ``path.sha256`` (see ``audit_log``). A FIFO or device is written
    into (an audit CSV then has no sidecar, as on standard output); a symbolic link is
    refused unless ``follow_symlinks``, and then its target is written.
    """
    fmt = get_format(fmt_name)
    check_options(fmt, options)
    target = check_target(Path(path), project=project, follow_symlinks=follow_symlinks)
    if fmt.name != "audit-csv" or is_stream(target):
        with staged_file(target) as fh:
            result = export_to_stream(project, fmt.name, fh, options, progress)
        return ExportResult(fmt.name, result.count, target, head_hash=result.head_hash)

    sidecar = check_target(
        target.with_name(target.name + audit_log.SIDECAR_SUFFIX),
        project=project,
        follow_symlinks=follow_symlinks,
    )
    # The CSV is moved into place first, then its sidecar.
    with staged_file(sidecar) as side, staged_file(target) as fh:
        hashing = HashingWriter(fh)
        summary = audit_log.write_audit_csv(
            project,
            hashing,  # type: ignore[arg-type]
            spreadsheet_safe=options.spreadsheet_safe,
            bom=options.bom,
            progress=progress,
        )
        text = audit_log.sidecar_text(
            target.name,
            hashing.sha256.hexdigest(),
            summary,
            spreadsheet_safe=options.spreadsheet_safe,
            meta=audit_log.project_meta(project),
        )
        side.write(text.encode("utf-8"))
    return ExportResult(fmt.name, summary.events, target, sidecar, summary.head_hash)


__all__ = [
    "DEFAULT_OPTIONS",
    "FORMATS",
    "AnnotationFilter",
    "ExportCancelled",
    "ExportFailed",
    "ExportFormat",
    "ExportOptions",
    "ExportResult",
    "Progress",
    "check_options",
    "export_to_path",
    "export_to_stream",
    "get_format",
    "resolve_filter",
]
