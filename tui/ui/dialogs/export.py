"""The export dialog: collects format, scope, tag filter and destination; exports nothing itself.

`ExportDialog` dismisses with an `ExportRequest` (or None); the reader screen gathers the
annotations and runs `tui.export.export(request.fmt, items)`, then writes `request.path` or
copies the text to the clipboard when `path` is None.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.export import SUFFIXES
from tui.model import Tag
from tui.textsafe import visible

__all__ = ["FORMAT_LABELS", "ExportDialog", "ExportRequest", "Scope", "default_stem", "slug"]

Scope = Literal["document", "all"]

#: What each format is called in the dialog, in the order shown.
FORMAT_LABELS: dict[str, str] = {
    "md": "Markdown",
    "json": "JSON (W3C Web Annotation)",
    "csv": "CSV",
}

#: Longest file name stem made from a title; long titles make unwieldy file names.
SLUG_CHARS = 60

#: The file name stem for exports of all documents.
ALL_STEM = "margin-annotations"

_NOT_WORD = re.compile(r"[^\w]+|_+")


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the person asked for: format, scope, tag filter and destination.

    `tags` empty means all annotations; otherwise only annotations with at least one of these
    tags. `path` None means copy the export to the clipboard. `overwrite` is True only when the
    file existed and the person confirmed replacing it.
    """

    fmt: str
    scope: Scope
    tags: tuple[str, ...]
    path: Path | None
    overwrite: bool


def slug(title: str, fallback: str = "annotations") -> str:
    """A file-name-safe stem for `title`: lower case letters and digits (any script) joined by
    '-', at most `SLUG_CHARS` long; `fallback` when nothing is left."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    stem = _NOT_WORD.sub("-", folded).strip("-")
    if len(stem) > SLUG_CHARS:
        stem = stem[:SLUG_CHARS].rstrip("-")
    return stem or fallback


def default_stem(scope: Scope, document_title: str) -> str:
    """The proposed file name stem: the document's slug, or `ALL_STEM` for all documents."""
    return slug(document_title) if scope == "document" else ALL_STEM


