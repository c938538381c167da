"""The reader's dialogs: modal screens that collect a choice and dismiss with it.

None of them touches the store or the exporters; the reader screen acts on their results.
`NoteEditor` (str | None), `TagPicker` (str | None), `ExportDialog` (`ExportRequest` | None),
`HelpScreen` (None, with `bindings_help` to build its sections from Binding objects).
"""

from __future__ import annotations

from tui.ui.dialogs.export import ExportDialog, ExportRequest
from tui.ui.dialogs.help import HelpScreen, bindings_help
from tui.ui.dialogs.note import NoteEditor, UnsavedChanges
from tui.ui.dialogs.tags import TagPicker

__all__ = [
    "ExportDialog",
    "ExportRequest",
    "HelpScreen",
    "NoteEditor",
    "TagPicker",
    "UnsavedChanges",
    "bindings_help",
]
