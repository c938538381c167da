"""Markdown export: one section per document, highlights as block quotes, for notes apps.

The layout (described in docs/formats.md) is plain CommonMark that Obsidian also reads: tags are
written as `#tags` it recognises. Document text and notes are data, never markup: every character
that could start Markdown (or Obsidian) structure is backslash-escaped, so a quote renders as the
words it holds and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

from tui.export._common import Item, LineIndex, passage, split_sorted
from tui.model import Annotation, Document
from tui.textsafe import CONTROL_MAP

# Characters escaped wherever they appear. CommonMark: \ ` * _ [ ] < (code, emphasis, links,
# autolinks, raw HTML); GFM: | (tables) ~ (strikethrough); Obsidian: # (inline tags) $ (math).
# Control characters become the same visible placeholders the reader shows (tui.textsafe).
_ESCAPES: dict[int, str] = {ord(c): "\\" + c for c in "\\`*_[]<|~#$"}
_ESCAPES.update(CONTROL_MAP)
# `&amp;` and `&#65;` would render as the character they name; only entity-like `&` need escaping.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Obsidian: ==highlight== and %%comment%%; a single = or % is plain text.
_DOUBLED = re.compile(r"={2,}|%{2,}")
# At the start of a line: list items (- + 1. 1)), block quotes (>), setext underlines (=).
_ORDERED = re.compile(r"^(\d{1,9})([.)])")

# A URL that can go between < > as an autolink: no spaces, angle brackets or control characters.
_URL = re.compile(r"^https?://[^\s<>\x00-\x1f\x7f-\x9f]+$")
_STATUS_LABELS = {
    "needs-review": "Needs review",
    "ambiguous": "Ambiguous",
    "orphan": "Orphan",
}


def _escape_inline(text: str) -> str:
    """`text` with every character escaped that could start inline Markdown, whatever its line."""
    text = text.translate(_ESCAPES)
    # The regexes cost more than the checks that skip them, and most passages need neither.
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    if "==" in text or "%%" in text:
        text = _DOUBLED.sub(lambda m: "".join("\\" + c for c in m.group()), text)
    return text


def _escape_start(line: str) -> str:
    """An inline-escaped line, stripped of indentation and escaped where it could start a block.

    Leading and trailing spaces and tabs are dropped: four at the start would open a code block,
    two at the end make a hard break, and rendering drops the rest anyway. The exact text stays
    available in the JSON and CSV.
    """
    line = line.strip(" \t")
    first = line[:1]
    if first in ("-", "+", "=", ">"):
        return "\\" + line
    if first.isdigit():
        return _ORDERED.sub(r"\1\\\2", line, count=1)
    return line


def escape_line(line: str) -> str:
    """One line of document or note text as literal Markdown inline text (see `_escape_start`)."""
    return _escape_start(_escape_inline(line))


def _lines(text: str) -> list[str]:
    """Escaped lines of `text`, with runs of blank lines collapsed to one empty string."""
    out: list[str] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for raw in _escape_inline(text).split("\n"):
        line = _escape_start(raw)
        if line.strip():
            out.append(line)
        elif out and out[-1]:
            out.append("")
    if out and not out[-1]:
        out.pop()
    return out


def block_quote(text: str) -> str:
    """`text` as a Markdown block quote: every line `> `-prefixed, blank lines as `>`."""
    lines = _lines(text)
    if not lines:
        return ">"
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def paragraphs(text: str) -> str:
    """`text` (a note) as plain Markdown paragraphs, one blank line between them."""
    return "\n".join(_lines(text))


@functools.lru_cache(maxsize=4096)
def obsidian_tag(name: str) -> str:
    """`name` as a tag Obsidian recognises, without the `#`.

    Obsidian allows letters, digits, `_`, `-` and `/` (nesting) and needs one non-digit. Any
    other character becomes `-`; runs of separators collapse to one (`/` wins, to keep nesting)
    so no `_` can open Markdown emphasis; separators are trimmed from the ends. A name without a
    letter gets the prefix `tag-` (`1984` -> `tag-1984`); a name with nothing usable (only
    emoji or punctuation) becomes `tag-` and a short hash of the name, stable across exports.
    """
    chars = [
        c if unicodedata.category(c)[0] in "LNM" or c in "_-/" else "-"
        for c in unicodedata.normalize("NFC", name)
    ]
    tag = re.sub(r"[-_/]{2,}", lambda m: "/" if "/" in m.group() else "-", "".join(chars))
    tag = tag.strip("-_/")
    if not tag:
        return "tag-" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not any(unicodedata.category(c)[0] == "L" for c in tag):
        return "tag-" + tag
    return tag


def _single_line(value: str) -> str:
    return escape_line(" ".join(value.split()))


def _header(doc: Document, placed: int, unplaced: int) -> list[str]:
    """The title, source, metadata and counts of a document's section, as blocks."""
    blocks = [f"# {_single_line(doc.title) or 'Untitled'}"]
    source = doc.source.strip()
    if source == "-":
        blocks.append("Source: standard input")
    elif _URL.match(source):
        blocks.append(f"Source: <{source}>")
    elif source:
        blocks.append(f"Source: {_single_line(source)}")
    # Known keys first in a reading order, the rest alphabetically, so output is stable.
    preferred = ["author", "date", "site", "url"]
    keys = [k for k in preferred if k in doc.metadata]
    keys += sorted(k for k in doc.metadata if k not in preferred)
    fields = []
    for key in keys:
        raw = str(doc.metadata[key]).strip()
        value = _single_line(raw)
        # The url is usually the source itself; saying it twice adds nothing.
        if value and not (key == "url" and raw == source):
            fields.append(f"{_single_line(key.replace('_', ' ').capitalize())}: {value}")
    if fields:
        blocks.append(" · ".join(fields))
    total = placed + unplaced
    count = f"{total} annotation{'' if total == 1 else 's'}"
    blocks.append(f"{count} ({unplaced} unplaced)." if unplaced else f"{count}.")
    return blocks


