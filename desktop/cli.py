"""The ``crosscheck`` command line. Errors are one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Only light modules here: `crosscheck` with no command goes straight to the window, and the
# commands import SQLAlchemy (operations) and the file readers (importers) when they run.
from desktop import __version__
from desktop.core.anchoring import find_quote
from desktop.core.errors import CrosscheckError, InvalidInput
from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, create_store, is_server_url, open_store, reads

PROG = "crosscheck"
REVIEWER_ENV = "CROSSCHECK_REVIEWER"


def _reviewer(args: argparse.Namespace) -> str:
    from desktop.core import operations

    name = args.reviewer or os.environ.get(REVIEWER_ENV, "")
    return operations.check_reviewer_name(name)


def _open(args: argparse.Namespace, *, writes: bool = False) -> Store:
    """Open the project; what opening did (an upgrade, read-only) is reported on stderr.

    A command that writes says nothing of a read-only file: its write fails saying why.
    """
    project = with_password(lambda password: open_store(args.project, password=password))
    if not (writes and project.read_only):
        for message in project.messages:
            print(f"{PROG}: {_short(project)}: {message}", file=sys.stderr)
    return project


def _short(project: Store) -> str:
    """How messages name a project: its file's name, or its database's."""
    return project.path.name if project.path is not None else project.display_name


def with_password(attempt: Callable[[str | None], Any]) -> Any:
    """Run ``attempt``; if a server asks for a password that libpq's usual places do not
    give, ask for it on the terminal (never echoed, never stored) and try once more."""
    from desktop.core.errors import ProjectOpenError

    try:
        return attempt(None)
    except ProjectOpenError as exc:
        if type(exc).__name__ != "PasswordNeeded" or not sys.stdin.isatty():
            raise
        import getpass

        return attempt(getpass.getpass(f"Password for {exc.path}: "))


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _default_name(target: str) -> str:
    """A new project's name: the file's stem, or the server database's name."""
    if is_server_url(target):
        from urllib.parse import urlsplit

        return urlsplit(target).path.strip("/") or "Untitled project"
    return Path(target).stem


def _check_server(url: str, password: str | None) -> str | None:
    from desktop.core.store.postgres import PostgresStore

    PostgresStore(url, password=password).connect().close()
    return password


def cmd_new(args: argparse.Namespace) -> int:
    from desktop.core import demo, operations
    from desktop.core.importers import read_articles

    reviewer = _reviewer(args)
    articles = read_articles(args.files) if args.files else []
    name = args.name or (demo.demo_name() if args.demo else _default_name(args.project))
    password = None
    if is_server_url(args.project):
        # Ask for a password now if one is needed, before anything is made.
        password = with_password(lambda typed: _check_server(args.project, typed))
    with create_store(args.project, password=password) as project:
        operations.record_project_created(project, name=name, reviewer=reviewer)
        if args.demo:
            demo.add_demo_articles(project, reviewer=reviewer)
        if articles:
            operations.import_articles(project, articles, reviewer=reviewer)
        with project.read() as db:
            count = len(reads.article_summaries(db))
    shown = project.location if is_server_url(args.project) else args.project
    print(f"Created {shown} with {count} article(s).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.importers import read_articles

    reviewer = _reviewer(args)
    meta = operations.ArticleMeta(
        title=args.title, outlet=args.outlet, url=args.url, published=args.published
    )
    articles = read_articles(args.files)
    with _open(args, writes=True) as project:
        changes = operations.import_articles(project, articles, reviewer=reviewer, meta=meta)
        with project.read() as db:
            titles = {s.id: s.title for s in reads.article_summaries(db)}
    for article_id in changes.ids("article"):
        print(f"{article_id}  {titles[article_id]}")
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    with _open(args) as project, project.read() as db:
        summaries = reads.article_summaries(db)
    if args.json:
        _print_json([s.to_json() for s in summaries])
        return 0
    header = ["ID", "TITLE", "OUTLET", "PUBLISHED", "SUPP", "DISP", "UNVER"]
    rows = [
        [
            s.id[:8],
            _clip(s.title, 50),
            _clip(s.outlet, 24),
            s.published.isoformat() if s.published else "",
            *[str(s.counts[v]) for v in Verdict],
        ]
        for s in summaries
    ]
    _print_table(header, rows)
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    from desktop.core import operations

    reviewer = _reviewer(args)
    with _open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article)
            if args.quote is not None:
                text = reads.article_text(db, article_id)
                start, end = find_quote(text, args.quote, args.occurrence)
            else:
                if args.end is None:
                    raise InvalidInput("--start needs --end")
                start, end = args.start, args.end
        changes = operations.annotate(
            project,
            article_id,
            start,
            end,
            Verdict.parse(args.verdict),
            reviewer=reviewer,
            note=args.note or "",
            sources=args.source or [],
        )
        with project.read() as db:
            rows = reads.annotation_rows(db, annotation_ids=changes.annotation_ids)
    for row in rows:
        if args.json:
            _print_json(row.to_json())
        else:
            print(f"{row.id}  {row.verdict.value}  {row.start}-{row.end}  {_clip(row.quote, 60)}")
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    with _open(args) as project, project.read() as db:
        article_ids = [reads.resolve_article(db, a) for a in args.article] if args.article else None
        flt = AnnotationFilter(
            article_ids=tuple(article_ids) if article_ids is not None else None,
            verdicts=tuple(Verdict.parse(v) for v in args.verdict) if args.verdict else None,
            include_deleted=args.include_deleted,
        )
        rows = reads.annotation_rows(db, flt)
    if args.json:
        _print_json([r.to_json() for r in rows])
        return 0
    _print_table(
        ["ID", "ARTICLE", "SPAN", "VERDICT", "QUOTE", "REVIEWER"],
        [
            [
                r.id[:8],
                _clip(r.article_title, 30),
                f"{r.start}-{r.end}",
                r.verdict.value + (" (deleted)" if r.deleted else ""),
                _clip(r.quote, 50),
                r.reviewer,
            ]
            for r in rows
        ],
    )
    return 0


