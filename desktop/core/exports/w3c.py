"""Annotations as a W3C Web Annotation ``AnnotationCollection`` (JSON-LD).

Shape (https://www.w3.org/TR/annotation-model/, the embedded-page form of its example 40):
the collection (``id`` ``urn:uuid:<project id>``, ``label``, ``total``) embeds its one
``AnnotationPage`` as ``first`` with all ``items``. Each ``Annotation``:

- ``id`` ``urn:uuid:<annotation id>``, ``motivation`` ``assessing``, ``created``/``modified``
  (ISO 8601 UTC), ``creator`` ``{"type": "Person", "name": <last reviewer to change it>}``
  (the verdict is theirs), ``generator`` Crosscheck;
- ``body``: the verdict as a ``TextualBody`` with ``purpose`` ``tagging``; the note, if any, as a
  ``TextualBody`` with ``purpose`` ``commenting``; each evidence link as a ``SpecificResource``
  with ``purpose`` ``linking`` whose ``source`` is the page (``id`` its URL, ``type`` ``Text``,
  ``label`` its title) - purpose belongs on a SpecificResource, not on a bare web resource;
- ``target``: ``source`` the article (its URL, else ``urn:uuid:<article id>``) and two
  selectors for the same span: ``TextQuoteSelector`` (exact, prefix, suffix; up to 32
  characters of context) and ``TextPositionSelector`` (code points, end-exclusive). For an
  article read from a PDF, a third names the page the span begins on the way the model's
  section 4.2.1 does for PDFs: a ``FragmentSelector`` conforming to RFC 3778 with the value
  ``page=N`` (1 for the first page), refined by the same ``TextQuoteSelector``;
- each evidence link with a saved copy carries a ``TimeState`` whose ``sourceDate`` is when
  the copy was fetched (section 4.3.1: the resource as it was at that time).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, BinaryIO

from desktop import __version__
from desktop.core import pages
from desktop.core.exports.common import DEFAULT_OPTIONS, ExportOptions, Progress, Ticker, load_rows
from desktop.core.model import iso_utc
from desktop.core.records import AnnotationRow
from desktop.core.store import Store, reads

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
GENERATOR = {"type": "Software", "name": f"Crosscheck {__version__}"}


def article_source(row: AnnotationRow) -> str:
    return row.url or f"urn:uuid:{row.article_id}"


PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"


def annotation_json(
    row: AnnotationRow,
    page: int | None = None,
    copies: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``page``: the PDF page the span begins on; ``copies``: fetch time of saved copies by id."""
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "value": row.verdict.value, "purpose": "tagging"}
    ]
    if row.note:
        bodies.append(
            {
                "type": "TextualBody",
                "value": row.note,
                "purpose": "commenting",
                "format": "text/plain",
            }
        )
    for source in row.sources:
        linked: dict[str, Any] = {"id": source.url, "type": "Text"}
        if source.title:
            linked["label"] = source.title
        body: dict[str, Any] = {"type": "SpecificResource", "purpose": "linking", "source": linked}
        if source.copy and copies and source.copy in copies:
            body["state"] = {"type": "TimeState", "sourceDate": copies[source.copy]}
        bodies.append(body)
    quote = {
        "type": "TextQuoteSelector",
        "exact": row.quote,
        "prefix": row.prefix,
        "suffix": row.suffix,
    }
    selectors: list[dict[str, Any]] = [
        quote,
        {"type": "TextPositionSelector", "start": row.start, "end": row.end},
    ]
    if page is not None:
        selectors.append(
            {
                "type": "FragmentSelector",
                "conformsTo": PDF_FRAGMENT,
                "value": f"page={page}",
                "refinedBy": dict(quote),
            }
        )
    return {
        "id": f"urn:uuid:{row.id}",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso_utc(row.created_at),
        "modified": iso_utc(row.updated_at),
        "creator": {"type": "Person", "name": row.reviewer},
        "generator": GENERATOR,
        "body": bodies,
        "target": {"source": article_source(row), "selector": selectors},
    }


def write_w3c(
    project: Store,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    """Write the collection; return the number of annotations. Streams one item at a time."""
    rows = load_rows(project, options.filter)
    with project.read() as db:
        info = reads.project_info(db)
        finder = pages.PageFinder(db)
        copies = {p.id: iso_utc(p.fetched_at) for p in pages.saved_pages(db)}
    project_id = info.id if info else str(uuid.uuid5(uuid.NAMESPACE_URL, project.location))
    ticker = Ticker(progress, len(rows))
    ticker.report()
    head: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{project_id}",
        "type": "AnnotationCollection",
        "label": info.name if info else project.display_name,
        "total": len(rows),
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    if not rows:
        out.write((text + "\n").encode("utf-8"))
        return 0
    page_id = uuid.uuid5(uuid.UUID(project_id), "page-1") if _is_uuid(project_id) else uuid.uuid4()
    page_head = json.dumps(
        {"id": f"urn:uuid:{page_id}", "type": "AnnotationPage", "startIndex": 0},
        ensure_ascii=False,
        indent=2,
    )
    # Open the collection and the page by hand so items can be written one by one.
    out.write(
        (
            text[:-2]
            + ',\n  "first": '
            + page_head[:-2].replace("\n", "\n  ")
            + ',\n    "items": [\n'
        ).encode("utf-8")
    )
    for index, row in enumerate(rows):
        page = finder.page(row.article_id, row.start)
        item = json.dumps(annotation_json(row, page, copies), ensure_ascii=False, indent=2)
        sep = ",\n" if index < len(rows) - 1 else "\n"
        out.write(("      " + item.replace("\n", "\n      ") + sep).encode("utf-8"))
        if (index + 1) % 1000 == 0:
            ticker.add(1000)
    out.write(b"    ]\n  }\n}\n")
    ticker.done = len(rows)
    ticker.report()
    return len(rows)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
