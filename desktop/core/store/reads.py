"""Read-only questions about a project, shaped for listing, the window, the CLI and exports.

Every function takes a SQLAlchemy Core connection from ``Store.read()`` (or a write
transaction) and runs portable ``select()``s over the schema's tables, so it works the same on
every backend.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from desktop.core.errors import InvalidInput, NotFound
from desktop.core.model import PartialDate, Verdict, sources_from_json
from desktop.core.records import (
    AnnotationFilter,
    AnnotationRow,
    ArticleSummary,
    ProjectDetails,
)
from desktop.core.store.schema import Annotation, Article, AuditEvent, ProjectInfo, Reviewer

_ID_PREFIX = re.compile(r"[0-9a-f-]{4,36}")
# Parameters per statement stay far below every backend's limit.
CHUNK = 500


def _utc(value: Any) -> datetime:
    """Stored times come back aware (UtcDateTime); older rows may be naive UTC text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def project_info(conn: Connection) -> ProjectDetails | None:
    row = conn.execute(
        select(ProjectInfo.id, ProjectInfo.name, ProjectInfo.created_at).limit(1)
    ).first()
    return ProjectDetails(row[0], row[1], _utc(row[2])) if row else None


# --- articles -------------------------------------------------------------------------------


# Reading order of articles, used by every listing.
ARTICLE_ORDER = (Article.imported_at, Article.original_name, Article.id)


def _summaries_select() -> Any:
    counts = (
        select(
            Annotation.article_id,
            *[
                func.count(case((Annotation.verdict == v.value, 1))).label(f"n_{v.value}")
                for v in Verdict
            ],
        )
        .where(Annotation.deleted_at.is_(None))
        .group_by(Annotation.article_id)
        .subquery()
    )
    return (
        select(
            Article.id,
            Article.title,
            Article.outlet,
            Article.url,
            Article.published,
            Article.imported_at,
            Article.original_name,
            Article.text_length,
            Article.deleted_at,
            Article.published_precision,
            Article.author,
            *[func.coalesce(counts.c[f"n_{v.value}"], 0) for v in Verdict],
        )
        .outerjoin(counts, counts.c.article_id == Article.id)
        .order_by(*ARTICLE_ORDER)
    )


def article_summaries(
    conn: Connection,
    article_ids: Iterable[str] | None = None,
    *,
    include_removed: bool = False,
) -> list[ArticleSummary]:
    """Articles with live annotation counts per verdict, in import order (all, or the given);
    removed articles only when asked for (their annotations were deleted with them, so they
    count none)."""
    stmt = _summaries_select()
    if not include_removed:
        stmt = stmt.where(Article.deleted_at.is_(None))
    if article_ids is not None:
        wanted = list(dict.fromkeys(article_ids))
        out: list[ArticleSummary] = []
        for i in range(0, len(wanted), CHUNK):
            chunk = stmt.where(Article.id.in_(wanted[i : i + CHUNK]))
            out.extend(_summary(r) for r in conn.execute(chunk))
        if len(wanted) > CHUNK:
            order = {a: i for i, a in enumerate(article_order(conn))}
            out.sort(key=lambda s: order.get(s.id, 0))
        return out
    return [_summary(r) for r in conn.execute(stmt)]


def _summary(r: Any) -> ArticleSummary:
    (aid, title, outlet, url, published, imported_at, original, length, removed, precision,
     author, *nums) = r  # fmt: skip
    return ArticleSummary(
        aid, title, outlet, url, published_date(published, precision), _utc(imported_at),
        original, length, dict(zip(Verdict, nums, strict=True)),
        None if removed is None else _utc(removed), author or "",
    )  # fmt: skip


def published_date(value: date | str | None, precision: str | None) -> date | PartialDate | None:
    """A stored publication date; a PartialDate when only its month or year is known."""
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return PartialDate.from_stored(day, precision) if precision else day