AUDIT_EXPORT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.core.verify import verify_project

    if not is_server_url(args.project) and Path(args.project).suffix.lower() in (
        AUDIT_EXPORT_SUFFIXES
    ):
        return _verify_audit_export(args)
    with _open(args) as project:
        report = verify_project(project)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "events": report.chain.events,
                "head_hash": report.chain.head_hash,
                "first_bad_event": report.chain.first_bad_seq,
                "problems": report.problems,
            }
        )
    elif report.ok:
        print(f"{project.location}: {report.summary()}")
    if not report.ok:
        print(f"{PROG}: error: {project.location}: {report.summary()}", file=sys.stderr)
    return 0 if report.ok else 1


def _verify_audit_export(args: argparse.Namespace) -> int:
    """Re-check a copy of the audit log (``export --format audit-csv|audit-jsonl``) on its own."""
    from desktop.core.exports.audit_log import check_audit_export

    path = Path(args.project)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    report = check_audit_export(path)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "events": report.events,
                "head_hash": report.head_hash,
                "first_bad_event": report.first_bad_seq,
                "problems": [] if report.ok else [report.problem],
            }
        )
    elif report.ok:
        print(f"{path}: OK: {report.events} audit events, chain intact (head {report.head_hash})")
    if not report.ok:
        print(f"{PROG}: error: {path}: {report.problem}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop.core.store.migrate import head_revision

    # Upgrading is what this command is for, so what was done is its output.
    with with_password(lambda password: open_store(args.project, password=password)) as project:
        for message in project.messages:
            print(f"{project.location}: {message}")
        if not project.backup_path:
            print(f"{project.location}: already at the current schema ({head_revision()})")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from desktop.app import main as gui_main

    return gui_main([args.project] if args.project else [])


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.app import application, ensure_demo
    from desktop.app import main as gui_main

    application()  # settings hold the reviewer's name, and need the application
    return gui_main([str(ensure_demo())])


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Compare versions of a story and record verdicts on its claims."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str, writes: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        if name != "open":
            p.add_argument("project", metavar="PROJECT", help="project file (.crosscheck)")
        if writes:
            p.add_argument(
                "--reviewer",
                metavar="NAME",
                help=f"who makes the change (default: ${REVIEWER_ENV})",
            )
        return p

    p = command("new", cmd_new, "create a project file", writes=True)
    p.add_argument("files", nargs="*", metavar="FILES", help="articles to import")
    p.add_argument("--demo", action="store_true", help="add the five demo articles")
    p.add_argument("--name", help="project name (default: the file name)")

    p = command("import", cmd_import, "import article files (.txt .md .html .docx)", writes=True)
    p.add_argument("files", nargs="+", metavar="FILES")
    p.add_argument("--title", help="title (one file only; default: from the file)")
    p.add_argument("--outlet", help="publishing outlet")
    p.add_argument("--url", help="address of the original (one file only)")
    p.add_argument("--published", metavar="YYYY-MM-DD", help="publication date")

    p = command("articles", cmd_articles, "list articles with counts per verdict")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("annotate", cmd_annotate, "tag a span of an article with a verdict", writes=True)
    p.add_argument("article", metavar="ARTICLE", help="id, unique id prefix or exact title")
    span = p.add_mutually_exclusive_group(required=True)
    span.add_argument("--quote", help="the exact text to tag")
    span.add_argument("--start", type=_non_negative, help="first character (code points, from 0)")
    p.add_argument("--end", type=_non_negative, help="character after the last one")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote")
    p.add_argument("--verdict", required=True, choices=[v.value for v in Verdict])
    p.add_argument("--note", help="why")
    p.add_argument("--source", action="append", metavar="URL", help="evidence link (repeatable)")
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")

    p = command("annotations", cmd_annotations, "list annotations")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--article", action="append", metavar="A", help="only this article")
    p.add_argument("--verdict", action="append", choices=[v.value for v in Verdict])
    p.add_argument("--include-deleted", action="store_true")

    p = command(
        "verify",
        cmd_verify,
        "check a project's integrity and audit chain, or an exported audit log "
        "(.jsonl or .csv with its .sha256); exit 1 on a problem",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    command("upgrade", cmd_upgrade, "upgrade an older project file (a backup is made first)")

    p = sub.add_parser(
        "demo",
        help="open the demo project in the window (made in your data folder on first use)",
    )
    p.set_defaults(func=cmd_demo)

    p = command("open", cmd_open, "open the desktop window")
    p.add_argument("project", metavar="PROJECT", nargs="?", help="project file")

    from desktop.cli_export import add_export_command
    from desktop.cli_server import add_server_commands

    add_export_command(sub)
    add_server_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        # The window, without building the whole command line first: start-up time counts.
        return cmd_open(argparse.Namespace(project=None))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_open(argparse.Namespace(project=None))
    if args.command == "annotate":
        if args.start is not None and args.end is None:
            parser.error("--start needs --end")
        if args.quote is not None and args.end is not None:
            parser.error("--end goes with --start, not with --quote")
        if args.quote is None and args.occurrence != 1:
            parser.error("--occurrence goes with --quote")
    try:
        return int(args.func(args))
    except CrosscheckError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # Not expected past the core's own checks, but a user still gets one line.
        print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
