"""Snapshots of the dialogs people look at most, at 100x30: the note editor and the tag picker."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from tui.model import Tag
from tui.ui.dialogs import NoteEditor, TagPicker


class OneDialog(App[None]):
    """A bare app with one dialog pushed over it."""

    def __init__(self, dialog: Screen[object]) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


async def no_blink(pilot: Pilot[None]) -> None:
    """Stop cursor blinking so the snapshot does not depend on timing."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        assert isinstance(widget, Input | TextArea)
        widget.cursor_blink = False
    await pilot.pause()


def test_snapshot_note_editor_with_quote(snap_compare) -> None:  # type: ignore[no-untyped-def]
    editor = NoteEditor(
        "The prosecutor's timeline contradicts the verdict.\nCheck [bold] the court record.",
        quote=(
            "Bishimbayev was sentenced to 24 years in prison for the torture and murder of his "
            "wife, in a trial that was broadcast live and followed by millions of people "
            "across the country."
        ),
        title="Note on highlight",
        save=lambda text: None,
    )
    assert snap_compare(OneDialog(editor), terminal_size=(100, 30), run_before=no_blink)


def test_snapshot_tag_picker_filtering(snap_compare) -> None:  # type: ignore[no-untyped-def]
    tags = [
        Tag(1, "power-transfer", key=1, count=12),
        Tag(2, "report", key=2, count=3),
        Tag(3, "corruption", key=3, count=7),
        Tag(4, "protest", count=2),
        Tag(5, "[red]x", count=1),
    ]
    picker = TagPicker(tags, applied=["report"])

    async def before(pilot: Pilot[None]) -> None:
        await pilot.press("p", "r", "t")
        await no_blink(pilot)

    assert snap_compare(OneDialog(picker), terminal_size=(100, 30), run_before=before)
