"""Undo and redo of every edit, as commands that call the operations layer.

Each command's redo runs an operation and its undo runs the inverse operation, so undoing is
itself an audited change. A command is pushed only after its first run succeeded; when a later
undo or redo fails (the file became read-only or locked), the stack is put back where it was
and the error is reported, so the stack and the file never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.core.changes import ChangeSet, Edit
from desktop.core.errors import CrosscheckError
from desktop.core.model import Source, Verdict
from desktop.core.store import Store
from desktop.ui import verdict_style

Operation = Callable[[], ChangeSet]


def _ops() -> ModuleType:
    """The operations module, imported at the first edit: it pulls in the importers, which
    start-up does not need."""
    from desktop.core import operations

    return operations


NOTE_COMMAND_ID = 1
SPAN_COMMAND_ID = 2


class _Command(QUndoCommand):
    """Runs ``do`` on redo and ``undo`` on undo, through the Editing that owns it."""

    def __init__(self, editing: Editing, text: str) -> None:
        super().__init__(text)
        self._editing = editing
        self._skip = False

    def first_run(self) -> ChangeSet:
        """The edit itself, before the command is pushed."""
        return self.do()

    def do(self) -> ChangeSet:
        raise NotImplementedError

    def inverse(self) -> ChangeSet:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip:
            self._skip = False
        else:
            self._editing._run(self.do)

    def undo(self) -> None:
        if self._skip:
            self._skip = False
        else:
            self._editing._run(self.inverse)


class TagCommand(_Command):
    """Tag a span. Its undo deletes the new annotation (or restores the previous verdict
    when the span was already tagged); later redos restore it."""

    def __init__(
        self, editing: Editing, article_id: str, start: int, end: int, verdict: Verdict
    ) -> None:
        super().__init__(editing, f"Tag '{verdict_style.label(verdict)}'")
        self.article_id, self.start, self.end, self.verdict = article_id, start, end, verdict
        self.annotation_id: str | None = None
        self.previous: Verdict | None = None  # set when an existing annotation was re-tagged

    def first_run(self) -> ChangeSet:
        changes = _ops().annotate(
            self._editing.project,
            self.article_id,
            self.start,
            self.end,
            self.verdict,
            reviewer=self._editing.reviewer(),
        )
        for change in changes.changes:
            if change.entity_type != "annotation":
                continue
            self.annotation_id = change.entity_id
            if change.action == "annotation.changed" and change.before:
                self.previous = Verdict(change.before["verdict"])
                self.setText(f"Change verdict to '{verdict_style.label(self.verdict)}'")
        return changes

    def do(self) -> ChangeSet:
        assert self.annotation_id is not None
        if self.previous is not None:
            return self._editing.update(self.annotation_id, verdict=self.verdict)
        return _ops().restore_annotation(
            self._editing.project, self.annotation_id, reviewer=self._editing.reviewer()
        )

    def inverse(self) -> ChangeSet:
        assert self.annotation_id is not None
        if self.previous is not None:
            return self._editing.update(self.annotation_id, verdict=self.previous)
        return _ops().delete_annotation(
            self._editing.project, self.annotation_id, reviewer=self._editing.reviewer()
        )


class UpdateCommand(_Command):
    """Change one field (verdict, note or sources) of an annotation from ``old`` to ``new``."""

    def __init__(
        self, editing: Editing, text: str, annotation_id: str, field: str, old: object, new: object
    ) -> None:
        super().__init__(editing, text)
        self.annotation_id, self.field, self.old, self.new = annotation_id, field, old, new

    def do(self) -> ChangeSet:
        return self._editing.update(self.annotation_id, **{self.field: self.new})

    def inverse(self) -> ChangeSet:
        return self._editing.update(self.annotation_id, **{self.field: self.old})

    def id(self) -> int:
        return NOTE_COMMAND_ID if self.field == "note" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Consecutive edits of the same note are one undo step."""
        if not isinstance(other, UpdateCommand) or other.annotation_id != self.annotation_id:
            return False
        if other.field != "note" or self.field != "note":
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True


class SpanCommand(_Command):
    """Move an annotation from span ``old`` to span ``new`` (code points)."""

    def __init__(
        self,
        editing: Editing,
        annotation_id: str,
        old: tuple[int, int],
        new: tuple[int, int],
    ) -> None:
        super().__init__(editing, "Adjust span")
        self.annotation_id, self.old, self.new = annotation_id, old, new

    def _move(self, span: tuple[int, int]) -> ChangeSet:
        return _ops().set_annotation_span(
            self._editing.project, self.annotation_id, *span, reviewer=self._editing.reviewer()
        )

    def do(self) -> ChangeSet:
        return self._move(self.new)

    def inverse(self) -> ChangeSet:
        return self._move(self.old)

    def id(self) -> int:
        return SPAN_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Moving the same annotation's ends several times in a row is one undo step."""
        if not isinstance(other, SpanCommand) or other.annotation_id != self.annotation_id:
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True


