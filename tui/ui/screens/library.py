"""The library screen: every document in the store, opening, importing and deleting them.

`LibraryScreen` is the controller: it reads the store, hands the rows to its `DocumentTable`,
imports paths typed in the import field in a thread worker, and asks before deleting. What the
person wants to read goes up to the app as `LibraryScreen.OpenDocument`.

Threads: the `Store` opens its connection with `check_same_thread=False` and serialises every
call with a lock, so the import worker uses the same store object as the screen. Each store
call is short; loading and decoding a file, the slow part, holds no lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlparse

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tui.document import SUPPORTED_SUFFIXES, DocumentError
from tui.library import ImportReport, expand_paths, import_file
from tui.model import DocumentInfo
from tui.store import InvalidInputError, Store, StoreError
from tui.textsafe import visible
from tui.ui.dialogs.confirm import ConfirmDialog
from tui.ui.pathsuggest import PathSuggester

__all__ = [
    "DocumentTable",
    "ImportInput",
    "ImportOutcome",
    "LibraryScreen",
    "delete_message",
    "parse_path_input",
    "relative_time",
    "sort_documents",
]

#: A folder import with more files than this asks first: "~" and Enter would otherwise take
#: in every text file of a home folder, which no one wants to delete one by one.
LARGE_IMPORT = 100

#: At most this many lines of per-file results go into one notification.
MAX_NOTIFY_LINES = 6

#: The worker group of imports, so the screen tells their state changes from others.
IMPORT_GROUP = "library-import"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


# -- formatting ------------------------------------------------------------------------------


def _parse_stamp(stamp: str) -> datetime | None:
    """An ISO 8601 time from the store as an aware datetime (naive ones are UTC), or None."""
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def short_date(stamp: str) -> str:
    """The local calendar date of an ISO time, `YYYY-MM-DD`; the raw text if it is not one."""
    when = _parse_stamp(stamp)
    return when.astimezone().date().isoformat() if when else stamp[:10]


def relative_time(stamp: str, now: datetime) -> str:
    """When `stamp` was, said the way people say it: "just now", "3 days ago", "never"...

    Past a month, or in the future (another machine's clock), it is the local date instead.
    """
    if not stamp:
        return "never"
    when = _parse_stamp(stamp)
    if when is None:
        return stamp[:10]
    seconds = (now - when).total_seconds()
    if seconds < -60 or seconds >= 30 * 86400:
        return short_date(stamp)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        count, unit = int(seconds // 60), "minute"
    elif seconds < 86400:
        count, unit = int(seconds // 3600), "hour"
    else:
        count, unit = int(seconds // 86400), "day"
        if count == 1:
            return "yesterday"
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def sort_documents(documents: Sequence[DocumentInfo]) -> list[DocumentInfo]:
    """Library order: most recently read first, then the never-read by newest import."""

    def key(info: DocumentInfo) -> tuple[int, float, float, int]:
        read = _parse_stamp(info.last_read)
        imported = _parse_stamp(info.imported)
        return (
            0 if read else 1,
            -(read.timestamp() if read else 0.0),
            -(imported.timestamp() if imported else 0.0),
            -info.id,
        )

    return sorted(documents, key=key)


def display_title(title: str, limit: int = 0) -> str:
    """A title fit to show: control characters made visible, "(untitled)" when empty, and cut
    to `limit` characters with an ellipsis when `limit` is set."""
    shown = visible(" ".join(title.split())) or "(untitled)"
    if limit and len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return shown


def delete_message(info: DocumentInfo) -> str:
    """The question asked before deleting a document, with what goes with it."""
    title = f"“{display_title(info.title, 80)}”"
    count = info.annotations
    if count == 0:
        return f"Delete {title}? It has no annotations. This cannot be undone."
    noun = "annotation" if count == 1 else "annotations"
    return f"Delete {title} and its {count:,} {noun}? This cannot be undone."


def parse_path_input(raw: str) -> Path | None:
    """The path a person typed or pasted, or None for blank input.

    Terminals paste a dropped file as `'/a b/c.txt'` or `/a\\ b/c.txt`, and some as a
    `file://` URL; all of these come back as the plain path. `~` is the home folder.
    """
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    if text.startswith("file://"):
        text = unquote(urlparse(text).path)
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.exists() and "\\" in text:
        unescaped = Path(re.sub(r"\\(.)", r"\1", text)).expanduser()
        if unescaped.exists():
            return unescaped
    return path


# -- widgets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    label: str
    width: int
    right: bool = False


#: The columns after the title, whose widths are fixed; the title takes the rest.
_COLUMNS: tuple[_Column, ...] = (
    _Column("words", "Words", 7, right=True),
    _Column("annotations", "Annotations", 11, right=True),
    _Column("progress", "Read", 4, right=True),
    _Column("last_read", "Last read", 14),
    _Column("imported", "Imported", 10),
)
_MIN_TITLE = 16


class DocumentTable(DataTable[Text]):
    """The library's rows: one per document, cursor on whole rows, vim keys as well.

    Set the rows with `show_documents`; the title column takes whatever width the other
    columns leave, and is laid out again when the table is resized. Enter (or clicking the
    highlighted row) posts `DataTable.RowSelected` as usual.
    """

    #: Vim keys beside the arrows; Enter opens. Ids let the app's keymap remap them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="library.open",
            tooltip="Open the highlighted document",
        ),
        Binding(
            "j,down",
            "cursor_down",
            "Down",
            id="library.down",
            show=False,
            tooltip="Highlight the next document",
        ),
        Binding(
            "k,up",
            "cursor_up",
            "Up",
            id="library.up",
            show=False,
            tooltip="Highlight the previous document",
        ),
        Binding(
            "g,home",
            "scroll_top",
            "First",
            id="library.first",
            show=False,
            tooltip="Highlight the first document",
        ),
        Binding(
            "G,end",
            "scroll_bottom",
            "Last",
            id="library.last",
            show=False,
            tooltip="Highlight the last document",
        ),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self.documents: list[DocumentInfo] = []
        self.now: datetime = _utc_now()
        self._title_width = 0

    @property
    def current_document(self) -> DocumentInfo | None:
        """The document under the cursor, or None when the table is empty."""
        row = self.cursor_row
        return self.documents[row] if 0 <= row < len(self.documents) else None

    def show_documents(
        self, documents: Sequence[DocumentInfo], *, now: datetime | None = None
    ) -> None:
        """Show these rows in this order, keeping the cursor on the same document if it is
        still there, else on the same row (or the last one)."""
        previous = self.current_document
        row = self.cursor_row
        self.documents = list(documents)
        if now is not None:
            self.now = now
        self._rebuild()
        ids = [info.id for info in self.documents]
        if previous is not None and previous.id in ids:
            row = ids.index(previous.id)
        if self.documents:
            self.move_cursor(row=max(0, min(row, len(self.documents) - 1)), animate=False)

    def select_document(self, document_id: int) -> bool:
        """Move the cursor to the document `document_id`; False when it is not in the table."""
        for row, info in enumerate(self.documents):
            if info.id == document_id:
                self.move_cursor(row=row, animate=False)
                return True
        return False

    def title_width(self) -> int:
        """The title column's width for the table's current width."""
        fixed = sum(col.width + 2 * self.cell_padding for col in _COLUMNS)
        # Room is kept for the vertical scrollbar, so a long library never scrolls sideways.
        spare = (
            self.size.width - fixed - 2 * self.cell_padding - self.styles.scrollbar_size_vertical
        )
        return max(_MIN_TITLE, spare)

    def _rebuild(self) -> None:
        self._title_width = self.title_width()
        self.clear(columns=True)
        self.add_column(Text("Title"), width=self._title_width, key="title")
        for col in _COLUMNS:
            justify = "right" if col.right else "left"
            self.add_column(Text(col.label, justify=justify), width=col.width, key=col.key)
        for info in self.documents:
            self.add_row(*self._cells(info), key=str(info.id))

    def _cells(self, info: DocumentInfo) -> list[Text]:
        # Every cell is a Text built from plain strings: a title is never read as markup.
        title = Text(display_title(info.title), no_wrap=True, end="")
        title.truncate(self._title_width, overflow="ellipsis")
        if not info.title.strip():
            title.stylize("dim italic")
        last_read = Text(relative_time(info.last_read, self.now), no_wrap=True)
        if not info.last_read:
            last_read.stylize("dim")
        return [
            title,
            Text(f"{info.words:,}", justify="right"),
            Text(f"{info.annotations:,}" if info.annotations else "–", justify="right"),
            Text(f"{round(info.progress * 100)}%", justify="right"),
            last_read,
            Text(short_date(info.imported), no_wrap=True),
        ]

    def on_resize(self, event: events.Resize) -> None:
        """Lay the title column out again when the width it gets has changed."""
        if self.title_width() != self._title_width:
            self.show_documents(self.documents)


class ImportInput(Input):
    """The import field: a path with completion (→ or Tab takes the suggestion)."""

    #: Tab completes like a shell; Escape goes back to the table. Ids let the keymap remap.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "complete",
            "Complete",
            id="library.complete_path",
            show=False,
            tooltip="Take the suggested completion of the path",
        ),
        Binding(
            "escape",
            "screen.focus_table",
            "Back",
            id="library.leave_import",
            tooltip="Go back to the list of documents",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="path to a file or folder (Tab completes, Enter imports)",
            suggester=PathSuggester(),
            id=id,
        )

    def action_complete(self) -> None:
        """Take the suggestion when there is one at the end of the text, else move focus on."""
        # Input keeps its current suggestion in a private reactive; Textual is pinned <9.
        suggestion = self._suggestion
        if suggestion and self.cursor_at_end and suggestion != self.value:
            self.value = suggestion
            self.cursor_position = len(suggestion)
        else:
            self.screen.focus_next()


# -- the screen --------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportOutcome:
    """What an import run did: one report per imported file and one line per refused one.

    `stopped` says why the run ended early (a database problem, or the screen went away).
    """

    target: Path
    files: list[Path]
    reports: list[ImportReport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stopped: str = ""

    @property
    def single_file(self) -> bool:
        """True when one file was asked for (not a folder)."""
        return not self.target.is_dir() and len(self.files) == 1


class LibraryScreen(Screen[None]):
    """The list of documents, with import and delete; posts `OpenDocument` to read one.

    `store` is the app's open store; the screen reads and writes through it, from its import
    worker too (see the module docstring). `clock` gives "now" for "3 days ago" (tests fix it).
    """

    DEFAULT_CSS = """
    LibraryScreen {
        layout: vertical;
    }
    LibraryScreen #library-heading {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
        text-style: bold;
    }
    LibraryScreen #library-table {
        height: 1fr;
    }
    LibraryScreen #library-empty {
        height: 1fr;
        padding: 2 4;
        color: $text-muted;
    }
    LibraryScreen #library-detail {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    LibraryScreen #import-bar {
        height: auto;
        padding: 0 1;
    }
    LibraryScreen #import-bar > Label {
        padding: 1 1 0 0;
        text-style: bold;
    }
    LibraryScreen #import-path {
        width: 1fr;
    }
    LibraryScreen #import-progress {
        height: 1;
        padding: 0 1;
        display: none;
    }
    LibraryScreen #import-progress.-running {
        display: block;
    }
    LibraryScreen #import-progress ProgressBar {
        width: auto;
        margin-right: 2;
    }
    LibraryScreen #import-status {
        width: 1fr;
    }
    """

    #: Screen-wide keys (the table's own are on `DocumentTable`). Ids let the keymap remap.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i",
            "focus_import",
            "Import",
            id="library.import",
            tooltip="Type the path of a file or folder to import",
        ),
        Binding(
            "d,delete",
            "delete",
            "Delete",
            id="library.delete",
            tooltip="Delete the highlighted document and its annotations",
        ),
        Binding("r", "refresh", "Refresh", id="library.refresh", tooltip="Read the library again"),
        # The app's quit, so whatever it saves first (drafts, positions) is saved.
        Binding("q", "app.quit", "Quit", id="library.quit", tooltip="Quit margin"),
    ]

    class OpenDocument(Message):
        """The person wants to read the document `document_id`."""

        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    class ImportProgress(Message):
        """Posted from the import worker before each file: `done` files of `total` are done
        and `name` is the one being imported now."""

        def __init__(self, done: int, total: int, name: str) -> None:
            super().__init__()
            self.done = done
            self.total = total
            self.name = name

    class ImportedOne(Message):
        """Posted from the import worker after each file that went into the store."""

        def __init__(self, report: ImportReport) -> None:
            super().__init__()
            self.report = report

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.clock: Clock = clock or _utc_now
        self.importing = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Heading, table (or the empty-state text), detail line, import field, progress."""
        yield Static(id="library-heading")
        yield DocumentTable(id="library-table")
        yield Static(
            Content.assemble(
                ("Your library is empty.", "bold"),
                "\n\nType the path of a file or a folder in the field below and press Enter"
                " to import it (plain text, Markdown or HTML; Tab completes the path),"
                " or run ",
                ("margin import PATH", "bold"),
                " in a shell.",
            ),
            id="library-empty",
        )
        yield Static(id="library-detail")
        with Horizontal(id="import-bar"):
            yield Label("Import")
            yield ImportInput(id="import-path")
        with Horizontal(id="import-progress"):
            yield ProgressBar(show_eta=False, id="import-bar-progress")
            yield Static(id="import-status")
        yield Footer()

    @property
    def table(self) -> DocumentTable:
        """The table of documents."""
        return self.query_one("#library-table", DocumentTable)

    @property
    def import_input(self) -> ImportInput:
        """The import field."""
        return self.query_one("#import-path", ImportInput)

    def on_mount(self) -> None:
        """Fill the table and focus it (or the import field when there is nothing to show)."""
        self.refresh_documents()
        if self.table.documents:
            self.table.focus()
        else:
            self.import_input.focus()

    def on_screen_resume(self) -> None:
        """Back from reading: progress and last-read times have changed."""
        self.refresh_documents()

    # -- the list ----------------------------------------------------------------------------

    def refresh_documents(self) -> None:
        """Read the documents from the store again and show them in library order."""
        try:
            documents = sort_documents(self.store.list_documents())
        except StoreError as err:
            self.notify(str(err), title="Library", severity="error", markup=False)
            return
        table = self.table
        was_empty = not table.documents
        table.show_documents(documents, now=self.clock())
        empty = not documents
        table.display = not empty
        self.query_one("#library-empty").display = empty
        self.query_one("#library-detail").display = not empty
        self._update_heading()
        self._update_detail()
        if empty and not was_empty:
            self.import_input.focus()

    def _update_heading(self) -> None:
        documents = self.table.documents
        notes = sum(info.annotations for info in documents)
        count = len(documents)
        self.query_one("#library-heading", Static).update(
            Content(
                f"Library · {count:,} document{'' if count == 1 else 's'}"
                f" · {notes:,} annotation{'' if notes == 1 else 's'}"
            )
        )

    def _update_detail(self) -> None:
        info = self.table.current_document
        text = "" if info is None else f"{visible(info.source or '(no source)')} · {info.format}"
        self.query_one("#library-detail", Static).update(Content(text))

    @on(DataTable.RowHighlighted, "#library-table")
    def _row_highlighted(self) -> None:
        self._update_detail()

    @on(DataTable.RowSelected, "#library-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        info = self.table.current_document
        if info is not None:
            self.post_message(self.OpenDocument(info.id))

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Delete only applies to a highlighted document (the footer hides it otherwise)."""
        if action == "delete":
            tables = self.query(DocumentTable)
            return bool(tables) and tables.first().current_document is not None
        return True

    def action_focus_import(self) -> None:
        """Put the cursor in the import field."""
        self.import_input.focus()

    def action_focus_table(self) -> None:
        """Leave the import field for the table (when there is one to go to)."""
        if self.table.documents:
            self.table.focus()

    def action_refresh(self) -> None:
        """Read the library again."""
        self.refresh_documents()

    def action_delete(self) -> None:
        """Ask, then delete the highlighted document with its annotations."""
        current = self.table.current_document
        if current is None:
            return
        try:  # the count on screen may be old: the reader or another margin may have added
            info = self.store.get_document_info(current.id)
        except StoreError as err:
            self.notify(str(err), severity="error", markup=False)
            self.refresh_documents()
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.delete_document(info)

        self.app.push_screen(ConfirmDialog(delete_message(info)), answered)

    def delete_document(self, info: DocumentInfo) -> None:
        """Delete a document now (no question asked), tell what went, and refresh."""
        try:
            count = self.store.delete_document(info.id)
        except StoreError as err:
            self.notify(str(err), title="Not deleted", severity="error", markup=False)
            return
        noun = "annotation" if count == 1 else "annotations"
        self.notify(
            f"Deleted “{display_title(info.title, 80)}” and {count:,} {noun}.", markup=False
        )
        self.refresh_documents()
        if self.table.documents and not self.import_input.has_focus:
            self.table.focus()

    # -- import ------------------------------------------------------------------------------

    @on(Input.Submitted, "#import-path")
    def _import_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = parse_path_input(event.value)
        if path is None:
            self.notify("Type the path of a file or folder to import.", severity="warning")
            return
        self.import_path(path)

    def import_path(self, path: Path) -> None:
        """Import a file, or every supported file in a folder, in the background."""
        if self.importing:
            self.notify("An import is already running; wait for it to finish.", severity="warning")
            return
        if not path.exists():
            self.notify(
                f"No such file or folder: {visible(str(path))}", severity="error", markup=False
            )
            return
        self.importing = True
        self._show_progress(0, 0, f"Looking for files in {visible(str(path))}…")
        self._scan(path)

    @work(thread=True, group=IMPORT_GROUP, exit_on_error=False, name="scan")
    def _scan(self, target: Path) -> ImportOutcome:
        """Find the files to import (a big folder takes a while to walk)."""
        return ImportOutcome(target, list(expand_paths([target])))

    def _files_found(self, outcome: ImportOutcome) -> None:
        """Start importing what the scan found, asking first when it is a lot."""
        if not outcome.files:
            self._finish_import()
            suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES)[:6])
            self.notify(
                f"No supported files ({suffixes}…) in {visible(str(outcome.target))}.",
                severity="warning",
                markup=False,
            )
            return
        if len(outcome.files) <= LARGE_IMPORT:
            self._import(outcome)
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._import(outcome)
            else:
                self._finish_import()

        self._show_progress(0, len(outcome.files), "Waiting for an answer…")
        question = (
            f"Import {len(outcome.files):,} files from {visible(str(outcome.target))}"
            " and the folders in it?"
        )
        self.app.push_screen(ConfirmDialog(question, confirm="Import", danger=False), answered)

    @work(thread=True, group=IMPORT_GROUP, exit_on_error=False, name="import")
    def _import(self, outcome: ImportOutcome) -> ImportOutcome:
        """Import every file of `outcome`, filling in its reports and failures."""
        worker = get_current_worker()
        total = len(outcome.files)
        for done, path in enumerate(outcome.files):
            if worker.is_cancelled:
                outcome.stopped = "cancelled"
                break
            self.post_message(self.ImportProgress(done, total, path.name))
            try:
                report = import_file(self.store, path)
            except (DocumentError, InvalidInputError) as err:  # this file: go on with the rest
                outcome.failures.append(f"{path.name}: {err}")
            except StoreError as err:  # the database itself: the next file would fail too
                outcome.failures.append(f"{path.name}: {err}")
                outcome.stopped = str(err)
                break
            except Exception as err:  # a bug in a loader must cost one file, not the session
                self.log.error(f"importing {path}: {err!r}")
                outcome.failures.append(
                    f"{path.name}: unexpected error ({type(err).__name__}: {err})"
                )
            else:
                outcome.reports.append(report)
                self.post_message(self.ImportedOne(report))
        return outcome

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Carry an import on to its next step, or report how it ended."""
        worker = event.worker
        if worker.group != IMPORT_GROUP:
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, ImportOutcome):
            if worker.name == "scan":
                self._files_found(worker.result)
            else:
                self._finish_import(worker.result)
        elif event.state == WorkerState.ERROR:
            self._finish_import()
            error = worker.error
            reason = (str(error) or type(error).__name__).splitlines()[0] if error else "?"
            self.notify(f"Import failed: {reason}", severity="error", markup=False)
        elif event.state == WorkerState.CANCELLED:
            self._finish_import()

    def on_library_screen_import_progress(self, event: LibraryScreen.ImportProgress) -> None:
        """Show which file is being imported (the message bubbles on, for the app)."""
        status = f"Importing {event.done + 1}/{event.total} {visible(event.name)}"
        self._show_progress(event.done, event.total, status)

    def on_library_screen_imported_one(self, event: LibraryScreen.ImportedOne) -> None:
        """A file is in: show it in the table at once (the message bubbles on, for the app)."""
        self.refresh_documents()

    def _show_progress(self, done: int, total: int, status: str) -> None:
        self.query_one("#import-progress").add_class("-running")
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        self.query_one("#import-status", Static).update(Content(status))

    def _finish_import(self, outcome: ImportOutcome | None = None) -> None:
        """Hide the progress, refresh the table, and tell what happened."""
        self.importing = False
        self.query_one("#import-progress").remove_class("-running")
        self.refresh_documents()
        if outcome is None:
            return
        self._notify_outcome(outcome)
        if outcome.single_file and outcome.reports:
            self.import_input.value = ""
            self.post_message(self.OpenDocument(outcome.reports[0].document_id))
        elif outcome.reports:
            self.import_input.value = ""
            # New documents sort below every read one: put the cursor on the first of them.
            imported = {report.document_id for report in outcome.reports}
            table = self.table
            first = next((info.id for info in table.documents if info.id in imported), None)
            if first is not None:
                table.select_document(first)
                table.focus()

    def _notify_outcome(self, outcome: ImportOutcome) -> None:
        if outcome.reports:
            lines = [report.summary() for report in outcome.reports]
            if len(lines) > MAX_NOTIFY_LINES:
                more = len(lines) - MAX_NOTIFY_LINES + 1
                lines = [*lines[: MAX_NOTIFY_LINES - 1], f"… and {more} more"]
            title = (
                ""
                if outcome.single_file
                else f"Imported {len(outcome.reports):,} of {len(outcome.files):,} files"
            )
            self.notify(visible("\n".join(lines)), title=title, markup=False)
        if outcome.failures:
            lines = list(outcome.failures)
            if len(lines) > MAX_NOTIFY_LINES:
                more = len(lines) - MAX_NOTIFY_LINES + 1
                lines = [*lines[: MAX_NOTIFY_LINES - 1], f"… and {more} more"]
            if outcome.single_file:
                message = f"Could not import {lines[0]}"
                title = ""
            else:
                message = "\n".join(lines)
                title = f"{len(outcome.failures):,} of {len(outcome.files):,} files not imported"
            if outcome.stopped and outcome.stopped != "cancelled":
                message += "\nThe import stopped there."
            self.notify(visible(message), title=title, severity="error", timeout=10, markup=False)
