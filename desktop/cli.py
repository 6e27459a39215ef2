"""The ``crosscheck`` command line. Errors are one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only light modules here: `crosscheck` with no command goes straight to the window, and the
# commands import SQLAlchemy (operations) and the file readers (importers) when they run.
from desktop import __version__
from desktop.core.anchoring import find_quote
from desktop.core.errors import CrosscheckError, InvalidInput, one_line, shown
from desktop.core.model import Verdict, check_reviewer_name
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, create_store, is_server_url, open_store
from desktop.core.store.sqlite import SUFFIX

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from desktop.core.records import AnnotationRow

PROG = "crosscheck"
REVIEWER_ENV = "CROSSCHECK_REVIEWER"


def _reviewer(args: argparse.Namespace) -> str:
    name = args.reviewer or os.environ.get(REVIEWER_ENV, "")
    return check_reviewer_name(name)


def _open(args: argparse.Namespace, *, writes: bool = False) -> Store:
    """Open the project; what opening did (an upgrade, read-only) is reported on stderr.

    A command that writes says nothing of a read-only file: its write fails saying why.
    """
    project = with_password(lambda password: open_store(args.project, password=password))
    if not (writes and project.read_only):
        for message in project.messages:
            print(f"{PROG}: {shown(_short(project))}: {message}", file=sys.stderr)
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


def _default_name(target: str | Path) -> str:
    """A new project's name: the file's name without ``.crosscheck``, or the server
    database's name."""
    if isinstance(target, str):
        from urllib.parse import urlsplit

        return urlsplit(target).path.strip("/") or "Untitled project"
    return target.name[: -len(SUFFIX)]


def _check_server(url: str, password: str | None) -> str | None:
    from desktop.core.store.postgres import PostgresStore

    PostgresStore(url, password=password).connect().close()
    return password


def cmd_new(args: argparse.Namespace) -> int:
    from desktop.core import demo, operations
    from desktop.core.importers import read_articles
    from desktop.core.store import reads

    target = args.project if is_server_url(args.project) else project_path(args.project)
    reviewer = _reviewer(args)
    articles = read_articles(args.files) if args.files else []
    name = args.name or (demo.demo_name() if args.demo else _default_name(target))
    password = None
    if is_server_url(target):
        # Ask for a password now if one is needed, before anything is made.
        password = with_password(lambda typed: _check_server(target, typed))
    with create_store(target, password=password) as project:
        operations.record_project_created(project, name=name, reviewer=reviewer)
        if args.demo:
            demo.add_demo_articles(project, reviewer=reviewer)
        if articles:
            operations.import_articles(project, articles, reviewer=reviewer)
        with project.read() as db:
            count = len(reads.article_summaries(db))
    where = project.location if is_server_url(target) else target
    print(f"Created {shown(where)} with {count} article(s).")
    return 0


