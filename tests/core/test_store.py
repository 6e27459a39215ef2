"""The store as a team sharing one file meets it: crashes, busy writers, other reviewers' changes,
and the private fast paths held to the portable reads they stand in for."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from desktop.cli import main as cli_main
from desktop.core import operations
from desktop.core.changes import changes_since
from desktop.core.errors import ProjectOpenError, StoreUnavailable
from desktop.core.exports import ExportOptions, export_to_stream
from desktop.core.operations import CarryTarget
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, Watcher, open_store, reads
from desktop.core.store.sqlite import journal_path
from desktop.core.verify import verify_project
from tests.backends import target_of
from tests.conftest import REVIEWER, make_project
from tests.core.first_revision import make_first_revision_project

ROOT = Path(__file__).resolve().parents[2]

# A writer that dies mid-transaction after SQLite has already written changed pages into the
# file (a tiny page cache spills them), leaving a hot journal: a laptop dying, a kill -9.
_DIE_MID_WRITE = textwrap.dedent(
    """
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA cache_size = 2")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE articles SET title = title || ' (half written)'")
    conn.execute("CREATE TABLE junk (x)")
    for i in range(3000):
        conn.execute("INSERT INTO junk VALUES (?)", ("x" * 500,))
    os.kill(os.getpid(), 9)
    """
)


def crash_mid_write(path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _DIE_MID_WRITE, str(path)], timeout=60)
    assert done.returncode != 0
    assert journal_path(path).stat().st_size > 0
    with pytest.raises(sqlite3.OperationalError):  # what every reader met before
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM articles").fetchone()


def titles(store: Store) -> list[str]:
    with store.read() as conn:
        return [s.title for s in reads.article_summaries(conn)]


# --- a crash never locks anyone out --------------------------------------------------------


def test_a_crash_mid_write_is_rolled_back_on_open(demo_path: Path) -> None:
    with open_store(demo_path) as store:
        before = titles(store)
    crash_mid_write(demo_path)
    with open_store(demo_path) as store:
        assert any("unfinished by a crash was rolled back" in m for m in store.messages)
        assert titles(store) == before
        assert verify_project(store).ok
    assert not journal_path(demo_path).exists()


def test_a_colleagues_write_that_commits_meanwhile_is_no_crash(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague's write is under way when the project is opened (its journal beside the
    file) and commits just before the opening takes the lock: nothing was rolled back."""
    from desktop.core.store import sqlite as sqlite_store

    colleague = sqlite3.connect(demo_path, isolation_level=None)
    colleague.execute("BEGIN IMMEDIATE")
    colleague.execute("CREATE TABLE colleague_scratch (x)")
    colleague.execute("INSERT INTO colleague_scratch VALUES ('a write under way')")
    assert journal_path(demo_path).stat().st_size > 0
    real_connect = sqlite_store.connect_raw

    def connect_after_the_commit(*args, **kwargs):  # type: ignore[no-untyped-def]
        if colleague.in_transaction:
            colleague.execute("COMMIT")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite_store, "connect_raw", connect_after_the_commit)
    with open_store(demo_path) as store:
        assert not colleague.in_transaction
        assert not any("crash" in m for m in store.messages), store.messages
        assert len(titles(store)) == 5
    colleague.close()


