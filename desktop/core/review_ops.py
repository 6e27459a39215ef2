"""Writes for double-checking: blind review, done marks, adjudicators and adjudication.

Each is one transaction holding the change and its audit events (through the recorder of
``operations``) and returns a ChangeSet with a label and, where the change can be taken back,
the inverse Edit (registered in ``operations.EDITS``): blind review on and off, done marks,
adjudicators, settling and withdrawing.

Roles: a project may name adjudicators. While it names none, anyone may adjudicate, switch
blind review and name adjudicators; once it names some, only they may. Adjudicators are never
blinded. Anyone may mark their own pass over an article done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from desktop.core import review_state
from desktop.core.anchoring import CONTEXT_CHARS, check_span
from desktop.core.changes import ChangeSet, Edit
from desktop.core.disagreements import Group, find_groups
from desktop.core.errors import CrosscheckError, InvalidInput, NotFound
from desktop.core.model import Verdict, check_note, check_reviewer_name, iso_utc, new_id
from desktop.core.operations import (
    _check_version,
    _clip,
    _mark_deleted,
    _Recorder,
    annotation_state,
    annotation_states,
)
from desktop.core.store import Store
from desktop.core.store.schema import (
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


# --- rights and lookups ---------------------------------------------------------------------


def _adjudicator_names(conn: Connection) -> set[str]:
    return set(
        conn.execute(
            select(Reviewer.name).join(Adjudicator, Adjudicator.reviewer_id == Reviewer.id)
        ).scalars()
    )


def _require_adjudicator(conn: Connection, reviewer: str, doing: str) -> None:
    names = _adjudicator_names(conn)
    if names and reviewer not in names:
        raise NotAllowed(
            f"only the project's adjudicators ({', '.join(sorted(names))}) may {doing}; "
            f"{reviewer} is not one"
        )


@dataclass(frozen=True)
class _Article:
    id: str
    title: str
    length: int
    removed: bool


def _article(conn: Connection, article_id: str, *, doing: str | None = None) -> _Article:
    """The article; with ``doing``, a removed one is refused saying what could not be done."""
    row = conn.execute(
        select(Article.id, Article.title, Article.text_length, Article.deleted_at).where(
            Article.id == article_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no article with id {article_id}")
    article = _Article(row[0], row[1], row[2], row[3] is not None)
    if doing is not None and article.removed:
        title = _clip(article.title)
        raise InvalidInput(f"article {title!r} is removed; restore it before {doing}")
    return article


def _reviewer_id(conn: Connection, name: str) -> str | None:
    return conn.execute(select(Reviewer.id).where(Reviewer.name == name)).scalar()


def _quoted(title: str) -> str:
    return f"'{_clip(title, 30)}'"


# --- blind review -------------------------------------------------------------------------


def _blindings(conn: Connection) -> list[dict[str, Any]]:
    """Blind review in force: one state per row, as the log keeps it."""
    rows = conn.execute(
        select(
            Blinding.id,
            Blinding.article_id,
            Article.title,
            Blinding.started_at,
            Reviewer.name,
        )
        .join(Reviewer, Reviewer.id == Blinding.started_by)
        .outerjoin(Article, Article.id == Blinding.article_id)
        .order_by(Blinding.started_at, Blinding.id)
    )
    return [
        {
            "id": bid,
            "scope": "project" if article_id is None else "article",
            "article_id": article_id,
            "article_title": title,
            "started_at": iso_utc(started_at),
            "started_by": started_by,
        }
        for bid, article_id, title, started_at, started_by in rows
    ]


def start_blinding(
    store: Store,
    *,
    reviewer: str,
    article_id: str | None = None,
    article_ids: Sequence[str] = (),
    project: bool = False,
) -> ChangeSet:
    """Start blind review for these articles (``article_id``, ``article_ids``), for the whole
    project (``project``, or when no article is named), or both, in one transaction."""
    reviewer = check_reviewer_name(reviewer)
    chosen = list(dict.fromkeys([*([article_id] if article_id else []), *article_ids]))
    whole = project or not chosen
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "start blind review")
        rows = _blindings(conn)
        if any(r["article_id"] is None for r in rows):
            raise InvalidInput("the whole project is already under blind review")
        titles = {a: _article(conn, a, doing="starting blind review of it").title for a in chosen}
        blinded = {r["article_id"] for r in rows}
        for a in chosen:
            if a in blinded:
                raise InvalidInput(f"{titles[a]!r} is already under blind review")
        rec = _Recorder(conn, reviewer)
        for scope in [*chosen, *([None] if whole else [])]:
            blinding_id = new_id()
            conn.execute(
                insert(Blinding).values(
                    id=blinding_id, article_id=scope, started_at=rec.at, started_by=rec.reviewer.id
                )
            )
            state = {
                "id": blinding_id,
                "scope": "project" if scope is None else "article",
                "article_id": scope,
                "article_title": None if scope is None else titles[scope],
                "started_at": iso_utc(rec.at),
                "started_by": rec.reviewer.name,
            }
            rec.record("blinding.started", "blinding", blinding_id, None, state)
        inverse = Edit("end_blinding", {"article_ids": chosen, "project": whole})
        return rec.result(f"Blind review of {_scope_label(chosen, titles, whole)}", inverse)


def _scope_label(chosen: Sequence[str], titles: Mapping[str, str], whole: bool) -> str:
    parts = ["the project"] if whole else []
    if len(chosen) == 1:
        parts.append(_quoted(titles[chosen[0]]))
    elif chosen:
        parts.append(f"{len(chosen)} articles")
    return " and ".join(parts)


def end_blinding(
    store: Store,
    *,
    reviewer: str,
    article_id: str | None = None,
    article_ids: Sequence[str] = (),
    project: bool = False,
) -> ChangeSet:
    """End blind review for these articles, for the project as a whole (``project``), or,
    when neither is named, everywhere: for the project and every article. All or nothing."""
    reviewer = check_reviewer_name(reviewer)
    chosen = list(dict.fromkeys([*([article_id] if article_id else []), *article_ids]))
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "end blind review")
        rows = _blindings(conn)
        if not rows:
            raise InvalidInput("blind review is not on")
        whole_row = next((r for r in rows if r["article_id"] is None), None)
        ending = []
        if not chosen and not project:
            ending = rows
        else:
            by_article = {r["article_id"]: r for r in rows if r["article_id"] is not None}
            for a in chosen:
                title = _article(conn, a).title
                if a not in by_article:
                    if whole_row is not None and not project:
                        raise InvalidInput(
                            "the whole project is under blind review; end it for the project, "
                            "not for one article"
                        )
                    raise InvalidInput(f"{title!r} is not under blind review")
                ending.append(by_article[a])
            if project:
                if whole_row is None:
                    raise InvalidInput("the project as a whole is not under blind review")
                ending.append(whole_row)
        for row in ending:
            conn.execute(delete(Blinding).where(Blinding.id == row["id"]))
        rec = _Recorder(conn, reviewer)
        for row in ending:
            rec.record("blinding.ended", "blinding", row["id"], row, None)
        ended = [r["article_id"] for r in ending if r["article_id"] is not None]
        whole = any(r["article_id"] is None for r in ending)
        titles = {r["article_id"]: r["article_title"] or "" for r in ending}
        inverse = Edit("start_blinding", {"article_ids": ended, "project": whole})
        label = f"End blind review of {_scope_label(ended, titles, whole)}"
        return rec.result(label, inverse)


def _done_mark(conn: Connection, article_id: str, reviewer: str) -> tuple[str, Any] | None:
    row = conn.execute(
        select(DoneMark.id, DoneMark.done_at)
        .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
        .where(DoneMark.article_id == article_id, Reviewer.name == reviewer)
    ).first()
    return None if row is None else (row[0], row[1])


def _done_state(mark_id: str, article: _Article, name: str, at: Any) -> dict[str, Any]:
    return {
        "id": mark_id,
        "article_id": article.id,
        "article_title": article.title,
        "reviewer": name,
        "done_at": iso_utc(at),
    }


def mark_done(store: Store, article_id: str, *, reviewer: str) -> ChangeSet:
    """``reviewer`` has finished their pass over the article: blind review ends for them there.
    Marking it again changes nothing."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        article = _article(conn, article_id, doing="marking it done")
        if _done_mark(conn, article_id, reviewer) is not None:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        mark_id = new_id()
        conn.execute(
            insert(DoneMark).values(
                id=mark_id, article_id=article_id, reviewer_id=rec.reviewer.id, done_at=rec.at
            )
        )
        state = _done_state(mark_id, article, reviewer, rec.at)
        rec.record("review.done", "done_mark", mark_id, None, state)
        inverse = Edit("unmark_done", {"article_id": article_id})
        return rec.result(f"Mark {_quoted(article.title)} done", inverse)


