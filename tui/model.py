"""The plain data that every part of margin passes around.

A `Document` is one plain text plus spans (blocks, inline marks, sentences) pointing into it by
code-point offsets. Annotations, tags and search hits point into the same text. The store returns
these dataclasses, the exporters and the UI take them; none of them knows about SQLite or Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

BlockKind = Literal["paragraph", "heading", "list_item", "quote", "code", "rule"]
MarkKind = Literal["emphasis", "strong", "code", "link"]
AnchorStatus = Literal["anchored", "moved", "needs-review", "ambiguous", "orphan"]

#: The five highlight colours, in the order `c` cycles through them.
COLORS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOR = "yellow"

#: Statuses whose span can be shown in the text; the others are listed apart.
PLACED_STATUSES: frozenset[str] = frozenset({"anchored", "moved"})


def text_sha256(text: str) -> str:
    """Hex sha256 of a text's UTF-8 encoding: how margin tells whether a text changed."""
    import hashlib  # here: OpenSSL's load is a tenth of `margin list`'s import time

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_SPACE = re.compile(r"\s")


def word_count(text: str, chunk: int = 1 << 20) -> int:
    """Whitespace-separated words, counted a megabyte at a time: `len(text.split())` on a
    10 MB book makes 1.7 million strings at once (100 MB)."""
    count = 0
    start, end = 0, len(text)
    while start < end:
        stop = min(end, start + chunk)
        if stop < end and not text[stop].isspace():  # do not cut a word in two
            space = _SPACE.search(text, stop)
            stop = space.start() if space else end
        count += len(text[start:stop].split())
        start = stop
    return count


class Block(NamedTuple):
    """A structural block of the text: `text[start:end]`, without its trailing newline.

    A named tuple rather than a frozen dataclass: a book has 12,000 blocks, and a frozen
    dataclass takes four times as long to make (5 ms of every opening of War and Peace).

    `level` is the heading level (1-6) for headings and the nesting depth (1-based) for list
    items and quotes; 0 otherwise. `info` holds a code block's language or a list item's marker.
    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    info: str = ""


class Mark(NamedTuple):
    """An inline mark over `text[start:end]`; `href` is set for links (a named tuple, as
    `Block` is: a web page can have thousands)."""

    kind: MarkKind
    start: int
    end: int
    href: str = ""


@dataclass(slots=True)
class Document:
    """A loaded or stored document.

    `text` is NFC with `\\n` line ends. `blocks`, `marks` and `sentences` are sorted by start.
    `id` is None until the store has it. `source` is the absolute path, URL or "-" (stdin).
    `metadata` holds optional strings: author, date, site, encoding, url, and the like.
    """

    text: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    source: str = ""
    format: str = "text"
    metadata: dict[str, str] = field(default_factory=dict)
    id: int | None = None
    position: int = 0
    imported: str = ""
    last_read: str = ""

    @property
    def sha256(self) -> str:
        """The sha256 of the text, as stored with every anchor."""
        return text_sha256(self.text)

    @property
    def words(self) -> int:
        """Whitespace-separated word count."""
        return word_count(self.text)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Everything needed to find a passage again in a text that may have changed (GUIDE 5)."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    text_sha256: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where an anchor lands in a text. `start`/`end` are None for orphans.

    `score` is 0..1 (1.0 for an unchanged position). For "ambiguous" and "needs-review" the span
    is the best candidate found, kept for review, but it is not placed in the text.
    """

    status: AnchorStatus
    start: int | None
    end: int | None
    score: float


@dataclass(slots=True)
class Tag:
    """A code in the codebook: `key` is its quick key 1-9 or None, `count` how many use it."""

    id: int
    name: str
    color: str = ""
    key: int | None = None
    description: str = ""
    count: int = 0


@dataclass(slots=True)
class Annotation:
    """A highlight with optional note and tags. `tags` are tag names in the order they were added.

    `start`/`end` are where the passage is in the current text (for orphans: where it last was).
    `exact`/`prefix`/`suffix` are the quote as first made and are never overwritten.
    """

    id: int
    uuid: str
    document_id: int
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    color: str = DEFAULT_COLOR
    note: str = ""
    status: AnchorStatus = "anchored"
    score: float = 1.0
    created: str = ""
    updated: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """True when the annotation can be shown in the text (anchored or moved)."""
        return self.status in PLACED_STATUSES


@dataclass(slots=True)
class DocumentInfo:
    """One row of the library: a document without its text."""

    id: int
    title: str
    source: str
    words: int
    annotations: int
    imported: str
    last_read: str
    position: int
    length: int
    format: str = "text"

    @property
    def progress(self) -> float:
        """Reading progress 0..1 from the saved position."""
        return min(1.0, self.position / self.length) if self.length else 0.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A full-text search result: `kind` is "quote", "note" or "document"; `context` is plain text
    around the match with the matched terms at `spans` (offsets into `context`)."""

    kind: Literal["quote", "note", "document"]
    document_id: int
    document_title: str
    annotation_id: int | None
    context: str
    spans: tuple[tuple[int, int], ...] = ()
