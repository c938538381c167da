"""A yes/no question in a modal dialog, for actions that cannot be undone."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.textsafe import visible

__all__ = ["ConfirmDialog"]


class ConfirmDialog(ModalScreen[bool]):
    """Ask a question; dismiss with True (confirmed) or False (cancelled).

    `message` is plain text, shown as it is (brackets in a document title stay brackets).
    `confirm` and `cancel` label the two buttons. y, or Enter (the confirm button has the
    focus), confirms; n or Escape cancels, and so does Enter once Tab has moved to Cancel.
    `danger` colours the confirm button as destructive.

    Push it with a callback, `app.push_screen(ConfirmDialog("Delete it?"), on_answer)`, or
    await `app.push_screen_wait(...)` from a worker.
    """

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        background: $background 60%;
    }
    ConfirmDialog > #confirm-box {
        width: 64;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        border: thick $error 70%;
        background: $surface;
    }
    ConfirmDialog.-safe > #confirm-box {
        border: thick $primary 70%;
    }
    ConfirmDialog #confirm-message {
        width: 100%;
        margin-bottom: 1;
    }
    ConfirmDialog #confirm-buttons {
        width: 100%;
        height: auto;
        align-horizontal: right;
    }
    ConfirmDialog #confirm-buttons Button {
        margin-left: 2;
    }
    """

    #: y/Enter answer yes, n/Escape answer no; ids let the app's keymap remap them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm"),
        Binding("enter", "answer(True)", "Yes", id="confirm.enter", show=False),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Cancel"),
    ]

    def __init__(
        self,
        message: str,
        *,
        confirm: str = "Delete",
        cancel: str = "Cancel",
        danger: bool = True,
    ) -> None:
        super().__init__(classes="" if danger else "-safe")
        self.message = message
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger

    def compose(self) -> ComposeResult:
        """The message above the two buttons; every text goes in as plain content."""
        with Vertical(id="confirm-box"):
            yield Static(Content(visible(self.message)), id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    Content(visible(self.confirm_label)),
                    variant="error" if self.danger else "primary",
                    id="confirm-yes",
                )
                yield Button(Content(visible(self.cancel_label)), id="confirm-no")

    def on_mount(self) -> None:
        """Focus the confirm button, so Enter confirms as the key help says."""
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A click (or Enter on a focused button) answers with that button."""
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with `answer`."""
        self.dismiss(answer)
