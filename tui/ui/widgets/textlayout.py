"""Pure text layout for the article view: display units, wrapping and offset <-> column maps.

Nothing here imports Textual. A stored text is turned into display lines whose every cell maps
back to a code-point offset of the text: control characters become visible placeholders, tabs
become spaces, grapheme clusters (combining marks, emoji with joiners, flags) stay whole, and wide
characters are measured with Rich's `cell_len` so the view and the terminal agree. The module also
holds the two indexes the view needs to stay fast on a whole book: `SpanIndex` (which highlights
touch a line) and `HeightIndex` (which block is at a given row).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import Generic, Literal, TypeVar

from rich.cells import cell_len, split_graphemes

__all__ = [
    "TAB_SIZE",
    "HeightIndex",
    "Line",
    "SpanIndex",
    "WrapMode",
    "display_text",
    "placeholder",
    "wrap",
]

#: Tabs expand to the next multiple of this many columns of their (unwrapped) line.
TAB_SIZE = 4

WrapMode = Literal["word", "char"]

_BIDI_NAMES = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u2028": "LS",
    "\u2029": "PS",
}

# Characters that must not reach the terminal as they are: C0 (but \n, handled by the caller,
# and \t, expanded), DEL, C1, bidi embeddings/overrides/isolates, line/paragraph separators and
# lone surrogates. Each is drawn as a placeholder that stands for exactly one code point.
_SPECIAL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_SPECIAL_OR_TAB = re.compile(_SPECIAL.pattern[:-1] + "\t]")
_NON_SPACE = re.compile("[^ ]")

# Code points that are certainly one cell wide and one grapheme each (no marks, no controls, no
# format characters). A line made only of these takes the fast path: one character, one cell.
_SIMPLE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x52F),  # Latin-1, Latin extended, IPA, Greek, Cyrillic
    (0x1E00, 0x1FFF),  # Latin extended additional, Greek extended
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),
    (0x20A0, 0x20C0),  # currency
    (0x2100, 0x21FF),  # letterlike, number forms, arrows
    (0x2500, 0x25FF),  # box drawing, blocks, shapes
)
_simple_chars: frozenset[str] | None = None


def _is_simple(text: str) -> bool:
    """True when every character of `text` is a one-cell grapheme of its own."""
    global _simple_chars
    if text.isascii():
        # ASCII without controls (the caller has already looked for them) is always simple.
        return True
    if _simple_chars is None:
        _simple_chars = _build_simple_chars()
    return _simple_chars.issuperset(text)


def _build_simple_chars() -> frozenset[str]:
    """Characters of `_SIMPLE_RANGES` that are neither marks, controls, separators nor wide.

    Uses `unicodedata` (C speed) rather than Rich's width table, so it costs about a
    millisecond; a test checks that Rich agrees every one of them is one cell wide.
    """
    category = unicodedata.category
    east_asian_width = unicodedata.east_asian_width
    return frozenset(
        char
        for low, high in _SIMPLE_RANGES
        for char in map(chr, range(low, high + 1))
        if category(char)[0] not in "MC"
        and category(char) not in ("Zl", "Zp")
        and east_asian_width(char) not in "WF"
    )


def placeholder(char: str) -> str | None:
    """The visible stand-in for a character that must not be sent to the terminal, else None.

    C0 controls become Unicode control pictures (ESC -> "␛", NUL -> "␀"), DEL "␡", C1 controls
    `\\x85`-style escapes, bidi controls and line separators their abbreviation in angle
    brackets (`<RLO>`), lone surrogates `\\udc80`-style escapes. Tab and newline are not
    handled here (they are layout, not content).
    """
    code = ord(char)
    if code < 0x20:
        return None if char in "\n\t" else chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code < 0xA0:
        return f"\\x{code:02x}"
    if char in _BIDI_NAMES:
        return f"<{_BIDI_NAMES[char]}>"
    if 0xD800 <= code < 0xE000:
        return f"\\u{code:04x}"
    return None


def display_text(text: str) -> str:
    """`text` with every control character replaced by its placeholder and tabs by spaces.

    For short strings that are shown but not mapped back to offsets (list markers, titles).
    """
    text = text.replace("\t", " " * TAB_SIZE).replace("\n", " ")
    return _SPECIAL.sub(lambda match: placeholder(match.group()) or "", text)


class Line:
    """One display line: the source span `[start, end)` and the text drawn for it.

    `text` is what is drawn (placeholders, spaces for tabs) and is `cells` cells wide. Spaces at a
    soft wrap hang at the end of the line, so `cells` may exceed the wrap width by them; the
    renderer crops them. Lines whose text is the source itself (one character = one cell) keep no
    maps; the others keep, per display unit (a grapheme cluster, a tab, a placeholder), its source
    offset, its index in `text` and its column, each with a sentinel for the end.
    """

    __slots__ = ("start", "end", "text", "cells", "_src", "_idx", "_col", "placeholders")

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        cells: int,
        src: list[int] | None = None,
        idx: list[int] | None = None,
        col: list[int] | None = None,
        placeholders: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.cells = cells
        self._src = src
        self._idx = idx
        self._col = col
        #: Display-index ranges `(i, j)` of `text` drawn as placeholders (styled dim).
        self.placeholders = placeholders

    def __repr__(self) -> str:
        return f"Line({self.start}, {self.end}, {self.text!r}, cells={self.cells})"

    @property
    def is_identity(self) -> bool:
        """True when `text` is the source itself, one character per cell."""
        return self._src is None

    def _unit(self, offset: int) -> int:
        """Index of the display unit that contains `offset` (the sentinel for the end)."""
        assert self._src is not None
        return max(0, min(bisect_right(self._src, offset) - 1, len(self._src) - 1))

    def snap(self, offset: int) -> int:
        """The start of the grapheme cluster (or tab, or placeholder) holding `offset`."""
        offset = min(max(offset, self.start), self.end)
        if self._src is None:
            return offset
        return self._src[self._unit(offset)]

    def snap_end(self, offset: int) -> int:
        """The end of the unit holding `offset`, or `offset` itself at a unit boundary."""
        offset = min(max(offset, self.start), self.end)
        if self._src is None:
            return offset
        unit = self._unit(offset)
        if self._src[unit] == offset:
            return offset
        return self._src[min(unit + 1, len(self._src) - 1)]

    def col_of(self, offset: int) -> int:
        """The cell column where `offset` is drawn (the end column for `end`)."""
        offset = min(max(offset, self.start), self.end)
        if self._src is None:
            return offset - self.start
        assert self._col is not None
        return self._col[self._unit(offset)]

    def index_of(self, offset: int) -> int:
        """The index in `text` where the unit holding `offset` begins."""
        offset = min(max(offset, self.start), self.end)
        if self._src is None:
            return offset - self.start
        assert self._idx is not None
        return self._idx[self._unit(offset)]

    def offset_at_col(self, col: int) -> int:
        """The source offset of the unit drawn at cell `col` (`end` past the last cell)."""
        if col <= 0:
            return self.start
        if col >= self.cells:
            return self.end
        if self._src is None:
            return self.start + col
        assert self._col is not None
        return self._src[bisect_right(self._col, col) - 1]

    def offset_at_index(self, index: int) -> int:
        """The source offset of the unit holding character `index` of `text`."""
        if index <= 0:
            return self.start
        if index >= len(self.text):
            return self.end
        if self._src is None:
            return self.start + index
        assert self._idx is not None
        return self._src[bisect_right(self._idx, index) - 1]

    def crop(self, max_cells: int) -> tuple[int, int]:
        """How many characters of `text` fit in `max_cells` cells (whole units only), and how
        many cells they take."""
        if self.cells <= max_cells:
            return len(self.text), self.cells
        if self._src is None:
            count = max(0, max_cells)
            return count, count
        assert self._col is not None and self._idx is not None
        # The last unit boundary at or before max_cells.
        unit = max(0, bisect_right(self._col, max_cells) - 1)
        return self._idx[unit], self._col[unit]

    def crop_index(self, max_cells: int) -> int:
        """How many characters of `text` fit in `max_cells` cells, whole units only."""
        return self.crop(max_cells)[0]


def wrap(text: str, start: int, end: int, width: int, mode: WrapMode = "word") -> list[Line]:
    """Lay out `text[start:end]` in lines of at most `width` cells.

    Newlines are hard breaks (the newline itself belongs to the end of its line). In "word" mode
    lines break after runs of spaces or tabs, and before or after wide characters; a word wider
    than the line is cut at a grapheme boundary. In "char" mode (code) lines break at the width
    and spaces are kept where they are. Each logical line gives at least one `Line`.
    """
    width = max(1, width)
    lines: list[Line] = []
    position = start
    while True:
        newline = text.find("\n", position, end)
        line_end = end if newline < 0 else newline
        _wrap_logical(text, position, line_end, width, mode, lines)
        if newline < 0:
            return lines
        position = newline + 1


def _wrap_logical(
    text: str, start: int, end: int, width: int, mode: WrapMode, out: list[Line]
) -> None:
    """Wrap one line without newlines, appending its `Line`s to `out`."""
    if start == end:
        out.append(Line(start, end, "", 0))
        return
    if _SPECIAL_OR_TAB.search(text, start, end) is None:
        source = text[start:end]
        if _is_simple(source):
            for a, b in _wrap_simple(source, width, mode):
                out.append(Line(start + a, start + b, source[a:b], b - a))
            return
    _wrap_units(text, start, end, width, mode, out)


def _wrap_simple(source: str, width: int, mode: WrapMode) -> Iterator[tuple[int, int]]:
    """Line spans of a string whose characters are each one cell and one grapheme.

    This is `_break_units` specialised with string searches; tests check that both agree.
    """
    length = len(source)
    position = 0
    while position < length:
        limit = position + width
        if limit >= length:
            yield position, length
            return
        if mode == "char":
            yield position, limit
            position = limit
            continue
        # The first non-space at or after the limit is the character that overflows.
        if source[limit] != " ":
            overflow = limit
        else:
            match = _NON_SPACE.search(source, limit)
            if match is None:
                yield position, length  # only hanging spaces remain
                return
            overflow = match.start()
        space = source.rfind(" ", position, overflow)
        cut = space + 1 if space >= position else overflow
        yield position, cut
        position = cut


def _units(text: str, start: int, end: int) -> tuple[list[int], list[str], list[int], list[int]]:
    """Display units of `text[start:end]` (no newlines): source starts, drawn text, cells, kind.

    Kinds: 0 plain, 1 breakable space (space or tab), 2 wide, 3 placeholder.
    """
    src: list[int] = []
    disp: list[str] = []
    cells: list[int] = []
    kinds: list[int] = []
    column = 0  # column in the unwrapped line, for tab stops

    def add_run(a: int, b: int) -> None:
        nonlocal column
        run = text[a:b]
        if _is_simple(run):
            for i, char in enumerate(run):
                src.append(a + i)
                disp.append(char)
                cells.append(1)
                kinds.append(1 if char == " " else 0)
            column += len(run)
            return
        spans, _ = split_graphemes(run)
        pending: int | None = None  # a zero-width cluster at the start, joined to the next
        for s, e, w in spans:
            if pending is not None:
                s = pending
                pending = None
            if w == 0:
                if src and s == 0:
                    # A mark after a placeholder or tab: keep it with that unit.
                    disp[-1] += run[s:e]
                    continue
                if s == 0 and e < len(run):
                    pending = s
                    continue
            cluster = run[s:e]
            if (
                src
                and w == 1
                and kinds[-1] == 0
                and _is_regional(cluster)
                and _is_regional(disp[-1])
                and len(disp[-1]) == 1
                and src[-1] == a + s - 1
            ):
                # Two regional indicators make one flag: never split them.
                disp[-1] += cluster
                cells[-1] += 1
                column += 1
                continue
            src.append(a + s)
            disp.append(cluster)
            cells.append(w)
            kinds.append(2 if w >= 2 else (1 if cluster == " " else 0))
            column += w

    position = start
    for match in _SPECIAL_OR_TAB.finditer(text, start, end):
        if match.start() > position:
            add_run(position, match.start())
        char = match.group()
        src.append(match.start())
        if char == "\t":
            size = TAB_SIZE - column % TAB_SIZE
            disp.append(" " * size)
            cells.append(size)
            kinds.append(1)
            column += size
        else:
            shown = placeholder(char) or "?"
            disp.append(shown)
            size = cell_len(shown)
            cells.append(size)
            kinds.append(3)
            column += size
        position = match.end()
    if position < end:
        add_run(position, end)
    return src, disp, cells, kinds


def _is_regional(cluster: str) -> bool:
    return len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF


def _break_units(
    cells: Sequence[int], kinds: Sequence[int], width: int, mode: WrapMode
) -> Iterator[tuple[int, int]]:
    """Greedy line breaking over display units; yields unit index spans `[i, j)`."""
    count = len(cells)
    i = 0
    word = mode == "word"
    while i < count:
        column = 0
        cut = -1  # the last place where a line may end, after hanging spaces
        j = i
        overflow = False
        while j < count:
            kind = kinds[j]
            if word and kind == 1:
                column += cells[j]
                j += 1
                cut = j
                continue
            size = cells[j]
            if word and kind == 2 and j > i:
                cut = j  # a line may end before a wide character
            if column + size > width and j > i:
                overflow = True
                break
            column += size
            j += 1
            if word and kind == 2:
                cut = j
        if not overflow:
            yield i, count
            return
        end = cut if word and cut > i else j
        yield i, end
        i = end


def _wrap_units(
    text: str, start: int, end: int, width: int, mode: WrapMode, out: list[Line]
) -> None:
    src, disp, cells, kinds = _units(text, start, end)
    for i, j in _break_units(cells, kinds, width, mode):
        line_end = src[j] if j < len(src) else end
        line_src = src[i:j]
        line_src.append(line_end)
        pieces = disp[i:j]
        idx = [0, *accumulate(len(piece) for piece in pieces)]
        col = [0, *accumulate(cells[i:j])]
        marks = tuple((idx[k], idx[k + 1]) for k in range(j - i) if kinds[i + k] == 3)
        out.append(Line(src[i], line_end, "".join(pieces), col[-1], line_src, idx, col, marks))


T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Spans `[start, end)` with a payload, queried by overlap in O(log n + k).

    A nested containment list: spans are sorted by start (longest first on ties); a span inside
    another becomes its child, so the top-level list and every child list have ends that grow
    with their starts and the first overlap is found by bisection on ends. Empty spans are
    dropped (nothing to draw). Results come in start order within each level, not globally.
    """

    __slots__ = ("_starts", "_ends", "_items", "_children", "_count")

    def __init__(self, spans: Iterable[tuple[int, int, T]]) -> None:
        ordered = [span for span in spans if span[1] > span[0]]
        # Start ascending, longest first on equal starts: two stable sorts on C-level keys.
        ordered.sort(key=itemgetter(1), reverse=True)
        ordered.sort(key=itemgetter(0))
        self._count = len(ordered)
        # Each level is (starts, ends, items, children); children[i] is a level index or -1.
        self._starts: list[list[int]] = [[]]
        self._ends: list[list[int]] = [[]]
        self._items: list[list[tuple[int, int, T]]] = [[]]
        self._children: list[list[int]] = [[]]
        stack: list[tuple[int, int, int]] = []  # (end, level, position in level)
        for span in ordered:
            while stack and stack[-1][0] < span[1]:
                stack.pop()
            if stack:
                _end, parent_level, parent_position = stack[-1]
                level = self._children[parent_level][parent_position]
                if level < 0:
                    level = len(self._starts)
                    self._children[parent_level][parent_position] = level
                    self._starts.append([])
                    self._ends.append([])
                    self._items.append([])
                    self._children.append([])
            else:
                level = 0
            self._starts[level].append(span[0])
            self._ends[level].append(span[1])
            self._items[level].append(span)
            self._children[level].append(-1)
            stack.append((span[1], level, len(self._starts[level]) - 1))

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, T]]:
        """Every span with `span.start < end` and `span.end > start`."""
        found: list[tuple[int, int, T]] = []
        levels = [0]
        while levels:
            level = levels.pop()
            starts = self._starts[level]
            ends = self._ends[level]
            items = self._items[level]
            children = self._children[level]
            i = bisect_right(ends, start)
            while i < len(starts) and starts[i] < end:
                found.append(items[i])
                if children[i] >= 0:
                    levels.append(children[i])
                i += 1
        return found

    def __len__(self) -> int:
        return self._count