def project_path(typed: str) -> Path:
    """The file ``new`` creates: what was typed, with ``.crosscheck`` added unless it ends so
    already (``report.db`` becomes ``report.db.crosscheck``), so the Open dialog lists it."""
    path = Path(typed)
    if typed.endswith(("/", os.sep)) or path.is_dir():
        raise InvalidInput(f"{shown(typed)} is a folder; give the new project a file name")
    if path.name.lower().endswith(SUFFIX):
        if len(path.name) == len(SUFFIX):
            raise InvalidInput(f"{shown(typed)}: give the project a name before {SUFFIX}")
        return path
    return path.with_name(path.name + SUFFIX)


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.importers import MAX_TEXT_CHARS, read_sources
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    if len(args.files) > 1 and ((args.title or "").strip() or (args.url or "").strip()):
        raise InvalidInput("a title or URL names one article: import the files one at a time")
    if args.files.count("-") > 1:
        raise InvalidInput("-: given more than once")
    meta = operations.ArticleMeta(
        title=args.title, outlet=args.outlet, url=args.url, published=args.published
    )
    operations.parse_published(args.published)  # a bad date stops before any page is fetched

    def stdin() -> bytes:
        return sys.stdin.buffer.read(4 * MAX_TEXT_CHARS + 1)

    with _open(args, writes=True) as project:
        project.refuse_if_read_only()  # say so before fetching anything
        results = read_sources(
            args.files,
            title=args.title,
            password=args.password,
            stdin=stdin,
            keep_going=args.keep_going,
            ask_password=_ask_password if args.password is None and _interactive(args) else None,
        )
        failed = [r for r in results if r.error is not None]
        for result in failed:
            print(f"{PROG}: error: {result.error}", file=sys.stderr)
        articles = [r.article for r in results if r.article is not None]
        if not articles:
            return 1
        changes = operations.import_articles(project, articles, reviewer=reviewer, meta=meta)
        with project.read() as db:
            titles = {s.id: s.title for s in reads.article_summaries(db)}
    for article_id in changes.ids("article"):
        print(f"{article_id}  {titles[article_id]}")
    if failed:
        print(
            f"{PROG}: imported {len(articles)} of {len(results)}; {len(failed)} failed (see above)",
            file=sys.stderr,
        )
        return 1
    return 0


def _interactive(args: argparse.Namespace) -> bool:
    """Whether a password can be asked for: a terminal, and standard input not read as text."""
    return "-" not in args.files and sys.stdin is not None and sys.stdin.isatty()


def _ask_password(name: str, wrong: bool) -> str | None:
    import getpass

    prompt = f"Wrong password. Password for {name}: " if wrong else f"Password for {name}: "
    try:
        return getpass.getpass(prompt) or None
    except EOFError:
        return None


def cmd_pages(args: argparse.Namespace) -> int:
    from desktop.core import pages

    with _open(args) as project, project.read() as db:
        if args.page is None:
            listed = pages.saved_pages(db)
        else:
            page_id = pages.resolve_page(db, args.page)
            page = pages.saved_page(db, page_id)
            body = pages.saved_page_body(db, page_id) if args.raw else b""
    if args.page is None:
        if args.json:
            _print_json([p.to_json() for p in listed])
        else:
            _print_table(
                ["ID", "FETCHED", "SIZE", "TYPE", "URL"],
                [
                    [
                        p.id[:8],
                        p.to_json()["fetched_at"][:19] + "Z",
                        f"{p.size:,}",
                        p.content_type,
                        _clip(p.final_url, 70),
                    ]
                    for p in listed
                ],
            )
        return 0
    if args.raw:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        return 0
    if args.json:
        _print_json(page.to_json() | {"text": page.text})
        return 0
    print(f"{page.final_url}  (fetched {page.to_json()['fetched_at']}, sha256 {page.sha256})")
    print()
    print(page.text if page.text is not None else "(no readable text; --raw gives the bytes)")
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    from desktop.cli_review import viewer
    from desktop.core import review_state
    from desktop.core.store import reads

    with _open(args) as project, project.read() as db:
        summaries = reads.article_summaries(db, include_removed=args.include_removed)
        state = review_state.blind_state(db)
        if state.active:
            # Under blind review a reviewer's counts are their own.
            summaries = review_state.visible_summaries(db, state, summaries, viewer(args))
    if args.json:
        if args.include_removed:
            _print_json([s.to_json() | {"removed_at": _iso(s.removed_at)} for s in summaries])
        else:
            _print_json([s.to_json() for s in summaries])
        return 0
    header = ["ID", "TITLE", "OUTLET", "PUBLISHED", "SUPP", "DISP", "UNVER"]
    rows = [
        [
            s.id[:8],
            _clip(s.title, 50) if s.removed_at is None else _clip(s.title, 40) + " (removed)",
            _clip(s.outlet, 24),
            s.published.isoformat() if s.published else "",
            *[str(s.counts[v]) for v in Verdict],
        ]
        for s in summaries
    ]
    _print_table(header, rows)
    return 0