class DeleteCommand(_Command):
    def __init__(self, editing: Editing, annotation_id: str, *, restore: bool = False) -> None:
        super().__init__(editing, "Restore annotation" if restore else "Delete annotation")
        self.annotation_id = annotation_id
        self.restore = restore

    def _set(self, deleted: bool) -> ChangeSet:
        op = _ops().delete_annotation if deleted else _ops().restore_annotation
        return op(self._editing.project, self.annotation_id, reviewer=self._editing.reviewer())

    def do(self) -> ChangeSet:
        return self._set(not self.restore)

    def inverse(self) -> ChangeSet:
        return self._set(self.restore)


class EditArticleCommand(_Command):
    """Change an article's details (title, outlet, URL, date) from ``old`` to ``new``; both
    hold the same fields, as the user typed them ("" clears a field)."""

    def __init__(
        self, editing: Editing, article_id: str, old: dict[str, str], new: dict[str, str]
    ) -> None:
        super().__init__(editing, "Edit article details")
        self.article_id, self.old, self.new = article_id, old, new

    def do(self) -> ChangeSet:
        return self._edit(self.new)

    def inverse(self) -> ChangeSet:
        return self._edit(self.old)

    def _edit(self, fields: dict[str, str]) -> ChangeSet:
        return _ops().edit_article(
            self._editing.project, self.article_id, reviewer=self._editing.reviewer(), **fields
        )


class ArticlesCommand(_Command):
    """Remove articles (with their annotations), or take back an import, which removes the
    imported articles; its other direction restores them."""

    def __init__(
        self,
        editing: Editing,
        text: str,
        article_ids: Sequence[str],
        *,
        removes: bool,
        done: ChangeSet | None = None,
    ) -> None:
        super().__init__(editing, text)
        self.article_ids = list(article_ids)
        self.removes = removes
        self._done = done  # the import itself ran elsewhere; its changes come with it

    def first_run(self) -> ChangeSet:
        return self._done if self._done is not None else self.do()

    def _set(self, removed: bool) -> ChangeSet:
        op = _ops().remove_articles if removed else _ops().restore_articles
        return op(self._editing.project, self.article_ids, reviewer=self._editing.reviewer())

    def do(self) -> ChangeSet:
        return self._set(self.removes)

    def inverse(self) -> ChangeSet:
        return self._set(not self.removes)


class EditCommand(_Command):
    """An operation whose ChangeSet names its own inverse (an ``Edit``): undo runs that
    inverse, and redo the inverse's own inverse. Its text is the operation's label."""

    def __init__(self, editing: Editing, work: Operation) -> None:
        super().__init__(editing, "")
        self._work = work
        self._back: Edit | None = None
        self._forth: Edit | None = None

    def first_run(self) -> ChangeSet:
        changes = self._work()
        self.setText(changes.label)
        self._back = changes.inverse
        return changes

    def do(self) -> ChangeSet:
        if self._forth is None:  # the undo found nothing left to take back
            return ChangeSet()
        changes = self._forth.run(self._editing.project, reviewer=self._editing.reviewer())
        self._back = changes.inverse
        return changes

    def inverse(self) -> ChangeSet:
        if self._back is None:  # the redo found nothing left to do
            return ChangeSet()
        changes = self._back.run(self._editing.project, reviewer=self._editing.reviewer())
        self._forth = changes.inverse
        return changes


