"""The margin app: a thin shell that opens the store, applies the keymap and switches screens."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from tui.config import Config
from tui.store import Store
from tui.ui.screens.reader import ReaderScreen

#: Help sections by binding id prefix (or full id); everything else is "Other".
HELP_GROUPS: dict[str, str] = {
    "article.next_sentence": "Move",
    "article.previous_sentence": "Move",
    "article.next_paragraph": "Move",
    "article.previous_paragraph": "Move",
    "article.page_down": "Move",
    "article.page_up": "Move",
    "article.top": "Move",
    "article.bottom": "Move",
    "article.next_annotation": "Move",
    "article.previous_annotation": "Move",
    "article.toggle_selection": "Select",
    "article.grow_selection": "Select",
    "article.shrink_selection": "Select",
    "article.clear_selection": "Select",
    "reader.highlight": "Annotate",
    "reader.color": "Annotate",
    "reader.tag": "Annotate",
    **{f"reader.tag_{n}": "Annotate" for n in range(1, 10)},
    "reader.note": "Annotate",
    "reader.delete": "Annotate",
    "reader.undo": "Annotate",
    "reader.redo": "Annotate",
    "reader.search": "Find",
    "reader.next_match": "Find",
    "reader.previous_match": "Find",
}


class MarginApp(App[None]):
    """margin's reader: opens a document (or the library) from the store at `db_path`."""

    TITLE = "margin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit (everything is already saved)"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Show all keys"),
        Binding("o", "library", "Library", id="app.library", tooltip="Open the library"),
        Binding(
            "escape",
            "back",
            "Back",
            id="app.back",
            tooltip="Leave the library for the document being read",
        ),
    ]
    """Keys that work everywhere."""

    def __init__(
        self,
        store: Store,
        *,
        document_id: int | None = None,
        config: Config | None = None,
        notices: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.store = store
        self.document_id = document_id
        self.config = config or Config()
        self.notices = list(notices)

    def on_mount(self) -> None:
        """Apply the config, catch termination signals, and show the first screen."""
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config.theme:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:
                self.notify(
                    f"Unknown theme {self.config.theme!r} in the config", severity="warning"
                )
        self._catch_signals()
        self.set_timer(1.0, gc.enable)  # `margin open` turned it off while loading
        if self.document_id is None:
            self.action_library()
        for notice in self.notices:
            self.notify(notice, timeout=6)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification as plain text, always: messages carry titles, quotes, tag names
        and paths, which are data and must never be read as console markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _catch_signals(self) -> None:
        """SIGTERM and SIGHUP quit like `q`: drafts and the reading position are written first."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self._quit_now, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not on the main thread (tests) or no signal support

    def _quit_now(self, sig: int) -> None:
        self.flush_all()
        if sig == signal.SIGHUP:
            # The terminal is gone: there is nothing to restore on it, and Textual's writer
            # thread dies at its first write there, after which a normal exit waits forever
            # on the thread's full queue. Everything is saved: leave at once.
            self.store.close()
            os._exit(0)
        self.exit()
        # Should the terminal have broken anyway, do not hang: the work is saved already.
        watchdog = threading.Timer(5.0, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()

    def flush_all(self) -> None:
        """Save whatever is still in memory: note drafts and reading positions."""
        for screen in list(self.screen_stack):
            flush = getattr(screen, "flush", None)
            if callable(flush):
                try:
                    flush()
                except Exception as exc:  # keep going: other screens may hold other work
                    self.log.error(f"flush failed: {exc!r}")

    async def action_help_quit(self) -> None:
        """ctrl+c with nothing selected quits, as in other terminal programs; drafts are saved."""
        await self.action_quit()

    async def action_quit(self) -> None:
        """Quit after writing drafts and the reading position."""
        self.flush_all()
        self.exit()

    def get_default_screen(self) -> Screen:
        """The reader of the document asked for, as the first screen.

        Made with the app rather than pushed once it has mounted: the text is then drawn in
        the first frame instead of the third (20 ms sooner on a book).
        """
        if self.document_id is None:
            return super().get_default_screen()
        reader = self._reader(self.document_id)
        # `switch_screen` (another document from the library) drops the result callback that
        # `push_screen` gives every screen; this one was not pushed, so it gets the empty one.
        reader._push_result_callback(self, None)
        return reader

    def _reader(self, document_id: int) -> ReaderScreen:
        return ReaderScreen(self.store, document_id, reading_width=self.config.reading_width)

    def open_document(self, document_id: int) -> None:
        """Show the reader for `document_id`, replacing whatever reader was open."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if isinstance(self.screen, ReaderScreen):
            self.switch_screen(self._reader(document_id))
        else:
            self.push_screen(self._reader(document_id))

    def action_library(self) -> None:
        """Show the library (o)."""
        from tui.ui.screens.library import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            return
        self.push_screen(LibraryScreen(self.store))

    def _library_over_reader(self) -> bool:
        stack = self.screen_stack
        return len(stack) >= 2 and _is_library(stack[-1]) and isinstance(stack[-2], ReaderScreen)

    def action_back(self) -> None:
        """Escape in the library opened with `o`: back to the reader under it."""
        if self._library_over_reader():
            self.pop_screen()

    def on_library_screen_open_document(self, message: object) -> None:
        """Open the document chosen in the library."""
        self.open_document(message.document_id)  # type: ignore[attr-defined]

    def action_help(self) -> None:
        """Show the key map, generated from the bindings in use (?)."""
        from tui.ui.dialogs.help import HelpScreen, bindings_help
        from tui.ui.screens.library import DocumentTable, ImportInput, LibraryScreen
        from tui.ui.widgets.article import ArticleView

        sources: tuple[type, ...] = (ArticleView, ReaderScreen, type(self))
        if isinstance(self.screen, LibraryScreen):
            sources = (LibraryScreen, DocumentTable, ImportInput, type(self))
        bindings: list[Binding] = []
        for source in sources:
            bindings.extend(b for b in source.BINDINGS if isinstance(b, Binding))
        if not isinstance(self.screen, LibraryScreen):
            # In the reader, Escape clears the selection or the search; "back" is the library's.
            bindings = [b for b in bindings if b.id != "app.back"]
        self.push_screen(HelpScreen(bindings_help(bindings, self._keymap, HELP_GROUPS)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No command palette over a dialog: its keys (ctrl+p moves up a list) are the dialog's."""
        if action == "command_palette" and isinstance(self.screen, ModalScreen):
            return False
        if action == "library":
            return not _is_library(self.screen)
        if action == "back":
            # Refused elsewhere, so Escape goes on to the screen (the reader's search bar).
            return self._library_over_reader()
        return super().check_action(action, parameters)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) offers the reader's actions as well as Textual's."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Library", "Open the library", self.action_library)
        yield SystemCommand("Help", "Show all keys", self.action_help)
        if isinstance(screen, ReaderScreen):
            for name, help_text, action in [
                ("Export", "Export annotations", screen.action_export),
                ("Find", "Search the text", screen.action_search),
                ("Toggle outline", "Show or hide the headings", screen.action_toggle_outline),
                ("Filter by tag", "Show one tag's annotations", screen.action_filter_tag),
                ("Undo", "Undo the last change", screen.action_undo),
                ("Redo", "Redo", screen.action_redo),
            ]:
                yield SystemCommand(name, help_text, action)


def make_app(
    db_path: Path,
    *,
    document_id: int | None = None,
    config: Config | None = None,
    notices: Iterable[str] = (),
) -> MarginApp:
    """The app on the database at `db_path`; used by `margin open` and by the tests."""
    return MarginApp(Store(db_path), document_id=document_id, config=config, notices=notices)


def _is_library(screen: Screen) -> bool:
    """True for the library screen, without importing it (17 ms) just to ask: the footer asks
    while the reader first draws, and no library can exist before its module is imported."""
    module = sys.modules.get("tui.ui.screens.library")
    return module is not None and isinstance(screen, module.LibraryScreen)
