"""Tag All… and Carry Verdict…: which versions to tag, and with what.

Both list every other version with what will happen there. A version that does not make the
claim, or already holds an annotation there, is listed but cannot be chosen (with the
reason). A version that states different facts is not chosen unless the reviewer ticks it;
carrying a verdict to one asks first, and never copies the verdict (the core tags it
unverified, or the verdict chosen for it, with a note naming the source claim).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Verdict
from desktop.ui import verdict_style
from desktop.ui.counterparts_panel import one_line

if TYPE_CHECKING:
    from desktop.core.compare.counterparts import Counterpart
    from desktop.core.compare.labels import VersionLabel
    from desktop.ui.compare_session import Found

ARTICLE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Choice:
    """One version in the list: where the passage is, and whether it can be chosen."""

    article_id: str
    start: int | None
    end: int | None
    status: str  # "source", "same", "differs", "absent", "existing"
    text: str
    tip: str = ""
    facts: str = ""  # what differs, for a version that states different facts

    @property
    def choosable(self) -> bool:
        return self.status in ("source", "same", "differs")


def _name(labels: Mapping[str, VersionLabel], article_id: str) -> str:
    label = labels.get(article_id)
    return label.short if label is not None else article_id[:8]


def _facts(c: Counterpart) -> str:
    return ", ".join(f"\u201c{d.here}\u201d \u2192 \u201c{d.there}\u201d" for d in c.differences)


def choices(
    found: Found, labels: Mapping[str, VersionLabel], *, carrying: Verdict | None
) -> list[Choice]:
    """What each version offers, for Tag All (``carrying`` None) or Carry Verdict."""
    out: list[Choice] = []
    source = found.source
    if carrying is None and source.annotation is None:
        out.append(
            Choice(
                source.article_id,
                found.start,
                found.end,
                "source",
                f"{_name(labels, source.article_id)} \u2014 this passage: "
                f"\u201c{one_line(found.quote, 90)}\u201d",
                found.quote,
            )
        )
    for c in found.counterparts:
        name = _name(labels, c.article_id)
        existing = found.existing.get(c.article_id, ())
        if c.status == "absent" or c.start is None or c.end is None:
            out.append(
                Choice(c.article_id, None, None, "absent", f"{name} \u2014 not in this version")
            )
        elif existing:
            verdict = verdict_style.most_serious(r.verdict for r in existing)
            word = verdict_style.label(verdict).lower() if verdict is not None else "tagged"
            out.append(
                Choice(
                    c.article_id,
                    c.start,
                    c.end,
                    "existing",
                    f"{name} \u2014 already tagged {word} there (left as it is)",
                    c.quote or "",
                )
            )
        elif c.status == "differs":
            outcome = (
                f" \u2014 gets the verdict below and a note, not "
                f"{verdict_style.label(carrying).lower()}"
                if carrying is not None
                else ""
            )
            out.append(
                Choice(
                    c.article_id,
                    c.start,
                    c.end,
                    "differs",
                    f"{name} \u2014 states different facts: {_facts(c)}{outcome}",
                    c.quote or "",
                    _facts(c),
                )
            )
        else:
            out.append(
                Choice(
                    c.article_id,
                    c.start,
                    c.end,
                    "same",
                    f"{name} \u2014 \u201c{one_line(c.quote or '', 90)}\u201d",
                    c.quote or "",
                )
            )
    return out


class _ChoiceDialog(QDialog):
    """A list of versions to tick, above the dialog's own options."""

    def __init__(self, title: str, intro: str, items: list[Choice], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.items = items
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setObjectName("versionChoices")
        for choice in items:
            item = QListWidgetItem(choice.text)
            item.setData(ARTICLE_ROLE, choice.article_id)
            item.setToolTip(choice.tip)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            if choice.choosable:
                flags |= Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(
                Qt.CheckState.Checked
                if choice.status in ("source", "same")
                else Qt.CheckState.Unchecked
            )
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda _i: self._update())
        first = next((i for i, c in enumerate(items) if c.choosable), -1)
        if first >= 0:
            self.list.setCurrentRow(first)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.intro)
        self.layout_.addWidget(self.list, 1)
        self.resize(680, 360)

    def _finish_layout(self) -> None:
        self.layout_.addWidget(self.buttons)
        self._update()

    def chosen(self) -> list[Choice]:
        return [
            choice
            for row, choice in enumerate(self.items)
            if choice.choosable and self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, article_id: str, on: bool) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ARTICLE_ROLE) == article_id and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _update(self) -> None:
        self.ok_button().setEnabled(self._ready())

    def _ready(self) -> bool:
        return bool(self.chosen())

    def _confirm(self) -> None:
        if self._ready():
            self.accept()


