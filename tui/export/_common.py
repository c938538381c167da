"""What every exporter needs: which annotations are placed, in what order, and what they quote.

Kept apart from the format modules so that Markdown, W3C JSON and CSV agree on the passage an
annotation stands for and on the order annotations come out in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime

from tui.model import Annotation, Document

#: One document and its annotations: what every exporter takes a sequence of.
Item = tuple[Document, Sequence[Annotation]]

#: Characters of context kept on each side of a quote (GUIDE 5).
CONTEXT_CHARS = 32


def is_placed(doc: Document, ann: Annotation) -> bool:
    """True when `ann` is placed in the text and its span lies inside `doc.text`.

    A span outside the text can only come from damaged data; treating it as unplaced keeps the
    exporters from emitting offsets that point nowhere.
    """
    return ann.placed and 0 <= ann.start <= ann.end <= len(doc.text)


def passage(doc: Document, ann: Annotation) -> str:
    """The text an exporter shows for `ann`.

    Placed annotations export the passage as it stands now in the document (`text[start:end]`),
    which differs from `exact` only when the passage moved with an edit such as a typo fix; unplaced
    ones have no current passage, so they export `exact`, the quote as it was made.
    """
    return doc.text[ann.start : ann.end] if is_placed(doc, ann) else ann.exact


def _order_key(ann: Annotation) -> tuple[int, int, str, str, int]:
    # uuid and id break ties so that the output never depends on the order the caller passed.
    return (ann.start, ann.end, ann.created, ann.uuid, ann.id)


def split_sorted(
    doc: Document, annotations: Sequence[Annotation]
) -> tuple[list[Annotation], list[Annotation]]:
    """`(placed, unplaced)`, each in document order: by start, then end, then creation time."""
    placed: list[Annotation] = []
    unplaced: list[Annotation] = []
    for ann in annotations:
        (placed if is_placed(doc, ann) else unplaced).append(ann)
    placed.sort(key=_order_key)
    unplaced.sort(key=_order_key)
    return placed, unplaced


class LineIndex:
    """Line numbers of offsets in one text, by bisecting precomputed line starts.

    Built once per document so that locating n annotations costs O(n log lines), not a newline
    count from the start of the text for every annotation.
    """

    __slots__ = ("_starts", "length")

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts
        self.length = len(text)

    def line(self, offset: int) -> int:
        """The 1-based line that holds `offset`."""
        return bisect_right(self._starts, offset)

    def percent(self, offset: int) -> int:
        """How far into the text `offset` is, 0-100, rounded down."""
        return offset * 100 // self.length if self.length else 0


def iso_timestamp(value: str) -> str | None:
    """`value` as ISO 8601 in UTC with a `Z`, or None when it is empty or not a date.

    A time without an offset is taken as UTC, as SQLite's `datetime('now')` and
    `CURRENT_TIMESTAMP` write it.
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
