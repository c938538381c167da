"""The annotation sidebar: every annotation of the document in text order, unplaced ones apart.

A virtual list on the Line API: every entry has the same height, so drawing a screenful costs
the same with ten annotations or ten thousand, and changing one does not lay out the rest.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.model import Annotation
from tui.textsafe import excerpt

#: Swatch colours for the five highlight colours (the bar before each entry).
SWATCHES = {
    "yellow": "#f5c211",
    "green": "#33d17a",
    "blue": "#3584e4",
    "pink": "#f66151",
    "purple": "#c061cb",
}

#: Rows per entry: two of quote, two for tags and note, one blank.
ENTRY_HEIGHT = 5


@dataclass(frozen=True, slots=True)
class Entry:
    """One row group of the sidebar: an annotation, or the header of the unplaced ones."""

    kind: Literal["annotation", "header", "empty"]
    annotation: Annotation | None = None
    text: str = ""


def split_cells(text: str, width: int) -> tuple[str, str]:
    """The first line of `text` that fits `width` cells (broken at a space when one is near),
    and the rest."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            space = text.rfind(" ", 0, index)
            cut = space if space > index - 15 and space > 0 else index
            return text[:cut], text[cut:].lstrip()
    return text, ""


def entry_lines(entry: Entry, width: int) -> list[Text]:
    """The ENTRY_HEIGHT lines of an entry at `width` cells, from plain strings and styles."""
    if entry.kind != "annotation" or entry.annotation is None:
        style = "bold" if entry.kind == "header" else "dim"
        lines = [Text(part, style=style) for part in entry.text.split("\n")]
        return (lines + [Text()] * ENTRY_HEIGHT)[:ENTRY_HEIGHT]
    ann = entry.annotation
    quote = excerpt(ann.exact, 4 * max(width, 10))
    first, rest = split_cells(quote, width - 2)
    second = Text("  ")
    second.append(rest)
    second.truncate(width, overflow="ellipsis")
    head = Text()
    head.append("▌ ", style=SWATCHES.get(ann.color, "white"))
    head.append(first)
    meta: list[Text] = []
    if ann.tags or not ann.placed:
        tags = Text("  ")
        tags.append(" ".join("#" + tag for tag in ann.tags), style="bold cyan")
        if not ann.placed:
            tags.append(f" ({ann.status})", style="dim")
        meta.append(tags)
    if ann.note:
        note = Text("  ")
        note.append("✎ ", style="magenta")
        note.append(excerpt(ann.note, width), style="italic")
        meta.append(note)
    for line in meta:
        line.truncate(width, overflow="ellipsis")
    return ([head, second, *meta] + [Text()] * ENTRY_HEIGHT)[:ENTRY_HEIGHT]