def article_order(conn: Connection) -> list[str]:
    return list(conn.execute(select(Article.id).order_by(*ARTICLE_ORDER)).scalars())


def reviewer_names(conn: Connection) -> list[str]:
    """Everyone who has changed the project, by name, sorted."""
    return list(conn.execute(select(Reviewer.name).order_by(Reviewer.name)).scalars())


def article_text(conn: Connection, article_id: str) -> str:
    text = conn.execute(select(Article.text).where(Article.id == article_id)).scalar()
    if text is None:
        raise NotFound(f"no article with id {article_id}")
    return str(text)


def article_texts(
    conn: Connection, article_ids: Iterable[str] | None = None
) -> list[tuple[str, str, str, str]]:
    """(id, title, text, SHA-256 of the text) of every article not removed, or of those
    given, in reading order: what comparing versions reads."""
    stmt = (
        select(Article.id, Article.title, Article.text, Article.text_sha256)
        .where(Article.deleted_at.is_(None))
        .order_by(*ARTICLE_ORDER)
    )
    if article_ids is None:
        return [(r[0], r[1], r[2], r[3]) for r in conn.execute(stmt)]
    wanted = list(dict.fromkeys(article_ids))
    out: list[tuple[str, str, str, str]] = []
    for i in range(0, len(wanted), CHUNK):
        chunk = stmt.where(Article.id.in_(wanted[i : i + CHUNK]))
        out.extend((r[0], r[1], r[2], r[3]) for r in conn.execute(chunk))
    if len(wanted) > CHUNK:
        order = {a: i for i, a in enumerate(article_order(conn))}
        out.sort(key=lambda r: order.get(r[0], 0))
    return out


def resolve_annotation(conn: Connection, ref: str) -> str:
    """An annotation id from a full id or a unique id prefix (4+ characters)."""
    ref = ref.strip().lower()
    if not ref:
        raise InvalidInput("no annotation given")
    if conn.execute(select(Annotation.id).where(Annotation.id == ref)).first():
        return ref
    missing = f"no annotation matches {ref!r} (give its id or a unique id prefix)"
    if not _ID_PREFIX.fullmatch(ref):
        raise NotFound(missing)
    found = list(
        conn.execute(
            select(Annotation.id).where(func.substr(Annotation.id, 1, len(ref)) == ref).limit(2)
        ).scalars()
    )
    if not found:
        raise NotFound(missing)
    if len(found) > 1:
        raise InvalidInput(f"{ref!r} matches several annotations; give more of the id")
    return str(found[0])


