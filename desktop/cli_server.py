"""``crosscheck copy`` and ``crosscheck merge``: moving a project, and bringing a copy back."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop.core.errors import InvalidInput

PROG = "crosscheck"
CHOICES = ("shared", "copy", "combine")

COPY_EPILOG = """\
SRC and DST are project files or postgresql:// URLs. The copy keeps every id and the audit
trail verbatim (the same head hash). DST must not exist yet (a file) or be an empty database;
with --update, DST may be an older copy of the same project, which is brought up to date.
"""

MERGE_EPILOG = """\
Brings the articles, annotations and edits made in COPY (a copy of SHARED taken earlier and
worked on elsewhere) into SHARED, with their audit events and original reviewers. An
annotation changed in both since the copy was made is a conflict: without a decision the
conflicts are listed and nothing changes. Decide with
  --resolve ID=shared    keep the shared project's version
  --resolve ID=copy      take the copy's version
  --resolve ID=combine   keep both sides' changes: notes joined, evidence of both, and where
                         both changed the verdict, the shared one
or --resolve-all CHOICE for every conflict not named. Merging the same copy again brings
nothing new.
"""


def add_server_commands(subparsers: Any) -> None:
    """Register ``copy`` and ``merge`` on the CLI's subparsers."""
    help_text = "copy a project between a file and a server (or file to file), verbatim"
    p = subparsers.add_parser(
        "copy",
        help=help_text,
        description=help_text,
        epilog=COPY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=cmd_copy)
    p.add_argument("source", metavar="SRC", help="project file or postgresql:// URL")
    p.add_argument("destination", metavar="DST", help="new file, or URL of an empty database")
    p.add_argument(
        "--update", action="store_true", help="bring an older copy of the same project up to date"
    )

    help_text = "bring the work done on an offline copy back into the shared project"
    p = subparsers.add_parser(
        "merge",
        help=help_text,
        description=help_text,
        epilog=MERGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=cmd_merge)
    p.add_argument("project", metavar="SHARED", help="the shared project (file or URL)")
    p.add_argument("copy", metavar="COPY", help="the copy to bring in (file or URL)")
    p.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="ID=CHOICE",
        help="decide one conflict: ID (or a unique prefix) = shared, copy or combine",
    )
    p.add_argument("--resolve-all", choices=CHOICES, metavar="CHOICE",
                   help="decide every conflict not named by --resolve")  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be merged; change nothing"
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("--reviewer", metavar="NAME",
                   help="who merges (default: $CROSSCHECK_REVIEWER)")  # fmt: skip


def cmd_copy(args: argparse.Namespace) -> int:
    from desktop.cli import _short, with_password
    from desktop.core.store import is_server_url, open_store
    from desktop.core.transfer import copy_project

    source = with_password(lambda pw: open_store(args.source, read_only=True, password=pw))
    with source:
        for message in source.messages:
            if not message.startswith("Opened read-only"):
                print(f"{PROG}: {_short(source)}: {message}", file=sys.stderr)
        password = None
        if is_server_url(args.destination):
            password = with_password(lambda pw: _check_server(args.destination, pw))
        report = copy_project(source, args.destination, update=args.update, password=password)
    if report.created:
        print(
            f"Copied {source.location} to {report.destination}: {report.events} audit events, "
            f"head {report.head_hash}"
        )
    elif report.added_events:
        print(
            f"Brought {report.destination} up to date: {report.added_events} new audit "
            f"event(s), {report.events} in all, head {report.head_hash}"
        )
    else:
        print(f"{report.destination} is already up to date (head {report.head_hash})")
    return 0


def _check_server(url: str, password: str | None) -> str | None:
    from desktop.core.store.postgres import PostgresStore

    PostgresStore(url, password=password).connect().close()
    return password


def _choices(args: argparse.Namespace) -> dict[str, str]:
    choices: dict[str, str] = {}
    for item in args.resolve:
        ref, sep, choice = item.partition("=")
        ref, choice = ref.strip(), choice.strip().lower()
        if not sep or not ref or choice not in CHOICES:
            raise InvalidInput(
                f"--resolve {item!r}: write ID=CHOICE, CHOICE one of {', '.join(CHOICES)}"
            )
        choices[ref] = choice
    return choices


def cmd_merge(args: argparse.Namespace) -> int:
    from desktop.cli import _open, _print_json, _reviewer, with_password
    from desktop.core import operations
    from desktop.core.merge import DecisionsNeeded
    from desktop.core.store import open_store, reads

    reviewer = _reviewer(args)
    given = _choices(args)
    with _open(args, writes=True) as shared:
        copy = with_password(lambda pw: open_store(args.copy, read_only=True, password=pw))
        with copy:
            try:
                result = operations.merge_copy(
                    shared,
                    copy,
                    reviewer=reviewer,
                    choices=given,
                    default=args.resolve_all,
                    dry_run=args.dry_run,
                )
            except DecisionsNeeded as exc:
                if args.json:
                    _print_json(_json(exc.plan, merged=False, undecided=exc.undecided))
                else:
                    _print_conflicts(exc.undecided)
                print(f"{PROG}: error: {exc}", file=sys.stderr)
                return 1
        if args.dry_run:
            if args.json:
                _print_json(_json(result.plan, merged=False, undecided=list(result.undecided)))
            else:
                print(f"Would merge {copy.location} into {shared.location}: "
                      f"{result.plan.summary()}")  # fmt: skip
                _print_conflicts(list(result.undecided))
            return 1 if result.undecided else 0
        with shared.read() as conn:
            head = reads.head_event(conn)
    head_hash = head[1] if head else ""
    if args.json:
        out = _json(result.plan, merged=bool(result.changes), undecided=[])
        out["resolutions"] = dict(result.chosen)
        out["head_hash"] = head_hash
        _print_json(out)
    elif result.changes:
        decided = ", ".join(
            f"{n} {choice}" for choice in CHOICES
            if (n := sum(1 for c in result.chosen.values() if c == choice))
        )  # fmt: skip
        print(
            f"Merged {copy.location} into {shared.location}: {result.plan.summary(done=True)}"
            + (f"; conflicts decided: {decided}" if decided else "")
            + f"; head {head_hash}"
        )
    else:
        print(f"{shared.location}: {result.plan.summary()}")
    return 0


def _json(plan: Any, *, merged: bool, undecided: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"merged": merged, **plan.to_json()}
    out["undecided"] = [c.entity_id for c in undecided]
    return out


def _print_conflicts(conflicts: list[Any]) -> None:
    if not conflicts:
        return
    n = len(conflicts)
    print(f"{n} conflicting edit{'s' if n != 1 else ''} (changed in both since the copy was made):")
    for c in conflicts:
        print(f"  {c.entity_id[:8]}  {c.label}")
        print(f"      shared ({', '.join(c.shared_by) or '?'}): {_describe(c, 'shared')}")
        print(f"      copy   ({', '.join(c.copy_by) or '?'}): {_describe(c, 'copy')}")
    print("Decide with --resolve ID=shared|copy|combine, or --resolve-all CHOICE.")


def _describe(conflict: Any, side: str) -> str:
    """The fields in which this side differs from the other, briefly."""
    parts = [f"{label.lower()} {value}".strip() for label, value in conflict.differing(side)]
    return "; ".join(parts) or "same content"
