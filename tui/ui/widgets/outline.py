"""The outline pane: the document's headings, following the reading position; Enter jumps."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.model import Document
from tui.textsafe import visible


class Outline(OptionList):
    """Headings of the document, indented by level."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="outline.down"),
        Binding("k", "cursor_up", "Up", show=False, id="outline.up"),
        Binding("g", "first", "First", show=False, id="outline.first"),
        Binding("G", "last", "Last", show=False, id="outline.last"),
    ]
    """Vim moves on top of OptionList's arrows, Home/End and Enter."""

    DEFAULT_CSS = """
    Outline {
        width: 30;
        height: 100%;
        border: none;
        border-top: solid $foreground 15%;
        border-right: vkey $foreground 15%;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    """

    @dataclass
    class HeadingChosen(Message):
        """The person chose the heading starting at `offset`."""

        offset: int

    document: var[Document | None] = var(None, always_update=True)
    """The document whose headings are listed."""

    position: var[int] = var(0)
    """The reading position (offset at the top of the article); its heading is highlighted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._starts: list[int] = []
        self.border_title = "Outline"

    @property
    def has_headings(self) -> bool:
        """True when the document has at least one heading."""
        return bool(self._starts)

    @property
    def heading_count(self) -> int:
        """How many headings the document has."""
        return len(self._starts)

    def watch_document(self, document: Document | None) -> None:
        """List the headings of the new document."""
        options = []
        self._starts = []
        if document is not None:
            for block in document.blocks:
                if block.kind != "heading":
                    continue
                title = " ".join(visible(document.text[block.start : block.end]).split())
                indent = "  " * max(0, block.level - 1)
                style = "bold" if block.level <= 1 else ""
                options.append(Option(Text(indent + title, style=style), id=str(block.start)))
                self._starts.append(block.start)
        self.set_options(options)

    def watch_position(self, position: int) -> None:
        """Highlight the heading of the section being read, unless the person is in the outline."""
        if self.has_focus or not self._starts:
            return
        index = bisect_right(self._starts, position) - 1
        self.highlighted = max(0, index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Turn a chosen heading into HeadingChosen."""
        event.stop()
        if event.option.id is not None:
            self.post_message(self.HeadingChosen(int(event.option.id)))
