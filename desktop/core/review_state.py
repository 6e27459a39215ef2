"""Reads for double-checking: blind review, done marks, adjudicators, settlements, and the
reviewers' annotations as agreement counts them.

Every function takes a SQLAlchemy Core connection (``Store.read()`` or a write transaction)
and runs portable ``select()``s; what SQL cannot say the same way on every backend (joining
ids into one cell, whether a settlement still stands) is put together here in Python.

Whose an annotation is: its creator's (``created_by``), whoever changed it later. Counted for
agreement are live annotations (not deleted) of articles not removed that are not an
adjudicator's final verdicts.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, false, func, not_, select, true
from sqlalchemy.orm import aliased

from desktop.core.disagreements import Tag
from desktop.core.model import Verdict, iso_utc
from desktop.core.records import AnnotationFilter, ArticleSummary, BlindState
from desktop.core.store.reads import CHUNK, article_order
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


def blind_state(conn: Connection) -> BlindState:
    done = conn.execute(
        select(DoneMark.article_id, Reviewer.name).join(
            Reviewer, Reviewer.id == DoneMark.reviewer_id
        )
    )
    adjudicators = conn.execute(
        select(Reviewer.name).join(Adjudicator, Adjudicator.reviewer_id == Reviewer.id)
    ).scalars()
    return BlindState.from_rows(
        conn.execute(select(Blinding.article_id)).scalars(),
        [(a, n) for a, n in done],
        adjudicators,
    )


def blind_view(
    conn: Connection,
    flt: AnnotationFilter,
    viewer: str | None,
    state: BlindState | None = None,
) -> AnnotationFilter:
    """``flt`` as ``viewer`` may see it: on the articles blind review hides the others'
    annotations from them (from anyone, when no viewer is named), only their own."""
    state = blind_state(conn) if state is None else state
    if not state.active:
        return flt
    candidates = flt.article_ids if flt.article_ids is not None else article_order(conn)
    hidden = tuple(state.hidden_articles(viewer, candidates))
    if not hidden:
        return flt
    return dataclasses.replace(flt, blind_articles=hidden, viewer=viewer)


def _created_by(viewer: str | None) -> ColumnElement[bool]:
    if not viewer:
        return false()
    return Annotation.created_by.in_(select(Reviewer.id).where(Reviewer.name == viewer))


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def hidden_annotation_ids(
    conn: Connection, viewer: str | None, state: BlindState | None = None
) -> frozenset[str]:
    """Annotations blind review hides from ``viewer``, deleted ones included."""
    state = blind_state(conn) if state is None else state
    if not state.active:
        return frozenset()
    hidden = state.hidden_articles(viewer, article_order(conn))
    out: set[str] = set()
    for chunk in _chunks(hidden):
        out.update(
            conn.execute(
                select(Annotation.id).where(
                    Annotation.article_id.in_(chunk), not_(_created_by(viewer))
                )
            ).scalars()
        )
    return frozenset(out)


def visible_summaries(
    conn: Connection, state: BlindState, summaries: Sequence[ArticleSummary], viewer: str | None
) -> list[ArticleSummary]:
    """Article summaries whose counts, on articles blinded for ``viewer``, are their own."""
    hidden = set(state.hidden_articles(viewer, (s.id for s in summaries)))
    if not hidden:
        return list(summaries)
    own: dict[str, dict[Verdict, int]] = defaultdict(lambda: dict.fromkeys(Verdict, 0))
    if viewer is not None:
        stmt = (
            select(Annotation.article_id, Annotation.verdict, func.count())
            .join(Reviewer, Reviewer.id == Annotation.created_by)
            .where(Annotation.deleted_at.is_(None), Reviewer.name == viewer)
            .group_by(Annotation.article_id, Annotation.verdict)
        )
        for article_id, verdict, count in conn.execute(stmt):
            own[article_id][Verdict(verdict)] = count
    return [
        dataclasses.replace(s, counts=dict(own[s.id]) if s.id in own else dict.fromkeys(Verdict, 0))
        if s.id in hidden
        else s
        for s in summaries
    ]


# --- what agreement counts -----------------------------------------------------------------


@dataclass(frozen=True)
class ArticleTags:
    """One article's counted annotations and reviewers."""

    article_id: str
    title: str
    length: int
    reviewers: tuple[str, ...]
    tags: tuple[Tag, ...]


def _article_chunks(article_ids: Sequence[str] | None) -> list[Sequence[str] | None]:
    if article_ids is None:
        return [None]
    return list(_chunks(list(dict.fromkeys(article_ids))))


def _in(column: Any, chunk: Sequence[str] | None) -> ColumnElement[bool]:
    return true() if chunk is None else column.in_(chunk)


_COUNTED_TAGS = (
    select(
        Annotation.article_id,
        Annotation.id,
        Reviewer.name,
        Annotation.start,
        Annotation.end,
        Annotation.verdict,
        Annotation.note,
    )
    .join(Reviewer, Reviewer.id == Annotation.created_by)
    .where(Annotation.deleted_at.is_(None), Annotation.final == false())
)


