"""Writes for double-checking: blind review, done marks, adjudicators and adjudication.

Each is one transaction holding the change and its audit events (through the recorder of
``operations``) and returns a ChangeSet, as every write does.

Roles: a project may name adjudicators. While it names none, anyone may adjudicate, switch
blind review and name adjudicators; once it names some, only they may. Adjudicators are never
blinded. Anyone may mark their own pass over an article done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.core import review_state
from desktop.core.anchoring import CONTEXT_CHARS, check_span
from desktop.core.changes import ChangeSet
from desktop.core.disagreements import Group, find_groups
from desktop.core.errors import CrosscheckError, InvalidInput, NotFound
from desktop.core.model import Verdict, check_note, iso_utc, new_id
from desktop.core.operations import (
    _Recorder,
    annotation_state,
    check_reviewer_name,
)
from desktop.core.storage.project import Project
from desktop.core.storage.schema import (
    Adjudicator,
    Annotation,
    Article,
    Blinding,
    DoneMark,
    Reviewer,
    Settlement,
    SettlementLink,
)


class NotAllowed(CrosscheckError):
    """The project's roles do not allow this reviewer to do this."""


# --- rights -------------------------------------------------------------------------------


def _require_adjudicator(session: Session, reviewer: str, doing: str) -> None:
    names = _adjudicator_names(session)
    if names and reviewer not in names:
        raise NotAllowed(
            f"only the project's adjudicators ({', '.join(sorted(names))}) may {doing}; "
            f"{reviewer} is not one"
        )


def _adjudicator_names(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(Reviewer.name).join(Adjudicator, Adjudicator.reviewer_id == Reviewer.id)
        )
    )


def _article(session: Session, article_id: str) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id}")
    return article


# --- blind review -------------------------------------------------------------------------


def _blinding_state(row: Blinding, started_by: str, title: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "scope": "project" if row.article_id is None else "article",
        "article_id": row.article_id,
        "article_title": title,
        "started_at": iso_utc(row.started_at),
        "started_by": started_by,
    }


def _blinding_row(session: Session, article_id: str | None) -> Blinding | None:
    condition = (
        Blinding.article_id.is_(None) if article_id is None else Blinding.article_id == article_id
    )
    return session.scalars(select(Blinding).where(condition)).first()


def start_blinding(
    project: Project,
    *,
    reviewer: str,
    article_id: str | None = None,
    article_ids: Sequence[str] = (),
) -> ChangeSet:
    """Start blind review for the whole project, or (``article_id``, ``article_ids``) for
    these articles, in one transaction."""
    reviewer = check_reviewer_name(reviewer)
    chosen = list(dict.fromkeys([*([article_id] if article_id else []), *article_ids]))
    scopes: list[str | None] = [*chosen] if chosen else [None]
    with project.write() as session:
        _require_adjudicator(session, reviewer, "start blind review")
        if _blinding_row(session, None) is not None:
            raise InvalidInput("the whole project is already under blind review")
        titles = {a: _article(session, a).title for a in chosen}
        for a in chosen:
            if _blinding_row(session, a) is not None:
                raise InvalidInput(f"{titles[a]!r} is already under blind review")
        rec = _Recorder(session.connection(), reviewer)
        for scope in scopes:
            row = Blinding(
                id=new_id(), article_id=scope, started_at=rec.at, started_by=rec.reviewer.id
            )
            session.add(row)
            session.flush()
            title = titles[scope] if scope is not None else None
            rec.record(
                "blinding.started",
                "blinding",
                row.id,
                None,
                _blinding_state(row, rec.reviewer.name, title),
            )
        return rec.result()


def end_blinding(project: Project, *, reviewer: str, article_id: str | None = None) -> ChangeSet:
    """End blind review for one article, or (``article_id`` None) everywhere: for the
    project and for every article."""
    reviewer = check_reviewer_name(reviewer)
    with project.write() as session:
        _require_adjudicator(session, reviewer, "end blind review")
        if article_id is None:
            rows = list(session.scalars(select(Blinding)))
            if not rows:
                raise InvalidInput("blind review is not on")
        else:
            title = _article(session, article_id).title
            row = _blinding_row(session, article_id)
            if row is None:
                if _blinding_row(session, None) is not None:
                    raise InvalidInput(
                        "the whole project is under blind review; end it for the project, "
                        "not for one article"
                    )
                raise InvalidInput(f"{title!r} is not under blind review")
            rows = [row]
        ended = []
        for each in rows:
            each_title = _article(session, each.article_id).title if each.article_id else None
            started_by = session.get_one(Reviewer, each.started_by).name
            ended.append((each.id, _blinding_state(each, started_by, each_title)))
            session.delete(each)
        session.flush()
        rec = _Recorder(session.connection(), reviewer)
        for entity_id, state in reversed(ended):
            rec.record("blinding.ended", "blinding", entity_id, state, None)
        return rec.result()