class MatchIndex:
    """Search matches: spans in text order that do not overlap, each with its number.

    What `SpanIndex` does for any spans, by bisection on two flat lists: 50,000 matches index
    in 2 ms rather than 30.
    """

    __slots__ = ("_starts", "_ends")

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    @staticmethod
    def fits(spans: Sequence[tuple[int, int]]) -> bool:
        """True if `spans` are sorted, non-empty and do not overlap (as a search finds them)."""
        previous = -1
        for start, end in spans:
            if start < previous or end <= start:
                return False
            previous = end
        return True

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, number) of every match with `match.start < end` and `match.end > start`."""
        first = bisect_right(self._ends, start)
        last = bisect_left(self._starts, end, first)
        return [(self._starts[i], self._ends[i], i) for i in range(first, last)]

    def __len__(self) -> int:
        return len(self._starts)


class HeightIndex:
    """Row counts of many blocks, with prefix sums and row -> block lookup in about O(sqrt n).

    Built from a list in C-speed steps (no per-block Python loop), so a book with 50,000 blocks
    opens at once; a height changes in O(1) and the chunk totals are re-accumulated lazily.
    """

    CHUNK = 256

    def __init__(self, heights: Iterable[int]) -> None:
        self._heights = list(heights)
        chunk = self.CHUNK
        self._chunks = [
            sum(self._heights[i : i + chunk]) for i in range(0, len(self._heights), chunk)
        ]
        self._chunk_starts: list[int] | None = None

    def __len__(self) -> int:
        return len(self._heights)

    def __getitem__(self, index: int) -> int:
        return self._heights[index]

    @property
    def total(self) -> int:
        """The sum of all heights."""
        starts = self._starts()
        return starts[-1] if starts else 0

    def _starts(self) -> list[int]:
        if self._chunk_starts is None:
            self._chunk_starts = [0, *accumulate(self._chunks)]
        return self._chunk_starts

    def set(self, index: int, height: int) -> int:
        """Set one height; returns the change."""
        delta = height - self._heights[index]
        if delta:
            self._heights[index] = height
            self._chunks[index // self.CHUNK] += delta
            self._chunk_starts = None
        return delta

    def start(self, index: int) -> int:
        """The first row of block `index` (the total for `index == len`)."""
        chunk, _ = divmod(index, self.CHUNK)
        starts = self._starts()
        if chunk >= len(self._chunks):
            return starts[-1]
        return starts[chunk] + sum(self._heights[chunk * self.CHUNK : index])

    def find(self, row: int) -> int:
        """The block that holds `row` (clamped to the first and last block)."""
        if not self._heights:
            return 0
        starts = self._starts()
        if row >= starts[-1]:
            return len(self._heights) - 1
        if row < 0:
            return 0
        chunk = bisect_right(starts, row) - 1
        base = chunk * self.CHUNK
        within = list(accumulate(self._heights[base : base + self.CHUNK], initial=starts[chunk]))
        index = base + bisect_right(within, row) - 1
        # Skip empty blocks (height 0) so the block returned really holds the row.
        while index + 1 < len(self._heights) and self._heights[index] == 0:
            index += 1
        return index
