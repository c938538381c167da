"""The note editor: a modal text area for one annotation's note that never loses typed text.

`NoteEditor` saves through a callback the reader screen gives it, so the dialog never sees the
store. Ctrl+S saves and closes; Escape closes at once when nothing changed and otherwise asks
`UnsavedChanges` (save / discard / continue editing). `flush()` saves a dirty draft without
awaiting anything, for the app's exit path (q, ctrl+c, SIGTERM, SIGHUP).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from tui.textsafe import visible

if TYPE_CHECKING:
    from textual.timer import Timer

__all__ = ["Choice", "NoteEditor", "UnsavedChanges", "excerpt"]

#: What the person chose in `UnsavedChanges`.
Choice = Literal["save", "discard", "continue"]

#: Characters of the quote shown above the note; the whole quote is in the text anyway.
QUOTE_CHARS = 280

_SPACE_RUN = re.compile(r"\s+")


def excerpt(quote: str, limit: int = QUOTE_CHARS) -> str:
    """`quote` on one line (whitespace runs become one space), cut to `limit` characters with an
    ellipsis, and with control characters shown as placeholders (never interpreted)."""
    flat = _SPACE_RUN.sub(" ", quote).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return visible(flat)


class UnsavedChanges(ModalScreen[Choice]):
    """Asks what to do with an edited note: save, discard, or continue editing.

    Dismisses with "save", "discard" or "continue". Escape means "continue", so a stray key
    never throws typed text away; only `d` or the Discard button do.
    """

    DEFAULT_CSS = """
    UnsavedChanges {
        align: center middle;
        & > Vertical {
            width: auto;
            max-width: 90%;
            height: auto;
            padding: 1 2;
            border: thick $warning 80%;
            background: $surface;
        }
        & #unsaved-question { width: auto; margin-bottom: 1; }
        & Horizontal { width: auto; height: auto; }
        & Button { margin-right: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "s",
            "choose('save')",
            "Save",
            id="note.confirm.save",
            tooltip="Save the note and close the editor",
        ),
        Binding(
            "d",
            "choose('discard')",
            "Discard",
            id="note.confirm.discard",
            tooltip="Close the editor and throw away the changes",
        ),
        Binding(
            "c,escape",
            "choose('continue')",
            "Continue editing",
            id="note.confirm.continue",
            tooltip="Go back to the note without saving or discarding",
        ),
    ]
    """`s` saves, `d` discards, `c` or Escape goes back to editing."""

    def compose(self) -> ComposeResult:
        """The question and one button per answer."""
        with Vertical():
            yield Static(
                Content("Save changes? [s]ave / [d]iscard / [c]ontinue editing"),
                id="unsaved-question",
            )
            with Horizontal():
                yield Button(Content("Save"), variant="primary", id="unsaved-save")
                yield Button(Content("Discard"), variant="error", id="unsaved-discard")
                yield Button(Content("Continue editing"), id="unsaved-continue")

    def on_mount(self) -> None:
        """Focus Save, so a reflexive Enter keeps the text rather than discarding it."""
        self.query_one("#unsaved-save", Button).focus()

    def action_choose(self, choice: Choice) -> None:
        """Close the question with `choice`."""
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = (event.button.id or "").removeprefix("unsaved-")
        if choice in ("save", "discard", "continue"):
            self.dismiss(choice)  # type: ignore[arg-type]