def resolve_article(conn: Connection, ref: str, *, include_removed: bool = False) -> str:
    """An article id from a full id, a unique id prefix (4+ characters), or an exact title.

    A removed article is found only with ``include_removed``; otherwise naming one is an
    error that says it was removed."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("no article given")
    matches = _article_matches(conn, ref, removed=None if include_removed else False)
    if not matches and not include_removed:
        removed = _article_matches(conn, ref, removed=True)
        if len(removed) == 1:
            raise NotFound(
                f"article {removed[0][1]!r} was removed "
                "(`crosscheck restore-article` brings it back)"
            )
        matches = removed
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        raise NotFound(
            f"no article matches {ref!r} (give an id, a unique id prefix or an exact title)"
        )
    raise InvalidInput(f"{ref!r} matches {len(matches)} articles; give more of the id")


def _article_matches(conn: Connection, ref: str, *, removed: bool | None) -> list[tuple[str, str]]:
    """(id, title) of the articles ``ref`` names; ``removed``: only removed (True), only
    live (False) or both (None)."""
    state: list[ColumnElement[bool]] = []
    if removed is True:
        state.append(Article.deleted_at.is_not(None))
    elif removed is False:
        state.append(Article.deleted_at.is_(None))
    base = select(Article.id, Article.title).where(*state)
    exact = conn.execute(base.where(Article.id == ref)).first()
    if exact:
        return [(exact[0], exact[1])]
    matches: dict[str, str] = {}
    if _ID_PREFIX.fullmatch(ref.lower()):
        prefix = ref.lower()
        by_prefix = base.where(func.substr(Article.id, 1, len(prefix)) == prefix)
        matches.update({r[0]: r[1] for r in conn.execute(by_prefix)})
    matches.update({r[0]: r[1] for r in conn.execute(base.where(Article.title == ref))})
    return list(matches.items())


# --- annotations ----------------------------------------------------------------------------


UPDATER = aliased(Reviewer, name="updater")
CREATOR = aliased(Reviewer, name="creator")


def annotation_conditions(flt: AnnotationFilter) -> list[ColumnElement[bool]]:
    """``flt`` as conditions over annotations joined with ``UPDATER`` (and ``articles`` when
    ``text`` is set)."""
    where: list[ColumnElement[bool]] = []
    if not flt.include_deleted:
        where.append(Annotation.deleted_at.is_(None))
    if flt.live_articles_only:
        where.append(Article.deleted_at.is_(None))
    if flt.article_ids is not None:
        where.append(Annotation.article_id.in_(flt.article_ids) if flt.article_ids else false())
    if flt.verdicts is not None:
        values = [Verdict(v).value for v in flt.verdicts]
        where.append(Annotation.verdict.in_(values) if values else false())
    if flt.reviewers is not None:
        where.append(UPDATER.name.in_(flt.reviewers) if flt.reviewers else false())
    if flt.final_only:
        where.append(Annotation.final == true())
    if flt.blind_articles:
        # A subquery rather than the CREATOR join: the SQLite CSV path compiles these same
        # conditions over annotations joined with the last changer only.
        own = (
            Annotation.created_by.in_(select(Reviewer.id).where(Reviewer.name == flt.viewer))
            if flt.viewer
            else false()
        )
        where.append(or_(Annotation.article_id.not_in(flt.blind_articles), own))
    needle = flt.text.strip()
    if needle:
        pattern = (
            "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where.append(
            or_(
                func.lower(Annotation.quote).like(pattern, escape="\\"),
                func.lower(Annotation.note).like(pattern, escape="\\"),
                func.lower(Article.title).like(pattern, escape="\\"),
            )
        )
    return where


ROW_COLUMNS = (
    Annotation.id,
    Annotation.article_id,
    Article.title,
    Article.outlet,
    Article.url,
    Annotation.start,
    Annotation.end,
    Annotation.quote,
    Annotation.prefix,
    Annotation.suffix,
    Annotation.verdict,
    Annotation.note,
    Annotation.sources,
    UPDATER.name,
    CREATOR.name,
    Annotation.created_at,
    Annotation.updated_at,
    Annotation.deleted_at,
    Annotation.version,
    # An annotation never carried is a claim of its own.
    func.coalesce(Annotation.claim_id, Annotation.id),
)


def rows_select(*columns: Any) -> Select[Any]:
    """Annotations joined with their article, last changer and creator."""
    return (
        select(*(columns or ROW_COLUMNS))
        .select_from(Annotation)
        .join(Article, Article.id == Annotation.article_id)
        .join(UPDATER, UPDATER.id == Annotation.updated_by)
        .join(CREATOR, CREATOR.id == Annotation.created_by)
    )


# Sort keys a listing may ask for; the last ones make every order total.
SORT_KEYS: dict[str, tuple[Any, ...]] = {
    "reading": (),
    "article": (Article.title,),
    "start": (Annotation.start,),
    "verdict": (Annotation.verdict,),
    "quote": (func.lower(Annotation.quote),),
    "note": (func.lower(Annotation.note),),
    "reviewer": (func.lower(UPDATER.name),),
    "updated": (Annotation.updated_at,),
    "created": (Annotation.created_at,),
}
_READING_ORDER = (*ARTICLE_ORDER, Annotation.start, Annotation.end, Annotation.id)


def _order(sort: str, descending: bool) -> list[Any]:
    try:
        keys = SORT_KEYS[sort]
    except KeyError:
        raise InvalidInput(f"cannot sort annotations by {sort!r}") from None
    return [k.desc() if descending else k for k in keys] + list(_READING_ORDER)


def row_from(r: Sequence[Any]) -> AnnotationRow:
    sources = r[12]
    if isinstance(sources, str):
        sources = json.loads(sources)
    return AnnotationRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], Verdict(r[10]), r[11],
        sources_from_json(sources), r[13], r[14], _utc(r[15]), _utc(r[16]),
        None if r[17] is None else _utc(r[17]), r[18], r[19],
    )  # fmt: skip


def annotation_rows(
    conn: Connection,
    flt: AnnotationFilter = AnnotationFilter(),  # noqa: B008 - frozen
    *,
    annotation_ids: Iterable[str] | None = None,
    sort: str = "reading",
    descending: bool = False,
) -> list[AnnotationRow]:
    """Annotations matching ``flt`` (and, if given, with these ids), in reading order."""
    return list(
        iter_annotation_rows(
            conn, flt, annotation_ids=annotation_ids, sort=sort, descending=descending
        )
    )


def iter_annotation_rows(
    conn: Connection,
    flt: AnnotationFilter = AnnotationFilter(),  # noqa: B008 - frozen
    *,
    annotation_ids: Iterable[str] | None = None,
    sort: str = "reading",
    descending: bool = False,
) -> Iterator[AnnotationRow]:
    """Like ``annotation_rows``, streamed: exports of many rows never hold them all."""
    where = annotation_conditions(flt)
    stmt = rows_select().where(*where).order_by(*_order(sort, descending))
    if annotation_ids is None and (flt.article_ids is None or len(flt.article_ids) <= CHUNK):
        result = conn.execution_options(yield_per=2000).execute(stmt)
        for r in result:
            yield row_from(r)
        return
    # Long id lists are asked for in chunks; the rows are then sorted as a whole.
    rows: list[AnnotationRow] = []
    base = rows_select().where(*annotation_conditions(dataclasses.replace(flt, article_ids=None)))
    id_lists: list[tuple[Any, list[str]]] = []
    if flt.article_ids is not None:
        id_lists.append((Annotation.article_id, list(dict.fromkeys(flt.article_ids))))
    if annotation_ids is not None:
        id_lists.append((Annotation.id, list(dict.fromkeys(annotation_ids))))
    for conditions in _chunked(id_lists):
        rows.extend(row_from(r) for r in conn.execute(base.where(*conditions)))
    if rows:
        if sort == "reading":
            order = {a: i for i, a in enumerate(article_order(conn))}
            rows.sort(key=lambda r: (order.get(r.article_id, 0), r.start, r.end, r.id))
        else:
            # A sorted listing of an explicit id list: ask again in one ordered query.
            ids = [r.id for r in rows]
            if len(ids) <= CHUNK:
                stmt = (
                    rows_select().where(Annotation.id.in_(ids)).order_by(*_order(sort, descending))
                )
                rows = [row_from(r) for r in conn.execute(stmt)]
    yield from rows


def _chunked(id_lists: list[tuple[Any, list[str]]]) -> Iterator[list[ColumnElement[bool]]]:
    if not id_lists:
        yield []
        return
    (column, ids), *rest = id_lists
    for i in range(0, max(len(ids), 1), CHUNK):
        chunk = ids[i : i + CHUNK]
        condition = column.in_(chunk) if chunk else false()
        for more in _chunked(rest):
            yield [condition, *more]


def annotation_ids(
    conn: Connection,
    flt: AnnotationFilter = AnnotationFilter(),  # noqa: B008 - frozen
    *,
    sort: str = "reading",
    descending: bool = False,
) -> list[str]:
    """The ids of the annotations matching ``flt``, sorted: a long listing is read this way,
    and its rows only as they are shown."""
    stmt = rows_select(Annotation.id).where(*annotation_conditions(flt))
    return list(conn.execute(stmt.order_by(*_order(sort, descending))).scalars())


def count_annotations(conn: Connection, flt: AnnotationFilter = AnnotationFilter()) -> int:  # noqa: B008
    stmt = rows_select(func.count()).where(*annotation_conditions(flt))
    return int(conn.execute(stmt).scalar() or 0)


def annotation_page(
    conn: Connection,
    flt: AnnotationFilter,
    *,
    offset: int,
    limit: int,
    sort: str = "reading",
    descending: bool = False,
) -> list[AnnotationRow]:
    """One page of a sorted, filtered listing: what a table shows as it scrolls."""
    stmt = (
        rows_select()
        .where(*annotation_conditions(flt))
        .order_by(*_order(sort, descending))
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    return [row_from(r) for r in conn.execute(stmt)]


def annotation_position(
    conn: Connection,
    flt: AnnotationFilter,
    annotation_id: str,
    *,
    sort: str = "reading",
    descending: bool = False,
) -> int | None:
    """Where an annotation stands in a sorted, filtered listing (None if it is not in it)."""
    ids = conn.execute(
        rows_select(Annotation.id)
        .where(*annotation_conditions(flt))
        .order_by(*_order(sort, descending))
    ).scalars()
    for i, aid in enumerate(ids):
        if aid == annotation_id:
            return i
    return None


def annotation_versions(conn: Connection, annotation_ids: Iterable[str]) -> dict[str, int]:
    ids = list(dict.fromkeys(annotation_ids))
    out: dict[str, int] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(Annotation.id, Annotation.version).where(
            Annotation.id.in_(ids[i : i + CHUNK])
        )
        out.update({r[0]: r[1] for r in conn.execute(stmt)})
    return out


# --- the audit log --------------------------------------------------------------------------

# The columns of an event in the order exports and checks use them: the one list of them.
EVENT_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.reviewer,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.prev_hash,
    AuditEvent.hash,
    AuditEvent.id,
    AuditEvent.reviewer_id,
)
# Their names in exports: the event's own id is ``event_id`` there.
EVENT_EXPORT_NAMES = tuple("event_id" if c.key == "id" else c.key for c in EVENT_COLUMNS)


def chain_bounds(conn: Connection) -> tuple[int | None, int | None]:
    row = conn.execute(select(func.min(AuditEvent.seq), func.max(AuditEvent.seq))).one()
    return row[0], row[1]


def count_events(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0)


def head_event(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def event_hash(conn: Connection, seq: int) -> str | None:
    """The stored hash of event ``seq``, if there is one."""
    value = conn.execute(select(AuditEvent.hash).where(AuditEvent.seq == seq)).scalar()
    return None if value is None else str(value)


def event_seq(conn: Connection, digest: str) -> int | None:
    """The seq of the event whose stored hash is ``digest``, if any."""
    value = conn.execute(select(AuditEvent.seq).where(AuditEvent.hash == digest)).scalar()
    return None if value is None else int(value)


def logged_project_id(conn: Connection) -> str | None:
    """The project's id as its creation event logged it (the row could have been changed)."""
    after = conn.execute(
        select(AuditEvent.after)
        .where(AuditEvent.entity_type == "project")
        .order_by(AuditEvent.seq)
        .limit(1)
    ).scalar()
    try:
        value = json.loads(after).get("id") if after else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def first_misplaced_quote(conn: Connection) -> str | None:
    """An annotation whose quote is not its article's text at its span, if any."""
    # substr() counts code points on every backend, as the stored offsets do; a span that
    # ends before it starts (which PostgreSQL's substr refuses) is misplaced anyway.
    at_span = case(
        (Annotation.end < Annotation.start, None),
        else_=func.substr(Article.text, Annotation.start + 1, Annotation.end - Annotation.start),
    )
    value = conn.execute(
        select(Annotation.id)
        .join(Article, Article.id == Annotation.article_id)
        .where(
            or_(at_span.is_distinct_from(Annotation.quote), Annotation.end > Article.text_length)
        )
        .limit(1)
    ).scalar()
    return None if value is None else str(value)


