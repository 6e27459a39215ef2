"""Importing articles in the background: files and web addresses from the menu, links
dropped from a browser or pasted onto the window, text from the clipboard, and saved copies
of evidence pages. Web pages come from a server on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from desktop.core import operations
from desktop.core.store import open_store, reads
from desktop.ui import actions as act
from desktop.ui import dialogs
from desktop.ui.import_dialogs import ImportDialog, PastedArticleDialog, SavedCopyDialog
from tests.conftest import REVIEWER
from tests.support import pdf_samples

PAGES = Path(__file__).resolve().parents[1] / "core" / "pages"
HTML = "text/html; charset=utf-8"


def _files(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"story {i}.txt"
        path.write_text(f"Version {i}\n\nThe minister said the talks would resume on Monday.\n")
        paths.append(path)
    return paths


def _serve(server: HTTPServer, name: str) -> str:
    server.expect_request(f"/{name}").respond_with_data(
        (PAGES / name).read_bytes(), content_type=HTML
    )
    return server.url_for(f"/{name}")


def _drop(window, mime: QMimeData) -> None:
    """Drag something onto the window and let go."""
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(200, 200), *args)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(200, 200), *args))


def _file_drop(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _titles(window) -> list[str]:
    return [s.title for s in window.article_panel.model.summaries()]


def _view(window):
    return window.panes.panes()[0].view


def test_import_runs_in_the_background(open_window, demo_path, tmp_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    assert window.import_files(_files(tmp_path, 5)) is not None
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 10, timeout=20_000)
    assert "Version 4" in _titles(window)
    assert "Imported 5 article(s)." in window.statusBar().currentMessage()
    # Every chooser offers the new articles.
    assert window.panes.panes()[0].chooser.count() == 11


def test_the_import_dialog_takes_files_and_web_addresses(
    open_window, demo_path, tmp_path, reviewer, monkeypatch, qtbot, httpserver
) -> None:
    files = _files(tmp_path, 1)
    monkeypatch.setattr(dialogs, "import_paths", lambda *a, **k: files)
    url = _serve(httpserver, "wordpress-news.html")
    window = open_window(demo_path)
    qtbot.keyClick(_view(window), Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = window.importer.dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.addresses, "ftp://example.org/x")
    dialog.findChild(QPushButton, "importOk").click()
    assert dialog.isVisible() and "is not a web address" in dialog.error.text()
    dialog.addresses.clear()
    qtbot.keyClicks(dialog.addresses, url)
    dialog.findChild(QPushButton, "importAddFiles").click()
    assert dialog.files.count() == 1
    dialog.findChild(QPushButton, "importOk").click()
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 7, timeout=20_000)
    assert "Council approves £4.2m flood defence budget after heated debate" in _titles(window)
    imported = next(
        s for s in window.article_panel.model.summaries() if s.outlet == "Riverside Gazette"
    )
    assert imported.published is not None and imported.published.isoformat() == "2024-03-12"


def _partial_prompt(window, qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: isinstance(window.importer.prompt, QMessageBox), timeout=20_000)
    prompt = window.importer.prompt
    assert isinstance(prompt, QMessageBox)
    return prompt


def test_a_failed_url_is_reported_and_the_others_import_if_chosen(
    open_window, demo_path, tmp_path, reviewer, qtbot, httpserver
) -> None:
    good = _serve(httpserver, "blog-comments.html")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    gone = httpserver.url_for("/gone")
    window = open_window(demo_path)
    window.import_files([good, gone, *_files(tmp_path, 1)])
    prompt = _partial_prompt(window, qtbot)
    assert f"1 of 3 could not be read:\n\n• {gone}: the server answered 404 Not Found" in (
        prompt.text()
    )
    assert window.article_panel.model.rowCount() == 5  # nothing is written before the answer
    prompt.findChild(QPushButton, "importTheOthers").click()
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 7, timeout=20_000)
    assert "What the new bus timetable actually means for Easthill" in _titles(window)


def test_the_reviewer_can_import_nothing_after_a_failure(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    bad = tmp_path / "picture.png"
    bad.write_bytes(b"\x89PNG\r\n")
    window.import_files([*_files(tmp_path, 2), bad])
    prompt = _partial_prompt(window, qtbot)
    assert "picture.png: has an unsupported file type '.png'" in prompt.text()
    prompt.findChild(QPushButton, "importNothing").click()
    assert window.statusBar().currentMessage() == "Nothing was imported."
    with open_store(demo_path) as project, project.read() as db:
        assert len(reads.article_summaries(db, include_removed=True)) == 5


def test_when_nothing_can_be_read_it_says_why(
    open_window, errors, demo_path, tmp_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    window.import_files(["file:///etc/passwd"])
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    [(title, message)] = errors
    assert title == "Nothing was imported"
    assert message == (
        "• file:///etc/passwd: is a file: address; only http:// and https:// pages can be fetched"
    )


def test_cancel_stops_a_slow_import(
    open_window, errors, demo_path, reviewer, qtbot, httpserver
) -> None:
    def slow(request: Request) -> Response:
        def body():
            for _ in range(40):
                time.sleep(0.1)
                yield b"<p>still coming</p>" * 100

        return Response(body(), content_type=HTML)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    window = open_window(demo_path)
    window.import_files([httpserver.url_for("/slow")])
    qtbot.waitUntil(
        lambda: window.importer.progress is not None and window.importer.progress.isVisible(),
        timeout=10_000,
    )
    window.importer.progress.findChild(QPushButton).click()  # Cancel
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert errors == [("Nothing was imported", "import cancelled; nothing was imported")]
    assert window.article_panel.model.rowCount() == 5


def test_dropping_article_files_imports_them(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    _drop(window, _file_drop(_files(tmp_path, 2)))
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 7, timeout=20_000)


def test_dropping_a_link_from_a_browser_imports_its_page(
    open_window, demo_path, reviewer, qtbot, httpserver
) -> None:
    url = _serve(httpserver, "main-mostread.html")
    window = open_window(demo_path)
    mime = QMimeData()  # what a browser puts on a dragged link
    mime.setUrls([QUrl(url)])
    mime.setText(url)
    _drop(window, mime)
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 6, timeout=20_000)
    assert "Steelworks to cut 800 jobs as blast furnaces close" in _titles(window)


def test_dropping_a_project_file_opens_it(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    from tests.conftest import make_project

    other = make_project(tmp_path / "other.crosscheck", with_demo=False)
    window = open_window(demo_path)
    _drop(window, _file_drop([other]))
    qtbot.waitUntil(lambda: window.project is not None and window.project.path == other)
    assert window.article_panel.model.rowCount() == 0
    assert window.windowTitle() == "other — Crosscheck"


def test_pasting_a_web_address_onto_the_window_imports_it(
    open_window, demo_path, reviewer, qtbot, httpserver
) -> None:
    url = _serve(httpserver, "gov-press-release.html")
    window = open_window(demo_path)
    QGuiApplication.clipboard().setText(url)
    # In a text field Ctrl+V pastes as usual.
    field = window.article_panel.filter
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == url
    assert window.importer.read_job is None
    field.clear()
    # On an article, it imports the page.
    view = _view(window)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 6, timeout=20_000)
    assert "Free school meals extended to 120,000 more pupils" in _titles(window)
    # Text that is not an address says what to do instead.
    QGuiApplication.clipboard().setText("Not a link at all")
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "New Article from Clipboard" in window.statusBar().currentMessage()


def test_new_article_from_the_clipboard(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    QGuiApplication.clipboard().setText(
        "Minister denies report\n\nThe minister said on Monday that the report was false.\n"
    )
    qtbot.keyClick(
        _view(window),
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.importer.dialog
    assert isinstance(dialog, PastedArticleDialog) and dialog.isVisible()
    assert dialog.title.text() == "Minister denies report"
    dialog.title.selectAll()
    qtbot.keyClicks(dialog.title, "Denial, as broadcast")
    qtbot.keyClicks(dialog.outlet, "Radio 4")
    qtbot.keyClick(dialog.outlet, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 6, timeout=20_000)
    added = next(
        s for s in window.article_panel.model.summaries() if s.title == "Denial, as broadcast"
    )
    assert (added.outlet, added.original_name) == ("Radio 4", "clipboard")


def test_an_encrypted_pdf_asks_for_its_password(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    from PySide6.QtWidgets import QInputDialog

    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_samples.encrypted("s3cret").data)
    window = open_window(demo_path)
    window.import_files([path])
    qtbot.waitUntil(lambda: isinstance(window.importer.prompt, QInputDialog), timeout=20_000)
    prompt = window.importer.prompt
    assert "locked.pdf is encrypted" in prompt.labelText()
    prompt.setTextValue("wrong")
    prompt.accept()
    qtbot.waitUntil(
        lambda: (
            isinstance(window.importer.prompt, QInputDialog)
            and "was wrong" in window.importer.prompt.labelText()
        ),
        timeout=20_000,
    )
    window.importer.prompt.setTextValue("s3cret")
    window.importer.prompt.accept()
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 6, timeout=20_000)
    assert "Statement on Ward 7" in _titles(window)


def test_save_a_copy_of_an_evidence_page(
    open_window, errors, demo_path, reviewer, qtbot, httpserver
) -> None:
    first = (
        "<html><head><title>Ministry figures</title></head><body><article>"
        + "<p>The ministry recorded 412 cases in March, its figures show.</p>" * 6
        + "</article></body></html>"
    )
    httpserver.expect_request("/figures").respond_with_data(first, content_type=HTML)
    url = httpserver.url_for("/figures")
    with open_store(demo_path) as project, project.read() as db:
        article_id = reads.article_order(db)[0]
    with open_store(demo_path) as project:
        annotation_id = operations.annotate(
            project, article_id, 0, 10, "disputed", reviewer=REVIEWER
        ).annotation_ids[0]
    window = open_window(demo_path)
    window.select_annotation(annotation_id)
    editor = window.editor
    qtbot.keyClicks(editor.link_edit, url)
    editor.save_copy.setChecked(True)
    qtbot.keyClick(editor.link_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: bool(editor.annotation() and editor.annotation().sources[0].copy), timeout=20_000
    )
    assert errors == []
    label = editor.links.itemWidget(editor.links.item(0))
    assert "copy of " in label.text()
    # The page changes; the copy shows it as it was.
    httpserver.clear()
    httpserver.expect_request("/figures").respond_with_data(
        "<html><body><p>Page not found</p></body></html>", content_type=HTML
    )
    copy_id = editor.annotation().sources[0].copy
    label.linkActivated.emit(f"copy:{copy_id}")
    shown = window.importer.dialog
    assert isinstance(shown, SavedCopyDialog) and shown.isVisible()
    assert "The ministry recorded 412 cases in March" in shown.text.toPlainText()
    assert url in shown.findChild(type(label), "savedCopyHeader").text()
    shown.reject()
    # A page that cannot be fetched says so and keeps the link as it was.
    editor.links.setCurrentRow(0)
    httpserver.clear()
    httpserver.expect_request("/figures").respond_with_data("", status=503)
    editor.copy_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert errors == [("No copy was saved", f"{url}: the server answered 503 Service Unavailable")]
    assert editor.annotation().sources[0].copy == copy_id
    # Saving the copy was one undo step: undoing it points the link back at the live page only
    # (the copy stays kept in the project), redoing points it at the copy again.
    assert window.action(act.UNDO).text() == "&Undo Save a copy of the evidence page"
    window.undo()
    qtbot.waitUntil(lambda: editor.annotation().sources[0].copy == "", timeout=20_000)
    assert editor.annotation().sources[0].url == url
    window.redo()
    qtbot.waitUntil(lambda: editor.annotation().sources[0].copy == copy_id, timeout=20_000)