class NoteEditor(ModalScreen[str | None]):
    """Edit one annotation's note, with the quote shown above it.

    `save(text)` is called on Ctrl+S, on "save" in the unsaved-changes question, by `flush()`,
    and after `autosave` seconds without typing (when set and the text changed). The result is
    the text last passed to `save`, or None when nothing was saved while the editor was open:
    the screen refreshes its annotation when the result is not None.

    If `save` raises, the editor stays open with the error shown and the text kept.
    """

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
        & > #note-dialog {
            width: 80%;
            max-width: 100;
            height: 80%;
            max-height: 30;
            padding: 0 1;
            border: thick $primary 80%;
            border-title-color: $text;
            background: $surface;
        }
        & #note-quote {
            max-height: 4;
            margin-bottom: 1;
            padding: 0 1;
            border-left: outer $secondary;
            color: $text-muted;
            text-style: italic;
        }
        & #note-text { height: 1fr; }
        & #note-error { color: $text-error; height: auto; }
        & #note-error.-empty { display: none; }
        & #note-hint { color: $text-muted; height: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="note.save",
            tooltip="Save the note and close the editor",
        ),
        Binding(
            "escape",
            "close",
            "Close",
            id="note.close",
            tooltip="Close the editor; asks first when there are unsaved changes",
        ),
    ]
    """Ctrl+S saves and closes; Escape closes, asking first if the note changed."""

    def __init__(
        self,
        note: str,
        *,
        quote: str,
        title: str = "Note",
        save: Callable[[str], None],
        autosave: float | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Edit `note` for the passage `quote`; `save` stores a text (and may raise).

        `autosave` is the number of idle seconds after which a changed draft is saved, or None
        to save only when asked.
        """
        super().__init__(name=name, id=id, classes=classes)
        self._quote = quote
        self._title = title
        self._save = save
        self._autosave = autosave if autosave and autosave > 0 else None
        self._timer: Timer | None = None
        # Built here, not in compose, so `dirty` and `flush()` work even before the screen mounts.
        self._area = TextArea(
            note,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            id="note-text",
        )
        # Compared with the area's text, not `note`, since the area may normalise line ends.
        self._saved = self._area.text
        self._result: str | None = None
        self._asking = False

    @property
    def text(self) -> str:
        """The note as it stands in the editor."""
        return self._area.text

    @property
    def dirty(self) -> bool:
        """True when the text differs from the note as last saved (or as opened)."""
        return self._area.text != self._saved

    def compose(self) -> ComposeResult:
        """The quote, the text area, an error line and a key hint."""
        with Vertical(id="note-dialog") as dialog:
            dialog.border_title = Content(self._title)
            yield Static(Content(excerpt(self._quote)), id="note-quote")
            yield self._area
            yield Static(Content(""), id="note-error", classes="-empty")
            yield Static(
                Content("Ctrl+S save and close · Esc close"),
                id="note-hint",
            )

    def on_mount(self) -> None:
        """Focus the text with the cursor after the existing note, ready to add to it."""
        self._area.focus()
        self._area.move_cursor(self._area.document.end)

    def flush(self) -> bool:
        """Save the text if it changed since the last save; True when `save` was called.

        Synchronous and safe to call from the app's exit path, mounted or not. Exceptions from
        `save` propagate, and the text then stays dirty.
        """
        if not self.dirty:
            return False
        self._store(self.text)
        return True

    def action_save(self) -> None:
        """Save the text and close the editor with it (stay open if saving fails)."""
        text = self.text
        if self._try_store(text):
            self.dismiss(text)

    def action_close(self) -> None:
        """Close at once when nothing changed; otherwise ask what to do with the changes."""
        if not self.dirty:
            self.dismiss(self._result)
            return
        if self._asking:
            return
        self._asking = True
        self.app.push_screen(UnsavedChanges(), self._answered)

    def _answered(self, choice: Choice | None) -> None:
        self._asking = False
        if choice == "save":
            self.action_save()
        elif choice == "discard":
            self.dismiss(self._result)
        else:
            self._area.focus()

    def _store(self, text: str) -> None:
        self._save(text)
        self._saved = text
        self._result = text

    def _try_store(self, text: str) -> bool:
        # Any failure of the caller's save (locked or full database...) must leave the draft
        # on screen, never close the editor over it.
        try:
            self._store(text)
        except Exception as err:  # noqa: BLE001 - shown to the person, text kept
            self._show_error(f"Not saved: {err}")
            return False
        self._show_error("")
        return True

    def _show_error(self, message: str) -> None:
        if not self.is_mounted:
            return
        error = self.query_one("#note-error", Static)
        error.update(Content(message))
        error.set_class(not message, "-empty")

    @on(TextArea.Changed, "#note-text")
    def _changed(self) -> None:
        if self._autosave is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self._autosave, self._autosave_now)

    def _autosave_now(self) -> None:
        self._timer = None
        if self.dirty:
            self._try_store(self.text)
