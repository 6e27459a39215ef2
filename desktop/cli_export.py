"""``crosscheck export``: verdicts, the audit log and standard formats, to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.core.errors import InvalidInput, shown
from desktop.core.model import Verdict

PROG = "crosscheck"

EPILOG = """\
formats:
  csv          one row per annotation (spreadsheet-safe cells; --raw for scripts)
  audit-csv    every audit event; with -o also FILE.sha256 (check: sha256sum -c FILE.sha256)
  audit-jsonl  every audit event as JSON Lines, then one summary line
  w3c          W3C Web Annotation AnnotationCollection (JSON-LD)
  claimreview  schema.org ClaimReview (JSON-LD)
  html         printable self-contained report
"""


# The names of desktop.core.exports.FORMATS (a test keeps them equal): listing them here
# spares every other command loading all the exporters.
FORMATS = ("csv", "audit-csv", "audit-jsonl", "w3c", "claimreview", "html")


def add_export_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``export`` on the CLI's subparsers."""

    help_text = "export verdicts, the audit log or a report (to stdout without -o)"
    p = subparsers.add_parser(
        "export",
        help=help_text,
        description=help_text,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=cmd_export)
    p.add_argument("project", metavar="PROJECT", help="project file (.crosscheck)")
    p.add_argument(
        "--format",
        "-f",
        default="csv",
        choices=list(FORMATS),
        metavar="FORMAT",
        help=f"{', '.join(FORMATS)} (default: csv)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here (replaced only when done)")
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="if FILE is a symbolic link, write to its target (refused otherwise)",
    )
    p.add_argument("--article", action="append", metavar="A", help="only this article (repeatable)")
    p.add_argument(
        "--verdict",
        action="append",
        choices=[v.value for v in Verdict],
        help="only this verdict (repeatable)",
    )
    p.add_argument(
        "--reviewer", action="append", metavar="R", help="only annotations last changed by R"
    )
    p.add_argument("--include-deleted", action="store_true", help="deleted annotations too")
    p.add_argument(
        "--final",
        action="store_true",
        help="only adjudicated final verdicts (CSV adds a 'settles' column)",
    )
    p.add_argument(
        "--as",
        dest="viewer",
        metavar="NAME",
        help="whose view of a blind review to export (default: $CROSSCHECK_REVIEWER)",
    )
    p.add_argument(
        "--raw", action="store_true", help="CSV: write cells untouched (not spreadsheet-safe)"
    )
    p.add_argument("--excel", action="store_true", help="CSV: start with a UTF-8 byte order mark")
    return p


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.cli import _short, with_password
    from desktop.core.exports import (
        AnnotationFilter,
        ExportOptions,
        check_options,
        export_to_path,
        export_to_stream,
        get_format,
        resolve_filter,
    )
    from desktop.core.exports.common import check_target, is_stream
    from desktop.core.outputs import SymlinkRefused
    from desktop.core.store import open_store

    fmt = get_format(args.format)
    wants_filter = bool(
        args.article or args.verdict or args.reviewer or args.include_deleted or args.final
    )
    # Check what needs no project first, so a typo costs nothing.
    check_options(
        fmt,
        ExportOptions(
            filter=AnnotationFilter(include_deleted=True) if wants_filter else AnnotationFilter(),
            spreadsheet_safe=not args.raw,
            bom=args.excel,
        ),
    )
    if args.output is not None and not args.output.strip():
        raise InvalidInput("-o needs a file name")
    viewer = _viewer(args)
    # Read-only: an export never changes the project and works on read-only copies.
    with with_password(
        lambda password: open_store(args.project, read_only=True, password=password)
    ) as project:
        for message in project.messages:
            if not message.startswith("Opened read-only"):  # asked for, so not news
                print(f"crosscheck: {_short(project)}: {message}", file=sys.stderr)
        if args.output:
            try:
                target = check_target(
                    _path(args.output), project=project, follow_symlinks=args.follow_symlinks
                )
            except SymlinkRefused as exc:
                raise InvalidInput(f"{exc} (--follow-symlinks writes to its target)") from None
        flt = resolve_filter(
            project,
            articles=args.article or (),
            verdicts=args.verdict or (),
            reviewers=args.reviewer or (),
            include_deleted=args.include_deleted,
            final_only=args.final,
            viewer=viewer,
        )
        if not fmt.filtered:
            if flt.blind_articles:
                who = viewer or "a reviewer not named (give --as NAME)"
                raise InvalidInput(
                    "the audit log holds every reviewer's annotations; it is not exported "
                    f"while blind review hides the others' from {who} on "
                    f"{len(flt.blind_articles)} article(s)"
                )
            flt = AnnotationFilter()
        options = ExportOptions(filter=flt, spreadsheet_safe=not args.raw, bom=args.excel)
        if args.output:
            result = export_to_path(project, fmt.name, target, options)
        else:
            sys.stdout.flush()
            out = getattr(sys.stdout, "buffer", None) or _TextSink(sys.stdout)
            export_to_stream(project, fmt.name, out, options)
            out.flush()
            return 0
    noun = fmt.counts + ("" if result.count == 1 else "s")
    line = f"Exported {result.count} {noun} to {shown(result.path)}"
    if result.sidecar is not None:
        line += f" (checksum and head hash in {shown(result.sidecar.name)})"
    if result.head_hash is not None:
        line += f"; head {result.head_hash} at event {result.count}"
    # Into a pipe or device (-o /dev/stdout) the report would mix with the data.
    streamed = result.path is not None and is_stream(result.path)
    print(line, file=sys.stderr if streamed else sys.stdout)
    return 0


class _TextSink:
    """Bytes to a text stream that has no binary buffer (standard output replaced in tests)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def _viewer(args: argparse.Namespace) -> str | None:
    import os

    name = (args.viewer or os.environ.get("CROSSCHECK_REVIEWER", "")).strip()
    return name or None


def _path(value: str) -> Any:
    from pathlib import Path

    return Path(value).expanduser()