def _done_state(mark: DoneMark, name: str, title: str) -> dict[str, Any]:
    return {
        "id": mark.id,
        "article_id": mark.article_id,
        "article_title": title,
        "reviewer": name,
        "done_at": iso_utc(mark.done_at),
    }


def mark_done(project: Project, article_id: str, *, reviewer: str) -> ChangeSet:
    """``reviewer`` has finished their pass over the article: blind review ends for them there.
    Marking it again changes nothing."""
    reviewer = check_reviewer_name(reviewer)
    with project.write() as session:
        article = _article(session, article_id)
        existing = session.scalars(
            select(DoneMark)
            .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
            .where(DoneMark.article_id == article_id, Reviewer.name == reviewer)
        ).first()
        if existing is not None:
            return ChangeSet()
        rec = _Recorder(session.connection(), reviewer)
        mark = DoneMark(
            id=new_id(), article_id=article_id, reviewer_id=rec.reviewer.id, done_at=rec.at
        )
        session.add(mark)
        session.flush()
        rec.record(
            "review.done", "done_mark", mark.id, None, _done_state(mark, reviewer, article.title)
        )
        return rec.result()


def unmark_done(project: Project, article_id: str, *, reviewer: str) -> ChangeSet:
    """Take back a done mark made by mistake (what was seen meanwhile stays seen)."""
    reviewer = check_reviewer_name(reviewer)
    with project.write() as session:
        article = _article(session, article_id)
        mark = session.scalars(
            select(DoneMark)
            .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
            .where(DoneMark.article_id == article_id, Reviewer.name == reviewer)
        ).first()
        if mark is None:
            raise InvalidInput(f"{reviewer} has not marked {article.title!r} done")
        rec = _Recorder(session.connection(), reviewer)
        before = _done_state(mark, reviewer, article.title)
        session.delete(mark)
        session.flush()
        rec.record("review.reopened", "done_mark", mark.id, before, None)
        return rec.result()


# --- adjudicators -------------------------------------------------------------------------


def add_adjudicator(project: Project, name: str, *, reviewer: str) -> ChangeSet:
    """Name ``name`` an adjudicator (a reviewer not yet in the project is added)."""
    return change_adjudicators(project, add=[name], reviewer=reviewer)


def remove_adjudicator(project: Project, name: str, *, reviewer: str) -> ChangeSet:
    return change_adjudicators(project, remove=[name], reviewer=reviewer)


def change_adjudicators(
    project: Project,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    reviewer: str,
) -> ChangeSet:
    """Add and remove adjudicators in one transaction: all of it or nothing. Who may is
    decided by the list as it was before (so the first adjudicators can be named together).
    Adding someone already named, or a name twice, changes nothing for them."""
    reviewer = check_reviewer_name(reviewer)
    adding = list(dict.fromkeys(check_reviewer_name(n) for n in add))
    removing = list(dict.fromkeys(check_reviewer_name(n) for n in remove))
    both = set(adding) & set(removing)
    if both:
        raise InvalidInput(f"{sorted(both)[0]} is both added and removed")
    with project.write() as session:
        _require_adjudicator(session, reviewer, "change the adjudicators")
        named = _adjudicator_names(session)
        for name in removing:
            if name not in named:
                raise NotFound(f"{name} is not an adjudicator of this project")
        rec = _Recorder(session.connection(), reviewer)
        for name in adding:
            if name in named:
                continue
            person_id = session.scalars(select(Reviewer.id).where(Reviewer.name == name)).first()
            if person_id is None:
                person_id = new_id()
                session.add(Reviewer(id=person_id, name=name, email=None, created_at=rec.at))
                session.flush()
                rec.record(
                    "reviewer.added",
                    "reviewer",
                    person_id,
                    None,
                    {"id": person_id, "name": name, "email": None},
                )
            session.add(
                Adjudicator(reviewer_id=person_id, added_at=rec.at, added_by=rec.reviewer.id)
            )
            session.flush()
            rec.record(
                "adjudicator.added",
                "adjudicator",
                person_id,
                None,
                {"reviewer_id": person_id, "name": name, "added_at": iso_utc(rec.at)},
            )
        for name in removing:
            row = session.scalars(
                select(Adjudicator)
                .join(Reviewer, Reviewer.id == Adjudicator.reviewer_id)
                .where(Reviewer.name == name)
            ).one()
            before = {
                "reviewer_id": row.reviewer_id,
                "name": name,
                "added_at": iso_utc(row.added_at),
            }
            session.execute(delete(Adjudicator).where(Adjudicator.reviewer_id == row.reviewer_id))
            rec.record("adjudicator.removed", "adjudicator", row.reviewer_id, before, None)
        return rec.result()


