"""Reads for double-checking: blind review, done marks, adjudicators, settlements, and the
reviewers' annotations as agreement counts them.

Plain SQL on a SQLAlchemy Session or a bare ``sqlite3`` connection, like ``queries``: the
window applies the blind view while painting its first screen, before SQLAlchemy is loaded.

Whose an annotation is: its creator's (``created_by``), whoever changed it later. Counted for
agreement are live annotations (not deleted) that are not an adjudicator's final verdicts.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.disagreements import Tag
from desktop.core.model import Verdict

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.core.queries import AnnotationRow, ArticleSummary

    Reader = Session | sqlite3.Connection


def _rows(db: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if isinstance(db, sqlite3.Connection):
        return db.execute(sql, tuple(params)).fetchall()
    return [tuple(r) for r in db.connection().exec_driver_sql(sql, tuple(params))]


@dataclass(frozen=True)
class BlindState:
    """Who may see what. ``hides_others(viewer, article)`` is the one rule of the blind view."""

    project_blind: bool = False
    articles: frozenset[str] = frozenset()
    done: dict[str, frozenset[str]] = field(default_factory=dict)  # article id -> reviewers
    adjudicators: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.project_blind or bool(self.articles)

    def blinded(self, article_id: str) -> bool:
        return self.project_blind or article_id in self.articles

    def is_adjudicator(self, viewer: str | None) -> bool:
        return viewer is not None and viewer in self.adjudicators

    def marked_done(self, viewer: str | None, article_id: str) -> bool:
        return viewer is not None and viewer in self.done.get(article_id, frozenset())

    def hides_others(self, viewer: str | None, article_id: str) -> bool:
        """True when ``viewer`` may see only their own annotations on this article."""
        return (
            self.blinded(article_id)
            and not self.is_adjudicator(viewer)
            and not self.marked_done(viewer, article_id)
        )

    def hidden_articles(self, viewer: str | None, article_ids: Iterable[str]) -> list[str]:
        return [a for a in article_ids if self.hides_others(viewer, a)]


def blind_state(db: Reader) -> BlindState:
    scopes = [r[0] for r in _rows(db, "SELECT article_id FROM blinding")]
    done: dict[str, set[str]] = defaultdict(set)
    for article_id, name in _rows(
        db,
        "SELECT d.article_id, r.name FROM done_marks d JOIN reviewers r ON r.id = d.reviewer_id",
    ):
        done[article_id].add(name)
    adjudicators = frozenset(
        r[0]
        for r in _rows(
            db, "SELECT r.name FROM adjudicators a JOIN reviewers r ON r.id = a.reviewer_id"
        )
    )
    return BlindState(
        project_blind=None in scopes,
        articles=frozenset(s for s in scopes if s is not None),
        done={a: frozenset(names) for a, names in done.items()},
        adjudicators=adjudicators,
    )


def visible_rows(
    state: BlindState, rows: Iterable[AnnotationRow], viewer: str | None
) -> list[AnnotationRow]:
    """The rows ``viewer`` may see: on an article blinded for them, only their own."""
    if not state.active:
        return list(rows)
    return [
        r for r in rows if r.created_by == viewer or not state.hides_others(viewer, r.article_id)
    ]


def visible_summaries(
    db: Reader, state: BlindState, summaries: Sequence[ArticleSummary], viewer: str | None
) -> list[ArticleSummary]:
    """Article summaries whose counts, on articles blinded for ``viewer``, are their own."""
    from dataclasses import replace

    hidden = set(state.hidden_articles(viewer, (s.id for s in summaries)))
    if not hidden:
        return list(summaries)
    own: dict[str, dict[Verdict, int]] = defaultdict(lambda: dict.fromkeys(Verdict, 0))
    if viewer is not None:
        for article_id, verdict, count in _rows(
            db,
            "SELECT n.article_id, n.verdict, count(*) FROM annotations n "
            "JOIN reviewers c ON c.id = n.created_by "
            "WHERE n.deleted_at IS NULL AND c.name = ? GROUP BY n.article_id, n.verdict",
            (viewer,),
        ):
            own[article_id][Verdict(verdict)] = count
    return [
        replace(s, counts=dict(own[s.id]) if s.id in own else dict.fromkeys(Verdict, 0))
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


def _in_clause(column: str, ids: Sequence[str] | None) -> tuple[str, list[str]]:
    if ids is None:
        return "1 = 1", []
    return f"{column} IN ({', '.join('?' * len(ids)) or 'NULL'})", list(ids)


def article_tags(db: Reader, article_ids: Sequence[str] | None = None) -> list[ArticleTags]:
    """Per article (in reading order): the counted reviewers and their live, non-final
    annotations. Counted reviewers are those with such an annotation on the article and
    those who marked it done (a finished pass that tagged nothing)."""
    chunks: list[Sequence[str] | None] = (
        [None]
        if article_ids is None
        else [article_ids[i : i + 500] for i in range(0, max(len(article_ids), 1), 500)]
    )
    info: dict[str, tuple[str, int]] = {}
    tags: dict[str, list[Tag]] = defaultdict(list)
    done: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        where, params = _in_clause("id", chunk)
        for aid, title, length in _rows(
            db, f"SELECT id, title, text_length FROM articles WHERE {where}", params
        ):
            info[aid] = (title, length)
        where, params = _in_clause("n.article_id", chunk)
        for aid, nid, name, start, end, verdict, note in _rows(
            db,
            'SELECT n.article_id, n.id, c.name, n.start, n."end", n.verdict, n.note '
            "FROM annotations n JOIN reviewers c ON c.id = n.created_by "
            f"WHERE n.deleted_at IS NULL AND n.final = 0 AND {where}",
            params,
        ):
            tags[aid].append(Tag(nid, name, start, end, verdict, note))
        where, params = _in_clause("d.article_id", chunk)
        for aid, name in _rows(
            db,
            "SELECT d.article_id, r.name FROM done_marks d "
            f"JOIN reviewers r ON r.id = d.reviewer_id WHERE {where}",
            params,
        ):
            done[aid].add(name)
    order = [
        r[0] for r in _rows(db, "SELECT id FROM articles ORDER BY imported_at, original_name, id")
    ]
    out = []
    for aid in order:
        if aid not in info:
            continue
        mine = tags.get(aid, [])
        reviewers = tuple(sorted({t.reviewer for t in mine} | done.get(aid, set())))
        out.append(ArticleTags(aid, info[aid][0], info[aid][1], reviewers, tuple(mine)))
    return out


# A settlement stands until withdrawn, and while at least one of the final annotations it
# made (if it made any) is not deleted.
_ACTIVE_SETTLEMENT = """
s.withdrawn_at IS NULL AND (
  NOT EXISTS (SELECT 1 FROM settlement_links f WHERE f.settlement_id = s.id AND f.role = 'final')
  OR EXISTS (SELECT 1 FROM settlement_links f JOIN annotations fa ON fa.id = f.annotation_id
             WHERE f.settlement_id = s.id AND f.role = 'final' AND fa.deleted_at IS NULL))