def _short(text: str, limit: int = 48) -> str:
    flat = " ".join(text.split())
    return visible(flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…")


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Choose what to export and where; dismisses with an `ExportRequest`, or None on cancel.

    The file path starts as `<default_dir>/<slug>.<suffix>` and follows the format (and scope)
    until the person edits it. A relative path is taken relative to `default_dir`, `~` is
    expanded. A path in a missing or unwritable folder, or naming a folder, is refused inline;
    an existing file needs a second Export to confirm overwriting it.
    """

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
        & > #export-dialog {
            width: 76;
            max-width: 95%;
            height: auto;
            max-height: 95%;
            padding: 1 1 0 1;
            border: thick $primary 80%;
            background: $surface;
        }
        & .export-row { height: auto; margin-bottom: 1; }
        & .export-label { width: 8; color: $text-muted; }
        /* The compact fields have no border, so the focused row's label shows where focus is. */
        & .export-row:focus-within > .export-label { color: $accent; text-style: bold; }
        & RadioSet { width: 1fr; layout: horizontal; }
        & RadioSet > RadioButton { width: auto; margin-right: 2; }
        & #export-tags { width: 1fr; height: auto; max-height: 5; }
        & #export-tags-hint { color: $text-muted; margin: -1 0 1 8; }
        & #export-no-tags { color: $text-muted; }
        & #export-path { width: 1fr; }
        & #export-message { height: auto; margin-left: 8; }
        & #export-message.-empty { display: none; }
        & #export-message.-error { color: $text-error; }
        & #export-message.-warning { color: $text-warning; }
        & #export-buttons { height: auto; margin-top: 1; }
        & #export-buttons > Button { margin-right: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="export.cancel",
            tooltip="Close the export dialog without exporting",
        ),
    ]
    """Escape cancels; Tab and Shift+Tab move between the fields and buttons."""

    def __init__(
        self,
        *,
        document_title: str,
        tags: Sequence[Tag],
        default_dir: Path,
        has_document: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Offer to export the open document (titled `document_title`) or all documents.

        `tags` are offered as a filter; `default_dir` is where the file is proposed; with
        `has_document` False only "all documents" can be chosen.
        """
        super().__init__(name=name, id=id, classes=classes)
        self._title = document_title
        self._tags = list(tags)
        self._default_dir = Path(default_dir).expanduser()
        self._has_document = has_document
        self._fmt = next(iter(FORMAT_LABELS))
        self._scope: Scope = "document" if has_document else "all"
        self._auto_path = str(self._proposed_path())
        # The path the person was warned about; a second Export on the same path overwrites.
        self._confirming: Path | None = None

    @property
    def fmt(self) -> str:
        """The chosen format ("md", "json" or "csv")."""
        return self._fmt

    @property
    def scope(self) -> Scope:
        """The chosen scope."""
        return self._scope

    def _proposed_path(self) -> Path:
        return self._default_dir / (default_stem(self._scope, self._title) + SUFFIXES[self._fmt])

    def compose(self) -> ComposeResult:
        """Format, scope, tag filter, path, a message line and the buttons, in Tab order."""
        with VerticalScroll(id="export-dialog", can_focus=False) as dialog:
            dialog.border_title = Content("Export annotations")
            with Horizontal(classes="export-row"):
                yield Label(Content("Format"), classes="export-label")
                with RadioSet(id="export-format", compact=True):
                    for fmt, label in FORMAT_LABELS.items():
                        yield RadioButton(
                            Content(label), value=fmt == self._fmt, id=f"format-{fmt}"
                        )
            with Horizontal(classes="export-row"):
                yield Label(Content("From"), classes="export-label")
                with RadioSet(id="export-scope", compact=True):
                    yield RadioButton(
                        Content(f"This document ({_short(self._title, 24)})"),
                        value=self._scope == "document",
                        disabled=not self._has_document,
                        id="scope-document",
                    )
                    yield RadioButton(
                        Content("All documents"), value=self._scope == "all", id="scope-all"
                    )
            with Horizontal(classes="export-row"):
                yield Label(Content("Tags"), classes="export-label")
                if self._tags:
                    yield SelectionList[str](
                        *(
                            Selection(Content(f"{_short(t.name, 40)} ({t.count})"), t.name)
                            for t in self._tags
                        ),
                        id="export-tags",
                        compact=True,
                    )
                else:
                    yield Static(Content("No tags yet"), id="export-no-tags")
            yield Static(
                Content("Only annotations with a ticked tag; none ticked: all of them."),
                id="export-tags-hint",
            )
            with Horizontal(classes="export-row"):
                yield Label(Content("File"), classes="export-label")
                yield Input(self._auto_path, id="export-path", select_on_focus=False, compact=True)
            yield Static(Content(""), id="export-message", classes="-empty")
            with Horizontal(id="export-buttons"):
                yield Button(Content("Export"), variant="primary", id="export-file")
                yield Button(Content("Copy to clipboard"), id="export-copy")
                yield Button(Content("Cancel"), id="export-cancel")

    def on_mount(self) -> None:
        """Start at the first field, so Tab walks the dialog top to bottom."""
        self.query_one("#export-format", RadioSet).focus()

    # -- choices ------------------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self._fmt = (event.pressed.id or "").removeprefix("format-") or self._fmt
        self._follow()

    @on(RadioSet.Changed, "#export-scope")
    def _scope_changed(self, event: RadioSet.Changed) -> None:
        self._scope = "all" if event.pressed.id == "scope-all" else "document"
        self._follow()

    def _follow(self) -> None:
        """Propose the path for the new choices, unless the person has edited the path."""
        path_input = self.query_one("#export-path", Input)
        if path_input.value != self._auto_path:
            return
        self._auto_path = str(self._proposed_path())
        path_input.value = self._auto_path
        path_input.cursor_position = len(self._auto_path)

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        if self._confirming is not None:
            self._confirming = None
            self._set_message("")
            self.query_one("#export-file", Button).label = Content("Export")

    def _chosen_tags(self) -> tuple[str, ...]:
        lists = self.query("#export-tags").results(SelectionList)
        chosen: set[str] = set()
        for selection_list in lists:
            chosen.update(selection_list.selected)
        # Codebook order, not the order they were ticked, so the same choice gives the same request.
        return tuple(t.name for t in self._tags if t.name in chosen)

    def _set_message(self, message: str, kind: Literal["error", "warning"] = "error") -> None:
        line = self.query_one("#export-message", Static)
        line.update(Content(message))
        line.set_class(not message, "-empty")
        line.set_class(kind == "error", "-error")
        line.set_class(kind == "warning", "-warning")

    # -- actions ------------------------------------------------------------------------------

    def resolve_path(self, value: str) -> Path | None:
        """The file `value` names: `~` expanded, relative to `default_dir`; None when blank."""
        value = value.strip()
        if not value:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else self._default_dir / path

    def _problem(self, path: Path | None) -> str:
        """Why `path` cannot be written, or "" when it can."""
        if path is None:
            return "Type a file name, or copy the export to the clipboard."
        if path.is_dir():
            return f"“{visible(str(path))}” is a folder: add a file name."
        folder = path.parent
        if not folder.is_dir():
            return f"The folder “{visible(str(folder))}” does not exist."
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"The folder “{visible(str(folder))}” cannot be written to."
        return ""

    def action_export(self) -> None:
        """Validate the path and dismiss with a file request (asking once before overwriting)."""
        path = self.resolve_path(self.query_one("#export-path", Input).value)
        problem = self._problem(path)
        if problem:
            self._set_message(problem)
            self.app.bell()
            return
        assert path is not None
        overwrite = False
        if path.exists():
            if self._confirming != path:
                self._confirming = path
                self._set_message(
                    f"“{visible(path.name)}” already exists. Press Overwrite to replace it, "
                    "or change the file name.",
                    "warning",
                )
                self.query_one("#export-file", Button).label = Content("Overwrite")
                return
            overwrite = True
        self.dismiss(ExportRequest(self._fmt, self._scope, self._chosen_tags(), path, overwrite))

    def action_copy(self) -> None:
        """Dismiss with a clipboard request (`path` None)."""
        self.dismiss(ExportRequest(self._fmt, self._scope, self._chosen_tags(), None, False))

    def action_cancel(self) -> None:
        """Dismiss with None."""
        self.dismiss(None)

    @on(Button.Pressed, "#export-file")
    def _export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        # Enter in the path field means "export there", as in a file dialog.
        event.stop()
        self.action_export()