def _iso(moment: datetime | None) -> str | None:
    from desktop.core.model import iso_utc

    return None if moment is None else iso_utc(moment)


ARTICLE_FIELDS = ("title", "outlet", "url", "published", "author")


def cmd_edit_article(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    with _open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article)
        changes = operations.edit_article(
            project,
            article_id,
            reviewer=reviewer,
            **{name: getattr(args, name) for name in ARTICLE_FIELDS},
        )
        with project.read() as db:
            (summary,) = reads.article_summaries(db, [article_id])
    if args.json:
        _print_json(summary.to_json())
        return 0
    for change in changes.changes:
        if change.action == "article.changed" and change.before and change.after:
            print(f"{article_id}  {summary.title}  (changed: {', '.join(_changed(change))})")
            return 0
    print(f"{article_id}  {summary.title}  (nothing changed)")
    return 0


def _changed(change: Any) -> list[str]:
    """The fields an ``article.changed`` event changed, as the options name them; a date
    made vaguer or more precise (2024-01-01 to 2024) counts as a change of ``published``."""
    before, after = change.before, change.after

    def differs(name: str) -> bool:
        keys = (name, "published_precision") if name == "published" else (name,)
        return any(before.get(k) != after.get(k) for k in keys)

    return [name for name in ARTICLE_FIELDS if differs(name)]


def cmd_remove_article(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    with _open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article)
        changes = operations.remove_article(project, article_id, reviewer=reviewer)
        title = _title_of(project, article_id)
    count = len(changes.annotation_ids)
    print(
        f"Removed {article_id}  {title}  (with {count} annotation(s); "
        f"`{PROG} restore-article` brings it back)"
    )
    return 0


def cmd_restore_article(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    with _open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article, include_removed=True)
        changes = operations.restore_article(project, article_id, reviewer=reviewer)
        title = _title_of(project, article_id)
    if not changes:
        print(f"{article_id}  {title}  (not removed; nothing changed)")
    else:
        count = len(changes.annotation_ids)
        print(f"Restored {article_id}  {title}  (with {count} annotation(s))")
    return 0


def _title_of(project: Store, article_id: str) -> str:
    from desktop.core.store import reads

    with project.read() as db:
        summaries = reads.article_summaries(db, include_removed=True)
    return next((s.title for s in summaries if s.id == article_id), "")


def cmd_annotate(args: argparse.Namespace) -> int:
    from desktop.core import operations
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    copies = _fetch_copies(args.source or []) if args.save_copies else []
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
        for page, text, title in copies:
            for annotation_id in changes.annotation_ids:
                operations.save_source_copy(
                    project, annotation_id, page, reviewer=reviewer, text=text, title=title
                )
        with project.read() as db:
            rows = reads.annotation_rows(db, annotation_ids=changes.annotation_ids)
            printed = _annotations_json(db, rows)
    for row, as_json in zip(rows, printed, strict=True):
        if args.json:
            _print_json(as_json)
        else:
            print(f"{row.id}  {row.verdict.value}  {row.start}-{row.end}  {_clip(row.quote, 60)}")
    return 0


def _fetch_copies(urls: list[str]) -> list[tuple[Any, str | None, str]]:
    """Fetch every evidence page first, so that a page that fails changes nothing."""
    from desktop.core import fetch
    from desktop.core.importers import readable_copy

    if not urls:
        raise InvalidInput("--save-copies needs at least one --source URL")
    out = []
    for url in dict.fromkeys(urls):
        page = fetch.fetch(url)
        text, title = readable_copy(page)
        out.append((page, text, title))
    return out


def _annotations_json(db: Connection, rows: list[AnnotationRow]) -> list[dict[str, Any]]:
    """Annotations as printed with --json: the row's keys, then the PDF page it begins on."""
    from desktop.core import pages

    starts = pages.page_starts(db, {r.article_id for r in rows})
    return [
        r.to_json() | {"page": pages.page_of(starts.get(r.article_id, ()), r.start)} for r in rows
    ]