def unmark_done(store: Store, article_id: str, *, reviewer: str) -> ChangeSet:
    """Take back a done mark made by mistake (what was seen meanwhile stays seen)."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        article = _article(conn, article_id)
        mark = _done_mark(conn, article_id, reviewer)
        if mark is None:
            raise InvalidInput(f"{reviewer} has not marked {article.title!r} done")
        rec = _Recorder(conn, reviewer)
        before = _done_state(mark[0], article, reviewer, mark[1])
        conn.execute(delete(DoneMark).where(DoneMark.id == mark[0]))
        rec.record("review.reopened", "done_mark", mark[0], before, None)
        inverse = Edit("mark_done", {"article_id": article_id})
        return rec.result(f"Unmark {_quoted(article.title)} done", inverse)


# --- adjudicators -------------------------------------------------------------------------


def add_adjudicator(store: Store, name: str, *, reviewer: str) -> ChangeSet:
    """Name ``name`` an adjudicator (a reviewer not yet in the project is added)."""
    return change_adjudicators(store, add=[name], reviewer=reviewer)


def remove_adjudicator(store: Store, name: str, *, reviewer: str) -> ChangeSet:
    return change_adjudicators(store, remove=[name], reviewer=reviewer)


def change_adjudicators(
    store: Store,
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
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "change the adjudicators")
        named = _adjudicator_names(conn)
        for name in removing:
            if name not in named:
                raise NotFound(f"{name} is not an adjudicator of this project")
        rec = _Recorder(conn, reviewer)
        added = []
        for name in adding:
            if name in named:
                continue
            person_id = _reviewer_id(conn, name)
            if person_id is None:
                person_id = new_id()
                conn.execute(
                    insert(Reviewer).values(id=person_id, name=name, email=None, created_at=rec.at)
                )
                rec.record(
                    "reviewer.added",
                    "reviewer",
                    person_id,
                    None,
                    {"id": person_id, "name": name, "email": None},
                )
            conn.execute(
                insert(Adjudicator).values(
                    reviewer_id=person_id, added_at=rec.at, added_by=rec.reviewer.id
                )
            )
            rec.record(
                "adjudicator.added",
                "adjudicator",
                person_id,
                None,
                {"reviewer_id": person_id, "name": name, "added_at": iso_utc(rec.at)},
            )
            added.append(name)
        for name in removing:
            person_id, added_at = conn.execute(
                select(Adjudicator.reviewer_id, Adjudicator.added_at)
                .join(Reviewer, Reviewer.id == Adjudicator.reviewer_id)
                .where(Reviewer.name == name)
            ).one()
            before = {"reviewer_id": person_id, "name": name, "added_at": iso_utc(added_at)}
            conn.execute(delete(Adjudicator).where(Adjudicator.reviewer_id == person_id))
            rec.record("adjudicator.removed", "adjudicator", person_id, before, None)
        if len(added) + len(removing) == 1:
            label = f"Name adjudicator {added[0]}" if added else f"Remove adjudicator {removing[0]}"
        else:
            label = "Change adjudicators"
        inverse = Edit("change_adjudicators", {"add": list(removing), "remove": added})
        return rec.result(label, inverse)


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


def _refuse_blinded(conn: Connection, reviewer: str, article_id: str) -> None:
    if review_state.blind_state(conn).hides_others(reviewer, article_id):
        raise NotAllowed(
            "blind review hides the other reviewers' annotations from you on this article: "
            "mark it done first, or ask to be named an adjudicator"
        )


def _groups_in(conn: Connection, reviewer: str, article_id: str) -> list[Group]:
    """The article's groups, as the adjudicator may see them (refused while blinded)."""
    _refuse_blinded(conn, reviewer, article_id)
    (tags,) = review_state.article_tags(conn, [article_id])
    settled = review_state.settled_annotation_ids(conn, [article_id])
    found = find_groups(tags.reviewers, tags.tags, settled)
    if len(found.reviewers) < 2:
        raise InvalidInput(
            f"{tags.title!r} needs two reviewers before anything can be adjudicated "
            f"(reviewers so far: {', '.join(found.reviewers) or 'none'})"
        )
    return list(found.groups)


