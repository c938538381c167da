"""The `--clean` option: remove the repeats that scraped text carries.

Two kinds of repeats, both only when they are next to each other: a paragraph repeated as
it is, and a caption line repeated (as separate lines of a block, or as one-line blocks),
perhaps with a credit such as "Stringer/AFP via Getty Images" on one copy; the fullest copy
stays. Every removal is described for the person; blocks and marks are shifted to the new
text and sentences are segmented again.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable

from tui.document.segment import segment_sentences
from tui.model import Block, Document, Mark

#: Shorter repeats are left alone: "No." "No." can be what the author wrote.
MIN_REPEAT = 20
#: The most a repeated caption may grow by on one copy (a photo credit).
MAX_CREDIT = 80
_EXCERPT = 40

_KIND_NAMES = {"list_item": "list item"}


def clean_document(doc: Document) -> tuple[Document, list[str]]:
    """Return a copy of `doc` without adjacent repeats, and descriptions of what went."""
    text = doc.text
    removals: list[tuple[int, int]] = []
    removed: list[str] = []

    # Repeated blocks: one-line captions may differ by a credit, other blocks must match.
    blocks = doc.blocks
    dropped_blocks: set[int] = set()
    i = 0
    while i < len(blocks):
        j = i + 1
        while j < len(blocks) and _same_block(text, blocks[j - 1], blocks[j]):
            j += 1
        if j - i > 1:
            units = [(blocks[k].start, blocks[k].end) for k in range(i, j)]
            keep = _fullest(text, units)
            removals.extend(_run_removals(units, keep))
            dropped_blocks.update(k for k in range(i, j) if k - i != keep)
            sample = text[units[keep][0] : units[keep][1]]
            what = (
                "repeated caption line"
                if "\n" not in sample and not _all_equal(text, units)
                else f"duplicate {_KIND_NAMES.get(blocks[i].kind, blocks[i].kind)}"
            )
            removed.append(_describe(what, sample, j - i - 1))
        i = j

    # Repeated lines inside a block (captions scraped once per image size).
    for index, block in enumerate(blocks):
        if index in dropped_blocks or block.kind == "code" or block.info == "table":
            continue  # repeated lines of code or table rows are data
        lines = _line_spans(text, block)
        i = 0
        while i < len(lines):
            j = i + 1
            while j < len(lines) and _same_caption(
                text[lines[j - 1][0] : lines[j - 1][1]], text[lines[j][0] : lines[j][1]]
            ):
                j += 1
            if j - i > 1:
                units = lines[i:j]
                keep = _fullest(text, units)
                removals.extend(_run_removals(units, keep))
                sample = text[units[keep][0] : units[keep][1]]
                removed.append(_describe("repeated caption line", sample, j - i - 1))
            i = j

    if not removals:
        return dataclasses.replace(doc), []
    new_text, remap = _apply(text, removals)
    new_blocks = []
    for block in doc.blocks:
        start, end = remap(block.start), remap(block.end)
        if start < end:
            new_blocks.append(Block(block.kind, start, end, block.level, block.info))
    new_marks = []
    for mark in doc.marks:
        start, end = remap(mark.start), remap(mark.end)
        if start < end:
            new_marks.append(Mark(mark.kind, start, end, mark.href))
    cleaned = dataclasses.replace(
        doc,
        text=new_text,
        blocks=new_blocks,
        marks=new_marks,
        sentences=segment_sentences(new_text, new_blocks),
    )
    return cleaned, removed


def _key(s: str) -> str:
    return " ".join(s.split())


def _same_caption(a: str, b: str) -> bool:
    """Two lines that are one caption: equal, or one is the other plus a short credit."""
    a, b = _key(a), _key(b)
    if len(a) < MIN_REPEAT or len(b) < MIN_REPEAT:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return long.startswith(short + " ") and len(long) - len(short) <= MAX_CREDIT


def _same_block(text: str, a: Block, b: Block) -> bool:
    if a.kind != b.kind or a.kind in ("rule", "code"):
        return False
    first, second = text[a.start : a.end], text[b.start : b.end]
    if "\n" not in first and "\n" not in second:
        return _same_caption(first, second)
    key = _key(first)
    return len(key) >= MIN_REPEAT and key == _key(second)


def _all_equal(text: str, units: list[tuple[int, int]]) -> bool:
    first = _key(text[units[0][0] : units[0][1]])
    return all(_key(text[s:e]) == first for s, e in units[1:])


def _fullest(text: str, units: list[tuple[int, int]]) -> int:
    """Index of the longest copy (the first of equals)."""
    lengths = [len(_key(text[s:e])) for s, e in units]
    return lengths.index(max(lengths))


def _run_removals(units: list[tuple[int, int]], keep: int) -> list[tuple[int, int]]:
    """Ranges that remove every unit of a run but `keep`, with the separators between them."""
    out = []
    if keep > 0:
        out.append((units[0][0], units[keep][0]))
    if keep < len(units) - 1:
        out.append((units[keep][1], units[-1][1]))
    return out


def _line_spans(text: str, block: Block) -> list[tuple[int, int]]:
    spans = []
    pos = block.start
    while pos <= block.end:
        nl = text.find("\n", pos, block.end)
        stop = block.end if nl < 0 else nl
        spans.append((pos, stop))
        pos = stop + 1
    return spans


def _describe(what: str, sample: str, copies: int) -> str:
    excerpt = _key(sample)
    if len(excerpt) > _EXCERPT:
        cut = excerpt.rfind(" ", 0, _EXCERPT)
        excerpt = excerpt[: cut if cut > _EXCERPT // 2 else _EXCERPT].rstrip(" ,;:") + "\u2026"
    suffix = f" ({copies} copies)" if copies > 1 else ""
    return f'removed {what}{suffix}: "{excerpt}"'


def _apply(text: str, removals: list[tuple[int, int]]) -> tuple[str, Callable[[int], int]]:
    """Cut the ranges out of `text`; return the new text and an offset remapping function."""
    ranges = sorted(r for r in removals if r[0] < r[1])
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    starts = [r[0] for r in merged]
    removed_before = []  # characters removed before each range
    total = 0
    pos = 0
    for start, end in merged:
        pieces.append(text[pos:start])
        removed_before.append(total)
        total += end - start
        pos = end
    pieces.append(text[pos:])

    def remap(offset: int) -> int:
        k = bisect_right(starts, offset) - 1
        if k < 0:
            return offset
        start, end = merged[k]
        if offset < end:
            return start - removed_before[k]
        return offset - removed_before[k] - (end - start)

    return "".join(pieces), remap
