"""Who else has a project open: a light heartbeat outside the audit chain.

Each open window refreshes one row about every ``BEAT_SECONDS``; a row not refreshed for
``STALE_SECONDS`` means that window is gone (closed, crashed, or its laptop asleep). A beat
never waits for another writer: when the project is busy the beat is skipped, and never
delays an edit. Nothing here is part of the project's record.
"""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from desktop.core.errors import CrosscheckError
from desktop.core.model import new_id, utc_now
from desktop.core.store import Store
from desktop.core.store.schema import Presence

BEAT_SECONDS = 30
STALE_SECONDS = 90
# Rows this old are removed by any beat: nobody keeps a project open for a week unseen.
FORGET_AFTER = timedelta(days=7)
BEAT_WAIT_MS = 100


def new_session_id() -> str:
    return new_id()


def beat(store: Store, session_id: str, reviewer: str) -> bool:
    """Say that ``reviewer`` has the project open; False if it could not be said right now."""
    if store.read_only or not reviewer.strip():
        return False
    now = utc_now()
    try:
        with store.write(wait_ms=BEAT_WAIT_MS) as conn:
            done = conn.execute(
                update(Presence)
                .where(Presence.session_id == session_id)
                .values(seen_at=now, reviewer=reviewer[:200])
            )
            if not done.rowcount:
                conn.execute(
                    insert(Presence).values(
                        session_id=session_id,
                        reviewer=reviewer[:200],
                        host=socket.gethostname()[:200],
                        started_at=now,
                        seen_at=now,
                    )
                )
            conn.execute(delete(Presence).where(Presence.seen_at < now - FORGET_AFTER))
    except CrosscheckError:
        return False  # busy, read-only or gone: presence is best effort
    return True


def leave(store: Store, session_id: str) -> None:
    """Remove this window's row (on close); best effort."""
    if store.read_only:
        return
    try:
        with store.write(wait_ms=BEAT_WAIT_MS) as conn:
            conn.execute(delete(Presence).where(Presence.session_id == session_id))
    except CrosscheckError:
        pass


def others(store: Store, session_id: str, reviewer: str = "") -> list[str]:
    """Reviewers with the project open in other windows, by name, sorted; this reviewer's
    other windows are not "someone else"."""
    since = utc_now() - timedelta(seconds=STALE_SECONDS)
    with store.read() as conn:
        names = conn.execute(
            select(Presence.reviewer)
            .where(Presence.seen_at >= since, Presence.session_id != session_id)
            .distinct()
        ).scalars()
        return sorted({n for n in names if n != reviewer}, key=str.casefold)