# --- adjudication -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What an adjudicator decides for one disagreement: exactly one of accepting a
    reviewer's side, a final verdict (on ``start``-``end``, by default the whole disagreement),
    or that the text stays untagged."""

    accept: str | None = None
    verdict: Verdict | None = None
    untagged: bool = False
    note: str = ""
    start: int | None = None
    end: int | None = None

    def check(self) -> None:
        chosen = sum([self.accept is not None, self.verdict is not None, self.untagged])
        if chosen != 1:
            raise InvalidInput("decide one way: accept a reviewer's side, a verdict, or untagged")
        if (self.start is None) != (self.end is None):
            raise InvalidInput("give both the start and the end of the final span")
        if self.start is not None and self.verdict is None:
            raise InvalidInput("a span of your own goes with a final verdict")
        check_note(self.note)


def _groups_in(session: Session, reviewer: str, article_id: str) -> list[Group]:
    """The article's groups, as the adjudicator may see them (refused while blinded)."""
    state = review_state.blind_state(session)
    if state.hides_others(reviewer, article_id):
        raise NotAllowed(
            "blind review hides the other reviewers' annotations from you on this article: "
            "mark it done first, or ask to be named an adjudicator"
        )
    (tags,) = review_state.article_tags(session, [article_id])
    settled = review_state.settled_annotation_ids(session, [article_id])
    found = find_groups(tags.reviewers, tags.tags, settled)
    if len(found.reviewers) < 2:
        raise InvalidInput(
            f"{tags.title!r} needs two reviewers before anything can be adjudicated "
            f"(reviewers so far: {', '.join(found.reviewers) or 'none'})"
        )
    return list(found.groups)


def settle(
    project: Project, article_id: str, group_id: str, decision: Decision, *, reviewer: str
) -> ChangeSet:
    """Settle one disagreement: a settlement linked to the annotations it settles, and the
    final annotations it makes (ordinary audited annotations marked final)."""
    reviewer = check_reviewer_name(reviewer)
    decision.check()
    with project.write() as session:
        _require_adjudicator(session, reviewer, "adjudicate")
        article = _article(session, article_id)
        groups = _groups_in(session, reviewer, article_id)
        group = next((g for g in groups if g.id == group_id.strip().lower()), None)
        if group is None:
            raise NotFound(
                f"no disagreement {group_id!r} in {article.title!r} "
                "(list them with `crosscheck disagreements`)"
            )
        if group.kind is None:
            raise InvalidInput(
                f"{group_id} is agreed by every reviewer; finalise agreed spans instead"
            )
        if group.settled:
            raise InvalidInput(f"{group_id} is already settled; withdraw that first")
        finals: list[tuple[int, int, Verdict, str, list[dict[str, str]]]] = []
        outcome = "untagged"
        if decision.accept is not None:
            side = group.side(decision.accept.strip())
            if side:
                outcome = "accepted"
                for tag in side:
                    source = session.get_one(Annotation, tag.id)
                    note = decision.note or source.note
                    finals.append(
                        (tag.start, tag.end, Verdict(tag.verdict), note, list(source.sources))
                    )
            elif decision.accept.strip() not in group.missing:
                sides = ", ".join(group.reviewers + list(group.missing))
                raise InvalidInput(
                    f"{decision.accept.strip()} has no side in {group_id} (sides: {sides})"
                )
        elif decision.verdict is not None:
            outcome = "verdict"
            start = group.start if decision.start is None else decision.start
            end = group.end if decision.end is None else decision.end
            check_span(article.text_length, start, end)
            finals.append((start, end, decision.verdict, decision.note, []))
        rec = _Recorder(session.connection(), reviewer)
        _record_settlement(session, rec, article, [group], outcome, decision.note, finals)
        return rec.result()


def finalise_agreed(
    project: Project, article_id: str, *, reviewer: str, note: str = ""
) -> ChangeSet:
    """Make final annotations of every span all reviewers tagged alike and not yet settled."""
    reviewer = check_reviewer_name(reviewer)
    check_note(note)
    with project.write() as session:
        _require_adjudicator(session, reviewer, "adjudicate")
        article = _article(session, article_id)
        agreed = [
            g for g in _groups_in(session, reviewer, article_id) if g.kind is None and not g.settled
        ]
        if not agreed:
            return ChangeSet()
        rec = _Recorder(session.connection(), reviewer)
        for group in agreed:
            first = group.side(group.reviewers[0])
            finals = []
            for tag in first:
                source = session.get_one(Annotation, tag.id)
                finals.append(
                    (tag.start, tag.end, Verdict(tag.verdict), note or source.note,
                     list(source.sources))
                )  # fmt: skip
            _record_settlement(session, rec, article, [group], "agreed", note, finals)
        return rec.result()


