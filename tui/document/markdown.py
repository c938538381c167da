"""Markdown to reading text with markdown-it-py: what a rendered page shows, as plain text.

No `#`, `*`, backticks or link syntax reach the text: emphasis, strong, code and links become
marks, list markers go to `Block.info`, images become their alt text, soft breaks spaces and
hard breaks newlines. Code blocks are kept verbatim, tables become rows of cells joined by
" | ", and raw HTML blocks are reduced to their text (or dropped when they hold only tags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tui.document.builder import Rendered, TextBuilder
from tui.model import MarkKind

_BULLETS = ("\u2022", "\u25e6", "\u25aa")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_FIELD = re.compile(r"^(title|author|date)[ \t]*:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_BR_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_HTML_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "summary",
    "details",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "dt",
    "dd",
    "blockquote",
    "section",
    "figure",
    "figcaption",
)
_INLINE_MARKS: dict[str, MarkKind] = {"em": "emphasis", "strong": "strong"}


@dataclass(slots=True)
class _ListState:
    ordered: bool
    depth: int


@dataclass(slots=True)
class _ItemState:
    marker: str
    depth: int
    used: bool = False


def _parser() -> MarkdownIt:
    # Past this nesting markdown-it drops a block's text; 100 is far beyond real documents and
    # still far from Python's recursion limit.
    options = {"html": True, "maxNesting": 100}
    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])


def parse_markdown(source: str) -> Rendered:
    """Render normalised Markdown source to reading text with blocks, marks and a title."""
    metadata: dict[str, str] = {}
    match = _FRONT_MATTER.match(source)
    if match and match.group(1).count("\n") < 200:
        for key, value in _FRONT_FIELD.findall(match.group(1)):
            metadata[key] = value.strip().strip("\"'")
        source = source[match.end() :]

    tokens = _parser().parse(source)
    renderer = _Renderer()
    renderer.render(tokens)
    text, blocks, marks = renderer.builder.finish()

    title = metadata.pop("title", "")
    if not title:
        heading = next((b for b in blocks if b.kind == "heading"), None)
        if heading is not None:
            title = " ".join(text[heading.start : heading.end].split())
    return Rendered(text, blocks, marks, title, metadata)


class _Renderer:
    """Walks markdown-it's flat token stream, keeping the nesting of lists and quotes."""

    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.lists: list[_ListState] = []
        self.items: list[_ItemState] = []
        self.quote_depth = 0
        self.table_cell = 0
        self.table_rows = 0
        self.header_mark: int | None = None

    def render(self, tokens: list[Token]) -> None:
        b = self.builder
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                level = int(token.tag[1]) if token.tag[1:].isdigit() else 1
                b.start_block("heading", level)
            elif kind in ("heading_close", "paragraph_close"):
                b.end_block()
            elif kind == "paragraph_open":
                self._open_paragraph()
            elif kind == "inline":
                self._inline(token.children or [])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append(_ListState(kind == "ordered_list_open", len(self.lists) + 1))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                if self.lists:
                    self.lists.pop()
            elif kind == "list_item_open":
                self.items.append(_ItemState(self._marker(token), len(self.lists)))
            elif kind == "list_item_close":
                if self.items:
                    self.items.pop()
            elif kind == "blockquote_open":
                self.quote_depth += 1
            elif kind == "blockquote_close":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif kind in ("fence", "code_block"):
                language = token.info.strip().split()[0] if token.info.strip() else ""
                b.start_block("code", info=language, verbatim=True)
                b.write(token.content)
                b.end_block()
            elif kind == "hr":
                b.start_block("rule")
                b.write("* * *")
                b.end_block()
            elif kind == "html_block":
                text = html_fragment_text(token.content)
                if text:
                    self._open_paragraph()
                    b.write(text)
                    b.end_block()
            elif kind == "table_open":
                b.start_block("paragraph", info="table")
                self.table_rows = 0
            elif kind == "table_close":
                b.end_block()
            elif kind == "tr_open":
                if self.table_rows:
                    b.write("\n")
                self.table_rows += 1
                self.table_cell = 0
            elif kind in ("th_open", "td_open"):
                if self.table_cell:
                    b.write(" | ")
                self.table_cell += 1
                if kind == "th_open":
                    self.header_mark = b.open_mark("strong")
            elif kind == "th_close" and self.header_mark is not None:
                b.close_mark(self.header_mark)
                self.header_mark = None

    def _marker(self, token: Token) -> str:
        current = self.lists[-1] if self.lists else _ListState(False, 1)
        if current.ordered:
            return f"{token.info or '1'}{token.markup or '.'}"
        return _BULLETS[(current.depth - 1) % len(_BULLETS)]

    def _open_paragraph(self) -> None:
        """A paragraph is a list item (marker on its first one), a quote or a paragraph."""
        if self.items:
            item = self.items[-1]
            marker = "" if item.used else item.marker
            item.used = True
            self.builder.start_block("list_item", item.depth, marker)
        elif self.quote_depth:
            self.builder.start_block("quote", self.quote_depth)
        else:
            self.builder.start_block("paragraph")

    def _inline(self, children: list[Token]) -> None:
        b = self.builder
        stack: list[tuple[str, int]] = []
        for child in children:
            kind = child.type
            if kind == "text":
                b.write(child.content)
            elif kind == "softbreak":
                b.write(" ")
            elif kind == "hardbreak":
                b.write("\n")
            elif kind == "code_inline":
                handle = b.open_mark("code")
                b.write(child.content)
                b.close_mark(handle)
            elif kind == "image":
                b.write(child.content)
            elif kind == "html_inline":
                if _BR_TAG.match(child.content.strip()):
                    b.write("\n")
            elif kind.endswith("_open") and kind[:-5] in ("em", "strong", "link"):
                name = kind[:-5]
                if name == "link":
                    href = str(child.attrGet("href") or "")
                    stack.append((name, b.open_mark("link", href)))
                else:
                    stack.append((name, b.open_mark(_INLINE_MARKS[name])))
            elif kind.endswith("_close") and kind[:-6] in ("em", "strong", "link"):
                name = kind[:-6]
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        b.close_mark(stack.pop(i)[1])
                        break
        for _name, handle in stack:
            b.close_mark(handle)


def html_fragment_text(fragment: str) -> str:
    """The visible text of a raw HTML fragment, whitespace collapsed ("" when only tags)."""
    if "<" not in fragment:
        return " ".join(fragment.split())
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath(".//script|.//style|.//template|.//noscript"):
        bad.drop_tree()
    # Block elements end a run of words: "<summary>Sum</summary>Body" reads "Sum Body".
    for element in root.iter(*_HTML_BLOCK_TAGS):
        element.tail = " " + (element.tail or "")
        element.text = " " + (element.text or "")
    return " ".join(root.text_content().split())