"""


def settled_annotation_ids(db: Reader, article_ids: Sequence[str] | None = None) -> set[str]:
    """Reviewers' annotations that a standing settlement settles."""
    where, params = _in_clause("s.article_id", article_ids)
    return {
        r[0]
        for r in _rows(
            db,
            "SELECT l.annotation_id FROM settlement_links l "
            "JOIN settlements s ON s.id = l.settlement_id "
            f"WHERE l.role = 'settled' AND {_ACTIVE_SETTLEMENT} AND {where}",
            params,
        )
    }


@dataclass(frozen=True)
class SettlementInfo:
    id: str
    article_id: str
    outcome: str
    note: str
    created_by: str
    created_at: str
    settles: tuple[str, ...]
    finals: tuple[str, ...]
    standing: bool


def settlements(db: Reader, article_id: str) -> list[SettlementInfo]:
    """Every settlement of an article, oldest first, withdrawn ones included."""
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for sid, aid, role in _rows(
        db,
        "SELECT l.settlement_id, l.annotation_id, l.role FROM settlement_links l "
        "JOIN settlements s ON s.id = l.settlement_id WHERE s.article_id = ?",
        (article_id,),
    ):
        links[sid][role].append(aid)
    out = []
    for sid, outcome, note, name, created_at, standing in _rows(
        db,
        "SELECT s.id, s.outcome, s.note, r.name, s.created_at, "
        f"CASE WHEN {_ACTIVE_SETTLEMENT} THEN 1 ELSE 0 END "
        "FROM settlements s JOIN reviewers r ON r.id = s.created_by "
        "WHERE s.article_id = ? ORDER BY s.created_at, s.id",
        (article_id,),
    ):
        out.append(
            SettlementInfo(
                sid,
                article_id,
                outcome,
                note,
                name,
                str(created_at),
                tuple(sorted(links[sid]["settled"])),
                tuple(sorted(links[sid]["final"])),
                bool(standing),
            )
        )
    return out


def final_annotation_ids(db: Reader) -> set[str]:
    """Annotations marked final (deleted ones included; filters decide about those)."""
    return {r[0] for r in _rows(db, "SELECT id FROM annotations WHERE final = 1")}