_Final = tuple[int, int, Verdict, str, list[dict[str, str]]]


def settle(
    store: Store, article_id: str, group_id: str, decision: Decision, *, reviewer: str
) -> ChangeSet:
    """Settle one disagreement: a settlement linked to the annotations it settles, and the
    final annotations it makes (ordinary audited annotations marked final)."""
    reviewer = check_reviewer_name(reviewer)
    decision.check()
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "adjudicate")
        article = _article(conn, article_id, doing="adjudicating it")
        groups = _groups_in(conn, reviewer, article_id)
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
        finals: list[_Final] = []
        outcome = "untagged"
        if decision.accept is not None:
            side = group.side(decision.accept.strip())
            if side:
                outcome = "accepted"
                sources = annotation_states(conn, [t.id for t in side])
                for tag in side:
                    note = decision.note or sources[tag.id]["note"]
                    finals.append(
                        (tag.start, tag.end, Verdict(tag.verdict), note,
                         list(sources[tag.id]["sources"]))
                    )  # fmt: skip
            elif decision.accept.strip() not in group.missing:
                sides = ", ".join(group.reviewers + list(group.missing))
                raise InvalidInput(
                    f"{decision.accept.strip()} has no side in {group_id} (sides: {sides})"
                )
        elif decision.verdict is not None:
            outcome = "verdict"
            start = group.start if decision.start is None else decision.start
            end = group.end if decision.end is None else decision.end
            check_span(article.length, start, end)
            finals.append((start, end, decision.verdict, decision.note, []))
        rec = _Recorder(conn, reviewer)
        settlement_id, final_ids = _record_settlement(
            rec, article, [group], outcome, decision.note, finals
        )
        inverse = Edit(
            "withdraw_settlements",
            {"settlement_ids": [settlement_id], "expected": dict.fromkeys(final_ids, 1)},
        )
        return rec.result(f"Settle disagreement {group.id}", inverse)


