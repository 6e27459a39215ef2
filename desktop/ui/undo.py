"""Undo and redo of every edit: one generic command over the core's operations.

Every operation returns the Edit that takes it back (``ChangeSet.inverse``), so a command
only remembers that Edit: undo runs it, and the inverse of what undo did is the redo. The
work runs on the runner, off the window's thread; the stack moves only once it has succeeded,
so the stack and the project never disagree. An undo of an annotation that another reviewer
has changed since is refused by the core as a Conflict, never a silent overwrite.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.core.changes import ChangeSet, Edit
from desktop.core.errors import Conflict, CrosscheckError
from desktop.core.model import Source, Verdict
from desktop.core.records import AnnotationRow
from desktop.core.store import Store
from desktop.ui.controller import ChangeFeed, Runner, Task

NOTE_COMMAND_ID = 1
Done = Callable[[ChangeSet], None]


class EditCommand(QUndoCommand):
    """One step on the stack. It holds the Edit that undoes it (and, once undone, the Edit that
    redoes it); the stack only records, the work is done before it moves."""

    def __init__(self, changes: ChangeSet) -> None:
        super().__init__(changes.label or "Edit")
        self.back: Edit | None = changes.inverse  # what undo runs
        self.forward: Edit | None = None  # what redo runs, once undone

    def redo(self) -> None:  # the work was done before the stack moved
        pass

    def undo(self) -> None:
        pass

    def id(self) -> int:
        back = self.back
        if (
            back is not None
            and back.op == "update_annotation"
            and set(back.args)
            == {
                "annotation_id",
                "note",
                "expected_version",
            }
        ):
            return NOTE_COMMAND_ID
        return -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Consecutive edits of the same note are one undo step, back to the first note."""
        if not isinstance(other, EditCommand) or other.id() != NOTE_COMMAND_ID:
            return False
        mine, theirs = self.back, other.back
        if (
            mine is None
            or theirs is None
            or mine.args["annotation_id"] != theirs.args["annotation_id"]
        ):
            return False
        # Undo goes back to the oldest note, on the version the newest edit left.
        self.back = mine.with_args(expected_version=theirs.args["expected_version"])
        return True