def _location(index: LineIndex, ann: Annotation) -> str:
    first = index.line(ann.start)
    # An end at a line start belongs to the line before: the passage stops at that newline.
    last = index.line(max(ann.start, ann.end - 1))
    where = f"Line {first}" if first == last else f"Lines {first}–{last}"
    return f"{where}, {index.percent(ann.start)}%"


def _body(ann: Annotation, quote: str) -> list[str]:
    """The quote, tags and note of one annotation, as blocks."""
    blocks = [block_quote(quote)]
    tags = list(dict.fromkeys(obsidian_tag(t) for t in ann.tags))
    if tags:
        blocks.append(" ".join(f"#{t}" for t in tags))
    note = paragraphs(ann.note)
    if note:
        blocks.append(note)
    return blocks


def _section(doc: Document, anns: Sequence[Annotation]) -> list[str]:
    placed, unplaced = split_sorted(doc, anns)
    blocks = _header(doc, len(placed), len(unplaced))
    if placed:
        index = LineIndex(doc.text)
        for ann in placed:
            colour = f" · {_single_line(ann.color)}" if ann.color else ""
            blocks.append(f"## {_location(index, ann)}{colour}")
            blocks.extend(_body(ann, passage(doc, ann)))
    if unplaced:
        blocks.append("## Unplaced annotations")
        blocks.append(
            "These passages were not found in the current text; each is quoted as it was made."
        )
        for ann in unplaced:
            # An anchored status here means a span outside the text: damaged data, said so.
            label = _STATUS_LABELS.get(ann.status) or f"Unplaced ({_single_line(ann.status)})"
            blocks.append(f"### {label}")
            blocks.extend(_body(ann, passage(doc, ann)))
    return blocks


def to_markdown(items: Sequence[Item], *, generated: str | None = None) -> str:
    """Markdown for `items`: one `# Title` section per document, in the order given.

    Placed annotations follow in document order, each under a `## Line N, P%` heading with its
    quote, `#tags` and note; unplaced ones follow under `## Unplaced annotations` with their
    status. `generated`, when given, is printed as the export time in a first line; leaving it
    out keeps the output a pure function of the data. Returns "" for no items.
    """
    blocks: list[str] = []
    if generated:
        blocks.append(f"Exported from margin on {_single_line(generated)}.")
    for doc, anns in items:
        blocks.extend(_section(doc, anns))
    return "\n\n".join(blocks) + "\n" if blocks else ""