class Sidebar(ScrollView, can_focus=True):
    """Lists annotations (placed ones in text order, then unplaced); Enter jumps to one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False, id="sidebar.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="sidebar.up"),
        Binding("g,home", "first", "First", show=False, id="sidebar.first"),
        Binding("G,end", "last", "Last", show=False, id="sidebar.last"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="sidebar.page_down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False, id="sidebar.page_up"),
        Binding("enter", "choose", "Jump", id="sidebar.choose", tooltip="Jump to this annotation"),
    ]
    """Moving through the list like less and vim; Enter jumps to the annotation."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"sidebar--highlight", "sidebar--current"}

    DEFAULT_CSS = """
    Sidebar {
        width: 36;
        height: 100%;
        border: none;
        border-top: solid $foreground 15%;
        border-left: vkey $foreground 15%;
        border-title-color: $text-muted;
        padding: 0 1;
        overflow-x: hidden;
        & > .sidebar--highlight { background: $foreground 10%; }
        &:focus > .sidebar--highlight { background: $accent 30%; }
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

    highlighted: var[int | None] = var(None)
    """Index in `entries` of the highlighted entry."""

    loading: var[bool] = var(False)
    """True until the annotations are read: the list says so instead of "No annotations"."""

    def __init__(self, *, id: str | None = None, loading: bool = False) -> None:
        super().__init__(id=id)
        self.set_reactive(Sidebar.loading, loading)
        self.entries: list[Entry] = []
        self._row_of: dict[int, int] = {}  # annotation id -> index in entries
        self._cache: dict[tuple[int, int], list[Strip]] = {}
        # (start, end, id) of each placed entry, in entry order: where one goes, by bisection.
        self._keys: list[tuple[int, int, int]] = []
        self._placed_count = 0

    # ------------------------------------------------------------------ content

    def _rebuild(self) -> None:
        wanted = self.tag_filter.casefold() if self.tag_filter else None
        chosen = [
            a
            for a in self.annotations
            if wanted is None or any(t.casefold() == wanted for t in a.tags)
        ]
        placed = sorted((a for a in chosen if a.placed), key=lambda a: (a.start, a.end, a.id))
        unplaced = sorted((a for a in chosen if not a.placed), key=lambda a: (a.start, a.id))
        entries = [Entry("annotation", a) for a in placed]
        if unplaced:
            header = f"Unplaced ({len(unplaced)}):\npassage not found in the text"
            entries.append(Entry("header", text=header))
            entries.extend(Entry("annotation", a) for a in unplaced)
        if not entries:
            if self.loading:
                hint = "Reading annotations…"
            elif self.tag_filter:
                hint = f"No annotations tagged #{self.tag_filter}"
            else:
                hint = "No annotations yet.\nSelect with v, highlight with h."
            entries.append(Entry("empty", text=hint))
        previous = self.highlighted_annotation
        self.entries = entries
        self._keys = [(a.start, a.end, a.id) for a in placed]
        self._placed_count = len(placed) + len(unplaced)
        self._row_of = {
            e.annotation.id: i for i, e in enumerate(entries) if e.annotation is not None
        }
        self._cache.clear()
        count = "…" if self.loading else len(placed) + len(unplaced)
        title = f"Annotations ({count})" + (f" · #{self.tag_filter}" if self.tag_filter else "")
        self.border_title = Content(title)  # a tag name is data, not markup
        self.virtual_size = Size(self.scrollable_content_region.width, len(entries) * ENTRY_HEIGHT)
        keep = previous.id if previous is not None else self.current
        row = self._row_of.get(keep) if keep is not None else None
        self.highlighted = row if row is not None else self._first_choosable()
        self.refresh()

    def change_annotation(self, old: Annotation | None, new: Annotation | None) -> None:
        """One annotation was added (`old` None), changed, or deleted (`new` None).

        `annotations` already holds the change; the entries are updated in place, which for a
        placed annotation without a tag filter is a bisection instead of sorting them all
        (16 ms for 10,000). Anything else rebuilds the list.
        """
        entries = self.entries
        simple = (
            self.tag_filter is None
            and not self.loading
            and all(a is None or a.placed for a in (old, new))
            and (old is not None or new is not None)
            and not (entries and entries[0].kind == "empty")
            and not (new is None and self._placed_count <= 1)
        )
        if not simple:
            self._rebuild()
            return
        previous = self.highlighted_annotation
        keys = self._keys
        low = high = None
        if old is not None:
            key = (old.start, old.end, old.id)
            index = bisect_left(keys, key)
            if index == len(keys) or keys[index] != key:
                self._rebuild()  # not where it should be: start afresh
                return
            del keys[index], entries[index]
            self._row_of.pop(old.id, None)
            self._placed_count -= 1
            low = high = index
        if new is not None:
            key = (new.start, new.end, new.id)
            index = bisect_left(keys, key)
            keys.insert(index, key)
            entries.insert(index, Entry("annotation", new))
            self._placed_count += 1
            low = index if low is None else min(low, index)
            high = index if high is None else max(high, index)
        assert low is not None and high is not None
        # Rows from the first change on may have moved: renumber them (none for a tag change).
        last = len(entries) - 1 if (old is None) != (new is None) else high
        row_of = self._row_of
        for i in range(low, last + 1):
            annotation = entries[i].annotation
            if annotation is not None:
                row_of[annotation.id] = i
        self._cache.clear()
        self.border_title = Content(f"Annotations ({self._placed_count})")
        self.virtual_size = Size(self.scrollable_content_region.width, len(entries) * ENTRY_HEIGHT)
        keep = previous.id if previous is not None else self.current
        if old is not None and keep == old.id and new is not None:
            keep = new.id
        row = row_of.get(keep) if keep is not None else None
        self.highlighted = row if row is not None else self._first_choosable()
        self.refresh()

    def _first_choosable(self) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.kind == "annotation"), None)

    @property
    def highlighted_annotation(self) -> Annotation | None:
        """The annotation of the highlighted entry, if it is one."""
        if self.highlighted is None or self.highlighted >= len(self.entries):
            return None
        return self.entries[self.highlighted].annotation

    def annotation_ids(self) -> list[int]:
        """Ids of the listed annotations, top to bottom."""
        return [e.annotation.id for e in self.entries if e.annotation is not None]

    def watch_annotations(self) -> None:
        """Rebuild the list when annotations change."""
        self._rebuild()

    def watch_loading(self) -> None:
        self._rebuild()

    def watch_tag_filter(self) -> None:
        """Rebuild the list when the filter changes."""
        self._rebuild()

    def watch_current(self, current: int | None) -> None:
        """Follow the reader's cursor unless the person is moving in the sidebar."""
        if not self.has_focus and current is not None and current in self._row_of:
            self.highlighted = self._row_of[current]

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        """Redraw the two entries and bring the new one into view."""
        for index in (old, new):
            if index is not None:
                self._cache.pop((index, self._width()), None)
                self.refresh(self._entry_region(index))
        if new is not None:
            self.scroll_to_region(self._entry_region(new), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        """Entries are laid out per width."""
        self._cache.clear()
        self.virtual_size = Size(self._width(), len(self.entries) * ENTRY_HEIGHT)

    # ------------------------------------------------------------------ drawing

    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _entry_region(self, index: int) -> Region:
        return Region(0, index * ENTRY_HEIGHT, self._width(), ENTRY_HEIGHT)

    def render_line(self, y: int) -> Strip:
        """One row: which entry and which of its lines follows from the fixed entry height."""
        row = y + int(self.scroll_offset.y)
        index, line = divmod(row, ENTRY_HEIGHT)
        width = self._width()
        if index >= len(self.entries):
            return Strip.blank(width, self.rich_style)
        strips = self._cache.get((index, width))
        if strips is None:
            strips = self._render_entry(index, width)
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[(index, width)] = strips
        return strips[line]

    def _render_entry(self, index: int, width: int) -> list[Strip]:
        base = self.rich_style
        if index == self.highlighted:
            base = base + self.get_component_rich_style("sidebar--highlight")
        strips = []
        for text in entry_lines(self.entries[index], width):
            segments = list(text.render(self.app.console))
            segments = [Segment(s.text, base + s.style if s.style else base) for s in segments]
            strips.append(Strip(segments).adjust_cell_length(width, base))
        return strips

    def notify_style_update(self) -> None:
        """A theme change: draw again with the new styles."""
        super().notify_style_update()
        self._cache.clear()

    # ------------------------------------------------------------------ moving and choosing

    def _step(self, start: int, step: int) -> int | None:
        index = start
        while 0 <= index < len(self.entries):
            if self.entries[index].kind == "annotation":
                return index
            index += step
        return None

    def action_move(self, step: int) -> None:
        """Highlight the next (1) or previous (-1) annotation."""
        if self.highlighted is None:
            self.highlighted = self._first_choosable()
            return
        found = self._step(self.highlighted + step, step)
        if found is not None:
            self.highlighted = found

    def action_page(self, step: int) -> None:
        """Move by a screenful of entries."""
        per_page = max(1, self.scrollable_content_region.height // ENTRY_HEIGHT)
        start = (self.highlighted or 0) + step * per_page
        start = min(max(start, 0), len(self.entries) - 1)
        found = self._step(start, step) or self._step(start, -step)
        if found is not None:
            self.highlighted = found

    def action_first(self) -> None:
        """Highlight the first annotation."""
        self.highlighted = self._step(0, 1)

    def action_last(self) -> None:
        """Highlight the last annotation."""
        self.highlighted = self._step(len(self.entries) - 1, -1)

    def action_choose(self) -> None:
        """Post AnnotationChosen for the highlighted entry."""
        ann = self.highlighted_annotation
        if ann is not None:
            self.post_message(self.AnnotationChosen(ann.id))

    def on_click(self, event: events.Click) -> None:
        """A click highlights an entry and jumps to it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + int(self.scroll_offset.y)) // ENTRY_HEIGHT
        if 0 <= index < len(self.entries) and self.entries[index].kind == "annotation":
            self.highlighted = index
            self.action_choose()