def event_rows(
    conn: Connection, start: int | None = None, end: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Events (``EVENT_COLUMNS``) with ``start <= seq <= end``, in order, streamed."""
    stmt = select(*EVENT_COLUMNS).order_by(AuditEvent.seq)
    if start is not None:
        stmt = stmt.where(AuditEvent.seq >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.seq <= end)
    for row in conn.execution_options(yield_per=5000).execute(stmt):
        yield tuple(row)


@dataclass(frozen=True)
class EventFilter:
    """Which events an audit view lists. Empty means "any"."""

    reviewers: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    text: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.reviewers:
            where.append(AuditEvent.reviewer.in_(self.reviewers))
        if self.actions:
            where.append(AuditEvent.action.in_(self.actions))
        needle = self.text.strip().lower()
        if needle:
            pattern = (
                "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            where.append(
                or_(
                    func.lower(AuditEvent.after).like(pattern, escape="\\"),
                    func.lower(AuditEvent.before).like(pattern, escape="\\"),
                    func.lower(AuditEvent.reviewer).like(pattern, escape="\\"),
                    func.lower(AuditEvent.action).like(pattern, escape="\\"),
                )
            )
        return where


def audit_page(
    conn: Connection,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 1_000_000_000,
    flt: EventFilter | None = None,
) -> list[tuple[Any, ...]]:
    """Events newest first with ``after_seq < seq < before_seq``, at most ``limit``: rows of
    (seq, at, reviewer, action, entity_type, entity_id, before, after)."""
    where: list[ColumnElement[bool]] = [true()]
    if before_seq is not None:
        where.append(AuditEvent.seq < before_seq)
    if after_seq is not None:
        where.append(AuditEvent.seq > after_seq)
    if flt is not None:
        where.extend(flt.conditions())
    stmt = (
        select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.reviewer,
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.before,
            AuditEvent.after,
        )
        .where(and_(*where))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    return [tuple(r) for r in conn.execute(stmt)]


def event_states(conn: Connection, seq: int) -> tuple[str | None, str | None] | None:
    row = conn.execute(
        select(AuditEvent.before, AuditEvent.after).where(AuditEvent.seq == seq)
    ).first()
    return (row[0], row[1]) if row else None


def distinct_event_values(conn: Connection) -> tuple[list[str], list[str]]:
    """Every reviewer name and action in the log, sorted, for the filters."""
    reviewers = list(conn.execute(select(AuditEvent.reviewer).distinct()).scalars())
    actions = list(conn.execute(select(AuditEvent.action).distinct()).scalars())
    return sorted(reviewers, key=str.casefold), sorted(actions)


def article_titles(conn: Connection, article_ids: Iterable[str]) -> dict[str, str]:
    ids = list(dict.fromkeys(article_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(Article.id, Article.title).where(Article.id.in_(ids[i : i + CHUNK]))
        out.update({r[0]: r[1] for r in conn.execute(stmt)})
    return out


def entity_names(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """What people call the entities with these ids: an article's title, a reviewer's name,
    an annotation's quote (the start of it), the project's name. Unknown ids are left out."""
    wanted = sorted({i for i in ids if isinstance(i, str)})
    names: dict[str, str] = {}
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        for stmt in (
            select(Article.id, Article.title).where(Article.id.in_(chunk)),
            select(Reviewer.id, Reviewer.name).where(Reviewer.id.in_(chunk)),
            select(Annotation.id, func.substr(Annotation.quote, 1, 60)).where(
                Annotation.id.in_(chunk)
            ),
            select(ProjectInfo.id, ProjectInfo.name).where(ProjectInfo.id.in_(chunk)),
        ):
            names.update((row[0], str(row[1])) for row in conn.execute(stmt))
    return names
