"""``crosscheck compare | align | carry | search``: comparing the versions of a story."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from desktop.core.errors import InvalidInput
from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter

if TYPE_CHECKING:
    from desktop.core.compare.comparison import Comparison
    from desktop.core.store import Store

PROG = "crosscheck"


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _comparison(db: Any, article_ids: list[str] | None = None) -> Comparison:
    from desktop.core.compare.cache import Cache
    from desktop.core.compare.comparison import Comparison, versions_of
    from desktop.core.store import reads

    return Comparison(versions_of(reads.article_texts(db, article_ids)), Cache())


def _open(args: argparse.Namespace, *, writes: bool = False) -> Store:
    from desktop.cli import _open as open_project

    return open_project(args, writes=writes)


# --- compare --------------------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    from desktop.core.anchoring import find_quote
    from desktop.core.store import reads

    with _open(args) as project, project.read() as db:
        if args.annotation is not None:
            (row,) = _annotation(db, args.annotation)
            article_id, start, end = row.article_id, row.start, row.end
        else:
            if args.article is None:
                raise InvalidInput("name the ARTICLE the span is in (or give --annotation)")
            article_id = reads.resolve_article(db, args.article)
            if args.quote is not None:
                start, end = find_quote(
                    reads.article_text(db, article_id), args.quote, args.occurrence
                )
            else:
                start, end = args.start, args.end
        comparison = _comparison(db)
    found = comparison.counterparts(article_id, start, end)
    source = comparison.version(article_id)
    titles = {v.article_id: v.title for v in comparison.versions}
    if args.json:
        _print_json(
            {
                "source": {
                    "article_id": article_id,
                    "start": start,
                    "end": end,
                    "quote": source.text[start:end],
                },
                "counterparts": [c.to_json(titles[c.article_id]) for c in found],
            }
        )
        return 0
    print(f"{_clip(source.text[start:end], 90)}  ({_clip(source.title, 40)}, {start}-{end})")
    for c in found:
        span = "" if c.start is None else f"{c.start}-{c.end}"
        quote = "" if c.quote is None else _clip(c.quote, 70)
        print(f"  {c.article_id[:8]}  {c.status:<7}  {c.score:.2f}  {span:<11}  {quote}")
        for d in c.differences:
            print(f"            {d.kind}: \u201c{d.here}\u201d \u2192 \u201c{d.there}\u201d")
    return 0


def _annotation(db: Any, ref: str) -> list[Any]:
    from desktop.core.store import reads

    annotation_id = reads.resolve_annotation(db, ref)
    rows = reads.annotation_rows(
        db, AnnotationFilter(include_deleted=True), annotation_ids=[annotation_id]
    )
    if rows and rows[0].deleted:
        raise InvalidInput(
            f"annotation {annotation_id[:8]} is deleted; restore it before comparing or carrying it"
        )
    return rows


# --- align ----------------------------------------------------------------------------------


def cmd_align(args: argparse.Namespace) -> int:
    from desktop.core.store import reads

    with _open(args) as project, project.read() as db:
        ids = [reads.resolve_article(db, a) for a in args.article] if args.article else None
        if ids is not None and len(set(ids)) < 2:
            raise InvalidInput("name at least two different articles to align")
        comparison = _comparison(db, ids)
    comparison.align()
    groups, unique = comparison.groups(), comparison.unique()
    if args.json:
        _print_json(
            {"groups": [g.to_json() for g in groups], "unique": [u.to_json() for u in unique]}
        )
        return 0
    for n, group in enumerate(groups, start=1):
        print(f"Group {n}")
        for m in group.members:
            print(f"  {m.article_id[:8]}  {m.start}-{m.end}  {_clip(m.quote, 80)}")
        for gd in group.differences:
            d = gd.difference
            print(
                f"    {d.kind}: {gd.here_article_id[:8]} \u201c{d.here}\u201d \u2192 "
                f"{gd.there_article_id[:8]} \u201c{d.there}\u201d"
            )
    if unique:
        print("Only in one version")
        for u in unique:
            print(f"  {u.article_id[:8]}  {u.start}-{u.end}  {_clip(u.quote, 80)}")
    return 0


# --- carry ----------------------------------------------------------------------------------


def cmd_carry(args: argparse.Namespace) -> int:
    from desktop.cli import _reviewer
    from desktop.core import operations
    from desktop.core.compare.claims import carry_targets
    from desktop.core.store import reads

    reviewer = _reviewer(args)
    with _open(args, writes=True) as project:
        with project.read() as db:
            (row,) = _annotation(db, args.annotation)
            targets = [reads.resolve_article(db, a) for a in args.to] if args.to else None
            comparison = _comparison(db)
        if targets is not None and row.article_id in targets:
            raise InvalidInput("the annotation is in that article already: name other versions")
        found = comparison.counterparts(row.article_id, row.start, row.end, targets)
        result = operations.carry(
            project,
            row.id,
            carry_targets(found),
            reviewer=reviewer,
            confirm_differs=args.confirm_differs,
            differs_verdict=Verdict.parse(args.differs_verdict) if args.differs_verdict else None,
            with_note=not args.no_note,
            with_sources=not args.no_sources,
        )
        with project.read() as db:
            created = reads.annotation_rows(db, annotation_ids=list(result.created))
    titles = {v.article_id: v.title for v in comparison.versions}
    status = {c.article_id: c.status for c in found}
    report = {
        "claim_id": result.claim_id,
        "source": {
            "annotation_id": row.id,
            "article_id": row.article_id,
            "start": row.start,
            "end": row.end,
            "quote": row.quote,
            "verdict": row.verdict.value,
        },
        "created": [
            {
                "annotation_id": r.id,
                "article_id": r.article_id,
                "article_title": r.article_title,
                "status": status[r.article_id],
                "start": r.start,
                "end": r.end,
                "quote": r.quote,
                "verdict": r.verdict.value,
            }
            for r in created
        ],
        "skipped": [
            {
                "article_id": s.article_id,
                "article_title": titles[s.article_id],
                "reason": s.reason,
                "message": s.message,
                "start": s.start,
                "end": s.end,
                "existing_annotation_id": s.existing_id,
            }
            for s in result.skipped
        ],
    }
    if args.json:
        _print_json(report)
    else:
        for c in report["created"]:
            print(
                f"created  {c['annotation_id']}  {c['verdict']:<10}  {c['article_id'][:8]}  "
                f"{_clip(c['quote'], 60)}"
            )
        for s in result.skipped:
            print(f"skipped  {s.article_id[:8]}  {s.reason}: {s.message}")
    refused = [s for s in result.skipped if s.reason in ("absent", "differs")]
    if not result.created and refused:
        reasons = "; ".join(f"{titles[s.article_id][:40]}: {s.message}" for s in refused)
        print(f"{PROG}: error: nothing carried: {reasons}", file=sys.stderr)
        return 1
    return 0


# --- search ---------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> int:
    from desktop.core.compare.search import search
    from desktop.core.store import reads

    with _open(args) as project, project.read() as db:
        articles = [(i, t, text) for i, t, text, _ in reads.article_texts(db)]
    hits = search(articles, args.text)
    if args.json:
        _print_json([h.to_json() for h in hits])
        return 0
    for h in hits:
        print(
            f"{h.article_id[:8]}  {h.start}-{h.end}  {_clip(h.article_title, 30)}  "
            f"…{h.before}[{h.quote}]{h.after}…"
        )
    if not hits:
        print(f"No match for {args.text!r}.", file=sys.stderr)
    return 0


def add_compare_commands(sub: Any, writes_flag: Any) -> None:
    """Register compare, align, carry and search on the CLI's subparsers."""
    from desktop.cli import _non_negative

    def parser(name: str, func: Any, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        p.add_argument("project", metavar="PROJECT", help="project file (.crosscheck)")
        return p

    p = parser("compare", cmd_compare, "find a claim's counterparts in every other version")
    p.add_argument("article", metavar="ARTICLE", nargs="?", help="id, id prefix or exact title")
    span = p.add_mutually_exclusive_group(required=True)
    span.add_argument("--quote", help="the exact text of the claim")
    span.add_argument("--start", type=_non_negative, help="first character (code points)")
    span.add_argument("--annotation", metavar="ID", help="the span of this annotation")
    p.add_argument("--end", type=_non_negative, help="character after the last one")
    p.add_argument("--occurrence", type=int, default=1, help="which occurrence of --quote")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = parser("align", cmd_align, "align every version: passages they share, and what differs")
    p.add_argument("--article", action="append", metavar="A", help="only these articles")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = parser(
        "carry",
        cmd_carry,
        "tag the counterparts of an annotation's claim in other versions with its verdict",
    )
    writes_flag(p)
    p.add_argument("annotation", metavar="ANNOTATION", help="annotation id or unique prefix")
    p.add_argument("--to", action="append", metavar="ARTICLE", help="only this version")
    p.add_argument(
        "--confirm-differs",
        action="store_true",
        help="also carry to counterparts that state different facts (as unverified, with a "
        "note, unless --differs-verdict)",
    )
    p.add_argument(
        "--differs-verdict",
        choices=[v.value for v in Verdict],
        help="verdict for counterparts that differ (with --confirm-differs)",
    )
    p.add_argument("--no-note", action="store_true", help="do not copy the note")
    p.add_argument("--no-sources", action="store_true", help="do not copy the evidence links")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = parser("search", cmd_search, "find text in every version")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true", help="print JSON")


def check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage mistakes argparse cannot see by itself (exit 2)."""
    if args.command == "compare":
        if args.start is not None and args.end is None:
            parser.error("--start needs --end")
        if args.end is not None and args.start is None:
            parser.error("--end goes with --start")
        if args.quote is None and args.occurrence != 1:
            parser.error("--occurrence goes with --quote")
        if args.annotation is not None and args.article is not None:
            parser.error("--annotation names its own article: leave ARTICLE out")
    if args.command == "carry" and args.differs_verdict and not args.confirm_differs:
        parser.error("--differs-verdict goes with --confirm-differs")