def cmd_annotations(args: argparse.Namespace) -> int:
    from desktop.cli_review import viewer
    from desktop.core import review_state
    from desktop.core.store import reads

    looker = viewer(args)
    with _open(args) as project, project.read() as db:
        article_ids = [reads.resolve_article(db, a) for a in args.article] if args.article else None
        flt = AnnotationFilter(
            article_ids=tuple(article_ids) if article_ids is not None else None,
            verdicts=tuple(Verdict.parse(v) for v in args.verdict) if args.verdict else None,
            include_deleted=args.include_deleted,
        )
        seen = review_state.blind_view(db, flt, looker)
        rows = reads.annotation_rows(db, seen)
        hidden = reads.count_annotations(db, flt) - len(rows) if seen != flt else 0
        finals = review_state.final_annotation_ids(db)
        printed = _annotations_json(db, rows) if args.json else []
    if hidden:
        print(
            f"{PROG}: blind review hides {hidden} annotation(s) of other "
            f"reviewers from {looker or 'an unnamed reviewer (give --reviewer NAME)'}",
            file=sys.stderr,
        )
    if args.json:
        _print_json(printed)
        return 0
    _print_table(
        ["ID", "ARTICLE", "SPAN", "VERDICT", "QUOTE", "REVIEWER"],
        [
            [
                r.id[:8],
                _clip(r.article_title, 30),
                f"{r.start}-{r.end}",
                r.verdict.value
                + (" (final)" if r.id in finals else "")
                + (" (deleted)" if r.deleted else ""),
                _clip(r.quote, 50),
                r.reviewer,
            ]
            for r in rows
        ],
    )
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop.core.store.migrate import head_revision

    # Upgrading is what this command is for, so what was done is its output.
    with with_password(lambda password: open_store(args.project, password=password)) as project:
        for message in project.messages:
            print(f"{shown(project.location)}: {message}")
        if not project.backup_path:
            print(f"{shown(project.location)}: already at the current schema ({head_revision()})")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    _check_window(args)
    from desktop.app import main as gui_main

    return gui_main([args.project] if args.project else [], qt_args=args.qt_args)


def cmd_demo(args: argparse.Namespace) -> int:
    _check_window(args)
    from desktop.app import application
    from desktop.app import main as gui_main
    from desktop.ui.demo_project import ensure_demo

    application(args.qt_args)  # settings hold the reviewer's name, and need the application
    return gui_main([str(ensure_demo())], qt_args=args.qt_args)


def _check_window(args: argparse.Namespace) -> None:
    """Refuse, in one line, to start a window that Qt would abort (no display, a system
    library missing), before Qt is loaded."""
    from desktop.gui_check import startup_problem

    problem = startup_problem(args.qt_args)
    if problem is not None:
        raise CrosscheckError(problem)


def window_main() -> int:
    """``crosscheck-desktop [PROJECT]``, the desktop entry's command: ``crosscheck open``."""
    return main(["open", *sys.argv[1:]])


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