class Editing(QObject):
    """Every edit of one open project, undoable, run off the window's thread."""

    sig_edited = Signal(object)
    """An edit, undo or redo of this window succeeded; carries its ChangeSet."""
    sig_error_raised = Signal(str)
    """An edit, undo or redo failed; carries the one-line reason. Nothing was changed."""
    sig_conflict = Signal(object, object, object)
    """Someone else changed what an edit was made on: the Conflict, the Edit, and the function
    that runs the Edit again (after the reviewer chose how)."""

    def __init__(
        self,
        project: Store,
        reviewer: Callable[[], str],
        runner: Runner,
        feed: ChangeFeed | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.reviewer = reviewer
        self.runner = runner
        self.feed = feed
        self.stack = QUndoStack(self)
        self._steps: deque[bool] = deque()  # undo (True) / redo (False) asked while busy
        self._stepping = False
        runner.sig_idle.connect(self._next_step)

    # --- edits ----------------------------------------------------------------------------

    def apply(self, edit: Edit, label: str, *, then: Done | None = None) -> Task:
        """Run ``edit`` as a new undoable step."""
        project = self.project

        def work(_task: Task, reviewer: str) -> ChangeSet:
            return edit.run(project, reviewer=reviewer)

        return self.perform(label, work, then=then, edit=edit)

    def perform(
        self,
        label: str,
        work: Callable[[Task, str], ChangeSet],
        *,
        then: Done | None = None,
        edit: Edit | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
    ) -> Task:
        """Run ``work(task, reviewer)`` (which makes one operation's changes) as a new step."""
        reviewer = self.reviewer()

        def done(changes: ChangeSet) -> None:
            if changes and changes.inverse is not None:
                self.stack.push(EditCommand(changes))
            self._after(changes)
            if then is not None:
                then(changes)

        def on_failed(error: CrosscheckError) -> None:
            if isinstance(error, Conflict) and edit is not None:
                self.sig_conflict.emit(
                    error, edit, lambda again: self.apply(again, label, then=then)
                )
            elif failed is not None:
                failed(error)
            else:
                self.sig_error_raised.emit(str(error))

        return self.runner.run(
            label, lambda task: work(task, reviewer), writes=True, done=done, failed=on_failed
        )

    def tag(
        self, article_id: str, start: int, end: int, verdict: Verdict, *, then: Done | None = None
    ) -> Task:
        edit = Edit(
            "annotate",
            {"article_id": article_id, "start": start, "end": end, "verdict": verdict.value},
        )
        return self.apply(edit, f"Tag '{verdict.value.capitalize()}'", then=then)

    def update(self, row: AnnotationRow, label: str, **fields: Any) -> Task:
        """Change fields of the annotation as ``row`` shows it (its version is the basis)."""
        edit = Edit(
            "update_annotation",
            {"annotation_id": row.id, **fields, "expected_version": row.version},
        )
        return self.apply(edit, label)

    def set_verdict(self, row: AnnotationRow, new: Verdict) -> Task:
        return self.update(row, f"Change verdict to '{new.value.capitalize()}'", verdict=new.value)

    def set_note(self, row: AnnotationRow, new: str) -> Task:
        return self.update(row, "Edit note", note=new)

    def set_sources(self, row: AnnotationRow, new: Sequence[Source]) -> Task:
        return self.update(row, "Change evidence links", sources=[s.to_json() for s in new])

    def delete(self, rows: Sequence[AnnotationRow], *, restore: bool = False) -> Task:
        """Delete (or restore) annotations as shown; several make one undo step."""
        op = "restore_annotations" if restore else "delete_annotations"
        edit = Edit(
            op,
            {"annotation_ids": [r.id for r in rows], "expected": {r.id: r.version for r in rows}},
        )
        verb = "Restore" if restore else "Delete"
        return self.apply(
            edit, f"{verb} annotation" if len(rows) == 1 else f"{verb} {len(rows)} annotations"
        )

    # --- undo and redo --------------------------------------------------------------------

    def undo(self) -> None:
        self._steps.append(True)
        self._next_step()

    def redo(self) -> None:
        self._steps.append(False)
        self._next_step()

    def _next_step(self) -> None:
        """Undo and redo wait until nothing else runs, so each applies to the step the
        reviewer sees on the stack."""
        if self._stepping or self.runner.writing or not self._steps:
            return
        undo = self._steps.popleft()
        index = self.stack.index()
        if not (self.stack.canUndo() if undo else self.stack.canRedo()):
            self._steps.clear()
            return
        command = self.stack.command(index - 1 if undo else index)
        assert isinstance(command, EditCommand)
        edit = command.back if undo else command.forward
        if edit is None:
            self._steps.clear()
            return
        self._stepping = True
        project = self.project
        reviewer = self.reviewer()

        def done(changes: ChangeSet) -> None:
            self._stepping = False
            if undo:
                command.forward = changes.inverse
                self.stack.undo()
            else:
                command.back = changes.inverse
                self.stack.redo()
            self._pass_versions_on(changes, undo=undo)
            self._after(changes)
            self._next_step()

        def failed(error: CrosscheckError) -> None:
            self._stepping = False
            self._steps.clear()
            if isinstance(error, Conflict):

                def again(rebased: Edit) -> None:
                    if undo:
                        command.back = rebased
                    else:
                        command.forward = rebased
                    (self.undo if undo else self.redo)()

                self.sig_conflict.emit(error, edit, again)
            else:
                self.sig_error_raised.emit(str(error))

        self.runner.run(
            f"{'Undo' if undo else 'Redo'} {command.text()}",
            lambda _task: edit.run(project, reviewer=reviewer),
            writes=True,
            done=done,
            failed=failed,
        )

    # --- plumbing -------------------------------------------------------------------------

    def _pass_versions_on(self, changes: ChangeSet, *, undo: bool) -> None:
        """An undo leaves each annotation as the step below left it, under a new version
        number; that step's own undo must be made on that version (and likewise a redo for
        the step above). Someone else's change after this still conflicts."""
        index = self.stack.index()
        neighbour = self.stack.command(index - 1 if undo else index)
        if not isinstance(neighbour, EditCommand):
            return
        for change in changes.changes:
            version = (change.after or {}).get("version")
            if not isinstance(version, int):
                continue
            if undo and neighbour.back is not None:
                neighbour.back = neighbour.back.rebased(change.entity_id, version)
            elif not undo and neighbour.forward is not None:
                neighbour.forward = neighbour.forward.rebased(change.entity_id, version)

    def _after(self, changes: ChangeSet) -> None:
        if changes:
            self.sig_edited.emit(changes)
        if self.feed is not None:
            self.feed.pull()  # every view learns of it the way it learns of anyone's change