@pytest.mark.parametrize(
    "command", [["articles"], ["verify"], ["annotations", "--json"], ["export", "-f", "csv"]]
)
def test_read_only_commands_recover_a_crashed_file(
    demo_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    crash_mid_write(demo_path)
    assert cli_main([command[0], str(demo_path), *command[1:]]) == 0
    err = capsys.readouterr().err
    assert "rolled back" in err
    assert not journal_path(demo_path).exists()


def test_a_crashed_file_opened_read_only_on_request_is_recovered(demo_path: Path) -> None:
    crash_mid_write(demo_path)
    with open_store(demo_path, read_only=True) as store:
        assert len(titles(store)) == 5
        assert not any("half written" in t for t in titles(store))


def test_a_crashed_file_in_a_read_only_folder_says_how_to_recover(
    tmp_path: Path,
) -> None:
    if os.geteuid() == 0:
        pytest.skip("an administrator can write anywhere; the folder check is by permission bits")
    folder = tmp_path / "share"
    folder.mkdir()
    path = make_project(folder / "p.crosscheck")
    crash_mid_write(path)
    folder.chmod(0o555)
    try:
        with pytest.raises(ProjectOpenError) as caught:
            open_store(path)
    finally:
        folder.chmod(0o755)
    message = str(caught.value)
    assert "unfinished by a crash" in message and "writable" in message
    assert "\n" not in message


def test_a_crashed_file_in_a_read_only_folder_as_administrator(tmp_path: Path) -> None:
    """Permission bits say read-only even where root could write: the message still helps."""
    folder = tmp_path / "share"
    folder.mkdir()
    path = make_project(folder / "p.crosscheck")
    crash_mid_write(path)
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(ProjectOpenError) as caught:
            open_store(path)
    finally:
        folder.chmod(0o755)
    assert "holds a write left unfinished by a crash" in str(caught.value)
    assert "copy both files to a writable folder" in str(caught.value)
    assert path.read_bytes() == before


def test_a_full_disk_mid_import_is_recovered(demo_path: Path) -> None:
    """A writer stopped by the file size limit (as a full disk would) leaves a hot journal."""
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from desktop.core import operations
        from desktop.core.importers import ImportedArticle
        from desktop.core.store import open_store
        store = open_store(sys.argv[1])
        size = {demo_path.stat().st_size}
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 8192, size + 8192))
        text = "A long article. " * 200_000
        try:
            operations.import_articles(
                store, [ImportedArticle(text, "Long", "long.txt", "txt")], reviewer="R"
            )
        except Exception as exc:
            print(type(exc).__name__, exc, flush=True)
        import os
        os.kill(os.getpid(), 9)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(demo_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "disk is full" in done.stdout or "is the disk full" in done.stdout
    with open_store(demo_path) as store:
        assert len(titles(store)) == 5
        assert verify_project(store).ok


# --- upgrading --------------------------------------------------------------------------------


def dump(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())


def _backups(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".backup-" in p.name)


def test_a_crash_while_backing_up_leaves_no_backup_and_an_openable_file(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    code = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        import desktop.core.store.sqlite as backend
        def copy_then_die(source, target):
            target.write_bytes(b"SQLite format 3\\x00" + b"half" * 100)
            os.kill(os.getpid(), 9)
        backend.copy_database = copy_then_die
        backend.open_sqlite(sys.argv[1])
        """
    )
    done = subprocess.run([sys.executable, "-c", code, str(old.path)], timeout=60)
    assert done.returncode != 0
    # No file carries a backup's name: the half-written copy kept its temporary name.
    assert [p for p in _backups(old.path) if not p.name.endswith(".part")] == []
    with sqlite3.connect(f"file:{old.path}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    with open_store(old.path) as store:
        assert store.backup_path is not None
        assert verify_project(store).ok
    (backup,) = [p for p in _backups(old.path) if not p.name.endswith(".part")]
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_crash_while_migrating_keeps_a_complete_backup_and_the_old_file(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    before = dump(old.path)
    code = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        import desktop.core.store.migrate as migrate
        real = migrate.run_migrations
        def migrate_then_die(conn, target="head"):
            real(conn, target)
            os.kill(os.getpid(), 9)
        migrate.run_migrations = migrate_then_die
        import desktop.core.store.sqlite as backend
        backend.open_sqlite(sys.argv[1])
        """
    )
    done = subprocess.run([sys.executable, "-c", code, str(old.path)], timeout=60)
    assert done.returncode != 0
    (backup,) = _backups(old.path)
    assert dump(backup) == before  # complete, and the original as it was
    with sqlite3.connect(f"file:{old.path}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    with open_store(old.path) as store:  # still at 0001, so upgraded again
        assert store.backup_path is not None and store.backup_path != backup
        assert verify_project(store).ok


def test_upgrade_sets_each_annotation_version_from_its_events(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    with open_store(old.path) as store, store.read() as conn:
        versions = reads.annotation_versions(conn, [old.annotation_id])
        events = [
            r for r in reads.event_rows(conn) if r[5] == old.annotation_id and r[4] == "annotation"
        ]
    assert versions == {old.annotation_id: len(events)}


# --- another program writing -----------------------------------------------------------------


def test_a_project_another_program_is_writing_opens_for_reading(demo_path: Path) -> None:
    other = sqlite3.connect(demo_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE project SET name = 'being edited elsewhere'")
        with open_store(demo_path, busy_timeout_ms=200) as store:
            assert any("Another program is writing" in m for m in store.messages)
            assert len(titles(store)) == 5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_file_that_disappears_is_reported_as_unavailable(demo_path: Path) -> None:
    store = open_store(demo_path)
    watcher = store.watcher()
    try:
        assert watcher.poll() is False
        moved = demo_path.with_name("moved.crosscheck")
        demo_path.rename(moved)
        with pytest.raises(StoreUnavailable, match="no longer there"):
            watcher.poll()
        moved.rename(demo_path)
        assert watcher.poll() is False  # back: polling works again
    finally:
        watcher.close()
        store.close()


# --- the change feed ----------------------------------------------------------------------


def heard(watcher: Watcher, within: float = 2.0) -> bool:
    """Whether a poll reports a commit within ``within`` seconds, polling as a window does
    (a server's notification arrives just after the commit, not with it)."""
    deadline = time.monotonic() + within
    while True:
        if watcher.poll():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def test_the_watcher_sees_commits_of_other_connections_only_when_they_happen(
    demo_project: Store,
) -> None:
    target = target_of(demo_project)
    with open_store(target) as mine, open_store(target) as theirs:
        watcher = mine.watcher()
        try:
            watcher.poll()
            assert not heard(watcher, 0.2)
            with theirs.read() as conn:
                article = reads.article_summaries(conn)[0].id
            operations.annotate(theirs, article, 0, 8, "disputed", reviewer="Sam Okafor")
            assert heard(watcher)
            assert watcher.poll() is False
            with mine.read() as conn:  # reading is not a change
                reads.article_summaries(conn)
            assert not heard(watcher, 0.2)
            operations.annotate(mine, article, 10, 18, "supported", reviewer=REVIEWER)
            assert watcher.wait(2.0)  # this process's own writes come the same way
            assert watcher.wait(0.1) is False
        finally:
            watcher.close()


def test_changes_since_brings_every_writer_s_events(demo_project: Store) -> None:
    with demo_project.read() as conn:
        seen = reads.head_event(conn)[0]
        article = reads.article_summaries(conn)[0].id
    operations.annotate(demo_project, article, 0, 8, "disputed", reviewer="Sam Okafor")
    with open_store(target_of(demo_project)) as other:
        operations.annotate(other, article, 10, 18, "supported", reviewer=REVIEWER)
    with demo_project.read() as conn:
        feed = changes_since(conn, seen)
    assert [c.action for c in feed.changes] == [
        "reviewer.added",
        "annotation.created",
        "annotation.created",
    ]
    assert feed.article_ids == [article]
    assert len(feed.annotation_ids) == 2
    with demo_project.read() as conn:
        assert not changes_since(conn, feed.last_seq)


def test_a_reader_far_behind_is_told_to_reload(demo_project: Store) -> None:
    with demo_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    for i in range(6):
        operations.annotate(demo_project, article, i * 2, i * 2 + 1, "unverified", reviewer="R")
    with demo_project.read() as conn:
        feed = changes_since(conn, 0, limit=5)
    assert feed.reload and feed.changes[0].seq == feed.last_seq > 5


# --- fast paths against the portable reads ------------------------------------------------


@pytest.fixture(params=["files", "pdf"])
def busy_project(demo_file_project: Store, request: pytest.FixtureRequest) -> Store:
    """A project file (the fast paths are the file's own), the demo, tagged; with "pdf" also
    an article read from a two-page PDF (so exports name pages) and one whose date is known
    only to the month, with an author."""
    demo_project = demo_file_project
    if request.param == "pdf":
        _add_pdf_and_vague_articles(demo_project)
    with demo_project.read() as conn:
        summaries = reads.article_summaries(conn)
    for n, summary in enumerate(summaries):
        for i in range(4):
            operations.annotate(
                demo_project,
                summary.id,
                i * 7,
                i * 7 + 5,
                ["supported", "disputed", "unverified"][(n + i) % 3],
                reviewer=["Ann", "=Bob", "Cy"][i % 3],
                note=["", "-dash note", "plain, with comma"][i % 3],
                sources=["https://example.org/a"] if i % 2 else [],
            )
    with demo_project.read() as conn:
        rows = reads.annotation_rows(conn)
    operations.delete_annotation(demo_project, rows[3].id, reviewer="Ann")
    # A verdict carried to two other versions: rows whose claim is not their own id.
    operations.carry(
        demo_project,
        rows[0].id,
        [CarryTarget(s.id, "same", 40, 52) for s in summaries[1:3]],
        reviewer="Cy",
    )
    return demo_project


def _add_pdf_and_vague_articles(store: Store) -> None:
    from desktop.core import importers
    from tests.support import pdf_samples

    statement = importers.read_pasted(pdf_samples.statement().data, name="statement.pdf")
    pasted = importers.read_pasted("Vague\n\nA story whose day nobody gave.")
    changes = operations.import_articles(store, [statement, pasted], reviewer=REVIEWER)
    pdf_id, vague_id = changes.ids("article")
    operations.edit_article(
        store, vague_id, reviewer=REVIEWER, published="2024-11", author="Ana Ruiz"
    )
    with store.read() as conn:
        text = reads.article_text(conn, pdf_id)
    # One span on each page, one across the break, one at the very start.
    for quote in ("24 patients", "patient advice service", "regional government office"):
        start = text.index(quote)
        operations.annotate(
            store, pdf_id, start, start + len(quote), "supported", reviewer=REVIEWER
        )
    operations.annotate(store, pdf_id, 0, 4, "disputed", reviewer=REVIEWER)


def test_the_quick_reader_gives_what_the_store_reads_give(busy_project: Store) -> None:
    with busy_project.quick_reader() as quick, busy_project.read() as conn:  # type: ignore[attr-defined]
        assert quick.summaries() == reads.article_summaries(conn)
        every = reads.annotation_rows(conn, AnnotationFilter(include_deleted=True))
        assert quick.all_rows() == every
        assert sum(r.claim_id != r.id for r in every) == 2
        first = reads.article_summaries(conn)[0].id
        assert quick.live_rows(first) == reads.annotation_rows(
            conn, AnnotationFilter(article_ids=(first,))
        )
        assert quick.article_text(first) == reads.article_text(conn, first)
        assert quick.project_name() == reads.project_info(conn).name  # type: ignore[union-attr]
        listed = reads.annotation_ids(conn, AnnotationFilter(live_articles_only=True))
        assert quick.live_ids() == listed and len(listed) == len(every) - 1
        assert (
            quick.rows_by_id(listed[3:1:-1])
            == reads.annotation_rows(
                conn, AnnotationFilter(include_deleted=True), annotation_ids=listed[2:4]
            )[::-1]
        )
        assert quick.reviewer_names() == reads.reviewer_names(conn)
        assert quick.head_seq() == reads.head_event(conn)[0]  # type: ignore[index]
        assert not quick.blind_state().active


def test_the_quick_reader_says_when_blind_review_is_on(demo_file_project: Store) -> None:
    """The window then reads through the blind view instead of the quick reader."""
    from desktop.core import review_ops, review_state

    with demo_file_project.read() as conn:
        first = reads.article_order(conn)[0]
    review_ops.start_blinding(demo_file_project, reviewer=REVIEWER, article_id=first)
    review_ops.add_adjudicator(demo_file_project, "Eda", reviewer=REVIEWER)
    review_ops.mark_done(demo_file_project, first, reviewer="Ann")
    with demo_file_project.quick_reader() as quick, demo_file_project.read() as conn:  # type: ignore[attr-defined]
        state = quick.blind_state()
        assert state.active and state == review_state.blind_state(conn)
        assert state.done == {first: frozenset({"Ann"})} and state.adjudicators == {"Eda"}


@pytest.mark.parametrize(
    "options",
    [
        ExportOptions(),
        ExportOptions(spreadsheet_safe=False),
        ExportOptions(filter=AnnotationFilter(include_deleted=True)),
        ExportOptions(filter=AnnotationFilter(reviewers=("=Bob",))),
        ExportOptions(filter=AnnotationFilter(verdicts=())),
    ],
    ids=["safe", "raw", "deleted", "reviewer", "no-verdict"],
)
def test_the_fast_csv_is_byte_for_byte_the_portable_csv(
    busy_project: Store,
    options: ExportOptions,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    fast = io.BytesIO()
    export_to_stream(busy_project, "csv", fast, options)
    monkeypatch.setattr(busy_project, "write_verdicts_csv", lambda *a: None)
    portable = io.BytesIO()
    export_to_stream(busy_project, "csv", portable, options)
    assert fast.getvalue() == portable.getvalue()
    assert fast.getvalue().count(b"\r\n") > 1 or options.filter.verdicts == ()
    rows = list(csv.DictReader(io.StringIO(fast.getvalue().decode("utf-8-sig"))))
    carried = [r for r in rows if r["claim_id"] != r["annotation_id"]]
    # The carried rows (by Cy) are in every export that does not filter them out.
    assert len(carried) == (0 if options.filter.verdicts == () or options.filter.reviewers else 2)
    # The page is the last column: named for spans of the PDF, empty for every other.
    assert fast.getvalue().decode("utf-8-sig").split("\r\n", 1)[0].endswith(",claim_id,page")
    named = {r["page"] for r in rows} - {""}
    if "files" in request.node.callspec.id:
        assert named == set()  # no article was read from a PDF
    elif options.filter.reviewers is None and options.filter.verdicts != ():
        assert named == {"1", "2"}


@pytest.fixture
def adjudicated_project(busy_project: Store) -> Store:
    """The busy project with the first article's disagreements settled (one of them
    withdrawn again)."""
    from desktop.core import review_ops, review_state
    from desktop.core.disagreements import find_groups
    from desktop.core.model import Verdict

    first = reads_ids(busy_project)[0]
    with busy_project.read() as conn:
        (tags,) = review_state.article_tags(conn, [first])
    found = find_groups(tags.reviewers, tags.tags)
    for group in found.groups:
        decision = review_ops.Decision(verdict=Verdict(group.tags[0].verdict))
        review_ops.settle(busy_project, first, group.id, decision, reviewer="=Judge")
    review_ops.withdraw(busy_project, first, found.groups[-1].id, reviewer="=Judge")
    return busy_project


def reads_ids(store: Store) -> list[str]:
    with store.read() as conn:
        return [s.id for s in reads.article_summaries(conn)]


@pytest.mark.parametrize(
    "case", ["final", "final-deleted", "blind-viewer", "blind-nobody", "blind-final"]
)
def test_the_fast_csv_and_the_portable_csv_agree_on_final_and_blind_filters(
    adjudicated_project: Store, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import review_ops
    from desktop.core.exports import resolve_filter
    from desktop.core.exports.common import Ticker
    from desktop.core.exports.csv_verdicts import header
    from desktop.core.store.base import CsvSpec

    store = adjudicated_project
    second = reads_ids(store)[1]
    if case.startswith("blind"):
        review_ops.start_blinding(store, reviewer="=Judge", article_id=second)
    flt = resolve_filter(
        store,
        include_deleted=case == "final-deleted",
        final_only=case.endswith(("final", "final-deleted")),
        viewer="Ann" if case.startswith("blind-viewer") else None,
    )
    assert (flt.blind_articles == (second,)) == case.startswith("blind")
    options = ExportOptions(filter=flt)
    fast = io.BytesIO()
    export_to_stream(store, "csv", fast, options)
    columns = header(flt.include_deleted, flt.final_only)
    # The fast path writes what it can and declines the settles column of final verdicts.
    spec = CsvSpec(columns, flt, True)
    declined = store.write_verdicts_csv(io.BytesIO(), spec, Ticker(None)) is None
    assert declined == flt.final_only
    monkeypatch.setattr(store, "write_verdicts_csv", lambda *a: None)
    portable = io.BytesIO()
    export_to_stream(store, "csv", portable, options)
    assert fast.getvalue() == portable.getvalue()
    rows = list(csv.DictReader(io.StringIO(fast.getvalue().decode("utf-8"))))
    if flt.final_only:
        assert rows and all(r["reviewer"] == "'=Judge" and r["settles"] for r in rows)
        assert len(rows) == (3 if case == "final-deleted" else 2)
    if flt.blind_articles:
        on_second = {r["reviewer"] for r in rows if r["article_id"] == second}
        assert on_second == ({"Ann"} if flt.viewer else set())
        assert any(r["article_id"] != second for r in rows)
