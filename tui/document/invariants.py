"""The promises every loaded `Document` keeps, as a checker that lists broken ones.

Used by the tests on every corpus file, and usable by anyone who builds or changes a
document (the store after a migration, an importer) to catch offsets that went wrong.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from typing import get_args

from tui.model import BlockKind, Document, MarkKind

_BLOCK_KINDS = frozenset(get_args(BlockKind))
_MARK_KINDS = frozenset(get_args(MarkKind))


def document_problems(doc: Document, *, limit: int = 20) -> list[str]:
    """Every way `doc` breaks the document model's invariants (at most `limit`); [] if none.

    Checked: NFC text with `\\n` line ends; blocks sorted, non-overlapping, non-empty and
    inside the text, with valid kinds and levels; marks sorted, inside one block, links with
    an href; sentences sorted, non-overlapping, trimmed, each inside one block; every block
    with visible text holds at least one sentence.
    """
    problems: list[str] = []
    text = doc.text
    n = len(text)
    if "\r" in text:
        problems.append("text contains a carriage return")
    if not unicodedata.is_normalized("NFC", text):
        problems.append("text is not NFC")

    previous_end = 0
    for i, block in enumerate(doc.blocks):
        if block.kind not in _BLOCK_KINDS:
            problems.append(f"block {i}: unknown kind {block.kind!r}")
        if not 0 <= block.start < block.end <= n:
            problems.append(f"block {i}: span {block.start}-{block.end} outside text of {n}")
            continue
        if block.start < previous_end:
            problems.append(f"block {i}: starts at {block.start}, before the last block ended")
        previous_end = block.end
        if block.kind == "heading" and not 1 <= block.level <= 6:
            problems.append(f"block {i}: heading level {block.level}")
        if block.kind == "list_item" and block.level < 1:
            problems.append(f"block {i}: list item depth {block.level}")

    starts = [b.start for b in doc.blocks]

    def block_of(start: int, end: int) -> int | None:
        k = bisect_right(starts, start) - 1
        if k >= 0 and doc.blocks[k].start <= start and end <= doc.blocks[k].end:
            return k
        return None

    previous_start = -1
    for i, mark in enumerate(doc.marks):
        if mark.kind not in _MARK_KINDS:
            problems.append(f"mark {i}: unknown kind {mark.kind!r}")
        if not 0 <= mark.start < mark.end <= n:
            problems.append(f"mark {i}: span {mark.start}-{mark.end} outside text of {n}")
            continue
        if mark.start < previous_start:
            problems.append(f"mark {i}: marks not sorted by start")
        previous_start = mark.start
        if block_of(mark.start, mark.end) is None:
            problems.append(f"mark {i}: not inside one block")
        if mark.kind == "link" and not mark.href:
            problems.append(f"mark {i}: link without href")

    previous_end = 0
    covered: set[int] = set()
    for i, (start, end) in enumerate(doc.sentences):
        if not 0 <= start < end <= n:
            problems.append(f"sentence {i}: span {start}-{end} outside text of {n}")
            continue
        if start < previous_end:
            problems.append(f"sentence {i}: overlaps or is out of order")
        previous_end = end
        if text[start].isspace() or text[end - 1].isspace():
            problems.append(f"sentence {i}: not trimmed: {text[start:end][:40]!r}")
        k = block_of(start, end)
        if k is None:
            problems.append(f"sentence {i}: crosses a block boundary: {text[start:end][:40]!r}")
        else:
            covered.add(k)

    for i, block in enumerate(doc.blocks):
        if i not in covered and text[block.start : block.end].strip():
            problems.append(f"block {i}: has no sentence")
    return problems[:limit]
