"""The reader's dialogs: modal screens that collect a choice and dismiss with it.

None of them touches the store or the exporters; the reader screen acts on their results.
`NoteEditor` (str | None), `TagPicker` (str | None), `ExportDialog` (`ExportRequest` | None),
`HelpScreen` (None, with `bindings_help` to build its sections from Binding objects).
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use (PEP 562): the reader opens without paying for every dialog.
_HOMES = {
    "ExportDialog": "export",
    "ExportRequest": "export",
    "HelpScreen": "help",
    "bindings_help": "help",
    "NoteEditor": "note",
    "UnsavedChanges": "note",
    "TagPicker": "tags",
}

__all__ = [
    "ExportDialog",
    "ExportRequest",
    "HelpScreen",
    "NoteEditor",
    "TagPicker",
    "UnsavedChanges",
    "bindings_help",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"tui.ui.dialogs.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'tui.ui.dialogs' has no attribute {name!r}")
