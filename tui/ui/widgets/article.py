"""The article view: a virtual, lazily wrapped reading view of one `Document`.

`ArticleView` draws a document's text with its structure (headings, lists, quotes, code, inline
marks), a sentence cursor, a selection, highlights and search matches, on Textual's Line API.
Data comes in as attributes (`document`, `annotations`, `matches`, `cursor`, `selection`) and
what the reader does goes out as messages (`CursorMoved`, `SelectionChanged`,
`PositionChanged`, `AnnotationReached`); the view never touches the store.

Mouse selection uses Textual's own machinery: every strip is tagged with offsets where y is the
part (block) index and x is `row * ROW_STRIDE + character index` in the drawn row, which the
view turns back into text offsets.

Only what is on screen is wrapped. Every block starts with an estimated height; a block becomes
exact when it is shown or walked over, and idle steps refine the rest so the scrollbar settles.
Whenever heights above the top of the view change, the view keeps its top row where it was.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter, itemgetter
from time import perf_counter
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Size
from textual.message import Message
from textual.reactive import reactive, var
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from tui.model import COLORS, Annotation, Block, Document
from tui.ui.widgets.textlayout import (
    HeightIndex,
    Line,
    MatchIndex,
    SpanIndex,
    display_text,
    wrap,
)

if TYPE_CHECKING:
    from textual.timer import Timer

__all__ = ["ArticleView"]

#: Rows of one block are told apart in mouse offsets as `row * ROW_STRIDE + character index`.
ROW_STRIDE = 1 << 40

#: Blocks longer than this are shown as several parts, so no single wrap is ever slow.
MAX_PART_CHARS = 8192

_MARK_BITS = {"emphasis": 1, "strong": 2, "code": 4, "link": 8}
_WORD_AFTER = re.compile(r"\s*\S+")
_LAST_WORD = re.compile(r"\S+\s*$")
_PARAGRAPHS = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_BULLETS = {"-", "*", "+", "•"}


_COLOR_INDEX = {color: i for i, color in enumerate(COLORS)}


class _Part(NamedTuple):
    """A displayed piece of a block: the whole block, or a slice of a very long one."""

    block: Block
    start: int
    end: int
    first: bool
    last: bool
    gap: int  # blank rows after this part


class _Row(NamedTuple):
    """One screen row of a part: a text line with its prefix, or a decoration (line is None)."""

    line: Line | None
    prefix: str
    prefix_key: str


class _PartLayout:
    """The rows of one part wrapped at one width, with a lookup from offset to row."""

    __slots__ = ("rows", "height", "_starts", "_row_of")

    def __init__(self, rows: list[_Row], gap: int) -> None:
        self.rows = rows
        self.height = len(rows) + gap
        self._row_of = [i for i, row in enumerate(rows) if row.line is not None]
        self._starts = [rows[i].line.start for i in self._row_of]  # type: ignore[union-attr]

    def row_of(self, offset: int) -> int:
        """The row whose line holds `offset` (the last line at or before it)."""
        if not self._row_of:
            return 0
        return self._row_of[max(0, bisect_right(self._starts, offset) - 1)]


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """A reading view of one document, with a sentence cursor, selection and highlights.

    Set `document`, then `annotations` and `matches` as the screen learns them; listen for
    `CursorMoved`, `SelectionChanged` and `PositionChanged`. Keys are bindings with ids
    (`article.*`), so `App.set_keymap` can remap them and help can be generated from them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down",
            "next_sentence",
            "Next sentence",
            id="article.next_sentence",
            show=False,
            tooltip="Move the cursor to the next sentence",
        ),
        Binding(
            "k,up",
            "previous_sentence",
            "Previous sentence",
            id="article.previous_sentence",
            show=False,
            tooltip="Move the cursor to the previous sentence",
        ),
        Binding(
            "}",
            "next_paragraph",
            "Next paragraph",
            id="article.next_paragraph",
            show=False,
            tooltip="Move the cursor to the start of the next paragraph",
        ),
        Binding(
            "{",
            "previous_paragraph",
            "Previous paragraph",
            id="article.previous_paragraph",
            show=False,
            tooltip="Move the cursor to the start of this or the previous paragraph",
        ),
        Binding(
            "space,pagedown",
            "page_down",
            "Page down",
            id="article.page_down",
            show=False,
            tooltip="Scroll one screen down; the cursor follows",
        ),
        Binding(
            "b,pageup",
            "page_up",
            "Page up",
            id="article.page_up",
            show=False,
            tooltip="Scroll one screen up; the cursor follows",
        ),
        Binding(
            "g,home",
            "top",
            "Top",
            id="article.top",
            show=False,
            tooltip="Go to the start of the document",
        ),
        Binding(
            "G,end",
            "bottom",
            "Bottom",
            id="article.bottom",
            show=False,
            tooltip="Go to the end of the document",
        ),
        Binding(
            "v",
            "toggle_selection",
            "Select",
            id="article.toggle_selection",
            tooltip="Start a selection at the cursor's sentence (moves extend it), or drop it",
        ),
        Binding(
            "shift+right",
            "grow_selection",
            "Grow selection",
            id="article.grow_selection",
            show=False,
            tooltip="Move the end of the selection one word forward",
        ),
        Binding(
            "shift+left",
            "shrink_selection",
            "Shrink selection",
            id="article.shrink_selection",
            show=False,
            tooltip="Move the end of the selection one word back",
        ),
        Binding(
            "escape",
            "clear_selection",
            "Clear selection",
            id="article.clear_selection",
            tooltip="Drop the selection",
            # Before the screen's own escape handler, which would drop the selection and let
            # the key go on to bindings further up as well.
            priority=True,
        ),
        Binding(
            "]",
            "next_annotation",
            "Next highlight",
            id="article.next_annotation",
            show=False,
            tooltip="Go to the next highlight",
        ),
        Binding(
            "[",
            "previous_annotation",
            "Previous highlight",
            id="article.previous_annotation",
            show=False,
            tooltip="Go to the previous highlight",
        ),
    ]
    """Reading keys. Ids are stable: they are what a keymap in the configuration refers to.
    Movement keys are hidden from the footer (help lists them all); select, clear and next
    highlight are shown."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--h1",
        "article-view--h2",
        "article-view--h3",
        "article-view--h4",
        "article-view--rule",
        "article-view--marker",
        "article-view--quote",
        "article-view--quote-bar",
        "article-view--code-block",
        "article-view--code",
        "article-view--emphasis",
        "article-view--strong",
        "article-view--link",
        "article-view--control",
        "article-view--cursor",
        "article-view--selection",
        "article-view--match",
        "article-view--match-current",
        "article-view--reached",
        *(f"article-view--{color}" for color in COLORS),
    }

    DEFAULT_CSS = """
    ArticleView {
        background: $background;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .article-view--h1 { color: $text-accent; text-style: bold; }
        & > .article-view--h2 { color: $text-accent; text-style: bold; }
        & > .article-view--h3 { text-style: bold; }
        & > .article-view--h4 { text-style: bold italic; }
        & > .article-view--rule { color: $foreground 35%; }
        & > .article-view--marker { color: $text-accent; }
        & > .article-view--quote { color: $text-muted; text-style: italic; }
        & > .article-view--quote-bar { color: $accent; }
        & > .article-view--code-block { background: $foreground 8%; }
        & > .article-view--code { background: $foreground 14%; }
        & > .article-view--emphasis { text-style: italic; }
        & > .article-view--strong { text-style: bold; }
        & > .article-view--link { color: $text-primary; text-style: underline; }
        & > .article-view--control { color: $error; text-style: dim; }
        & > .article-view--cursor { background: $foreground 8%; }
        & > .article-view--selection { background: $primary 55%; }
        & > .article-view--match { background: $warning 35%; }
        & > .article-view--match-current {
            background: $warning 85%; color: auto 90%; text-style: bold;
        }
        & > .article-view--reached { text-style: bold underline; }
        & > .article-view--yellow { background: #f5c211 40%; }
        & > .article-view--green { background: #33d17a 35%; }
        & > .article-view--blue { background: #3584e4 40%; }
        & > .article-view--pink { background: #f66151 35%; }
        & > .article-view--purple { background: #9141ac 45%; }
    }
    """

    @dataclass
    class CursorMoved(Message):
        """The sentence cursor moved to `offset`; `sentence_span` is that sentence."""

        offset: int
        sentence_span: tuple[int, int]

        @property
        def control(self) -> ArticleView | None:
            """The view that moved its cursor."""
            sender = self._sender
            return sender if isinstance(sender, ArticleView) else None

    @dataclass
    class SelectionChanged(Message):
        """The selection is now `span` (start, end offsets), or None when it was dropped."""

        span: tuple[int, int] | None

        @property
        def control(self) -> ArticleView | None:
            """The view whose selection changed."""
            sender = self._sender
            return sender if isinstance(sender, ArticleView) else None

    @dataclass
    class PositionChanged(Message):
        """The reading position: the offset at the top of the view and 0..1 through the text."""

        top_offset: int
        fraction: float

        @property
        def control(self) -> ArticleView | None:
            """The view that scrolled."""
            sender = self._sender
            return sender if isinstance(sender, ArticleView) else None

    class TextShown(Message):
        """The document's text was drawn for the first time (sent once per document)."""

        @property
        def control(self) -> ArticleView | None:
            """The view that drew it."""
            sender = self._sender
            return sender if isinstance(sender, ArticleView) else None

    @dataclass
    class AnnotationReached(Message):
        """`]` or `[` went to `annotation` (the cursor is on its first sentence)."""

        annotation: Annotation

        @property
        def control(self) -> ArticleView | None:
            """The view that moved."""
            sender = self._sender
            return sender if isinstance(sender, ArticleView) else None

    document: var[Document | None] = var(None, always_update=True)
    """The document shown; setting it resets cursor, selection and scroll."""

    annotations: var[list[Annotation]] = var(list, always_update=True)
    """Annotations of the document; those that are placed are drawn in their colour, the later
    one in the list winning where two overlap."""

    matches: var[list[tuple[int, int]]] = var(list, always_update=True)
    """Search matches as (start, end) offsets, drawn apart from highlights."""

    current_match: var[int | None] = var(None)
    """Index in `matches` of the match drawn strongest, or None."""

    cursor: var[int] = var(0)
    """Start offset of the sentence under the cursor; any offset set snaps to its sentence."""

    selection: var[tuple[int, int] | None] = var(None)
    """The selected (start, end) offsets, or None."""

    reading_width: reactive[int] = reactive(80)
    """Maximum width of the text column in cells; the column is centred in the view."""

    def __init__(
        self,
        document: Document | None = None,
        *,
        annotations: Sequence[Annotation] = (),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Create a view, optionally with a document and its annotations."""
        super().__init__(name=name, id=id, classes=classes)
        self._text = ""
        self._parts: list[_Part] = []
        self._part_starts: list[int] = []
        self._facts: list[tuple[int, int, int, int, bool]] = []
        self._text_shown = False  # TextShown was sent for this document
        self._heights = HeightIndex(())
        self._exact = bytearray()
        self._layouts: OrderedDict[int, _PartLayout] = OrderedDict()
        self._sentence_starts: list[int] = []
        self._sentence_ends: list[int] = []
        self._marks: SpanIndex[int] | None = None
        self._highlights: SpanIndex[tuple[int, int, int]] = SpanIndex(())
        self._hidden: set[int] = set()  # ids in _highlights since changed or deleted
        # Highlights added or changed since _highlights was built: id -> (start, end, payload)
        self._extra: dict[int, tuple[int, int, tuple[int, int, int]]] = {}
        self._next_order = 0  # draw order of the next change (later ones are drawn on top)
        self._annotation_starts: list[int] = []
        self._match_index: SpanIndex[int] | MatchIndex = MatchIndex(())
        self._width = 0  # the view width the layout was made for
        self._text_width = 0
        self._margin = 0
        self._styles: dict[object, Style] = {}
        self._styles_theme = ""
        self._scrolling = False  # True while the view itself sets scroll_y
        self._scrolls = 0  # counts the view's own scrolls, so nested code can tell
        self._position_pending = False
        self._last_position: tuple[int, float] | None = None
        self._selection_pending = False
        self._from_mouse = False
        self._anchor: tuple[int, int] | None = None  # sentence a keyboard selection started at
        self._placed: list[Annotation] = []  # placed annotations by start
        self._reached: int | None = None  # index in _placed of the one ] or [ went to
        self._refine_timer: Timer | None = None
        self._refine_next = 0
        self._mouse_down_at: Offset | None = None
        self._heights_changed = False  # a height changed since the virtual size was set
        self._pending: tuple[str, int] | None = None  # goto/scroll asked before there was a size
        if document is not None:
            self.document = document
        if annotations:
            self.annotations = list(annotations)

    # ------------------------------------------------------------------ document and indexes

    def watch_document(self, document: Document | None) -> None:
        """Index the new document's parts and sentences and start at its top."""
        text = document.text if document is not None else ""
        self._text = text
        blocks = sorted(document.blocks, key=itemgetter(1)) if document else []  # by start
        if not blocks and text.strip():
            # A document without structure is still readable: paragraphs are runs of lines.
            blocks = [Block("paragraph", m.start(), m.end()) for m in _PARAGRAPHS.finditer(text)]
        self._parts = _make_parts(text, blocks)
        self._part_starts = [part.start for part in self._parts]
        self._facts = self._part_facts()
        sentences = document.sentences if document else []
        if not sentences:
            sentences = [(part.block.start, part.block.end) for part in self._parts if part.first]
        self._sentence_starts = list(map(itemgetter(0), sentences))
        self._sentence_ends = list(map(itemgetter(1), sentences))
        self._marks = None
        self._reached = None
        self._anchor = None
        self._width = 0  # forces a new layout at the next look at the size
        self._layouts.clear()
        self._heights = HeightIndex(())
        self._exact = bytearray(len(self._parts))
        self._last_position = None
        self.set_reactive(ArticleView.selection, None)
        self.set_reactive(ArticleView.cursor, self._sentence_starts[0] if sentences else 0)
        self._build_highlights()
        self._pending = None
        self._text_shown = False
        if self.is_mounted:
            self._sync_width()
            self.refresh()

    def _build_highlights(self) -> None:
        placed = [a for a in self.annotations if a.placed and a.end > a.start]
        self._highlights = SpanIndex(
            (a.start, a.end, (order, _COLOR_INDEX.get(a.color, 0), a.id))
            for order, a in enumerate(placed)
        )
        self._hidden = set()
        self._extra = {}
        self._next_order = len(placed)
        placed.sort(key=attrgetter("start"))
        self._placed = placed
        self._annotation_starts = [a.start for a in placed]

    def change_annotation(self, old: Annotation | None, new: Annotation | None) -> None:
        """One annotation was added (`old` None), changed, or deleted (`new` None).

        The highlight index is left as built and the change kept beside it (rebuilding it for
        10,000 annotations took 10 ms a keypress); after a few hundred changes it is rebuilt.
        Only the rows of the two spans are drawn again.
        """
        reached = self.reached_annotation
        if old is not None:
            if old.id in self._extra:
                del self._extra[old.id]
            else:
                self._hidden.add(old.id)
            self._remove_placed(old)
        if new is not None and new.placed and new.end > new.start:
            payload = (self._next_order, _COLOR_INDEX.get(new.color, 0), new.id)
            self._next_order += 1
            self._extra[new.id] = (new.start, new.end, payload)
            index = bisect_right(self._annotation_starts, new.start)
            self._annotation_starts.insert(index, new.start)
            self._placed.insert(index, new)
        if reached is not None and old is not None and reached.id == old.id:
            reached = new if new is not None and new.placed else None
        self._reached = self._placed_index(reached) if reached is not None else None
        if len(self._extra) + len(self._hidden) > 256:
            self._build_highlights()
        for annotation in (old, new):
            if annotation is not None and annotation.placed:
                self._refresh_span((annotation.start, annotation.end))

    def _placed_index(self, annotation: Annotation) -> int | None:
        index = bisect_left(self._annotation_starts, annotation.start)
        while index < len(self._placed) and self._annotation_starts[index] == annotation.start:
            if self._placed[index].id == annotation.id:
                return index
            index += 1
        return None

    def _remove_placed(self, annotation: Annotation) -> None:
        index = self._placed_index(annotation)
        if index is not None:
            del self._placed[index], self._annotation_starts[index]

    def watch_annotations(self) -> None:
        """Index the placed annotations and redraw."""
        self._build_highlights()
        self._reached = None
        self.refresh()

    def watch_matches(self, matches: list[tuple[int, int]]) -> None:
        """Index the search matches and redraw."""
        if MatchIndex.fits(matches):
            self._match_index = MatchIndex(matches)
        else:
            self._match_index = SpanIndex((s, e, i) for i, (s, e) in enumerate(matches))
        self.refresh()

    def watch_current_match(self) -> None:
        """Redraw with another match as the current one."""
        self.refresh()

    def validate_cursor(self, offset: int) -> int:
        """Snap the cursor to the start of the sentence holding `offset`."""
        if not self._sentence_starts:
            return max(0, min(offset, len(self._text)))
        return self._sentence_starts[self._sentence_at(offset)]

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint the rows of both sentences and tell the screen."""
        with self._stable_view():
            self._refresh_span(self._sentence_span(old))
            self._refresh_span(self._sentence_span(new))
            reached = self._reached
            if reached is not None and self._sentence_span(self._placed[reached].start)[0] != new:
                self._set_reached(None)
        self.post_message(self.CursorMoved(new, self._sentence_span(new)))

    def validate_selection(self, span: tuple[int, int] | None) -> tuple[int, int] | None:
        """Order and clamp a selection; an empty one is None."""
        if span is None:
            return None
        start, end = sorted(span)
        start = max(0, min(start, len(self._text)))
        end = max(0, min(end, len(self._text)))
        return (start, end) if end > start else None

    def watch_selection(self, old: tuple[int, int] | None, new: tuple[int, int] | None) -> None:
        """Repaint what changed, mirror a keyboard selection to the screen, tell the screen."""
        with self._stable_view():
            for span in _changed_spans(old, new):
                self._refresh_span(span)
        if not self._from_mouse:
            self._mirror_selection(new)
            self.post_message(self.SelectionChanged(new))
        elif not self._selection_pending:
            # A drag updates the selection on every mouse move: tell the screen once a frame.
            self._selection_pending = True
            self.call_after_refresh(self._post_selection)

    def _post_selection(self) -> None:
        self._selection_pending = False
        self.post_message(self.SelectionChanged(self.selection))

    def watch_reading_width(self) -> None:
        """Lay out again at the new width, keeping the reading position."""
        if self.is_mounted and self._width:
            self._sync_width(force=True)
            self.refresh()

    # ------------------------------------------------------------------ sentences and blocks

    def _sentence_at(self, offset: int) -> int:
        """Index of the sentence holding `offset`, or the next one if it is between two."""
        starts = self._sentence_starts
        i = max(0, bisect_right(starts, offset) - 1)
        if offset >= self._sentence_ends[i] and i + 1 < len(starts) and starts[i] <= offset:
            return i + 1
        return i

    def _sentence_span(self, offset: int) -> tuple[int, int]:
        if not self._sentence_starts:
            return (offset, offset)
        i = self._sentence_at(offset)
        return (self._sentence_starts[i], self._sentence_ends[i])

    @property
    def sentence_span(self) -> tuple[int, int]:
        """The (start, end) of the sentence under the cursor."""
        return self._sentence_span(self.cursor)

    def _part_at(self, offset: int) -> int:
        return max(0, bisect_right(self._part_starts, offset) - 1)

    # ------------------------------------------------------------------ layout and heights

    def _sync_width(self, *, force: bool = False) -> None:
        """Lay out again for a new width, keeping the top offset in view; for a new document
        (no layout yet) start at the top, or where `goto`/`scroll_to_offset` asked before the
        view had a size."""
        width = self.scrollable_content_region.width
        if width <= 0 or (width == self._width and not force):
            return
        top_offset = self._top_offset() if self._width else None
        self._width = width
        self._text_width = max(1, min(self.reading_width, width - 2))
        self._margin = max(0, (width - self._text_width) // 2)
        self._layouts.clear()
        self._heights = HeightIndex(self._estimates())
        self._exact = bytearray(len(self._parts))
        self._refine_next = 0
        self._update_virtual_size()
        self._set_scroll(self.position_of(top_offset).y if top_offset is not None else 0)
        pending, self._pending = self._pending, None
        if pending is not None:
            kind, offset = pending
            if kind == "goto":
                self.goto(offset)
            else:
                self.scroll_to_offset(offset)
        if self._refine_timer is None and self._parts:
            self._refine_timer = self.set_interval(0.05, self._refine_step)

    def _prefixes(self, part: _Part) -> tuple[str, str, str]:
        """First-row prefix, other-rows prefix (same width) and the prefix's style key."""
        block = part.block
        if block.kind == "list_item":
            level = max(1, block.level)
            info = display_text(block.info.strip())
            if not info or info in _BULLETS:
                info = "•" if level % 2 else "◦"
            indent = "  " * (level - 1)
            first = f"{indent}{info} "
            rest = " " * cell_len(first)
            return (first if part.first else rest), rest, "marker"
        if block.kind == "quote":
            bar = "▎ " * max(1, block.level)
            return bar, bar, "bar"
        if block.kind == "code":
            return " ", " ", "code"
        return "", "", ""

    def _part_facts(self) -> list[tuple[int, int, int, int, bool]]:
        """Per part, what a height estimate needs: length, hard breaks, columns lost to the
        prefix, rows added (decoration and gap), and whether the height is fixed (rules)."""
        count = self._text.count
        facts = []
        append = facts.append
        for part in self._parts:
            block, start, end, _first, last, gap = part
            kind = block.kind
            if kind == "paragraph":  # nearly every part of a book: the short way
                append((end - start, count("\n", start, end), 0, gap, False))
                continue
            if kind == "rule":
                append((0, 0, 0, gap, True))
                continue
            indent = 0
            if kind != "heading":
                indent = cell_len(self._prefixes(part)[1]) + (1 if kind == "code" else 0)
            extra = gap + (kind == "heading" and last and block.level <= 2)
            append((end - start, count("\n", start, end), indent, extra, False))
        return facts

    def _estimates(self) -> list[int]:
        """A guess at every part's height from its length and hard line breaks."""
        width = self._text_width
        # Greedy wrapping fills lines to about 92% on average prose.
        return [
            (1 if fixed else max(breaks + 1, -(-length * 100 // (max(1, width - indent) * 92))))
            + extra
            for length, breaks, indent, extra, fixed in self._facts
        ]

    def _layout(self, index: int) -> _PartLayout:
        """The rows of part `index` at the current width, wrapped now if need be."""
        layout = self._layouts.get(index)
        if layout is not None:
            self._layouts.move_to_end(index)
            return layout
        part = self._parts[index]
        block = part.block
        width = self._text_width
        rows: list[_Row]
        if block.kind == "rule":
            rows = [_Row(None, "─" * width, "rule")]
        else:
            first, rest, key = self._prefixes(part)
            available = width - cell_len(rest)
            if block.kind == "code":
                available -= 1  # the panel keeps a column free on the right too
            lines = wrap(
                self._text,
                part.start,
                part.end,
                max(1, available),
                "char" if block.kind == "code" else "word",
            )
            rows = [_Row(line, first if i == 0 else rest, key) for i, line in enumerate(lines)]
            if block.kind == "heading" and part.last and block.level <= 2:
                longest = max((min(line.cells, width) for line in lines), default=0)
                rule = ("━" if block.level == 1 else "─") * max(1, longest)
                rows.append(_Row(None, rule, f"h{block.level}"))
        layout = _PartLayout(rows, part.gap)
        self._layouts[index] = layout
        if len(self._layouts) > 2048:
            self._layouts.popitem(last=False)
        if not self._exact[index]:
            self._exact[index] = 1
            if self._heights.set(index, layout.height):
                self._heights_changed = True
        return layout

    def _update_virtual_size(self) -> None:
        size = Size(self._width, self._heights.total)
        if self.virtual_size != size:
            self.virtual_size = size
        self._heights_changed = False

    def _view_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _locate(self, y: int) -> tuple[int, int]:
        """(part, row in part) of virtual row `y`."""
        index = self._heights.find(y)
        return index, y - self._heights.start(index)

    def _ensure_visible(self) -> None:
        """Make every part in the view exact, top down, so the top row stays where it is."""
        if not self._parts:
            return
        top = self.scroll_offset.y
        bottom = top + self._view_height()
        index = self._heights.find(top)
        y = self._heights.start(index)
        while index < len(self._parts) and y < bottom:
            self._layout(index)
            y += self._heights[index]
            index += 1
        if self._heights_changed:
            self._update_virtual_size()

    def _top_for(self, y: int, above: int) -> int:
        """The top row that shows `above` rows above virtual row `y`, made exact on the way."""
        index, row = self._locate(y)
        self._layout(index)
        needed = above - row
        walk = index
        while needed > 0 and walk > 0:
            walk -= 1
            self._layout(walk)
            needed -= self._heights[walk]
        return max(0, self._heights.start(index) + row - above)

    def _refine_step(self) -> None:
        """Make a few more heights exact while idle, keeping the top row in place."""
        count = len(self._parts)
        if self._refine_next >= count or not self._width:
            if self._refine_timer is not None:
                self._refine_timer.stop()
                self._refine_timer = None
            return
        deadline = perf_counter() + 0.004
        with self._stable_view():
            index = self._refine_next
            while index < count and perf_counter() < deadline:
                end = min(count, index + 32)
                for i in range(index, end):
                    if not self._exact[i]:
                        self._measure(i)
                index = end
            self._refine_next = index

    def _measure(self, index: int) -> None:
        """Make a part's height exact without keeping its rows unless they are cached."""
        if index in self._layouts:
            return
        self._layout(index)
        self._layouts.pop(index, None)

    @contextmanager
    def _stable_view(self) -> Iterator[None]:
        """Keep the row at the top of the view in place while heights above it change."""
        if not self._parts or not self._width:
            yield
            return
        index, row = self._locate(self.scroll_offset.y)
        scrolls = self._scrolls
        yield
        if self._scrolls == scrolls:
            y = self._heights.start(index) + row
            if y != self.scroll_offset.y:
                self._set_scroll(y)
        if self._heights_changed:
            self._update_virtual_size()

    def _set_scroll(self, y: int) -> None:
        """Scroll to virtual row `y` at once, and wrap what comes into view."""
        self._scrolls += 1
        if self._heights_changed:
            self._update_virtual_size()
        self._scrolling = True
        try:
            self.scroll_target_y = y
            self.scroll_y = y
            self._ensure_visible()
        finally:
            self._scrolling = False
        self._schedule_position()

    def watch_scroll_y(self, old: float, new: float) -> None:
        """Keep scrolls that the view did not make itself (wheel, scrollbar) exact."""
        if not self._scrolling and self._parts and self._width:
            # Scrolled by the mouse or Textual: going up a little over estimated blocks, make
            # them exact first so the distance scrolled is the distance seen.
            self._scrolling = True
            try:
                if new < old and old - new <= 2 * self._view_height():
                    index, row = self._locate(round(old))
                    top = self._top_for(self._heights.start(index) + row, round(old) - round(new))
                    if self._heights_changed:
                        self._update_virtual_size()
                    if top != round(new):
                        self.scroll_target_y = top
                        self.scroll_y = top
                self._ensure_visible()
            finally:
                self._scrolling = False
            self._schedule_position()
        super().watch_scroll_y(old, self.scroll_y)

    def on_resize(self, event: events.Resize) -> None:
        """Lay out again if the width changed; wrap what a taller view shows."""
        self._sync_width()
        self._ensure_visible()

    # ------------------------------------------------------------------ positions

    def position_of(self, offset: int) -> Offset:
        """Where `offset` is drawn: x in the view's columns, y as a virtual row.

        The offset is snapped to the start of its grapheme cluster; an offset in the whitespace
        between two blocks is drawn at the end of the first one.
        """
        self._sync_width()
        if not self._parts or not self._width:
            return Offset(0, 0)
        offset = max(0, min(offset, len(self._text)))
        index = self._part_at(offset)
        part = self._parts[index]
        layout = self._layout(index)
        offset = min(offset, part.end)
        row = layout.row_of(offset)
        line = layout.rows[row].line
        x = self._margin + cell_len(layout.rows[row].prefix)
        if line is not None:
            x += line.col_of(offset)
        return Offset(x, self._heights.start(index) + row)

    def offset_at(self, x: int, y: int) -> int:
        """The text offset drawn at column `x` of virtual row `y` (the inverse of `position_of`).

        Left of the text gives the start of the line, right of it the end; rows between blocks
        give the end of the block above.
        """
        self._sync_width()
        if not self._parts or not self._width:
            return 0
        index, row = self._locate(max(0, y))
        part = self._parts[index]
        layout = self._layout(index)
        if y >= self._heights.total or row >= len(layout.rows):
            return part.end if y < self._heights.total else len(self._text)
        line, prefix, _ = layout.rows[row]
        if line is None:
            return part.end
        return line.offset_at_col(x - self._margin - cell_len(prefix))

    def _offset_at_mouse(self, x: int, y: int) -> int:
        """Decode a mouse offset from the strips' metadata: y is the part, x row and index."""
        if not self._parts or not self._width:
            return 0
        index = max(0, min(y, len(self._parts) - 1))
        layout = self._layout(index)
        row, character = divmod(max(0, x), ROW_STRIDE)
        if row >= len(layout.rows):
            return self._parts[index].end
        line, prefix, _ = layout.rows[row]
        if line is None:
            return self._parts[index].end
        return line.offset_at_index(character - self._margin - len(prefix))

    def _end_at_mouse(self, x: int, y: int) -> int:
        """Like `_offset_at_mouse` for an exclusive end: the end of the unit before `x`."""
        if not self._parts or not self._width:
            return 0
        index = max(0, min(y, len(self._parts) - 1))
        layout = self._layout(index)
        row, character = divmod(max(0, x), ROW_STRIDE)
        if row >= len(layout.rows):
            return self._parts[index].end
        line, prefix, _ = layout.rows[row]
        if line is None:
            return self._parts[index].end
        character -= self._margin + len(prefix)
        if character <= 0:
            return line.start
        if character >= len(line.text):
            return line.end
        return line.snap_end(line.offset_at_index(character - 1) + 1)

    @property
    def top_offset(self) -> int | None:
        """The text offset at the top of the view now (None before the first layout); the
        PositionChanged message that reports it may still be on its way."""
        return self._top_offset() if self._parts and self._width else None

    def _top_offset(self) -> int:
        """The offset at the start of the top row in view."""
        if not self._parts or not self._width:
            return 0
        index, row = self._locate(self.scroll_offset.y)
        layout = self._layout(index)
        if row < len(layout.rows) and (line := layout.rows[row].line) is not None:
            return line.start
        return self._parts[index].end

    def _bottom_offset(self) -> int:
        """The offset at the end of the last row in view."""
        if not self._parts or not self._width:
            return 0
        index, row = self._locate(self.scroll_offset.y + self._view_height() - 1)
        layout = self._layout(index)
        if row < len(layout.rows) and (line := layout.rows[row].line) is not None:
            return line.end
        return self._parts[index].end

    def _schedule_position(self) -> None:
        if not self._position_pending and self.is_mounted:
            self._position_pending = True
            self.call_after_refresh(self._post_position)

    def _post_position(self) -> None:
        self._position_pending = False
        if not self._parts:
            return
        top = self._top_offset()
        length = len(self._text)
        at_end = self.scroll_y >= self.max_scroll_y and self._end_in_view()
        fraction = 1.0 if at_end else (top / length if length else 0.0)
        position = (top, round(fraction, 6))
        if position != self._last_position:
            self._last_position = position
            self.post_message(self.PositionChanged(*position))

    def _end_in_view(self) -> bool:
        """True when the last row of the document is on screen."""
        return self._bottom_offset() >= self._parts[-1].end

    # ------------------------------------------------------------------ refresh helpers

    def _refresh_span(self, span: tuple[int, int]) -> None:
        """Repaint the rows of `span` that are in view (and nothing else)."""
        if not self._parts or not self._width or not self.is_mounted:
            return
        start, end = span
        first, last = self._top_offset(), self._bottom_offset()
        start, end = max(start, first), min(end, last)
        if start > end:
            return
        top = self.position_of(start).y
        bottom = self.position_of(end).y
        self.refresh_lines(top, bottom - top + 1)

    def _mirror_selection(self, span: tuple[int, int] | None) -> None:
        """Tell the screen about a selection made by keys, so `get_selected_text` (copy) sees
        it. Such a selection is marked by rows of -1 and holds the text offsets itself."""
        if not self.is_mounted:
            return
        screen = self.screen
        current = screen.selections.get(self)
        if span is None:
            if current is not None:
                screen.clear_selection()
            return
        screen.selections = {self: Selection(Offset(span[0], -1), Offset(span[1], -1))}

    # ------------------------------------------------------------------ mouse

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, for `Screen.get_selected_text` (and the copy command)."""
        span = self._span_of(selection)
        if span is None:
            return None
        return self._text[span[0] : span[1]], "\n"

    def _span_of(self, selection: Selection) -> tuple[int, int] | None:
        """Text offsets of a selection from the strips' metadata (or of a mirrored one)."""
        if selection.start is not None and selection.start.y == -1 and selection.end is not None:
            start, end = selection.start.x, selection.end.x
        else:
            start = 0 if selection.start is None else self._offset_at_mouse(*selection.start)
            end = len(self._text) if selection.end is None else self._end_at_mouse(*selection.end)
        return (start, end) if end > start else None

    def selection_updated(self, selection: Selection | None) -> None:
        """Textual tells the view that the mouse selection changed: keep it as text offsets."""
        # Textual calls this from a deferred watcher, so the argument may be stale: what
        # counts is what the screen holds now.
        current = self.screen.selections.get(self)
        if current is not None and current.start is not None and current.start.y == -1:
            return  # our own keyboard selection, already known
        span = None if current is None else self._span_of(current)
        if span == self.selection:
            return
        self._anchor = None
        self._from_mouse = True
        try:
            self.selection = span
        finally:
            self._from_mouse = False

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Remember where a press began, to tell a click from a drag."""
        self._mouse_down_at = event.screen_offset

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """A click without a drag puts the cursor on the sentence under the pointer."""
        if self._mouse_down_at != event.screen_offset:
            return
        self._mouse_down_at = None
        offset = self._offset_at_event(event)
        if offset is not None:
            with self._stable_view():
                self.cursor = offset

    def on_click(self, event: events.Click) -> None:
        """A double click selects the word under the pointer, a triple click its sentence
        (instead of Textual's select-all, which would take a whole book)."""
        if event.chain < 2:
            return
        event.prevent_default()
        offset = self._offset_at_event(event)
        if offset is None:
            return
        if event.chain == 2:
            text = self._text
            start = offset
            while start > 0 and _is_word(text[start - 1]):
                start -= 1
            end = offset
            while end < len(text) and _is_word(text[end]):
                end += 1
            span = (start, end) if end > start else None
        else:
            span = self._sentence_span(offset)
        self._anchor = None
        self.selection = span

    def _offset_at_event(self, event: events.MouseEvent) -> int | None:
        point = event.get_content_offset(self)
        if point is None or not self._parts or not self._width:
            return None
        return self.offset_at(point.x, point.y + self.scroll_offset.y)

    # ------------------------------------------------------------------ public movement API

    def goto(self, offset: int) -> None:
        """Put the cursor on the sentence holding `offset` and bring it into view."""
        self._sync_width()
        if not self._width:
            self.cursor = offset
            self._pending = ("goto", offset)  # done when the view gets its size
            return
        with self._stable_view():
            self.cursor = offset
            self._reveal(self._sentence_span(self.cursor), center=True)

    def scroll_to_offset(self, offset: int) -> None:
        """Scroll so that the line holding `offset` is the top row (the cursor stays)."""
        self._sync_width()
        if not self._width:
            self._pending = ("top", offset)  # done when the view gets its size
            return
        if not self._parts:
            return
        with self._stable_view():
            self._set_scroll(self.position_of(offset).y)

    def _reveal(self, span: tuple[int, int], *, center: bool = False) -> None:
        """Scroll as little as needed to show `span` (its start if it is taller than the view).

        With `center`, a span out of view is shown a third of the way down instead.
        """
        if not self._parts or not self._width:
            return
        start, end = span
        top_row = self.position_of(start).y
        bottom_row = self.position_of(max(start, end - 1)).y
        top = self.scroll_offset.y
        height = self._view_height()
        if top_row >= top and bottom_row < top + height:
            return
        if center:
            self._set_scroll(self._top_for(top_row, height // 3))
        elif top_row < top or bottom_row - top_row >= height:
            self._set_scroll(top_row)
        else:
            self._set_scroll(self._top_for(bottom_row, height - 1))

    def _move_cursor(
        self, offset: int, *, center: bool = False, show: tuple[int, int] | None = None
    ) -> None:
        """Move the cursor (extending a keyboard selection) and keep it, or `show`, in view."""
        self.cursor = offset
        if self._anchor is not None:
            span = self._sentence_span(self.cursor)
            self.selection = (min(self._anchor[0], span[0]), max(self._anchor[1], span[1]))
        self._reveal(show or self._sentence_span(self.cursor), center=center)

    def _cursor_in_view(self) -> bool:
        start, end = self._sentence_span(self.cursor)
        return start <= self._bottom_offset() and end >= self._top_offset()

    def _first_sentence_from(self, offset: int) -> int:
        """Start of the first sentence that starts at or after `offset` (else the last one)."""
        i = bisect_left(self._sentence_starts, offset)
        return self._sentence_starts[min(i, len(self._sentence_starts) - 1)]

    # ------------------------------------------------------------------ actions

    def action_next_sentence(self) -> None:
        """Move the cursor to the next sentence."""
        if not self._sentence_starts:
            return
        with self._stable_view():
            if not self._cursor_in_view():
                self._move_cursor(self._first_sentence_from(self._top_offset()))
                return
            i = self._sentence_at(self.cursor)
            self._move_cursor(self._sentence_starts[min(i + 1, len(self._sentence_starts) - 1)])

    def action_previous_sentence(self) -> None:
        """Move the cursor to the previous sentence."""
        if not self._sentence_starts:
            return
        with self._stable_view():
            if not self._cursor_in_view():
                i = max(0, bisect_right(self._sentence_starts, self._bottom_offset()) - 1)
                self._move_cursor(self._sentence_starts[i])
                return
            i = self._sentence_at(self.cursor)
            self._move_cursor(self._sentence_starts[max(0, i - 1)])

    def action_next_paragraph(self) -> None:
        """Move the cursor to the first sentence of the next block."""
        if not self._sentence_starts:
            return
        with self._stable_view():
            index = self._part_at(self.cursor)
            block = self._parts[index].block
            following = next(
                (p for p in self._parts[index + 1 :] if p.first and p.block is not block), None
            )
            if following is None:
                return
            target = self._first_sentence_from(following.start)
            if target > self.cursor:
                self._move_cursor(target)

    def action_previous_paragraph(self) -> None:
        """Move the cursor to the start of this block, or of the previous one if already there."""
        if not self._sentence_starts:
            return
        with self._stable_view():
            index = self._part_at(self.cursor)
            while index > 0 and not self._parts[index].first:
                index -= 1
            target = self._first_sentence_from(self._parts[index].start)
            if target >= self.cursor and index > 0:
                index -= 1
                while index > 0 and not self._parts[index].first:
                    index -= 1
                target = self._first_sentence_from(self._parts[index].start)
            if target < self.cursor:
                self._move_cursor(target)

    def action_page_down(self) -> None:
        """Scroll a screen down (keeping two rows) and put the cursor on the first sentence
        that starts in view; at the bottom, go to the last sentence."""
        if not self._parts:
            return
        with self._stable_view():
            height = self._view_height()
            if self.scroll_y >= self.max_scroll_y:
                self._move_cursor(self._sentence_starts[-1])
                return
            self._set_scroll(self.scroll_offset.y + max(1, height - 2))
            self._follow_view()

    def action_page_up(self) -> None:
        """Scroll a screen up (keeping two rows); the cursor follows, to the first sentence
        at the top."""
        if not self._parts:
            return
        with self._stable_view():
            height = self._view_height()
            top = self.scroll_offset.y
            if top <= 0:
                self._move_cursor(self._sentence_starts[0])
                return
            self._set_scroll(self._top_for(top, max(1, height - 2)))
            self._follow_view()

    def _follow_view(self) -> None:
        """After paging, move the cursor to the first sentence starting in view."""
        top = self._top_offset()
        target = self._first_sentence_from(top)
        if target > self._bottom_offset():
            target = self._sentence_span(top)[0]  # one long sentence fills the view
        self.cursor = target
        if self._anchor is not None:
            span = self._sentence_span(self.cursor)
            self.selection = (min(self._anchor[0], span[0]), max(self._anchor[1], span[1]))

    def action_top(self) -> None:
        """Go to the first sentence and the top of the document."""
        if not self._parts:
            return
        with self._stable_view():
            self._move_cursor(self._sentence_starts[0])
            self._set_scroll(0)

    def action_bottom(self) -> None:
        """Go to the last sentence and the bottom of the document."""
        if not self._parts:
            return
        with self._stable_view():
            self._move_cursor(self._sentence_starts[-1])
            self._layout(len(self._parts) - 1)
            end_row = self._heights.total - 1
            self._set_scroll(self._top_for(end_row, self._view_height() - 1))

    def action_toggle_selection(self) -> None:
        """Start a selection at the cursor's sentence, or drop the current selection."""
        if self.selection is not None:
            self.action_clear_selection()
            return
        if not self._sentence_starts:
            return
        span = self._sentence_span(self.cursor)
        self._anchor = span
        self.selection = span

    def action_grow_selection(self) -> None:
        """Move the selection's end past the next word (starting one at the cursor if none)."""
        if not self._text:
            return
        start, end = self.selection or (self.cursor, self.cursor)
        match = _WORD_AFTER.match(self._text, end)
        if match is None:
            return
        self._anchor = None
        with self._stable_view():
            self.selection = (start, match.end())
            self._reveal((match.end() - 1, match.end()))

    def action_shrink_selection(self) -> None:
        """Move the selection's end back before its last word (keeping at least one word)."""
        if self.selection is None:
            return
        start, end = self.selection
        match = _LAST_WORD.search(self._text, start, end)
        if match is None:
            return
        new_end = start + len(self._text[start : match.start()].rstrip())
        if new_end <= start:
            return
        self._anchor = None
        with self._stable_view():
            self.selection = (start, new_end)
            self._reveal((new_end - 1, new_end))

    def action_clear_selection(self) -> None:
        """Drop the selection."""
        self._anchor = None
        self.selection = None

    def action_next_annotation(self) -> None:
        """Go to the next highlight: after the one last reached, else from the cursor on."""
        self._step_annotation(forward=True)

    def action_previous_annotation(self) -> None:
        """Go to the previous highlight: before the one last reached, else before the cursor."""
        self._step_annotation(forward=False)

    def _step_annotation(self, *, forward: bool) -> None:
        starts = self._annotation_starts
        if not starts:
            return
        reached = self._reached
        if reached is not None and self._sentence_span(starts[reached])[0] == self.cursor:
            # Step from the highlight itself, so several in one sentence are each visited.
            index = reached + 1 if forward else reached - 1
        else:
            index = bisect_left(starts, self.cursor) - (0 if forward else 1)
        if not 0 <= index < len(starts):
            return
        annotation = self._placed[index]
        with self._stable_view():
            # Show the highlight itself: its sentence may be longer than the view.
            self._move_cursor(
                annotation.start, center=True, show=(annotation.start, annotation.end)
            )
            self._set_reached(index)
        self.post_message(self.AnnotationReached(annotation))

    def _set_reached(self, index: int | None) -> None:
        """Mark the highlight that `]`/`[` went to (drawn underlined), or none."""
        old = self._reached
        self._reached = index
        if old != index:
            for i in (old, index):
                if i is not None:
                    self._refresh_span((self._placed[i].start, self._placed[i].end))

    @property
    def reached_annotation(self) -> Annotation | None:
        """The highlight that `]` or `[` went to, while the cursor stays on its sentence."""
        return self._placed[self._reached] if self._reached is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Selection keys act only when there is a selection."""
        # Escape and the selection keys only act on a selection; without one, escape goes on
        # to the screen (which may close something).
        if action in ("clear_selection", "shrink_selection"):
            return self.selection is not None
        return True

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        """Forget resolved styles when CSS or the theme changes."""
        super().notify_style_update()
        self._styles.clear()

    def _style_table(self) -> dict[object, Style]:
        theme = self.app.theme
        if theme != self._styles_theme:
            self._styles.clear()
            self._styles_theme = theme
        if not self._styles:
            table = self._styles
            table["base"] = self.rich_style
            for name in self.COMPONENT_CLASSES:
                table[name.removeprefix("article-view--")] = self._overlay(name)
        return self._styles

    def _overlay(self, name: str) -> Style:
        """A component's own attributes, with colours blended over the view's background."""
        full = self.get_component_rich_style(name)
        partial = self.get_component_rich_style(name, partial=True)
        return Style(
            color=full.color if partial.color is not None else None,
            bgcolor=full.bgcolor if partial.bgcolor is not None else None,
            bold=partial.bold,
            italic=partial.italic,
            underline=partial.underline,
            dim=partial.dim,
            reverse=partial.reverse,
            strike=partial.strike,
        )

    def _piece_style(self, key: tuple[str, int, bool, bool, int, int, bool, bool]) -> Style:
        table = self._style_table()
        style = table.get(key)
        if style is None:
            block_key, marks, control, in_cursor, color, match, selected, reached = key
            style = table["base"]
            if block_key:
                style += table[block_key]
            if marks & 1:
                style += table["emphasis"]
            if marks & 2:
                style += table["strong"]
            if marks & 4:
                style += table["code"]
            if marks & 8:
                style += table["link"]
            if control:
                style += table["control"]
            if in_cursor:
                style += table["cursor"]
            if color >= 0:
                style += table[COLORS[color]]
            if reached:
                style += table["reached"]
            if match:
                style += table["match-current" if match == 2 else "match"]
            if selected:
                style += table["selection"]
            table[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        """Draw row `y` of the view, tagged with offsets for mouse selection."""
        self._sync_width()
        width = self.scrollable_content_region.width
        base = self._style_table()["base"]
        row_y = self.scroll_offset.y + y
        if not self._parts:
            return Strip.blank(width, base)
        if row_y >= self._heights.total:
            return Strip.blank(width, base).apply_offsets(
                ROW_STRIDE * ROW_STRIDE, len(self._parts) - 1
            )
        index, row = self._locate(row_y)
        layout = self._layout(index)
        if self._heights_changed:
            # Only parts at or below this row can have changed: the rows above are already
            # drawn right, the virtual size catches up after this frame.
            self.call_after_refresh(self._update_virtual_size)
        if row >= len(layout.rows):
            return Strip.blank(width, base).apply_offsets(row * ROW_STRIDE, index)
        strip = Strip(self._row_segments(index, layout.rows[row]), None)
        if not self._text_shown:
            self._text_shown = True
            self.post_message(self.TextShown())
        return strip.adjust_cell_length(width, base).apply_offsets(row * ROW_STRIDE, index)

    def _row_segments(self, index: int, row: _Row) -> list[Segment]:
        table = self._style_table()
        base = table["base"]
        part = self._parts[index]
        block = part.block
        kind = block.kind
        segments: list[Segment] = []
        if self._margin:
            segments.append(Segment(" " * self._margin, base))
        line, prefix, prefix_key = row
        panel = table["base"] + table["code-block"] if kind == "code" else base
        if line is None:
            segments.append(Segment(prefix, base + table[prefix_key]))
            return segments
        if prefix:
            if prefix_key == "code":
                segments.append(Segment(prefix, panel))
            elif prefix_key == "bar":
                segments.append(Segment(prefix, base + table["quote-bar"]))
            else:
                segments.append(Segment(prefix, base + table["marker"]))
        used = cell_len(prefix)
        available = self._text_width - used - (1 if kind == "code" else 0)
        count, cells = line.crop(available)
        if count:
            segments.extend(self._text_segments(line, count, _block_key(block)))
        if kind == "code":
            drawn = used + cells
            if drawn < self._text_width:
                segments.append(Segment(" " * (self._text_width - drawn), panel))
        return segments

    def _text_segments(self, line: Line, count: int, block_key: str) -> list[Segment]:
        """The drawn text of `line` (its first `count` characters) cut where styles change."""
        start = line.start
        end = line.offset_at_index(count) if count < len(line.text) else line.end
        index_of = line.index_of
        # Each decoration is (first index, end index, what, value) in display indexes.
        decorations: list[tuple[int, int, int, int]] = []
        edges = {0, count}

        def add(span_start: int, span_end: int, what: int, value: int) -> None:
            i = index_of(max(span_start, start))
            j = index_of(min(span_end, end)) if span_end < end else count
            if j > i:
                decorations.append((i, j, what, value))
                edges.add(i)
                edges.add(j)

        marks = self._marks
        if marks is None:
            document = self.document
            marks = self._marks = SpanIndex(
                (m.start, m.end, _MARK_BITS.get(m.kind, 0))
                for m in (document.marks if document else ())
            )
        if len(marks):
            for s, e, bits in marks.overlapping(start, end):
                add(s, e, 0, bits)
        hidden = self._hidden
        for s, e, (order, color, ann_id) in self._highlights.overlapping(start, end):
            if ann_id not in hidden:
                add(s, e, 1, order * 8 + color)
        for s, e, (order, color, _id) in self._extra.values():
            if s < end and e > start:
                add(s, e, 1, order * 8 + color)
        if self._match_index:
            current = self.current_match
            for s, e, i in self._match_index.overlapping(start, end):
                add(s, e, 2, 2 if i == current else 1)
        cursor_start, cursor_end = self._sentence_span(self.cursor)
        if cursor_start < end and cursor_end > start:
            add(cursor_start, cursor_end, 3, 1)
        if self.selection is not None:
            s, e = self.selection
            if s < end and e > start:
                add(s, e, 4, 1)
        if self._reached is not None:
            reached = self._placed[self._reached]
            if reached.start < end and reached.end > start:
                add(reached.start, reached.end, 6, 1)
        for i, j in line.placeholders:
            if i < count:
                decorations.append((i, min(j, count), 5, 1))
                edges.add(i)
                edges.add(min(j, count))

        text = line.text
        segments: list[Segment] = []
        for a, b in pairwise(sorted(edges)):
            marks_bits = 0
            color_order = -1
            color = -1
            match = 0
            in_cursor = selected = control = reached_here = False
            for i, j, what, value in decorations:
                if i <= a < j:
                    if what == 0:
                        marks_bits |= value
                    elif what == 1:
                        if value > color_order:
                            color_order = value
                            color = value % 8
                    elif what == 2:
                        match = max(match, value)
                    elif what == 3:
                        in_cursor = True
                    elif what == 4:
                        selected = True
                    elif what == 5:
                        control = True
                    else:
                        reached_here = True
            key = (
                block_key,
                marks_bits,
                control,
                in_cursor,
                color,
                match,
                selected,
                reached_here,
            )
            segments.append(Segment(text[a:b], self._piece_style(key)))
        return segments


def _make_parts(text: str, blocks: Sequence[Block]) -> list[_Part]:
    """Display parts for blocks: one per block, several for very long ones."""
    if not blocks:
        return []
    kinds = [block.kind for block in blocks]
    # Consecutive list items stay together; every other pair of blocks has a blank row between.
    gaps = [0 if a == b == "list_item" else 1 for a, b in zip(kinds, kinds[1:], strict=False)]
    gaps.append(0)
    if all(block.end - block.start <= MAX_PART_CHARS for block in blocks):
        make = _Part._make  # a third faster than calling the class, for 12,000 parts
        return [
            make((block, block.start, block.end, True, True, gap))
            for block, gap in zip(blocks, gaps, strict=True)
        ]
    parts: list[_Part] = []
    for block, gap in zip(blocks, gaps, strict=True):
        if block.end - block.start <= MAX_PART_CHARS:
            parts.append(_Part(block, block.start, block.end, True, True, gap))
            continue
        # Cut at a newline near the limit if there is one, else after a space, so that most
        # parts wrap exactly as the whole block would.
        start = block.start
        while start < block.end:
            limit = start + MAX_PART_CHARS
            if limit >= block.end:
                end = block.end
            else:
                cut = text.rfind("\n", start + MAX_PART_CHARS // 2, limit)
                if cut > start:
                    end = cut + 1
                else:
                    cut = text.rfind(" ", start + MAX_PART_CHARS // 2, limit)
                    end = cut + 1 if cut > start else limit
                    while end < block.end and _joins_previous(text[end]):
                        end += 1
            last = end >= block.end
            parts.append(_Part(block, start, end, start == block.start, last, gap if last else 0))
            start = end
    return parts


def _block_key(block: Block) -> str:
    if block.kind == "heading":
        return f"h{min(4, max(1, block.level))}"
    if block.kind == "quote":
        return "quote"
    if block.kind == "code":
        return "code-block"
    return ""


def _changed_spans(
    old: tuple[int, int] | None, new: tuple[int, int] | None
) -> list[tuple[int, int]]:
    """The parts of the text whose selection state differs between `old` and `new`."""
    if old is None or new is None:
        return [span for span in (old, new) if span is not None]
    spans = []
    if old[0] != new[0]:
        spans.append((min(old[0], new[0]), max(old[0], new[0])))
    if old[1] != new[1]:
        spans.append((min(old[1], new[1]), max(old[1], new[1])))
    return spans


def _is_word(char: str) -> bool:
    """Letters, digits and the marks that go with them make words (for double clicks)."""
    return char.isalnum() or char == "_" or unicodedata.category(char)[0] == "M"


def _joins_previous(char: str) -> bool:
    """True for characters that belong to the grapheme before them (marks, joiners)."""
    return unicodedata.category(char).startswith("M") or char in "\u200d\ufe0f"
