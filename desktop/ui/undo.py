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
SPAN_COMMAND_ID = 2
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
        if back is None:
            return -1
        keys = set(back.args)
        if back.op == "update_annotation" and keys == {"annotation_id", "note", "expected_version"}:
            return NOTE_COMMAND_ID
        if back.op == "set_annotation_span":
            return SPAN_COMMAND_ID
        return -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Consecutive edits of the same note (or moves of the same span) are one undo step,
        back to where the first began."""
        if not isinstance(other, EditCommand) or self.id() == -1 or other.id() != self.id():
            return False
        mine, theirs = self.back, other.back
        if mine is None or theirs is None:
            return False
        if mine.args["annotation_id"] != theirs.args["annotation_id"]:
            return False
        # Undo goes back to the oldest state, on the version the newest edit left.
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
        # Versions this window itself moved annotations through (from -> to), per annotation.
        # Edits run one after another on the runner's writing thread, which alone reads and
        # writes this: an edit asked for before an earlier one of this window's finished is
        # made on the version that earlier one left, never refused as someone else's change.
        self._own_moves: dict[str, dict[int, int]] = {}
        runner.sig_idle.connect(self._next_step)

    # --- edits ----------------------------------------------------------------------------

    def apply(
        self,
        edit: Edit,
        label: str,
        *,
        then: Done | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
    ) -> Task:
        """Run ``edit`` as a new undoable step."""
        return self.perform(
            label,
            lambda _task, reviewer: self._run_edit(edit, reviewer),
            then=then,
            edit=edit,
            failed=failed,
        )

    def apply_work(
        self,
        label: str,
        work: Callable[[Store, str], ChangeSet],
        *,
        then: Done | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
    ) -> Task:
        """Run an operation, ``work(project, reviewer)``, as a new undoable step (when it
        returns an inverse)."""
        project = self.project
        return self.perform(
            label, lambda _task, reviewer: work(project, reviewer), then=then, failed=failed
        )

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

                def again(chosen: Edit, extra: Done | None = None) -> None:
                    self.apply(chosen, label, then=_both(then, extra))

                self.sig_conflict.emit(error, edit, again)
            elif failed is not None:
                failed(error)
            else:
                self.sig_error_raised.emit(str(error))

        def run(task: Task) -> ChangeSet:
            changes = work(task, reviewer)
            self._note_own_moves(changes)
            return changes

        return self.runner.run(label, run, writes=True, done=done, failed=on_failed)

    def tag(
        self, article_id: str, start: int, end: int, verdict: Verdict, *, then: Done | None = None
    ) -> Task:
        edit = Edit(
            "annotate",
            {"article_id": article_id, "start": start, "end": end, "verdict": verdict.value},
        )
        return self.apply(edit, f"Tag '{verdict.value.capitalize()}'", then=then)

    def update(
        self,
        row: AnnotationRow,
        label: str,
        *,
        then: Done | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
        **fields: Any,
    ) -> Task:
        """Change fields of the annotation as ``row`` shows it (its version is the basis)."""
        edit = Edit(
            "update_annotation",
            {"annotation_id": row.id, **fields, "expected_version": row.version},
        )
        return self.apply(edit, label, then=then, failed=failed)

    def set_verdict(self, row: AnnotationRow, new: Verdict) -> Task:
        return self.update(row, f"Change verdict to '{new.value.capitalize()}'", verdict=new.value)

    def set_note(
        self,
        row: AnnotationRow,
        new: str,
        *,
        then: Done | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
    ) -> Task:
        return self.update(row, "Edit note", then=then, failed=failed, note=new)

    def set_sources(self, row: AnnotationRow, new: Sequence[Source]) -> Task:
        return self.update(row, "Change evidence links", sources=[s.to_json() for s in new])

    def set_span(
        self, row: AnnotationRow, start: int, end: int, *, then: Done | None = None
    ) -> Task:
        """Move the annotation ``row`` shows to ``text[start:end]``."""
        edit = Edit(
            "set_annotation_span",
            {"annotation_id": row.id, "start": start, "end": end, "expected_version": row.version},
        )
        return self.apply(edit, "Adjust span", then=then)

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
        reviewer = self.reviewer()

        def done(changes: ChangeSet) -> None:
            self._stepping = False
            if undo:
                command.forward = changes.inverse
                self.stack.undo()
            else:
                command.back = changes.inverse
                self.stack.redo()
            self._after(changes)
            self._next_step()

        def failed(error: CrosscheckError) -> None:
            self._stepping = False
            self._steps.clear()
            if isinstance(error, Conflict):

                def again(rebased: Edit, _extra: Done | None = None) -> None:
                    # The step runs again as asked; the views follow it through the feed.
                    if undo:
                        command.back = rebased
                    else:
                        command.forward = rebased
                    (self.undo if undo else self.redo)()

                self.sig_conflict.emit(error, edit, again)
            else:
                self.sig_error_raised.emit(str(error))

        def run(_task: Task) -> ChangeSet:
            changes = self._run_edit(edit, reviewer)
            self._note_own_moves(changes)
            return changes

        self.runner.run(
            f"{'Undo' if undo else 'Redo'} {command.text()}",
            run,
            writes=True,
            done=done,
            failed=failed,
        )

    # --- plumbing -------------------------------------------------------------------------

    def _run_edit(self, edit: Edit, reviewer: str) -> ChangeSet:
        """On the writing thread: make ``edit`` on the versions this window's own earlier
        edits left."""
        for entity_id, version in _expected_versions(edit):
            moves = self._own_moves.get(entity_id, {})
            followed = version
            while followed in moves:
                followed = moves[followed]
            if followed != version:
                edit = edit.rebased(entity_id, followed)
        return edit.run(self.project, reviewer=reviewer)

    def _note_own_moves(self, changes: ChangeSet) -> None:
        for change in changes.changes:
            before = (change.before or {}).get("version")
            after = (change.after or {}).get("version")
            if isinstance(before, int) and isinstance(after, int):
                self._own_moves.setdefault(change.entity_id, {})[before] = after

    def _after(self, changes: ChangeSet) -> None:
        if changes:
            self.sig_edited.emit(changes)
        if self.feed is not None:
            self.feed.pull()  # every view learns of it the way it learns of anyone's change


def _expected_versions(edit: Edit) -> list[tuple[str, int]]:
    """The (annotation, version) pairs an edit is made on."""
    args = edit.args
    pairs: list[tuple[str, int]] = []
    if isinstance(args.get("expected_version"), int) and isinstance(args.get("annotation_id"), str):
        pairs.append((args["annotation_id"], args["expected_version"]))
    expected = args.get("expected")
    if isinstance(expected, dict):
        pairs.extend((k, v) for k, v in expected.items() if isinstance(v, int))
    return pairs


def _both(first: Done | None, second: Done | None) -> Done | None:
    if first is None or second is None:
        return first or second

    def both(changes: ChangeSet) -> None:
        first(changes)
        second(changes)

    return both
