"""Commands for double-checking: agreement, blind review, done marks, disagreements,
adjudication and adjudicators."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from desktop import cli
from desktop.core.errors import InvalidInput
from desktop.core.model import Verdict
from desktop.core.records import ArticleSummary
from desktop.core.store import reads

PROG = "crosscheck"


def viewer(args: argparse.Namespace) -> str | None:
    """Who is looking (``--reviewer`` or $CROSSCHECK_REVIEWER); None when nobody said."""
    name = (getattr(args, "reviewer", None) or os.environ.get(cli.REVIEWER_ENV, "")).strip()
    return name or None


def _articles(db: Any, refs: list[str] | None) -> list[str] | None:
    if not refs:
        return None
    return list(dict.fromkeys(reads.resolve_article(db, r) for r in refs))


def _blinded(what: str, looker: str | None) -> InvalidInput:
    """The refusal when an article asked for by name is blind to the one looking."""
    return InvalidInput(
        f"blind review hides {what} from "
        f"{looker or 'a reviewer not named (give --reviewer NAME)'}: mark it done first"
    )


def _say_left_out(count: int, looker: str | None) -> None:
    print(
        f"{PROG}: {count} article(s) under blind review for "
        f"{looker or 'an unnamed reviewer'} left out",
        file=sys.stderr,
    )


# --- agreement ----------------------------------------------------------------------------


def cmd_agreement(args: argparse.Namespace) -> int:
    from desktop.core.agreement_report import NEEDS_TWO, agreements_for, figure

    looker = viewer(args)
    with cli._open(args) as project:
        with project.read() as db:
            article_ids = _articles(db, args.article)
        report, hidden = agreements_for(project, looker, article_ids)
    if hidden and args.article:
        raise _blinded(f"how the other reviewers tagged {hidden[0].title!r}", looker)
    if hidden:
        _say_left_out(len(hidden), looker)
    if args.json:
        cli._print_json([r.to_json() for r in report])
        return 0
    rows = []
    for r in report:
        ok = r.status == "ok"
        rows.append(
            [
                r.article_id[:8],
                cli._clip(r.title, 40),
                ", ".join(r.reviewers) or "—",
                figure(r.alpha_u) if ok else NEEDS_TWO,
                figure(r.kappa) if ok else "",
                figure(r.percent, percent=True) if ok else "",
                str(r.open_disagreements) if ok else "",
            ]
        )
        if args.pairs and ok and len(r.pairs) > 1:
            for p in r.pairs:
                rows.append(
                    [
                        "",
                        "",
                        f"  {p.reviewers[0]} / {p.reviewers[1]}",
                        figure(p.alpha_u),
                        figure(p.kappa),
                        figure(p.percent, percent=True),
                        "",
                    ]
                )
    cli._print_table(["ID", "TITLE", "REVIEWERS", "ALPHA_U", "KAPPA", "AGREE", "OPEN"], rows)
    return 0


# --- blind review and done marks ----------------------------------------------------------


def cmd_blind(args: argparse.Namespace) -> int:
    from desktop.core import review_state

    if args.action is None:
        with cli._open(args) as project, project.read() as db:
            state = review_state.blind_state(db)
            summaries = reads.article_summaries(db)
        _print_blind_state(state, summaries, args.json)
        return 0
    from desktop.core import review_ops

    reviewer = cli._reviewer(args)
    with cli._open(args, writes=True) as project:
        with project.read() as db:
            article_ids = _articles(db, args.article) or []
        # One transaction each way: several articles are switched all together or not at all.
        if args.action == "on":
            review_ops.start_blinding(project, reviewer=reviewer, article_ids=article_ids)
        else:
            review_ops.end_blinding(project, reviewer=reviewer, article_ids=article_ids)
        with project.read() as db:
            state = review_state.blind_state(db)
            summaries = reads.article_summaries(db)
    _print_blind_state(state, summaries, False)
    return 0


def _print_blind_state(state: Any, summaries: list[ArticleSummary], as_json: bool) -> None:
    titles = {s.id: s.title for s in summaries}
    blinded = [s.id for s in summaries if state.blinded(s.id)]
    if as_json:
        cli._print_json(
            {
                "project_blind": state.project_blind,
                "articles": [
                    {"id": a, "title": titles[a], "done": sorted(state.done.get(a, ()))}
                    for a in blinded
                ],
                "adjudicators": sorted(state.adjudicators),
            }
        )
        return
    if not state.active:
        print("Blind review is off.")
    else:
        scope = "the whole project" if state.project_blind else f"{len(blinded)} article(s)"
        print(f"Blind review is on for {scope}.")
        cli._print_table(
            ["ID", "TITLE", "DONE"],
            [
                [a[:8], cli._clip(titles[a], 50), ", ".join(sorted(state.done.get(a, ()))) or "—"]
                for a in blinded
            ],
        )
    names = ", ".join(sorted(state.adjudicators))
    print(f"Adjudicators: {names}" if names else "Adjudicators: none named (anyone may adjudicate)")


def cmd_done(args: argparse.Namespace) -> int:
    from desktop.core import review_ops

    reviewer = cli._reviewer(args)
    with cli._open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article)
            title = next(s.title for s in reads.article_summaries(db) if s.id == article_id)
        if args.undo:
            review_ops.unmark_done(project, article_id, reviewer=reviewer)
            print(f"{title}: no longer marked done by {reviewer}.")
        else:
            changes = review_ops.mark_done(project, article_id, reviewer=reviewer)
            said = "marked done" if changes else "already marked done"
            print(f"{title}: {said} by {reviewer}; every reviewer's annotations are visible.")
    return 0


# --- disagreements and adjudication -------------------------------------------------------


def _groups(project: Any, article_ids: list[str] | None, looker: str | None) -> Any:
    """(article tags, groups) per article the looker may see; blinded ones are left out."""
    from desktop.core import review_state
    from desktop.core.disagreements import find_groups

    with project.read() as db:
        state = review_state.blind_state(db)
        articles = review_state.article_tags(db, article_ids)
        settled = review_state.settled_annotation_ids(db, article_ids)
    shown, hidden = [], []
    for a in articles:
        if state.hides_others(looker, a.article_id):
            hidden.append(a)
        else:
            shown.append((a, find_groups(a.reviewers, a.tags, settled)))
    return shown, hidden


def cmd_disagreements(args: argparse.Namespace) -> int:
    looker = viewer(args)
    with cli._open(args) as project:
        with project.read() as db:
            article_ids = _articles(db, args.article)
        shown, hidden = _groups(project, article_ids, looker)
    if hidden and args.article:
        raise _blinded(f"the other reviewers' annotations on {hidden[0].title!r}", looker)
    items = []
    for article, found in shown:
        for group in found.groups if args.all else found.disagreements:
            if not args.all and group.settled:
                continue
            items.append((article, found, group))
    if args.json:
        cli._print_json([_group_json(a, f, g) for a, f, g in items])
    elif not items:
        print("No open disagreements." if not args.all else "Nothing tagged by two reviewers.")
    else:
        rows = []
        for article, _found, group in items:
            state = "settled" if group.settled else ("agreed" if group.kind is None else "open")
            sides = "; ".join(
                f"{t.reviewer}: {t.verdict} {t.start}-{t.end}" for t in group.tags
            ) + "".join(f"; {r}: untagged" for r in group.missing)
            rows.append(
                [
                    group.id,
                    article.article_id[:8],
                    f"{group.start}-{group.end}",
                    group.description,
                    state,
                    sides,
                ]
            )
        cli._print_table(["ID", "ARTICLE", "SPAN", "KIND", "STATE", "SIDES"], rows)
    if hidden:
        _say_left_out(len(hidden), looker)
    return 0


def _group_json(article: Any, found: Any, group: Any) -> dict[str, Any]:
    return {
        "id": group.id,
        "article_id": article.article_id,
        "article_title": article.title,
        "kind": group.kind or "agreed",
        "description": group.description,
        "settled": group.settled,
        "start": group.start,
        "end": group.end,
        "reviewers": list(found.reviewers),
        "missing": list(group.missing),
        "annotations": [
            {
                "id": t.id,
                "reviewer": t.reviewer,
                "start": t.start,
                "end": t.end,
                "verdict": t.verdict,
                "note": t.note,
            }
            for t in group.tags
        ],
    }


def cmd_adjudicate(args: argparse.Namespace) -> int:
    from desktop.core import review_ops

    reviewer = cli._reviewer(args)
    with cli._open(args, writes=True) as project:
        with project.read() as db:
            article_id = reads.resolve_article(db, args.article)
        if args.agreed:
            changes = review_ops.finalise_agreed(
                project, article_id, reviewer=reviewer, note=args.note or ""
            )
            count = len([c for c in changes.changes if c.action == "adjudication.settled"])
            print(f"Finalised {count} agreed span(s).")
            return 0
        assert args.id is not None
        if args.withdraw:
            review_ops.withdraw(project, article_id, args.id, reviewer=reviewer)
            print(f"{args.id}: settlement withdrawn; the disagreement is open again.")
            return 0
        decision = review_ops.Decision(
            accept=args.accept,
            verdict=Verdict.parse(args.verdict) if args.verdict else None,
            untagged=args.untagged,
            note=args.note or "",
            start=args.start,
            end=args.end,
        )
        changes = review_ops.settle(project, article_id, args.id, decision, reviewer=reviewer)
        with project.read() as db:
            rows = reads.annotation_rows(db, annotation_ids=changes.annotation_ids)
    if not rows:
        print(f"{args.id}: settled; the text stays untagged.")
    for row in rows:
        quote = cli._clip(row.quote, 50)
        print(f"{row.id}  final {row.verdict.value}  {row.start}-{row.end}  {quote}")
    return 0


def cmd_adjudicators(args: argparse.Namespace) -> int:
    from desktop.core import review_ops, review_state

    if args.add or args.remove:
        reviewer = cli._reviewer(args)
        with cli._open(args, writes=True) as project:
            review_ops.change_adjudicators(
                project, add=args.add or (), remove=args.remove or (), reviewer=reviewer
            )
            with project.read() as db:
                names = sorted(review_state.blind_state(db).adjudicators)
    else:
        with cli._open(args) as project, project.read() as db:
            names = sorted(review_state.blind_state(db).adjudicators)
    if args.json:
        cli._print_json(names)
    elif names:
        print("\n".join(names))
    else:
        print("No adjudicators named: anyone may adjudicate.")
    return 0


# --- registration -------------------------------------------------------------------------


def add_review_commands(sub: Any) -> None:
    def command(name: str, func: Any, text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
        p.set_defaults(func=func)
        p.add_argument("project", metavar="PROJECT", help="project file (.crosscheck)")
        return p

    def who(p: argparse.ArgumentParser, text: str) -> None:
        p.add_argument("--reviewer", metavar="NAME", help=f"{text} (default: ${cli.REVIEWER_ENV})")

    p = command(
        "agreement",
        cmd_agreement,
        "agreement between reviewers per article: uα, Cohen's κ, percent agreement, "
        "open disagreements",
    )
    p.add_argument("--article", action="append", metavar="A", help="only this article")
    p.add_argument("--pairs", action="store_true", help="also each pair of reviewers")
    p.add_argument("--json", action="store_true", help="print JSON (pairs included)")
    who(p, "who is looking: blind review hides the figures until they mark an article done")

    p = command("blind", cmd_blind, "show, start (on) or end (off) blind review")
    p.add_argument("action", nargs="?", choices=["on", "off"], help="omit to show the state")
    p.add_argument(
        "--article", action="append", metavar="A", help="only this article (default: project)"
    )
    p.add_argument("--json", action="store_true", help="print the state as JSON")
    who(p, "who switches it")

    p = command("done", cmd_done, "mark your pass over an article done (ends blinding for you)")
    p.add_argument("article", metavar="ARTICLE", help="id, unique id prefix or exact title")
    p.add_argument("--undo", action="store_true", help="take the mark back")
    who(p, "whose pass")

    p = command(
        "disagreements", cmd_disagreements, "list where reviewers disagree, with ids to adjudicate"
    )
    p.add_argument("--article", action="append", metavar="A", help="only this article")
    p.add_argument("--all", action="store_true", help="settled and agreed spans too")
    p.add_argument("--json", action="store_true", help="print JSON")
    who(p, "who is looking (blind review applies)")

    p = command(
        "adjudicate",
        cmd_adjudicate,
        "settle a disagreement with a final verdict, or finalise the agreed spans",
    )
    p.add_argument("article", metavar="ARTICLE", help="id, unique id prefix or exact title")
    p.add_argument("id", metavar="ID", nargs="?", help="the disagreement (see disagreements)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--accept", metavar="NAME", help="accept this reviewer's side")
    how.add_argument("--verdict", choices=[v.value for v in Verdict], help="a final verdict")
    how.add_argument("--untagged", action="store_true", help="the text stays untagged")
    how.add_argument("--withdraw", action="store_true", help="withdraw its settlement")
    how.add_argument("--agreed", action="store_true", help="finalise every agreed span")
    p.add_argument("--start", type=cli._non_negative, help="final span's start (with --verdict)")
    p.add_argument("--end", type=cli._non_negative, help="final span's end (with --verdict)")
    p.add_argument("--note", help="why")
    who(p, "the adjudicator")

    p = command("adjudicators", cmd_adjudicators, "list, add or remove the project's adjudicators")
    p.add_argument("--add", action="append", metavar="NAME", help="name an adjudicator")
    p.add_argument("--remove", action="append", metavar="NAME", help="remove one")
    p.add_argument("--json", action="store_true", help="print JSON")
    who(p, "who makes the change")


def check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage mistakes argparse cannot see (exit 2)."""
    if args.command != "adjudicate":
        return
    if args.agreed and args.id is not None:
        parser.error("--agreed finalises the whole article: give no ID")
    if not args.agreed and args.id is None:
        parser.error("give the disagreement's ID (see `crosscheck disagreements`)")
    if (args.start is None) != (args.end is None):
        parser.error("--start and --end go together")
    if args.start is not None and args.verdict is None:
        parser.error("--start/--end go with --verdict")
