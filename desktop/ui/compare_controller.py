"""Comparing versions in the window, once asked for: compare mode in the panes, the
Counterparts panel, the Claims grid, Search All Versions, Tag All Versions… and Carry Verdict….

- **Compare mode** (View ▸ Compare Versions): a click, a selection or the caret moving in a
  pane compares that passage (the sentence, for a caret; the annotation, for a click on a
  highlight) with every other version: its counterpart is framed in each other pane and
  scrolled into view, and a pane whose version does not make the claim says so. Each pane
  marks the facts other versions state differently and the passages only its version
  carries. Scrolling a pane keeps the others at the same passage of the story (by the
  alignment, not by proportion, so they do not drift apart where paragraphs differ).
- The **Counterparts panel** lists, for the passage or the annotation in hand, every other
  version's counterpart with its status, score and any verdict already there.
- **Tag All** and **Carry Verdict** are single edits (one undo step each).

``compare_tools`` builds the actions and docks at start-up and makes this controller the first
time any of it is used; the comparison itself (``compare_session``) is then built on the
runner. Nothing of it is imported before the window has shown the project.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from desktop.core.changes import ChangeSet
from desktop.core.errors import CrosscheckError
from desktop.ui.compare_session import FAILED, RUNNING, SINGLE, CompareSession, Found, Source
from desktop.ui.compare_tools import ARTICLE_ACTIONS

if TYPE_CHECKING:
    from desktop.core.compare.labels import VersionLabel
    from desktop.core.compare.search import Hit
    from desktop.core.records import AnnotationRow
    from desktop.core.store import Store
    from desktop.ui.article_view import ArticleView
    from desktop.ui.claims_grid import ClaimsPanel
    from desktop.ui.compare_marks import CompareOverlay
    from desktop.ui.compare_tools import CompareTools
    from desktop.ui.counterparts_panel import CounterpartsPanel
    from desktop.ui.search_panel import SearchPanel

STATUS_MS = 6000
ASK_DELAY_MS = 150  # a selection being dragged or a caret moving settles first


class CompareController(QObject):
    """Compare mode, the panels and the edits of comparing versions (see the module)."""

    def __init__(self, tools: CompareTools) -> None:
        super().__init__(tools)
        self.tools = tools
        window = tools.window
        self.window = window
        self.session: CompareSession | None = None
        self.found: Found | None = None
        self.counterparts_panel: CounterpartsPanel | None = None
        self.claims_panel: ClaimsPanel | None = None
        self.search_panel: SearchPanel | None = None
        # How long the last answer took: the question on the runner, and from asking until
        # the panes and panel showed it (what a reviewer waits for after a click).
        self.last_query_seconds = 0.0
        self.last_shown_seconds = 0.0
        self._source: Source | None = None
        self._asked_at = 0.0
        self._then: tuple[tuple[Any, ...], Callable[[Found], None]] | None = None
        self._following = False
        self._texts: list[tuple[str, str, str]] | None = None  # for searching
        self._claims_stale = True
        self._ask_timer = QTimer(self)
        self._ask_timer.setSingleShot(True)
        self._ask_timer.setInterval(ASK_DELAY_MS)
        self._ask_timer.timeout.connect(self._ask_now)

        self.tag_dialog: Any = None
        self.carry_dialog: Any = None
        self.compare_action = tools.compare_action
        self.counterparts_dock = tools.counterparts_dock
        self.claims_dock = tools.claims_dock
        self.search_dock = tools.search_dock

    @property
    def labels(self) -> dict[str, VersionLabel]:
        return self.tools.labels

    # --- keyboard -------------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        """After the editor, Tab visits the panels that are built, in dock order."""
        chain: list[QWidget] = []
        for panel in (self.counterparts_panel, self.claims_panel, self.search_panel):
            if panel is not None:
                chain += panel.tab_chain()
        return chain

    def focus_areas(self) -> list[QWidget]:
        """F6 stops at each open panel's list (and the search field)."""
        areas: list[QWidget] = []
        if self.counterparts_panel is not None:
            areas.append(self.counterparts_panel.table)
        if self.claims_panel is not None:
            areas.append(self.claims_panel.table)
        if self.search_panel is not None:
            areas.append(self.search_panel.field)
        return areas

    # --- project --------------------------------------------------------------------------

    def on_project_opened(self) -> None:
        self.stop()
        self.found = None
        self._source = None
        self._texts = None
        self._claims_stale = True

    def _session(self) -> CompareSession | None:
        w = self.window
        if w.project is None or w.reader is None:
            return None
        if self.session is None:
            self.session = CompareSession(w.project, w.reader, w.runner, self)
            self.session.sig_progressed.connect(self._on_progress)
            self.session.sig_ready.connect(self._on_ready)
            self.session.sig_state_changed.connect(lambda _s: self._show_state())
            self.session.sig_overview_ready.connect(self._on_overview_ready)
        return self.session

    def _start(self) -> CompareSession | None:
        session = self._session()
        if session is not None:
            session.start()
        return session

    def stop(self) -> None:
        """The project is closing: stop comparing, forget everything."""
        self._ask_timer.stop()
        if self.session is not None:
            self.session.stop()
            self.session.deleteLater()
            self.session = None

    def on_project_closed(self) -> None:
        self.stop()
        self.found = None
        self._source = None
        self._then = None
        self._texts = None
        for view in self.window.panes.views():
            view.set_overlay(None)
        if self.counterparts_panel is not None:
            self.counterparts_panel.set_message("No project open.")
        if self.claims_panel is not None:
            self.claims_panel.set_claims([], [], {})
        if self.search_panel is not None:
            self.search_panel.clear()

    def _wanted(self) -> bool:
        """Whether anything shown needs the comparison now."""
        return self.compare_action.isChecked() or self.tools.on_screen(self.counterparts_dock)

    def on_relabelled(self) -> None:
        for view in self.window.panes.views():
            overlay = self._overlay(view)
            if overlay is not None:
                overlay.labels = self.labels
                view.viewport().update()

    # --- state in the status bar and the panel --------------------------------------------

    def _on_progress(self, text: str) -> None:
        if text:
            self.window.statusBar().showMessage(text, 0 if self._running() else STATUS_MS)

    def _running(self) -> bool:
        return self.session is not None and self.session.state == RUNNING

    def _show_state(self) -> None:
        panel = self.counterparts_panel
        session = self.session
        if panel is None or session is None:
            return
        if session.state == RUNNING:
            panel.set_message("Comparing versions…")
        elif session.state in (SINGLE, FAILED):
            panel.set_message(session.message)

    def _on_ready(self) -> None:
        self._update_overlays()
        if self._source is not None:
            self._ask_now()
        elif self.counterparts_panel is not None:
            self.counterparts_panel.set_message(
                "Select a passage in a pane, or an annotation, to see its counterparts."
            )

    # --- compare mode ---------------------------------------------------------------------

    def set_compare_mode(self, on: bool, *, raise_panel: bool = True) -> None:
        """Compare mode on or off (the window's View ▸ Compare Versions)."""
        if self.window.project is None:
            return
        if on:
            self._start()
            self._update_overlays()
            # The panel says where the claim is in every version, panes or not.
            if raise_panel:
                self.counterparts_dock.show()
                self.counterparts_dock.raise_()
            self._ask_from_focus()
        else:
            for view in self.window.panes.views():
                view.set_overlay(None)

    def compare_mode(self) -> bool:
        return self.compare_action.isChecked()

    def _update_overlays(self) -> None:
        """Every pane's marks, from the overviews known (asking for the others)."""
        if not self.compare_mode():
            return
        from desktop.ui.compare_marks import CompareOverlay

        session = self.session
        for pane in self.window.panes.panes():
            view = pane.view
            overlay = view.overlay()
            if not isinstance(overlay, CompareOverlay):
                overlay = CompareOverlay(self.labels)
                view.set_overlay(overlay)
            article_id = pane.article_id()
            overview = (
                session.overview(article_id)
                if session is not None and session.ready and article_id
                else None
            )
            overlay.overview = overview
            view.viewport().update()

    def _on_overview_ready(self, article_id: str) -> None:
        if not self.compare_mode() or self.session is None:
            return
        overview = self.session.overview(article_id)
        for pane in self.window.panes.panes_showing(article_id):
            overlay = self._overlay(pane.view)
            if overlay is not None:
                overlay.overview = overview
                pane.view.viewport().update()

    def _overlay(self, view: ArticleView) -> CompareOverlay | None:
        from desktop.ui.compare_marks import CompareOverlay

        overlay = view.overlay()
        return overlay if isinstance(overlay, CompareOverlay) else None

    def on_panes_changed(self) -> None:
        for pane in self.window.panes.panes():
            overlay = self._overlay(pane.view)
            if overlay is not None and (
                overlay.overview is not None and overlay.overview.article_id != pane.article_id()
            ):
                # Another article in this pane: its own marks, no frame from the last one.
                overlay.overview = None
                overlay.focus = None
                overlay.banner = ""
        self._update_overlays()

    # --- what is compared -----------------------------------------------------------------

    def on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Coming back to a pane (Tab, F6, a click) compares what is selected there."""
        pane = self.window.panes.pane_of(new)
        if pane is not None and new is pane.view:
            self.on_view_moved(pane.view)

    def on_view_moved(self, view: ArticleView) -> None:
        if not view.hasFocus() or not self._wanted() or self.window.project is None:
            return
        source = self._source_in(view)
        if source is not None:
            self._ask(source)

    def _source_in(self, view: ArticleView) -> Source | None:
        """What a pane offers to compare: its selection (an annotation's when it is exactly
        one), else the annotation under the caret, else the sentence around it."""
        from desktop.core.anchoring import trim_span

        pane = self.window.panes.pane_of(view)
        article_id = view.article_id()
        if pane is None or article_id is None:
            return None
        span = view.selected_span()
        if span is not None:
            start, end = trim_span(view.text(), *span)
            if end <= start or not any(ch.isalnum() for ch in view.text()[start:end]):
                return None
            row = next(
                (
                    r
                    for i in view.annotation_ids_at(start)
                    if (r := view.annotation(i)) is not None and (r.start, r.end) == (start, end)
                ),
                None,
            )
            return Source(article_id, start, end, annotation=row, pane=pane)
        caret = view.caret_position()
        # A caret just after an annotation's last character is on it too.
        ids = view.annotation_ids_at(caret) or (view.annotation_ids_at(caret - 1) if caret else [])
        row = view.annotation(ids[0]) if ids else None
        if row is not None:
            return Source(article_id, row.start, row.end, annotation=row, pane=pane)
        return Source(article_id, None, None, caret=caret, pane=pane)

    def on_annotation_shown(self, annotation_id: str | None) -> None:
        """The editor shows an annotation: the panel compares it. The panes move only for a
        pane the reviewer is in (a click on a highlight), never for the annotations table."""
        if annotation_id is None or not self._wanted() or self.window.project is None:
            return
        row = self._row(annotation_id)
        if row is None:
            return
        focus = QApplication.focusWidget()
        pane = self.window.panes.pane_of(focus)
        if pane is not None and pane.article_id() != row.article_id:
            pane = None
        self._ask(Source(row.article_id, row.start, row.end, annotation=row, pane=pane))

    def _row(self, annotation_id: str) -> AnnotationRow | None:
        shown = self.window.editor.annotation()
        if shown is not None and shown.id == annotation_id:
            return shown
        return self.window.annotation_panel.model.find(annotation_id)

    def _ask_from_focus(self) -> None:
        focus = QApplication.focusWidget()
        pane = self.window.panes.pane_of(focus)
        if pane is not None:
            source = self._source_in(pane.view)
            if source is not None:
                self._ask(source, at_once=True)
                return
        shown = self.window.editor.annotation()
        if shown is not None and not shown.deleted:
            self._ask(Source(shown.article_id, shown.start, shown.end, annotation=shown))

    def _ask(self, source: Source, *, at_once: bool = False) -> None:
        if (
            self._source is not None
            and self._source.key() == source.key()
            and self._source.pane is source.pane
            and not at_once
        ):
            return
        self._source = source
        if at_once:
            self._ask_now()
        else:
            self._ask_timer.start()

    def _ask_now(self) -> None:
        self._ask_timer.stop()
        source = self._source
        if source is None:
            return
        session = self._start()
        if session is None or not session.ready:
            if session is not None and session.state == SINGLE and self.counterparts_panel:
                self.counterparts_panel.set_message(session.message)
            return  # asked again once the comparison is ready
        self._asked_at = time.perf_counter()
        session.counterparts(source, self._on_found, self._on_find_failed)

    def _on_find_failed(self, message: str) -> None:
        self._then = None
        if not message:
            return  # a caret between sentences: nothing to say
        self.window.statusBar().showMessage(f"Cannot compare this: {message}", STATUS_MS)
        if self.counterparts_panel is not None:
            self.counterparts_panel.set_message(f"Cannot compare this: {message}")
        self._then = None

    def _on_found(self, found: Found) -> None:
        if self._source is None or found.source.key() != self._source.key():
            return  # a newer question is on its way
        self.found = found
        self.last_query_seconds = found.seconds
        self._show_found(found)
        self.last_shown_seconds = time.perf_counter() - self._asked_at
        then = self._then
        if then is not None and then[0] == found.source.key():
            self._then = None
            then[1](found)

    def _show_found(self, found: Found) -> None:
        if self.counterparts_panel is not None:
            self.counterparts_panel.set_found(found, self.labels, can_edit=self._editable())
        if self.compare_mode() and found.source.pane is not None:
            self._frame_in_panes(found)

    def _frame_in_panes(self, found: Found) -> None:
        """Frame the compared passage in its pane and its counterparts in the others,
        scrolling them there; a pane whose version lacks the claim says so."""
        from desktop.ui.compare_marks import DIFFERS, SAME, SOURCE, Focus

        self._update_overlays()
        source = found.source
        quote = " ".join(found.quote.split())
        if len(quote) > 60:
            quote = quote[:59] + "…"
        own = self.labels.get(source.article_id)
        own_name = own.short if own is not None else ""
        self._following = True
        try:
            for pane in self.window.panes.panes():
                view = pane.view
                overlay = self._overlay(view)
                article_id = pane.article_id()
                if overlay is None or article_id is None:
                    continue
                overlay.banner = ""
                if article_id == source.article_id:
                    overlay.focus = Focus(
                        found.start,
                        found.end,
                        SOURCE,
                        "<b>Compared with every other version</b> (see Counterparts)",
                    )
                else:
                    c = found.counterpart(article_id)
                    if c is None or c.start is None or c.end is None:
                        overlay.focus = None
                        overlay.banner = f"Not in this version: \u201c{quote}\u201d"
                    else:
                        kind = DIFFERS if c.status == "differs" else SAME
                        what = (
                            "states it with different facts"
                            if kind == DIFFERS
                            else "makes the same claim"
                        )
                        overlay.focus = Focus(
                            c.start,
                            c.end,
                            kind,
                            f"<b>Counterpart</b>: this passage {what} as the one selected in "
                            f"{own_name} (score {c.score:.2f})",
                        )
                        view.center_position(c.start)
                view.viewport().update()
        finally:
            self._following = False

    # --- following a scroll ---------------------------------------------------------------

    def on_scrolled(self, view: ArticleView) -> None:
        """Scrolling a pane keeps the others at the same passage of the story."""
        if self._following or not self.compare_mode() or self.session is None:
            return
        if not (view.hasFocus() or view.underMouse()):
            return
        pane = self.window.panes.pane_of(view)
        overlay = self._overlay(view)
        overview = overlay.overview if overlay is not None else None
        if pane is None or overview is None or overview.article_id != pane.article_id():
            return
        top = view.top_position()
        self._following = True
        try:
            for other in self.window.panes.panes():
                target = other.article_id()
                if other is pane or target is None or target == pane.article_id():
                    continue
                hit = overview.follow(top, target)
                if hit is not None:
                    here, there = hit
                    other.view.scroll_position_to(there, view.position_y(here))
        finally:
            self._following = False

    # --- panels ---------------------------------------------------------------------------

    def focus_target(self, dock: QDockWidget) -> QWidget | None:
        if dock is self.counterparts_dock and self.counterparts_panel is not None:
            return self.counterparts_panel.table
        if dock is self.claims_dock and self.claims_panel is not None:
            return self.claims_panel.table
        if dock is self.search_dock and self.search_panel is not None:
            return self.search_panel.field
        return None

    def on_dock_visible(self, dock: QDockWidget) -> None:
        """A panel came on screen (shown, or its tab chosen)."""
        self.build(dock)
        if self.window.project is None:
            return
        if dock is self.counterparts_dock:
            self._start()
            self._show_state()
            if self.found is None:
                self._ask_from_focus()
        if dock is self.claims_dock:
            self.refresh_claims()

    def refresh_visible_panels(self) -> None:
        for dock in (self.counterparts_dock, self.claims_dock, self.search_dock):
            if self.tools.on_screen(dock):
                self.on_dock_visible(dock)

    def build(self, dock: QDockWidget) -> None:
        """Make a panel the first time its dock shows (they are not needed to start)."""
        holder = dock.widget()
        layout = holder.layout() if holder is not None else None
        if layout is None:
            return
        if dock is self.counterparts_dock and self.counterparts_panel is None:
            from desktop.ui.counterparts_panel import CounterpartsPanel

            panel = CounterpartsPanel()
            panel.sig_activated.connect(self.show_counterpart)
            panel.sig_tag_all_requested.connect(self.tag_all)
            panel.sig_carry_requested.connect(self.carry)
            self.counterparts_panel = panel
            layout.addWidget(panel)
            panel.show()
            if self.found is not None:
                panel.set_found(self.found, self.labels, can_edit=self._editable())
        elif dock is self.claims_dock and self.claims_panel is None:
            from desktop.ui.claims_grid import ClaimsPanel

            claims = ClaimsPanel()
            claims.sig_annotation_activated.connect(self.go_to_annotation)
            claims.sig_untagged_activated.connect(self._show_claim_in)
            self.claims_panel = claims
            layout.addWidget(claims)
            claims.show()
        elif dock is self.search_dock and self.search_panel is None:
            from desktop.ui.search_panel import SearchPanel

            search = SearchPanel()
            search.sig_search_requested.connect(self.search)
            search.sig_hit_activated.connect(self.show_hit)
            self.search_panel = search
            layout.addWidget(search)
            search.show()
        else:
            return
        self.window.update_tab_order()

    def show_counterparts(self) -> None:
        self.counterparts_dock.show()
        self.counterparts_dock.raise_()
        self.build(self.counterparts_dock)

    def show_counterpart(self, article_id: str) -> None:
        """A row of the panel: that version's passage, selected in a pane (one showing the
        version, else one other than the compared passage's), and the keyboard goes there."""
        found = self.found
        c = found.counterpart(article_id) if found is not None else None
        if found is None or c is None or c.start is None or c.end is None:
            self.window.statusBar().showMessage(
                "This version does not make the claim: nothing to show.", STATUS_MS
            )
            return
        self._show_span(article_id, c.start, c.end, avoid=found.source.article_id)

    def _show_span(self, article_id: str, start: int, end: int, *, avoid: str = "") -> None:
        panes = self.window.panes
        pane = next(iter(panes.panes_showing(article_id)), None)
        if pane is None:
            others = [p for p in panes.panes() if p.article_id() != avoid]
            active = panes.active_pane()
            pane = active if active in others else (others[-1] if others else active)
            if pane is None:
                return
            panes.show_article(pane, article_id)
        panes.set_active(pane)
        pane.view.select_span(start, end)
        pane.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- claims grid ----------------------------------------------------------------------

    def refresh_claims(self) -> None:
        """Read the claims again (on the runner) while the grid is on screen."""
        panel = self.claims_panel
        w = self.window
        if panel is None or w.reader is None or not self.tools.on_screen(self.claims_dock):
            self._claims_stale = True
            return
        self._claims_stale = False
        reader = w.reader
        versions = [s.id for s in w.article_panel.model.summaries()]

        def work(_task: Any) -> Any:
            from desktop.core.compare.claims import claim_grid

            return claim_grid(reader.rows(include_deleted=False), versions)

        def done(claims: Any) -> None:
            if self.claims_panel is not None and self.window.reader is reader:
                self.claims_panel.set_claims(claims, versions, self.labels)

        w.runner.run("Reading claims", work, writes=False, done=done, failed=self._say_failed)

    def go_to_annotation(self, annotation_id: str) -> None:
        """A cell of the grid: the annotation, in the editor and selected in a pane."""
        self.window.select_annotation(annotation_id)
        row = self._row(annotation_id)
        if row is not None:
            for pane in self.window.panes.panes_showing(row.article_id):
                pane.view.setFocus(Qt.FocusReason.OtherFocusReason)
                break

    def _show_claim_in(self, annotation_id: str, article_id: str) -> None:
        """An empty cell of the grid: where the claim sits in that version, if anywhere."""
        row = self._row(annotation_id)
        if row is None:
            return
        source = Source(row.article_id, row.start, row.end, annotation=row)

        def show(found: Found) -> None:
            c = found.counterpart(article_id)
            if c is None or c.start is None or c.end is None:
                label = self.labels.get(article_id)
                name = label.short if label is not None else "that version"
                self.window.statusBar().showMessage(f"{name} does not make this claim.", STATUS_MS)
                return
            self._show_span(article_id, c.start, c.end, avoid=row.article_id)

        self._when_found(source, show)

    # --- search ---------------------------------------------------------------------------

    def show_search(self) -> None:
        """Edit ▸ Search All Versions (Ctrl+Shift+F)."""
        if self.window.project is None:
            return
        self.search_dock.show()
        self.search_dock.raise_()
        self.build(self.search_dock)
        assert self.search_panel is not None
        self.search_panel.start()

    def search(self, text: str) -> None:
        w = self.window
        project = w.project
        if project is None:
            return
        texts = self._texts

        def work(_task: Any) -> Any:
            from desktop.core.compare.search import search

            articles = texts
            if articles is None:
                from desktop.core.store import reads

                with project.read() as conn:
                    articles = [(i, t, body) for i, t, body, _h in reads.article_texts(conn)]
            return articles, search(articles, text)

        def done(result: Any) -> None:
            articles, hits = result
            if self.window.project is not project or self.search_panel is None:
                return
            self._texts = articles
            self.search_panel.set_hits(text, hits, self.labels)
            self.search_panel.results_arrived()

        def failed(error: CrosscheckError) -> None:
            if self.search_panel is not None:
                self.search_panel.set_error(text, str(error))

        w.runner.run("Searching", work, writes=False, done=done, failed=failed)

    def show_hit(self, hit: Hit) -> None:
        """A search result: the match selected in a pane, with the keyboard there."""
        self._show_span(hit.article_id, hit.start, hit.end)

    # --- tag all and carry ----------------------------------------------------------------

    def _editable(self) -> bool:
        project = self.window.project
        return project is not None and not project.read_only

    def _current_source(self) -> tuple[Source | None, str]:
        """What Tag All and Carry act on: the selection (or the annotation or sentence at the
        caret) of the pane the keyboard is in, else what is being compared, else the editor's
        annotation; with the reason when there is nothing to act on."""
        from desktop.core.anchoring import trim_span

        pane = self.window.panes.pane_of(QApplication.focusWidget())
        if pane is not None and pane.article_id() is not None:
            view = pane.view
            span = view.selected_span()
            if span is not None:
                start, end = trim_span(view.text(), *span)
                if end <= start or not any(ch.isalnum() for ch in view.text()[start:end]):
                    return None, "The selection holds no words: select the words of a claim."
            source = self._source_in(view)
            if source is not None:
                return source, ""
        if self._source is not None:
            return self._source, ""
        shown = self.window.editor.annotation()
        if shown is not None:
            return Source(shown.article_id, shown.start, shown.end, annotation=shown), ""
        return None, ""

    def _when_found(self, source: Source, then: Callable[[Found], None]) -> None:
        """Run ``then`` with ``source``'s counterparts, finding them first if need be."""
        if self.found is not None and self.found.source.key() == source.key():
            then(self.found)
            return
        self._then = (source.key(), then)
        self._source = source
        session = self._start()
        if session is not None and session.ready:
            self._ask_now()
        else:
            self.window.statusBar().showMessage(
                "Comparing versions first…", 0 if self._running() else STATUS_MS
            )

    def _can_edit(self, what: str) -> bool:
        w = self.window
        if w.project is None or w.editing is None:
            w.statusBar().showMessage("Open a project first.", STATUS_MS)
            return False
        if w.project.read_only:
            w.statusBar().showMessage(
                f"This project is open read-only ({w.project.read_only_reason}); {what} is "
                "not possible.",
                STATUS_MS,
            )
            return False
        return w.ensure_reviewer()

    def tag_all(self) -> None:
        """Annotate ▸ Tag All Versions…: the claim and its counterparts, one verdict."""
        if not self._can_edit("tagging"):
            return
        source, why = self._current_source()
        if source is None:
            self.window.statusBar().showMessage(
                why
                or "Select a passage in a pane (or an annotation) first, then Tag All Versions.",
                STATUS_MS,
            )
            return
        self._when_found(source, self._open_tag_all)

    def _open_tag_all(self, found: Found) -> None:
        from desktop.ui.compare_dialogs import TagAllDialog

        dialog = TagAllDialog(found, self.labels, self.window)
        self.tag_dialog = dialog
        dialog.accepted.connect(lambda: self._tag_chosen(found, dialog))
        dialog.open()

    def _tag_chosen(self, found: Found, dialog: Any) -> None:
        editing = self.window.editing
        verdict = dialog.verdict()
        passages = dialog.passages()
        if editing is None or verdict is None or not passages:
            return
        annotation = found.source.annotation
        claim = annotation.claim if annotation is not None else None
        outcome: dict[str, Any] = {}

        def work(store: Store, reviewer: str) -> ChangeSet:
            from desktop.core import operations

            result = operations.tag_passages(
                store, passages, verdict, reviewer=reviewer, claim_id=claim
            )
            outcome["result"] = result
            return result.changes

        def then(_changes: ChangeSet) -> None:
            result = outcome.get("result")
            if result is not None:
                self._report("Tagged", len(result.created), result.skipped, verdict.value)

        editing.apply_work(f"Tag '{verdict.value.capitalize()}' in all versions", work, then=then)

    def carry(self) -> None:
        """Annotate ▸ Carry Verdict…: the annotation's verdict to its counterparts."""
        if not self._can_edit("carrying a verdict"):
            return
        source, why = self._current_source()
        annotation = source.annotation if source is not None else None
        if source is None or annotation is None:
            self.window.statusBar().showMessage(
                why
                or "Carry Verdict works on an annotation: select one (click its highlight), "
                "then carry its verdict.",
                STATUS_MS,
            )
            return
        if annotation.deleted:
            self.window.statusBar().showMessage(
                "This annotation is deleted; restore it before carrying its verdict.", STATUS_MS
            )
            return
        self._when_found(source, self._open_carry)

    def _open_carry(self, found: Found) -> None:
        from desktop.ui.compare_dialogs import CarryDialog

        if found.source.annotation is None:
            return
        dialog = CarryDialog(found, self.labels, self.window)
        self.carry_dialog = dialog
        dialog.accepted.connect(lambda: self._carry_chosen(found, dialog))
        dialog.open()

    def _carry_chosen(self, found: Found, dialog: Any) -> None:
        editing = self.window.editing
        annotation = found.source.annotation
        chosen = {c.article_id for c in dialog.chosen()}
        if editing is None or annotation is None or not chosen:
            return
        confirm = bool(dialog.differing())
        differs_verdict = dialog.chosen_differs_verdict() if confirm else None
        with_note = dialog.with_note.isChecked()
        with_sources = dialog.with_sources.isChecked()
        counterparts = [c for c in found.counterparts if c.article_id in chosen]
        outcome: dict[str, Any] = {}

        def work(store: Store, reviewer: str) -> ChangeSet:
            from desktop.core import operations
            from desktop.core.compare.claims import carry_targets

            result = operations.carry(
                store,
                annotation.id,
                carry_targets(counterparts),
                reviewer=reviewer,
                confirm_differs=confirm,
                differs_verdict=differs_verdict,
                with_note=with_note,
                with_sources=with_sources,
            )
            outcome["result"] = result
            return result.changes

        def then(_changes: ChangeSet) -> None:
            result = outcome.get("result")
            if result is not None:
                self._report("Carried the verdict to", len(result.created), result.skipped)

        editing.apply_work("Carry verdict", work, then=then)

    def _report(self, verb: str, created: int, skipped: Any, verdict: str = "") -> None:
        what = f"{created} version{'s' if created != 1 else ''}"
        text = f"{verb} {what}" + (f" as {verdict}" if verdict else "") + "."
        if skipped:
            names = []
            for s in skipped:
                label = self.labels.get(s.article_id)
                names.append(f"{label.letter if label else s.article_id[:8]} ({s.message})")
            text += " Skipped " + "; ".join(names) + "."
        self.window.statusBar().showMessage(text, STATUS_MS * 2)

    def _say_failed(self, error: CrosscheckError) -> None:
        self.window.statusBar().showMessage(str(error), STATUS_MS)

    # --- changes --------------------------------------------------------------------------

    def on_changes(self, changes: ChangeSet) -> None:
        if self.window.project is None:
            return
        if changes.reload or any(c.action in ARTICLE_ACTIONS for c in changes.changes):
            self._texts = None
            if self.session is not None:
                self.session.rebuild()
            self.found = None
            if self.search_panel is not None and self.search_panel.searched:
                self.search_panel.searched = ""
        touched = changes.annotation_ids
        if touched or changes.reload:
            if self.session is not None:
                self.session.forget_rows(None)
            # "Verdict there" and the claims follow the change; a passage just tagged is
            # compared as the annotation it now is (so its verdict can be carried).
            if self._source is not None and self.session is not None and self.session.ready:
                self._ask(self._with_annotation(self._source), at_once=True)
            if self.tools.on_screen(self.claims_dock):
                self.refresh_claims()
            else:
                self._claims_stale = True

    def _with_annotation(self, source: Source) -> Source:
        """``source`` with the annotation now shown exactly on its span (or none, once
        deleted)."""
        from dataclasses import replace

        if source.start is None or source.end is None:
            return source
        views = [p.view for p in self.window.panes.panes_showing(source.article_id)]
        for view in views:
            for annotation_id in view.annotation_ids_at(source.start):
                row = view.annotation(annotation_id)
                if row is not None and (row.start, row.end) == (source.start, source.end):
                    return replace(source, annotation=row)
        if views and source.annotation is not None:
            return replace(source, annotation=None)
        return source

    def on_reviewer_changed(self) -> None:
        if self.session is not None:
            self.session.forget_rows(None)
        if self.tools.on_screen(self.claims_dock):
            self.refresh_claims()