class TagAllDialog(_ChoiceDialog):
    """Tag the claim and its counterparts with one verdict, chosen here."""

    def __init__(
        self, found: Found, labels: Mapping[str, VersionLabel], parent: QWidget | None = None
    ) -> None:
        annotation = found.source.annotation
        intro = (
            f"Tag the counterparts of \u201c{one_line(found.quote, 160)}\u201d "
            "with one verdict. They become one claim with it."
            if annotation is not None
            else f"Tag \u201c{one_line(found.quote, 160)}\u201d and its counterparts with one "
            "verdict, as one claim."
        )
        super().__init__("Tag All Versions", intro, choices(found, labels, carrying=None), parent)
        self.setObjectName("tagAllDialog")
        self.verdicts = QButtonGroup(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Verdict:"))
        for number, verdict in enumerate(Verdict, start=1):
            button = QRadioButton(f"{verdict_style.label(verdict)}  ({number})")
            button.setObjectName(f"verdict_{verdict.value}")
            button.setIcon(verdict_style.icon(verdict))
            button.setShortcut(QKeySequence(str(number)))
            self.verdicts.addButton(button, number)
            row.addWidget(button)
            if annotation is not None and annotation.verdict == verdict:
                button.setChecked(True)
        row.addStretch(1)
        self.verdicts.idToggled.connect(lambda _id, _on: self._update())
        # 1, 2 and 3 choose the verdict as they tag in a pane, even from inside the list.
        self.list.installEventFilter(self)
        self.layout_.addLayout(row)
        self.ok_button().setText("&Tag")
        self._finish_layout()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and event.text() in ("1", "2", "3")
        ):
            button = self.verdicts.button(int(event.text()))
            if button is not None:
                button.setChecked(True)
                return True
        return super().eventFilter(watched, event)

    def verdict(self) -> Verdict | None:
        checked = self.verdicts.checkedId()
        return list(Verdict)[checked - 1] if checked > 0 else None

    def passages(self) -> list[tuple[str, int, int]]:
        return [
            (c.article_id, c.start, c.end)
            for c in self.chosen()
            if c.start is not None and c.end is not None
        ]

    def _ready(self) -> bool:
        return self.verdict() is not None and bool(self.chosen())


class CarryDialog(_ChoiceDialog):
    """Carry an annotation's verdict to its counterparts; asks before a version that states
    different facts."""

    def __init__(
        self, found: Found, labels: Mapping[str, VersionLabel], parent: QWidget | None = None
    ) -> None:
        annotation = found.source.annotation
        assert annotation is not None
        self.annotation = annotation
        self.labels = labels
        verdict = verdict_style.label(annotation.verdict).lower()
        intro = (
            f"Carry the verdict \u201c{verdict}\u201d of \u201c{one_line(found.quote, 160)}\u201d "
            "to its counterparts. They become one claim with it."
        )
        items = choices(found, labels, carrying=annotation.verdict)
        super().__init__("Carry Verdict", intro, items, parent)
        self.setObjectName("carryDialog")
        self.with_note = QCheckBox("Copy the &note")
        self.with_note.setChecked(True)
        self.with_note.setEnabled(bool(annotation.note.strip()))
        self.with_sources = QCheckBox("Copy the &evidence links")
        self.with_sources.setChecked(True)
        self.with_sources.setEnabled(bool(annotation.sources))
        options = QHBoxLayout()
        options.addWidget(self.with_note)
        options.addWidget(self.with_sources)
        options.addStretch(1)
        self.layout_.addLayout(options)
        differs = QHBoxLayout()
        self.differs_label = QLabel("&Verdict where a version states different facts:")
        self.differs_verdict = QComboBox()
        self.differs_verdict.setObjectName("differsVerdict")
        for v in (Verdict.UNVERIFIED, Verdict.DISPUTED, Verdict.SUPPORTED):
            self.differs_verdict.addItem(verdict_style.icon(v), verdict_style.label(v), v.value)
        self.differs_label.setBuddy(self.differs_verdict)
        differs.addWidget(self.differs_label)
        differs.addWidget(self.differs_verdict)
        differs.addStretch(1)
        self.layout_.addLayout(differs)
        self.ok_button().setText("&Carry")
        self.question: QMessageBox | None = None
        self._finish_layout()

    def differing(self) -> list[Choice]:
        return [c for c in self.chosen() if c.status == "differs"]

    def chosen_differs_verdict(self) -> Verdict:
        return Verdict(self.differs_verdict.currentData())

    def _update(self) -> None:
        super()._update()
        some = bool(self.differing())
        self.differs_label.setEnabled(some)
        self.differs_verdict.setEnabled(some)

    def _confirm(self) -> None:
        if not self._ready():
            return
        differing = self.differing()
        if not differing:
            self.accept()
            return
        verdict = verdict_style.label(self.chosen_differs_verdict()).lower()
        names = "; ".join(
            f"{_name(self.labels, c.article_id)} states different facts ({c.facts})"
            for c in differing
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Carry to a version that states different facts?",
            f"{names}.\n\nThe verdict \u201c{verdict_style.label(self.annotation.verdict).lower()}"
            f"\u201d says nothing about those facts, so it is not copied: "
            f"{'that version is' if len(differing) == 1 else 'those versions are'} tagged "
            f"\u201c{verdict}\u201d, with a note naming this claim and what differs. Carry?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("carryDiffersQuestion")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(lambda button: self.accept() if button is yes else None)
        self.question = box
        box.open()
