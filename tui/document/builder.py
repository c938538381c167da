"""Build a document text block by block, with inline marks, from a parser's events.

The Markdown and HTML readers walk their trees and call `start_block`, `write`, `open_mark`...;
the builder keeps the offsets right: blocks joined by a blank line, each block trimmed of
surrounding whitespace (marks shifted and trimmed with it), empty blocks and marks dropped,
and the final text made NFC with every span moved to match.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.model import Block, BlockKind, Mark, MarkKind

BLOCK_SEPARATOR = "\n\n"

# HTML collapses ASCII whitespace only; a no-break space is content.
_HTML_SPACE = re.compile(r"([ \t\n\r\f\v]+)")


@dataclass(slots=True)
class Rendered:
    """What a format reader produces: the reading text and its spans, before sentences."""

    text: str
    blocks: list[Block]
    marks: list[Mark]
    title: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _OpenMark:
    kind: MarkKind
    start: int
    end: int | None = None
    href: str = ""


@dataclass(slots=True)
class _OpenBlock:
    kind: BlockKind
    level: int
    info: str
    verbatim: bool
    serial: int
    parts: list[str] = field(default_factory=list)
    length: int = 0
    marks: list[_OpenMark] = field(default_factory=list)
    pending_space: bool = False
    at_line_start: bool = True


class TextBuilder:
    """Accumulates blocks of text and inline marks into one text with spans.

    With `collapse_whitespace` (HTML), runs of ASCII whitespace in `write` become one space and
    `line_break` is the only way to get a newline; otherwise text is written as given.
    A block opened with `verbatim=True` (code) is always written as given.
    """

    def __init__(self, *, collapse_whitespace: bool = False) -> None:
        self._collapse = collapse_whitespace
        self._parts: list[str] = []
        self._length = 0
        self._blocks: list[Block] = []
        self._marks: list[Mark] = []
        self._block: _OpenBlock | None = None
        self._serial = 0
        self._handles: dict[int, tuple[int, int]] = {}

    @property
    def in_block(self) -> bool:
        """True while a block is open."""
        return self._block is not None

    @property
    def block_kind(self) -> BlockKind | None:
        """The kind of the open block, if any."""
        return self._block.kind if self._block else None

    def start_block(
        self, kind: BlockKind, level: int = 0, info: str = "", *, verbatim: bool = False
    ) -> None:
        """Close the open block, if any, and open a new one."""
        self.end_block()
        self._serial += 1
        self._block = _OpenBlock(kind, level, info, verbatim, self._serial)

    def write(self, text: str) -> None:
        """Append text to the open block (a paragraph is opened if none is)."""
        if not text:
            return
        if self._block is None:
            self.start_block("paragraph")
        block = self._block
        assert block is not None
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if block.verbatim or not self._collapse:
            self._emit(block, text)
            return
        for piece in _HTML_SPACE.split(text):
            if not piece:
                continue
            if piece[0] in " \t\n\r\f\v":
                block.pending_space = True
                continue
            if block.pending_space and not block.at_line_start:
                self._emit(block, " ")
            block.pending_space = False
            block.at_line_start = False
            self._emit(block, piece)

    def line_break(self) -> None:
        """A hard line break inside the open block (never two in a row when collapsing)."""
        block = self._block
        if block is None:
            return
        if self._collapse and not block.verbatim:
            block.pending_space = False
            if block.at_line_start:
                return
            block.at_line_start = True
        self._emit(block, "\n")

    def open_mark(self, kind: MarkKind, href: str = "") -> int:
        """Start an inline mark at the current position; returns a handle for `close_mark`."""
        if self._block is None:
            self.start_block("paragraph")
        block = self._block
        assert block is not None
        block.marks.append(_OpenMark(kind, block.length, None, href))
        handle = len(self._handles) + 1
        self._handles[handle] = (block.serial, len(block.marks) - 1)
        return handle

    def close_mark(self, handle: int) -> None:
        """End the mark at the current position; a mark whose block has closed already ended."""
        where = self._handles.pop(handle, None)
        block = self._block
        if where is None or block is None or where[0] != block.serial:
            return
        mark = block.marks[where[1]]
        if mark.end is None:
            mark.end = block.length

    def end_block(self) -> None:
        """Close the open block: trim it, drop it if empty, and append it to the text."""
        block = self._block
        if block is None:
            return
        self._block = None
        raw = "".join(block.parts)
        if block.verbatim:
            stripped = raw.lstrip()
            if not stripped:
                return
            first = len(raw) - len(stripped)
            # Keep the indentation of the first line of code.
            start = raw.rfind("\n", 0, first) + 1
            end = len(raw.rstrip())
        else:
            start = len(raw) - len(raw.lstrip())
            end = len(raw.rstrip())
        if start >= end:
            return
        body = raw[start:end]
        if self._blocks:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        offset = self._length
        self._parts.append(body)
        self._length += len(body)
        self._blocks.append(Block(block.kind, offset, offset + len(body), block.level, block.info))
        for mark in block.marks:
            m_start = min(max(mark.start - start, 0), len(body))
            m_end = min(max((block.length if mark.end is None else mark.end) - start, 0), len(body))
            while m_start < m_end and body[m_start].isspace():
                m_start += 1
            while m_end > m_start and body[m_end - 1].isspace():
                m_end -= 1
            if mark.kind == "link" and not mark.href:
                continue  # a link to nowhere is just text
            if m_start < m_end:
                self._marks.append(Mark(mark.kind, offset + m_start, offset + m_end, mark.href))

    def finish(self) -> tuple[str, list[Block], list[Mark]]:
        """Close the open block and return the NFC text with its sorted blocks and marks."""
        self.end_block()
        text = "".join(self._parts)
        blocks = self._blocks
        marks = sorted(self._marks, key=lambda m: (m.start, -m.end))
        if not unicodedata.is_normalized("NFC", text):
            text, remap = nfc_with_offsets(text)
            blocks = [
                Block(b.kind, remap(b.start, False), remap(b.end, True), b.level, b.info)
                for b in blocks
            ]
            marks = [Mark(m.kind, remap(m.start, False), remap(m.end, True), m.href) for m in marks]
        return text, blocks, marks

    def _emit(self, block: _OpenBlock, text: str) -> None:
        block.parts.append(text)
        block.length += len(text)


def nfc_with_offsets(text: str) -> tuple[str, Callable[[int, bool], int]]:
    """Normalise `text` to NFC and return `(new_text, remap)`.

    `remap(offset, is_end)` moves an offset of the old text to the new one; an offset inside
    a sequence that composes into fewer characters moves to the sequence's start (for starts)
    or end (for ends), so spans never cut a composed character.
    """
    n = len(text)
    # A boundary is safe when the next character starts a new combining sequence and does
    # not compose with the one before (Hangul jamo and a few Indic vowels would).
    starts = [0]
    for i in range(1, n):
        ch = text[i]
        if unicodedata.combining(ch):
            continue
        pair = text[i - 1 : i + 1]
        if unicodedata.is_normalized("NFC", pair) or unicodedata.normalize(
            "NFC", pair
        ) == unicodedata.normalize("NFC", text[i - 1]) + unicodedata.normalize("NFC", ch):
            starts.append(i)
    pieces: list[str] = []
    new_starts: list[int] = []
    total = 0
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else n
        piece = unicodedata.normalize("NFC", text[a:b])
        new_starts.append(total)
        pieces.append(piece)
        total += len(piece)

    def remap(offset: int, is_end: bool) -> int:
        if offset >= n:
            return total
        k = bisect_right(starts, offset) - 1
        if offset == starts[k]:
            return new_starts[k]
        return (
            (new_starts[k + 1] if k + 1 < len(new_starts) else total) if is_end else new_starts[k]
        )

    return "".join(pieces), remap
