"""Comparing versions of a story: alignment, counterparts, differing facts, claims, search.

Nothing heavy is imported here: the model, numpy, rapidfuzz and syntok load on first use,
so importing ``desktop.core`` (and starting the window) costs nothing.

What the window and the command line call (``desktop.core.compare.comparison``):

- ``Comparison(versions, cache)`` with ``Version(article_id, title, text, sha256)``; build
  the versions with ``versions_of(reads.article_texts(conn))``.
- ``comparison.prepare()`` / ``comparison.align(progress, cancelled)``: the slow steps, for
  a worker thread (cached across runs; ``add(version)`` then aligns only the new pairs).
- ``comparison.counterparts(article_id, start, end)`` → ``[Counterpart]`` (status ``same``,
  ``differs`` or ``absent``, score, span, ``differences``).
- ``comparison.groups()`` → ``[Group]`` and ``comparison.unique()`` → ``[Passage]``.
- ``claims.claim_grid(rows, article_ids)``: one row per claim, one cell per version.
- ``search.search(articles, text)`` → ``[Hit]``.
- Carrying a verdict writes, so it is ``operations.carry`` (see ``carry_targets`` here).
"""

from __future__ import annotations