class Editing(QObject):
    """Every edit of one open project, undoable. Views learn of changes from the signal."""

    sig_changes_applied = Signal(object)
    """An edit, undo or redo changed the project; carries its ChangeSet."""
    sig_error_raised = Signal(str)
    """An edit, undo or redo failed; carries the one-line reason. Nothing was changed."""

    def __init__(
        self, project: Store, reviewer: Callable[[], str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.reviewer = reviewer
        self.stack = QUndoStack(self)
        self._failed = False

    # --- edits ----------------------------------------------------------------------------

    # Each edit returns its ChangeSet (empty when nothing needed changing), or None when it
    # failed and the error was reported.

    def tag(self, article_id: str, start: int, end: int, verdict: Verdict) -> ChangeSet | None:
        return self._push(TagCommand(self, article_id, start, end, verdict))

    def set_verdict(self, annotation_id: str, old: Verdict, new: Verdict) -> ChangeSet | None:
        text = f"Change verdict to '{verdict_style.label(new)}'"
        return self._push(UpdateCommand(self, text, annotation_id, "verdict", old, new))

    def set_note(self, annotation_id: str, old: str, new: str) -> ChangeSet | None:
        return self._push(UpdateCommand(self, "Edit note", annotation_id, "note", old, new))

    def set_sources(
        self, annotation_id: str, old: Sequence[Source], new: Sequence[Source]
    ) -> ChangeSet | None:
        if len(new) > len(old):
            text = "Add evidence link"
        elif len(new) < len(old):
            text = "Remove evidence link"
        else:
            text = "Change evidence links"
        command = UpdateCommand(self, text, annotation_id, "sources", tuple(old), tuple(new))
        return self._push(command)

    def set_span(
        self, annotation_id: str, old: tuple[int, int], new: tuple[int, int]
    ) -> ChangeSet | None:
        return self._push(SpanCommand(self, annotation_id, old, new))

    def delete(self, annotation_ids: Sequence[str], *, restore: bool = False) -> ChangeSet | None:
        """Delete (or restore) annotations; several make one undo step."""
        if len(annotation_ids) == 1:
            return self._push(DeleteCommand(self, annotation_ids[0], restore=restore))
        verb = "Restore" if restore else "Delete"
        self.stack.beginMacro(f"{verb} {len(annotation_ids)} annotations")
        changes: ChangeSet | None = ChangeSet()
        try:
            for annotation_id in annotation_ids:
                done = self._push(DeleteCommand(self, annotation_id, restore=restore))
                if done is None:
                    break
                changes = changes | done
        finally:
            self.stack.endMacro()
        return changes

    def edit_article(
        self, article_id: str, old: dict[str, str], new: dict[str, str]
    ) -> ChangeSet | None:
        """Change an article's details; ``old`` and ``new`` name the same fields."""
        return self._push(EditArticleCommand(self, article_id, old, new))

    def remove_article(self, article_id: str, title: str) -> ChangeSet | None:
        text = f"Remove article '{_short(title)}'"
        return self._push(ArticlesCommand(self, text, [article_id], removes=True))

    def imported(self, changes: ChangeSet) -> ChangeSet | None:
        """An import finished (in the background): make it one undo step, whose undo removes
        the articles it added."""
        added = changes.ids("article")
        text = "Import 1 article" if len(added) == 1 else f"Import {len(added)} articles"
        command = ArticlesCommand(self, text, added, removes=False, done=changes)
        return self._push(command)

    def apply(self, work: Operation) -> ChangeSet:
        """Run an operation that returns its own inverse; when it has one, it becomes one undo
        step. Unlike the edits above, an error of this first run is raised to the caller,
        which reports it in its own terms."""
        command = EditCommand(self, work)
        changes = command.first_run()
        if changes:
            if changes.inverse is not None:
                command._skip = True
                self.stack.push(command)
            self.sig_changes_applied.emit(changes)
        return changes

    # --- undo and redo --------------------------------------------------------------------

    def undo(self) -> None:
        self._step(undo=True)

    def redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        if not (self.stack.canUndo() if undo else self.stack.canRedo()):
            return
        self._failed = False
        if undo:
            self.stack.undo()
        else:
            self.stack.redo()
        if not self._failed:
            return
        # The file did not change: move the stack back without running anything.
        at = self.stack.index() if undo else self.stack.index() - 1
        command = self.stack.command(at)
        if isinstance(command, _Command):
            command._skip = True
        else:  # a macro: its children run in turn; none may run again
            for i in range(command.childCount()):
                child = command.child(i)
                if isinstance(child, _Command):
                    child._skip = True
        if undo:
            self.stack.redo()
        else:
            self.stack.undo()

    # --- plumbing -------------------------------------------------------------------------

    def update(self, annotation_id: str, **fields: object) -> ChangeSet:
        return _ops().update_annotation(
            self.project, annotation_id, reviewer=self.reviewer(), **fields
        )

    def _push(self, command: _Command) -> ChangeSet | None:
        try:
            changes = command.first_run()
        except CrosscheckError as exc:
            self.sig_error_raised.emit(str(exc))
            return None
        if not changes:
            return changes
        command._skip = True
        self.stack.push(command)
        self.sig_changes_applied.emit(changes)
        return changes

    def _run(self, op: Operation) -> None:
        if self._failed:  # an earlier part of the same macro failed
            return
        try:
            changes = op()
        except CrosscheckError as exc:
            self._failed = True
            self.sig_error_raised.emit(str(exc))
            return
        if changes:
            self.sig_changes_applied.emit(changes)


def _short(title: str, width: int = 30) -> str:
    title = " ".join(title.split())
    return title if len(title) <= width else title[: width - 1] + "…"