def finalise_agreed(store: Store, article_id: str, *, reviewer: str, note: str = "") -> ChangeSet:
    """Make final annotations of every span all reviewers tagged alike and not yet settled."""
    reviewer = check_reviewer_name(reviewer)
    check_note(note)
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "adjudicate")
        article = _article(conn, article_id, doing="adjudicating it")
        agreed = [
            g for g in _groups_in(conn, reviewer, article_id) if g.kind is None and not g.settled
        ]
        if not agreed:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        made: list[str] = []
        expected: dict[str, int] = {}
        for group in agreed:
            first = group.side(group.reviewers[0])
            sources = annotation_states(conn, [t.id for t in first])
            finals: list[_Final] = [
                (t.start, t.end, Verdict(t.verdict), note or sources[t.id]["note"],
                 list(sources[t.id]["sources"]))
                for t in first
            ]  # fmt: skip
            settlement_id, final_ids = _record_settlement(
                rec, article, [group], "agreed", note, finals
            )
            made.append(settlement_id)
            expected.update(dict.fromkeys(final_ids, 1))
        count = len(made)
        inverse = Edit("withdraw_settlements", {"settlement_ids": made, "expected": expected})
        return rec.result(f"Finalise {count} agreed span{'s' if count != 1 else ''}", inverse)