def article_tags(conn: Connection, article_ids: Sequence[str] | None = None) -> list[ArticleTags]:
    """Per article not removed (in reading order): the counted reviewers and their live,
    non-final annotations. Counted reviewers are those with such an annotation on the article
    and those who marked it done (a finished pass that tagged nothing)."""
    info: dict[str, tuple[str, int]] = {}
    tags: dict[str, list[Tag]] = defaultdict(list)
    done: dict[str, set[str]] = defaultdict(set)
    for chunk in _article_chunks(article_ids):
        for aid, title, length in conn.execute(
            select(Article.id, Article.title, Article.text_length).where(
                Article.deleted_at.is_(None), _in(Article.id, chunk)
            )
        ):
            info[aid] = (title, length)
        # Fetched at once: row by row costs more than the figures themselves.
        rows = conn.execute(_COUNTED_TAGS.where(_in(Annotation.article_id, chunk))).all()
        for aid, nid, name, start, end, verdict, note in rows:
            tags[aid].append(Tag(nid, name, start, end, verdict, note))
        for aid, name in conn.execute(
            select(DoneMark.article_id, Reviewer.name)
            .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
            .where(_in(DoneMark.article_id, chunk))
        ):
            done[aid].add(name)
    out = []
    for aid in article_order(conn):
        if aid not in info:
            continue
        mine = tags.get(aid, [])
        reviewers = tuple(sorted({t.reviewer for t in mine} | done.get(aid, set())))
        out.append(ArticleTags(aid, info[aid][0], info[aid][1], reviewers, tuple(mine)))
    return out


def article_texts(conn: Connection, article_ids: Sequence[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        stmt = select(Article.id, Article.text).where(Article.id.in_(chunk))
        texts.update({r[0]: r[1] for r in conn.execute(stmt)})
    return texts


# --- settlements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementInfo:
    """A settlement, and whether it stands: not withdrawn, and (if it made final annotations)
    at least one of them not deleted."""

    id: str
    article_id: str
    outcome: str
    note: str
    created_by: str
    created_at: str
    settles: tuple[str, ...]
    finals: tuple[str, ...]
    standing: bool


def _settlement_infos(
    conn: Connection, article_ids: Sequence[str] | None = None
) -> list[SettlementInfo]:
    """Settlements of these articles (default: all), oldest first, withdrawn ones included."""
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    live_final: set[str] = set()  # settlements with a final annotation not deleted
    heads: list[Any] = []
    for chunk in _article_chunks(article_ids):
        for sid, aid, role, deleted_at in conn.execute(
            select(
                SettlementLink.settlement_id,
                SettlementLink.annotation_id,
                SettlementLink.role,
                Annotation.deleted_at,
            )
            .join(Settlement, Settlement.id == SettlementLink.settlement_id)
            .join(Annotation, Annotation.id == SettlementLink.annotation_id)
            .where(_in(Settlement.article_id, chunk))
        ):
            links[sid][role].append(aid)
            if role == "final" and deleted_at is None:
                live_final.add(sid)
        heads.extend(
            conn.execute(
                select(
                    Settlement.id,
                    Settlement.article_id,
                    Settlement.outcome,
                    Settlement.note,
                    Reviewer.name,
                    Settlement.created_at,
                    Settlement.withdrawn_at,
                )
                .join(Reviewer, Reviewer.id == Settlement.created_by)
                .where(_in(Settlement.article_id, chunk))
            )
        )
    heads.sort(key=lambda h: (h[5], h[0]))
    out = []
    for sid, article_id, outcome, note, name, created_at, withdrawn_at in heads:
        finals = tuple(sorted(links[sid]["final"]))
        standing = withdrawn_at is None and (not finals or sid in live_final)
        out.append(
            SettlementInfo(
                sid,
                article_id,
                outcome,
                note,
                name,
                iso_utc(created_at),
                tuple(sorted(links[sid]["settled"])),
                finals,
                standing,
            )
        )
    return out


def settlements(conn: Connection, article_id: str) -> list[SettlementInfo]:
    """Every settlement of an article, oldest first, withdrawn ones included."""
    return _settlement_infos(conn, [article_id])


def settlements_by_id(conn: Connection, settlement_ids: Sequence[str]) -> list[SettlementInfo]:
    """These settlements (those that exist), oldest first."""
    article_ids: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(settlement_ids))):
        article_ids.update(
            conn.execute(select(Settlement.article_id).where(Settlement.id.in_(chunk))).scalars()
        )
    wanted = set(settlement_ids)
    return [s for s in _settlement_infos(conn, sorted(article_ids)) if s.id in wanted]


def settled_annotation_ids(conn: Connection, article_ids: Sequence[str] | None = None) -> set[str]:
    """Reviewers' annotations that a standing settlement settles."""
    return {a for s in _settlement_infos(conn, article_ids) if s.standing for a in s.settles}


def final_annotation_ids(conn: Connection) -> set[str]:
    """Annotations marked final (deleted ones included; filters decide about those)."""
    return set(conn.execute(select(Annotation.id).where(Annotation.final == true())).scalars())


def settled_by_final(conn: Connection) -> dict[str, tuple[str, ...]]:
    """For each final annotation, the reviewers' annotations its settlement settles, sorted."""
    final, settled = aliased(SettlementLink), aliased(SettlementLink)
    pairs = conn.execute(
        select(final.annotation_id, settled.annotation_id)
        .join(
            settled,
            (settled.settlement_id == final.settlement_id) & (settled.role == "settled"),
        )
        .where(final.role == "final")
    )
    out: dict[str, list[str]] = defaultdict(list)
    for final_id, settled_id in pairs:
        out[final_id].append(settled_id)
    return {k: tuple(sorted(v)) for k, v in out.items()}
