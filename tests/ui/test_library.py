"""LibraryScreen and ConfirmDialog in a tiny app: rows, open, import, delete, literal text."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Button, Static
from textual.worker import WorkerFailed

from tui.anchoring import make_anchor
from tui.library import import_file
from tui.model import Document, DocumentInfo
from tui.store import Store, StoreError
from tui.ui.dialogs.confirm import ConfirmDialog
from tui.ui.screens import library as library_module
from tui.ui.screens.library import (
    DocumentTable,
    LibraryScreen,
    delete_message,
    parse_path_input,
    relative_time,
    sort_documents,
)

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
HOSTILE = "[bold]x[/] [@click=app.quit]click[/] \x1b[31m"


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin is installed)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


def iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add(
    store: Store,
    title: str,
    *,
    text: str = "",
    imported: datetime = NOW - timedelta(days=40),
    last_read: datetime | None = None,
) -> int:
    """Add a document with chosen times; returns its id."""
    body = text or f"{title} is a short text.\n\nIt has two paragraphs about {title}."
    doc = Document(
        text=body,
        title=title,
        source=f"/library/{len(store.list_documents())}.txt",
        imported=iso(imported),
        last_read=iso(last_read) if last_read else "",
    )
    added = store.add_document(doc)
    assert added.id is not None
    return added.id


def annotate(store: Store, doc_id: int, count: int) -> None:
    text = store.get_document(doc_id).text
    for i in range(count):
        store.add_annotation(doc_id, make_anchor(text, i, i + 3))


class LibraryApp(App[None]):
    """Hosts the library screen; records what it posts, notifies and whether it quit."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.opened: list[int] = []
        self.progress: list[tuple[int, int, str]] = []
        self.notes: list[tuple[str, str, str]] = []  # (severity, title, message)
        self.quit_asked = False

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen(self.store, clock=lambda: NOW))

    def on_library_screen_open_document(self, event: LibraryScreen.OpenDocument) -> None:
        self.opened.append(event.document_id)

    def on_library_screen_import_progress(self, event: LibraryScreen.ImportProgress) -> None:
        self.progress.append((event.done, event.total, event.name))

    def notify(self, message: str, *, title: str = "", severity: Any = "information", **kw: Any):  # type: ignore[override]
        self.notes.append((severity, title, message))
        super().notify(message, title=title, severity=severity, **kw)

    def exit(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.quit_asked = True

    @property
    def library(self) -> LibraryScreen:
        screen = self.screen_stack[1]
        assert isinstance(screen, LibraryScreen)
        return screen


def rows(app: LibraryApp) -> list[str]:
    """The titles in the table, top to bottom, as shown."""
    table = app.library.table
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the import (scan, then import worker) has finished and been handled."""
    app = pilot.app
    for _ in range(200):
        with contextlib.suppress(WorkerFailed):  # the screen reports it; tests check that
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.library.importing:  # type: ignore[attr-defined]
            return
    raise AssertionError("the import did not finish")


def dialog_text(app: App[Any]) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmDialog)
    content = screen.query_one("#confirm-message", Static).render()
    assert isinstance(content, Content)
    return content.plain


# ---------------------------------------------------------------------------------- helpers


def test_relative_time() -> None:
    assert relative_time("", NOW) == "never"
    assert relative_time(iso(NOW - timedelta(seconds=5)), NOW) == "just now"
    assert relative_time(iso(NOW - timedelta(minutes=1)), NOW) == "1 minute ago"
    assert relative_time(iso(NOW - timedelta(minutes=59)), NOW) == "59 minutes ago"
    assert relative_time(iso(NOW - timedelta(hours=2)), NOW) == "2 hours ago"
    assert relative_time(iso(NOW - timedelta(hours=30)), NOW) == "yesterday"
    assert relative_time(iso(NOW - timedelta(days=3)), NOW) == "3 days ago"
    assert relative_time(iso(NOW - timedelta(days=29)), NOW) == "29 days ago"
    old = NOW - timedelta(days=90)
    assert relative_time(iso(old), NOW) == old.astimezone().date().isoformat()
    future = NOW + timedelta(days=2)  # another machine's clock
    assert relative_time(iso(future), NOW) == future.astimezone().date().isoformat()
    assert relative_time("not a time", NOW) == "not a time"
    assert relative_time("2025-03-19T12:00:00", NOW) == "yesterday"  # naive: taken as UTC


def info(doc_id: int, imported: str, last_read: str) -> DocumentInfo:
    return DocumentInfo(doc_id, f"d{doc_id}", "", 1, 0, imported, last_read, 0, 1)


def test_sort_documents_read_first_then_by_import() -> None:
    docs = [
        info(1, "2025-01-01T00:00:00Z", ""),
        info(2, "2025-01-02T00:00:00Z", "2025-03-01T00:00:00Z"),
        info(3, "2025-01-03T00:00:00Z", ""),
        info(4, "2025-01-01T00:00:00Z", "2025-03-10T00:00:00+01:00"),
        info(5, "2025-01-03T00:00:00Z", ""),  # same import time as 3: newer id first
    ]
    assert [d.id for d in sort_documents(docs)] == [4, 2, 5, 3, 1]


def test_delete_message_counts_what_goes() -> None:
    doc = DocumentInfo(1, "Title", "", 10, 12, "", "", 0, 10)
    assert delete_message(doc) == "Delete “Title” and its 12 annotations? This cannot be undone."
    doc.annotations = 1
    assert "and its 1 annotation?" in delete_message(doc)
    doc.annotations = 0
    assert delete_message(doc) == "Delete “Title”? It has no annotations. This cannot be undone."
    doc.title, doc.annotations = "x" * 500, 1234
    message = delete_message(doc)
    assert "1,234 annotations" in message and "…”" in message and len(message) < 200
    doc.title = ""
    assert "“(untitled)”" in delete_message(doc)


def test_parse_path_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spaced = tmp_path / "a b.txt"
    spaced.write_text("x", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_path_input("   ") is None
    assert parse_path_input("''") is None
    assert parse_path_input(f"  '{spaced}' ") == spaced
    assert parse_path_input(f'"{spaced}"') == spaced
    assert parse_path_input(str(spaced).replace(" ", "\\ ")) == spaced
    assert parse_path_input(spaced.as_uri()) == spaced
    assert parse_path_input("~/a b.txt") == spaced
    assert parse_path_input("relative/x.md") == Path("relative/x.md")


# ------------------------------------------------------------------------------------- rows


@sync
async def test_rows_are_shown_sorted_with_their_columns() -> None:
    store = Store.memory()
    never_old = add(store, "Never read, old", imported=NOW - timedelta(days=60))
    read_long_ago = add(store, "Read long ago", last_read=NOW - timedelta(days=3))
    never_new = add(store, "Never read, new", imported=NOW - timedelta(hours=1))
    read_now = add(store, "Read just now", last_read=NOW - timedelta(minutes=5))
    store.set_position(read_now, 10**9)  # stamps last_read with the real clock: set it after
    annotate(store, read_long_ago, 2)
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.library.table
        assert [d.id for d in table.documents] == [read_now, read_long_ago, never_new, never_old]
        assert rows(app) == ["Read just now", "Read long ago", "Never read, new", "Never read, old"]
        cells = [cell.plain for cell in table.get_row_at(1)]
        assert cells[2:5] == ["2", "0%", "3 days ago"]
        assert cells[5] == (NOW - timedelta(days=40)).astimezone().date().isoformat()
        assert table.get_row_at(0)[3].plain == "100%"
        assert table.get_row_at(2)[4].plain == "never"
        heading = app.library.query_one("#library-heading", Static).render()
        assert isinstance(heading, Content)
        assert heading.plain == "Library · 4 documents · 2 annotations"
        assert app.focused is table


@sync
async def test_enter_and_vim_keys_open_the_right_document() -> None:
    store = Store.memory()
    ids = [add(store, f"Doc {n}", imported=NOW - timedelta(days=n)) for n in range(4)]
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.library.table
        await pilot.press("j", "j", "k", "enter")
        assert app.opened == [ids[1]]
        await pilot.press("G", "enter")
        await pilot.press("g", "enter")
        await pilot.press("end", "up", "enter")
        await pilot.pause()
        assert app.opened == [ids[1], ids[3], ids[0], ids[2]]
        assert table.cursor_row == 2
        detail = app.library.query_one("#library-detail", Static).render()
        assert isinstance(detail, Content)
        assert detail.plain == "/library/2.txt · text"


@sync
async def test_clicking_the_highlighted_row_opens_it() -> None:
    store = Store.memory()
    first = add(store, "First", imported=NOW - timedelta(days=1))
    second = add(store, "Second", imported=NOW - timedelta(days=2))
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # Row 0 is the header line; the second document is on screen row 2 of the table.
        await pilot.click(DocumentTable, offset=(3, 2))
        await pilot.pause()
        assert app.library.table.cursor_row == 1
        assert app.opened == []  # the first click only highlights
        await pilot.click(DocumentTable, offset=(3, 2))
        await pilot.pause()
        assert app.opened == [second]
        assert first not in app.opened


@sync
async def test_refresh_and_coming_back_show_what_changed() -> None:
    store = Store.memory()
    add(store, "Old")
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        new = add(store, "New behind the screen's back", imported=NOW)
        assert rows(app) == ["Old"]
        await pilot.press("r")
        assert rows(app) == ["New behind the screen's back", "Old"]
        # Reading another document (another screen on top) and coming back re-reads the store.
        await app.push_screen(ConfirmDialog("stand-in for the reader"))
        store.set_position(new, 10**9)
        app.pop_screen()
        await pilot.pause()
        cells = [cell.plain for cell in app.library.table.get_row_at(0)]
        assert cells[3] == "100%" and cells[4] != "never"


# ----------------------------------------------------------------------------------- import


@sync
async def test_typing_a_path_imports_the_file_and_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: Path
) -> None:
    shutil.copy(sample, tmp_path / "fp.txt")
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "annotations.db")  # a file: the worker thread shares its connection
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.focused is app.library.import_input  # empty library: the field has the focus
        await pilot.press(*"fp.txt", "enter")
        await settle(pilot)
        docs = store.list_documents()
        assert len(docs) == 1
        assert app.library.table.documents == docs
        assert rows(app)[0] == docs[0].title[:39] + "…"  # cut to the 40 cells it has
        assert docs[0].title.startswith("How a Domestic Violence Trial")
        assert app.opened == [docs[0].id]
        assert ("information", "", f'#{docs[0].id} "{docs[0].title}": imported') in app.notes
        assert app.library.import_input.value == ""
        assert not app.library.query_one("#import-progress").has_class("-running")
        # The same file again is reported unchanged and opened again.
        await pilot.press(*"fp.txt", "enter")
        await settle(pilot)
        assert app.notes[-1][2].endswith(": unchanged")
        assert app.opened == [docs[0].id, docs[0].id]
    store.close()


@sync
async def test_a_folder_imports_every_supported_file(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("One\n\nThe first article.", encoding="utf-8")
    (folder / "two.md").write_text("# Two\n\nThe second article.", encoding="utf-8")
    (folder / "sub" / "three.html").write_text(
        "<html><head><title>Three</title></head><body><p>The third article, in HTML"
        " with enough words to be read.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (folder / ".hidden.txt").write_text("Hidden\n\nnot imported", encoding="utf-8")
    store = Store.memory()
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.library
        await pilot.pause()
        screen.import_input.value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(rows(app)) == ["One", "Three", "Two"]
        assert app.progress == [(0, 3, "one.txt"), (1, 3, "three.html"), (2, 3, "two.md")]
        titles = [title for severity, title, _ in app.notes if severity == "information"]
        assert titles == ["Imported 3 of 3 files"]
        assert app.notes[-1][2].count(": imported") == 3
        assert app.opened == []  # a folder is not opened; the table takes the focus
        assert app.focused is screen.table


@sync
async def test_after_a_folder_import_the_cursor_is_on_the_first_new_document(
    tmp_path: Path,
) -> None:
    store = Store.memory()
    read = [add(store, f"Read {n}", last_read=NOW - timedelta(days=n)) for n in range(3)]
    for n in range(2):
        (tmp_path / f"new{n}.txt").write_text(f"New {n}\n\nFresh text {n}.", encoding="utf-8")
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path)
        await settle(pilot)
        table = app.library.table
        assert [d.id for d in table.documents][:3] == read  # read ones stay on top
        assert table.cursor_row == 3
        assert table.current_document is not None
        assert table.current_document.title == "New 1"


@sync
async def test_a_binary_file_is_refused_with_a_one_line_notification(tmp_path: Path) -> None:
    binary = tmp_path / "program.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    store = Store.memory()
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_input.value = str(binary)
        await pilot.press("enter")
        await settle(pilot)
        assert store.list_documents() == []
        errors = [(title, message) for severity, title, message in app.notes if severity == "error"]
        assert len(errors) == 1
        message = errors[0][1]
        assert message.startswith("Could not import program.txt: ")
        assert "\n" not in message and "Traceback" not in message
        assert app.opened == []
        assert app.library.import_input.value == str(binary)  # kept, to be corrected
        assert app.library.query_one("#library-empty").display


@sync
async def test_a_folder_with_a_bad_file_imports_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good\n\nA good text.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\0\1\2\3" * 100)
    (tmp_path / "empty.md").write_bytes(b"")
    store = Store.memory()
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path)
        await settle(pilot)
        assert rows(app) == ["Good"]
        (severity, title, message) = app.notes[-1]
        assert severity == "error" and title == "2 of 3 files not imported"
        lines = message.splitlines()
        assert [line.split(":")[0] for line in lines] == ["bad.txt", "empty.md"]


@sync
async def test_a_failing_loader_costs_one_file_and_a_database_error_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (tmp_path / name).write_text(f"{name}\n\ntext of {name}", encoding="utf-8")

    def flaky(store: Store, path: Path, **kwargs: Any) -> Any:
        if path.name == "b.txt":
            raise RuntimeError("a bug in a loader")
        if path.name == "c.txt":
            raise StoreError("the disk is full; nothing was saved", kind="full")
        return import_file(store, path, **kwargs)

    monkeypatch.setattr(library_module, "import_file", flaky)
    store = Store.memory()
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path)
        await settle(pilot)
        assert rows(app) == ["a.txt"]  # d.txt was never tried
        severity, title, message = app.notes[-1]
        assert severity == "error" and title == "2 of 4 files not imported"
        assert message.splitlines() == [
            "b.txt: unexpected error (RuntimeError: a bug in a loader)",
            "c.txt: the disk is full; nothing was saved",
            "The import stopped there.",
        ]
        assert app.is_running


@sync
async def test_a_failing_scan_is_reported_and_the_field_works_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(paths: list[Path]) -> Any:
        raise PermissionError(13, "Permission denied", str(paths[0]))

    monkeypatch.setattr(library_module, "expand_paths", broken)
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path)
        await settle(pilot)
        severity, _, message = app.notes[-1]
        assert severity == "error"
        assert message == f"Import failed: [Errno 13] Permission denied: '{tmp_path}'"
        assert not app.library.query_one("#import-progress").has_class("-running")


@sync
async def test_a_missing_path_and_an_empty_folder_are_told(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_input.value = str(tmp_path / "nope.txt")
        await pilot.press("enter")
        assert app.notes[-1][0] == "error"
        assert app.notes[-1][2] == f"No such file or folder: {tmp_path / 'nope.txt'}"
        app.library.import_path(tmp_path / "empty")
        await settle(pilot)
        assert app.notes[-1][0] == "warning"
        assert "No supported files" in app.notes[-1][2]
        app.library.import_input.value = ""
        await pilot.press("space", "enter")  # blank input
        assert app.notes[-1][0] == "warning"
        assert not app.library.importing


@sync
async def test_a_large_folder_asks_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_module, "LARGE_IMPORT", 2)
    for n in range(3):
        (tmp_path / f"f{n}.txt").write_text(f"File {n}\n\nText number {n}.", encoding="utf-8")
    store = Store.memory()
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path)
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, ConfirmDialog):
                break
        assert dialog_text(app) == f"Import 3 files from {tmp_path} and the folders in it?"
        await pilot.press("n")
        await settle(pilot)
        assert store.list_documents() == []
        app.library.import_path(tmp_path)
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, ConfirmDialog):
                break
        await pilot.press("y")
        await settle(pilot)
        assert len(store.list_documents()) == 3


@sync
async def test_a_second_import_waits_for_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\ntext", encoding="utf-8")
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(tmp_path / "a.txt")
        app.library.import_path(tmp_path / "a.txt")
        assert app.notes[-1][0] == "warning"
        assert "already running" in app.notes[-1][2]
        await settle(pilot)
        assert rows(app) == ["A"]


@sync
async def test_tab_completes_the_path_in_the_import_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sample-article.md").write_text("# S\n\ntext", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("s", "a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("tab")
        assert app.library.import_input.value == "sample-article.md"


# ------------------------------------------------------------------------------------ focus


@sync
async def test_i_focuses_the_field_escape_returns_and_keys_type_there() -> None:
    store = Store.memory()
    add(store, "Only")
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.library
        await pilot.press("i")
        assert app.focused is screen.import_input
        await pilot.press("q", "d", "r")  # typed, not quit / delete / refresh
        assert screen.import_input.value == "qdr"
        assert not app.quit_asked
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert app.focused is screen.table
        await pilot.press("q")
        assert app.quit_asked


# ----------------------------------------------------------------------------------- delete


@sync
async def test_delete_asks_with_the_annotation_count_and_keeps_the_cursor() -> None:
    store = Store.memory()
    ids = [add(store, f"Doc {n}", imported=NOW - timedelta(days=n)) for n in range(3)]
    annotate(store, ids[1], 12)
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("j", "d")
        assert dialog_text(app) == "Delete “Doc 1” and its 12 annotations? This cannot be undone."
        await pilot.press("n")
        assert isinstance(app.screen, LibraryScreen)
        assert len(store.list_documents()) == 3
        await pilot.press("d")
        await pilot.press("escape")
        assert len(store.list_documents()) == 3
        await pilot.press("delete")
        await pilot.press("y")
        await pilot.pause()
        assert [d.id for d in store.list_documents()] == [ids[0], ids[2]]
        assert store.all_annotations() == []
        assert rows(app) == ["Doc 0", "Doc 2"]
        assert app.library.table.cursor_row == 1  # the row that moved up into its place
        assert app.notes[-1][2] == "Deleted “Doc 1” and 12 annotations."
        # Deleting the last row leaves the cursor on the new last row.
        await pilot.press("d", "enter")
        await pilot.pause()
        assert rows(app) == ["Doc 0"]
        assert app.library.table.cursor_row == 0
        assert app.focused is app.library.table


@sync
async def test_deleting_the_last_document_shows_the_empty_state() -> None:
    store = Store.memory()
    add(store, "Alone")
    app = LibraryApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        assert dialog_text(app) == "Delete “Alone”? It has no annotations. This cannot be undone."
        await pilot.click("#confirm-yes")
        await pilot.pause()
        screen = app.library
        assert store.list_documents() == []
        assert screen.query_one("#library-empty").display
        assert not screen.table.display
        assert app.focused is screen.import_input
        await pilot.press("escape")  # nowhere to go: stays in the field
        assert app.focused is screen.import_input
        assert not screen.check_action("delete", ())


@sync
async def test_empty_library_says_how_to_import() -> None:
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.library
        empty = screen.query_one("#library-empty", Static)
        assert empty.display and not screen.table.display
        text = empty.render()
        assert isinstance(text, Content)
        assert "margin import PATH" in text.plain and "Type the path" in text.plain
        assert app.focused is screen.import_input
        await pilot.press("d")  # typed into the field; no dialog, no crash
        assert screen.import_input.value == "d"


# ------------------------------------------------------------------------------ literal text


@sync
async def test_a_hostile_title_is_shown_literally_and_does_nothing(tmp_path: Path) -> None:
    store = Store.memory()
    doc_id = add(store, HOSTILE)
    annotate(store, doc_id, 1)
    app = LibraryApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        shown = rows(app)[0]
        assert shown == "[bold]x[/] [@click=app.quit]click[/] ␛[31m"
        # Clicking the title neither quits nor runs anything; it opens the (highlighted) row.
        await pilot.click(DocumentTable, offset=(20, 1))
        await pilot.pause()
        assert not app.quit_asked and app.is_running
        assert app.opened == [doc_id]
        await pilot.press("d")
        assert dialog_text(app) == (
            "Delete “[bold]x[/] [@click=app.quit]click[/] ␛[31m” and its 1 annotation?"
            " This cannot be undone."
        )
        await pilot.press("n")
    # An imported file with such a title is notified literally too.
    hostile_file = tmp_path / "hostile.md"
    hostile_file.write_text("# [red]Red[/red] [@click=app.quit]q[/]\n\nbody text", "utf-8")
    app = LibraryApp(Store.memory())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.library.import_path(hostile_file)
        await settle(pilot)
        assert app.notes[-1][2] == '#1 "[red]Red[/red] [@click=app.quit]q[/]": imported'
        assert rows(app) == ["[red]Red[/red] [@click=app.quit]q[/]"]
        assert not app.quit_asked


# ----------------------------------------------------------------------------------- dialog


class DialogApp(App[None]):
    """Pushes one ConfirmDialog and keeps its answer."""

    def __init__(self, dialog: ConfirmDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


@pytest.mark.parametrize(
    ("keys", "answer"),
    [(("y",), True), (("enter",), True), (("n",), False), (("escape",), False),
     (("tab", "enter"), False)],
)  # fmt: skip
def test_confirm_dialog_keys(keys: tuple[str, ...], answer: bool) -> None:
    async def run() -> None:
        app = DialogApp(ConfirmDialog("Sure?"))
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            assert app.answers == [answer]
            assert not isinstance(app.screen, ConfirmDialog)

    asyncio.run(run())


@sync
async def test_confirm_dialog_labels_and_message_are_plain_text() -> None:
    dialog = ConfirmDialog("[b]bold?[/b] [@click=app.quit]x[/]", confirm="[i]Go[/i]", cancel="No")
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert dialog_text(app) == "[b]bold?[/b] [@click=app.quit]x[/]"
        yes = dialog.query_one("#confirm-yes", Button)
        assert str(yes.label) == "[i]Go[/i]"
        assert yes.variant == "error"
        await pilot.click("#confirm-message")
        await pilot.pause()
        assert app.is_running and app.answers == []
        await pilot.click("#confirm-no")
        await pilot.pause()
        assert app.answers == [False]