def _record_settlement(
    rec: _Recorder,
    article: _Article,
    groups: Sequence[Group],
    outcome: str,
    note: str,
    finals: Sequence[_Final],
) -> tuple[str, list[str]]:
    """Write the final annotations and the settlement linked to them; returns the
    settlement's id and the final annotations' ids."""
    conn = rec.conn
    final_ids = []
    if finals:
        text = conn.execute(select(Article.text).where(Article.id == article.id)).scalar_one()
    for start, end, verdict, final_note, sources in finals:
        annotation_id = new_id()
        conn.execute(
            insert(Annotation).values(
                id=annotation_id,
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
                deleted_at=None,
                deleted_by=None,
                version=1,
                final=True,
            )
        )
        state = annotation_state(conn, annotation_id)
        rec.record("annotation.created", "annotation", annotation_id, None, state)
        final_ids.append(annotation_id)
    settled_ids = sorted({t.id for g in groups for t in g.tags})
    settlement_id = new_id()
    conn.execute(
        insert(Settlement).values(
            id=settlement_id,
            article_id=article.id,
            outcome=outcome,
            note=note,
            created_at=rec.at,
            created_by=rec.reviewer.id,
            withdrawn_at=None,
            withdrawn_by=None,
        )
    )
    links = [{"annotation_id": a, "role": "settled"} for a in settled_ids] + [
        {"annotation_id": a, "role": "final"} for a in final_ids
    ]
    conn.execute(
        insert(SettlementLink), [{"settlement_id": settlement_id, **link} for link in links]
    )
    after = _settlement_state(conn, settlement_id)
    rec.record("adjudication.settled", "settlement", settlement_id, None, after)
    return settlement_id, final_ids


def _settlement_state(conn: Connection, settlement_id: str) -> dict[str, Any]:
    """A settlement as the log keeps it."""
    creator = select(Reviewer.name).where(Reviewer.id == Settlement.created_by).scalar_subquery()
    withdrawer = (
        select(Reviewer.name).where(Reviewer.id == Settlement.withdrawn_by).scalar_subquery()
    )
    row = conn.execute(
        select(
            Settlement.id,
            Settlement.article_id,
            Settlement.outcome,
            Settlement.note,
            Settlement.created_at,
            creator,
            Settlement.withdrawn_at,
            withdrawer,
        ).where(Settlement.id == settlement_id)
    ).one()
    links = conn.execute(
        select(SettlementLink.annotation_id, SettlementLink.role).where(
            SettlementLink.settlement_id == settlement_id
        )
    ).all()
    return {
        "id": row[0],
        "article_id": row[1],
        "outcome": row[2],
        "note": row[3],
        "settles": sorted(a for a, role in links if role == "settled"),
        "finals": sorted(a for a, role in links if role == "final"),
        "created_at": iso_utc(row[4]),
        "created_by": row[5],
        "withdrawn_at": iso_utc(row[6]) if row[6] else None,
        "withdrawn_by": row[7],
    }


def withdraw(store: Store, article_id: str, group_id: str, *, reviewer: str) -> ChangeSet:
    """Withdraw the standing settlement of a disagreement (or agreed span), deleting the
    final annotations it made: the disagreement is open again."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "adjudicate")
        article = _article(conn, article_id, doing="adjudicating it")
        group = next(
            (g for g in _groups_in(conn, reviewer, article_id) if g.id == group_id.strip()),
            None,
        )
        if group is None or not group.settled:
            raise NotFound(f"nothing settled as {group_id!r} in {article.title!r}")
        tag_ids = {t.id for t in group.tags}
        standing = [
            s
            for s in review_state.settlements(conn, article_id)
            if s.standing and tag_ids & set(s.settles)
        ]
        rec = _Recorder(conn, reviewer)
        return _withdraw(rec, standing, f"Withdraw settlement of {group.id}")


def withdraw_settlements(
    store: Store,
    settlement_ids: Sequence[str],
    *,
    reviewer: str,
    expected: Mapping[str, int] | None = None,
) -> ChangeSet:
    """Withdraw these settlements, deleting the final annotations they made (the undo of
    settling). ``expected`` names the versions of those final annotations the reviewer saw:
    one changed since is a Conflict, and nothing changes."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "adjudicate")
        infos = _settlements(conn, settlement_ids)
        for info in infos:
            _article(conn, info.article_id, doing="adjudicating it")
            _refuse_blinded(conn, reviewer, info.article_id)
            if not info.standing:
                raise InvalidInput(
                    "that settlement was withdrawn meanwhile (or its final verdicts deleted); "
                    "nothing was changed"
                )
        _check_versions(conn, infos, expected)
        rec = _Recorder(conn, reviewer)
        label = "Withdraw settlement" if len(infos) == 1 else f"Withdraw {len(infos)} settlements"
        return _withdraw(rec, infos, label)