class _Parser(argparse.ArgumentParser):
    """The top-level parser, which knows its command names (for suggestions)."""

    commands: list[str] = []


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILES",
        help="article files to import (.txt .md .html .docx .pdf)",
    )
    p.add_argument("--demo", action="store_true", help="add the five demo articles")
    p.add_argument("--name", help="project name (default: the file name)")

    p = command(
        "import",
        cmd_import,
        "import articles: files (.txt .md .html .docx .pdf), web pages by URL, "
        "or - for standard input",
        writes=True,
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="SOURCES",
        help="article files (.txt .md .html .docx .pdf), web addresses (http:// or https://), "
        "or - for standard input",
    )
    p.add_argument("--title", help="title (one source only; default: from the source)")
    p.add_argument("--outlet", help="publishing outlet (default: the web page's site name)")
    p.add_argument("--url", help="address of the original (one source only)")
    p.add_argument(
        "--published",
        metavar="DATE",
        help="publication date: YYYY-MM-DD, or YYYY-MM or YYYY if only that is known",
    )
    p.add_argument("--password", help="password of encrypted PDFs (asked for on a terminal)")
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="import the sources that can be read and report the others (default: all or nothing)",
    )

    p = command("articles", cmd_articles, "list articles with counts per verdict")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--include-removed", action="store_true", help="list removed articles too, marked so"
    )
    p.add_argument("--reviewer", metavar="NAME", help=f"who is looking (default: ${REVIEWER_ENV})")

    article_help = "id, unique id prefix or exact title"
    p = command(
        "edit-article",
        cmd_edit_article,
        "change an article's title, outlet, URL, date or author (its text never changes)",
        writes=True,
    )
    p.add_argument("article", metavar="ARTICLE", help=article_help)
    p.add_argument("--title", help="new title")
    p.add_argument("--outlet", help='publishing outlet ("" clears it)')
    p.add_argument("--url", help='address of the original ("" clears it)')
    p.add_argument(
        "--published",
        metavar="DATE",
        help="publication date: YYYY-MM-DD, or YYYY-MM or YYYY if only that is known "
        '("" clears it)',
    )
    p.add_argument("--author", help='who wrote it ("" clears it)')
    p.add_argument("--json", action="store_true", help="print the article as JSON")

    p = command(
        "remove-article",
        cmd_remove_article,
        "remove an article and its annotations (kept in the file; restore-article undoes it)",
        writes=True,
    )
    p.add_argument("article", metavar="ARTICLE", help=article_help)

    p = command(
        "restore-article",
        cmd_restore_article,
        "bring back a removed article with the annotations removed with it",
        writes=True,
    )
    p.add_argument("article", metavar="ARTICLE", help=article_help + " (removed ones too)")

    p = command("annotate", cmd_annotate, "tag a span of an article with a verdict", writes=True)
    p.add_argument("article", metavar="ARTICLE", help="id, unique id prefix or exact title")
    span = p.add_mutually_exclusive_group(required=True)
    span.add_argument("--quote", help="the exact text to tag")
    span.add_argument("--start", type=_non_negative, help="first character (code points, from 0)")
    p.add_argument("--end", type=_non_negative, help="character after the last one")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote")
    p.add_argument(
        "--verdict",
        required=True,
        choices=[v.value for v in Verdict],
        help="the verdict on the span: supported, disputed or unverified",
    )
    p.add_argument("--note", help="why")
    p.add_argument("--source", action="append", metavar="URL", help="evidence link (repeatable)")
    p.add_argument(
        "--save-copies",
        action="store_true",
        help="fetch each --source page now and keep a copy of it in the project",
    )
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")

    p = command("annotations", cmd_annotations, "list annotations")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--article", action="append", metavar="A", help="only this article (repeatable)")
    p.add_argument(
        "--verdict",
        action="append",
        choices=[v.value for v in Verdict],
        help="only this verdict (repeatable)",
    )
    p.add_argument(
        "--include-deleted",
        action="store_true",
        help="deleted annotations too (and those of removed articles), marked so",
    )
    p.add_argument("--reviewer", metavar="NAME", help=f"who is looking (default: ${REVIEWER_ENV})")

    p = command(
        "pages",
        cmd_pages,
        "list the web pages kept in the project, or show one as it was fetched",
    )
    p.add_argument("page", metavar="PAGE", nargs="?", help="id or unique id prefix")
    p.add_argument("--raw", action="store_true", help="write the page's bytes as fetched")
    p.add_argument("--json", action="store_true", help="print JSON")

    command("upgrade", cmd_upgrade, "upgrade an older project file (a backup is made first)")

    demo_help = "open the demo project in the window (made in your data folder on first use)"
    p = sub.add_parser(
        "demo",
        help=demo_help,
        description=f"{demo_help[0].upper()}{demo_help[1:]}: five versions of one news story, "
        "ready to compare and tag. Qt's own options (-style fusion, -platform NAME, …) are "
        "passed on to Qt.",
    )
    p.set_defaults(func=cmd_demo, qt_args=[])

    p = command(
        "open",
        cmd_open,
        "open the desktop window (Qt's own options such as -style fusion are passed on)",
    )
    p.add_argument(
        "project",
        metavar="PROJECT",
        nargs="?",
        help="project file (default: the last one, or the demo)",
    )
    p.set_defaults(qt_args=[])

    from desktop.cli_compare import add_compare_commands
    from desktop.cli_export import add_export_command
    from desktop.cli_review import add_review_commands
    from desktop.cli_server import add_server_commands
    from desktop.cli_verify import add_verify_commands

    add_export_command(sub)
    add_verify_commands(sub)
    add_review_commands(sub)
    add_server_commands(sub)

    def reviewer_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--reviewer", metavar="NAME", help=f"who makes the change (default: ${REVIEWER_ENV})"
        )

    add_compare_commands(sub, reviewer_option)
    parser.commands = list(sub.choices)
    return parser


