"""Tools ▸ Adjudicate Article: every disagreement in one article, and the adjudicator's
decision on each: accept one reviewer's side, set a final verdict with a note, or leave the
text untagged; and a button that makes final verdicts of every span all reviewers agree on.

Reads go through the core's review state; each decision is one core operation, whose
ChangeSet the window applies like any other edit.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.core import review_state
from desktop.core.changes import ChangeSet
from desktop.core.disagreements import ArticleGroups, Group, find_groups
from desktop.core.errors import CrosscheckError
from desktop.core.model import Verdict
from desktop.core.store import Store, reads
from desktop.ui import dialogs, verdict_style

_GROUP = Qt.ItemDataRole.UserRole


class AdjudicationDialog(QDialog):
    sig_changes_applied = Signal(object)
    """A decision changed the project; carries the ChangeSet."""
    sig_annotation_requested = Signal(str)
    """Show this annotation in the window."""

    def __init__(
        self,
        project: Store,
        article_id: str,
        reviewer: Callable[[], str],
        parent: QWidget | None = None,
        apply: Callable[..., Any] | None = None,
    ) -> None:
        """``apply`` runs each decision (the window's ``Editing.apply_work``: off the window's
        thread, undoable); without it decisions run directly and ``sig_changes_applied``
        tells."""
        super().__init__(parent)
        self.setObjectName("adjudicationDialog")
        self.project, self.article_id, self.reviewer = project, article_id, reviewer
        self._apply = apply
        self.found = ArticleGroups(())
        self.text = ""
        self.title = ""

        self.summary = QLabel()
        self.summary.setObjectName("adjudicationSummary")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("disagreementList")
        self.list.setAccessibleName("Disagreements")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.detail = QLabel()
        self.detail.setObjectName("disagreementDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        decide = QGroupBox("Decision")
        self.sides = QHBoxLayout()
        self.sides_box = QWidget()
        self.sides_box.setLayout(self.sides)
        self.verdict_box = QComboBox()
        self.verdict_box.setObjectName("finalVerdict")
        self.verdict_box.setAccessibleName("Final verdict")
        for verdict in Verdict:
            self.verdict_box.addItem(verdict_style.label(verdict), verdict.value)
        self.note = QLineEdit()
        self.note.setObjectName("adjudicationNote")
        self.note.setPlaceholderText("Note (why)")
        self.note.setAccessibleName("Note")
        self.set_button = QPushButton("Set &Final Verdict")
        self.set_button.setObjectName("setFinalVerdict")
        self.untagged_button = QPushButton("Leave &Untagged")
        self.untagged_button.setObjectName("leaveUntagged")
        self.withdraw_button = QPushButton("&Withdraw Decision")
        self.withdraw_button.setObjectName("withdrawDecision")
        self.set_button.clicked.connect(self._set_verdict)
        self.untagged_button.clicked.connect(self._untagged)
        self.withdraw_button.clicked.connect(self._withdraw)
        verdict_row = QHBoxLayout()
        verdict_label = QLabel("&Verdict:")
        verdict_label.setBuddy(self.verdict_box)
        verdict_row.addWidget(verdict_label)
        verdict_row.addWidget(self.verdict_box)
        verdict_row.addWidget(self.note, 1)
        verdict_row.addWidget(self.set_button)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.untagged_button)
        buttons_row.addWidget(self.withdraw_button)
        buttons_row.addStretch(1)
        decide_layout = QVBoxLayout(decide)
        decide_layout.addWidget(self.sides_box)
        decide_layout.addLayout(verdict_row)
        decide_layout.addLayout(buttons_row)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(decide)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([330, 570])

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.agreed_button = QPushButton("Finalise &Agreed Spans")
        self.agreed_button.setObjectName("finaliseAgreed")
        box.addButton(self.agreed_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.agreed_button.clicked.connect(self._agreed)
        box.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(box)
        self.resize(920, 520)

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Read the article's groups again; False (after saying why) when they cannot be
        shown to this reviewer."""
        viewer = self.reviewer() or None
        with self.project.read() as db:
            state = review_state.blind_state(db)
            tags = review_state.article_tags(db, [self.article_id])
            settled = review_state.settled_annotation_ids(db, [self.article_id])
            self.text = reads.article_text(db, self.article_id) if tags else ""
        if not tags:
            dialogs.show_info(self, "Nothing to adjudicate", "The article has been removed.")
            return False
        (article,) = tags
        self.title = article.title
        self.setWindowTitle(f"Adjudicate — {article.title}")
        if state.hides_others(viewer, self.article_id):
            dialogs.show_error(
                self,
                "Blind review",
                "Blind review hides the other reviewers' annotations on this article from you. "
                "Mark the article done first, or ask to be named an adjudicator.",
            )
            return False
        self.found = find_groups(article.reviewers, article.tags, settled)
        if len(self.found.reviewers) < 2:
            dialogs.show_info(
                self,
                "Nothing to adjudicate",
                f"“{article.title}” needs two reviewers before anything can be adjudicated "
                f"(reviewers so far: {', '.join(self.found.reviewers) or 'none'}).",
            )
            return False
        current = self._current()
        keep = current.id if current is not None else None
        self.list.clear()
        for group in self.found.disagreements:
            state_text = "settled" if group.settled else "open"
            item = QListWidgetItem(
                f"{state_text.capitalize()} · characters {group.start}–{group.end}\n"
                f"{group.description.capitalize()}\n"
                f"“{_clip(self.text[group.start : group.end], 40)}”"
            )
            item.setToolTip(self.text[group.start : group.end])
            item.setData(_GROUP, group)
            self.list.addItem(item)
            if group.id == keep or (
                keep is None and not group.settled and self.list.currentRow() < 0
            ):
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        agreed_open = [g for g in self.found.agreed if not g.settled]
        self.agreed_button.setText(f"Finalise &Agreed Spans ({len(agreed_open)})")
        self.agreed_button.setEnabled(bool(agreed_open))
        self.summary.setText(
            f"Reviewers: {', '.join(self.found.reviewers)}. "
            f"{len(self.found.open)} open and "
            f"{len(self.found.disagreements) - len(self.found.open)} settled disagreement(s); "
            f"{len(self.found.agreed)} span(s) tagged alike by every reviewer."
        )
        self._show_current()
        return True

    def _current(self) -> Group | None:
        item = self.list.currentItem()
        group = item.data(_GROUP) if item is not None else None
        return group if isinstance(group, Group) else None

    def groups(self) -> list[Group]:
        return list(self.found.disagreements)

    def _show_current(self) -> None:
        group = self._current()
        while self.sides.count():
            widget = self.sides.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for button in (self.set_button, self.untagged_button, self.withdraw_button):
            button.setEnabled(False)
        if group is None:
            self.detail.setText(
                "No disagreements in this article." if not self.list.count() else ""
            )
            return
        lines = [
            f"<b>{escape(group.description.capitalize())}</b> "
            f"({'settled' if group.settled else 'open'}), characters {group.start}–{group.end}:",
            f"<blockquote>{escape(self.text[group.start : group.end])}</blockquote>",
        ]
        for reviewer in self.found.reviewers:
            side = group.side(reviewer)
            if not side:
                lines.append(f"<b>{escape(reviewer)}</b>: untagged")
            for tag in side:
                note = f" — {escape(tag.note)}" if tag.note else ""
                label = verdict_style.label(Verdict(tag.verdict))
                lines.append(
                    f"<b>{escape(reviewer)}</b>: {escape(label)}"
                    f" on “{escape(_clip(self.text[tag.start : tag.end], 60))}” "
                    f"({tag.start}–{tag.end}){note}"
                )
        self.detail.setText("<br>".join(lines))
        open_ = not group.settled
        for reviewer in self.found.reviewers:
            button = QPushButton(f"Accept {reviewer}")
            button.setObjectName(f"accept:{reviewer}")
            button.setEnabled(open_)
            button.clicked.connect(lambda _=False, r=reviewer: self._accept(r))
            self.sides.addWidget(button)
        self.set_button.setEnabled(open_)
        self.untagged_button.setEnabled(open_)
        self.withdraw_button.setEnabled(group.settled)

    # --- deciding -------------------------------------------------------------------------

    def _run(self, work: Callable[[Store, str], ChangeSet], title: str) -> bool:
        reviewer = self.reviewer()
        if not reviewer:
            dialogs.show_error(self, title, "Enter your name first (Tools ▸ Change Reviewer).")
            return False
        if self._apply is not None:
            # The window runs it off its thread, as an undoable step; the view follows.

            def done(_changes: ChangeSet) -> None:
                self.note.clear()
                self.refresh()

            self._apply(
                title,
                lambda project, name: work(project, name),
                then=done,
                failed=lambda error: dialogs.show_error(self, title, str(error)),
            )
            return True
        try:
            changes = work(self.project, reviewer)
        except CrosscheckError as exc:
            dialogs.show_error(self, title, str(exc))
            return False
        if changes:
            self.sig_changes_applied.emit(changes)
        self.note.clear()
        self.refresh()
        return True

    def _decide(self, **decision: object) -> bool:
        from desktop.core import review_ops

        group = self._current()
        if group is None:
            return False
        chosen = review_ops.Decision(note=self.note.text().strip(), **decision)  # type: ignore[arg-type]
        return self._run(
            lambda project, reviewer: review_ops.settle(
                project, self.article_id, group.id, chosen, reviewer=reviewer
            ),
            "Not adjudicated",
        )

    def _accept(self, reviewer: str) -> bool:
        return self._decide(accept=reviewer)

    def _set_verdict(self) -> bool:
        return self._decide(verdict=Verdict(self.verdict_box.currentData()))

    def _untagged(self) -> bool:
        return self._decide(untagged=True)

    def _withdraw(self) -> bool:
        from desktop.core import review_ops

        group = self._current()
        if group is None:
            return False
        return self._run(
            lambda project, reviewer: review_ops.withdraw(
                project, self.article_id, group.id, reviewer=reviewer
            ),
            "Not withdrawn",
        )

    def _agreed(self) -> bool:
        from desktop.core import review_ops

        return self._run(
            lambda project, reviewer: review_ops.finalise_agreed(
                project, self.article_id, reviewer=reviewer, note=self.note.text().strip()
            ),
            "Not finalised",
        )


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