def _settlements(
    conn: Connection, settlement_ids: Sequence[str]
) -> list[review_state.SettlementInfo]:
    ids = list(dict.fromkeys(settlement_ids))
    if not ids:
        raise InvalidInput("no settlement given")
    found = {s.id: s for s in review_state.settlements_by_id(conn, ids)}
    for sid in ids:
        if sid not in found:
            raise NotFound(f"no settlement with id {sid}")
    return [found[sid] for sid in ids]


def _check_versions(
    conn: Connection,
    infos: Sequence[review_state.SettlementInfo],
    expected: Mapping[str, int] | None,
) -> None:
    if not expected:
        return
    finals = [f for info in infos for f in info.finals]
    states = annotation_states(conn, finals)
    for final_id in finals:
        _check_version(states[final_id], expected.get(final_id))


def _withdraw(
    rec: _Recorder, infos: Sequence[review_state.SettlementInfo], label: str
) -> ChangeSet:
    conn = rec.conn
    versions: dict[str, int] = {}
    for info in infos:
        before = _settlement_state(conn, info.id)
        conn.execute(
            update(Settlement)
            .where(Settlement.id == info.id)
            .values(withdrawn_at=rec.at, withdrawn_by=rec.reviewer.id)
        )
        states = annotation_states(conn, info.finals)
        live = [f for f in info.finals if states[f]["deleted_at"] is None]
        versions.update(_mark_deleted(rec, live, deleted=True, states=states))
        after = _settlement_state(conn, info.id)
        rec.record("adjudication.withdrawn", "settlement", info.id, before, after)
    inverse = Edit(
        "reinstate_settlements",
        {"settlement_ids": [s.id for s in infos], "expected": versions},
    )
    return rec.result(label, inverse)


def reinstate_settlements(
    store: Store,
    settlement_ids: Sequence[str],
    *,
    reviewer: str,
    expected: Mapping[str, int] | None = None,
) -> ChangeSet:
    """Let withdrawn settlements stand again, restoring the final annotations withdrawing
    deleted (the undo of withdrawing). Refused when what they settle has been settled again
    since, or a final annotation changed since (``expected``, as for withdrawing)."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        _require_adjudicator(conn, reviewer, "adjudicate")
        infos = _settlements(conn, settlement_ids)
        for info in infos:
            _article(conn, info.article_id, doing="adjudicating it")
            _refuse_blinded(conn, reviewer, info.article_id)
            if info.standing:
                raise InvalidInput("that settlement stands already; nothing was changed")
            settled_now = review_state.settled_annotation_ids(conn, [info.article_id])
            if settled_now & set(info.settles):
                raise InvalidInput(
                    "what that settlement settled has been settled again since; withdraw that first"
                )
        _check_versions(conn, infos, expected)
        rec = _Recorder(conn, reviewer)
        versions: dict[str, int] = {}
        for info in infos:
            before = _settlement_state(conn, info.id)
            conn.execute(
                update(Settlement)
                .where(Settlement.id == info.id)
                .values(withdrawn_at=None, withdrawn_by=None)
            )
            states = annotation_states(conn, info.finals)
            deleted = [f for f in info.finals if states[f]["deleted_at"] is not None]
            versions.update(_mark_deleted(rec, deleted, deleted=False, states=states))
            after = _settlement_state(conn, info.id)
            rec.record("adjudication.reinstated", "settlement", info.id, before, after)
        for info in infos:
            for final_id in info.finals:
                versions.setdefault(final_id, annotation_state(conn, final_id)["version"])
        count = len(infos)
        label = "Reinstate settlement" if count == 1 else f"Reinstate {count} settlements"
        inverse = Edit(
            "withdraw_settlements",
            {"settlement_ids": [s.id for s in infos], "expected": versions},
        )
        return rec.result(label, inverse)