WINDOW_COMMANDS = ("open", "demo")


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    from desktop.gui_check import split_qt_arguments

    ours, qt_args = split_qt_arguments(given)
    if not ours:
        # The window, without building the whole command line first: start-up time counts.
        return _run(cmd_open, argparse.Namespace(project=None, qt_args=qt_args))
    if len(ours) == 1 and ours[0].lower().endswith(SUFFIX) and Path(ours[0]).is_file():
        ours = ["open", ours[0]]  # `crosscheck FILE.crosscheck`, as desktop programs take it
    if ours[0] not in WINDOW_COMMANDS and not ours[0].startswith("-"):
        ours, qt_args = given, []  # only the window takes Qt's options
    parser = build_parser()
    _check_command(parser, ours)
    args = parser.parse_args(ours)
    if args.command is None:
        return _run(cmd_open, argparse.Namespace(project=None, qt_args=qt_args))
    if args.command in WINDOW_COMMANDS:
        args.qt_args = qt_args
    if args.command == "annotate":
        if args.start is not None and args.end is None:
            parser.error("--start needs --end")
        if args.quote is not None and args.end is not None:
            parser.error("--end goes with --start, not with --quote")
        if args.quote is None and args.occurrence != 1:
            parser.error("--occurrence goes with --quote")
    from desktop.cli_review import check_usage
    from desktop.cli_verify import check_usage as check_verify_usage

    check_usage(parser, args)
    check_verify_usage(parser, args)
    if args.command in ("compare", "carry"):
        from desktop.cli_compare import check_usage as check_compare_usage

        check_compare_usage(parser, args)
    if args.command == "edit-article" and all(
        getattr(args, name) is None for name in ARTICLE_FIELDS
    ):
        parser.error(
            "edit-article needs at least one of --title, --outlet, --url, --published, --author"
        )
    return _run(args.func, args)


def _check_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """A mistyped command gets a suggestion instead of the list of every command."""
    word = argv[0]
    commands = parser.commands if isinstance(parser, _Parser) else []
    if word.startswith("-") or word in commands:
        return
    import difflib

    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    if close:
        parser.error(f"unknown command {word!r}; did you mean {close[0]}?")
    if word.lower().endswith(SUFFIX) or Path(word).is_file():
        parser.error(f"unknown command {word!r}; to open a project: {PROG} open {word}")
    parser.error(f"unknown command {word!r} (commands: {', '.join(commands)})")


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; a user's error is one line on stderr and exit status 1."""
    try:
        return int(func(args))
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
        print(f"{PROG}: error: {one_line(' '.join(str(exc).split()))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