def _record_settlement(
    session: Session,
    rec: _Recorder,
    article: Article,
    groups: Sequence[Group],
    outcome: str,
    note: str,
    finals: Sequence[tuple[int, int, Verdict, str, list[dict[str, str]]]],
) -> None:
    text = article.text
    final_ids = []
    for start, end, verdict, final_note, sources in finals:
        annotation = Annotation(
            id=new_id(),
            article_id=article.id,
            start=start,
            end=end,
            quote=text[start:end],
            prefix=text[max(0, start - CONTEXT_CHARS) : start],
            suffix=text[end : end + CONTEXT_CHARS],
            verdict=verdict.value,
            note=final_note,
            sources=sources,
            created_at=rec.at,
            created_by=rec.reviewer.id,
            updated_at=rec.at,
            updated_by=rec.reviewer.id,
            final=True,
        )
        session.add(annotation)
        session.flush()
        rec.record(
            "annotation.created",
            "annotation",
            annotation.id,
            None,
            annotation_state(session, annotation),
        )
        final_ids.append(annotation.id)
    settled_ids = sorted({t.id for g in groups for t in g.tags})
    settlement = Settlement(
        id=new_id(),
        article_id=article.id,
        outcome=outcome,
        note=note,
        created_at=rec.at,
        created_by=rec.reviewer.id,
    )
    session.add(settlement)
    session.flush()
    session.add_all(
        [SettlementLink(settlement_id=settlement.id, annotation_id=a, role="settled")
         for a in settled_ids]
        + [SettlementLink(settlement_id=settlement.id, annotation_id=a, role="final")
           for a in final_ids]
    )  # fmt: skip
    session.flush()
    rec.record(
        "adjudication.settled",
        "settlement",
        settlement.id,
        None,
        _settlement_state(settlement, rec.reviewer.name, settled_ids, final_ids, None),
    )


def _settlement_state(
    s: Settlement,
    created_by: str,
    settles: Sequence[str],
    finals: Sequence[str],
    withdrawn_by: str | None,
) -> dict[str, Any]:
    return {
        "id": s.id,
        "article_id": s.article_id,
        "outcome": s.outcome,
        "note": s.note,
        "settles": list(settles),
        "finals": list(finals),
        "created_at": iso_utc(s.created_at),
        "created_by": created_by,
        "withdrawn_at": iso_utc(s.withdrawn_at) if s.withdrawn_at else None,
        "withdrawn_by": withdrawn_by,
    }


def withdraw(project: Project, article_id: str, group_id: str, *, reviewer: str) -> ChangeSet:
    """Withdraw the standing settlement of a disagreement (or agreed span), deleting the
    final annotations it made: the disagreement is open again."""
    reviewer = check_reviewer_name(reviewer)
    with project.write() as session:
        _require_adjudicator(session, reviewer, "adjudicate")
        article = _article(session, article_id)
        group = next(
            (g for g in _groups_in(session, reviewer, article_id) if g.id == group_id.strip()),
            None,
        )
        if group is None or not group.settled:
            raise NotFound(f"nothing settled as {group_id!r} in {article.title!r}")
        tag_ids = {t.id for t in group.tags}
        standing = [
            s
            for s in review_state.settlements(session, article_id)
            if s.standing and tag_ids & set(s.settles)
        ]
        rec = _Recorder(session.connection(), reviewer)
        for info in standing:
            settlement = session.get_one(Settlement, info.id)
            creator = session.get_one(Reviewer, settlement.created_by).name
            before = _settlement_state(settlement, creator, info.settles, info.finals, None)
            settlement.withdrawn_at = rec.at
            settlement.withdrawn_by = rec.reviewer.id
            for final_id in info.finals:
                annotation = session.get_one(Annotation, final_id)
                if annotation.deleted_at is not None:
                    continue
                state = annotation_state(session, annotation)
                annotation.deleted_at = rec.at
                annotation.deleted_by = rec.reviewer.id
                annotation.updated_at = rec.at
                annotation.updated_by = rec.reviewer.id
                session.flush()
                rec.record(
                    "annotation.deleted",
                    "annotation",
                    annotation.id,
                    state,
                    annotation_state(session, annotation),
                )
            session.flush()
            rec.record(
                "adjudication.withdrawn",
                "settlement",
                settlement.id,
                before,
                _settlement_state(settlement, creator, info.settles, info.finals, reviewer),
            )
        return rec.result()
