"""The annotation sidebar: every annotation of the document in text order, unplaced ones apart."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui.model import Annotation
from tui.textsafe import excerpt

#: Swatch colours for the five highlight colours (foreground of the bar before each entry).
SWATCHES = {
    "yellow": "#f5c211",
    "green": "#33d17a",
    "blue": "#3584e4",
    "pink": "#f66151",
    "purple": "#c061cb",
}


def entry(annotation: Annotation, *, width: int = 120) -> Text:
    """An annotation as sidebar text: swatch and quote, then tags, then the start of the note."""
    line = Text()
    line.append("▌ ", style=SWATCHES.get(annotation.color, "white"))
    line.append(excerpt(annotation.exact, width))
    if annotation.tags:
        line.append("\n  ")
        line.append(" ".join("#" + tag for tag in annotation.tags), style="bold cyan")
    if annotation.note:
        line.append("\n  ✎ ", style="magenta")
        line.append(excerpt(annotation.note, width), style="italic")
    if not annotation.placed:
        line.append(f"\n  {annotation.status}", style="dim")
    line.append("\n")  # a blank line between entries
    return line


class Sidebar(OptionList):
    """Lists annotations (placed ones in text order, then unplaced); Enter jumps to one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("g", "first", "First", show=False, id="sidebar.first"),
        Binding("G", "last", "Last", show=False, id="sidebar.last"),
    ]
    """Vim moves on top of OptionList's arrows, Home/End and Enter."""

    DEFAULT_CSS = """
    Sidebar {
        width: 36;
        height: 100%;
        border: none;
        border-top: solid $foreground 15%;
        border-left: vkey $foreground 15%;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    """

    @dataclass
    class AnnotationChosen(Message):
        """The person chose an annotation (Enter or click) to jump to."""

        annotation_id: int

    annotations: var[list[Annotation]] = var(list, always_update=True)
    """The document's annotations, in any order; the sidebar sorts them."""

    tag_filter: var[str | None] = var(None)
    """Show only annotations carrying this tag (case-insensitive), or all when None."""

    current: var[int | None] = var(None)
    """Id of the annotation at the reader's cursor, highlighted while the sidebar is unfocused."""

    def _visible(self) -> tuple[list[Annotation], list[Annotation]]:
        wanted = self.tag_filter.casefold() if self.tag_filter else None
        chosen = [
            a
            for a in self.annotations
            if wanted is None or any(t.casefold() == wanted for t in a.tags)
        ]
        placed = sorted((a for a in chosen if a.placed), key=lambda a: (a.start, a.end, a.id))
        unplaced = sorted((a for a in chosen if not a.placed), key=lambda a: (a.start, a.id))
        return placed, unplaced

    def _rebuild(self) -> None:
        placed, unplaced = self._visible()
        options: list[Option | None] = [Option(entry(a), id=str(a.id)) for a in placed]
        if unplaced:
            options.append(None)
            header = Text(f"Unplaced ({len(unplaced)}): passage not found", style="bold")
            options.append(Option(header, disabled=True))
            options.extend(Option(entry(a), id=str(a.id)) for a in unplaced)
        if not options:
            hint = (
                "No annotations yet.\nSelect with v, highlight with h."
                if not self.tag_filter
                else ""
            )
            options.append(
                Option(Text(hint or f"No annotations tagged #{self.tag_filter}"), disabled=True)
            )
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.set_options(options)
        count = len(placed) + len(unplaced)
        title = f"Annotations ({count})"
        if self.tag_filter:
            title += f" · #{self.tag_filter}"
        self.border_title = Content(title)  # a tag name is data, not markup
        self._restore(highlighted if highlighted is not None else self.current)

    def _restore(self, option_id: str | int | None) -> None:
        if option_id is None:
            return
        # The annotation may be gone or filtered out.
        with contextlib.suppress(OptionDoesNotExist):
            self.highlighted = self.get_option_index(str(option_id))

    def watch_annotations(self) -> None:
        """Rebuild the list when annotations change."""
        self._rebuild()

    def watch_tag_filter(self) -> None:
        """Rebuild the list when the filter changes."""
        self._rebuild()

    def watch_current(self, current: int | None) -> None:
        """Follow the reader's cursor unless the person is moving in the sidebar."""
        if not self.has_focus and current is not None:
            self._restore(current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Turn a chosen option into AnnotationChosen."""
        event.stop()
        if event.option.id is not None:
            self.post_message(self.AnnotationChosen(int(event.option.id)))
