"""Derived comparison data kept between runs, outside the project file.

Texts never change after import, so an article's sentences and vectors are keyed on the
SHA-256 of its text, and a pair's alignment on both hashes, each with ALGORITHM_VERSION.
The cache is a SQLite file in the user's cache folder (``CROSSCHECK_CACHE_DIR`` overrides):
it never enters the project file, so it is not in the audit trail or any export, a project
opened read-only or from a shared drive still caches, and deleting the folder only costs
time. A damaged or unwritable cache is ignored: comparison then recomputes.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine, Table

    from desktop.core.compare.align import PairAlignment
    from desktop.core.compare.index import ArticleIndex

# Bump whenever splitting, the model or scoring changes: old entries are then never read.
ALGORITHM_VERSION = "1"
CACHE_ENV = "CROSSCHECK_CACHE_DIR"
FILE_NAME = "compare-cache-v1.sqlite3"
# Keys per statement stay far below SQLite's parameter limit.
CHUNK = 500


def default_folder() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("crosscheck", appauthor=False))


def _entries_table() -> Table:
    from sqlalchemy import Column, LargeBinary, MetaData, String, Table

    return Table(
        "entries",
        MetaData(),
        Column("key", String, primary_key=True),
        Column("value", LargeBinary, nullable=False),
    )


class Cache:
    """Thread-safe; every method fails soft (a miss, or a write that did not happen).

    One table of keys and blobs, read and written through SQLAlchemy Core like the project
    itself: only the store's SQLite backend talks to sqlite3 directly.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or default_folder()) / FILE_NAME
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._entries: Table | None = None
        self._broken = False

    def _connect(self) -> tuple[Engine, Table] | None:
        if self._engine is None and not self._broken:
            from sqlalchemy import URL, create_engine
            from sqlalchemy.exc import SQLAlchemyError

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(
                    URL.create("sqlite", database=str(self.path)),
                    # Another process writing the cache makes us wait briefly, then miss.
                    connect_args={"timeout": 2, "check_same_thread": False},
                )
                entries = _entries_table()
                entries.metadata.create_all(engine)
                self._engine, self._entries = engine, entries
            except (SQLAlchemyError, OSError):
                self._broken = True
        if self._engine is None or self._entries is None:
            return None
        return self._engine, self._entries

    def _put_many(self, items: list[tuple[str, bytes]]) -> None:
        if not items:
            return
        from sqlalchemy import delete, insert
        from sqlalchemy.exc import SQLAlchemyError

        latest = dict(items)
        keys = list(latest)
        with self._lock:
            found = self._connect()
            if found is None:
                return
            engine, entries = found
            try:
                with engine.begin() as conn:
                    # Replacing an entry: the same key means the same derived data.
                    for i in range(0, len(keys), CHUNK):
                        chunk = keys[i : i + CHUNK]
                        conn.execute(delete(entries).where(entries.c.key.in_(chunk)))
                    conn.execute(insert(entries), [{"key": k, "value": latest[k]} for k in keys])
            except SQLAlchemyError:
                pass

    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        from sqlalchemy import select
        from sqlalchemy.exc import SQLAlchemyError

        out: dict[str, bytes] = {}
        with self._lock:
            found = self._connect()
            if found is None:
                return out
            engine, entries = found
            try:
                with engine.connect() as conn:
                    for i in range(0, len(keys), CHUNK):
                        stmt = select(entries.c.key, entries.c.value).where(
                            entries.c.key.in_(keys[i : i + CHUNK])
                        )
                        for key, value in conn.execute(stmt):
                            out[key] = bytes(value)
            except SQLAlchemyError:
                return out
        return out

    # --- articles --------------------------------------------------------------------------

    @staticmethod
    def article_key(sha256: str) -> str:
        return f"article:{ALGORITHM_VERSION}:{sha256}"

    @staticmethod
    def pair_key(sha_a: str, sha_b: str) -> str:
        return f"pair:{ALGORITHM_VERSION}:{sha_a}:{sha_b}"

    def articles(self, shas: list[str]) -> dict[str, bytes]:
        found = self._get_many([self.article_key(s) for s in shas])
        return {k.rsplit(":", 1)[1]: v for k, v in found.items()}

    def put_articles(self, items: list[tuple[str, bytes]]) -> None:
        self._put_many([(self.article_key(sha), blob) for sha, blob in items])

    def pairs(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], PairAlignment]:
        from desktop.core.compare.align import PairAlignment

        found = self._get_many([self.pair_key(a, b) for a, b in keys])
        out: dict[tuple[str, str], PairAlignment] = {}
        for key, blob in found.items():
            _, _, a, b = key.split(":")
            try:
                out[(a, b)] = PairAlignment.from_json(json.loads(blob))
            except (ValueError, TypeError, KeyError):
                continue
        return out

    def put_pairs(self, items: list[tuple[tuple[str, str], PairAlignment]]) -> None:
        self._put_many(
            [
                (self.pair_key(a, b), json.dumps(p.to_json(), separators=(",", ":")).encode())
                for (a, b), p in items
            ]
        )

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def pack_index(index: ArticleIndex) -> bytes:
    """An article's sentences and clause vectors, as stored in the cache."""
    import numpy as np

    head = json.dumps(
        {
            "sentences": [
                [s.start, s.end, s.line, [list(c) for c in s.clauses]] for s in index.sentences
            ],
            "rows": int(index.clause_sums.shape[0]),
        },
        separators=(",", ":"),
    ).encode()
    body = np.ascontiguousarray(index.clause_sums, dtype=np.float32).tobytes()
    counts = np.ascontiguousarray(index.clause_counts, dtype=np.float32).tobytes()
    return len(head).to_bytes(4, "big") + head + body + counts


def unpack_index(article_id: str, text: str, blob: bytes) -> ArticleIndex | None:
    import numpy as np

    from desktop.core.compare import model
    from desktop.core.compare.index import ArticleIndex
    from desktop.core.compare.sentences import Sentence

    try:
        size = int.from_bytes(blob[:4], "big")
        head: dict[str, Any] = json.loads(blob[4 : 4 + size])
        rows = int(head["rows"])
        width = rows * model.DIMENSIONS * 4
        sums = np.frombuffer(blob[4 + size : 4 + size + width], dtype=np.float32)
        counts = np.frombuffer(blob[4 + size + width :], dtype=np.float32)
        sums = sums.reshape(rows, model.DIMENSIONS)
        sentences = [
            Sentence(s, e, line, tuple((a, b) for a, b in clauses))
            for s, e, line, clauses in head["sentences"]
        ]
    except (ValueError, KeyError, TypeError):
        return None
    if counts.shape[0] != rows:
        return None
    spans: list[tuple[int, int]] = []
    owner: list[int] = []
    for i, sentence in enumerate(sentences):
        spans.extend(sentence.clauses)
        owner.extend([i] * len(sentence.clauses))
    if len(spans) != rows or any(e > len(text) for _, e in spans):
        return None
    return ArticleIndex(article_id, text, sentences, spans, owner, sums, counts)
